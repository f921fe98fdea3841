//! Weighted round robin, the default: calls go to nodes in proportion to their weights,
//! spread evenly (smooth weighted round robin, as Kratos' wrr and nginx).

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::{Balancer, Node, Picker};

/// The longest schedule kept; weights are scaled down to fit (their ratios kept to within
/// one part in this many).
const MAX_SCHEDULE: usize = 4096;

/// Weighted round robin: each node gets calls in proportion to its
/// [`weight`](Node::weight) (metadata `weight`, 100 by default).
#[derive(Debug, Clone, Copy, Default)]
pub struct WeightedRoundRobin;

impl Balancer for WeightedRoundRobin {
    fn build(&self, nodes: Vec<Arc<Node>>) -> Box<dyn Picker> {
        Box::new(Schedule::new(nodes))
    }
}

/// The smooth weighted round robin order of one node set, computed once; a pick is one atomic
/// increment.
struct Schedule {
    nodes: Vec<Arc<Node>>,
    order: Vec<u32>,
    next: AtomicUsize,
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
}

impl Schedule {
    fn new(nodes: Vec<Arc<Node>>) -> Self {
        let weights: Vec<u64> = nodes.iter().map(|node| u64::from(node.weight())).collect();
        let divisor = weights.iter().copied().fold(0, gcd).max(1);
        let mut weights: Vec<u64> = weights.iter().map(|weight| weight / divisor).collect();
        let total: u64 = weights.iter().sum();
        if total > MAX_SCHEDULE as u64 {
            // Keep every node in the schedule, at least once.
            for weight in &mut weights {
                *weight = (*weight * MAX_SCHEDULE as u64 / total).max(1);
            }
        }
        let total: i64 = weights.iter().map(|weight| *weight as i64).sum();
        let mut current = vec![0_i64; weights.len()];
        let mut order = Vec::with_capacity(usize::try_from(total).unwrap_or(0));
        for _ in 0..total {
            let mut best = 0;
            for (index, weight) in weights.iter().enumerate() {
                current[index] += *weight as i64;
                if current[index] > current[best] {
                    best = index;
                }
            }
            current[best] -= total;
            order.push(u32::try_from(best).unwrap_or(0));
        }
        Self {
            nodes,
            order,
            next: AtomicUsize::new(0),
        }
    }
}

impl Picker for Schedule {
    fn pick(&self) -> Option<&Arc<Node>> {
        if self.order.is_empty() {
            return None;
        }
        let turn = self.next.fetch_add(1, Ordering::Relaxed) % self.order.len();
        self.nodes.get(self.order[turn] as usize)
    }

    fn nodes(&self) -> &[Arc<Node>] {
        &self.nodes
    }
}
