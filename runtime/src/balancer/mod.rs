//! Client-side load balancing, as Kratos' `selector`: the live instances of a service become
//! [`Node`]s (one address each, for the client's transport), [node filters](filter) keep the
//! ones a client may call, and a [`Balancer`] picks one per call:
//!
//! - [`WeightedRoundRobin`] (the default), in proportion to the `weight` metadata (100 when
//!   absent), spread evenly;
//! - [`PowerOfTwoChoices`], by latency (EWMA), calls in flight and success rate, as Kratos' p2c;
//! - [`Random`], uniform.
//!
//! A pick never takes a lock: it loads the current node set from an atomically swapped pointer
//! and then uses atomics only, so picks neither wait for each other nor for an update, which
//! builds a new set aside and swaps it in.
//! (The HTTP and gRPC clients use this for `discovery:///name` targets; this module is also
//! usable on its own.)
//!
//! ```
//! use kratos::balancer::{Selector, WeightedRoundRobin};
//! use kratos::registry::ServiceInstance;
//!
//! let selector = Selector::new(WeightedRoundRobin, "http");
//! selector.update(&[
//!     ServiceInstance::new("a", "s").metadata("weight", "3").endpoint("http://10.0.0.1:8000"),
//!     ServiceInstance::new("b", "s").metadata("weight", "1").endpoint("http://10.0.0.2:8000"),
//! ]);
//! let picks: Vec<String> = (0..4)
//!     .map(|_| selector.select(&[]).unwrap().node().address().to_owned())
//!     .collect();
//! assert_eq!(picks.iter().filter(|a| *a == "10.0.0.1:8000").count(), 3);
//! ```

pub mod filter;
mod node;
mod p2c;
mod random;
mod wrr;

use std::collections::HashMap;
use std::sync::{Arc, PoisonError};
use std::time::Instant;

use arc_swap::ArcSwapOption;

pub use filter::NodeFilter;
pub use node::{DEFAULT_WEIGHT, Node};
pub use p2c::PowerOfTwoChoices;
pub use random::Random;
pub use wrr::WeightedRoundRobin;

use crate::errors::Error;
use crate::errors::reasons;
use crate::registry::ServiceInstance;

/// A balancing strategy: builds a [`Picker`] for each node set.
pub trait Balancer: Send + Sync + 'static {
    /// A picker over `nodes` (never empty).
    fn build(&self, nodes: Vec<Arc<Node>>) -> Box<dyn Picker>;
}

impl<B: Balancer + ?Sized> Balancer for Box<B> {
    fn build(&self, nodes: Vec<Arc<Node>>) -> Box<dyn Picker> {
        (**self).build(nodes)
    }
}

/// Picks nodes out of one node set; called concurrently by every call.
pub trait Picker: Send + Sync {
    /// The node for the next call.
    fn pick(&self) -> Option<&Arc<Node>>;
    /// The node set.
    fn nodes(&self) -> &[Arc<Node>];

    /// Whether picks read the nodes' call statistics (latency, calls in flight, successes, as
    /// [`PowerOfTwoChoices`] does). Only then does every call record them, which costs clock
    /// reads and floating-point work per call; false by default.
    fn reads_call_statistics(&self) -> bool {
        false
    }
}

/// The nodes of one service for one transport, and the balancer that picks among them.
pub struct Selector {
    balancer: Box<dyn Balancer>,
    scheme: String,
    filters: Vec<NodeFilter>,
    picker: ArcSwapOption<Box<dyn Picker>>,
}

impl std::fmt::Debug for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Selector")
            .field("scheme", &self.scheme)
            .field("filters", &self.filters.len())
            .finish_non_exhaustive()
    }
}

impl Selector {
    /// A selector of the endpoints with `scheme` (`http`, `grpc`), empty until
    /// [`update`](Self::update).
    pub fn new(balancer: impl Balancer, scheme: impl Into<String>) -> Self {
        Self::with_filters(Box::new(balancer), scheme, Vec::new())
    }

    /// A selector with node filters (an instance must pass them all).
    pub fn with_filters(
        balancer: Box<dyn Balancer>,
        scheme: impl Into<String>,
        filters: Vec<NodeFilter>,
    ) -> Self {
        Self {
            balancer,
            scheme: scheme.into(),
            filters,
            picker: ArcSwapOption::empty(),
        }
    }

