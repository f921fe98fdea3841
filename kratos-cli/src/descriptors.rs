//! Reading a proto (and what it imports) with the vendored protoc into a descriptor pool.

use std::path::{Path, PathBuf};

use kratos_codegen::PluginRequest;
use kratos_codegen::protoc::Protoc;

use crate::error::CliError;

/// The include directories used when none is given with `-I`: a project's `api/` and
/// `third_party/` where they exist, else the current directory.
pub(crate) fn default_includes() -> Vec<PathBuf> {
    let found: Vec<PathBuf> = ["api", "third_party"]
        .into_iter()
        .map(PathBuf::from)
        .filter(|dir| dir.is_dir())
        .collect();
    if found.is_empty() {
        vec![PathBuf::from(".")]
    } else {
        found
    }
}

/// `includes`, or [`default_includes`] when it is empty.
pub(crate) fn includes_or_default(includes: &[PathBuf]) -> Vec<PathBuf> {
    if includes.is_empty() {
        default_includes()
    } else {
        includes.to_vec()
    }
}

/// Compiles `proto` with the vendored protoc (kratos-rs' bundled protos and the well-known
/// types are on the include path) into a request as a plugin would receive it.
pub(crate) fn read_proto(proto: &Path, includes: &[PathBuf]) -> Result<PluginRequest, CliError> {
    if !proto.is_file() {
        return Err(CliError::new(format!(
            "{} does not exist; give the path of a .proto file (kratos proto add writes one)",
            proto.display()
        )));
    }
    let scratch = std::env::temp_dir().join(format!("kratos-cli-{}", std::process::id()));
    let protoc = includes
        .iter()
        .fold(Protoc::new(&scratch), |protoc, dir| protoc.include(dir));
    let set = protoc.descriptor_set(&[proto.to_path_buf()]);
    // The scratch directory only held protoc's inputs and output.
    let _ = std::fs::remove_dir_all(&scratch);
    let set = set.map_err(|error| {
        CliError::new(format!(
            "{}: {error}\n(include directories: {}; add one with -I DIR)",
            proto.display(),
            includes
                .iter()
                .map(|dir| dir.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        ))
    })?;
    PluginRequest::from_descriptor_set(&set.bytes, set.files, "")
        .map_err(|error| CliError::new(format!("{}: {error}", proto.display())))
}
