//! Runs the helloworld service until Ctrl-C: HTTP (127.0.0.1:8000 unless configured) and gRPC
//! (127.0.0.1:9000), one `Greeter` behind both, with the default middleware chain plus request
//! validation, and Prometheus metrics at /metrics. `--one-port` serves both on the HTTP address.
//! `--conf PATH` reads a configuration file or directory (default `configs/` when it exists;
//! see `helloworld::conf`); `greeting` is followed while the service runs.

use std::path::PathBuf;

use tokio::net::TcpListener;

const USAGE: &str = "usage: helloworld [--one-port] [--conf PATH]";

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut one_port = false;
    let mut conf_path = None;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--one-port" => one_port = true,
            "--conf" => {
                let path = args.next().ok_or(format!("--conf needs a path; {USAGE}"))?;
                conf_path = Some(PathBuf::from(path));
            }
            other => return Err(format!("unknown argument {other:?}; {USAGE}").into()),
        }
    }
    let (config, conf) = match helloworld::conf::load(conf_path.as_deref()).await {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("helloworld: {error}");
            std::process::exit(2);
        }
    };
    let greeting = helloworld::Greeting::new(conf.greeting.as_str());
    helloworld::conf::follow_greeting(&config, &greeting);
    let greeter = helloworld::Greeter::new(greeting);
    let http_address = conf.server.http.addr;
    let grpc_address = if one_port {
        http_address
    } else {
        conf.server.grpc.addr
    };
    // Access logs at WARN and above: successful calls stay quiet, failures are printed.
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .with_writer(std::io::stderr)
        .try_init();
    let registry = kratos::middleware::metrics::Registry::new();
    let middleware = helloworld::server_middleware(&registry);
    let mut http = helloworld::http_server_with(greeter.clone())?
        .timeout(Some(conf.server.http.timeout))
        .middleware(middleware.clone());
    http.route("GET", "/metrics", "/metrics", registry.http_handler())?;
    let grpc = helloworld::grpc_server_with(greeter)
        .timeout(Some(conf.server.grpc.timeout))
        .middleware(middleware);
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
