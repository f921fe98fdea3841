//! A registry in the process's memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::watch;

use super::{Discovery, Registrar, RegistryFuture, ServiceInstance, Watcher};

/// [`Registrar`] and [`Discovery`] in memory: what one clone registers, every clone sees.
/// For tests, and for services that call each other inside one process.
#[derive(Clone, Debug, Default)]
pub struct MemoryRegistry {
    services: Arc<Mutex<HashMap<String, InstanceList>>>,
}

/// The instances of one service, and its watchers.
type InstanceList = watch::Sender<Arc<[ServiceInstance]>>;

impl MemoryRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies `change` to the list of `name` and tells the watchers.
    fn update(&self, name: &str, change: impl FnOnce(&mut Vec<ServiceInstance>)) {
        self.sender(name).send_modify(|current| {
            let mut list = current.to_vec();
            change(&mut list);
            *current = Arc::from(list);
        });
    }

    fn sender(&self, name: &str) -> InstanceList {
        let mut services = self.services.lock().unwrap_or_else(PoisonError::into_inner);
        services
            .entry(name.to_owned())
            .or_insert_with(|| watch::channel(Arc::from(Vec::new())).0)
            .clone()
    }
}

impl Registrar for MemoryRegistry {
    fn register<'a>(&'a self, instance: &'a ServiceInstance) -> RegistryFuture<'a, ()> {
        self.update(&instance.name, |list| {
            list.retain(|known| known.id != instance.id);
            list.push(instance.clone());
        });
        Box::pin(async { Ok(()) })
    }

    fn deregister<'a>(&'a self, instance: &'a ServiceInstance) -> RegistryFuture<'a, ()> {
        self.update(&instance.name, |list| {
            list.retain(|known| known.id != instance.id);
        });
        Box::pin(async { Ok(()) })
    }
}

impl Discovery for MemoryRegistry {
    fn get_service<'a>(&'a self, name: &'a str) -> RegistryFuture<'a, Vec<ServiceInstance>> {
        let list = self.sender(name).borrow().to_vec();
        Box::pin(async move { Ok(list) })
    }

    fn watch<'a>(&'a self, name: &'a str) -> RegistryFuture<'a, Watcher> {
        let watcher = Watcher::new(self.sender(name).subscribe());
        Box::pin(async move { Ok(watcher) })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn register_replace_and_deregister_reach_watchers() {
        let registry = MemoryRegistry::new();
        let mut watcher = registry.watch("s").await.unwrap();
        assert!(watcher.next().await.unwrap().is_empty());

        let a = ServiceInstance::new("a", "s").endpoint("http://127.0.0.1:1");
        registry.register(&a).await.unwrap();
        assert_eq!(
            watcher.next().await.unwrap().as_ref(),
            std::slice::from_ref(&a)
        );

        let a2 = a.clone().version("v2");
        registry.register(&a2).await.unwrap();
        assert_eq!(watcher.next().await.unwrap().as_ref(), [a2]);
        assert_eq!(registry.get_service("s").await.unwrap().len(), 1);

        registry.deregister(&a).await.unwrap();
        assert!(watcher.next().await.unwrap().is_empty());
        assert!(registry.get_service("other").await.unwrap().is_empty());
    }
}
