//! Calls the helloworld service back to back and prints one JSON line:
//! `{"ok":N,"errors":M,"by_endpoint":{"http://127.0.0.1:PORT":count,...},
//! "picked_after_removal":0,"removals_seen":{ENDPOINT:UNIX_MS,...},"last_reply":{ENDPOINT:
//! UNIX_MS,...}}` (calls by the endpoint each was sent to; calls that started after the client
//! had dropped their node from its set, which must be none; when the client saw each endpoint it
//! called go, and when its last call to each ended, in milliseconds since the Unix epoch),
//! exiting non-zero if any call failed.
//!
//! ```text
//! helloworld-client [--target discovery:///helloworld | ADDR] [--registry etcd://HOST:PORT]
//!                   [--transport http|grpc] [--balancer wrr|p2c|random]
//!                   [--calls N | --duration SECS] [--concurrency C]
//! ```
//!
//! Defaults: `--target discovery:///helloworld` (which needs `--registry`), `--transport
//! http`, `--balancer wrr`, `--calls 1`, `--concurrency 1`. A plain target is an address
//! (`127.0.0.1:8000`, or `http://127.0.0.1:9000` for gRPC). Failed calls are described on
//! stderr (the first ten).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use helloworld::api;
use kratos::balancer::{Balancer, Node, Peer, PowerOfTwoChoices, Random, WeightedRoundRobin};
use kratos::middleware::Handler;
use kratos::registry::Discovery;
use kratos::transport::{grpc, http};

const USAGE: &str = "usage: helloworld-client [--target discovery:///helloworld | ADDR] \
                     [--registry etcd://HOST:PORT] [--transport http|grpc] \
                     [--balancer wrr|p2c|random] [--calls N | --duration SECS] [--concurrency C]";

struct Flags {
    target: String,
    registry: Option<String>,
    transport: String,
    balancer: String,
    calls: Option<u64>,
    duration: Option<Duration>,
    concurrency: usize,
}

fn parse_flags() -> Result<Flags, String> {
    let mut flags = Flags {
        target: "discovery:///helloworld".to_owned(),
        registry: None,
        transport: "http".to_owned(),
        balancer: "wrr".to_owned(),
        calls: None,
        duration: None,
        concurrency: 1,
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value; {USAGE}"))?;
        let number = || {
            value
                .parse::<u64>()
                .map_err(|error| format!("{flag} {value:?}: {error}"))
        };
        match flag.as_str() {
            "--target" => flags.target = value,
            "--registry" => flags.registry = Some(value),
            "--transport" if matches!(value.as_str(), "http" | "grpc") => flags.transport = value,
            "--balancer" if matches!(value.as_str(), "wrr" | "p2c" | "random") => {
                flags.balancer = value;
            }
            "--calls" => flags.calls = Some(number()?),
            "--duration" => flags.duration = Some(Duration::from_secs(number()?)),
            "--concurrency" => {
                flags.concurrency = usize::try_from(number()?.max(1)).unwrap_or(1);
            }
            _ => return Err(format!("bad argument {flag} {value:?}; {USAGE}")),
        }
    }
    if flags.calls.is_some() && flags.duration.is_some() {
        return Err(format!(
            "--calls and --duration exclude each other; {USAGE}"
        ));
    }
    Ok(flags)
}

/// Where calls went, counted by a client middleware through the [`Peer`] the client fills in,
/// and whether any call was picked for a node after the client had dropped it from its set.
#[derive(Clone, Default)]
struct ByEndpoint(Arc<Mutex<Tally>>);

#[derive(Default)]
struct Tally {
    /// Successful calls by the endpoint they were sent to.
    calls: BTreeMap<String, u64>,
    /// The last node of each endpoint, to read when the client saw it go.
    nodes: BTreeMap<String, Arc<Node>>,
    /// When the last call sent to each endpoint ended (reply or error).
    last_reply: BTreeMap<String, Instant>,
    /// Calls that started after the node they went to had left the client's node set: a pick
    /// of a node the client already knew was gone.
    picked_after_removal: u64,
}

impl ByEndpoint {
    fn middleware(
        &self,
        scheme: &'static str,
        fallback: String,
    ) -> impl Fn(Handler) -> Handler + Send + Sync + 'static {
        let tally = self.clone();
        move |next: Handler| -> Handler {
            let tally = tally.clone();
            let fallback = fallback.clone();
            Arc::new(move |mut ctx, request| {
                let peer = Peer::new();
                ctx.extensions_mut().insert(peer.clone());
                // Before the pick, so a node removed after this instant was not yet gone then.
                let started = Instant::now();
                let call = next(ctx, request);
                let tally = tally.clone();
                let fallback = fallback.clone();
                Box::pin(async move {
                    let reply = call.await;
                    let node = peer.node();
                    let endpoint = node
                        .as_ref()
                        .map_or(fallback, |node| format!("{scheme}://{}", node.address()));
                    let mut tally = tally.0.lock().unwrap_or_else(|e| e.into_inner());
                    if reply.is_ok() {
                        *tally.calls.entry(endpoint.clone()).or_default() += 1;
                    }
                    if let Some(node) = node {
                        if node.removed_at().is_some_and(|removed| removed < started) {
                            tally.picked_after_removal += 1;
                        }
                        tally.last_reply.insert(endpoint.clone(), Instant::now());
                        tally.nodes.insert(endpoint, node);
                    }
                    reply
                })
            })
        }
    }

    /// When the client saw each endpoint it had called leave its node set, and when the last
    /// call to each ended, in milliseconds since the Unix epoch (comparable with the servers'
    /// clocks on the same machine).
    fn times(&self, clock: UnixClock) -> (BTreeMap<String, f64>, BTreeMap<String, f64>) {
        let tally = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let removals_seen = tally
            .nodes
            .iter()
            .filter_map(|(endpoint, node)| Some((endpoint.clone(), clock.ms(node.removed_at()?))))
            .collect();
        let last_reply = tally
            .last_reply
            .iter()
            .map(|(endpoint, at)| (endpoint.clone(), clock.ms(*at)))
            .collect();
        (removals_seen, last_reply)
    }
}

