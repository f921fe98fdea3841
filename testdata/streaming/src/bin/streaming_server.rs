//! Serves the test `Streamer` (tests/streams/service.rs, through the generated glue) over gRPC on the address given (default `127.0.0.1:9300`), with
//! validate on every message, until stdin closes: for clients in other languages
//! (`.ci/grpc-python-streams`).

use kratos::middleware::recovery::Recovery;
use kratos::middleware::validate::Validate;
#[allow(dead_code)]
#[path = "../../tests/streams/service.rs"]
mod service;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let address = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:9300".to_owned());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    // Stdin is read on a thread of its own: its end is the signal to stop.
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    std::thread::spawn(move || {
        let _ = std::io::copy(&mut std::io::stdin(), &mut std::io::sink());
        let _ = stop.send(());
    });
    runtime.block_on(async move {
        let mut server = kratos::transport::grpc::Server::new()
            .middleware(Recovery::new())
            .stream_middleware(Validate::new());
        streaming_service::pb::register_streamer_grpc_server(
            &mut server,
            service::Streamer::default(),
        );
        let listener = tokio::net::TcpListener::bind(&address).await?;
        println!("serving on {}", listener.local_addr()?);
        server
            .serve_listener(listener, async {
                let _ = stopped.await;
            })
            .await?;
        Ok(())
    })
}
