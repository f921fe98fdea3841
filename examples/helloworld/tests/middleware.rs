//! The middleware suite on real servers and clients, over HTTP and gRPC: recovery, logging,
//! metadata propagation across two hops, metrics with the /metrics endpoint, BBR shedding
//! under overload, and the circuit breaker against a failing backend.

#[macro_use]
#[path = "support/streams.rs"]
mod streams;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

mod support;

use helloworld::api;
use kratos::errors::Error;
use kratos::middleware::circuitbreaker::{self, CircuitBreaker};
use kratos::middleware::logging::Logging;
use kratos::middleware::metadata::{self, Metadata};
use kratos::middleware::metrics::{Metrics, Registry};
use kratos::middleware::ratelimit::{self, RateLimit};
use kratos::middleware::recovery::Recovery;
use kratos::transport::{Context, grpc, http};
use support::{Running, serve_grpc, serve_http};

fn http_client(running: &Running) -> api::GreeterHttpClient {
    api::GreeterHttpClient::new(http::Client::new(&format!("http://{}", running.address)).unwrap())
}

fn grpc_client(running: &Running) -> api::GreeterGrpcClient {
    api::GreeterGrpcClient::new(grpc::Client::new(format!("http://{}", running.address)).unwrap())
}

fn hello(name: &str) -> api::HelloRequest {
    api::HelloRequest {
        name: name.to_owned(),
    }
}

/// Panics for the name "panic".
struct Panicky;

impl api::GreeterHttpServer for Panicky {
    async fn say_hello(
        &self,
        _ctx: Context,
        request: api::HelloRequest,
    ) -> Result<api::HelloReply, Error> {
        if request.name == "panic" {
            panic!("the handler broke");
        }
        Ok(api::HelloReply {
            message: request.name,
        })
    }

    example_streams!();
}

#[tokio::test]
async fn recovery_answers_500_unknown_and_the_servers_keep_serving() {
    let mut http_server = http::Server::new().middleware(Recovery::new());
    api::register_greeter_http_server(&mut http_server, Panicky).unwrap();
    let mut grpc_server = grpc::Server::new().middleware(Recovery::new());
    api::register_greeter_grpc_server(&mut grpc_server, Panicky);
    let (h, g) = (serve_http(http_server).await, serve_grpc(grpc_server).await);

    for client in [
        Box::new(http_client(&h)) as Box<dyn Greet>,
        Box::new(grpc_client(&g)),
    ] {
        let err = client.greet("panic").await.unwrap_err();
        assert_eq!((err.code(), err.reason()), (500, "UNKNOWN"), "{err:?}");
        assert!(
            !err.message().contains("broke"),
            "the panic text must not leak: {err:?}"
        );
        assert_eq!(client.greet("after").await.unwrap(), "after");
    }
}

/// Either generated client, for tests that run the same calls on both transports.
trait Greet: Send + Sync {
    fn greet(
        &self,
        name: &str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, Error>> + Send + '_>>;
}

impl Greet for api::GreeterHttpClient {
    fn greet(
        &self,
        name: &str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, Error>> + Send + '_>>
    {
        let request = hello(name);
        Box::pin(async move { self.say_hello(request).await.map(|r| r.message) })
    }
}

impl Greet for api::GreeterGrpcClient {
    fn greet(
        &self,
        name: &str,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<String, Error>> + Send + '_>>
    {
        let request = hello(name);
        Box::pin(async move { self.say_hello(request).await.map(|r| r.message) })
    }
}

/// A `tracing` subscriber that keeps the fields of every event with target `kratos::access`.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<Event>>>);

/// One event's fields, as (name, value).
type Event = Vec<(String, String)>;

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, _: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, _: &tracing::span::Record<'_>) {}
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        struct Fields(Vec<(String, String)>);
        impl tracing::field::Visit for Fields {
            fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
                self.0.push((field.name().to_owned(), format!("{value:?}")));
            }
            fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
                self.0.push((field.name().to_owned(), value.to_owned()));
            }
        }
        if event.metadata().target() == "kratos::access" {
            let mut fields = Fields(vec![(
                "level".to_owned(),
                event.metadata().level().to_string(),
            )]);
            event.record(&mut fields);
            self.0.lock().unwrap().push(fields.0);
        }
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

fn field<'a>(event: &'a [(String, String)], name: &str) -> &'a str {
    event
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
        .unwrap_or("")
}