    /// Replaces the node set with the endpoints of `instances` that have the selector's scheme
    /// and pass the filters. A node whose address was already there keeps its statistics.
    pub fn update(&self, instances: &[ServiceInstance]) {
        let previous = self.picker.load_full();
        let previous_nodes = previous.as_ref().map_or(&[][..], |picker| picker.nodes());
        let known: HashMap<&str, &Arc<Node>> = previous_nodes
            .iter()
            .map(|node| (node.address(), node))
            .collect();
        let mut nodes = Vec::with_capacity(instances.len());
        for instance in instances {
            if !self.filters.iter().all(|keep| keep(instance)) {
                continue;
            }
            let Some(address) = instance.endpoint_for(&self.scheme) else {
                continue;
            };
            if nodes
                .iter()
                .any(|node: &Arc<Node>| node.address() == address)
            {
                continue;
            }
            let node = match known.get(address) {
                Some(node) if node.instance() == instance => Arc::clone(node),
                _ => Arc::new(Node::new(address, Arc::new(instance.clone()))),
            };
            nodes.push(node);
        }
        let kept: Vec<Arc<Node>> = previous_nodes
            .iter()
            .filter(|old| nodes.iter().any(|node| Arc::ptr_eq(node, old)))
            .cloned()
            .collect();
        let picker = (!nodes.is_empty()).then(|| Arc::new(self.balancer.build(nodes)));
        self.picker.store(picker);
        // Only now that no new pick can return them.
        for gone in previous_nodes
            .iter()
            .filter(|old| !kept.iter().any(|node| Arc::ptr_eq(node, old)))
        {
            gone.mark_removed();
        }
    }

    /// How many nodes calls may go to.
    pub fn len(&self) -> usize {
        self.picker
            .load()
            .as_ref()
            .map_or(0, |picker| picker.nodes().len())
    }

    /// Whether there is no node to call.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Picks the node for a call, avoiding the addresses in `tried` (a retry after a failed
    /// attempt) while another node is left; `503 NO_AVAILABLE_NODE` when none is.
    pub fn select(&self, tried: &[String]) -> Result<Picked, Error> {
        let current = self.picker.load();
        let Some(picker) = current.as_ref() else {
            return Err(Error::new(
                503,
                reasons::NO_AVAILABLE_NODE,
                format!("no {} endpoint of the service is available", self.scheme),
            ));
        };
        let untried = |node: &&Arc<Node>| !tried.iter().any(|address| address == node.address());
        let mut node = picker.pick().filter(untried);
        if node.is_none() && !tried.is_empty() {
            // A few more draws, then the first node not tried yet.
            node = (0..picker.nodes().len())
                .find_map(|_| picker.pick().filter(untried))
                .or_else(|| picker.nodes().iter().find(untried));
        }
        let Some(node) = node else {
            return Err(Error::new(
                503,
                reasons::NO_AVAILABLE_NODE,
                format!(
                    "no {} endpoint of the service is left to try ({} tried)",
                    self.scheme,
                    tried.len()
                ),
            ));
        };
        let started = picker.reads_call_statistics().then(|| {
            node.stats.started();
            Instant::now()
        });
        Ok(Picked {
            node: Arc::clone(node),
            started,
        })
    }
}

/// The node picked for one call; report its outcome with [`done`](Self::done) (dropping it
/// counts as a failure).
#[derive(Debug)]
pub struct Picked {
    node: Arc<Node>,
    /// When the call started, if the picker reads call statistics (`None` once reported).
    started: Option<Instant>,
}

impl Picked {
    /// The node.
    pub fn node(&self) -> &Arc<Node> {
        &self.node
    }

    /// The call ended; `unhealthy` when the failure says the node is unwell (unavailable,
    /// timed out: codes 503 and 504, as Kratos), which lowers its P2C score.
    pub fn done(mut self, unhealthy: bool) {
        if let Some(started) = self.started.take() {
            self.node.stats.finished(started.elapsed(), unhealthy);
        }
    }
}

impl Drop for Picked {
    fn drop(&mut self) {
        if let Some(started) = self.started.take() {
            self.node.stats.finished(started.elapsed(), true);
        }
    }
}

/// Where a call went: a client middleware puts one in the call's
/// [`Context`](crate::transport::Context) extensions, and the HTTP and gRPC clients of
/// `discovery:///` targets record in it the node of each attempt (the last one is where the
/// reply came from). Clones share the slot.
///
/// ```
/// use kratos::balancer::Peer;
/// use kratos::middleware::Handler;
/// use std::sync::Arc;
///
/// let log_peer = |next: Handler| -> Handler {
///     Arc::new(move |mut ctx, request| {
///         let peer = Peer::new();
///         ctx.extensions_mut().insert(peer.clone());
///         let call = next(ctx, request);
///         Box::pin(async move {
///             let reply = call.await;
///             println!("sent to {:?}", peer.address());
///             reply
///         })
///     })
/// };
/// # let _ = log_peer;
/// ```
#[derive(Clone, Debug, Default)]
pub struct Peer {
    node: Arc<std::sync::Mutex<Option<Arc<Node>>>>,
}

impl Peer {
    /// An empty slot.
    pub fn new() -> Self {
        Self::default()
    }

    /// The node of the last attempt, if the call got that far.
    pub fn node(&self) -> Option<Arc<Node>> {
        self.node
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// The `host:port` of the last attempt.
    pub fn address(&self) -> Option<String> {
        self.node().map(|node| node.address().to_owned())
    }

    /// Records the node of an attempt (the clients call this).
    pub fn set(&self, node: &Arc<Node>) {
        *self.node.lock().unwrap_or_else(PoisonError::into_inner) = Some(Arc::clone(node));
    }
}

#[cfg(test)]
mod tests;
