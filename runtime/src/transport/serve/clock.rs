//! The time a server's connections stamp the end of each call with: read from the system
//! clock by one task every [`CoarseClock::TICK`], not by every call (as nginx caches its time).
//! A clock read on every call cost GET about 3% of its throughput on the benchmark machine.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use tokio::time::{Instant, MissedTickBehavior};

const TICK_MILLIS: u64 = 50;

/// Milliseconds since the clock started, as of its last tick.
#[derive(Debug)]
pub(super) struct CoarseClock {
    origin: Instant,
    millis: AtomicU64,
}

impl CoarseClock {
    /// How often the clock is read; a reading is at most this old (more when the runtime is
    /// too busy to run the ticking task on time).
    pub(super) const TICK: Duration = Duration::from_millis(TICK_MILLIS);

    /// A clock ticking on the current runtime until its last handle is dropped.
    pub(super) fn start() -> Arc<Self> {
        let clock = Arc::new(Self::stopped());
        let ticking = Arc::downgrade(&clock);
        tokio::spawn(tick(ticking));
        clock
    }

    /// A clock that does not tick (tests set its time with [`CoarseClock::advance`]).
    pub(super) fn stopped() -> Self {
        Self {
            origin: Instant::now(),
            millis: AtomicU64::new(0),
        }
    }

    /// The instant `millis` after the clock's origin.
    pub(super) fn at(&self, millis: u64) -> Instant {
        self.origin + Duration::from_millis(millis)
    }

    /// The system clock now, in the clock's milliseconds (one real read).
    pub(super) fn now_exact(&self) -> u64 {
        millis_since(self.origin)
    }

    /// The clock's last reading plus one tick: not earlier than now unless the ticking task
    /// fell behind, and at most a tick later.
    pub(super) fn now_or_later(&self) -> u64 {
        self.millis
            .load(Ordering::Relaxed)
            .saturating_add(TICK_MILLIS)
    }

    #[cfg(test)]
    pub(super) fn advance(&self, by: Duration) {
        let by = u64::try_from(by.as_millis()).unwrap_or(u64::MAX);
        self.millis.fetch_add(by, Ordering::Relaxed);
    }
}

async fn tick(clock: Weak<CoarseClock>) {
    let mut ticks = tokio::time::interval(CoarseClock::TICK);
    ticks.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let Some(clock) = clock.upgrade() else {
            return;
        };
        clock
            .millis
            .store(millis_since(clock.origin), Ordering::Relaxed);
    }
}

fn millis_since(origin: Instant) -> u64 {
    u64::try_from(origin.elapsed().as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_clock_follows_the_system_clock_within_a_tick_and_stops_with_its_handles() {
        let clock = CoarseClock::start();
        tokio::time::sleep(CoarseClock::TICK * 4).await;
        let exact = clock.now_exact();
        let coarse = clock.now_or_later();
        // Within a tick of the true time either way (the reading is up to a tick old, and a
        // tick is added), with slack for a slow test machine.
        assert!(
            coarse + 2 * TICK_MILLIS >= exact,
            "coarse {coarse} ms, exact {exact} ms"
        );
        assert!(
            coarse <= exact + 4 * TICK_MILLIS,
            "coarse {coarse} ms, exact {exact} ms"
        );
        let ticking = Arc::downgrade(&clock);
        drop(clock);
        assert!(ticking.upgrade().is_none());
    }
}
