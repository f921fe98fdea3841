//! The BBR limiter: whether a request may start, from requests in flight, the window's
//! throughput and latency, and the CPU.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use super::CpuUsage;
use crate::middleware::window::Window;

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
pub(super) struct Limiter {
    pub(super) settings: Settings,
    cpu: Arc<dyn CpuUsage>,
    pub(super) in_flight: AtomicI64,
    /// Requests completed per bucket.
    passed: Mutex<Window>,
    /// Latency in milliseconds per bucket.
    latency: Mutex<Window>,
    /// When the last drop happened, as nanoseconds since `epoch` (0: none).
    last_drop: AtomicU64,
    epoch: Instant,
}

impl Limiter {
    pub(super) fn new(settings: Settings, cpu: Arc<dyn CpuUsage>) -> Arc<Self> {
        let now = Instant::now();
        let span = settings.window / u32::try_from(settings.buckets.max(1)).unwrap_or(u32::MAX);
        Arc::new(Self {
            settings,
            cpu,
            in_flight: AtomicI64::new(0),
            passed: Mutex::new(Window::new(settings.buckets, span, now)),
            latency: Mutex::new(Window::new(settings.buckets, span, now)),
            last_drop: AtomicU64::new(0),
            epoch: now,
        })
    }

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

    pub(super) fn should_drop(&self, now: Instant) -> bool {
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

    pub(super) fn done(&self, started: Instant) {
        let now = Instant::now();
        let millis = now.saturating_duration_since(started).as_secs_f64() * 1000.0;
        Self::lock(&self.latency).add(now, millis);
        self.in_flight.fetch_sub(1, Ordering::AcqRel);
        Self::lock(&self.passed).add(now, 1.0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limiter(cpu: u64) -> Arc<Limiter> {
        Limiter::new(
            Settings {
                window: Duration::from_millis(1000),
                buckets: 10,
                ..Settings::default()
            },
            Arc::new(move || cpu),
        )
    }

    #[test]
    fn the_limit_is_max_pass_times_min_rt() {
        let l = limiter(900);
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
        let l = limiter(100);
        l.in_flight.store(1000, Ordering::Release);
        assert!(!l.should_drop(Instant::now()));

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
}
