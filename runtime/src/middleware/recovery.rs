//! Recovery: a panic in a handler (or in middleware inside this one) becomes a `500` error
//! with reason `UNKNOWN`, as in Kratos, and is logged with its message; the server keeps
//! serving. The client gets no panic text: it may hold internals.
//!
//! ```
//! let server = kratos::transport::http::Server::new()
//!     .middleware(kratos::middleware::recovery::Recovery::new());
//! # let _ = server;
//! ```
//! Put it first, so that it wraps every other middleware.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use super::{BoxFuture, Handler, Message, Middleware};
use crate::errors::Error;
use crate::errors::reasons;
use crate::transport::Context;

/// The recovery middleware.
#[derive(Debug, Clone, Copy, Default)]
pub struct Recovery;

impl Recovery {
    /// The middleware.
    pub fn new() -> Self {
        Self
    }
}

/// Runs `f` for `operation`; a panic in it becomes the error (logged). The one place both
/// forms of recovery (this middleware and its typed step) catch panics.
pub(crate) fn recover<T>(operation: &str, f: impl FnOnce() -> T) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| panicked(operation, payload.as_ref()))
}

/// The error a panic becomes.
#[cold]
fn panicked(operation: &str, payload: &(dyn Any + Send)) -> Error {
    let text = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a non-string panic payload");
    tracing::error!(
        operation,
        panic = text,
        "handler panicked; answered 500 UNKNOWN"
    );
    Error::new(500, reasons::UNKNOWN, "internal error")
}

impl Middleware for Recovery {
    fn wrap(&self, next: Handler) -> Handler {
        Arc::new(
            move |ctx: Context, request: Message| -> BoxFuture<Result<Message, Error>> {
                let operation = ctx.operation();
                match recover(operation, || next(ctx, request)) {
                    Ok(future) => Box::pin(CatchUnwind { future, operation }),
                    Err(error) => Box::pin(std::future::ready(Err(error))),
                }
            },
        )
    }
}

/// Polls the inner future, turning a panic into the error.
struct CatchUnwind {
    future: BoxFuture<Result<Message, Error>>,
    operation: &'static str,
}

impl Future for CatchUnwind {
    type Output = Result<Message, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let operation = self.operation;
        recover(operation, || self.future.as_mut().poll(cx))
            .unwrap_or_else(|error| Poll::Ready(Err(error)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::middleware::Chain;
    use crate::transport::Kind;

    fn ctx() -> Context {
        Context::new(Kind::Http, "/a.B/C", http::HeaderMap::new())
    }

    #[tokio::test]
    async fn panics_in_the_future_and_before_it_become_500_unknown() {
        let _logging = crate::middleware::logging::tests::LOGGING.lock().await;
        let mut chain = Chain::new();
        chain.push(Recovery::new());
        let err = chain
            .call(ctx(), 0_u8, |_, _| async move {
                tokio::task::yield_now().await;
                if true {
                    panic!("boom");
                }
                Ok(0_u8)
            })
            .await
            .unwrap_err();
        assert_eq!(
            (err.code(), err.reason(), err.message()),
            (500, "UNKNOWN", "internal error")
        );

        // A middleware inside recovery that panics while building its future.
        let mut chain = Chain::new();
        chain.push(Recovery::new());
        chain.push(|_next: Handler| -> Handler {
            Arc::new(|_, _| panic!("{}", String::from("eager")))
        });
        let err = chain
            .call(ctx(), 0_u8, |_, n| async move { Ok(n) })
            .await
            .unwrap_err();
        assert_eq!(err.reason(), "UNKNOWN");

        // Without a panic, nothing changes.
        let mut chain = Chain::new();
        chain.push(Recovery::new());
        assert_eq!(
            chain
                .call(ctx(), 7_u8, |_, n| async move { Ok(n) })
                .await
                .unwrap(),
            7
        );
    }
}
