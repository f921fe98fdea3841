//! What a connection is doing: the calls in progress, since when it has had none, and whether
//! it speaks HTTP/2.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};
use std::time::Duration;

use bytes::Bytes;
use http_body::{Body, Frame, SizeHint};
use hyper::body::Incoming;
use pin_project_lite::pin_project;
use tokio::time::Instant;

use super::body::RequestBody;
use super::clock::CoarseClock;

/// One connection's calls in progress, shared by its service and its driver.
#[derive(Debug)]
pub(super) struct Activity {
    clock: Arc<CoarseClock>,
    in_flight: AtomicUsize,
    /// When the connection opened or its last call ended, on `clock`: the end of a call is
    /// stamped from the clock's last tick, rounded up (the idle and header read timeouts
    /// then count from at most a tick after it), not read from the system clock per call.
    idle_since_ms: AtomicU64,
    /// Whether a call came over HTTP/2 (the header read timeout is HTTP/1's).
    http2: AtomicBool,
}

impl Activity {
    pub(super) fn new(clock: Arc<CoarseClock>) -> Self {
        Self {
            idle_since_ms: AtomicU64::new(clock.now_exact()),
            clock,
            in_flight: AtomicUsize::new(0),
            http2: AtomicBool::new(false),
        }
    }

    /// Since when the connection has had no call in progress (it opened, or its last call
    /// ended): `None` while a call is in progress.
    pub(super) fn idle_since(&self) -> Option<Instant> {
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return None;
        }
        Some(self.clock.at(self.idle_since_ms.load(Ordering::Acquire)))
    }

    /// Whether a call has come over HTTP/2.
    pub(super) fn is_http2(&self) -> bool {
        self.http2.load(Ordering::Relaxed)
    }

    pub(super) fn start(self: &Arc<Self>, version: http::Version) -> InFlight {
        if version == http::Version::HTTP_2 && !self.is_http2() {
            self.http2.store(true, Ordering::Relaxed);
        }
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        InFlight(Arc::clone(self))
    }
}

/// A call in progress, from the request's arrival until its response body is done or dropped.
#[derive(Debug)]
pub(super) struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        let ended = self.0.clock.now_or_later();
        self.0.idle_since_ms.store(ended, Ordering::Release);
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The hyper service of one connection: counts its calls and gives the inner service the
/// request body with the body read timeout.
#[derive(Debug, Clone)]
pub(super) struct Tracked<S> {
    pub(super) inner: S,
    pub(super) activity: Arc<Activity>,
    pub(super) body_read_timeout: Option<Duration>,
}

impl<S, B> hyper::service::Service<http::Request<Incoming>> for Tracked<S>
where
    S: hyper::service::Service<http::Request<RequestBody>, Response = http::Response<B>>,
{
    type Response = http::Response<TrackedBody<B>>;
    type Error = S::Error;
    type Future = TrackedFuture<S::Future>;

    fn call(&self, request: http::Request<Incoming>) -> Self::Future {
        let call = self.activity.start(request.version());
        let request = request.map(|body| RequestBody::new(body, self.body_read_timeout));
        TrackedFuture {
            inner: self.inner.call(request),
            call: Some(call),
        }
    }
}

pin_project! {
    /// The inner service's future; hands the call over to the response body.
    pub(super) struct TrackedFuture<F> {
        #[pin]
        inner: F,
        call: Option<InFlight>,
    }
}

impl<F, B, E> Future for TrackedFuture<F>
where
    F: Future<Output = Result<http::Response<B>, E>>,
{
    type Output = Result<http::Response<TrackedBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let response = ready!(this.inner.poll(cx))?;
        let call = this.call.take();
        Poll::Ready(Ok(response.map(|inner| TrackedBody { inner, _call: call })))
    }
}

pin_project! {
    /// A response body that ends its call when it is dropped.
    pub(super) struct TrackedBody<B> {
        #[pin]
        inner: B,
        _call: Option<InFlight>,
    }
}

impl<B> Body for TrackedBody<B>
where
    B: Body<Data = Bytes>,
{
    type Data = Bytes;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        self.project().inner.poll_frame(cx)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
