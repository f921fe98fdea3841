//! Power of two choices (Kratos' p2c): of two nodes drawn at random, the one with the better
//! health over load, where load is the latency average times the calls in flight; a node not
//! picked for a while gets a call anyway, so its statistics stay current.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use super::{Balancer, Node, Picker};

/// A node passed over for this long gets the next call it is drawn for (Kratos: 25 ms), at
/// most one such call at a time.
const FORCE_PICK: Duration = Duration::from_millis(25);

/// Power of two choices over latency (EWMA, 600 ms mean lifetime), calls in flight and
/// success rate; needs the calls' outcomes, which the clients report.
#[derive(Debug, Clone, Copy, Default)]
pub struct PowerOfTwoChoices;

impl Balancer for PowerOfTwoChoices {
    fn build(&self, nodes: Vec<Arc<Node>>) -> Box<dyn Picker> {
        Box::new(TwoChoices {
            nodes,
            forcing: AtomicBool::new(false),
        })
    }
}

struct TwoChoices {
    nodes: Vec<Arc<Node>>,
    forcing: AtomicBool,
}

impl Picker for TwoChoices {
    fn pick(&self) -> Option<&Arc<Node>> {
        let count = self.nodes.len();
        if count < 2 {
            return self.nodes.first();
        }
        let first = fastrand::usize(..count);
        // A second index different from the first.
        let second = (first + 1 + fastrand::usize(..count - 1)) % count;
        let (a, b) = (&self.nodes[first], &self.nodes[second]);
        let (better, worse) = if a.stats.score() >= b.stats.score() {
            (a, b)
        } else {
            (b, a)
        };
        if worse.stats.since_pick() > FORCE_PICK
            && self
                .forcing
                .compare_exchange(false, true, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            // Mark it picked before letting the next forced pick through.
            worse.stats.mark_picked();
            self.forcing.store(false, Ordering::Relaxed);
            return Some(worse);
        }
        Some(better)
    }

    fn nodes(&self) -> &[Arc<Node>] {
        &self.nodes
    }

    fn reads_call_statistics(&self) -> bool {
        true
    }
}
