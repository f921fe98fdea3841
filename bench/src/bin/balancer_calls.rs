//! `balancer-calls [ROUNDS] [SECONDS]`: what a `discovery:///` target costs a call, against a
//! fixed address, in one run.
//!
//! `balancer-calls count fixed|discovery|grpc-fixed|grpc-discovery CALLS`: CALLS calls one
//! after another on one thread and nothing else, for `valgrind --tool=callgrind`: the
//! instructions of a run with 3000 calls minus those of one with 1000, over 2000, are the cost of
//! one call (client and server, start-up cancelled out), the same on a loaded machine as on an
//! idle one. `bench/balancer.sh` does this for all four targets. One helloworld HTTP (or gRPC)
//! server on loopback; two clients of it: a fixed `http://127.0.0.1:PORT` one, and a
//! `discovery:///helloworld` one whose in-memory registry lists that same server (so the
//! difference is resolving, picking and reporting, not the backend). Each round runs both for SECONDS (default 2) with 16 concurrent callers,
//! alternating which goes first; the figure is the median of the per-round ratios
//! (discovery / fixed calls per second), with its range. Then the pick path alone: `select` +
//! `done` on a weighted-round-robin selector of three nodes, ns per pick from 1 thread and from
//! each of 64 threads at once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use helloworld::api;
use kratos::balancer::{Selector, WeightedRoundRobin};
use kratos::registry::{MemoryRegistry, Registrar, ServiceInstance};
use kratos::transport::grpc;
use kratos::transport::http::Client;
use tokio::net::TcpListener;

const CALLERS: usize = 16;

/// The clients' timeout: under valgrind on a loaded machine the first call (connecting, the
/// server starting, the first instance list) can take longer than the default 2 s.
const SLOW_START: Duration = Duration::from_secs(60);

async fn calls_per_second(client: &api::GreeterHttpClient, seconds: u64) -> f64 {
    let stop = Arc::new(AtomicBool::new(false));
    let done = Arc::new(AtomicU64::new(0));
    let callers: Vec<_> = (0..CALLERS)
        .map(|_| {
            let (client, stop, done) = (client.clone(), Arc::clone(&stop), Arc::clone(&done));
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    let request = api::HelloRequest {
                        name: "kratos".into(),
                    };
                    if client.say_hello(request).await.is_err() {
                        panic!("a call failed");
                    }
                    done.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    let started = Instant::now();
    tokio::time::sleep(Duration::from_secs(seconds)).await;
    stop.store(true, Ordering::Relaxed);
    let calls = done.load(Ordering::Relaxed);
    let elapsed = started.elapsed();
    for caller in callers {
        let _ = caller.await;
    }
    calls as f64 / elapsed.as_secs_f64()
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Nanoseconds per `select` + `done` from each of `threads` threads picking at once.
fn pick_cost(threads: usize, picks: u32) -> f64 {
    let selector = Arc::new(Selector::new(WeightedRoundRobin, "http"));
    selector.update(
        &["a", "b", "c"]
            .map(|id| ServiceInstance::new(id, "s").endpoint(format!("http://{id}:8000"))),
    );
    let workers: Vec<_> = (0..threads)
        .map(|_| {
            let selector = Arc::clone(&selector);
            std::thread::spawn(move || {
                let started = Instant::now();
                for _ in 0..picks {
                    if let Ok(picked) = selector.select(&[]) {
                        picked.done(false);
                    }
                }
                started.elapsed().as_nanos() as f64 / f64::from(picks)
            })
        })
        .collect();
    let mut costs: Vec<f64> = workers.into_iter().filter_map(|w| w.join().ok()).collect();
    median(&mut costs)
}

type Clients = (api::GreeterHttpClient, api::GreeterHttpClient);

/// An in-memory registry listing one helloworld instance at `endpoint`.
async fn registry_listing(endpoint: String) -> Result<Arc<MemoryRegistry>, kratos::Error> {
    let registry = MemoryRegistry::new();
    registry
        .register(&ServiceInstance::new("only", "helloworld").endpoint(endpoint))
        .await?;
    Ok(Arc::new(registry))
}

/// A helloworld HTTP server on loopback, and a fixed-address client and a `discovery:///`
/// client of it.
async fn server_and_clients() -> Result<Clients, Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    let server = helloworld::http_server()?;
    tokio::spawn(server.serve_listener(listener, std::future::pending()));

    let fixed = api::GreeterHttpClient::new(
        Client::builder(&format!("http://{address}"))
            .timeout(SLOW_START)
            .build()?,
    );
    let discovered = api::GreeterHttpClient::new(
        Client::builder("discovery:///helloworld")
            .discovery(registry_listing(format!("http://{address}")).await?)
            .timeout(SLOW_START)
            .build()?,
    );
    Ok((fixed, discovered))
}

/// A helloworld gRPC server on loopback, and a fixed-address client and a `discovery:///`
/// client of it.
async fn grpc_server_and_clients()
-> Result<(api::GreeterGrpcClient, api::GreeterGrpcClient), Box<dyn std::error::Error>> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let address = listener.local_addr()?;
    tokio::spawn(helloworld::grpc_server().serve_listener(listener, std::future::pending()));

    let timeout = Some(SLOW_START);
    let fixed = api::GreeterGrpcClient::new(
        grpc::Client::builder(format!("http://{address}"))
            .timeout(timeout)
            .build()?,
    );
    let discovered = api::GreeterGrpcClient::new(
        grpc::Client::builder("discovery:///helloworld")
            .discovery(registry_listing(format!("grpc://{address}")).await?)
            .timeout(timeout)
            .build()?,
    );
    Ok((fixed, discovered))
}

/// `count grpc-fixed|grpc-discovery CALLS`, on the current thread's runtime.
async fn count_grpc(target: &str, calls: u32) -> Result<(), Box<dyn std::error::Error>> {
    let (fixed, discovered) = grpc_server_and_clients().await?;
    let client = if target == "grpc-fixed" {
        fixed
    } else {
        discovered
    };
    for _ in 0..calls {
        let request = api::HelloRequest {
            name: "kratos".into(),
        };
        client.say_hello(request).await?;
    }
    Ok(())
}

/// `count fixed|discovery|grpc-fixed|grpc-discovery CALLS`: the calls alone, one at a time, on
/// one thread.
fn count(mut args: impl Iterator<Item = String>) -> Result<(), Box<dyn std::error::Error>> {
    let target = args.next().unwrap_or_default();
    let calls: u32 = args.next().map_or(Ok(2000), |n| n.parse())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        if matches!(target.as_str(), "grpc-fixed" | "grpc-discovery") {
            return count_grpc(&target, calls).await;
        }
        let (fixed, discovered) = server_and_clients().await?;
        let client = match target.as_str() {
            "fixed" => fixed,
            "discovery" => discovered,
            _ => {
                return Err(format!(
                    "count: expected fixed, discovery, grpc-fixed or grpc-discovery, got {target:?}"
                )
                .into());
            }
        };
        for _ in 0..calls {
            let request = api::HelloRequest {
                name: "kratos".into(),
            };
            client.say_hello(request).await?;
        }
        Ok(())
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1).peekable();
    if args.peek().map(String::as_str) == Some("count") {
        args.next();
        return count(args);
    }
    tokio::runtime::Runtime::new()?.block_on(rates(args))
}

