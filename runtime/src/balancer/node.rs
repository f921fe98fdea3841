//! One instance's endpoint as a balancer sees it, with the call statistics P2C reads.

use std::any::Any;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use crate::registry::ServiceInstance;

/// Kratos' weight of an instance without a `weight` in its metadata.
pub const DEFAULT_WEIGHT: u32 = 100;

/// An endpoint calls may go to: one instance's address for one transport.
pub struct Node {
    address: String,
    weight: u32,
    instance: Arc<ServiceInstance>,
    pub(super) stats: Stats,
    /// The transport's connection to the node (the gRPC client's channel), made on first use
    /// and dropped with the node.
    connection: OnceLock<Box<dyn Any + Send + Sync>>,
    /// When a selector update dropped the node from the set picks are made from.
    removed: OnceLock<Instant>,
}

impl std::fmt::Debug for Node {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Node")
            .field("address", &self.address)
            .field("weight", &self.weight)
            .field("instance", &self.instance.id)
            .finish_non_exhaustive()
    }
}

impl Node {
    /// A node at `address` (`host:port`) of `instance`, weighted by its `weight` metadata (a
    /// positive integer; [`DEFAULT_WEIGHT`] when absent or invalid), as Kratos.
    pub fn new(address: impl Into<String>, instance: Arc<ServiceInstance>) -> Self {
        let weight = instance
            .metadata
            .get("weight")
            .and_then(|weight| weight.trim().parse::<u32>().ok())
            .filter(|weight| *weight > 0)
            .unwrap_or(DEFAULT_WEIGHT);
        Self {
            address: address.into(),
            weight,
            instance,
            stats: Stats::new(),
            connection: OnceLock::new(),
            removed: OnceLock::new(),
        }
    }

    /// The connection cached on this node, made by `connect` on first use; `None` if a
    /// connection of another type is cached.
    pub(crate) fn connection<T: Clone + Send + Sync + 'static>(
        &self,
        connect: impl FnOnce() -> T,
    ) -> Option<T> {
        self.connection
            .get_or_init(|| Box::new(connect()))
            .downcast_ref::<T>()
            .cloned()
    }

    /// `host:port`.
    pub fn address(&self) -> &str {
        &self.address
    }

    /// The weighted round robin weight.
    pub fn weight(&self) -> u32 {
        self.weight
    }

    /// The instance this node belongs to (id, version, metadata).
    pub fn instance(&self) -> &ServiceInstance {
        &self.instance
    }

    /// When the [`Selector`](super::Selector) dropped this node from its set (its instance
    /// left the watch's list, or no longer passes the filters): no pick that starts after this
    /// instant returns it. Calls picked before may still be under way. `None` while in the set.
    pub fn removed_at(&self) -> Option<Instant> {
        self.removed.get().copied()
    }

    /// Records that the node left the set, once the set without it is in place.
    pub(super) fn mark_removed(&self) {
        let _ = self.removed.set(Instant::now());
    }
}

/// Per-node call statistics, all atomics so picking never locks (Kratos' ewma node, without
/// its prediction from the list of calls in flight).
#[derive(Debug)]
pub(super) struct Stats {
    /// Exponentially weighted moving average of the latency, in nanoseconds (0: no data yet).
    lag: AtomicU64,
    /// EWMA of successes, 0..=1000.
    success: AtomicU64,
    /// Calls in flight, plus one (so an idle node's load is its latency).
    inflight: AtomicI64,
    /// Nanoseconds since `epoch` of the last update of the averages.
    stamp: AtomicU64,
    /// Nanoseconds since `epoch` of the last pick.
    last_pick: AtomicU64,
    epoch: Instant,
}

/// The mean lifetime of a latency sample (Kratos: 600 ms).
const TAU: f64 = 600_000_000.0;
/// The load of a node nothing is known about yet (Kratos: 10 s per call in flight).
const PENALTY: u64 = 10_000_000_000;

impl Stats {
    fn new() -> Self {
        Self {
            lag: AtomicU64::new(0),
            success: AtomicU64::new(1000),
            inflight: AtomicI64::new(1),
            stamp: AtomicU64::new(0),
            last_pick: AtomicU64::new(0),
            epoch: Instant::now(),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.epoch.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// Records a pick now (the forced pick marks it before the call starts).
    pub(super) fn mark_picked(&self) {
        self.last_pick.store(self.now(), Ordering::Relaxed);
    }

    /// A call to the node starts.
    pub(super) fn started(&self) {
        self.mark_picked();
        self.inflight.fetch_add(1, Ordering::Relaxed);
    }

    /// Time since the last pick.
    pub(super) fn since_pick(&self) -> Duration {
        Duration::from_nanos(
            self.now()
                .saturating_sub(self.last_pick.load(Ordering::Relaxed)),
        )
    }

    /// A call picked earlier finished after `latency`; `failed` when it failed for a reason
    /// that says the node is unwell (unavailable, timed out).
    pub(super) fn finished(&self, latency: Duration, failed: bool) {
        self.inflight.fetch_sub(1, Ordering::Relaxed);
        let now = self.now();
        let elapsed = now.saturating_sub(self.stamp.swap(now, Ordering::Relaxed));
        let old_lag = self.lag.load(Ordering::Relaxed);
        // A new sample counts more the longer it has been since the last one.
        let decay = if old_lag == 0 {
            0.0
        } else {
            (-(elapsed as f64) / TAU).exp()
        };
        let sample = latency.as_nanos() as f64;
        let lag = (old_lag as f64 * decay + sample * (1.0 - decay)).max(1.0);
        self.lag.store(lag as u64, Ordering::Relaxed);
        let outcome = if failed { 0.0 } else { 1000.0 };
        let old_success = self.success.load(Ordering::Relaxed) as f64;
        let success = old_success * decay + outcome * (1.0 - decay);
        self.success.store(success as u64, Ordering::Relaxed);
    }

    /// Higher is better: health over load (Kratos' ewma `Weight`).
    pub(super) fn score(&self) -> f64 {
        let inflight = self.inflight.load(Ordering::Relaxed).max(1) as u64;
        let lag = self.lag.load(Ordering::Relaxed);
        let load = if lag == 0 {
            PENALTY.saturating_mul(inflight)
        } else {
            lag.saturating_mul(inflight)
        };
        (self.success.load(Ordering::Relaxed) as f64 + 1.0) / load.max(1) as f64
    }
}