/// Turns instants into milliseconds since the Unix epoch.
#[derive(Clone, Copy)]
struct UnixClock {
    wall: SystemTime,
    instant: Instant,
}

impl UnixClock {
    fn new() -> Self {
        Self {
            wall: SystemTime::now(),
            instant: Instant::now(),
        }
    }

    fn ms(self, at: Instant) -> f64 {
        let wall = self.wall + at.saturating_duration_since(self.instant);
        wall.duration_since(UNIX_EPOCH)
            .map_or(0.0, |since| since.as_secs_f64() * 1000.0)
    }
}

/// One greeter over either transport.
#[derive(Clone)]
enum Greeter {
    Http(api::GreeterHttpClient),
    Grpc(api::GreeterGrpcClient),
}

impl Greeter {
    async fn say_hello(&self) -> Result<api::HelloReply, kratos::errors::Error> {
        let request = api::HelloRequest {
            name: "kratos".into(),
        };
        match self {
            Greeter::Http(client) => client.say_hello(request).await,
            Greeter::Grpc(client) => client.say_hello(request).await,
        }
    }
}

fn balancer(name: &str) -> Box<dyn Balancer> {
    match name {
        "p2c" => Box::new(PowerOfTwoChoices),
        "random" => Box::new(Random),
        _ => Box::new(WeightedRoundRobin),
    }
}

async fn greeter(
    flags: &Flags,
    counts: &ByEndpoint,
) -> Result<Greeter, Box<dyn std::error::Error>> {
    let discovery: Option<Arc<dyn Discovery>> = match &flags.registry {
        Some(url) => Some(Arc::new(helloworld::connect_registry(url).await?)),
        None => None,
    };
    Ok(if flags.transport == "http" {
        let mut builder = http::Client::builder(&flags.target)
            .balancer(balancer(&flags.balancer))
            .middleware(counts.middleware("http", flags.target.clone()));
        if let Some(discovery) = discovery {
            builder = builder.discovery(discovery);
        }
        Greeter::Http(api::GreeterHttpClient::new(builder.build()?))
    } else {
        let mut builder = grpc::Client::builder(flags.target.clone())
            .balancer(balancer(&flags.balancer))
            .middleware(counts.middleware("grpc", flags.target.clone()));
        if let Some(discovery) = discovery {
            builder = builder.discovery(discovery);
        }
        Greeter::Grpc(api::GreeterGrpcClient::new(builder.build()?))
    })
}

#[tokio::main]
async fn main() {
    let flags = match parse_flags() {
        Ok(flags) => flags,
        Err(message) => {
            eprintln!("{message}");
            std::process::exit(2);
        }
    };
    let clock = UnixClock::new();
    let counts = ByEndpoint::default();
    let greeter = match greeter(&flags, &counts).await {
        Ok(greeter) => greeter,
        Err(error) => {
            eprintln!("helloworld-client: {error}");
            std::process::exit(2);
        }
    };
    let ok = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let started = AtomicU64::new(0);
    let started = Arc::new(started);
    let deadline = flags.duration.map(|duration| Instant::now() + duration);
    let calls = if deadline.is_some() {
        u64::MAX
    } else {
        flags.calls.unwrap_or(1)
    };
    let workers: Vec<_> = (0..flags.concurrency)
        .map(|_| {
            let (greeter, ok, errors, started) = (
                greeter.clone(),
                Arc::clone(&ok),
                Arc::clone(&errors),
                Arc::clone(&started),
            );
            tokio::spawn(async move {
                while started.fetch_add(1, Ordering::Relaxed) < calls
                    && deadline.is_none_or(|deadline| Instant::now() < deadline)
                {
                    match greeter.say_hello().await {
                        Ok(_) => {
                            ok.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(error) => {
                            if errors.fetch_add(1, Ordering::Relaxed) < 10 {
                                eprintln!("helloworld-client: call failed: {error}");
                            }
                        }
                    }
                }
            })
        })
        .collect();
    for worker in workers {
        let _ = worker.await;
    }
    let (by_endpoint, picked_after_removal) = {
        let tally = counts.0.lock().unwrap_or_else(|e| e.into_inner());
        (tally.calls.clone(), tally.picked_after_removal)
    };
    let errors = errors.load(Ordering::Relaxed);
    let (removals_seen, last_reply) = counts.times(clock);
    let line = serde_json::json!({
        "ok": ok.load(Ordering::Relaxed),
        "errors": errors,
        "by_endpoint": by_endpoint,
        "picked_after_removal": picked_after_removal,
        "removals_seen": removals_seen,
        "last_reply": last_reply,
    });
    println!("{line}");
    if errors > 0 {
        std::process::exit(1);
    }
}
