//! The request body as the services see it: hyper's, with the body read timeout.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use pin_project_lite::pin_project;
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

pin_project! {
    /// A request body that fails with [`BodyReadTimeout`] when its next frame takes longer than
    /// the timeout. The clock runs only while the reader waits, so a slow handler is not
    /// counted against the client.
    pub(crate) struct RequestBody {
        #[pin]
        inner: Incoming,
        timeout: Option<Duration>,
        // Armed at the first wait for a frame, dropped when one arrives.
        #[pin]
        wait: Option<Sleep>,
    }
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
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let mut this = self.project();
        if let Poll::Ready(frame) = this.inner.poll_frame(cx) {
            this.wait.set(None);
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        let Some(timeout) = *this.timeout else {
            return Poll::Pending;
        };
        if this.wait.is_none() {
            this.wait.set(Some(tokio::time::sleep(timeout)));
        }
        if let Some(wait) = this.wait.as_mut().as_pin_mut() {
            ready!(wait.poll(cx));
        }
        this.wait.set(None);
        Poll::Ready(Some(Err(Box::new(BodyReadTimeout(timeout)))))
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
