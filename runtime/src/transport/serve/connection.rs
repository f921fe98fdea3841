//! One connection, from accept to close: served by hyper, closed when idle, drained or closed
//! as the server stops.

use std::sync::Arc;
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::sync::watch;
use tokio::time::Instant;

use super::activity::{Activity, Tracked};
use super::{ConnectionService, ConnectionSettings, ResponseBody, Stage};

/// Far enough away to stand for "never" on a timer that is disabled.
const NEVER: Duration = Duration::from_secs(86_400 * 365);

/// Serves one accepted connection until it ends, is idle past the idle timeout, or the server
/// stops.
pub(super) async fn serve<I, S, B>(
    builder: Arc<auto::Builder<TokioExecutor>>,
    io: I,
    service: S,
    settings: Arc<ConnectionSettings>,
    mut stage: watch::Receiver<Stage>,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    S: ConnectionService<B>,
    B: ResponseBody,
{
    let activity = Arc::new(Activity::new());
    let service = Tracked {
        inner: TowerToHyperService::new(service),
        activity: Arc::clone(&activity),
        body_read_timeout: settings.body_read_timeout,
    };
    let connection = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
    let mut connection = std::pin::pin!(connection);
    let idle_timeout = settings.idle_timeout;
    let idle_check = tokio::time::sleep(idle_timeout.unwrap_or(NEVER));
    let mut idle_check = std::pin::pin!(idle_check);
    let mut draining = false;
    // Closing gracefully because it was idle: an HTTP/2 client that does not answer the
    // closing PING would keep it open, so it gets one more idle timeout, then is dropped.
    let mut idle_drain = false;
    // Accepted as the server began to stop: drain at once.
    let mut current = *stage.borrow_and_update();
    loop {
        match current {
            Stage::Serving => {}
            Stage::Draining if !draining => {
                connection.as_mut().graceful_shutdown();
                draining = true;
            }
            Stage::Draining => {}
            Stage::Closing => return,
        }
        tokio::select! {
            // A failed connection (client gone, protocol error) ends only that connection.
            _ = connection.as_mut() => return,
            changed = stage.changed() => {
                current = if changed.is_ok() { *stage.borrow_and_update() } else { Stage::Closing };
            }
            () = &mut idle_check, if idle_timeout.is_some() && (!draining || idle_drain) => {
                if idle_drain {
                    return;
                }
                let timeout = idle_timeout.unwrap_or(NEVER);
                match activity.idle_deadline(timeout) {
                    Some(at) if at <= Instant::now() => {
                        connection.as_mut().graceful_shutdown();
                        draining = true;
                        idle_drain = true;
                        idle_check.as_mut().reset(Instant::now() + timeout);
                    }
                    Some(at) => idle_check.as_mut().reset(at),
                    None => idle_check.as_mut().reset(Instant::now() + timeout),
                }
            }
        }
    }
}
