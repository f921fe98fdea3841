//! etcd keys as configuration (Kratos' `contrib/config/etcd`), watched.

use std::time::Duration;

use etcd_client::{Client, GetOptions, WatchOptions};
use tokio::sync::mpsc;

use super::error::ConfigError;
use super::format::Format;
use super::source::{Source, SourceFuture, Updates};
use super::tree::Layer;

/// One etcd key, or every key under a prefix (merged in key order), as a [`Source`]. Each
/// value is a document in the format its key's extension names (`/config/app.yaml`), or in
/// the one set with [`format`](Self::format).
///
/// Watching follows the key (or prefix) with an etcd watch and reads it again on each change;
/// a lost watch is started again after a pause (1 s, doubling up to 30 s).
#[derive(Clone)]
pub struct EtcdSource {
    client: Client,
    key: String,
    prefix: bool,
    format: Option<Format>,
}

const MIN_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

impl EtcdSource {
    /// The key `key`, read through `client`.
    pub fn new(client: Client, key: impl Into<String>) -> Self {
        Self {
            client,
            key: key.into(),
            prefix: false,
            format: None,
        }
    }

    /// Reads every key starting with the key given to [`new`](Self::new), not just that one.
    #[must_use]
    pub fn prefix(mut self) -> Self {
        self.prefix = true;
        self
    }

    /// The format of every value, whatever the keys' names.
    #[must_use]
    pub fn format(mut self, format: Format) -> Self {
        self.format = Some(format);
        self
    }

    fn origin(&self) -> String {
        format!("etcd {}", self.key)
    }

    async fn read(&self) -> Result<Vec<Layer>, ConfigError> {
        let mut client = self.client.clone();
        let options = self.prefix.then(|| GetOptions::new().with_prefix());
        let answer = client
            .get(self.key.as_str(), options)
            .await
            .map_err(|error| {
                ConfigError::new(format!("cannot read from etcd: {error}"))
                    .with_origin(self.origin())
            })?;
        if answer.kvs().is_empty() && !self.prefix {
            return Err(ConfigError::new("no such key in etcd").with_origin(self.origin()));
        }
        // etcd answers in key order.
        answer
            .kvs()
            .iter()
            .map(|pair| {
                let key = String::from_utf8_lossy(pair.key());
                let origin = format!("etcd {key}");
                let format = self
                    .format
                    .or_else(|| Format::from_name(&key))
                    .ok_or_else(|| {
                        ConfigError::new(
                        "cannot tell the format: end the key with .yaml, .json or .toml, or set \
                         EtcdSource::format",
                    )
                    .with_origin(origin.as_str())
                    })?;
                Ok(Layer::new(
                    origin.as_str(),
                    format.parse(pair.value(), &origin)?,
                ))
            })
            .collect()
    }

    async fn follow(&self, sender: &mpsc::Sender<Result<Vec<Layer>, ConfigError>>) -> ConfigError {
        let mut watching = self.client.clone();
        let options = self.prefix.then(|| WatchOptions::new().with_prefix());
        let mut stream = match watching.watch(self.key.as_str(), options).await {
            Ok(stream) => stream,
            Err(error) => return ConfigError::new(format!("cannot watch: {error}")),
        };
        // Changes made before the watch started would be missed: read once now.
        if sender.send(self.read().await).await.is_err() {
            return ConfigError::new("stopped");
        }
        loop {
            match stream.message().await {
                Ok(Some(answer)) if answer.canceled() => {
                    return ConfigError::new(format!(
                        "the watch was canceled: {}",
                        answer.cancel_reason()
                    ));
                }
                Ok(Some(answer)) if answer.events().is_empty() => {}
                Ok(Some(_)) => {
                    if sender.send(self.read().await).await.is_err() {
                        return ConfigError::new("stopped");
                    }
                }
                Ok(None) => return ConfigError::new("the watch stream ended"),
                Err(error) => return ConfigError::new(format!("the watch failed: {error}")),
            }
        }
    }
}

impl Source for EtcdSource {
    fn load(&self) -> SourceFuture<'_, Vec<Layer>> {
        Box::pin(self.read())
    }

    fn watch(&self) -> SourceFuture<'_, Option<Updates>> {
        let source = self.clone();
        Box::pin(async move {
            let (sender, receiver) = mpsc::channel(1);
            tokio::spawn(async move {
                let mut backoff = MIN_BACKOFF;
                loop {
                    let started = tokio::time::Instant::now();
                    tokio::select! {
                        () = sender.closed() => return,
                        error = source.follow(&sender) => {
                            let error = error.with_origin(source.origin());
                            tracing::warn!(%error, "config: etcd watch lost; starting over");
                        }
                    }
                    // A watch that held for a while was not failing: start the pauses over.
                    if started.elapsed() > MAX_BACKOFF {
                        backoff = MIN_BACKOFF;
                    }
                    tokio::select! {
                        () = sender.closed() => return,
                        () = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            });
            Ok(Some(receiver))
        })
    }
}
