//! The configuration: a file or a directory (`--conf`, default `configs/` when it exists), then
//! `PROJECTNAME_*` environment variables, scanned into [`Conf`] by `kratos::config`; built-in
//! defaults for whatever is not set.

use std::net::SocketAddr;
use std::path::Path;
use std::time::Duration;

use kratos::config::{Config, ConfigError, EnvSource, FileSource};
use serde::Deserialize;

/// The configuration directory read when `--conf` is not given (if it exists).
pub const DEFAULT_DIR: &str = "configs";

/// Environment variables with this prefix override the files
/// (`PROJECTNAME_SERVER_HTTP_ADDR=0.0.0.0:8000` sets `server.http.addr`).
pub const ENV_PREFIX: &str = "PROJECTNAME_";

/// Everything the service reads from its configuration.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(default)]
pub struct Conf {
    /// `server.http` and `server.grpc`.
    pub server: ServerConf,
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

/// One server's address and call timeout.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EndpointConf {
    /// `addr`: IP:PORT to listen on (port 0: any free port).
    pub addr: SocketAddr,
    /// `timeout`: the per-call timeout, written the Go way (`1s`, `500ms`).
    pub timeout: Duration,
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
/// does not parse or holds a wrong value is an error naming it, before anything binds. Keep
/// the returned [`Config`] to watch keys that change while the service runs.
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
