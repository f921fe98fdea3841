//! The accept loop every server runs: HTTP/1 and HTTP/2 (h2c) on one listener through
//! hyper-util's auto builder, with the [`ConnectionSettings`] protections and a graceful stop
//! bounded by the stop timeout.

mod activity;
mod body;
mod clock;
mod connection;
mod send;
mod settings;
#[cfg(feature = "tls")]
mod tls;

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use hyper_util::server::conn::auto;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{Semaphore, watch};

pub(crate) use body::{BodyReadTimeout, RequestBody};
pub use settings::ConnectionSettings;
#[cfg(feature = "tls")]
pub use tls::TlsConfig;

/// What a server serves on each connection: a tower service of requests with the timed body.
pub(crate) trait ConnectionService<B>:
    tower_service::Service<
        http::Request<RequestBody>,
        Response = http::Response<B>,
        Error = Infallible,
        Future: Send + 'static,
    > + Clone
    + Send
    + 'static
{
}

impl<S, B> ConnectionService<B> for S where
    S: tower_service::Service<
            http::Request<RequestBody>,
            Response = http::Response<B>,
            Error = Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + 'static
{
}

/// The response bodies hyper can send.
pub(crate) trait ResponseBody:
    http_body::Body<Data = Bytes, Error: Into<Box<dyn std::error::Error + Send + Sync>>>
    + Send
    + 'static
{
}

impl<B> ResponseBody for B where
    B: http_body::Body<Data = Bytes, Error: Into<Box<dyn std::error::Error + Send + Sync>>>
        + Send
        + 'static
{
}

/// Where a server is in its life; every connection watches it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Serving,
    /// Stopping gracefully: finish the calls in progress, take no new ones.
    Draining,
    /// The stop timeout passed: close now.
    Closing,
}

/// Serves `service` on `listener` until `signal` completes, then stops gracefully within the
/// stop timeout.
pub(crate) async fn serve_connections<S, B>(
    listener: TcpListener,
    service: S,
    settings: ConnectionSettings,
    signal: impl Future<Output = ()> + Send,
) -> std::io::Result<()>
where
    S: ConnectionService<B>,
    B: ResponseBody,
{
    let builder = Arc::new(builder(&settings));
    let settings = Arc::new(settings);
    let slots = Arc::new(Semaphore::new(
        settings.max_connections.min(Semaphore::MAX_PERMITS),
    ));
    let (stage, _) = watch::channel(Stage::Serving);
    let clock = clock::CoarseClock::start();
    let mut signal = std::pin::pin!(signal);
    loop {
        // At the connection limit, wait for a slot before accepting: the next clients wait
        // in the listen backlog.
        let next = async {
            let slot = Arc::clone(&slots).acquire_owned().await;
            (slot, listener.accept().await)
        };
        tokio::select! {
            (slot, accepted) = next => {
                // The semaphore is never closed.
                let Ok(slot) = slot else { continue };
                // Out of file descriptors and similar: keep serving the open
                // connections and try again shortly.
                let Ok((stream, _)) = accepted else {
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                configure(&stream, &settings);
                let connection = serve_accepted(
                    Arc::clone(&builder),
                    stream,
                    service.clone(),
                    Arc::clone(&settings),
                    stage.subscribe(),
                    Arc::clone(&clock),
                );
                tokio::spawn(async move {
                    connection.await;
                    drop(slot);
                });
            }
            () = &mut signal => break,
        }
    }
    drop(listener);
    stop(&stage, settings.stop_timeout).await;
    Ok(())
}

/// Serves one accepted connection: after the TLS handshake when the server has TLS.
async fn serve_accepted<S, B>(
    builder: Arc<auto::Builder<TokioExecutor>>,
    stream: TcpStream,
    service: S,
    settings: Arc<ConnectionSettings>,
    #[cfg_attr(not(feature = "tls"), allow(unused_mut))] mut stage: watch::Receiver<Stage>,
    clock: Arc<clock::CoarseClock>,
) where
    S: ConnectionService<B>,
    B: ResponseBody,
{
    let io = send::SendTimeout::new(stream, settings.send_timeout);
    #[cfg(feature = "tls")]
    if let Some(tls) = settings.tls.clone() {
        // A handshake still going on when the server stops is abandoned.
        let handshake = tokio::select! {
            done = tls.accept(io) => done,
            _ = stage.wait_for(|stage| *stage != Stage::Serving) => None,
        };
        if let Some(io) = handshake {
            connection::serve(builder, io, service, settings, stage, clock).await;
        }
        return;
    }
    connection::serve(builder, io, service, settings, stage, clock).await;
}

/// hyper's builder with the settings' HTTP/2 limits and the timer they need. The header read
/// timeout is the connection driver's (`connection::Deadlines`): hyper's arms a timer for every
/// request (~6% of a small GET's instructions, bench/README.md).
fn builder(settings: &ConnectionSettings) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().header_read_timeout(None);
    builder
        .http2()
        .timer(TokioTimer::new())
        .max_concurrent_streams(settings.max_h2_streams)
        .keep_alive_interval(settings.h2_keep_alive_interval)
        .keep_alive_timeout(settings.h2_keep_alive_timeout);
    builder
}

/// Socket options of an accepted connection; one that cannot be set leaves the system's.
fn configure(stream: &TcpStream, settings: &ConnectionSettings) {
    let _ = stream.set_nodelay(true);
    if let Some(idle) = settings.tcp_keep_alive {
        let keep_alive = socket2::TcpKeepalive::new()
            .with_time(idle)
            .with_interval(idle);
        let _ = socket2::SockRef::from(stream).set_tcp_keepalive(&keep_alive);
    }
}

/// Drains every connection, then closes what is left after `timeout`; returns once every
/// connection is gone.
async fn stop(stage: &watch::Sender<Stage>, timeout: Duration) {
    stage.send_replace(Stage::Draining);
    if tokio::time::timeout(timeout, stage.closed()).await.is_err() {
        stage.send_replace(Stage::Closing);
        stage.closed().await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn accepted_sockets_get_tcp_keep_alive() {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap());
        let (client, accepted) = tokio::join!(client, listener.accept());
        let (accepted, _) = accepted.unwrap();
        let idle = Duration::from_secs(7);
        configure(
            &accepted,
            &ConnectionSettings::new().tcp_keep_alive(Some(idle)),
        );
        let socket = socket2::SockRef::from(&accepted);
        assert!(socket.keepalive().unwrap());
        assert_eq!(socket.tcp_keepalive_time().unwrap(), idle);
        assert!(accepted.nodelay().unwrap());
        drop(client);
    }
}
