//! The request body as the services see it: hyper's, with the body read timeout.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use tokio::time::Sleep;

/// A body read that waited longer than the body read timeout for its next piece.
#[derive(Debug)]
pub(crate) struct BodyReadTimeout(Duration);

impl std::fmt::Display for BodyReadTimeout {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no part of the request body arrived within {:?}", self.0)
    }
}

impl std::error::Error for BodyReadTimeout {}

/// A request body that fails with [`BodyReadTimeout`] when its next frame takes longer than
/// the timeout. The clock runs only while the reader waits, so a slow handler is not counted
/// against the client.
pub(crate) struct RequestBody {
    inner: Incoming,
    timeout: Option<Duration>,
    /// Armed at the first wait for a frame (boxed: most bodies never wait, and the body
    /// stays small), dropped when one arrives.
    wait: Option<Pin<Box<Sleep>>>,
}

impl RequestBody {
    pub(crate) fn new(inner: Incoming, timeout: Option<Duration>) -> Self {
        Self {
            inner,
            timeout,
            wait: None,
        }
    }
}

impl Body for RequestBody {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = &mut *self;
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            this.wait = None;
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        let Some(timeout) = this.timeout else {
            return Poll::Pending;
        };
        let wait = this
            .wait
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(timeout)));
        ready!(wait.as_mut().poll(cx));
        this.wait = None;
        Poll::Ready(Some(Err(Box::new(BodyReadTimeout(timeout)))))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
