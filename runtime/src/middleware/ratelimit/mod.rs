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
//! let server = kratos::transport::http::Server::new().middleware(RateLimit::bbr());
//! # let _ = server;
//! ```
//!
//! CPU usage comes from the cgroup (v2 `cpu.stat` with `cpu.max`) when the process is in one
//! with a quota, else from `/proc/stat` for the whole machine, sampled every 500 ms by a
//! background thread into a moving average; [`RateLimit::with_cpu`] takes any other source.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};
use std::time::{Duration, Instant};

use super::window::Window;
use super::{Handler, Message, Middleware};
use crate::errors::Error;
use crate::errors::reasons;
use crate::transport::Context;

/// Where CPU usage comes from: per mille of the CPU the process may use (0..=1000).
pub trait CpuUsage: Send + Sync + 'static {
    /// The current usage, per mille.
    fn per_mille(&self) -> u64;
}

impl<F: Fn() -> u64 + Send + Sync + 'static> CpuUsage for F {
    fn per_mille(&self) -> u64 {
        self()
    }
}

/// Settings of the limiter.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// The window (default 10 s).
    pub window: Duration,
    /// Buckets in the window (default 100).
    pub buckets: usize,
    /// CPU usage, per mille, above which the limiter acts (default 800).
    pub cpu_threshold: u64,
    /// How long the limit stays on after a drop once the CPU is below the threshold (1 s).
    pub cool_off: Duration,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            window: Duration::from_secs(10),
            buckets: 100,
            cpu_threshold: 800,
            cool_off: Duration::from_secs(1),
        }
    }
}

/// The limiter's state.
struct Limiter {
    settings: Settings,
    cpu: Arc<dyn CpuUsage>,
    in_flight: AtomicI64,
    /// Requests completed per bucket.
    passed: Mutex<Window>,
    /// Latency in milliseconds per bucket.
    latency: Mutex<Window>,
    /// When the last drop happened, as nanoseconds since `epoch` (0: none).
    last_drop: AtomicU64,
    epoch: Instant,
}

impl Limiter {
    fn lock(window: &Mutex<Window>) -> std::sync::MutexGuard<'_, Window> {
        window.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The most requests completed in one finished bucket (at least 1).
    fn max_pass(&self, now: Instant) -> f64 {
        Self::lock(&self.passed)
            .buckets(now, true)
            .iter()
            .map(|b| b.sum)
            .fold(0.0, f64::max)
            .max(1.0)
    }

    /// The smallest average latency of a finished bucket, in milliseconds (at least 1).
    fn min_rt(&self, now: Instant) -> f64 {
        Self::lock(&self.latency)
            .buckets(now, true)
            .iter()
            .filter(|b| b.count > 0)
            .map(|b| (b.sum / b.count as f64).ceil())
            .reduce(f64::min)
            .unwrap_or(1.0)
            .max(1.0)
    }

    fn max_in_flight(&self, now: Instant) -> i64 {
        let span_ms = Self::lock(&self.passed).span().as_secs_f64() * 1000.0;
        let buckets_per_second = 1000.0 / span_ms;
        #[allow(clippy::cast_possible_truncation)]
        let limit = (self.max_pass(now) * buckets_per_second * self.min_rt(now) / 1000.0 + 0.5)
            .floor() as i64;
        limit
    }

    fn nanos_since_epoch(&self, now: Instant) -> u64 {
        u64::try_from(now.saturating_duration_since(self.epoch).as_nanos())
            .unwrap_or(u64::MAX)
            .max(1)
    }

    fn should_drop(&self, now: Instant) -> bool {
        let in_flight = self.in_flight.load(Ordering::Acquire);
        let over = || in_flight > 1 && in_flight > self.max_in_flight(now);
        if self.cpu.per_mille() < self.settings.cpu_threshold {
            let last = self.last_drop.load(Ordering::Acquire);
            if last == 0 {
                return false;
            }
            let since = Duration::from_nanos(self.nanos_since_epoch(now).saturating_sub(last));
            if since <= self.settings.cool_off {
                return over();
            }
            self.last_drop.store(0, Ordering::Release);
            return false;
        }
        if over() {
            self.last_drop
                .store(self.nanos_since_epoch(now), Ordering::Release);
            return true;
        }
        false
    }

    fn done(&self, started: Instant) {
        let now = Instant::now();
        let millis = now.saturating_duration_since(started).as_secs_f64() * 1000.0;
        Self::lock(&self.latency).add(now, millis);
        self.in_flight.fetch_sub(1, Ordering::AcqRel);
        Self::lock(&self.passed).add(now, 1.0);
    }
}

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

impl RateLimit {
    /// BBR with Kratos' defaults and this machine's CPU usage.
    pub fn bbr() -> Self {
        Self::with_cpu(Settings::default(), system_cpu())
    }

