//! The process signals that stop a service: the one listener behind both
//! [`shutdown_signal`] and [`App`](crate::app::App)'s signals.

use std::future::Future;
use std::io;

/// A process signal that stops a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Signal {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM (what Kubernetes, systemd and docker send first).
    Terminate,
    /// SIGQUIT.
    Quit,
}

impl Signal {
    /// Kratos' set: SIGINT, SIGTERM and SIGQUIT.
    pub const DEFAULT: [Signal; 3] = [Signal::Interrupt, Signal::Terminate, Signal::Quit];
}

/// Completes when the process receives one of [`Signal::DEFAULT`] (SIGINT, SIGTERM, SIGQUIT);
/// elsewhere than Unix, on Ctrl-C. Hand it to `serve_with_shutdown` for a graceful stop
/// ([`App`](crate::app::App) listens the same way, for the signals it is given).
///
/// Called inside a Tokio runtime, it takes over the signals at once, so create it before
/// announcing the service: a signal that arrives before the future is first awaited still
/// counts (rather than killing the process). Outside a runtime, listening starts when the
/// future is first polled. If the signals cannot be listened for, it never completes rather
/// than stopping the server at once.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// let stop = kratos::transport::shutdown_signal();
/// kratos::transport::http::Server::new().serve_with_shutdown(stop).await
/// # }
/// ```
pub fn shutdown_signal() -> impl Future<Output = ()> + Send + 'static {
    let in_runtime = tokio::runtime::Handle::try_current().is_ok();
    let listening = in_runtime.then(|| listen(&Signal::DEFAULT).ok()).flatten();
    async move {
        match listening.or_else(|| listen(&Signal::DEFAULT).ok()) {
            Some(received) => {
                received.await;
            }
            None => std::future::pending().await,
        }
    }
}

/// Listens for `signals`; the returned future completes on the first one received. Listening
/// starts here (before the future is polled), so a signal sent from now on is never missed.
/// With no signals, it never completes. Needs a Tokio runtime.
#[cfg(unix)]
pub(crate) fn listen(
    signals: &[Signal],
) -> io::Result<impl Future<Output = Signal> + Send + use<>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut streams = Vec::with_capacity(signals.len());
    for &which in signals {
        let kind = match which {
            Signal::Interrupt => SignalKind::interrupt(),
            Signal::Terminate => SignalKind::terminate(),
            Signal::Quit => SignalKind::quit(),
        };
        streams.push((which, signal(kind)?));
    }
    Ok(async move {
        if streams.is_empty() {
            return std::future::pending().await;
        }
        std::future::poll_fn(|cx| {
            for (which, stream) in &mut streams {
                if stream.poll_recv(cx).is_ready() {
                    return std::task::Poll::Ready(*which);
                }
            }
            std::task::Poll::Pending
        })
        .await
    })
}

/// Listens for `signals`: only Ctrl-C exists off Unix.
#[cfg(not(unix))]
pub(crate) fn listen(
    signals: &[Signal],
) -> io::Result<impl Future<Output = Signal> + Send + use<>> {
    let interrupt = signals.contains(&Signal::Interrupt);
    Ok(async move {
        if interrupt && tokio::signal::ctrl_c().await.is_ok() {
            return Signal::Interrupt;
        }
        std::future::pending().await
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// Sends `signal` to this test process (handled by then, so it does not end the process).
    fn send_to_self(signal: &str) {
        let sent = std::process::Command::new("kill")
            .args([signal, &std::process::id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
    }

    #[tokio::test]
    async fn shutdown_signal_completes_on_sigquit_sent_before_it_is_awaited() {
        let stop = shutdown_signal();
        send_to_self("-QUIT");
        tokio::time::timeout(std::time::Duration::from_secs(5), stop)
            .await
            .expect("shutdown_signal did not complete on SIGQUIT");
    }

    #[tokio::test]
    async fn listen_names_the_signal_received_and_ignores_the_others() {
        let received = listen(&[Signal::Quit]).unwrap();
        let mut received = std::pin::pin!(received);
        let others = listen(&[Signal::Terminate]).unwrap();
        send_to_self("-QUIT");
        let which = tokio::time::timeout(std::time::Duration::from_secs(5), &mut received)
            .await
            .expect("no signal seen");
        assert_eq!(which, Signal::Quit);
        // SIGQUIT is not one of `others`' signals.
        let nothing = tokio::time::timeout(std::time::Duration::from_millis(200), others).await;
        assert!(nothing.is_err());
    }
}
