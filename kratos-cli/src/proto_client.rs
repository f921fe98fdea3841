//! `kratos proto client PATH`: generates the code of a proto now, with buf when the project
//! uses it, else with the vendored protoc through kratos-build.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::descriptors::includes_or_default;
use crate::error::CliError;

/// Where the vendored-protoc way writes when `-o` is not given.
pub(crate) const DEFAULT_OUT: &str = "gen";

/// Runs `buf generate --path proto` when `./buf.gen.yaml` exists and `buf` runs; otherwise
/// writes prost messages, error helpers, HTTP routes and client, and gRPC into `out`.
pub(crate) fn generate(proto: &Path, out: &Path, includes: &[PathBuf]) -> Result<(), CliError> {
    if !proto.is_file() {
        return Err(CliError::new(format!(
            "{} does not exist; give the path of a .proto file",
            proto.display()
        )));
    }
    if Path::new("buf.gen.yaml").is_file() && buf_runs() {
        let config = std::fs::read_to_string("buf.gen.yaml")
            .map_err(|error| CliError::io("read", Path::new("buf.gen.yaml"), &error))?;
        if let Some(problem) = crate::buf_order::order_problem(&config) {
            return Err(CliError::new(problem));
        }
        println!(
            "kratos: buf.gen.yaml found: buf generate --path {}",
            proto.display()
        );
        let status = Command::new("buf")
            .arg("generate")
            .arg("--path")
            .arg(proto)
            .status()
            .map_err(|error| CliError::new(format!("cannot run buf: {error}")))?;
        return if status.success() {
            Ok(())
        } else {
            Err(CliError::new(format!(
                "buf generate failed ({status}); its messages are above"
            )))
        };
    }
    let includes = includes_or_default(includes);
    kratos_build::configure()
        .grpc(true)
        .out_dir(out)
        .compile(&[proto], &includes)
        .map_err(|error| CliError::new(format!("{}: {error}", proto.display())))?;
    // kratos-build's copies of the bundled protos, protoc's inputs: not output.
    let _ = std::fs::remove_dir_all(out.join("kratos-include"));
    let mut written: Vec<String> = std::fs::read_dir(out)
        .map_err(|error| CliError::io("read", out, &error))?
        .filter_map(Result::ok)
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".rs"))
        .collect();
    written.sort();
    println!(
        "kratos: wrote {} into {} (include a package with `include!(\"{}/PACKAGE.rs\")`)",
        written.join(", "),
        out.display(),
        out.display()
    );
    Ok(())
}

fn buf_runs() -> bool {
    Command::new("buf")
        .arg("--version")
        .output()
        .is_ok_and(|output| output.status.success())
}
