//! Following a service's instance list.

use std::sync::Arc;

use tokio::sync::watch;

use super::ServiceInstance;

/// Follows the instances of one service: each [`next`](Self::next) waits for the list to
/// change and gives the whole new list (the first gives the current one at once). Changes
/// between two calls are merged: only the latest list is seen. Dropping the watcher stops
/// whatever feeds it.
#[derive(Debug)]
pub struct Watcher {
    receiver: watch::Receiver<Arc<[ServiceInstance]>>,
}

impl Watcher {
    /// A watcher over a channel a registry feeds; the current value is the first `next`.
    pub fn new(mut receiver: watch::Receiver<Arc<[ServiceInstance]>>) -> Self {
        receiver.mark_changed();
        Self { receiver }
    }

    /// The instance list after the next change (at once on the first call); `None` when the
    /// registry stopped feeding this watcher.
    pub async fn next(&mut self) -> Option<Arc<[ServiceInstance]>> {
        self.receiver.changed().await.ok()?;
        Some(Arc::clone(&self.receiver.borrow_and_update()))
    }
}
