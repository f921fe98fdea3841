//! Running the vendored protoc (from `protoc-bin-vendored`) to get a
//! `FileDescriptorSet`, so build scripts and tests need nothing installed.

use std::ffi::OsString;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::Command;

/// The `.proto` files kratos-rs ships, by import path.
pub const BUNDLED_PROTOS: &[(&str, &str)] = &[
    (
        "errors/errors.proto",
        include_str!("../../proto/errors/errors.proto"),
    ),
    (
        "google/api/http.proto",
        include_str!("../../proto/google/api/http.proto"),
    ),
    (
        "google/api/annotations.proto",
        include_str!("../../proto/google/api/annotations.proto"),
    ),
    // bufbuild/protovalidate's rules, for the validate middleware (Apache-2.0, header kept).
    (
        "buf/validate/validate.proto",
        include_str!("../../proto/buf/validate/validate.proto"),
    ),
];

/// Why protoc could not produce descriptors.
#[derive(Debug)]
pub struct ProtocError {
    message: String,
}

impl ProtocError {
    fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for ProtocError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ProtocError {}

/// A compiled set of protos.
#[derive(Debug, Clone)]
pub struct DescriptorSet {
    /// The encoded `FileDescriptorSet`, imports and source info included.
    pub bytes: Vec<u8>,
    /// The protoc names (relative to their include directory) of the input files.
    pub files: Vec<String>,
}

/// A protoc invocation: include directories plus kratos-rs' bundled protos and
/// the well-known types.
#[derive(Debug, Clone)]
pub struct Protoc {
    includes: Vec<PathBuf>,
    scratch: PathBuf,
}

impl Protoc {
    /// A protoc that writes the bundled protos and its outputs under `scratch`.
    pub fn new(scratch: impl Into<PathBuf>) -> Self {
        Self {
            includes: Vec::new(),
            scratch: scratch.into(),
        }
    }

    /// Adds an include directory (searched before the bundled protos).
    #[must_use]
    pub fn include(mut self, dir: impl Into<PathBuf>) -> Self {
        self.includes.push(dir.into());
        self
    }

    /// The path of the vendored protoc binary.
    pub fn binary() -> Result<PathBuf, ProtocError> {
        protoc_bin_vendored::protoc_bin_path()
            .map_err(|err| ProtocError::new(format!("no vendored protoc for this platform: {err}")))
    }

    /// A protoc command with every include directory set, for callers that
    /// run plugins themselves.
    pub fn command(&self) -> Result<Command, ProtocError> {
        let bundled = self.scratch.join("kratos-include");
        for (name, text) in BUNDLED_PROTOS {
            let path = bundled.join(name);
            let written = path
                .parent()
                .map_or(Ok(()), std::fs::create_dir_all)
                .and_then(|()| std::fs::write(&path, text));
            written.map_err(|err| {
                ProtocError::new(format!("cannot write {}: {err}", path.display()))
            })?;
        }
        let well_known = protoc_bin_vendored::include_path()
            .map_err(|err| ProtocError::new(format!("no vendored well-known protos: {err}")))?;
        let mut command = Command::new(Self::binary()?);
        for dir in self.includes.iter().chain([&bundled, &well_known]) {
            let mut arg = OsString::from("-I");
            arg.push(dir);
            command.arg(arg);
        }
        Ok(command)
    }

    /// The protoc name of `file`: its path relative to the first include
    /// directory that contains it.
    pub fn proto_name(&self, file: &Path) -> Result<String, ProtocError> {
        let absolute = file
            .canonicalize()
            .map_err(|err| ProtocError::new(format!("cannot read {}: {err}", file.display())))?;
        self.includes
            .iter()
            .filter_map(|dir| dir.canonicalize().ok())
            .find_map(|dir| absolute.strip_prefix(dir).ok().map(Path::to_path_buf))
            .map(|relative| {
                relative
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy())
                    .collect::<Vec<_>>()
                    .join("/")
            })
            .ok_or_else(|| {
                ProtocError::new(format!(
                    "{} is not under any include directory ({})",
                    file.display(),
                    self.includes
                        .iter()
                        .map(|d| d.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            })
    }

    /// Compiles `files` into a descriptor set with imports and source info.
    pub fn descriptor_set(&self, files: &[PathBuf]) -> Result<DescriptorSet, ProtocError> {
        let names = files
            .iter()
            .map(|file| self.proto_name(file))
            .collect::<Result<Vec<_>, _>>()?;
        let out = self.scratch.join("kratos-descriptors.bin");
        let output = self
            .command()?
            .arg("--include_imports")
            .arg("--include_source_info")
            .arg(format!("--descriptor_set_out={}", out.display()))
            .args(&names)
            .output()
            .map_err(|err| ProtocError::new(format!("cannot run protoc: {err}")))?;
        if !output.status.success() {
            return Err(ProtocError::new(format!(
                "protoc failed ({}):\n{}",
                output.status,
                String::from_utf8_lossy(&output.stderr)
            )));
        }
        let bytes = std::fs::read(&out)
            .map_err(|err| ProtocError::new(format!("cannot read {}: {err}", out.display())))?;
        Ok(DescriptorSet {
            bytes,
            files: names,
        })
    }
}
