//! `kratos::config` end to end: real files (written, edited in place, renamed over, swapped
//! behind symlinks as Kubernetes does), real environment variables (in a child process), and a
//! real etcd for the etcd source.
#![cfg(feature = "yaml")]

mod bootstrap;
mod child;
#[cfg(feature = "etcd")]
mod etcd;
mod files;
mod reload;
mod scan;
mod temp;

use std::time::{Duration, Instant};

use kratos::config::{Config, EnvSource, FileSource};
use temp::TempDir;

/// A configuration of a `config.yaml` holding `text`, then variables starting with `prefix`.
async fn file_then_env(text: &str, prefix: &str) -> (TempDir, Config) {
    let dir = TempDir::new();
    let file = dir.write("config.yaml", text);
    let config = Config::builder()
        .source(FileSource::new(file))
        .source(EnvSource::new(prefix))
        .load()
        .await
        .unwrap();
    (dir, config)
}

/// How errors name a file source.
fn file_origin(file: &std::path::Path) -> String {
    format!("file {}", file.display())
}

/// Waits (up to 10 s) until `condition` holds, checking every 20 ms.
async fn eventually(what: &str, mut condition: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !condition() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
