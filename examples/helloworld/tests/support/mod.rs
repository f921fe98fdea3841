//! Shared by the test files: servers on loopback ports that stop when dropped.
// Each test file uses a different part of this module.
#![allow(dead_code)]

use std::net::SocketAddr;

use kratos::transport::{grpc, http};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A server on a loopback port; it stops when this is dropped.
pub(crate) struct Running {
    /// Where it listens.
    pub(crate) address: SocketAddr,
    _stop: oneshot::Sender<()>,
}

impl Running {
    /// `http://` and the address, for clients.
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.address)
    }
}

/// Binds a loopback port and spawns `serve` on it until the [`Running`] is dropped.
async fn spawn<F, Fut>(serve: F) -> Running
where
    F: FnOnce(TcpListener, oneshot::Receiver<()>) -> Fut,
    Fut: std::future::Future + Send + 'static,
    Fut::Output: Send,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(serve(listener, stopped));
    Running {
        address,
        _stop: stop,
    }
}

/// Serves `server` over HTTP.
pub(crate) async fn serve_http(server: http::Server) -> Running {
    spawn(|listener, stopped| {
        server.serve_listener(listener, async {
            let _ = stopped.await;
        })
    })
    .await
}

/// Serves `server` over gRPC.
pub(crate) async fn serve_grpc(server: grpc::Server) -> Running {
    spawn(|listener, stopped| {
        server.serve_listener(listener, async {
            let _ = stopped.await;
        })
    })
    .await
}
