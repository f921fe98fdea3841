//! Adaptive rate limiting with BBR, as Kratos' `aegis/ratelimit/bbr`: while the CPU is busy
//! (above a threshold, 80% by default), a request is rejected when more requests are in flight
//! than the server has shown it can complete: `max_pass x min_rt`, the largest number of
//! requests completed in one bucket of the window times the smallest average latency of a
//! bucket, per second. After a drop, the limit stays on for a cool-off second even if the CPU
//! has calmed down. Rejections are `429` with reason `RATELIMIT`.
//!
//! ```no_run
//! use kratos::middleware::ratelimit::RateLimit;
//!
//! let server = kratos::transport::http::Server::new().middleware(RateLimit::new());
//! # let _ = server;
//! ```
//!
//! CPU usage comes from the cgroup (v2 `cpu.stat` with `cpu.max`) when the process is in one
//! with a quota, else from `/proc/stat` for the whole machine, sampled every 500 ms by a
//! background thread into a moving average; [`RateLimit::with_cpu`] takes any other source.
//! [`RateLimit::with_settings`] changes the window, threshold and cool-off ([`Settings`]).

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use super::{Handler, Message, Middleware};
use crate::errors::Error;
use crate::errors::reasons;
use crate::transport::Context;

mod cpu;
mod limiter;

pub use cpu::CpuUsage;
use cpu::system_cpu;
use limiter::Limiter;
pub use limiter::Settings;

/// The BBR rate-limiting middleware (server side). Clones share one limiter.
#[derive(Clone)]
pub struct RateLimit {
    limiter: Arc<Limiter>,
}

impl std::fmt::Debug for RateLimit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RateLimit")
            .field("settings", &self.limiter.settings)
            .field("in_flight", &self.limiter.in_flight.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl Default for RateLimit {
    fn default() -> Self {
        Self::new()
    }
}

impl RateLimit {
    /// BBR with Kratos' defaults and this machine's CPU usage.
    pub fn new() -> Self {
        Self::with_settings(Settings::default())
    }

    /// BBR with these settings and this machine's CPU usage.
    pub fn with_settings(settings: Settings) -> Self {
        Self::with_cpu(settings, system_cpu())
    }

    /// BBR with these settings and CPU source.
    pub fn with_cpu(settings: Settings, cpu: impl CpuUsage) -> Self {
        Self {
            limiter: Limiter::new(settings, Arc::new(cpu)),
        }
    }

    /// Requests in flight now.
    pub fn in_flight(&self) -> i64 {
        self.limiter.in_flight.load(Ordering::Acquire)
    }
}

/// Counts a request in flight until dropped (also when the handler's future is cancelled).
struct InFlight {
    limiter: Arc<Limiter>,
    started: Instant,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.limiter.done(self.started);
    }
}

impl Middleware for RateLimit {
    fn wrap(&self, next: Handler) -> Handler {
        let limiter = Arc::clone(&self.limiter);
        Arc::new(move |ctx: Context, request: Message| {
            let now = Instant::now();
            if limiter.should_drop(now) {
                let error = Error::new(
                    429,
                    reasons::RATELIMIT,
                    "service unavailable due to rate limit exceeded",
                );
                return Box::pin(async move { Err(error) });
            }
            limiter.in_flight.fetch_add(1, Ordering::AcqRel);
            let guard = InFlight {
                limiter: Arc::clone(&limiter),
                started: now,
            };
            let reply = next(ctx, request);
            Box::pin(async move {
                let result = reply.await;
                drop(guard);
                result
            })
        })
    }
}
