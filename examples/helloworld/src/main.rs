//! Runs the helloworld service through `kratos::App` until SIGINT, SIGTERM or SIGQUIT: HTTP and
//! gRPC, one `Greeter` behind both, with the default middleware chain plus request validation,
//! and Prometheus metrics at /metrics.
//!
//! ```text
//! helloworld [--conf PATH] [--http ADDR] [--grpc ADDR] [--one-port]
//!            [--registry etcd://HOST:PORT] [--registry-ttl SECS] [--id ID]
//! ```
//!
//! `--conf PATH` reads a configuration file or directory (default `configs/` when it exists;
//! see `helloworld::conf`); `greeting` is followed while the service runs, and flags override
//! the file. `--http` (default `server.http.addr`, else 127.0.0.1:8000) and `--grpc` (default
//! `server.grpc.addr`, else 127.0.0.1:9000) take port 0 for any free port; `--one-port` serves both on the HTTP address. With `--registry` the instance
//! registers in etcd (Go Kratos' layout, service `helloworld`, lease TTL `--registry-ttl`,
//! 15 s by default) and deregisters before stopping. `--id` sets the instance id (a random UUID
//! by default). Once serving it prints `helloworld: serving ID at ENDPOINT...` on stdout.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use kratos::app::{App, InstanceInfo, Server, ServerFuture, Stop, endpoint_url};
use kratos::middleware::Handler;
use kratos::registry::{Registrar, RegistryFuture, ServiceInstance};
use kratos::transport::{grpc, http};
use tokio::net::TcpListener;

const USAGE: &str = "usage: helloworld [--conf PATH] [--http ADDR] [--grpc ADDR] [--one-port] \
                     [--registry etcd://HOST:PORT] [--registry-ttl SECS] [--id ID]";

/// The command line; an address or registry given here overrides the configuration's.
struct Flags {
    conf: Option<PathBuf>,
    http: Option<SocketAddr>,
    grpc: Option<SocketAddr>,
    one_port: bool,
    registry: Option<String>,
    registry_ttl: Duration,
    id: String,
}

