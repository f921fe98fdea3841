//! Reading a protoc request into a descriptor pool without losing custom options.
//!
//! `prost-types` drops unknown fields, so decoding `CodeGeneratorRequest` with it
//! would silently lose every extension in `*Options` (`(errors.code)`,
//! `(google.api.http)`). We keep each `FileDescriptorProto` as raw bytes and let
//! `prost-reflect` build the pool from them: its `options()` accessors then
//! decode extensions defined anywhere in the pool. Source locations without comments are
//! left out on the way (see `source_info`): generators read comments, never spans.

use std::fmt;

use prost::Message;
use prost_reflect::{DescriptorError, DescriptorPool, FileDescriptor};

/// `google.protobuf.compiler.CodeGeneratorRequest`, with the descriptors kept raw.
#[derive(Clone, PartialEq, Message)]
struct RawCodeGeneratorRequest {
    #[prost(string, repeated, tag = "1")]
    file_to_generate: Vec<String>,
    #[prost(string, optional, tag = "2")]
    parameter: Option<String>,
    #[prost(bytes = "vec", repeated, tag = "15")]
    proto_file: Vec<Vec<u8>>,
}

/// `google.protobuf.FileDescriptorSet`, with the descriptors kept raw.
#[derive(Clone, PartialEq, Message)]
struct RawFileDescriptorSet {
    #[prost(bytes = "vec", repeated, tag = "1")]
    file: Vec<Vec<u8>>,
}

/// Why a request could not be read.
#[derive(Debug)]
pub struct RequestError {
    message: String,
}

impl RequestError {
    fn new(message: String) -> Self {
        Self { message }
    }
}

impl fmt::Display for RequestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RequestError {}

/// A code generation request: which files to generate, the plugin parameter,
/// and every descriptor they depend on, with custom options intact.
#[derive(Debug, Clone)]
pub struct PluginRequest {
    files_to_generate: Vec<String>,
    parameter: String,
    pool: DescriptorPool,
}

impl PluginRequest {
    /// Decodes the `CodeGeneratorRequest` protoc or buf writes to a plugin's stdin.
    pub fn decode(bytes: &[u8]) -> Result<Self, RequestError> {
        let raw = RawCodeGeneratorRequest::decode(bytes).map_err(|err| {
            RequestError::new(format!(
                "stdin is not a CodeGeneratorRequest ({err}); this program is a protoc plugin: \
                 run it through protoc or buf"
            ))
        })?;
        Self::from_raw_files(
            raw.proto_file,
            raw.file_to_generate,
            raw.parameter.unwrap_or_default(),
        )
    }

    /// Builds a request from an encoded `FileDescriptorSet` (as written by
    /// `protoc --include_imports --include_source_info -o`), for build scripts.
    pub fn from_descriptor_set<I, S>(
        set: &[u8],
        files_to_generate: I,
        parameter: &str,
    ) -> Result<Self, RequestError>
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        let raw = RawFileDescriptorSet::decode(set)
            .map_err(|err| RequestError::new(format!("not an encoded FileDescriptorSet: {err}")))?;
        Self::from_raw_files(
            raw.file,
            files_to_generate.into_iter().map(Into::into).collect(),
            parameter.to_owned(),
        )
    }

    fn from_raw_files(
        files: Vec<Vec<u8>>,
        files_to_generate: Vec<String>,
        parameter: String,
    ) -> Result<Self, RequestError> {
        let mut pool = DescriptorPool::new();
        // protoc lists dependencies before the files that import them.
        for bytes in files {
            let bytes = crate::source_info::keep_commented_locations(&bytes).unwrap_or(bytes);
            pool.decode_file_descriptor_proto(bytes.as_slice())
                .map_err(|err: DescriptorError| {
                    RequestError::new(format!("invalid file descriptor: {err}"))
                })?;
        }
        if let Some(missing) = files_to_generate
            .iter()
            .find(|name| pool.get_file_by_name(name).is_none())
        {
            return Err(RequestError::new(format!(
                "{missing} is to be generated but its descriptor is not in the request"
            )));
        }
        Ok(Self {
            files_to_generate,
            parameter,
            pool,
        })
    }

    /// The plugin parameter (`--x_opt=...` / buf `opt:`), possibly empty.
    pub fn parameter(&self) -> &str {
        &self.parameter
    }

    /// Every file in the request, dependencies included.
    pub fn pool(&self) -> &DescriptorPool {
        &self.pool
    }

    /// The files code is to be generated for, in request order.
    pub fn files_to_generate(&self) -> impl Iterator<Item = FileDescriptor> + '_ {
        self.files_to_generate
            .iter()
            .filter_map(|name| self.pool.get_file_by_name(name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_a_clear_error_not_a_panic() {
        let err = PluginRequest::decode(b"\xff\xff\xff garbage").unwrap_err();
        assert!(
            err.to_string().contains("not a CodeGeneratorRequest"),
            "{err}"
        );
    }

    #[test]
    fn a_missing_file_to_generate_is_reported() {
        let err = PluginRequest::from_descriptor_set(&[], ["a.proto"], "").unwrap_err();
        assert!(err.to_string().contains("a.proto"), "{err}");
    }

    #[test]
    fn keeps_raw_descriptors_in_the_pool() {
        let file = prost_types::FileDescriptorProto {
            name: Some("x.proto".into()),
            package: Some("x".into()),
            syntax: Some("proto3".into()),
            ..Default::default()
        };
        let set = RawFileDescriptorSet {
            file: vec![file.encode_to_vec()],
        };
        let request =
            PluginRequest::from_descriptor_set(&set.encode_to_vec(), ["x.proto"], "a=b").unwrap();
        assert_eq!(request.parameter(), "a=b");
        let names: Vec<_> = request
            .files_to_generate()
            .map(|f| f.package_name().to_owned())
            .collect();
        assert_eq!(names, ["x"]);
    }
}
