//! The signals that ask a server to stop.

use std::future::Future;

/// Completes when the process receives SIGINT (Ctrl-C) or SIGTERM (what Kubernetes, systemd
/// and docker send); elsewhere than Unix, on Ctrl-C. Hand it to `serve_with_shutdown` for a
/// graceful stop.
///
/// Called inside a Tokio runtime, it takes over both signals at once, so create it before
/// announcing the service: a signal that arrives before the future is first awaited still
/// counts (rather than killing the process).
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// let stop = kratos::transport::shutdown_signal();
/// kratos::transport::http::Server::new().serve_with_shutdown(stop).await
/// # }
/// ```
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{Signal, SignalKind, signal};
        // Outside a runtime the handlers are installed when the future first runs.
        let in_runtime = tokio::runtime::Handle::try_current().is_ok();
        let install = move |kind: SignalKind| in_runtime.then(|| signal(kind).ok()).flatten();
        let terminate = install(SignalKind::terminate());
        let interrupt = install(SignalKind::interrupt());
        // A signal that cannot be listened for is left out; if neither can, this never
        // completes rather than stopping the server at once.
        async fn received(installed: Option<Signal>, kind: SignalKind) {
            match installed.or_else(|| signal(kind).ok()) {
                Some(mut signal) => {
                    signal.recv().await;
                }
                None => std::future::pending().await,
            }
        }
        async move {
            tokio::select! {
                () = received(terminate, SignalKind::terminate()) => {}
                () = received(interrupt, SignalKind::interrupt()) => {}
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}
