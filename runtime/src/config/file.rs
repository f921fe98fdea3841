//! Configuration files: one file, or a directory of them (Kratos' `file.NewSource`).

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tokio::sync::mpsc;

use super::error::ConfigError;
use super::format::Format;
use super::source::{Source, SourceFuture, Updates};
use super::tree::Layer;

/// Files as a [`Source`]: a file in the format its extension names, or a directory, where
/// every file with a known extension is a layer, merged in name order (hidden entries, such as
/// a Kubernetes ConfigMap's `..data`, and subdirectories are skipped).
///
/// Watching polls the files' contents (a hash, every [`poll_interval`](Self::poll_interval)):
/// in-place writes, editors' atomic renames and ConfigMap symlink swaps all show as a changed
/// content, with no file-system notification API to miss one.
#[derive(Debug, Clone)]
pub struct FileSource {
    path: PathBuf,
    poll_interval: Duration,
    max_file_size: u64,
}

/// Text of the files read at once, by name.
type Contents = Vec<(PathBuf, Vec<u8>)>;

impl FileSource {
    /// How often a watched source reads its files again, unless set: 500 ms.
    pub const DEFAULT_POLL_INTERVAL: Duration = Duration::from_millis(500);
    /// The largest configuration file read, unless set: 4 MiB.
    pub const DEFAULT_MAX_FILE_SIZE: u64 = 4 << 20;

    /// The file or directory at `path`.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            poll_interval: Self::DEFAULT_POLL_INTERVAL,
            max_file_size: Self::DEFAULT_MAX_FILE_SIZE,
        }
    }

    /// How often [`watch`](Source::watch) reads the files again (default 500 ms).
    #[must_use]
    pub fn poll_interval(mut self, interval: Duration) -> Self {
        self.poll_interval = interval.max(Duration::from_millis(1));
        self
    }

    /// The largest file read (default 4 MiB); a larger one is an error.
    #[must_use]
    pub fn max_file_size(mut self, bytes: u64) -> Self {
        self.max_file_size = bytes;
        self
    }

    async fn read(&self) -> Result<Contents, ConfigError> {
        let path = self.path.clone();
        let limit = self.max_file_size;
        tokio::task::spawn_blocking(move || read_contents(&path, limit))
            .await
            .map_err(|error| ConfigError::new(format!("reading files failed: {error}")))?
    }
}

impl Source for FileSource {
    fn load(&self) -> SourceFuture<'_, Vec<Layer>> {
        Box::pin(async move { parse(&self.read().await?) })
    }

    fn watch(&self) -> SourceFuture<'_, Option<Updates>> {
        Box::pin(async move {
            let (sender, receiver) = mpsc::channel(1);
            let source = self.clone();
            let mut last = fingerprint(&source.read().await);
            tokio::spawn(async move {
                loop {
                    tokio::select! {
                        () = sender.closed() => return,
                        () = tokio::time::sleep(source.poll_interval) => {}
                    }
                    let contents = source.read().await;
                    let now = fingerprint(&contents);
                    if now != last {
                        last = now;
                        let update = contents.and_then(|contents| parse(&contents));
                        if sender.send(update).await.is_err() {
                            return;
                        }
                    }
                }
            });
            Ok(Some(receiver))
        })
    }
}

fn fingerprint(contents: &Result<Contents, ConfigError>) -> u64 {
    let mut hasher = DefaultHasher::new();
    match contents {
        Ok(contents) => contents.hash(&mut hasher),
        Err(error) => error.to_string().hash(&mut hasher),
    }
    hasher.finish()
}

fn origin(path: &Path) -> String {
    format!("file {}", path.display())
}

fn read_contents(path: &Path, limit: u64) -> Result<Contents, ConfigError> {
    let metadata = std::fs::metadata(path).map_err(|error| {
        ConfigError::new(format!("cannot read: {error}")).with_origin(origin(path))
    })?;
    if !metadata.is_dir() {
        if Format::from_name(&path.to_string_lossy()).is_none() {
            return Err(unknown_format(path));
        }
        return Ok(vec![(path.to_owned(), read_file(path, limit)?)]);
    }
    let listing = std::fs::read_dir(path).map_err(|error| {
        ConfigError::new(format!("cannot list the directory: {error}")).with_origin(origin(path))
    })?;
    let mut files = Vec::new();
    for entry in listing {
        let entry = entry.map_err(|error| {
            ConfigError::new(format!("cannot list the directory: {error}"))
                .with_origin(origin(path))
        })?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let file = entry.path();
        // `metadata` follows symlinks: a ConfigMap's files are links into `..data`.
        let is_file = std::fs::metadata(&file).is_ok_and(|metadata| metadata.is_file());
        if !name.starts_with('.') && is_file && Format::from_name(&name).is_some() {
            files.push(file);
        }
    }
    files.sort();
    files
        .into_iter()
        .map(|file| Ok((file.clone(), read_file(&file, limit)?)))
        .collect()
}

fn read_file(path: &Path, limit: u64) -> Result<Vec<u8>, ConfigError> {
    let cannot = |error: std::io::Error| {
        ConfigError::new(format!("cannot read: {error}")).with_origin(origin(path))
    };
    let file = std::fs::File::open(path).map_err(cannot)?;
    let mut text = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut text)
        .map_err(cannot)?;
    if text.len() as u64 > limit {
        return Err(ConfigError::new(format!(
            "larger than the {limit}-byte limit (FileSource::max_file_size)"
        ))
        .with_origin(origin(path)));
    }
    Ok(text)
}

fn unknown_format(path: &Path) -> ConfigError {
    ConfigError::new("cannot tell the format: name the file .yaml, .yml, .json or .toml")
        .with_origin(origin(path))
}

fn parse(contents: &Contents) -> Result<Vec<Layer>, ConfigError> {
    contents
        .iter()
        .map(|(path, text)| {
            let name = path.to_string_lossy();
            let format = Format::from_name(&name).ok_or_else(|| unknown_format(path))?;
            let origin = origin(path);
            let value = format.parse(text, &origin)?;
            Ok(Layer::new(origin, value))
        })
        .collect()
}
