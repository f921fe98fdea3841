//! Runs the helloworld HTTP server on 127.0.0.1:8000 until Ctrl-C.

use std::net::SocketAddr;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let address = SocketAddr::from(([127, 0, 0, 1], 8000));
    let server = helloworld::http_server()?.address(address);
    println!("helloworld: HTTP server on http://{address}");
    println!("try:   curl http://{address}/helloworld/kratos");
    println!("error: curl -i http://{address}/helloworld/error");
    server
        .serve_with_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
