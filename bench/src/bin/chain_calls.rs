//! `chain-calls [CALLS] [CHAIN]`: the cost of the middleware chain alone, in-process, in ns per
//! call: `Chain::call` in a loop on a current-thread runtime, for an empty chain, one no-op
//! middleware (the type erasure), each of the example's default middleware alone, and all four
//! (recovery, tracing with no SDK, metrics, logging with a subscriber at WARN). Each chain runs
//! twice; compare chains within one run. A diagnostic beside `run.sh`, whose req/s ratio is the
//! figure that counts.

use std::sync::Arc;
use std::time::Instant;

use kratos::errors::Error;
use kratos::middleware::{Chain, metrics};
use kratos::transport::{Context, Kind};

/// The service at the end of the chain: hands the name back.
struct Echo;

impl Echo {
    async fn call(&self, _ctx: Context, name: String) -> Result<String, Error> {
        Ok(name)
    }
}

/// Each chain by label, and its middleware as `kratos_bench::middleware_named` reads them.
const CHAINS: [(&str, &str); 7] = [
    ("empty", ""),
    ("noop", "noop"),
    ("recovery", "recovery"),
    ("tracing", "tracing"),
    ("metrics", "metrics"),
    ("logging", "logging"),
    ("all4", "recovery,tracing,metrics,logging"),
];

/// Nanoseconds per call of `calls` calls through `chain`, each with a fresh context, as a
/// generated route makes them.
async fn measure(chain: &Chain, calls: u32) -> Result<f64, Error> {
    let service = Arc::new(Echo);
    let headers = kratos::http::HeaderMap::new();
    let started = Instant::now();
    for _ in 0..calls {
        let ctx = Context::new(
            Kind::Http,
            "/helloworld.v1.Greeter/SayHello",
            headers.clone(),
        );
        let service = Arc::clone(&service);
        let reply = chain
            .call(ctx, String::from("kratos"), move |ctx, name| {
                let service = Arc::clone(&service);
                async move { service.call(ctx, name).await }
            })
            .await?;
        std::hint::black_box(reply);
    }
    Ok(started.elapsed().as_secs_f64() * 1e9 / f64::from(calls))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let calls: u32 = match args.next() {
        Some(calls) => calls.parse()?,
        None => 1_000_000,
    };
    let only = args.next();
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .try_init();
    let runtime = tokio::runtime::Builder::new_current_thread().build()?;
    let registry = metrics::Registry::new();
    runtime.block_on(async {
        for _round in 0..2 {
            for (label, names) in CHAINS {
                if only.as_deref().is_some_and(|only| only != label) {
                    continue;
                }
                let chain = kratos_bench::middleware_named(names, &registry)
                    .map_err(|err| kratos::errors::internal_server("", err.to_string()))?;
                let ns = measure(&chain, calls).await?;
                println!("{label:10} {ns:7.1} ns/call");
            }
        }
        Ok::<_, Error>(())
    })?;
    Ok(())
}
