//! One entry point per direction for code that holds a negotiated [`Format`].

use prost_reflect::ReflectMessage;

use super::{
    Format, JsonOptions, decode_json, decode_json_field, decode_proto, decode_proto_field,
    encode_json, encode_json_field, encode_proto, encode_proto_field,
};
use crate::errors::Error;
use crate::errors::reasons;

/// A message the HTTP transport can decode from a request body and encode into a reply, in
/// whichever [`Format`] was negotiated.
///
/// Every method has a default that works from the message's [`ReflectMessage`] impl: JSON
/// through prost-reflect's canonical mapping ([`decode_json`], [`encode_json`]), protobuf
/// through prost. protoc-gen-kratos-http implements the trait for every message it sees,
/// overriding [`decode_body`](Self::decode_body) and [`encode_reply`](Self::encode_reply) with
/// the message's generated JSON codec (`kratos::__codegen::json`) where it has one; the runtime
/// implements it for `()` (`google.protobuf.Empty`) and the other well-known types. A message
/// of your own that implements `ReflectMessage` needs only `impl HttpMessage for MyMessage {}`.
pub trait HttpMessage: ReflectMessage + Sized {
    /// Merges a request body in `format` into `self`. Form bodies are bound field by field by
    /// generated code (see `binding::QueryPairs`), so [`Format::Form`] is a `415` here.
    fn decode_body(
        &mut self,
        format: Format,
        body: &[u8],
        json: &JsonOptions,
    ) -> Result<(), Error> {
        match format {
            Format::Json => decode_json(body, self, json),
            Format::Proto => decode_proto(body, self),
            Format::Form => Err(form_not_here()),
        }
    }

    /// Merges a request body in `format` holding one top-level field (`body: "field"`, proto
    /// name) into that field of `self`. [`Format::Form`] is a `415`.
    fn decode_body_field(
        &mut self,
        format: Format,
        body: &[u8],
        field: &str,
        json: &JsonOptions,
    ) -> Result<(), Error> {
        match format {
            Format::Json => decode_json_field(body, self, field, json),
            Format::Proto => decode_proto_field(body, self, field),
            Format::Form => Err(form_not_here()),
        }
    }

    /// Encodes `self` as a reply body in `format` ([`Format::Form`] writes JSON).
    fn encode_reply(&self, format: Format, json: &JsonOptions) -> Result<Vec<u8>, Error> {
        match format {
            Format::Json | Format::Form => encode_json(self, json),
            Format::Proto => Ok(encode_proto(self)),
        }
    }

    /// Encodes one top-level field of `self` (`response_body: "field"`, proto name) in `format`
    /// ([`Format::Form`] writes JSON).
    fn encode_reply_field(
        &self,
        format: Format,
        field: &str,
        json: &JsonOptions,
    ) -> Result<Vec<u8>, Error> {
        match format {
            Format::Json | Format::Form => encode_json_field(self, field, json),
            Format::Proto => encode_proto_field(self, field),
        }
    }
}

/// The well-known types prost maps to Rust types of their own, so a service may take or return
/// them directly (`rpc Ping(google.protobuf.Empty) returns (google.protobuf.Timestamp)`).
macro_rules! well_known_http_messages {
    ($($ty:ty),* $(,)?) => {
        $(impl HttpMessage for $ty {})*
    };
}

well_known_http_messages!(
    (),
    bool,
    f32,
    f64,
    i32,
    i64,
    u32,
    u64,
    String,
    Vec<u8>,
    prost_types::Any,
    prost_types::Duration,
    prost_types::FieldMask,
    prost_types::ListValue,
    prost_types::Struct,
    prost_types::Timestamp,
    prost_types::Value,
);

pub(super) fn form_not_here() -> Error {
    Error::new(
        415,
        reasons::CODEC,
        "this endpoint takes no application/x-www-form-urlencoded body; \
         use application/json or application/proto",
    )
}
