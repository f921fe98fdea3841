//! The HTTP server: routes, settings, and running it.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use kratos_path_template::PathTemplate;
use tokio::net::TcpListener;

use super::body::ReplyBody;
use super::router::{MethodFilter, Router};
use super::service::{HttpService, Route, RouteHandler, Shared};
use super::{Response, RouteRequest, StreamReply};
use crate::encoding::{Format, JsonOptions};
use crate::errors::Error;
use crate::middleware::{CallSite, Chain, Middleware};
use crate::transport::ConnectionSettings;

/// Turns an encoded reply into the response, for services that wrap replies
/// (for example as `{"code":0,"message":"OK","data":...}`). It gets the
/// response format and the encoded reply.
pub type ResponseEncoder = Arc<dyn Fn(Format, Vec<u8>) -> Result<Response, Error> + Send + Sync>;

/// Turns an error into the response; the default writes the Kratos error body
/// with the status set to the error's code.
pub type ErrorEncoder = Arc<dyn Fn(&Error, Format) -> Response + Send + Sync>;

/// Why a route could not be registered.
#[derive(Debug)]
pub struct RegisterError {
    message: String,
}

impl std::fmt::Display for RegisterError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RegisterError {}

/// An HTTP server for generated routes.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// let mut server = kratos::transport::http::Server::new().address(([127, 0, 0, 1], 8000).into());
/// // register_greeter_http_server(&mut server, Greeter)?;
/// server.serve_with_shutdown(async { let _ = tokio::signal::ctrl_c().await; }).await
/// # }
/// ```
pub struct Server {
    address: SocketAddr,
    router: Router<Route>,
    middleware: Chain,
    timeout: Option<Duration>,
    body_limit: usize,
    json: JsonOptions,
    response_encoder: Option<ResponseEncoder>,
    error_encoder: Option<ErrorEncoder>,
    stream_heartbeat: Option<Duration>,
    stream_middleware: Chain,
    connections: ConnectionSettings,
}

impl Default for Server {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("address", &self.address)
            .field("timeout", &self.timeout)
            .field("body_limit", &self.body_limit)
            .field("connections", &self.connections)
            .finish_non_exhaustive()
    }
}

impl Server {
    /// Default request body limit: 4 MiB.
    pub const DEFAULT_BODY_LIMIT: usize = 4 << 20;
    /// Default handler timeout, as Kratos: 1 s.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);
    /// Default heartbeat period of an idle SSE stream: 15 s.
    pub const DEFAULT_STREAM_HEARTBEAT: Duration = Duration::from_secs(15);

    /// A server on `0.0.0.0:8000` with Kratos' defaults.
    pub fn new() -> Self {
        Self {
            address: SocketAddr::from(([0, 0, 0, 0], 8000)),
            router: Router::new(),
            middleware: Chain::new(),
            timeout: Some(Self::DEFAULT_TIMEOUT),
            body_limit: Self::DEFAULT_BODY_LIMIT,
            json: JsonOptions::default(),
            response_encoder: None,
            error_encoder: None,
            stream_heartbeat: Some(Self::DEFAULT_STREAM_HEARTBEAT),
            stream_middleware: Chain::new(),
            connections: ConnectionSettings::new(),
        }
    }

    /// The address [`serve`](Self::serve) listens on.
    #[must_use]
    pub fn address(mut self, address: SocketAddr) -> Self {
        self.address = address;
        self
    }

    /// How long a call may take, from reading the request body to the reply, before it fails
    /// with 504; `None` for no limit.
    #[must_use]
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// The largest request body accepted; larger ones get 413.
    #[must_use]
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// Connection timeouts and limits, and the stop timeout (see [`ConnectionSettings`]).
    #[must_use]
    pub fn connection_settings(mut self, settings: ConnectionSettings) -> Self {
        self.connections = settings;
        self
    }

    /// Serve TLS only, with this certificate (see
    /// [`TlsConfig`](crate::transport::TlsConfig)); default plain TCP.
    #[cfg(feature = "tls")]
    #[must_use]
    pub fn tls(mut self, config: crate::transport::TlsConfig) -> Self {
        self.connections = self.connections.tls(config);
        self
    }

    /// How long a graceful stop may take before open connections are closed (default 10 s;
    /// see [`ConnectionSettings::stop_timeout`]).
    #[must_use]
    pub fn stop_timeout(mut self, timeout: Duration) -> Self {
        self.connections = self.connections.stop_timeout(timeout);
        self
    }

    /// JSON settings for requests and replies.
    #[must_use]
    pub fn json_options(mut self, options: JsonOptions) -> Self {
        self.json = options;
        self
    }

    /// Adds a middleware to the chain every call passes through.
    #[must_use]
    pub fn middleware(mut self, middleware: impl Middleware) -> Self {
        self.middleware.push(middleware);
        self
    }

    /// How often a server-streaming SSE response with no reply to send writes a heartbeat
    /// comment (default [`DEFAULT_STREAM_HEARTBEAT`](Self::DEFAULT_STREAM_HEARTBEAT)); `None`
    /// for none. Heartbeats keep proxies from closing the connection and let the server
    /// notice a client that went away while the handler has nothing to say.
    #[must_use]
    pub fn stream_heartbeat(mut self, period: Option<Duration>) -> Self {
        self.stream_heartbeat = period;
        self
    }

    /// Adds a middleware run on every reply of a server stream, as Kratos' stream middleware
    /// (the server's chain runs once around the whole stream; see
    /// [`middleware::stream`](crate::middleware::stream)).
    #[must_use]
    pub fn stream_middleware(mut self, middleware: impl Middleware) -> Self {
        self.stream_middleware.push(middleware);
        self
    }

