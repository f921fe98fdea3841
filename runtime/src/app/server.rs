//! What `App` runs: anything that binds first, then serves until told to stop.

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::sync::watch;

use super::info::{InstanceInfo, endpoint_url};
use crate::registry::ServiceInstance;
use crate::transport::{grpc, http};

/// A boxed future for the [`Server`] trait's methods.
pub type ServerFuture<'a, T> = Pin<Box<dyn Future<Output = io::Result<T>> + Send + 'a>>;

/// A server an [`App`](super::App) runs (Kratos' `transport.Server`): the HTTP and gRPC servers
/// of this crate, or any user type (a metrics endpoint, a queue consumer).
pub trait Server: Send + 'static {
    /// Binds what it listens on. `App` binds every server before starting any, so a port in use
    /// fails the app before anything is announced. Returns the endpoints to register
    /// (`http://10.0.0.5:8000`, `grpc://10.0.0.5:9000`; none for a server clients do not
    /// call); [`endpoint_url`](super::endpoint_url) makes one from a bound address.
    fn bind(&mut self) -> ServerFuture<'_, Vec<String>>;

    /// Serves until `stop` completes, then stops gracefully (finishing the calls in flight)
    /// and returns. Returning early (an error, or `Ok`) stops the whole app. `instance` is the
    /// app's instance, for handlers' contexts.
    fn start(
        self: Box<Self>,
        instance: Arc<ServiceInstance>,
        stop: Stop,
    ) -> ServerFuture<'static, ()>;
}

/// Completes when the app stops its servers; carries the app's stop timeout.
#[derive(Clone, Debug)]
pub struct Stop {
    receiver: watch::Receiver<bool>,
    timeout: Duration,
}

impl Stop {
    pub(super) fn channel(timeout: Duration) -> (watch::Sender<bool>, Self) {
        let (sender, receiver) = watch::channel(false);
        (sender, Self { receiver, timeout })
    }

    /// How long the server may take to stop once told to ([`App::stop_timeout`](super::App::stop_timeout));
    /// the app stops waiting for it after that.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }

    /// Waits for the stop (also completes if the app is gone).
    pub async fn wait(mut self) {
        let _ = self.receiver.wait_for(|stopped| *stopped).await;
    }
}

/// Binds `address`, naming it in the error.
async fn bind_listener(kind: &str, address: SocketAddr) -> io::Result<TcpListener> {
    TcpListener::bind(address).await.map_err(|error| {
        io::Error::new(
            error.kind(),
            format!("{kind} server: cannot bind {address}: {error}"),
        )
    })
}

/// The crate's HTTP server, as an app server.
pub(super) struct HttpServer {
    server: Option<http::Server>,
    listener: Option<TcpListener>,
}

impl HttpServer {
    pub(super) fn new(server: http::Server) -> Self {
        Self {
            server: Some(server),
            listener: None,
        }
    }
}

impl Server for HttpServer {
    fn bind(&mut self) -> ServerFuture<'_, Vec<String>> {
        Box::pin(async move {
            let address = self.server.as_ref().map_or_else(
                || SocketAddr::from(([0, 0, 0, 0], 8000)),
                http::Server::configured_address,
            );
            let listener = bind_listener("HTTP", address).await?;
            let endpoint = endpoint_url("http", listener.local_addr()?);
            self.listener = Some(listener);
            Ok(vec![endpoint])
        })
    }

    fn start(
        self: Box<Self>,
        instance: Arc<ServiceInstance>,
        stop: Stop,
    ) -> ServerFuture<'static, ()> {
        Box::pin(async move {
            let (Some(server), Some(listener)) = (self.server, self.listener) else {
                return Err(io::Error::other("HTTP server: started before it was bound"));
            };
            // MERGE(12a): hand the app's stop timeout to the server here,
            // `server.stop_timeout(stop.timeout())`, so it force-closes connections past it.
            server
                .middleware(InstanceInfo::new(instance))
                .serve_listener(listener, stop.wait())
                .await
        })
    }
}

/// The crate's gRPC server, as an app server.
pub(super) struct GrpcServer {
    server: Option<grpc::Server>,
    listener: Option<TcpListener>,
}

impl GrpcServer {
    pub(super) fn new(server: grpc::Server) -> Self {
        Self {
            server: Some(server),
            listener: None,
        }
    }
}

impl Server for GrpcServer {
    fn bind(&mut self) -> ServerFuture<'_, Vec<String>> {
        Box::pin(async move {
            let address = self.server.as_ref().map_or_else(
                || SocketAddr::from(([0, 0, 0, 0], 9000)),
                grpc::Server::configured_address,
            );
            let listener = bind_listener("gRPC", address).await?;
            let endpoint = endpoint_url("grpc", listener.local_addr()?);
            self.listener = Some(listener);
            Ok(vec![endpoint])
        })
    }

    fn start(
        self: Box<Self>,
        instance: Arc<ServiceInstance>,
        stop: Stop,
    ) -> ServerFuture<'static, ()> {
        Box::pin(async move {
            let (Some(server), Some(listener)) = (self.server, self.listener) else {
                return Err(io::Error::other("gRPC server: started before it was bound"));
            };
            // MERGE(12a): hand the app's stop timeout to the server here,
            // `server.stop_timeout(stop.timeout())`, so it force-closes connections past it.
            server
                .middleware(InstanceInfo::new(instance))
                .serve_listener(listener, stop.wait())
                .await
        })
    }
}
