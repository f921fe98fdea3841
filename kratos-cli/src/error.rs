//! What went wrong, said so that the user knows what to do next.

use std::fmt;
use std::io;
use std::path::Path;

/// A failed `kratos` command: what was wrong and, where there is one, how to fix it.
#[derive(Debug)]
pub struct CliError {
    message: String,
    usage: bool,
}

impl CliError {
    /// A failure with this message (which says what to do about it).
    pub(crate) fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            usage: false,
        }
    }

    /// A command line that does not parse: the message, then the usage to follow.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            usage: true,
        }
    }

    /// An I/O failure on `path`.
    pub(crate) fn io(action: &str, path: &Path, error: &io::Error) -> Self {
        Self::new(format!("cannot {action} {}: {error}", path.display()))
    }

    /// The process exit code: 2 for a bad command line (as clap and getopt use), 1 otherwise.
    pub fn exit_code(&self) -> i32 {
        if self.usage { 2 } else { 1 }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if self.usage {
            write!(f, "\n\n{}", crate::HELP)?;
        }
        Ok(())
    }
}

impl std::error::Error for CliError {}
