//! A rolling window of time buckets (Kratos' `aegis` rolling counter), shared by the adaptive
//! rate limiter and the circuit breaker.

use std::time::{Duration, Instant};

/// One bucket: the sum of the values added in its time slice and how many there were.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Bucket {
    pub(crate) sum: f64,
    pub(crate) count: u64,
}

/// `size` buckets of `span` each; the window covers `size * span`.
#[derive(Debug)]
pub(crate) struct Window {
    buckets: Vec<Bucket>,
    span: Duration,
    /// Index of the bucket `last` belongs to.
    current: usize,
    /// Start of the current bucket.
    last: Instant,
}

impl Window {
    pub(crate) fn new(size: usize, span: Duration, now: Instant) -> Self {
        Self {
            buckets: vec![Bucket::default(); size.max(1)],
            span: span.max(Duration::from_millis(1)),
            current: 0,
            last: now,
        }
    }

    pub(crate) fn span(&self) -> Duration {
        self.span
    }

    /// Moves the window to `now`, clearing the buckets that fell out of it.
    fn advance(&mut self, now: Instant) {
        let elapsed = now.saturating_duration_since(self.last);
        // Bounded by the process's uptime over a span of at least 1 ms: it fits a usize.
        #[allow(clippy::cast_possible_truncation)]
        let steps = (elapsed.as_nanos() / self.span.as_nanos()) as usize;
        if steps == 0 {
            return;
        }
        let size = self.buckets.len();
        for step in 1..=steps.min(size) {
            self.buckets[(self.current + step) % size] = Bucket::default();
        }
        self.current = (self.current + steps) % size;
        let span_nanos = u64::try_from(self.span.as_nanos()).unwrap_or(u64::MAX);
        let advanced = span_nanos.saturating_mul(steps as u64);
        self.last += Duration::from_nanos(advanced);
    }

    /// Adds `value` to the bucket of `now`.
    pub(crate) fn add(&mut self, now: Instant, value: f64) {
        self.advance(now);
        let bucket = &mut self.buckets[self.current];
        bucket.sum += value;
        bucket.count += 1;
    }

    /// The buckets of the window at `now`, oldest first; with `skip_current`, the bucket still
    /// being filled is left out.
    pub(crate) fn buckets(&mut self, now: Instant, skip_current: bool) -> Vec<Bucket> {
        self.advance(now);
        let size = self.buckets.len();
        let count = if skip_current { size - 1 } else { size };
        (1..=count)
            .map(|back| {
                let offset = if skip_current { back } else { back - 1 };
                self.buckets[(self.current + size - offset) % size]
            })
            .rev()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_roll_out_of_the_window() {
        let start = Instant::now();
        let span = Duration::from_millis(100);
        let mut window = Window::new(3, span, start);
        window.add(start, 1.0);
        window.add(start + span, 2.0);
        window.add(start + span * 2, 4.0);
        let sums: Vec<f64> = window
            .buckets(start + span * 2, false)
            .iter()
            .map(|b| b.sum)
            .collect();
        assert_eq!(sums, [1.0, 2.0, 4.0]);
        let sums: Vec<f64> = window
            .buckets(start + span * 2, true)
            .iter()
            .map(|b| b.sum)
            .collect();
        assert_eq!(sums, [1.0, 2.0]);
        // One span later the oldest bucket is gone; far later, all are.
        let sums: Vec<f64> = window
            .buckets(start + span * 3, false)
            .iter()
            .map(|b| b.sum)
            .collect();
        assert_eq!(sums, [2.0, 4.0, 0.0]);
        let total: f64 = window
            .buckets(start + span * 30, false)
            .iter()
            .map(|b| b.sum)
            .sum();
        assert_eq!(total, 0.0);
    }
}
