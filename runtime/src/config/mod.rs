//! Configuration, as Kratos' `config` package: [`Source`]s (files, the environment, etcd, your
//! own) loaded and merged in order, `${NAME}` / `${NAME:default}` placeholders resolved, typed
//! reads by dotted key, scans into serde types and protobuf messages, and watches on keys that
//! follow file edits and etcd puts without a restart.
//!
//! - [`FileSource`]: a file or a directory of them; JSON always, YAML with feature `yaml`,
//!   TOML with feature `toml`.
//! - [`EnvSource`]: variables with a prefix (`APP_SERVER_HTTP_ADDR` is `server.http.addr`).
//! - `EtcdSource` (feature `etcd`): a key or a prefix, watched.
//!
//! ```
//! # async fn run() -> Result<(), kratos::config::ConfigError> {
//! use std::time::Duration;
//! use kratos::config::{Config, EnvSource, FileSource};
//!
//! let config = Config::builder()
//!     .source(FileSource::new("configs/config.json"))
//!     .source(EnvSource::new("HELLOWORLD_"))
//!     .load()
//!     .await?;
//! let timeout: Duration = config.get("server.http.timeout")?;
//! config.watch("greeting", |greeting: String| println!("now greeting with {greeting}"));
//! # let _ = timeout;
//! # Ok(())
//! # }
//! ```
//!
//! Values merge key by key, later sources winning; lists and scalars are replaced whole. A
//! string that is exactly `${NAME}` takes the type of what it names; NAME is looked up as a
//! dotted key of the merged configuration, then as an environment variable, then the default
//! after `:` is used; none of the three is an error at load.

mod de;
mod duration;
mod env;
mod error;
#[cfg(feature = "etcd")]
mod etcd;
mod file;
mod format;
mod loaded;
mod placeholder;
mod reload;
mod source;
mod tree;

pub use env::EnvSource;
pub use error::ConfigError;
#[cfg(feature = "etcd")]
pub use etcd::EtcdSource;
pub use file::FileSource;
pub use format::Format;
pub use loaded::{Config, ConfigBuilder};
pub use source::{Source, SourceFuture, Updates};
pub use tree::Layer;
