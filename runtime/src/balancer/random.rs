//! Random: each call to a node chosen uniformly.

use std::sync::Arc;

use super::{Balancer, Node, Picker};

/// Picks a node uniformly at random (fastrand's thread-local generator).
#[derive(Debug, Clone, Copy, Default)]
pub struct Random;

impl Balancer for Random {
    fn build(&self, nodes: Vec<Arc<Node>>) -> Box<dyn Picker> {
        Box::new(Uniform { nodes })
    }
}

struct Uniform {
    nodes: Vec<Arc<Node>>,
}

impl Picker for Uniform {
    fn pick(&self) -> Option<&Arc<Node>> {
        if self.nodes.is_empty() {
            return None;
        }
        self.nodes.get(fastrand::usize(..self.nodes.len()))
    }

    fn nodes(&self) -> &[Arc<Node>] {
        &self.nodes
    }
}
