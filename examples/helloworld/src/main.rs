//! Runs the helloworld service until Ctrl-C: HTTP on 127.0.0.1:8000 and gRPC on
//! 127.0.0.1:9000, one `Greeter` behind both, with the default middleware chain plus request validation, and Prometheus
//! metrics at /metrics. `--one-port` serves both on 8000 instead.

use std::net::SocketAddr;

use tokio::net::TcpListener;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let one_port = match std::env::args().nth(1).as_deref() {
        None => false,
        Some("--one-port") => true,
        Some(other) => {
            return Err(
                format!("unknown argument {other:?}; usage: helloworld [--one-port]").into(),
            );
        }
    };
    let http_address = SocketAddr::from(([127, 0, 0, 1], 8000));
    let grpc_address = if one_port {
        http_address
    } else {
        SocketAddr::from(([127, 0, 0, 1], 9000))
    };
    // Access logs at WARN and above: successful calls stay quiet, failures are printed.
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(std::io::stderr)
        .try_init();
    let registry = kratos::middleware::metrics::Registry::new();
    let middleware = helloworld::server_middleware(&registry);
    let mut http = helloworld::http_server()?.middleware(middleware.clone());
    http.route("GET", "/metrics", "/metrics", registry.http_handler())?;
    let grpc = helloworld::grpc_server().middleware(middleware);
    println!("helloworld: HTTP on http://{http_address}, gRPC on {grpc_address}");
    println!("try:   curl http://{http_address}/helloworld/kratos");
    println!("error: curl -i http://{http_address}/helloworld/error");
    println!("metrics: curl http://{http_address}/metrics");
    println!(
        "gRPC:  grpcurl -plaintext -d '{{\"name\":\"kratos\"}}' {grpc_address} helloworld.v1.Greeter/SayHello"
    );
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    if one_port {
        let listener = TcpListener::bind(http_address).await?;
        kratos::transport::grpc::serve_with_http(listener, grpc, http, shutdown).await?;
    } else {
        let (stop, stopped) = tokio::sync::watch::channel(());
        let http_stopped = stopped.clone();
        let mut grpc_stopped = stopped;
        let http = http.address(http_address).serve_with_shutdown(async move {
            let mut stopped = http_stopped;
            let _ = stopped.changed().await;
        });
        let grpc = grpc.address(grpc_address).serve_with_shutdown(async move {
            let _ = grpc_stopped.changed().await;
        });
        let signal = async move {
            shutdown.await;
            let _ = stop.send(());
        };
        let (http, grpc, ()) = tokio::join!(http, grpc, signal);
        http?;
        grpc?;
    }
    Ok(())
}
