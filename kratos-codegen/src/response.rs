//! Writing the `CodeGeneratorResponse` protoc and buf read back.

use std::io::{self, Write};

use prost::Message;
use prost::encoding::{WireType, encode_key, encode_varint, string};
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

    /// Writes the encoded response (the bytes of [`Self::encode_to_vec`]) to `out`, each file's
    /// text straight from where it is: for a large output the copies `encode_to_vec` makes
    /// (the message, then its encoding) would be a good part of a plugin's run.
    ///
    /// # Errors
    ///
    /// When `out` fails.
    pub fn write_to(&self, out: &mut impl Write) -> io::Result<()> {
        let Ok(files) = &self.result else {
            return out.write_all(&self.encode_to_vec());
        };
        // `CodeGeneratorResponse` fields in tag order: `supported_features` (2), `file` (15).
        let mut head = Vec::with_capacity(16);
        encode_key(2, WireType::Varint, &mut head);
        encode_varint(Feature::Proto3Optional as u64, &mut head);
        out.write_all(&head)?;
        for file in files {
            // `File`: `name` (1), `insertion_point` (2), then the key and length of `content`
            // (15), whose bytes follow.
            let mut fields = Vec::with_capacity(file.name.len() + 64);
            string::encode(1, &file.name, &mut fields);
            if let Some(point) = &file.insertion_point {
                string::encode(2, point, &mut fields);
            }
            encode_key(15, WireType::LengthDelimited, &mut fields);
            encode_varint(file.content.len() as u64, &mut fields);
            head.clear();
            encode_key(15, WireType::LengthDelimited, &mut head);
            encode_varint((fields.len() + file.content.len()) as u64, &mut head);
            out.write_all(&head)?;
            out.write_all(&fields)?;
            out.write_all(file.content.as_bytes())?;
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writing_gives_the_bytes_of_the_encoding() {
        let responses = [
            PluginResponse::files(vec![
                GeneratedFile {
                    name: "a/b.rs".into(),
                    content: "// x\n".repeat(100),
                    insertion_point: None,
                },
                GeneratedFile {
                    name: "a.rs".into(),
                    content: "include!(\"b.rs\");\n".into(),
                    insertion_point: Some("module".into()),
                },
                GeneratedFile {
                    name: "empty.rs".into(),
                    content: String::new(),
                    insertion_point: None,
                },
            ]),
            PluginResponse::files(Vec::new()),
            PluginResponse::error("a.proto: bad"),
        ];
        for response in responses {
            let mut written = Vec::new();
            response.write_to(&mut written).unwrap();
            assert_eq!(written, response.encode_to_vec(), "{response:?}");
        }
    }
}
