//! `kratos run`: builds and runs the service in the current directory.

use std::path::Path;
use std::process::Command;

use crate::error::CliError;

/// `cargo run -- args` in the current directory, which must hold the project's Cargo.toml.
/// On Unix this process becomes cargo (which in turn becomes the service), so signals such
/// as Ctrl-C and SIGTERM reach the service itself.
pub(crate) fn run_project(args: &[String]) -> Result<(), CliError> {
    if !Path::new("Cargo.toml").is_file() {
        return Err(CliError::new(
            "no Cargo.toml here: run kratos run in the project's directory (kratos new writes one)",
        ));
    }
    let mut cargo = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    cargo.arg("run").arg("--").args(args);
    run(cargo)
}

#[cfg(unix)]
fn run(mut cargo: Command) -> Result<(), CliError> {
    use std::os::unix::process::CommandExt;
    // exec returns only when it failed.
    let error = cargo.exec();
    Err(CliError::new(format!(
        "cannot run cargo: {error}; is Rust installed?"
    )))
}

#[cfg(not(unix))]
fn run(mut cargo: Command) -> Result<(), CliError> {
    let status = cargo
        .status()
        .map_err(|error| CliError::new(format!("cannot run cargo: {error}; is Rust installed?")))?;
    if status.success() {
        Ok(())
    } else {
        Err(CliError::new(format!("cargo run ended with {status}")))
    }
}
