//! `discovery:///name` targets: the clients' side of service discovery. A [`Resolver`]
//! follows a [`Discovery`] watch into a [`Selector`] in a background task, and hands each call
//! attempt a node.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::watch;

use crate::balancer::{Balancer, NodeFilter, Picked, Selector};
use crate::errors::Error;
use crate::errors::reasons;
use crate::registry::Discovery;

/// The scheme of targets resolved through a [`Discovery`].
pub(crate) const DISCOVERY_SCHEME: &str = "discovery://";

/// How long a call waits for the first instance list of a new client (when its own time limit
/// is longer or absent).
const FIRST_LIST_WAIT: Duration = Duration::from_secs(5);

const MIN_BACKOFF: Duration = Duration::from_millis(100);
const MAX_BACKOFF: Duration = Duration::from_secs(2);

/// The service name of `discovery:///name` (`discovery://authority/name` too, as Kratos
/// accepts); `None` for other targets.
pub(crate) fn service_name(target: &str) -> Option<Result<&str, Error>> {
    let rest = target.strip_prefix(DISCOVERY_SCHEME)?;
    let name = rest.split_once('/').map_or("", |(_, name)| name);
    Some(if name.is_empty() || name.contains(['/', '?', '#']) {
        Err(Error::new(
            400,
            reasons::INVALID_CONFIG,
            format!("invalid discovery target {target:?}; expected discovery:///service-name"),
        ))
    } else {
        Ok(name)
    })
}

/// What a client needs to resolve its target through discovery; set on its builder.
#[derive(Default)]
pub(crate) struct DiscoveryConfig {
    pub(crate) discovery: Option<Arc<dyn Discovery>>,
    pub(crate) balancer: Option<Box<dyn Balancer>>,
    pub(crate) filters: Vec<NodeFilter>,
}

/// The live nodes of one service for one transport, kept current by a background task that
/// ends when the resolver is dropped.
pub(crate) struct Resolver {
    name: String,
    target: String,
    selector: Arc<Selector>,
    listed: watch::Receiver<bool>,
    /// Set with `listed`, read first: a call then takes no lock once the first list came.
    has_listed: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<()>,
}

impl std::fmt::Debug for Resolver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Resolver")
            .field("name", &self.name)
            .field("nodes", &self.selector.len())
            .finish_non_exhaustive()
    }
}

impl Drop for Resolver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Resolver {
    /// Starts following `name` (endpoints with `scheme`); needs a Tokio runtime.
    pub(crate) fn start(name: &str, scheme: &str, config: DiscoveryConfig) -> Result<Self, Error> {
        let invalid = |message: String| Error::new(400, reasons::INVALID_CONFIG, message);
        let Some(discovery) = config.discovery else {
            return Err(invalid(format!(
                "the target discovery:///{name} needs a Discovery: set one on the builder \
                 (.discovery(registry))"
            )));
        };
        let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
            invalid(format!(
                "a client of discovery:///{name} follows the registry in a Tokio task: build \
                 it inside a Tokio runtime"
            ))
        })?;
        let balancer = config
            .balancer
            .unwrap_or_else(|| Box::new(crate::balancer::WeightedRoundRobin));
        let selector = Arc::new(Selector::with_filters(balancer, scheme, config.filters));
        let (listed_sender, listed) = watch::channel(false);
        let has_listed = Arc::new(AtomicBool::new(false));
        let task = runtime.spawn(follow(
            discovery,
            name.to_owned(),
            Arc::clone(&selector),
            (listed_sender, Arc::clone(&has_listed)),
        ));
        Ok(Self {
            name: name.to_owned(),
            target: format!("discovery:///{name}"),
            selector,
            listed,
            has_listed,
            task,
        })
    }

    /// `discovery:///name`.
    pub(crate) fn target(&self) -> &str {
        &self.target
    }

    /// A node for one call attempt, avoiding `tried`. A new client waits for its first
    /// instance list (up to 5 s, or `limit` if shorter).
    pub(crate) async fn select(
        &self,
        tried: &[String],
        limit: Option<Duration>,
    ) -> Result<Picked, Error> {
        if !self.has_listed.load(Ordering::Acquire) && !*self.listed.borrow() {
            let wait = limit.map_or(FIRST_LIST_WAIT, |limit| limit.min(FIRST_LIST_WAIT));
            let mut listed = self.listed.clone();
            let _ = tokio::time::timeout(wait, listed.wait_for(|listed| *listed)).await;
        }
        self.selector.select(tried).map_err(|error| {
            Error::new(
                error.code(),
                error.reason().to_owned(),
                format!("discovery:///{}: {}", self.name, error.message()),
            )
        })
    }
}

impl Resolver {
    /// A node for one call now, without waiting for a first list.
    pub(crate) fn select_now(&self) -> Result<Picked, Error> {
        self.selector.select(&[])
    }
}

/// Feeds the selector from the watch, watching again (with a backoff) after failures.
async fn follow(
    discovery: Arc<dyn Discovery>,
    name: String,
    selector: Arc<Selector>,
    (listed, has_listed): (watch::Sender<bool>, Arc<AtomicBool>),
) {
    let mut backoff = MIN_BACKOFF;
    loop {
        match discovery.watch(&name).await {
            Ok(mut watcher) => {
                while let Some(list) = watcher.next().await {
                    selector.update(&list);
                    has_listed.store(true, Ordering::Release);
                    listed.send_replace(true);
                    backoff = MIN_BACKOFF;
                }
                tracing::warn!(service = %name, "discovery: the watch ended; watching again");
            }
            Err(error) => {
                tracing::warn!(service = %name, %error, "discovery: cannot watch; retrying");
            }
        }
        tokio::time::sleep(backoff).await;
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// Whether a failed attempt is worth reporting as the node being unwell (Kratos: unavailable
/// or timed out).
pub(crate) fn is_unhealthy(error: &Error) -> bool {
    matches!(error.code(), 503 | 504)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_of_targets() {
        assert_eq!(
            service_name("discovery:///helloworld").unwrap().unwrap(),
            "helloworld"
        );
        assert_eq!(
            service_name("discovery://ns/helloworld").unwrap().unwrap(),
            "helloworld"
        );
        assert!(service_name("discovery:///").unwrap().is_err());
        assert!(service_name("discovery:///a/b").unwrap().is_err());
        assert!(service_name("http://127.0.0.1:8000").is_none());
    }
}
