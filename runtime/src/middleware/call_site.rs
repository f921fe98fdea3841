//! Per-route memory of a chain's wrapped handler and typed steps.

use std::any::TypeId;
use std::sync::OnceLock;

use super::typed::Step;
use super::{Chain, Handler};

/// A place that runs calls through one chain, such as an HTTP route: it remembers the chain's
/// wrapped handler for its calls, so they skip the chain's shared cache (a lock and a handler
/// reference count, four atomic operations per call), and its own copy of the chain's typed
/// steps (per-route state such as metrics' series lives in that copy).
#[derive(Default)]
pub(crate) struct CallSite {
    pub(super) wrapped: OnceLock<(TypeId, Handler)>,
    steps: OnceLock<Option<Box<[Step]>>>,
}

impl CallSite {
    /// Whether calls here run the chain typed: `None` before the first call.
    #[cfg(test)]
    pub(crate) fn runs_typed(&self) -> Option<bool> {
        self.steps.get().map(Option::is_some)
    }

    /// The chain's typed steps, if it can run them here (once per site, then remembered).
    pub(crate) fn steps(&self, chain: &Chain) -> Option<&[Step]> {
        self.steps
            .get_or_init(|| {
                chain
                    .steps()
                    .filter(|steps| Step::runnable(steps))
                    .map(Vec::into_boxed_slice)
            })
            .as_deref()
    }
}
