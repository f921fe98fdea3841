//! Kratos' helloworld service, built with kratos-rs: the `Greeter` API is
//! generated from `api/helloworld/v1/*.proto` by `build.rs`, and [`Greeter`]
//! implements it once; it is served over HTTP and gRPC. [`conf`] reads its configuration.

use std::sync::{Arc, PoisonError, RwLock};

use kratos::errors::Error;
use kratos::transport::{Context, ReplyStream, RequestStream};

mod chat;
pub mod conf;

/// The helloworld API, generated from `api/helloworld/v1/*.proto` by `build.rs`.
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
pub mod api {
    kratos::include_proto!("helloworld.v1");
}

/// The greeter: replies `"{greeting} {name}"`, and fails with `USER_NOT_FOUND` for the name
/// "error".
#[derive(Debug, Clone, Default)]
pub struct Greeter {
    greeting: Greeting,
}

impl Greeter {
    /// A greeter replying with `greeting`, which may change while it serves.
    pub fn new(greeting: Greeting) -> Self {
        Self { greeting }
    }
}

/// The first word of replies, shared between the greeter and whatever changes it.
#[derive(Debug, Clone)]
pub struct Greeting(Arc<RwLock<Arc<str>>>);

impl Greeting {
    /// The greeting unless configured: `Hello`.
    pub const DEFAULT: &str = "Hello";

    /// A greeting of `text`.
    pub fn new(text: impl Into<Arc<str>>) -> Self {
        Self(Arc::new(RwLock::new(text.into())))
    }

    /// The greeting now.
    pub fn get(&self) -> Arc<str> {
        self.0
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Replaces the greeting for the calls that follow.
    pub fn set(&self, text: impl Into<Arc<str>>) {
        *self.0.write().unwrap_or_else(PoisonError::into_inner) = text.into();
    }
}

impl Default for Greeting {
    fn default() -> Self {
        Self::new(Self::DEFAULT)
    }
}

/// Replies of `SayHelloStream` for a request whose `count` is 0 (unset).
pub const DEFAULT_STREAM_COUNT: i32 = 3;
/// The most replies `SayHelloStream` sends for one request; a larger `count` is
/// `400 INVALID_COUNT`.
pub const MAX_STREAM_COUNT: i32 = 1000;

impl Greeter {
    /// `"{greeting} {name}"`, or `USER_NOT_FOUND` for the name "error".
    fn greet(&self, name: String) -> Result<String, Error> {
        if name == "error" {
            return Err(
                api::error_user_not_found(format_args!("user not found: {name}"))
                    .with_metadata([("name", name)]),
            );
        }
        Ok(format!("{} {name}", self.greeting.get()))
    }
}

impl api::GreeterHttpServer for Greeter {
    async fn say_hello(
        &self,
        _ctx: Context,
        request: api::HelloRequest,
    ) -> Result<api::HelloReply, Error> {
        Ok(api::HelloReply {
            message: self.greet(request.name)?,
        })
    }

    /// `count` replies `"{greeting} {name} ({i}/{count})"`, sent as fast as the client reads.
    async fn say_hello_stream(
        &self,
        _ctx: Context,
        request: api::HelloStreamRequest,
    ) -> Result<ReplyStream<api::HelloReply>, Error> {
        let count = match request.count {
            0 => DEFAULT_STREAM_COUNT,
            count @ 1..=MAX_STREAM_COUNT => count,
            count => {
                return Err(api::error_invalid_count(format_args!(
                    "count {count} is out of range: give 1 to {MAX_STREAM_COUNT}, or leave it out \
                     for {DEFAULT_STREAM_COUNT}"
                )));
            }
        };
        let greeting = self.greet(request.name)?;
        Ok(ReplyStream::iter((1..=count).map(move |index| {
            Ok(api::HelloReply {
                message: format!("{greeting} ({index}/{count})"),
            })
        })))
    }

