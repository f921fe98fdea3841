//! `route-calls [CALLS] [none|default]`: the generated routes of the benchmark served in-process, in ns per
//! request: `HttpService::call` in a loop on a current-thread runtime (routing, binding, the
//! middleware chain, the service, encoding; no sockets), with no middleware and with the
//! example's default chain, alternately, two passes (or only the one named, for a profiler). It isolates what `run.sh`'s
//! `CANDIDATE=kratos-mw BASELINE=kratos` compares from the network stack and its noise; the
//! req/s ratio of `run.sh` is still the figure that counts.

use std::time::Instant;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use kratos::transport::http::HttpService;
use tower::Service as _;

/// Nanoseconds per request of `calls` requests built by `request` through `service`.
async fn measure(
    service: &mut HttpService,
    calls: u32,
    request: impl Fn() -> http::Request<Full<Bytes>>,
) -> Result<f64, Box<dyn std::error::Error>> {
    let started = Instant::now();
    for _ in 0..calls {
        let response = service.call(request()).await?;
        if !response.status().is_success() {
            return Err(format!("status {}", response.status()).into());
        }
        std::hint::black_box(response.into_body().collect().await?.to_bytes());
    }
    Ok(started.elapsed().as_secs_f64() * 1e9 / f64::from(calls))
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let calls: u32 = match args.next() {
        Some(calls) => calls.parse()?,
        None => 500_000,
    };
    let only = args.next();
    if let Some(only) = only
        .as_deref()
        .filter(|only| !["none", "default"].contains(only))
    {
        return Err(format!("unknown chain {only:?}: none or default").into());
    }
    let runs = |name: &str| only.as_deref().is_none_or(|only| only == name);
    let order = Bytes::from(std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/wrk/order.json"
    ))?);
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::WARN)
        .try_init();
    let registry = kratos::middleware::metrics::Registry::new();
    let mut plain = kratos_bench::generated::http_server()?.into_service();
    let mut layered = kratos_bench::generated::http_server()?
        .middleware(helloworld::default_middleware(&registry))
        .into_service();
    let get = || {
        http::Request::get("/helloworld/kratos")
            .body(Full::new(Bytes::new()))
            .expect("a valid request")
    };
    let post = || {
        http::Request::post("/v1/orders")
            .header(http::header::CONTENT_TYPE, "application/json")
            .body(Full::new(order.clone()))
            .expect("a valid request")
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async {
        if only.is_some() {
            let service = if runs("none") { &mut plain } else { &mut layered };
            let get_ns = measure(service, calls, get).await?;
            let post_ns = measure(service, calls, post).await?;
            println!("GET {get_ns:7.1} ns  POST {post_ns:7.1} ns");
            return Ok(());
        }
        for pass in 1..=2 {
            let none = measure(&mut plain, calls, get).await?;
            let chain = measure(&mut layered, calls, get).await?;
            println!(
                "pass {pass} GET   none {none:7.1} ns  default chain {chain:7.1} ns  +{:5.1} ns ({:+.1}%)",
                chain - none,
                (chain / none - 1.0) * 100.0
            );
            let none = measure(&mut plain, calls, post).await?;
            let chain = measure(&mut layered, calls, post).await?;
            println!(
                "pass {pass} POST  none {none:7.1} ns  default chain {chain:7.1} ns  +{:5.1} ns ({:+.1}%)",
                chain - none,
                (chain / none - 1.0) * 100.0
            );
        }
        Ok::<_, Box<dyn std::error::Error>>(())
    })
}