#[tokio::test(flavor = "current_thread")]
async fn logging_writes_one_event_per_call_with_code_and_reason() {
    let capture = Capture::default();
    let _guard = tracing::subscriber::set_default(capture.clone());

    let summarize = |message: &kratos::middleware::Message| {
        message
            .downcast_ref::<api::HelloRequest>()
            .map(|r| format!("name={}", r.name))
    };
    let mut http_server = http::Server::new().middleware(Logging::server().args(summarize));
    api::register_greeter_http_server(&mut http_server, helloworld::Greeter::default()).unwrap();
    let mut grpc_server = grpc::Server::new().middleware(Logging::server());
    api::register_greeter_grpc_server(&mut grpc_server, helloworld::Greeter::default());
    let (h, g) = (serve_http(http_server).await, serve_grpc(grpc_server).await);

    http_client(&h).say_hello(hello("ann")).await.unwrap();
    grpc_client(&g).say_hello(hello("error")).await.unwrap_err();

    let events = capture.0.lock().unwrap().clone();
    assert_eq!(events.len(), 2, "{events:?}");
    let (ok, failed) = (&events[0], &events[1]);
    assert_eq!(field(ok, "level"), "INFO");
    assert_eq!(field(ok, "kind"), "http");
    assert_eq!(field(ok, "component"), "server");
    assert_eq!(field(ok, "operation"), api::OPERATION_GREETER_SAY_HELLO);
    assert_eq!(field(ok, "args"), "name=ann");
    assert_eq!(field(ok, "code"), "0");
    assert!(field(ok, "latency").parse::<f64>().is_ok());
    assert_eq!(field(failed, "level"), "ERROR");
    assert_eq!(field(failed, "kind"), "grpc");
    assert_eq!(field(failed, "code"), "404");
    assert_eq!(field(failed, "reason"), "USER_NOT_FOUND");
}

/// Greets with what it received as metadata, after asking a downstream greeter.
struct Relay {
    downstream: api::GreeterGrpcClient,
}

impl api::GreeterHttpServer for Relay {
    async fn say_hello(
        &self,
        ctx: Context,
        request: api::HelloRequest,
    ) -> Result<api::HelloReply, Error> {
        let local = Metadata::from_context(&ctx)
            .and_then(|m| m.get("x-md-local"))
            .unwrap_or("-")
            .to_owned();
        let downstream = self.downstream.say_hello(request).await?;
        Ok(api::HelloReply {
            message: format!("{local} | {}", downstream.message),
        })
    }

    example_streams!();
}

/// Replies with the `x-md-` metadata it received.
struct Echo;

impl api::GreeterHttpServer for Echo {
    async fn say_hello(
        &self,
        ctx: Context,
        _: api::HelloRequest,
    ) -> Result<api::HelloReply, Error> {
        let metadata = Metadata::from_context(&ctx).cloned().unwrap_or_default();
        let entries: Vec<String> = metadata.iter().map(|(k, v)| format!("{k}={v}")).collect();
        Ok(api::HelloReply {
            message: entries.join(","),
        })
    }

    example_streams!();
}

