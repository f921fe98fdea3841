//! Node filters: which instances a client may call at all.

use std::sync::Arc;

use crate::registry::ServiceInstance;

/// Keeps the instances for which it returns true; applied whenever the instance list changes.
pub type NodeFilter = Arc<dyn Fn(&ServiceInstance) -> bool + Send + Sync>;

/// Only instances of this version (Kratos' `filter.Version`).
pub fn version(version: impl Into<String>) -> NodeFilter {
    let version = version.into();
    Arc::new(move |instance| instance.version == version)
}

/// Only instances whose metadata has `key` set to `value`.
pub fn metadata(key: impl Into<String>, value: impl Into<String>) -> NodeFilter {
    let (key, value) = (key.into(), value.into());
    Arc::new(move |instance| instance.metadata.get(&key) == Some(&value))
}
