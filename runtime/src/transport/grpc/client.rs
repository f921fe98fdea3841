//! The gRPC client: a lazily connected tonic channel (or, for a `discovery:///name` target,
//! one per discovered node, picked per call), a timeout and a middleware chain.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use http::HeaderMap;
use tonic::metadata::MetadataMap;
use tonic::transport::{Channel, Endpoint};

use super::timeout;
use crate::balancer::{Balancer, NodeFilter, Peer};
use crate::errors::Error;
use crate::errors::reasons;
use crate::middleware::{Chain, Middleware};
use crate::registry::Discovery;
use crate::transport::discovery::{self, DiscoveryConfig, Resolver};
use crate::transport::{Context, Kind};

/// The most attempts of one call to a `discovery:///` target: the first, and two more on other
/// nodes when an attempt could not connect.
const MAX_ATTEMPTS: usize = 3;

/// Calls gRPC services; generated `XxxGrpcClient`s wrap one. Cloning is cheap and clones share
/// the connection.
///
/// ```no_run
/// # fn run() -> Result<(), kratos::errors::Error> {
/// let client = kratos::transport::grpc::Client::builder("http://127.0.0.1:9000")
///     .timeout(Some(std::time::Duration::from_secs(2)))
///     .build()?;
/// // let greeter = GreeterGrpcClient::new(client);
/// # let _ = client; Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    target: Target,
    timeout: Option<Duration>,
    middleware: Chain,
}

/// Where calls go.
#[derive(Debug, Clone)]
enum Target {
    Fixed(Channel),
    Discovered(Arc<Resolver>),
}

