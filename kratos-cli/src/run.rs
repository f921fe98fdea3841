//! `kratos run`: builds and runs the service in the current directory.

use std::path::Path;
use std::process::Command;

use crate::error::CliError;

/// `cargo run -- args` in the current directory, which must hold the project's Cargo.toml.
pub(crate) fn run_project(args: &[String]) -> Result<(), CliError> {
    if !Path::new("Cargo.toml").is_file() {
        return Err(CliError::new(
            "no Cargo.toml here: run kratos run in the project's directory (kratos new writes one)",
        ));
    }
    let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
        .arg("run")
        .arg("--")
        .args(args)
        .status()
        .map_err(|error| CliError::new(format!("cannot run cargo: {error}; is Rust installed?")))?;
    if status.success() {
        Ok(())
    } else {
        Err(CliError::new(format!("cargo run ended with {status}")))
    }
}
