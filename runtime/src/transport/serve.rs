//! The accept loop every server runs: HTTP/1 and HTTP/2 (h2c) on one listener through
//! hyper-util's auto builder, with graceful shutdown.

use std::convert::Infallible;
use std::future::Future;
use std::time::Duration;

use bytes::Bytes;
use hyper::body::Incoming;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use tokio::net::TcpListener;

/// Serves `service` on `listener` until `signal` completes, then stops accepting and waits for
/// the open connections to finish.
pub(crate) async fn serve_connections<S, B>(
    listener: TcpListener,
    service: S,
    signal: impl Future<Output = ()> + Send,
) -> std::io::Result<()>
where
    S: tower_service::Service<
            http::Request<Incoming>,
            Response = http::Response<B>,
            Error = Infallible,
        > + Clone
        + Send
        + 'static,
    S::Future: Send + 'static,
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    let builder = auto::Builder::new(TokioExecutor::new());
    let graceful = GracefulShutdown::new();
    let mut signal = std::pin::pin!(signal);
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                // Out of file descriptors and similar: keep serving the open
                // connections and try again shortly.
                let Ok((stream, _)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let hyper_service = hyper_util::service::TowerToHyperService::new(service.clone());
                let connection = builder.serve_connection_with_upgrades(TokioIo::new(stream), hyper_service);
                let connection = graceful.watch(connection.into_owned());
                tokio::spawn(async move {
                    // A failed connection (client gone, protocol error) ends only that connection.
                    let _ = connection.await;
                });
            }
            () = &mut signal => break,
        }
    }
    drop(listener);
    graceful.shutdown().await;
    Ok(())
}
