//! What went wrong while loading or reading a configuration, and where.

use std::fmt;

/// A configuration error: which source (and file line) and which key, and what was expected.
///
/// Display reads `file configs/config.yaml, line 3: key server.http.timeout: ...`, with the
/// parts that are known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    origin: Option<String>,
    line: Option<usize>,
    key: Option<String>,
    message: String,
}

impl ConfigError {
    /// An error with only a message; add what is known with the other constructors' setters.
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            origin: None,
            line: None,
            key: None,
            message: message.into(),
        }
    }

    /// Names the source (`file configs/config.yaml`, `env APP_`, `etcd /config/app.yaml`).
    #[must_use]
    pub fn with_origin(mut self, origin: impl Into<String>) -> Self {
        self.origin = Some(origin.into());
        self
    }

    /// The 1-based line in the source text.
    #[must_use]
    pub fn with_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    /// The dotted key the error is about.
    #[must_use]
    pub fn with_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// This error's source, line and key on another message.
    pub(crate) fn with_context_of(mut self, other: &Self) -> Self {
        self.origin.clone_from(&other.origin);
        self.line = other.line;
        self.key.clone_from(&other.key);
        self
    }

    /// The source the error comes from, if known.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }

    /// The 1-based line in the source text, if known.
    pub fn line(&self) -> Option<usize> {
        self.line
    }

    /// The dotted key, if the error is about one.
    pub fn key(&self) -> Option<&str> {
        self.key.as_deref()
    }

    /// What was wrong and what was expected.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("config: ")?;
        if let Some(origin) = &self.origin {
            f.write_str(origin)?;
            if let Some(line) = self.line {
                write!(f, ", line {line}")?;
            }
            f.write_str(": ")?;
        }
        if let Some(key) = &self.key {
            write!(f, "key {key}: ")?;
        }
        f.write_str(&self.message)
    }
}

impl std::error::Error for ConfigError {}