    /// Replaces how replies are written.
    #[must_use]
    pub fn response_encoder(
        mut self,
        encoder: impl Fn(Format, Vec<u8>) -> Result<Response, Error> + Send + Sync + 'static,
    ) -> Self {
        self.response_encoder = Some(Arc::new(encoder));
        self
    }

    /// Replaces how errors are written.
    #[must_use]
    pub fn error_encoder(
        mut self,
        encoder: impl Fn(&Error, Format) -> Response + Send + Sync + 'static,
    ) -> Self {
        self.error_encoder = Some(Arc::new(encoder));
        self
    }

    /// Registers a route for `method` (an HTTP method, or `*` for any) and
    /// `template`; generated `register_*_http_server` functions call this (through
    /// `__codegen::Routes`), so it is hidden from the docs.
    #[doc(hidden)]
    pub fn route<H, Fut>(
        &mut self,
        method: &str,
        template: &str,
        operation: &'static str,
        handler: H,
    ) -> Result<(), RegisterError>
    where
        H: Fn(RouteRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Response, Error>> + Send + 'static,
    {
        let handler: RouteHandler = Arc::new(move |request| {
            Box::pin(WholeReply {
                reply: handler(request),
            })
        });
        self.insert(method, template, operation, handler)
    }

    /// Registers a server-streaming route: `handler` answers with the
    /// [`StreamReply`] of [`RouteRequest::invoke_stream`]. Generated
    /// `register_*_http_server` functions call this for `stream` replies (through
    /// `__codegen::Routes`), so it is hidden from the docs.
    #[doc(hidden)]
    pub fn route_stream<H, Fut>(
        &mut self,
        method: &str,
        template: &str,
        operation: &'static str,
        handler: H,
    ) -> Result<(), RegisterError>
    where
        H: Fn(RouteRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<StreamReply, Error>> + Send + 'static,
    {
        let handler: RouteHandler = Arc::new(move |request| {
            let reply = handler(request);
            Box::pin(async move { reply.await.map(StreamReply::into_response) })
        });
        self.insert(method, template, operation, handler)
    }

    fn insert(
        &mut self,
        method: &str,
        template: &str,
        operation: &'static str,
        handler: RouteHandler,
    ) -> Result<(), RegisterError> {
        let method: MethodFilter = method.parse().map_err(|_| RegisterError {
            message: format!("{operation}: {method:?} is not an HTTP method name"),
        })?;
        let parsed = PathTemplate::parse(template).map_err(|err| RegisterError {
            message: format!("{operation}: {err}"),
        })?;
        let route = Route {
            operation,
            handler,
            // The router numbers routes in the order they are inserted.
            site: self.router.len(),
        };
        self.router
            .insert(method, &parsed, route)
            .map_err(|err| RegisterError {
                message: format!("{operation}: {err}"),
            })
    }

    /// How many routes are registered (a `*` method counts once), e.g. to check a generated
    /// registration against a route list such as the OpenAPI document.
    pub fn route_count(&self) -> usize {
        self.router.len()
    }

    /// The server as a tower `Service`, to mount in axum or serve with hyper.
    pub fn into_service(self) -> HttpService {
        self.into_parts().0
    }

    /// The service and the connection settings it is to be served with.
    pub(crate) fn into_parts(self) -> (HttpService, ConnectionSettings) {
        let service = HttpService::new(Shared {
            sites: (0..self.router.len())
                .map(|_| CallSite::default())
                .collect(),
            router: self.router,
            recovers: self.middleware.recovers(),
            middleware: self.middleware,
            timeout: self.timeout,
            body_limit: self.body_limit,
            json: self.json,
            response_encoder: self.response_encoder,
            error_encoder: self.error_encoder,
            stream_heartbeat: self.stream_heartbeat,
            stream_middleware: self.stream_middleware,
        });
        (service, self.connections)
    }

    /// Listens on the configured address and serves until the process ends.
    pub async fn serve(self) -> std::io::Result<()> {
        self.serve_with_shutdown(std::future::pending()).await
    }

    /// Listens on the configured address (a bind error returns at once) and serves until
    /// `signal` (for example [`shutdown_signal`](crate::transport::shutdown_signal))
    /// completes, then stops gracefully: no new connections, idle ones closed, calls in
    /// progress finished, and whatever is still open after the stop timeout closed.
    pub async fn serve_with_shutdown(
        self,
        signal: impl Future<Output = ()> + Send,
    ) -> std::io::Result<()> {
        let listener = TcpListener::bind(self.address).await?;
        self.serve_listener(listener, signal).await
    }

    /// Serves on an already bound listener (for tests and socket activation)
    /// until `signal` completes, then stops gracefully as
    /// [`serve_with_shutdown`](Self::serve_with_shutdown).
    pub async fn serve_listener(
        self,
        listener: TcpListener,
        signal: impl Future<Output = ()> + Send,
    ) -> std::io::Result<()> {
        let (service, settings) = self.into_parts();
        crate::transport::serve::serve_connections(listener, service, settings, signal).await
    }
}

impl Server {
    /// The address set with [`address`](Self::address), for `kratos::App` to bind.
    pub(crate) fn configured_address(&self) -> SocketAddr {
        self.address
    }
}

pin_project_lite::pin_project! {
    /// A unary route's reply as the service's body type. A struct rather than an `async` block
    /// around the handler's future: the block would copy that (large) future into its own state
    /// before the box copies the block, on every request.
    struct WholeReply<F> {
        #[pin]
        reply: F,
    }
}

impl<F: Future<Output = Result<Response, Error>>> Future for WholeReply<F> {
    type Output = Result<http::Response<ReplyBody>, Error>;

    fn poll(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Self::Output> {
        self.project()
            .reply
            .poll(cx)
            .map(|reply| reply.map(|response| response.map(ReplyBody::from)))
    }
}
