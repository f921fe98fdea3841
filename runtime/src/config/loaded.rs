//! The loaded configuration: typed reads by key, scans, and watches on keys.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use prost_reflect::{DeserializeOptions, DynamicMessage, MessageDescriptor, ReflectMessage};
use serde::de::DeserializeOwned;
use serde_json::Value;
use tokio::sync::{mpsc, watch};
use tokio::task::AbortHandle;

use super::de::{DeError, ValueDeserializer};
use super::error::ConfigError;
use super::reload::{build, reload};
use super::source::Source;
use super::tree::Tree;

/// A configuration merged from its sources, followed while the sources change.
///
/// Cheap to clone (the clones share one configuration); watching stops when the last clone is
/// dropped.
#[derive(Clone)]
pub struct Config {
    shared: Arc<Shared>,
}

struct Shared {
    current: watch::Receiver<Arc<Tree>>,
    tasks: Mutex<Vec<AbortHandle>>,
}

impl Drop for Shared {
    fn drop(&mut self) {
        let tasks = self
            .tasks
            .get_mut()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        for task in tasks.drain(..) {
            task.abort();
        }
    }
}

/// Sources in merge order and the watch settings, for [`Config::builder`].
pub struct ConfigBuilder {
    sources: Vec<Box<dyn Source>>,
    debounce: Duration,
}

impl ConfigBuilder {
    /// The debounce window unless set: 100 ms.
    pub const DEFAULT_DEBOUNCE: Duration = Duration::from_millis(100);

    /// Adds a source; later sources override earlier ones key by key.
    #[must_use]
    pub fn source(mut self, source: impl Source) -> Self {
        self.sources.push(Box::new(source));
        self
    }

    /// How long to wait after a change for more before applying them as one (default 100 ms).
    #[must_use]
    pub fn debounce(mut self, window: Duration) -> Self {
        self.debounce = window;
        self
    }

    /// Loads every source, merges and resolves placeholders, and starts following the sources
    /// that can be watched. Fails on the first source that cannot be read or parsed, or on a
    /// placeholder without a value, so a bad configuration stops a service before it binds.
    pub async fn load(self) -> Result<Config, ConfigError> {
        let mut layers = Vec::with_capacity(self.sources.len());
        for source in &self.sources {
            layers.push(source.load().await?);
        }
        let tree = build(&layers)?;
        let (sender, current) = watch::channel(Arc::new(tree));
        let (updates, receiver) = mpsc::channel(16);
        let mut tasks = Vec::new();
        for (index, source) in self.sources.iter().enumerate() {
            let Some(mut loads) = source.watch().await? else {
                continue;
            };
            let updates = updates.clone();
            let forward = tokio::spawn(async move {
                while let Some(load) = loads.recv().await {
                    if updates.send((index, load)).await.is_err() {
                        return;
                    }
                }
            });
            tasks.push(forward.abort_handle());
        }
        if !tasks.is_empty() {
            let applying = tokio::spawn(reload(receiver, layers, sender, self.debounce));
            tasks.push(applying.abort_handle());
        }
        Ok(Config {
            shared: Arc::new(Shared {
                current,
                tasks: Mutex::new(tasks),
            }),
        })
    }
}

impl Config {
    /// A configuration of no sources yet: add them, then [`load`](ConfigBuilder::load).
    pub fn builder() -> ConfigBuilder {
        ConfigBuilder {
            sources: Vec::new(),
            debounce: ConfigBuilder::DEFAULT_DEBOUNCE,
        }
    }

    fn tree(&self) -> Arc<Tree> {
        self.shared.current.borrow().clone()
    }

    /// The raw value at a dotted key (`server.http`), if set.
    pub fn value(&self, key: &str) -> Option<Value> {
        self.tree().get(key).cloned()
    }

    /// The value at a dotted key read as `T`: a scalar (`get::<u16>("server.port")`), a
    /// `std::time::Duration` written the Go way (`1s`, `500ms`, `1m30s`), or a whole sub-tree
    /// into a serde struct. Strings stand for numbers and booleans (environment variables).
    /// An unset key, or a value of the wrong type, is an error naming the key, its source and
    /// what was expected.
    pub fn get<T: DeserializeOwned>(&self, key: &str) -> Result<T, ConfigError> {
        read(&self.tree(), key)
    }

    /// The whole configuration read as `T`.
    pub fn scan<T: DeserializeOwned>(&self) -> Result<T, ConfigError> {
        self.get("")
    }

