//! Writing the `CodeGeneratorResponse` protoc and buf read back.

use prost::Message;
use prost_types::compiler::{
    CodeGeneratorResponse, code_generator_response::Feature, code_generator_response::File,
};

use crate::GenerationError;

/// One output file, or an insertion into a file written by an earlier plugin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    /// Path relative to the output directory, `/`-separated.
    pub name: String,
    /// The file's text.
    pub content: String,
    /// Insertion point in `name` (written by another plugin), if this is an insertion.
    pub insertion_point: Option<String>,
}

/// The answer to a plugin request: generated files, or an error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PluginResponse {
    result: Result<Vec<GeneratedFile>, String>,
}

impl PluginResponse {
    /// A successful response carrying `files`.
    pub fn files(files: Vec<GeneratedFile>) -> Self {
        Self { result: Ok(files) }
    }

    /// A failed response; protoc and buf print `message` and exit non-zero.
    pub fn error(message: impl Into<String>) -> Self {
        Self {
            result: Err(message.into()),
        }
    }

    /// A failed response listing every generation error, one per line.
    pub fn errors(errors: &[GenerationError]) -> Self {
        let message = errors
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("\n");
        Self::error(message)
    }

    /// The generated files, or the error message.
    pub fn result(&self) -> Result<&[GeneratedFile], &str> {
        self.result.as_deref().map_err(String::as_str)
    }

    /// Encodes the response as protoc expects it on the plugin's stdout.
    pub fn encode_to_vec(&self) -> Vec<u8> {
        let supported = Feature::Proto3Optional as u64;
        let response = match &self.result {
            Ok(files) => CodeGeneratorResponse {
                supported_features: Some(supported),
                file: files
                    .iter()
                    .map(|file| File {
                        name: Some(file.name.clone()),
                        insertion_point: file.insertion_point.clone(),
                        content: Some(file.content.clone()),
                        generated_code_info: None,
                    })
                    .collect(),
                ..Default::default()
            },
            Err(message) => CodeGeneratorResponse {
                error: Some(message.clone()),
                supported_features: Some(supported),
                ..Default::default()
            },
        };
        response.encode_to_vec()
    }
}

impl From<Result<Vec<GeneratedFile>, Vec<GenerationError>>> for PluginResponse {
    fn from(result: Result<Vec<GeneratedFile>, Vec<GenerationError>>) -> Self {
        match result {
            Ok(files) => Self::files(files),
            Err(errors) => Self::errors(&errors),
        }
    }
}
