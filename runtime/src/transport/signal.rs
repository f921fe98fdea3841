//! The signals that ask a server to stop.

/// Completes when the process receives SIGINT (Ctrl-C) or SIGTERM (what Kubernetes, systemd
/// and docker send); elsewhere than Unix, on Ctrl-C. Hand it to `serve_with_shutdown` for a
/// graceful stop.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// kratos::transport::http::Server::new()
///     .serve_with_shutdown(kratos::transport::shutdown_signal())
///     .await
/// # }
/// ```
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        // A signal that cannot be listened for is left out; if neither can, this never
        // completes rather than stopping the server at once.
        let terminate = async {
            match signal(SignalKind::terminate()) {
                Ok(mut terminate) => {
                    terminate.recv().await;
                }
                Err(_) => std::future::pending().await,
            }
        };
        let interrupt = async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            () = terminate => {}
            () = interrupt => {}
        }
    }
    #[cfg(not(unix))]
    {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
