//! Where the metrics middleware records: one lock-free series per (side, kind, operation).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use crate::middleware::FnvMap;

/// The histogram's upper bounds, in seconds (Kratos' example buckets).
pub const BUCKETS: [f64; 8] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(super) enum Side {
    Server,
    Client,
}

impl Side {
    pub(super) fn name(self) -> &'static str {
        match self {
            Self::Server => "server",
            Self::Client => "client",
        }
    }
}

/// One (side, kind, operation). A call is recorded with a few atomic additions and no lock;
/// only failed calls, a handful of (code, reason) pairs per operation, take the mutex.
#[derive(Debug, Default)]
pub(super) struct Series {
    /// Calls by latency bucket, not cumulative (the exposition sums them); the last slot
    /// counts calls slower than every bound, so every `position` in `BUCKETS` (or its length)
    /// indexes a slot.
    pub(super) buckets: [AtomicU64; BUCKETS.len() + 1],
    /// The sum of latencies in nanoseconds: exact, turned into seconds when rendered.
    pub(super) nanos: AtomicU64,
    /// Successful calls: code 0, empty reason.
    succeeded: AtomicU64,
    /// Failed calls by code and reason.
    failed: Mutex<Vec<(i32, String, u64)>>,
}

impl Series {
    pub(super) fn record(&self, code: i32, reason: &str, latency: Duration) {
        if code == 0 && reason.is_empty() {
            self.succeeded.fetch_add(1, Ordering::Relaxed);
        } else {
            self.record_failure(code, reason);
        }
        let seconds = latency.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BUCKETS.len());
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// The counts by (code, reason), successes first.
    /// Counts a failed call by its code and reason (rare, hence the lock and out of line).
    #[cold]
    fn record_failure(&self, code: i32, reason: &str) {
        let mut failed = self.failed.lock().unwrap_or_else(PoisonError::into_inner);
        match failed
            .iter_mut()
            .find(|(c, r, _)| *c == code && r == reason)
        {
            Some((_, _, count)) => *count += 1,
            None => failed.push((code, reason.to_owned(), 1)),
        }
    }

    pub(super) fn requests(&self) -> Vec<(i32, String, u64)> {
        let mut requests = Vec::new();
        let succeeded = self.succeeded.load(Ordering::Relaxed);
        if succeeded > 0 {
            requests.push((0, String::new(), succeeded));
        }
        requests.extend(
            self.failed
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .cloned(),
        );
        requests
    }
}

pub(super) type Key = (Side, &'static str, &'static str);

/// Series live as long as the program: one per (side, kind, operation), a set as fixed as the
/// operation names labelling them, and a call then records without a reference count.
type SeriesMap = FnvMap<Key, &'static Series>;

/// Where the metrics of any number of middleware go; render it with [`Registry::render`], or
/// serve it with [`Server::metrics`](crate::transport::http::Server::metrics). Clones share
/// the data.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    pub(super) series: Arc<RwLock<SeriesMap>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// The series of (side, kind, operation), created on first use.
    pub(super) fn series(
        &self,
        side: Side,
        kind: &'static str,
        operation: &'static str,
    ) -> &'static Series {
        let key = (side, kind, operation);
        if let Some(series) = self
            .series
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return series;
        }
        self.series
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_insert_with(|| Box::leak(Box::default()))
    }
}
