//! Writing files the user did not have, never replacing one they did.

use std::fs::OpenOptions;
use std::io::{ErrorKind, Write};
use std::path::Path;

use crate::error::CliError;

/// What [`create_file`] did.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Created {
    /// The file is new.
    Written,
    /// A file was already there; it is untouched.
    Exists,
}

/// Writes `contents` to `path` (creating its directories) unless `path` exists; an existing
/// file is left as it is, atomically (`create_new`), so a race cannot clobber it either.
pub(crate) fn create_file(path: &Path, contents: &str) -> Result<Created, CliError> {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|error| CliError::io("create", dir, &error))?;
    }
    let mut file = match OpenOptions::new().write(true).create_new(true).open(path) {
        Ok(file) => file,
        Err(error) if error.kind() == ErrorKind::AlreadyExists => return Ok(Created::Exists),
        Err(error) => return Err(CliError::io("create", path, &error)),
    };
    file.write_all(contents.as_bytes())
        .map_err(|error| CliError::io("write", path, &error))?;
    Ok(Created::Written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_new_files_and_never_replaces_one() {
        let dir = std::env::temp_dir().join(format!("kratos-cli-create-{}", std::process::id()));
        let path = dir.join("a/b.txt");
        assert_eq!(create_file(&path, "first").unwrap(), Created::Written);
        assert_eq!(create_file(&path, "second").unwrap(), Created::Exists);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "first");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