/// Calls per second of both clients, alternating, then the cost of a pick.
async fn rates(mut args: impl Iterator<Item = String>) -> Result<(), Box<dyn std::error::Error>> {
    let rounds: usize = args.next().map_or(Ok(10), |n| n.parse())?;
    let seconds: u64 = args.next().map_or(Ok(2), |n| n.parse())?;
    let (fixed, discovered) = server_and_clients().await?;
    // Warm both (connections, the watch's first list).
    calls_per_second(&fixed, 1).await;
    calls_per_second(&discovered, 1).await;

    let mut ratios = Vec::with_capacity(rounds);
    for round in 0..rounds {
        let (fixed_rate, discovered_rate) = if round % 2 == 0 {
            let fixed_rate = calls_per_second(&fixed, seconds).await;
            (fixed_rate, calls_per_second(&discovered, seconds).await)
        } else {
            let discovered_rate = calls_per_second(&discovered, seconds).await;
            (calls_per_second(&fixed, seconds).await, discovered_rate)
        };
        let ratio = discovered_rate / fixed_rate;
        println!(
            "round {round}: fixed {fixed_rate:.0} calls/s, discovery {discovered_rate:.0} calls/s, ratio {ratio:.3}"
        );
        ratios.push(ratio);
    }
    let low = ratios.iter().copied().fold(f64::INFINITY, f64::min);
    let high = ratios.iter().copied().fold(0.0, f64::max);
    println!(
        "discovery / fixed calls per second: median {:.3} (range {low:.3}-{high:.3}, {rounds} rounds of {seconds} s, {CALLERS} callers)",
        median(&mut ratios)
    );
    for threads in [1, 64] {
        println!(
            "pick (select + done, wrr over 3 nodes): {:.0} ns from each of {threads} thread(s)",
            pick_cost(threads, 200_000)
        );
    }
    Ok(())
}