    /// Greets each message as it comes: `"{greeting} {name}, #{n}: {text}"` from "greeter".
    async fn chat(
        &self,
        _ctx: Context,
        requests: RequestStream<api::ChatMessage>,
    ) -> Result<ReplyStream<api::ChatMessage>, Error> {
        Ok(ReplyStream::new(chat::Replies::new(
            requests,
            self.greeting.clone(),
        )))
    }
}

/// An HTTP server with the greeter registered (no middleware).
pub fn http_server()
-> Result<kratos::transport::http::Server, kratos::transport::http::RegisterError> {
    http_server_with(Greeter::default())
}

/// An HTTP server with `greeter` registered (no middleware).
pub fn http_server_with(
    greeter: Greeter,
) -> Result<kratos::transport::http::Server, kratos::transport::http::RegisterError> {
    let mut server = kratos::transport::http::Server::new();
    api::register_greeter_http_server(&mut server, greeter)?;
    Ok(server)
}

/// A gRPC server with the same greeter registered (no middleware).
pub fn grpc_server() -> kratos::transport::grpc::Server {
    grpc_server_with(Greeter::default())
}

/// The encoded `FileDescriptorSet` of the helloworld API and everything it imports, written by
/// kratos-build at build time; the gRPC server's reflection service answers from it.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/kratos-descriptors.bin"));

/// A gRPC server with `greeter` registered (no middleware), serving reflection so that
/// `grpcurl` and other reflection clients can call it without the protos.
pub fn grpc_server_with(greeter: Greeter) -> kratos::transport::grpc::Server {
    let mut server = kratos::transport::grpc::Server::new().reflection(FILE_DESCRIPTOR_SET);
    api::register_greeter_grpc_server(&mut server, greeter);
    server
}

/// The example's server chain, on both transports: recovery (outermost), OpenTelemetry tracing
/// (to the global tracer provider: none is installed here, so spans are no-ops), metrics into
/// `registry`, and access logging.
pub fn default_middleware(
    registry: &kratos::middleware::metrics::Registry,
) -> kratos::middleware::Chain {
    use kratos::middleware::{logging, metrics, recovery, tracing};
    let mut chain = kratos::middleware::Chain::new();
    chain.push(recovery::Recovery::new());
    chain.push(tracing::Tracing::server());
    chain.push(metrics::Metrics::server(registry));
    chain.push(logging::Logging::server());
    chain
}

/// The chain the example serves with: [`default_middleware`] plus request validation
/// (`buf.validate` rules in the protos; a violation is `400 VALIDATOR`), innermost, so rejected
/// calls are still logged and counted.
pub fn server_middleware(
    registry: &kratos::middleware::metrics::Registry,
) -> kratos::middleware::Chain {
    let mut chain = default_middleware(registry);
    chain.push(kratos::middleware::validate::Validate::new());
    chain
}

/// The etcd members named by a `--registry` flag: `etcd://HOST:PORT[,HOST:PORT...]`.
pub fn etcd_endpoints(url: &str) -> Result<Vec<String>, String> {
    let Some(members) = url.strip_prefix("etcd://") else {
        return Err(format!(
            "unsupported registry {url:?}; expected etcd://HOST:PORT"
        ));
    };
    Ok(members.split(',').map(str::to_owned).collect())
}

/// Connects to the etcd registry at `endpoints` (`HOST:PORT` each).
pub async fn connect_etcd(
    endpoints: &[String],
) -> Result<kratos::registry::EtcdRegistry, Box<dyn std::error::Error>> {
    let urls: Vec<String> = endpoints
        .iter()
        .map(|member| format!("http://{member}"))
        .collect();
    Ok(kratos::registry::EtcdRegistry::connect(urls).await?)
}

/// Connects to the registry named by a `--registry` flag: `etcd://HOST:PORT[,HOST:PORT...]`.
pub async fn connect_registry(
    url: &str,
) -> Result<kratos::registry::EtcdRegistry, Box<dyn std::error::Error>> {
    connect_etcd(&etcd_endpoints(url)?).await
}
