//! `grpc-server --impl kratos|tonic --addr 127.0.0.1:PORT`: serves `Greeter.SayHello` until
//! Ctrl-C.

use std::net::SocketAddr;
use std::process::ExitCode;

use kratos_bench::grpc::{GrpcImplementation, serve_grpc};

const USAGE: &str = "usage: grpc-server --impl kratos|tonic [--addr 127.0.0.1:PORT]";

fn parse(
    mut args: impl Iterator<Item = String>,
) -> Result<(GrpcImplementation, SocketAddr), String> {
    let mut implementation = None;
    let mut address = SocketAddr::from(([127, 0, 0, 1], 19090));
    while let Some(arg) = args.next() {
        let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
        match arg.as_str() {
            "--impl" => implementation = Some(value.parse()?),
            "--addr" => address = value.parse().map_err(|e| format!("--addr {value}: {e}"))?,
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    Ok((implementation.ok_or("--impl is required")?, address))
}

fn main() -> ExitCode {
    let (implementation, address) = match parse(std::env::args().skip(1)) {
        Ok(parsed) => parsed,
        Err(message) => {
            eprintln!("grpc-server: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .and_then(|runtime| {
            runtime.block_on(async {
                let listener = tokio::net::TcpListener::bind(address).await?;
                println!(
                    "grpc-server: {implementation:?} on {}",
                    listener.local_addr()?
                );
                serve_grpc(implementation, listener, async {
                    let _ = tokio::signal::ctrl_c().await;
                })
                .await
            })
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("grpc-server: {err}");
            ExitCode::FAILURE
        }
    }
}
