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

/// The crate's HTTP and gRPC servers, as the app runs them.
pub(super) trait Transport: Send + 'static {
    /// `HTTP`, `gRPC`: for messages.
    const KIND: &'static str;
    /// The endpoint scheme registered: `http`, `grpc`.
    const SCHEME: &'static str;
    fn configured_address(&self) -> SocketAddr;
    fn with_instance(self, info: InstanceInfo) -> Self;
    fn serve(self, listener: TcpListener, stop: Stop) -> ServerFuture<'static, ()>;
}

impl Transport for http::Server {
    const KIND: &'static str = "HTTP";
    const SCHEME: &'static str = "http";

    fn configured_address(&self) -> SocketAddr {
        http::Server::configured_address(self)
    }

    fn with_instance(self, info: InstanceInfo) -> Self {
        self.middleware(info)
    }

    fn serve(self, listener: TcpListener, stop: Stop) -> ServerFuture<'static, ()> {
        // The server force-closes what is still open at the app's stop timeout.
        let server = self.stop_timeout(stop.timeout());
        Box::pin(server.serve_listener(listener, stop.wait()))
    }
}

impl Transport for grpc::Server {
    const KIND: &'static str = "gRPC";
    const SCHEME: &'static str = "grpc";

    fn configured_address(&self) -> SocketAddr {
        grpc::Server::configured_address(self)
    }

    fn with_instance(self, info: InstanceInfo) -> Self {
        self.middleware(info)
    }

    fn serve(self, listener: TcpListener, stop: Stop) -> ServerFuture<'static, ()> {
        // The server force-closes what is still open at the app's stop timeout.
        let server = self.stop_timeout(stop.timeout());
        Box::pin(server.serve_listener(listener, stop.wait()))
    }
}

/// One of the crate's servers and, once bound, its listener.
pub(super) struct Bound<S> {
    server: S,
    listener: Option<TcpListener>,
}

impl<S: Transport> Bound<S> {
    pub(super) fn new(server: S) -> Self {
        Self {
            server,
            listener: None,
        }
    }
}

impl<S: Transport> Server for Bound<S> {
    fn bind(&mut self) -> ServerFuture<'_, Vec<String>> {
        Box::pin(async move {
            let address = self.server.configured_address();
            let listener = TcpListener::bind(address).await.map_err(|error| {
                io::Error::new(
                    error.kind(),
                    format!("{} server: cannot bind {address}: {error}", S::KIND),
                )
            })?;
            let endpoint = endpoint_url(S::SCHEME, listener.local_addr()?);
            self.listener = Some(listener);
            Ok(vec![endpoint])
        })
    }

    fn start(
        self: Box<Self>,
        instance: Arc<ServiceInstance>,
        stop: Stop,
    ) -> ServerFuture<'static, ()> {
        let Some(listener) = self.listener else {
            let message = format!("{} server: started before it was bound", S::KIND);
            return Box::pin(async move { Err(io::Error::other(message)) });
        };
        self.server
            .with_instance(InstanceInfo::new(instance))
            .serve(listener, stop)
    }
}