fn parse_flags() -> Result<Flags, String> {
    let mut flags = Flags {
        conf: None,
        http: None,
        grpc: None,
        one_port: false,
        registry: None,
        registry_ttl: kratos::registry::EtcdRegistry::DEFAULT_TTL,
        id: String::new(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--one-port" {
            flags.one_port = true;
            continue;
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value; {USAGE}"))?;
        let address = || {
            value
                .parse::<SocketAddr>()
                .map_err(|error| format!("{flag} {value:?}: {error}; expected IP:PORT"))
        };
        match flag.as_str() {
            "--conf" => flags.conf = Some(PathBuf::from(value)),
            "--http" => flags.http = Some(address()?),
            "--grpc" => flags.grpc = Some(address()?),
            "--registry" => flags.registry = Some(value),
            "--registry-ttl" => {
                let seconds = value
                    .parse::<u64>()
                    .map_err(|error| format!("--registry-ttl {value:?}: {error}"))?;
                flags.registry_ttl = Duration::from_secs(seconds);
            }
            "--id" => flags.id = value,
            _ => return Err(format!("unknown argument {flag:?}; {USAGE}")),
        }
    }
    Ok(flags)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let flags = parse_flags()?;
    // A bad configuration stops the service here, before anything binds.
    let (config, conf) = match helloworld::conf::load(flags.conf.as_deref()).await {
        Ok(loaded) => loaded,
        Err(error) => {
            eprintln!("helloworld: {error}");
            std::process::exit(2);
        }
    };
    let greeting = helloworld::Greeting::new(conf.greeting.as_str());
    helloworld::conf::follow_greeting(&config, &greeting);
    let greeter = helloworld::Greeter::new(greeting);
    let http_address = flags.http.unwrap_or(conf.server.http.addr);
    let grpc_address = flags.grpc.unwrap_or(conf.server.grpc.addr);
    // `--registry` wins over `registry.etcd.endpoints`.
    let etcd_endpoints = match &flags.registry {
        Some(url) => Some(helloworld::etcd_endpoints(url)?),
        None => conf
            .registry
            .etcd
            .as_ref()
            .map(|etcd| etcd.endpoints.clone()),
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
    let late = LateCalls::default();
    let mut middleware = helloworld::server_middleware(&registry);
    if etcd_endpoints.is_some() {
        middleware.push(late.middleware());
    }
    let mut http = helloworld::http_server_with(greeter.clone())?
        .address(http_address)
        .timeout(Some(conf.server.http.timeout))
        .middleware(middleware.clone());
    http.metrics(&registry)?;
    let grpc = helloworld::grpc_server_with(greeter)
        .address(grpc_address)
        .timeout(Some(conf.server.grpc.timeout))
        .middleware(middleware)
        // Each message of a request stream (Chat's) meets its buf.validate rules too.
        .stream_middleware(kratos::middleware::validate::Validate::new());

    let mut app = App::new("helloworld").id(flags.id).version("v1.0.0");
    app = if flags.one_port {
        app.server(OnePort {
            address: http_address,
            servers: Some((http, grpc)),
            listener: None,
        })
    } else {
        app.http_server(http).grpc_server(grpc)
    };
    if let Some(endpoints) = &etcd_endpoints {
        let etcd = helloworld::connect_etcd(endpoints)
            .await?
            .ttl(flags.registry_ttl);
        app = app.registrar(Arc::new(Announced {
            etcd,
            late: late.clone(),
        }));
    }
    app = app.after_start(|instance| async move {
        println!(
            "helloworld: serving {} at {}",
            instance.id,
            instance.endpoints.join(" ")
        );
        if let Some(http) = instance.endpoint_for("http") {
            println!("try:   curl http://{http}/helloworld/kratos");
            println!(
                "try:   curl -N -H 'Accept: text/event-stream' 'http://{http}/helloworld/kratos/stream?count=5'"
            );
            println!("metrics: curl http://{http}/metrics");
        }
        if let Some(grpc) = instance.endpoint_for("grpc") {
            println!(
                "try:   grpcurl -plaintext -d '{{\"name\":\"kratos\"}}' {grpc} helloworld.v1.Greeter/SayHello"
            );
        }
        Ok(())
    });
    app.run().await?;
    if etcd_endpoints.is_some() {
        println!("helloworld: stopped; {}", late.report());
    }
    Ok(())
}

/// When the first call came after registering, and how many calls arrived after the instance
/// deregistered (clients that had not yet seen the change) and when the last one came: printed
/// at exit, checked by the rolling-restart test.
#[derive(Clone, Default)]
struct LateCalls {
    state: Arc<LateState>,
}

#[derive(Default)]
struct LateState {
    /// Microseconds since `epoch` at registration, plus one (0: not yet).
    registered: AtomicU64,
    /// Microseconds since `epoch` of the first call after registering, plus one.
    first_call: AtomicU64,
    /// Microseconds since `epoch` at deregistration, plus one (0: still registered).
    deregistered: AtomicU64,
    late: AtomicU64,
    last_late: AtomicU64,
    /// The instant times are counted from, and the wall-clock time then (so that the report
    /// can be compared with a client's clock on the same machine).
    epoch: std::sync::OnceLock<(Instant, SystemTime)>,
}

impl LateCalls {
    fn epoch(&self) -> (Instant, SystemTime) {
        *self
            .state
            .epoch
            .get_or_init(|| (Instant::now(), SystemTime::now()))
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch().0.elapsed().as_micros()).unwrap_or(u64::MAX) + 1
    }

    /// Milliseconds since the Unix epoch of a time from [`now`](Self::now).
    fn unix_ms(&self, micros_plus_one: u64) -> f64 {
        let at = self.epoch().1 + Duration::from_micros(micros_plus_one.saturating_sub(1));
        at.duration_since(UNIX_EPOCH)
            .map_or(0.0, |since| since.as_secs_f64() * 1000.0)
    }

    fn registered(&self) {
        self.state.registered.store(self.now(), Ordering::SeqCst);
    }

    fn deregistered(&self) {
        self.state.deregistered.store(self.now(), Ordering::SeqCst);
    }

    fn middleware(&self) -> impl Fn(Handler) -> Handler + Send + Sync + 'static {
        let calls = self.clone();
        move |next: Handler| -> Handler {
            let calls = calls.clone();
            Arc::new(move |ctx, request| {
                if calls.state.registered.load(Ordering::SeqCst) != 0 {
                    let _ = calls.state.first_call.compare_exchange(
                        0,
                        calls.now(),
                        Ordering::SeqCst,
                        Ordering::SeqCst,
                    );
                }
                if calls.state.deregistered.load(Ordering::SeqCst) != 0 {
                    calls.state.late.fetch_add(1, Ordering::SeqCst);
                    calls.state.last_late.store(calls.now(), Ordering::SeqCst);
                }
                next(ctx, request)
            })
        }
    }

    fn report(&self) -> String {
        let first = match self.state.first_call.load(Ordering::SeqCst) {
            0 => "no call".to_owned(),
            first => format!(
                "first call {:.1} ms after registering",
                first.saturating_sub(self.state.registered.load(Ordering::SeqCst)) as f64 / 1000.0
            ),
        };
        let late = self.state.late.load(Ordering::SeqCst);
        let deregistered = self.state.deregistered.load(Ordering::SeqCst);
        let last_late = self.state.last_late.load(Ordering::SeqCst);
        let after = last_late.saturating_sub(deregistered);
        format!(
            "{first}; {late} calls arrived after deregistering, the last {:.1} ms after; \
             deregistered at {:.3}, the last late call at {:.3} (ms since the Unix epoch)",
            after as f64 / 1000.0,
            self.unix_ms(deregistered),
            self.unix_ms(last_late.max(deregistered)),
        )
    }
}

