//! The service's configuration, read the way a kratos-layout service reads its
//! `configs/config.yaml`: a file or a directory (`--conf`, default `configs/` when it exists),
//! then `HELLOWORLD_*` environment variables, scanned into [`Conf`]; built-in defaults for
//! whatever is not set, so the service also runs with no configuration at all.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use kratos::config::{Config, ConfigError, EnvSource, FileSource};
use serde::Deserialize;

use crate::Greeting;

/// The configuration directory read when `--conf` is not given (if it exists).
pub const DEFAULT_DIR: &str = "configs";

/// Environment variables with this prefix override the files (`HELLOWORLD_GREETING=Hi`).
pub const ENV_PREFIX: &str = "HELLOWORLD_";

/// Everything the service reads from its configuration.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct Conf {
    /// `server.http` and `server.grpc`.
    pub server: ServerConf,
    /// `registry`: where the instance announces itself.
    pub registry: RegistryConf,
    /// `greeting`: replies are `"{greeting} {name}"` (default `Hello`); followed while running.
    pub greeting: String,
}

/// The two servers' settings.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default)]
pub struct ServerConf {
    /// `server.http` (default `127.0.0.1:8000`, 1 s).
    pub http: EndpointConf,
    /// `server.grpc` (default `127.0.0.1:9000`, 1 s).
    pub grpc: EndpointConf,
}

/// One server's address and handler timeout.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EndpointConf {
    /// `addr`: IP:PORT to listen on.
    pub addr: SocketAddr,
    /// `timeout`: the per-call timeout, written the Go way (`1s`, `500ms`).
    pub timeout: Duration,
}

/// Registry settings.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
pub struct RegistryConf {
    /// `registry.etcd`: etcd to register in; none by default.
    pub etcd: Option<EtcdConf>,
}

/// An etcd cluster.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EtcdConf {
    /// `registry.etcd.endpoints`: `HOST:PORT` of its members.
    pub endpoints: Vec<String>,
}

impl Default for Conf {
    fn default() -> Self {
        Self {
            server: ServerConf::default(),
            registry: RegistryConf::default(),
            greeting: Greeting::DEFAULT.to_owned(),
        }
    }
}

impl Default for ServerConf {
    fn default() -> Self {
        let endpoint = |port| EndpointConf {
            addr: SocketAddr::from(([127, 0, 0, 1], port)),
            timeout: Duration::from_secs(1),
        };
        Self {
            http: endpoint(8000),
            grpc: endpoint(9000),
        }
    }
}

/// Loads the configuration from `path` (a file or a directory), or from [`DEFAULT_DIR`] when
/// `path` is `None` and that directory exists, then the environment. A file that is missing,
/// does not parse or holds a wrong value is an error here, before anything binds. Keep the
/// returned [`Config`] alive to follow changes.
pub async fn load(path: Option<&Path>) -> Result<(Config, Conf), ConfigError> {
    let mut builder = Config::builder();
    match path {
        Some(path) => builder = builder.source(FileSource::new(path)),
        None if Path::new(DEFAULT_DIR).is_dir() => {
            builder = builder.source(FileSource::new(DEFAULT_DIR));
        }
        None => {}
    }
    let config = builder.source(EnvSource::new(ENV_PREFIX)).load().await?;
    let conf = config.scan()?;
    Ok((config, conf))
}

/// Keeps `greeting` equal to the configuration's `greeting` key as it changes.
pub fn follow_greeting(config: &Config, greeting: &Greeting) {
    let greeting = greeting.clone();
    config.watch("greeting", move |new: String| greeting.set(new));
}
