//! `grpc-load --addr 127.0.0.1:PORT [--connections 4] [--concurrency 64] [--seconds 5]`:
//! calls `Greeter.SayHello` as fast as the server answers for a fixed time and prints
//! `<calls> calls in <seconds> s = <rate> req/s` (every reply is checked; any error aborts).

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use kratos_bench::api::{HelloRequest, greeter_client::GreeterClient};
use tonic::transport::Endpoint;

struct Args {
    address: String,
    connections: usize,
    concurrency: usize,
    seconds: u64,
}

const USAGE: &str =
    "usage: grpc-load --addr HOST:PORT [--connections N] [--concurrency N] [--seconds N]";

fn parse(mut args: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut parsed = Args {
        address: String::new(),
        connections: 4,
        concurrency: 64,
        seconds: 5,
    };
    while let Some(arg) = args.next() {
        let value = args.next().ok_or_else(|| format!("{arg} needs a value"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|e| format!("{arg} {value}: {e}"))
        };
        match arg.as_str() {
            "--addr" => parsed.address = value.clone(),
            "--connections" => parsed.connections = usize::try_from(number()?.max(1)).unwrap_or(1),
            "--concurrency" => parsed.concurrency = usize::try_from(number()?.max(1)).unwrap_or(1),
            "--seconds" => parsed.seconds = number()?.max(1),
            _ => return Err(format!("unknown argument {arg:?}")),
        }
    }
    if parsed.address.is_empty() {
        return Err("--addr is required".to_owned());
    }
    Ok(parsed)
}

async fn run(args: Args) -> Result<(u64, Duration), String> {
    let mut channels = Vec::new();
    for _ in 0..args.connections {
        let channel = Endpoint::from_shared(format!("http://{}", args.address))
            .map_err(|e| e.to_string())?
            .tcp_nodelay(true)
            .connect()
            .await
            .map_err(|e| format!("connect: {e}"))?;
        channels.push(channel);
    }
    let calls = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for worker in 0..args.concurrency {
        let mut client = GreeterClient::new(channels[worker % channels.len()].clone());
        let calls = Arc::clone(&calls);
        let stop = Arc::clone(&stop);
        tasks.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let reply = client
                    .say_hello(HelloRequest {
                        name: "kratos".to_owned(),
                    })
                    .await
                    .map_err(|status| format!("call failed: {status}"))?;
                if reply.get_ref().message != "Hello kratos" {
                    return Err(format!("unexpected reply {:?}", reply.get_ref().message));
                }
                calls.fetch_add(1, Ordering::Relaxed);
            }
            Ok::<(), String>(())
        }));
    }
    tokio::time::sleep(Duration::from_secs(args.seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let elapsed = started.elapsed();
    let total = calls.load(Ordering::Relaxed);
    for task in tasks {
        task.await.map_err(|e| e.to_string())??;
    }
    Ok((total, elapsed))
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(args) => args,
        Err(message) => {
            eprintln!("grpc-load: {message}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let result = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
        .and_then(|runtime| runtime.block_on(run(args)));
    match result {
        Ok((calls, elapsed)) => {
            let seconds = elapsed.as_secs_f64();
            #[allow(clippy::cast_precision_loss)]
            let rate = calls as f64 / seconds;
            println!("{calls} calls in {seconds:.2} s = {rate:.0} req/s");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("grpc-load: {message}");
            ExitCode::FAILURE
        }
    }
}
