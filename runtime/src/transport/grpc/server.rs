//! The gRPC server: services, settings, and running it.

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use tokio::net::TcpListener;
use tonic::body::Body;
use tonic::server::NamedService;
use tonic::service::{Routes, RoutesBuilder};
use tonic_health::ServingStatus;
use tonic_health::server::HealthReporter;

use super::call::{ServerHandle, Settings};
use super::call_timeout::CallTimeout;
use crate::middleware::{Chain, Middleware};
use crate::transport::ConnectionSettings;

/// A gRPC server for generated services (and any other tonic service).
pub struct Server {
    address: SocketAddr,
    timeout: Option<Duration>,
    middleware: Chain,
    stream_middleware: Chain,
    routes: RoutesBuilder,
    handle: ServerHandle,
    services: Vec<&'static str>,
    connections: ConnectionSettings,
    #[cfg(feature = "grpc-reflection")]
    reflection: Vec<Vec<u8>>,
}

impl std::fmt::Debug for Server {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Server")
            .field("address", &self.address)
            .field("timeout", &self.timeout)
            .field("middleware", &self.middleware)
            .field("services", &self.services)
            .field("connections", &self.connections)
            .finish_non_exhaustive()
    }
}

impl Default for Server {
    fn default() -> Self {
        Self::new()
    }
}

impl Server {
    /// Default per-call timeout, as Kratos: 1 s.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(1);

    /// A server on `0.0.0.0:9000` (Kratos' default) with a 1 s timeout and no middleware.
    pub fn new() -> Self {
        Self {
            address: SocketAddr::from(([0, 0, 0, 0], 9000)),
            timeout: Some(Self::DEFAULT_TIMEOUT),
            middleware: Chain::new(),
            stream_middleware: Chain::new(),
            routes: RoutesBuilder::default(),
            handle: ServerHandle::default(),
            services: Vec::new(),
            connections: ConnectionSettings::new(),
            #[cfg(feature = "grpc-reflection")]
            reflection: Vec::new(),
        }
    }

    /// Where [`serve`](Self::serve) listens.
    #[must_use]
    pub fn address(mut self, address: SocketAddr) -> Self {
        self.address = address;
        self
    }

    /// The per-call timeout, from the request's arrival (reading and decoding it count) to the
    /// reply (`None`: only the client's `grpc-timeout` limits a call).
    #[must_use]
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
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

    /// Adds a middleware to the chain every call of the generated services passes through.
    #[must_use]
    pub fn middleware(mut self, middleware: impl Middleware) -> Self {
        self.middleware.push(middleware);
        self
    }

    /// Adds a middleware run on every message a stream receives or sends, as Kratos' stream
    /// middleware (put `validate` here to check each request of a client stream); the chain
    /// of [`middleware`](Self::middleware) runs once around each whole stream. See
    /// [`middleware::stream`](crate::middleware::stream).
    #[must_use]
    pub fn stream_middleware(mut self, middleware: impl Middleware) -> Self {
        self.stream_middleware.push(middleware);
        self
    }

    /// The handle generated services are built with (see `register_xxx_grpc_server`); hidden
    /// from the docs with the glue it serves.
    #[doc(hidden)]
    pub fn handle(&self) -> ServerHandle {
        self.handle.clone()
    }

    /// Adds a tonic service: a generated `XxxServer` wrapping the kratos glue, or any other.
    pub fn add_service<S>(&mut self, service: S) -> &mut Self
    where
        S: tower_service::Service<
                http::Request<Body>,
                Response = http::Response<Body>,
                Error = Infallible,
            > + NamedService
            + Clone
            + Send
            + Sync
            + 'static,
        S::Future: Send + 'static,
    {
        self.services.push(S::NAME);
        self.routes.add_service(service);
        self
    }

    /// Serves the reflection service (`grpc.reflection.v1` and `v1alpha`) for the given
    /// encoded `FileDescriptorSet`s (kratos-build writes one to
    /// `$OUT_DIR/kratos-descriptors.bin`), so `grpcurl` and other reflection clients can call
    /// the server without its protos.
    ///
    /// Off unless called: Go Kratos serves reflection on every gRPC server, but reflection
    /// hands the whole API schema to anyone who can connect, and a server exposed to the
    /// internet should not do that by default. The helloworld example turns it on.
    #[cfg(feature = "grpc-reflection")]
    #[must_use]
    pub fn reflection(mut self, file_descriptor_set: impl Into<Vec<u8>>) -> Self {
        self.reflection.push(file_descriptor_set.into());
        self
    }

    /// The services as tonic `Routes` (a tower `Service`), with the health service added and
    /// the settings handed to the generated services; also what [`serve_with_http`](super::serve_with_http)
    /// uses.
    pub async fn into_routes(mut self) -> std::io::Result<Routes> {
        self.handle.install(Settings {
            middleware: self.middleware.clone(),
            stream_middleware: self.stream_middleware.clone(),
            timeout: self.timeout,
        });
        let (reporter, health) = tonic_health::server::health_reporter();
        set_serving(&reporter, &self.services).await;
        self.routes.add_service(health);
        #[cfg(feature = "grpc-reflection")]
        self.add_reflection()?;
        Ok(self.routes.routes())
    }

    /// [`into_routes`](Self::into_routes) with the call timeout around each whole call, as
    /// the server serves them.
    pub(super) async fn into_timed_routes(self) -> std::io::Result<CallTimeout<Routes>> {
        let timeout = self.timeout;
        Ok(CallTimeout::new(self.into_routes().await?, timeout))
    }

    #[cfg(feature = "grpc-reflection")]
    fn add_reflection(&mut self) -> std::io::Result<()> {
        if self.reflection.is_empty() {
            return Ok(());
        }
        let mut v1 = tonic_reflection::server::Builder::configure();
        let mut v1alpha = tonic_reflection::server::Builder::configure();
        for set in &self.reflection {
            v1 = v1.register_encoded_file_descriptor_set(set.as_slice());
            v1alpha = v1alpha.register_encoded_file_descriptor_set(set.as_slice());
        }
        let invalid = |error: tonic_reflection::server::Error| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, error.to_string())
        };
        self.routes.add_service(v1.build_v1().map_err(invalid)?);
        self.routes
            .add_service(v1alpha.build_v1alpha().map_err(invalid)?);
        Ok(())
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

    /// Serves on an already bound listener until `signal` completes, then stops gracefully
    /// as [`serve_with_shutdown`](Self::serve_with_shutdown).
    pub async fn serve_listener(
        self,
        listener: TcpListener,
        signal: impl Future<Output = ()> + Send,
    ) -> std::io::Result<()> {
        let settings = self.connections.clone();
        let routes = self.into_timed_routes().await?;
        crate::transport::serve::serve_connections(listener, routes, settings, signal).await
    }
}

/// Marks the server as a whole (`""`) and every registered service SERVING.
async fn set_serving(reporter: &HealthReporter, services: &[&'static str]) {
    reporter
        .set_service_status("", ServingStatus::Serving)
        .await;
    for name in services {
        reporter
            .set_service_status(*name, ServingStatus::Serving)
            .await;
    }
}

impl Server {
    /// The address set with [`address`](Self::address), for `kratos::App` to bind.
    pub(crate) fn configured_address(&self) -> SocketAddr {
        self.address
    }
}
