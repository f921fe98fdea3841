//! Service registry and discovery, as Kratos' `registry` package: a service instance announces
//! itself through a [`Registrar`] when it starts and withdraws before it stops; clients find the
//! live instances of a service through a [`Discovery`] and follow its [`Watcher`].
//!
//! - [`MemoryRegistry`]: both traits in one process (tests, single-binary setups).
//! - `EtcdRegistry` (feature `etcd`): etcd v3 with leases, compatible with Go Kratos'
//!   `contrib/registry/etcd`, so Go and Rust instances find each other in one etcd.
//!
//! ```
//! # async fn run() -> Result<(), kratos::errors::Error> {
//! use kratos::registry::{Discovery, MemoryRegistry, Registrar, ServiceInstance};
//!
//! let registry = MemoryRegistry::new();
//! let mut watcher = registry.watch("helloworld").await?;
//! assert!(watcher.next().await.unwrap().is_empty());
//!
//! let instance = ServiceInstance::new("a1", "helloworld")
//!     .version("v1.0.0")
//!     .endpoint("http://127.0.0.1:8000");
//! registry.register(&instance).await?;
//! assert_eq!(watcher.next().await.unwrap()[0].id, "a1");
//! # Ok(())
//! # }
//! ```

mod instance;
mod memory;
mod watcher;

#[cfg(feature = "etcd")]
pub mod etcd;

use std::future::Future;
use std::pin::Pin;

pub use instance::ServiceInstance;
pub use memory::MemoryRegistry;
pub use watcher::Watcher;

#[cfg(feature = "etcd")]
pub use etcd::EtcdRegistry;

use crate::errors::Error;

/// A boxed future borrowing its receiver, so the traits stay usable as `dyn`.
pub type RegistryFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>;

/// Announces service instances: Kratos' `registry.Registrar`.
pub trait Registrar: Send + Sync + 'static {
    /// Announces `instance` (registering one id again replaces it); it stays visible until
    /// [`deregister`](Self::deregister), or until the registrar's process is gone for
    /// registries with leases.
    fn register<'a>(&'a self, instance: &'a ServiceInstance) -> RegistryFuture<'a, ()>;

    /// Withdraws `instance` (by name and id); withdrawing an unknown one is not an error.
    fn deregister<'a>(&'a self, instance: &'a ServiceInstance) -> RegistryFuture<'a, ()>;
}

/// Finds service instances: Kratos' `registry.Discovery`.
pub trait Discovery: Send + Sync + 'static {
    /// The instances of `name` registered now.
    fn get_service<'a>(&'a self, name: &'a str) -> RegistryFuture<'a, Vec<ServiceInstance>>;

    /// Follows the instances of `name`: the watcher's first [`next`](Watcher::next) gives the
    /// current list, each later one the full list after a change.
    fn watch<'a>(&'a self, name: &'a str) -> RegistryFuture<'a, Watcher>;
}
