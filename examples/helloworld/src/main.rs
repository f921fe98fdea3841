//! Runs the helloworld service until SIGINT (Ctrl-C) or SIGTERM, then stops gracefully: HTTP on 127.0.0.1:8000 and gRPC on
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
    // Bound before anything is printed: a port in use fails here, at once. SIGINT and SIGTERM
    // are taken over as early, so a signal right after the announcement stops gracefully.
    let shutdown = kratos::transport::shutdown_signal();
    let http_listener = TcpListener::bind(http_address).await?;
    let grpc_listener = if one_port {
        None
    } else {
        Some(TcpListener::bind(grpc_address).await?)
    };
    // Access logs at WARN and above: successful calls stay quiet, failures are printed. The
    // writer never blocks a request (lines are dropped if stderr is not read); the guard
    // flushes what is queued at exit.
    let (log_writer, _log_flush) = tracing_appender::non_blocking(std::io::stderr());
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(log_writer)
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
    match grpc_listener {
        None => {
            kratos::transport::grpc::serve_with_http(http_listener, grpc, http, shutdown).await?;
        }
        Some(grpc_listener) => {
            let (stop, stopped) = tokio::sync::watch::channel(());
            let http_stopped = stopped.clone();
            let mut grpc_stopped = stopped;
            let http = http.serve_listener(http_listener, async move {
                let mut stopped = http_stopped;
                let _ = stopped.changed().await;
            });
            let grpc = grpc.serve_listener(grpc_listener, async move {
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
    }
    Ok(())
}
