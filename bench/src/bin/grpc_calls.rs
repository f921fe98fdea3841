//! `grpc-calls VARIANT CALLS`: `CALLS` unary `Greeter.SayHello` calls, one after another, from
//! tonic's client to a server in the same current-thread runtime over loopback, so that
//! `valgrind --tool=callgrind` counts the same work on every run (see bench/README.md). Prints
//! `<variant> <calls> calls in <seconds> s`.
//!
//! Variants: `tonic` (a bare tonic implementation on tonic's own server), `tonic-on-kratos` (the
//! same implementation on kratos' gRPC server), `kratos` (the generated glue on kratos' server,
//! no middleware), `kratos-default` (the glue with the example's default chain: recovery,
//! tracing, metrics, logging).

use std::process::ExitCode;
use std::time::Instant;

use kratos_bench::api::{self, HelloRequest, greeter_client::GreeterClient};
use kratos_bench::grpc::BareGreeter;

const USAGE: &str = "usage: grpc-calls tonic|tonic-on-kratos|kratos|kratos-default [CALLS (10000)]";

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let variant = args.next().unwrap_or_default();
    let calls = match args.next().map_or(Ok(10_000), |n| n.parse::<u64>()) {
        Ok(calls) => calls,
        Err(error) => {
            eprintln!("grpc-calls: CALLS: {error}\n{USAGE}");
            return ExitCode::FAILURE;
        }
    };
    match run(&variant, calls) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("grpc-calls: {error}\n{USAGE}");
            ExitCode::FAILURE
        }
    }
}

fn run(variant: &str, calls: u64) -> Result<(), Box<dyn std::error::Error>> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let signal = async move {
            let _ = stopped.await;
        };
        let registry = kratos::middleware::metrics::Registry::new();
        let mut server = kratos::transport::grpc::Server::new();
        let serving = match variant {
            "tonic" => tokio::spawn(kratos_bench::grpc::serve_grpc(
                kratos_bench::grpc::GrpcImplementation::Tonic,
                listener,
                signal,
            )),
            "tonic-on-kratos" => {
                server.add_service(api::greeter_server::GreeterServer::new(BareGreeter));
                tokio::spawn(server.serve_listener(listener, signal))
            }
            "kratos" | "kratos-default" => {
                if variant == "kratos-default" {
                    server = server.middleware(helloworld::default_middleware(&registry));
                }
                api::register_greeter_grpc_server(&mut server, kratos_bench::generated::Greeter);
                tokio::spawn(server.serve_listener(listener, signal))
            }
            other => return Err(format!("unknown variant {other:?}").into()),
        };
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{address}"))?
            .connect()
            .await?;
        let mut client = GreeterClient::new(channel);
        let started = Instant::now();
        for _ in 0..calls {
            let reply = client
                .say_hello(HelloRequest {
                    name: "kratos".into(),
                })
                .await?
                .into_inner();
            if reply.message != "Hello kratos" {
                return Err(format!("unexpected reply {:?}", reply.message).into());
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        println!("{variant} {calls} calls in {seconds:.3} s");
        let _ = stop.send(());
        serving.await??;
        Ok(())
    })
}