/// The etcd registrar, noting when the instance deregistered.
struct Announced {
    etcd: kratos::registry::EtcdRegistry,
    late: LateCalls,
}

impl Registrar for Announced {
    fn register<'a>(&'a self, instance: &'a ServiceInstance) -> RegistryFuture<'a, ()> {
        Box::pin(async move {
            self.etcd.register(instance).await?;
            self.late.registered();
            Ok(())
        })
    }

    fn deregister<'a>(&'a self, instance: &'a ServiceInstance) -> RegistryFuture<'a, ()> {
        Box::pin(async move {
            let result = self.etcd.deregister(instance).await;
            self.late.deregistered();
            result
        })
    }
}

/// HTTP and gRPC on one port (`--one-port`): a user `Server` for the app.
struct OnePort {
    address: SocketAddr,
    servers: Option<(http::Server, grpc::Server)>,
    listener: Option<TcpListener>,
}

impl Server for OnePort {
    fn bind(&mut self) -> ServerFuture<'_, Vec<String>> {
        Box::pin(async move {
            let listener = TcpListener::bind(self.address).await?;
            let address = listener.local_addr()?;
            self.listener = Some(listener);
            Ok(vec![
                endpoint_url("http", address),
                endpoint_url("grpc", address),
            ])
        })
    }

    fn start(
        self: Box<Self>,
        instance: Arc<ServiceInstance>,
        stop: Stop,
    ) -> ServerFuture<'static, ()> {
        Box::pin(async move {
            let (Some((http, grpc)), Some(listener)) = (self.servers, self.listener) else {
                return Err(std::io::Error::other("started before binding"));
            };
            let info = InstanceInfo::new(instance);
            grpc::serve_with_http(
                listener,
                grpc.middleware(info.clone()),
                http.middleware(info),
                stop.wait(),
            )
            .await
        })
    }
}
