//! The process signals that stop an app.

use std::io;

/// A signal that stops an [`App`](super::App).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Signal {
    /// SIGINT (Ctrl-C).
    Interrupt,
    /// SIGTERM (what orchestrators send first).
    Terminate,
    /// SIGQUIT.
    Quit,
}

impl Signal {
    /// Kratos' set: SIGINT, SIGTERM and SIGQUIT.
    pub const DEFAULT: [Signal; 3] = [Signal::Interrupt, Signal::Terminate, Signal::Quit];
}

/// Listens for `signals`; the returned future completes on the first one received. Listening
/// starts here (before the future is polled), so a signal sent once the app has started is
/// never missed. With no signals, it never completes.
#[cfg(unix)]
pub(super) fn listen(
    signals: &[Signal],
) -> io::Result<impl std::future::Future<Output = Signal> + Send + use<>> {
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
pub(super) fn listen(
    signals: &[Signal],
) -> io::Result<impl std::future::Future<Output = Signal> + Send + use<>> {
    let interrupt = signals.contains(&Signal::Interrupt);
    Ok(async move {
        if interrupt && tokio::signal::ctrl_c().await.is_ok() {
            return Signal::Interrupt;
        }
        std::future::pending().await
    })
}
