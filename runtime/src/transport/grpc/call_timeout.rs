//! The call's time limit around the whole gRPC call, so reading and decoding the request count
//! against it (the glue's own limit starts only once tonic has decoded the message).

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll, ready};
use std::time::Duration;

use pin_project_lite::pin_project;
use tokio::time::Sleep;
use tonic::body::Body;

use super::timeout;
use crate::errors::Error;
use crate::errors::reasons;

/// gRPC routes whose calls fail with `DEADLINE_EXCEEDED` (a `504 TIMEOUT` Kratos error) once
/// the server's timeout, or the client's shorter `grpc-timeout`, has passed since the request
/// arrived.
#[derive(Debug, Clone)]
pub(super) struct CallTimeout<S> {
    inner: S,
    timeout: Option<Duration>,
}

impl<S> CallTimeout<S> {
    pub(super) fn new(inner: S, timeout: Option<Duration>) -> Self {
        Self { inner, timeout }
    }
}

impl<S, B> tower_service::Service<http::Request<B>> for CallTimeout<S>
where
    S: tower_service::Service<
            http::Request<B>,
            Response = http::Response<Body>,
            Error = Infallible,
        >,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = TimedCall<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        let limit = timeout::effective(self.timeout, request.headers());
        let expiry = limit.map(|limit| Expiry {
            operation: request.uri().clone(),
            limit,
        });
        TimedCall {
            call: self.inner.call(request),
            deadline: limit.map(tokio::time::sleep),
            expiry,
        }
    }
}

/// What a timed-out call's error names.
struct Expiry {
    operation: http::Uri,
    limit: Duration,
}

pin_project! {
    /// A call racing its deadline.
    pub(super) struct TimedCall<F> {
        #[pin]
        call: F,
        #[pin]
        deadline: Option<Sleep>,
        expiry: Option<Expiry>,
    }
}

impl<F> Future for TimedCall<F>
where
    F: Future<Output = Result<http::Response<Body>, Infallible>>,
{
    type Output = Result<http::Response<Body>, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(response) = this.call.poll(cx) {
            return Poll::Ready(response);
        }
        let Some(deadline) = this.deadline.as_pin_mut() else {
            return Poll::Pending;
        };
        ready!(deadline.poll(cx));
        let message = match this.expiry {
            Some(Expiry { operation, limit }) => {
                format!("{} did not finish within {limit:?}", operation.path())
            }
            None => String::from("the call did not finish in time"),
        };
        let status = Error::new(504, reasons::TIMEOUT, message).to_status();
        Poll::Ready(Ok(status.into_http()))
    }
}
