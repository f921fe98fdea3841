//! A served call's time limit, shared by both servers.

use std::future::Future;
use std::pin::Pin;
use std::task::Poll;
use std::time::Duration;

use super::Context;
use crate::errors::Error;
use crate::errors::reasons;

/// When a call must have finished, from the clock read that is also its start.
pub(crate) struct Deadline {
    at: tokio::time::Instant,
    limit: Duration,
}

impl Deadline {
    /// Starts the call's clock for `limit`: the reading becomes `ctx`'s start, for middleware
    /// that time the call, so the clock is read once. `None` for no limit, or one too far off
    /// to be an instant; then the clock is not read here.
    pub(crate) fn start(ctx: &mut Context, limit: Option<Duration>) -> Option<Self> {
        let limit = limit?;
        let now = tokio::time::Instant::now();
        ctx.set_started(now.into_std());
        Some(Self {
            at: now.checked_add(limit)?,
            limit,
        })
    }
}

impl Deadline {
    /// A timer that fires at the deadline, for [`before`]: pinned once by the caller, it times
    /// every step of a call without being moved or armed again.
    pub(crate) fn timer(&self) -> tokio::time::Sleep {
        tokio::time::sleep_until(self.at)
    }

    /// The error of a call of `operation` past `deadline`: `504 TIMEOUT`.
    pub(crate) fn exceeded(deadline: Option<&Self>, operation: &str) -> Error {
        timed_out(
            operation,
            deadline.map_or(Duration::ZERO, |deadline| deadline.limit),
        )
    }
}

pin_project_lite::pin_project! {
    /// One step of a call, polled where it lies, until it finishes or `timer` fires (`None`).
    /// The step and the timer are not moved into a `Timeout` of their own, which matters when
    /// the step's future is large (a request body being read).
    pub(crate) struct Before<'a, F> {
        timer: Pin<&'a mut Option<tokio::time::Sleep>>,
        #[pin]
        step: F,
    }
}

/// `step`, unless `timer` (`None`: no deadline) fires first.
pub(crate) fn before<F: Future>(
    timer: Pin<&mut Option<tokio::time::Sleep>>,
    step: F,
) -> Before<'_, F> {
    Before { timer, step }
}

impl<F: Future> Future for Before<'_, F> {
    type Output = Option<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        if let Poll::Ready(output) = this.step.poll(cx) {
            return Poll::Ready(Some(output));
        }
        match this.timer.as_mut().as_pin_mut().map(|timer| timer.poll(cx)) {
            Some(Poll::Ready(())) => Poll::Ready(None),
            _ => Poll::Pending,
        }
    }
}

/// Runs `call` of `operation` until `deadline`, if any: past it, `504 TIMEOUT`.
pub(crate) async fn within<T>(
    deadline: Option<Deadline>,
    operation: &str,
    call: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    let Some(Deadline { at, limit }) = deadline else {
        return call.await;
    };
    tokio::time::timeout_at(at, call)
        .await
        .unwrap_or_else(|_| Err(timed_out(operation, limit)))
}

#[cold]
fn timed_out(operation: &str, limit: Duration) -> Error {
    Error::new(
        504,
        reasons::TIMEOUT,
        format!("{operation} did not finish within {limit:?}"),
    )
}
