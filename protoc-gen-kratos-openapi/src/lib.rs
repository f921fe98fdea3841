#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod document;
mod operation;
mod options;
mod paths;
mod schema;

use kratos_codegen::{GeneratedFile, GenerationError, Location, PluginRequest, PluginResponse};
use prost_reflect::FileDescriptor;

pub use options::{Options, OutputMode};

/// Name of this generator.
pub const GENERATOR: &str = "protoc-gen-kratos-openapi";

/// Runs the generator on a request and packs the outcome as a protoc response.
pub fn generate(request: &PluginRequest) -> PluginResponse {
    generate_files(request).into()
}

/// Runs the generator: one OpenAPI 3.0.3 JSON document for every file to generate (or one per
/// proto file with `output_mode=source_relative`) from the `google.api.http` rules.
pub fn generate_files(request: &PluginRequest) -> Result<Vec<GeneratedFile>, Vec<GenerationError>> {
    let files: Vec<FileDescriptor> = request.files_to_generate().collect();
    let first_file = || {
        files
            .first()
            .map(|f| f.name().to_owned())
            .unwrap_or_else(|| "<request>".to_owned())
    };
    let options = Options::parse(request.parameter())
        .map_err(|message| vec![GenerationError::new(Location::file(first_file()), message)])?;
    match options.output() {
        OutputMode::Merged(name) => {
            let content = document::render(&files, &options)?;
            Ok(content
                .map(|content| GeneratedFile {
                    name: name.clone(),
                    content,
                    insertion_point: None,
                })
                .into_iter()
                .collect())
        }
        OutputMode::SourceRelative => {
            let mut out = Vec::new();
            let mut errors = Vec::new();
            for file in &files {
                match document::render(std::slice::from_ref(file), &options) {
                    Ok(Some(content)) => out.push(GeneratedFile {
                        name: format!(
                            "{}.openapi.json",
                            file.name().strip_suffix(".proto").unwrap_or(file.name())
                        ),
                        content,
                        insertion_point: None,
                    }),
                    Ok(None) => {}
                    Err(mut errs) => errors.append(&mut errs),
                }
            }
            if errors.is_empty() {
                Ok(out)
            } else {
                Err(errors)
            }
        }
    }
}