/// Settings for a [`Client`].
pub struct ClientBuilder {
    endpoint: String,
    timeout: Option<Duration>,
    middleware: Chain,
    discovery: DiscoveryConfig,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("endpoint", &self.endpoint)
            .field("timeout", &self.timeout)
            .field("middleware", &self.middleware)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    /// The timeout of each call (default 2 s, as Kratos' clients); `None` for none.
    #[must_use]
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Adds a client middleware (it sees the outgoing metadata as the context's request
    /// headers, and may change them).
    #[must_use]
    pub fn middleware(mut self, middleware: impl Middleware) -> Self {
        self.middleware.push(middleware);
        self
    }

    /// Where a `discovery:///name` target's instances come from. The client follows the
    /// service's watch and sends each call to a node picked by the [balancer](Self::balancer)
    /// among the instances' `grpc://` endpoints (one lazily connected channel per node); an
    /// attempt that could not connect is made again on another node (up to 3 attempts).
    #[must_use]
    pub fn discovery(mut self, discovery: Arc<dyn Discovery>) -> Self {
        self.discovery.discovery = Some(discovery);
        self
    }

    /// The balancer of a `discovery:///` target:
    /// [`WeightedRoundRobin`](crate::balancer::WeightedRoundRobin) by default.
    #[must_use]
    pub fn balancer(mut self, balancer: impl Balancer) -> Self {
        self.discovery.balancer = Some(Box::new(balancer));
        self
    }

    /// Adds a node filter for a `discovery:///` target (an instance must pass them all).
    #[must_use]
    pub fn node_filter(mut self, filter: NodeFilter) -> Self {
        self.discovery.filters.push(filter);
        self
    }

    /// The client; it connects on its first call (and reconnects as needed). An endpoint that
    /// is not a valid URI is a `400 CLIENT_ENDPOINT` error; a `discovery:///` target without a
    /// [`discovery`](Self::discovery), or built outside a Tokio runtime, a `400
    /// INVALID_CONFIG` one.
    pub fn build(self) -> Result<Client, Error> {
        let target = match discovery::service_name(&self.endpoint) {
            Some(name) => {
                Target::Discovered(Arc::new(Resolver::start(name?, "grpc", self.discovery)?))
            }
            None => Target::Fixed(endpoint(&self.endpoint)?.connect_lazy()),
        };
        Ok(Client {
            target,
            timeout: self.timeout,
            middleware: self.middleware,
        })
    }
}

fn endpoint(uri: &str) -> Result<Endpoint, Error> {
    Endpoint::from_shared(uri.to_owned()).map_err(|error| {
        Error::new(
            400,
            reasons::CLIENT_ENDPOINT,
            format!("invalid gRPC endpoint {uri:?}: {error}"),
        )
    })
}

/// The channel of a discovered node, made on its first call.
fn node_channel(node: &crate::balancer::Node) -> Result<Channel, Error> {
    let connect = || endpoint(&format!("http://{}", node.address())).map(|e| e.connect_lazy());
    match node.connection(connect) {
        Some(Ok(channel)) => Ok(channel),
        Some(Err(error)) => Err(error),
        None => Err(Error::new(
            500,
            reasons::CLIENT_ENDPOINT,
            format!(
                "{}: the node holds another kind of connection",
                node.address()
            ),
        )),
    }
}

/// Whether a failed call never reached the server (no connection could be made), so another
/// node may take it whatever it does.
fn is_unsent(status: &tonic::Status) -> bool {
    if status.code() != tonic::Code::Unavailable {
        return false;
    }
    let mut source: Option<&(dyn std::error::Error + 'static)> = std::error::Error::source(status);
    while let Some(error) = source {
        if let Some(io) = error.downcast_ref::<std::io::Error>()
            && io.kind() == std::io::ErrorKind::ConnectionRefused
        {
            return true;
        }
        source = error.source();
    }
    let message = status.message();
    message.contains("Connection refused") || message.contains("tcp connect error")
}

impl Client {
    /// Kratos' default client timeout.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

    /// A builder for a client of `endpoint` (`http://host:port`).
    pub fn builder(endpoint: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            endpoint: endpoint.into(),
            timeout: Some(Self::DEFAULT_TIMEOUT),
            middleware: Chain::new(),
            discovery: DiscoveryConfig::default(),
        }
    }

    /// A client of `endpoint` with the default settings.
    pub fn new(endpoint: impl Into<String>) -> Result<Self, Error> {
        Self::builder(endpoint).build()
    }

    /// The underlying channel, for tonic clients of services without generated glue. For a
    /// `discovery:///name` target: the channel of a node picked now (calls through it stay on
    /// that node), or, with no node known yet, one to `http://name` (which fails to connect).
    pub fn channel(&self) -> Channel {
        match &self.target {
            Target::Fixed(channel) => channel.clone(),
            Target::Discovered(resolver) => resolver
                .select_now()
                .ok()
                .and_then(|picked| node_channel(picked.node()).ok())
                .unwrap_or_else(|| {
                    let placeholder = resolver.target().replacen("discovery:///", "http://", 1);
                    Endpoint::from_shared(placeholder)
                        .unwrap_or_else(|_| Endpoint::from_static("http://discovery.invalid"))
                        .connect_lazy()
                }),
        }
    }

    /// Makes one unary call: a client [`Context`] (operation, outgoing metadata) through the
    /// middleware chain, then `call` with the channel and the request (generated clients
    /// pass tonic's client method). The timeout is sent as `grpc-timeout` and enforced here
    /// (`504 TIMEOUT`); a `Status` comes back as a `kratos::Error` (ErrorInfo reason and
    /// metadata kept; transport failures are `503`/`UNAVAILABLE` with an empty reason).
    /// Reply metadata lands in the context's reply headers.
    ///
    /// For a `discovery:///` target each attempt goes to a node picked by the balancer (and
    /// recorded in a [`Peer`] in the context's extensions, if a middleware put one there); an
    /// attempt that could not connect is made again, with a clone of the request, on another
    /// node.
    // Called by generated `XxxGrpcClient`s only.
    #[doc(hidden)]
    pub async fn unary<Req, Rep, F, Fut>(
        &self,
        operation: &'static str,
        request: Req,
        call: F,
    ) -> Result<Rep, Error>
    where
        Req: Clone + Send + 'static,
        Rep: Send + 'static,
        F: Fn(Channel, tonic::Request<Req>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<tonic::Response<Rep>, tonic::Status>> + Send + 'static,
    {
        let target = self.target.clone();
        let limit = self.timeout;
        let call = Arc::new(call);
        let ctx = Context::new(Kind::Grpc, operation, HeaderMap::new());
        self.middleware
            .call(ctx, request, move |ctx, message| {
                let target = target.clone();
                let call = Arc::clone(&call);
                async move {
                    let timed_out = |limit: Duration| {
                        Error::new(
                            504,
                            reasons::TIMEOUT,
                            format!("{operation}: no reply within {limit:?}"),
                        )
                    };
                    let started = std::time::Instant::now();
                    let send = send(&target, &*call, &ctx, message, limit);
                    let reply = match limit {
                        Some(limit) => tokio::time::timeout(limit, send)
                            .await
                            .map_err(|_| timed_out(limit))?,
                        None => send.await,
                    };
                    let reply = reply.map_err(|failure| match failure {
                        Failure::Status(status) => match limit {
                            // tonic's channel enforces the `grpc-timeout` it sends, as CANCELLED.
                            Some(limit)
                                if status.code() == tonic::Code::Cancelled
                                    && started.elapsed() >= limit =>
                            {
                                timed_out(limit)
                            }
                            _ => Error::from(status),
                        },
                        Failure::Error(error) => error,
                    })?;
                    let (metadata, reply, _) = reply.into_parts();
                    ctx.reply_headers().extend(metadata.into_headers());
                    Ok(reply)
                }
            })
            .await
    }
}

/// Why a call failed before its reply was turned into a `kratos::Error`.
enum Failure {
    Status(tonic::Status),
    Error(Error),
}

/// The request of one attempt: the context's headers as metadata, and `grpc-timeout`.
fn request_of<Req>(ctx: &Context, message: Req, limit: Option<Duration>) -> tonic::Request<Req> {
    let mut request = tonic::Request::new(message);
    *request.metadata_mut() = MetadataMap::from_headers(ctx.request_headers().clone());
    if let Some(limit) = limit
        && let Ok(value) = timeout::header_value(limit).parse()
    {
        request.metadata_mut().insert("grpc-timeout", value);
    }
    request
}

/// Sends the call: on the fixed channel, or on discovered nodes with retries of attempts that
/// could not connect.
async fn send<Req, Rep, F, Fut>(
    target: &Target,
    call: &F,
    ctx: &Context,
    message: Req,
    limit: Option<Duration>,
) -> Result<tonic::Response<Rep>, Failure>
where
    Req: Clone,
    F: Fn(Channel, tonic::Request<Req>) -> Fut,
    Fut: Future<Output = Result<tonic::Response<Rep>, tonic::Status>>,
{
    let resolver = match target {
        Target::Fixed(channel) => {
            return call(channel.clone(), request_of(ctx, message, limit))
                .await
                .map_err(Failure::Status);
        }
        Target::Discovered(resolver) => resolver,
    };
    let peer = ctx.extensions().get::<Peer>();
    let mut tried: Vec<String> = Vec::new();
    let mut last_failure: Option<tonic::Status> = None;
    loop {
        let picked = match resolver.select(&tried, limit).await {
            Ok(picked) => picked,
            // No other node to try: the failure of the last one says more.
            Err(error) => {
                return Err(last_failure.map_or(Failure::Error(error), Failure::Status));
            }
        };
        if let Some(peer) = peer {
            peer.set(picked.node());
        }
        let channel = node_channel(picked.node()).map_err(Failure::Error)?;
        match call(channel, request_of(ctx, message.clone(), limit)).await {
            Ok(reply) => {
                picked.done(false);
                return Ok(reply);
            }
            Err(status) => {
                let unsent = is_unsent(&status);
                let address = picked.node().address().to_owned();
                picked.done(matches!(
                    status.code(),
                    tonic::Code::Unavailable | tonic::Code::DeadlineExceeded
                ));
                if !unsent || tried.len() + 1 >= MAX_ATTEMPTS {
                    return Err(Failure::Status(status));
                }
                tried.push(address);
                last_failure = Some(status);
            }
        }
    }
}

mod streaming;
