//! Where configuration comes from: Kratos' `config.Source`.

use std::future::Future;
use std::pin::Pin;

use tokio::sync::mpsc;

use super::error::ConfigError;
use super::tree::Layer;

/// A boxed future borrowing its source, so [`Source`] stays usable as `dyn`.
pub type SourceFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, ConfigError>> + Send + 'a>>;

/// New loads of one source, each its full set of layers (or why it failed to load).
pub type Updates = mpsc::Receiver<Result<Vec<Layer>, ConfigError>>;

/// A source of configuration: files, the environment, etcd, or your own (Consul, Nacos...).
pub trait Source: Send + Sync + 'static {
    /// Reads the source now: its layers, merged in order after those of earlier sources.
    fn load(&self) -> SourceFuture<'_, Vec<Layer>>;

    /// Follows the source: each message is a new [`load`](Self::load) after a change. `None`
    /// for a source that does not change while the process runs (the environment). The source
    /// stops following once the receiver is dropped.
    fn watch(&self) -> SourceFuture<'_, Option<Updates>>;
}
