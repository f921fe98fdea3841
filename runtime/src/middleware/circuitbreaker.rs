//! Client-side circuit breaking with Google SRE's adaptive throttling, as Kratos'
//! `aegis/circuitbreaker/sre`: per operation, over a rolling window (3 s in 10 buckets), a call
//! is rejected locally with probability `max(0, (requests - K x accepts) / (requests + 1))`
//! once the window holds at least `request_threshold` calls. Replies with code 500, 503 or 504
//! (and transport failures, which are 503/504) count as failures. A rejected call never reaches
//! the server and fails with `503` reason `CIRCUITBREAKER`.
//!
//! ```
//! use kratos::middleware::circuitbreaker::CircuitBreaker;
//!
//! let client = kratos::transport::http::Client::builder("http://127.0.0.1:8001")
//!     .middleware(CircuitBreaker::new())
//!     .build();
//! # let _ = client;
//! ```

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::window::Window;
use super::{Handler, Message, Middleware};
use crate::errors::Error;
use crate::errors::reasons;
use crate::transport::Context;

/// Settings of the breakers.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// `K`: how many requests per accepted one are tolerated (default 1.5).
    pub k: f64,
    /// Calls the window must hold before anything is rejected (default 100).
    pub request_threshold: u64,
    /// The window (default 3 s).
    pub window: Duration,
    /// Buckets in the window (default 10).
    pub buckets: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            k: 1.5,
            request_threshold: 100,
            window: Duration::from_secs(3),
            buckets: 10,
        }
    }
}

type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// One operation's breaker: accepted calls as the sum, all calls as the count.
struct Breaker {
    window: Window,
    random: u64,
}

struct Breakers {
    settings: Settings,
    clock: Clock,
    by_operation: Mutex<HashMap<&'static str, Breaker>>,
}

impl Breakers {
    fn with<T>(
        &self,
        operation: &'static str,
        f: impl FnOnce(&mut Breaker, Instant, &Settings) -> T,
    ) -> T {
        let now = (self.clock)();
        let mut map = self
            .by_operation
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let span =
            self.settings.window / u32::try_from(self.settings.buckets.max(1)).unwrap_or(u32::MAX);
        let breaker = map.entry(operation).or_insert_with(|| Breaker {
            window: Window::new(self.settings.buckets, span, now),
            // Any odd seed works; a fixed one makes runs reproducible.
            random: 0x9E37_79B9_7F4A_7C15,
        });
        f(breaker, now, &self.settings)
    }

    fn allow(&self, operation: &'static str) -> bool {
        self.with(operation, |breaker, now, settings| {
            let (accepts, total) = breaker
                .window
                .buckets(now, false)
                .iter()
                .fold((0.0, 0_u64), |(a, t), b| (a + b.sum, t + b.count));
            #[allow(clippy::cast_precision_loss)]
            let requests = total as f64;
            if total < settings.request_threshold || requests < settings.k * accepts {
                return true;
            }
            let drop_ratio = ((requests - settings.k * accepts) / (requests + 1.0)).max(0.0);
            breaker.random ^= breaker.random << 13;
            breaker.random ^= breaker.random >> 7;
            breaker.random ^= breaker.random << 17;
            #[allow(clippy::cast_precision_loss)]
            let draw = (breaker.random >> 11) as f64 / (1_u64 << 53) as f64;
            draw >= drop_ratio
        })
    }

    fn record(&self, operation: &'static str, accepted: bool) {
        self.with(operation, |breaker, now, _| {
            breaker.window.add(now, if accepted { 1.0 } else { 0.0 });
        });
    }
}

/// The circuit-breaker middleware (client side). Clones share the breakers.
#[derive(Clone)]
pub struct CircuitBreaker {
    breakers: Arc<Breakers>,
}

impl std::fmt::Debug for CircuitBreaker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CircuitBreaker")
            .field("settings", &self.breakers.settings)
            .finish_non_exhaustive()
    }
}

impl Default for CircuitBreaker {
    fn default() -> Self {
        Self::new()
    }
}

impl CircuitBreaker {
    /// Breakers with Kratos' defaults.
    pub fn new() -> Self {
        Self::with_settings(Settings::default())
    }

    /// Breakers with these settings.
    pub fn with_settings(settings: Settings) -> Self {
        Self::with_clock(settings, Instant::now)
    }

    /// Breakers reading time from `clock` (tests move time forward without sleeping).
    pub fn with_clock(
        settings: Settings,
        clock: impl Fn() -> Instant + Send + Sync + 'static,
    ) -> Self {
        Self {
            breakers: Arc::new(Breakers {
                settings,
                clock: Arc::new(clock),
                by_operation: Mutex::new(HashMap::new()),
            }),
        }
    }
}

/// Whether an error counts against the service (as Kratos: 500, 503, 504).
fn is_failure(error: &Error) -> bool {
    matches!(error.code(), 500 | 503 | 504)
}

impl Middleware for CircuitBreaker {
    fn wrap(&self, next: Handler) -> Handler {
        let breakers = Arc::clone(&self.breakers);
        Arc::new(move |ctx: Context, request: Message| {
            let operation = ctx.operation();
            if !breakers.allow(operation) {
                // A rejection is recorded as a failure, as aegis does (MarkFailed).
                breakers.record(operation, false);
                let error = Error::new(
                    503,
                    reasons::CIRCUITBREAKER,
                    format!("{operation}: request rejected by the circuit breaker"),
                );
                return Box::pin(async move { Err(error) });
            }
            let reply = next(ctx, request);
            let breakers = Arc::clone(&breakers);
            Box::pin(async move {
                let result = reply.await;
                let accepted = !matches!(&result, Err(error) if is_failure(error));
                breakers.record(operation, accepted);
                result
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_as_failures_pile_up_and_admits_again_after_the_window() {
        let start = Instant::now();
        let offset = Arc::new(Mutex::new(Duration::ZERO));
        let clock_offset = Arc::clone(&offset);
        let breaker = CircuitBreaker::with_clock(Settings::default(), move || {
            start + *clock_offset.lock().unwrap()
        });
        let b = &breaker.breakers;
        // Below the threshold everything passes, failures or not.
        for _ in 0..99 {
            assert!(b.allow("/a.B/C"));
            b.record("/a.B/C", false);
        }
        // Past it, with no successes, nearly every call is rejected.
        let mut rejected = 0;
        for _ in 0..200 {
            if !b.allow("/a.B/C") {
                rejected += 1;
            }
            b.record("/a.B/C", false);
        }
        assert!(rejected > 150, "{rejected}");
        // Other operations have their own breaker.
        assert!(b.allow("/a.B/Other"));
        // Once the window has rolled past the failures, calls go through.
        *offset.lock().unwrap() = Duration::from_secs(4);
        assert!(b.allow("/a.B/C"));
    }

    #[test]
    fn mostly_successful_traffic_is_never_rejected() {
        let breaker = CircuitBreaker::new();
        let b = &breaker.breakers;
        for i in 0..1000 {
            assert!(b.allow("/a.B/C"), "call {i}");
            // 90% accepted: K x accepts (1.35 x requests) stays above the requests.
            b.record("/a.B/C", i % 10 != 0);
        }
    }
}
