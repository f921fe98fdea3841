#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod emit;
pub mod model;
mod options;

use std::collections::BTreeMap;

use kratos_codegen::{
    GeneratedFile, GenerationError, Location, PluginRequest, PluginResponse, RustFileWriter,
};
use prost_reflect::FileDescriptor;

pub use options::Options;

/// Name of this generator, as written in the header of generated files.
pub const GENERATOR: &str = "protoc-gen-kratos-http";

/// Runs the generator on a request and packs the outcome as a protoc response.
pub fn generate(request: &PluginRequest) -> PluginResponse {
    generate_files(request).into()
}

/// Runs the generator: one `<package>.kratos_http.rs` per proto package with
/// HTTP routes or messages, plus (unless `no_include`) an insertion that
/// includes it from the package's prost module file.
pub fn generate_files(request: &PluginRequest) -> Result<Vec<GeneratedFile>, Vec<GenerationError>> {
    let options = Options::parse(request.parameter()).map_err(|message| {
        let file = request
            .files_to_generate()
            .next()
            .map(|f| f.name().to_owned())
            .unwrap_or_else(|| "<request>".to_owned());
        vec![GenerationError::new(Location::file(file), message)]
    })?;

    let mut packages: BTreeMap<String, Vec<FileDescriptor>> = BTreeMap::new();
    for file in request.files_to_generate() {
        packages
            .entry(file.package_name().to_owned())
            .or_default()
            .push(file);
    }

    let mut json = emit::JsonSupport::new(
        request
            .files_to_generate()
            .map(|file| file.name().to_owned())
            .collect(),
    );
    let mut errors = Vec::new();
    let mut files = Vec::new();
    for (package, package_files) in &packages {
        let mut services = Vec::new();
        for file in package_files {
            match model::services(file, &options) {
                Ok(mut found) => services.append(&mut found),
                Err(mut errs) => errors.append(&mut errs),
            }
        }
        let has_messages = package_files.iter().any(|f| f.messages().len() > 0);
        // Messages need their `HttpMessage` impls even without services: other packages'
        // requests and replies may hold them.
        if services.is_empty() && !has_messages {
            continue;
        }
        let sources: Vec<&str> = package_files.iter().map(FileDescriptor::name).collect();
        let mut file = RustFileWriter::new(GENERATOR, &sources);
        emit::package(
            &options,
            package,
            package_files,
            &services,
            &mut json,
            &mut file,
        );
        files.extend(
            options
                .output()
                .package_files(package, "kratos_http", file.finish()),
        );
    }
    if errors.is_empty() {
        Ok(files)
    } else {
        Err(errors)
    }
}