#[tokio::test]
async fn global_metadata_crosses_two_hops_and_local_metadata_stays() {
    let mut back = grpc::Server::new().middleware(metadata::Propagation::server());
    api::register_greeter_grpc_server(&mut back, Echo);
    let back = serve_grpc(back).await;

    let downstream = api::GreeterGrpcClient::new(
        grpc::Client::builder(format!("http://{}", back.address))
            .middleware(metadata::Propagation::client().constant("x-md-caller", "relay"))
            .build()
            .unwrap(),
    );
    let mut front = http::Server::new().middleware(metadata::Propagation::server());
    api::register_greeter_http_server(&mut front, Relay { downstream }).unwrap();
    let front = serve_http(front).await;

    let client = api::GreeterHttpClient::new(
        http::Client::new(&format!("http://{}", front.address)).unwrap(),
    );
    let options = http::CallOptions::new()
        .header("x-md-global-tenant", "t1")
        .header("x-md-local", "l1");
    let reply = client.say_hello_with(hello("x"), options).await.unwrap();
    assert_eq!(
        reply.message,
        "l1 | x-md-caller=relay,x-md-global-tenant=t1"
    );
}

#[tokio::test]
async fn metrics_count_calls_by_code_and_serve_the_exposition() {
    let registry = Registry::new();
    let mut http_server = http::Server::new().middleware(Metrics::server(&registry));
    api::register_greeter_http_server(&mut http_server, helloworld::Greeter::default()).unwrap();
    http_server.metrics(&registry).unwrap();
    let mut grpc_server = grpc::Server::new().middleware(Metrics::server(&registry));
    api::register_greeter_grpc_server(&mut grpc_server, helloworld::Greeter::default());
    let (h, g) = (serve_http(http_server).await, serve_grpc(grpc_server).await);

    let client = api::GreeterGrpcClient::new(
        grpc::Client::builder(format!("http://{}", g.address))
            .middleware(Metrics::client(&registry))
            .build()
            .unwrap(),
    );
    http_client(&h).say_hello(hello("a")).await.unwrap();
    http_client(&h).say_hello(hello("b")).await.unwrap();
    client.say_hello(hello("error")).await.unwrap_err();

    let text = reqwest_like_get(h.address, "/metrics").await;
    let op = api::OPERATION_GREETER_SAY_HELLO;
    for line in [
        format!(
            "server_requests_code_total{{kind=\"http\",operation=\"{op}\",code=\"0\",reason=\"\"}} 2"
        ),
        format!(
            "server_requests_code_total{{kind=\"grpc\",operation=\"{op}\",code=\"404\",reason=\"USER_NOT_FOUND\"}} 1"
        ),
        format!("server_requests_seconds_count{{kind=\"http\",operation=\"{op}\"}} 2"),
        format!("server_requests_seconds_bucket{{kind=\"grpc\",operation=\"{op}\",le=\"+Inf\"}} 1"),
        format!(
            "client_requests_code_total{{kind=\"grpc\",operation=\"{op}\",code=\"404\",reason=\"USER_NOT_FOUND\"}} 1"
        ),
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line}\n{text}");
    }
}

/// A plain HTTP/1 GET, returning the body.
async fn reqwest_like_get(address: SocketAddr, path: &str) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = tokio::net::TcpStream::connect(address).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
        .unwrap_or_default()
}

/// Takes 20 ms per call and records the most calls it had at once.
#[derive(Clone, Default)]
struct Busy {
    now: Arc<AtomicI64>,
    most: Arc<AtomicI64>,
}

