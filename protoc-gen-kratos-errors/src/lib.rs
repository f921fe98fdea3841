#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod emit;
mod model;
mod options;

use std::collections::BTreeMap;

use kratos_codegen::{
    GeneratedFile, GenerationError, Location, PluginRequest, PluginResponse, format_rust_file,
};

pub use model::{ErrorEnum, ErrorValue, error_enums};
pub use options::{Options, parse_options};

/// Name of this generator, as written in the header of generated files.
pub const GENERATOR: &str = "protoc-gen-kratos-errors";

/// Runs the generator on a request and packs the outcome as a protoc response.
pub fn generate(request: &PluginRequest) -> PluginResponse {
    generate_files(request).into()
}

/// Runs the generator on a request: one file per proto package that has error
/// enums, plus (unless `no_include`) an insertion that includes it from the
/// package's prost module file.
pub fn generate_files(request: &PluginRequest) -> Result<Vec<GeneratedFile>, Vec<GenerationError>> {
    let options = parse_options(request.parameter()).map_err(|message| {
        let file = request
            .files_to_generate()
            .next()
            .map(|f| f.name().to_owned())
            .unwrap_or_else(|| "<request>".to_owned());
        vec![GenerationError::new(Location::file(file), message)]
    })?;

    let mut errors = Vec::new();
    let mut packages: BTreeMap<String, (Vec<String>, Vec<ErrorEnum>)> = BTreeMap::new();
    for file in request.files_to_generate() {
        match error_enums(&file) {
            Ok(enums) if !enums.is_empty() => {
                let entry = packages.entry(file.package_name().to_owned()).or_default();
                entry.0.push(file.name().to_owned());
                entry.1.extend(enums);
            }
            Ok(_) => {}
            Err(mut errs) => errors.append(&mut errs),
        }
    }
    for (_, enums) in packages.values() {
        errors.extend(model::name_clashes(enums));
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut files = Vec::new();
    for (package, (sources, enums)) in &packages {
        let sources: Vec<&str> = sources.iter().map(String::as_str).collect();
        let content = format_rust_file(GENERATOR, &sources, emit::error_helpers(&options, enums))
            .map_err(|err| {
            vec![GenerationError::new(
                Location::file(sources.join(", ")),
                format!("internal error: emitted code does not parse: {err}"),
            )]
        })?;
        files.extend(options.package_files(package, "kratos_errors", content));
    }
    Ok(files)
}
