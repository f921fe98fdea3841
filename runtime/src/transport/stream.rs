//! The streams a streaming handler takes and returns, whichever transport carries the call.
//!
//! A server-streaming or bidirectional handler returns a [`ReplyStream`] of replies or
//! errors; a client-streaming or bidirectional handler takes a [`RequestStream`] of requests.
//! An error in a reply stream ends it: the transport sends it as the stream's final status (a
//! gRPC `Status` with `ErrorInfo`, an SSE `error` event, an NDJSON `{"error":...}` line).

use std::fmt;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

/// The `Stream` trait (`futures_core`'s, which tonic's `Streaming` and tokio-stream implement),
/// for generated code and services to name.
pub use futures_core::Stream;

use crate::errors::Error;

/// A boxed, sendable stream of messages or errors.
pub type BoxStream<T> = Pin<Box<dyn Stream<Item = Result<T, Error>> + Send>>;

/// The replies of a streaming handler: any `Stream` of `Result<T, Error>`, boxed.
///
/// The transport polls it only when the peer can take another message (backpressure), and
/// drops it when the peer goes away or the stream's time is up: a handler producing from a
/// channel sees its sender fail then, and stops.
pub struct ReplyStream<T> {
    inner: BoxStream<T>,
}

impl<T> ReplyStream<T> {
    /// Boxes `stream`.
    pub fn new(stream: impl Stream<Item = Result<T, Error>> + Send + 'static) -> Self {
        Self {
            inner: Box::pin(stream),
        }
    }

    /// The replies received on `receiver` (fed by a task the handler spawned); the stream ends
    /// when every sender is dropped.
    pub fn from_receiver(receiver: tokio::sync::mpsc::Receiver<Result<T, Error>>) -> Self
    where
        T: Send + 'static,
    {
        Self::new(Receiver(receiver))
    }

    /// The replies of `items`, in order.
    pub fn iter(
        items: impl IntoIterator<Item = Result<T, Error>, IntoIter: Send + Unpin + 'static>,
    ) -> Self
    where
        T: 'static,
    {
        Self::new(Iter(items.into_iter()))
    }

    /// The next reply: `None` once the stream has ended (what a client reads a stream with;
    /// an `Err` is the stream's last item).
    pub async fn message(&mut self) -> Option<Result<T, Error>> {
        std::future::poll_fn(|cx| self.inner.as_mut().poll_next(cx)).await
    }
}

impl<T> Stream for ReplyStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<T> fmt::Debug for ReplyStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ReplyStream { .. }")
    }
}

/// The requests of a client-streaming or bidirectional call, each already through the
/// server's per-message middleware; a bad message or a broken connection is an `Err` item,
/// after which the stream ends.
pub struct RequestStream<T> {
    inner: BoxStream<T>,
}

impl<T> RequestStream<T> {
    /// Boxes `stream`.
    pub fn new(stream: impl Stream<Item = Result<T, Error>> + Send + 'static) -> Self {
        Self {
            inner: Box::pin(stream),
        }
    }

    /// The next request: `None` once the client has finished sending.
    pub async fn message(&mut self) -> Option<Result<T, Error>> {
        std::future::poll_fn(|cx| self.inner.as_mut().poll_next(cx)).await
    }
}

impl<T> Stream for RequestStream<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}

impl<T> fmt::Debug for RequestStream<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RequestStream { .. }")
    }
}

/// A channel's receiving end as a stream.
struct Receiver<T>(tokio::sync::mpsc::Receiver<Result<T, Error>>);

impl<T> Stream for Receiver<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx)
    }
}

/// An iterator as a stream that is always ready.
struct Iter<I>(I);

impl<I: Iterator + Unpin> Stream for Iter<I> {
    type Item = I::Item;

    fn poll_next(mut self: Pin<&mut Self>, _cx: &mut TaskContext<'_>) -> Poll<Option<I::Item>> {
        Poll::Ready(self.0.next())
    }
}