impl api::GreeterHttpServer for Busy {
    async fn say_hello(
        &self,
        _ctx: Context,
        request: api::HelloRequest,
    ) -> Result<api::HelloReply, Error> {
        let now = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(20)).await;
        self.now.fetch_sub(1, Ordering::SeqCst);
        Ok(api::HelloReply {
            message: request.name,
        })
    }

    example_streams!();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bbr_sheds_load_with_429_and_bounds_in_flight() {
    let busy = Busy::default();
    // The CPU reads as busy (90%) throughout, so the limiter is active.
    let limiter = RateLimit::with_cpu(
        ratelimit::Settings {
            window: Duration::from_secs(1),
            buckets: 10,
            ..Default::default()
        },
        || 900,
    );
    let mut server = grpc::Server::new().middleware(limiter.clone());
    api::register_greeter_grpc_server(&mut server, busy.clone());
    let running = serve_grpc(server).await;
    let client = grpc_client(&running);

    // 600 calls, 100 at a time.
    let (ok, shed) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
    let mut tasks = Vec::new();
    for worker in 0..100 {
        let (client, ok, shed) = (client.clone(), Arc::clone(&ok), Arc::clone(&shed));
        tasks.push(tokio::spawn(async move {
            for call in 0..6 {
                match client.say_hello(hello(&format!("{worker}-{call}"))).await {
                    Ok(_) => ok.fetch_add(1, Ordering::SeqCst),
                    Err(err) => {
                        assert_eq!((err.code(), err.reason()), (429, "RATELIMIT"), "{err:?}");
                        shed.fetch_add(1, Ordering::SeqCst)
                    }
                };
            }
        }));
    }
    for task in tasks {
        task.await.unwrap();
    }
    let (ok, shed) = (ok.load(Ordering::SeqCst), shed.load(Ordering::SeqCst));
    assert_eq!(ok + shed, 600);
    assert!(shed > 0, "nothing was shed");
    assert!(ok > 0, "nothing was served");
    // Without the limiter all 100 would be in the handler at once.
    let most = busy.most.load(Ordering::SeqCst);
    assert!(most < 60, "in flight reached {most}");
    assert_eq!(limiter.in_flight(), 0);
    // After the burst, calls one at a time are served.
    for _ in 0..5 {
        client.say_hello(hello("calm")).await.unwrap();
    }
}

/// Fails with 503 while `failing` is set, and counts the calls that reached it.
#[derive(Clone, Default)]
struct Flaky {
    failing: Arc<AtomicBool>,
    calls: Arc<AtomicU64>,
}

impl api::GreeterHttpServer for Flaky {
    async fn say_hello(
        &self,
        _ctx: Context,
        request: api::HelloRequest,
    ) -> Result<api::HelloReply, Error> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if self.failing.load(Ordering::SeqCst) {
            return Err(kratos::errors::service_unavailable("DOWN", "backend down"));
        }
        Ok(api::HelloReply {
            message: request.name,
        })
    }

    example_streams!();
}

#[tokio::test]
async fn the_circuit_breaker_rejects_a_failing_backend_and_recovers() {
    let flaky = Flaky::default();
    flaky.failing.store(true, Ordering::SeqCst);
    let mut server = http::Server::new();
    api::register_greeter_http_server(&mut server, flaky.clone()).unwrap();
    let running = serve_http(server).await;

    // A clock the test moves forward instead of sleeping.
    let start = Instant::now();
    let offset = Arc::new(Mutex::new(Duration::ZERO));
    let clock = Arc::clone(&offset);
    let breaker = CircuitBreaker::with_clock(
        circuitbreaker::Settings {
            request_threshold: 20,
            ..Default::default()
        },
        move || start + *clock.lock().unwrap(),
    );
    let client = api::GreeterHttpClient::new(
        http::Client::builder(&format!("http://{}", running.address))
            .middleware(breaker)
            .build()
            .unwrap(),
    );

    let mut rejected = 0;
    for _ in 0..100 {
        let err = client.say_hello(hello("x")).await.unwrap_err();
        match err.reason() {
            "CIRCUITBREAKER" => {
                assert_eq!(err.code(), 503);
                rejected += 1;
            }
            "DOWN" => {}
            other => panic!("unexpected {other}: {err:?}"),
        }
    }
    let reached = flaky.calls.load(Ordering::SeqCst);
    assert!(rejected > 50, "only {rejected} of 100 rejected");
    assert_eq!(reached + rejected, 100);

    // The backend recovers and the window rolls past the failures: calls go through.
    flaky.failing.store(false, Ordering::SeqCst);
    *offset.lock().unwrap() = Duration::from_secs(4);
    for _ in 0..30 {
        client.say_hello(hello("ok")).await.unwrap();
    }
}
