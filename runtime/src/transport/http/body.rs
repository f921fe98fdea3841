//! The body of the server's responses: a whole reply, or a stream of them.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use http_body_util::Full;

/// The body of the [`HttpService`](super::HttpService)'s responses: a unary reply or error
/// (one buffer), or the events of a server-streaming call (written as they come).
pub struct ReplyBody {
    kind: Kind,
}

enum Kind {
    Whole(Full<Bytes>),
    Stream(Pin<Box<dyn Body<Data = Bytes, Error = Infallible> + Send>>),
}

impl ReplyBody {
    /// A body streamed from `body`.
    pub(crate) fn stream(
        body: impl Body<Data = Bytes, Error = Infallible> + Send + 'static,
    ) -> Self {
        Self {
            kind: Kind::Stream(Box::pin(body)),
        }
    }

    /// An empty body.
    pub fn empty() -> Self {
        Self::from(Full::new(Bytes::new()))
    }
}

impl From<Full<Bytes>> for ReplyBody {
    fn from(body: Full<Bytes>) -> Self {
        Self {
            kind: Kind::Whole(body),
        }
    }
}

impl std::fmt::Debug for ReplyBody {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            Kind::Whole(body) => f.debug_tuple("ReplyBody::Whole").field(body).finish(),
            Kind::Stream(_) => f.write_str("ReplyBody::Stream"),
        }
    }
}

impl Body for ReplyBody {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        match &mut self.kind {
            Kind::Whole(body) => Pin::new(body).poll_frame(cx),
            Kind::Stream(body) => body.as_mut().poll_frame(cx),
        }
    }

    fn is_end_stream(&self) -> bool {
        match &self.kind {
            Kind::Whole(body) => body.is_end_stream(),
            Kind::Stream(body) => body.is_end_stream(),
        }
    }

    fn size_hint(&self) -> SizeHint {
        match &self.kind {
            Kind::Whole(body) => body.size_hint(),
            Kind::Stream(body) => body.size_hint(),
        }
    }
}