    /// BBR with these settings and CPU source.
    pub fn with_cpu(settings: Settings, cpu: impl CpuUsage) -> Self {
        let now = Instant::now();
        let span = settings.window / u32::try_from(settings.buckets.max(1)).unwrap_or(u32::MAX);
        Self {
            limiter: Arc::new(Limiter {
                settings,
                cpu: Arc::new(cpu),
                in_flight: AtomicI64::new(0),
                passed: Mutex::new(Window::new(settings.buckets, span, now)),
                latency: Mutex::new(Window::new(settings.buckets, span, now)),
                last_drop: AtomicU64::new(0),
                epoch: now,
            }),
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

/// This machine's CPU usage, per mille, sampled every 500 ms by one background thread.
fn system_cpu() -> impl CpuUsage {
    static USAGE: OnceLock<Arc<AtomicU64>> = OnceLock::new();
    let usage = Arc::clone(USAGE.get_or_init(|| {
        let usage = Arc::new(AtomicU64::new(0));
        let shared = Arc::clone(&usage);
        let _ = std::thread::Builder::new()
            .name("kratos-cpu".to_owned())
            .spawn(move || sample_forever(&shared));
        usage
    }));
    move || usage.load(Ordering::Relaxed)
}

/// Samples CPU usage every 500 ms into a moving average (decay 0.95 per sample, as aegis).
fn sample_forever(usage: &AtomicU64) {
    let mut previous = cpu_times();
    let mut average = 0.0_f64;
    loop {
        std::thread::sleep(Duration::from_millis(500));
        let current = cpu_times();
        if let (Some((busy_a, total_a)), Some((busy_b, total_b))) = (previous, current)
            && total_b > total_a
        {
            let now = (busy_b - busy_a) as f64 / (total_b - total_a) as f64 * 1000.0;
            average = average * 0.95 + now.min(1000.0) * 0.05;
            #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
            usage.store(average.round() as u64, Ordering::Relaxed);
        }
        previous = current;
    }
}

/// (busy, total) CPU time: from the cgroup when it sets a quota, else from `/proc/stat`.
fn cpu_times() -> Option<(u64, u64)> {
    cgroup_times().or_else(proc_stat_times)
}

/// cgroup v2: `usage_usec` of `cpu.stat` against wall time x the `cpu.max` quota.
fn cgroup_times() -> Option<(u64, u64)> {
    let max = std::fs::read_to_string("/sys/fs/cgroup/cpu.max").ok()?;
    let mut parts = max.split_whitespace();
    let quota: f64 = parts.next()?.parse().ok()?; // "max" (no quota) fails here
    let period: f64 = parts.next()?.parse().ok()?;
    let stat = std::fs::read_to_string("/sys/fs/cgroup/cpu.stat").ok()?;
    let used: u64 = stat
        .lines()
        .find_map(|line| line.strip_prefix("usage_usec "))?
        .trim()
        .parse()
        .ok()?;
    static START: OnceLock<Instant> = OnceLock::new();
    let wall = START.get_or_init(Instant::now).elapsed().as_micros() as f64;
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    Some((used, (wall * quota / period) as u64))
}

/// `/proc/stat`'s first line: busy = total - idle - iowait.
fn proc_stat_times() -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let fields: Vec<u64> = stat
        .lines()
        .next()?
        .split_whitespace()
        .skip(1)
        .filter_map(|f| f.parse().ok())
        .collect();
    let total: u64 = fields.iter().sum();
    let idle = fields.get(3).copied().unwrap_or(0) + fields.get(4).copied().unwrap_or(0);
    Some((total.saturating_sub(idle), total))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(cpu: u64) -> RateLimit {
        RateLimit::with_cpu(
            Settings {
                window: Duration::from_millis(1000),
                buckets: 10,
                ..Settings::default()
            },
            move || cpu,
        )
    }

    #[test]
    fn the_limit_is_max_pass_times_min_rt() {
        let limit = limiter(900);
        let l = &limit.limiter;
        let start = l.epoch;
        // 50 requests of 20 ms completed in one 100 ms bucket, then the bucket closes.
        for _ in 0..50 {
            Limiter::lock(&l.passed).add(start, 1.0);
            Limiter::lock(&l.latency).add(start, 20.0);
        }
        let later = start + Duration::from_millis(150);
        assert_eq!(l.max_pass(later), 50.0);
        assert_eq!(l.min_rt(later), 20.0);
        // 50 per 100 ms = 500/s, x 20 ms = 10 in flight.
        assert_eq!(l.max_in_flight(later), 10);
        l.in_flight.store(10, Ordering::Release);
        assert!(!l.should_drop(later));
        l.in_flight.store(11, Ordering::Release);
        assert!(l.should_drop(later));
    }

    #[test]
    fn a_calm_cpu_admits_everything_and_cool_off_keeps_the_limit_briefly() {
        let calm = limiter(100);
        calm.limiter.in_flight.store(1000, Ordering::Release);
        assert!(!calm.limiter.should_drop(Instant::now()));

        let l = &calm.limiter;
        let now = Instant::now();
        l.last_drop
            .store(l.nanos_since_epoch(now), Ordering::Release);
        assert!(
            l.should_drop(now + Duration::from_millis(500)),
            "within cool-off"
        );
        assert!(
            !l.should_drop(now + Duration::from_millis(1500)),
            "after cool-off"
        );
        assert_eq!(l.last_drop.load(Ordering::Acquire), 0);
    }

    #[test]
    fn the_system_cpu_source_reads_something() {
        assert!(proc_stat_times().is_some_and(|(busy, total)| total >= busy && total > 0));
    }
}