    /// The sub-tree at `key` (the empty key for all of it) read as the protobuf message `M`,
    /// with the protobuf JSON mapping: a kratos-layout `Bootstrap` with
    /// `google.protobuf.Duration` fields written `1s`. Unknown keys are ignored.
    pub fn scan_message<M: ReflectMessage + Default>(&self, key: &str) -> Result<M, ConfigError> {
        let descriptor = M::default().descriptor();
        // prost-reflect's protojson reader over the tree itself, not a JSON text: errors keep
        // the key path and source, and environment strings stand for numbers here too.
        let options = DeserializeOptions::new().deny_unknown_fields(false);
        let message = read_with(&self.tree(), key, |value| {
            DynamicMessage::deserialize_with_options(descriptor.clone(), value, &options)
        })
        .map_err(|error| {
            let field = error.key().map(|full| relative(full, key));
            match field.and_then(|field| expected_at(&descriptor, field)) {
                Some(expected) => {
                    let message = format!("{} (expected {expected})", error.message());
                    ConfigError::new(message).with_context_of(&error)
                }
                None => error,
            }
        })?;
        message.transcode_to().map_err(|error| {
            ConfigError::new(format!("not a {}: {error}", descriptor.full_name())).with_key(key)
        })
    }

    /// Calls `on_change` with the new value of `key` each time it changes: not at first, not
    /// when other keys change. A value that no longer reads as `T` is logged (tracing warn) and
    /// skipped; so is a key that was removed. Runs until the configuration is dropped.
    pub fn watch<T, F>(&self, key: &str, mut on_change: F)
    where
        T: DeserializeOwned + Send + 'static,
        F: FnMut(T) + Send + 'static,
    {
        let mut current = self.shared.current.clone();
        let key = key.to_owned();
        let mut last = current.borrow_and_update().get(&key).cloned();
        let task = tokio::spawn(async move {
            while current.changed().await.is_ok() {
                let tree = current.borrow_and_update().clone();
                let now = tree.get(&key).cloned();
                if now == last {
                    continue;
                }
                last = now;
                if last.is_none() {
                    tracing::warn!(%key, "config: a watched key was removed; its watcher keeps the last value");
                    continue;
                }
                match read(&tree, &key) {
                    Ok(value) => on_change(value),
                    Err(error) => {
                        tracing::warn!(%error, "config: a watched key changed to a value of the wrong type");
                    }
                }
            }
        });
        self.shared
            .tasks
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push(task.abort_handle());
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("value", &self.tree().value)
            .finish()
    }
}

fn unset(key: &str) -> ConfigError {
    ConfigError::new("not set").with_key(key)
}

fn read<T: DeserializeOwned>(tree: &Tree, key: &str) -> Result<T, ConfigError> {
    read_with(tree, key, |value| T::deserialize(value))
}

/// Runs `deserialize` over the value at `key`; a failure names the full key of the value that
/// failed, its source, and what was expected.
fn read_with<T>(
    tree: &Tree,
    key: &str,
    deserialize: impl FnOnce(
        serde_path_to_error::Deserializer<'_, '_, ValueDeserializer<'_>>,
    ) -> Result<T, DeError>,
) -> Result<T, ConfigError> {
    let value = tree.get(key).ok_or_else(|| unset(key))?;
    let mut track = serde_path_to_error::Track::new();
    let deserializer = serde_path_to_error::Deserializer::new(ValueDeserializer(value), &mut track);
    deserialize(deserializer).map_err(|error| {
        let path = track.path().to_string();
        let full = match (key.is_empty(), path.as_str()) {
            (_, ".") => key.to_owned(),
            (true, path) => path.to_owned(),
            (false, path) if path.starts_with('[') => format!("{key}{path}"),
            (false, path) => format!("{key}.{path}"),
        };
        let error = ConfigError::new(error.0);
        let error = if full.is_empty() {
            error
        } else {
            error.with_key(&full)
        };
        match tree.origin(&full) {
            Some(origin) => error.with_origin(origin),
            None => error,
        }
    })
}

/// `full` without the leading `key.` (the path inside the scanned sub-tree).
fn relative<'a>(full: &'a str, key: &str) -> &'a str {
    if key.is_empty() {
        return full;
    }
    full.strip_prefix(key)
        .map_or(full, |rest| rest.trim_start_matches('.'))
}

/// What the protobuf field at the dotted `path` of `message` holds, for error messages:
/// `google.protobuf.Duration`, `int32`, `repeated string`...
fn expected_at(message: &MessageDescriptor, path: &str) -> Option<String> {
    let mut message = message.clone();
    let mut parts = path.split('.').peekable();
    while let Some(part) = parts.next() {
        let name = part.split('[').next().unwrap_or(part);
        let field = message
            .get_field_by_name(name)
            .or_else(|| message.get_field_by_json_name(name))?;
        let kind = field.kind();
        if parts.peek().is_none() {
            let name = match kind.as_message() {
                Some(inner) => inner.full_name().to_owned(),
                None => format!("{kind:?}").to_lowercase(),
            };
            let list = field.is_list() && !part.contains('[');
            return Some(if list {
                format!("repeated {name}")
            } else {
                name
            });
        }
        message = kind.as_message()?.clone();
    }
    None
}
