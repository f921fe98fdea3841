//! The socket as hyper sees it: a write that waits too long for the client fails.

use std::future::Future as _;
use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::time::Sleep;

/// A connection whose writes fail with `TimedOut` once they have waited longer than the
/// send timeout for the client to take data, as nginx's `send_timeout`: a client that
/// stops reading its responses cannot hold the connection (and its buffers) forever.
pub(super) struct SendTimeout<T> {
    inner: T,
    timeout: Option<Duration>,
    /// Armed at the first write that has to wait (boxed: hyper wants an `Unpin` connection),
    /// dropped when one goes through.
    wait: Option<Pin<Box<Sleep>>>,
}

impl<T> SendTimeout<T> {
    pub(super) fn new(inner: T, timeout: Option<Duration>) -> Self {
        Self {
            inner,
            timeout,
            wait: None,
        }
    }
}

impl<T: AsyncWrite + Unpin> SendTimeout<T> {
    /// Runs one write-side operation under the timeout.
    fn send<R>(
        &mut self,
        cx: &mut Context<'_>,
        operation: impl FnOnce(Pin<&mut T>, &mut Context<'_>) -> Poll<io::Result<R>>,
    ) -> Poll<io::Result<R>> {
        if let Poll::Ready(result) = operation(Pin::new(&mut self.inner), cx) {
            self.wait = None;
            return Poll::Ready(result);
        }
        let Some(timeout) = self.timeout else {
            return Poll::Pending;
        };
        let wait = self
            .wait
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        if wait.as_mut().poll(cx).is_pending() {
            return Poll::Pending;
        }
        self.wait = None;
        Poll::Ready(Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("the client took no data for {timeout:?}"),
        )))
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for SendTimeout<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for SendTimeout<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .send(cx, |inner, cx| inner.poll_write(cx, buf))
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        self.get_mut()
            .send(cx, |inner, cx| inner.poll_write_vectored(cx, bufs))
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().send(cx, AsyncWrite::poll_flush)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        self.get_mut().send(cx, AsyncWrite::poll_shutdown)
    }
}
