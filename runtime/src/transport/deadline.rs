//! A served call's time limit, shared by both servers.

use std::future::Future;
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

/// Runs `call` of `operation` until `deadline`, if any: past it, `504 TIMEOUT`.
pub(crate) async fn within<T>(
    deadline: Option<Deadline>,
    operation: &str,
    call: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    let Some(Deadline { at, limit }) = deadline else {
        return call.await;
    };
    tokio::time::timeout_at(at, call).await.unwrap_or_else(|_| {
        Err(Error::new(
            504,
            reasons::TIMEOUT,
            format!("{operation} did not finish within {limit:?}"),
        ))
    })
}
