//! One entry point per direction for code that holds a negotiated [`Format`].

use prost_reflect::ReflectMessage;

use super::{
    Format, JsonOptions, decode_json, decode_json_field, decode_proto, decode_proto_field,
    encode_json, encode_json_field, encode_proto, encode_proto_field,
};
use crate::errors::Error;

/// A message the HTTP transport can decode from a request body and encode into a reply, in
/// whichever [`Format`] was negotiated.
///
/// Implemented for every [`ReflectMessage`] (every prost message our generator emits, the
/// well-known types, and `()` for `google.protobuf.Empty`), so generated code implements nothing.
/// The methods dispatch to [`decode_json`], [`decode_proto`], [`encode_json`], ... by format.
pub trait HttpMessage: ReflectMessage {
    /// Merges a request body in `format` into `self`. Form bodies are bound field by field by
    /// generated code (see `binding::QueryPairs`), so [`Format::Form`] is a `415` here.
    fn decode_body(&mut self, format: Format, body: &[u8], json: &JsonOptions)
    -> Result<(), Error>;

    /// Merges a request body in `format` holding one top-level field (`body: "field"`, proto
    /// name) into that field of `self`. [`Format::Form`] is a `415`.
    fn decode_body_field(
        &mut self,
        format: Format,
        body: &[u8],
        field: &str,
        json: &JsonOptions,
    ) -> Result<(), Error>;

    /// Encodes `self` as a reply body in `format` ([`Format::Form`] writes JSON).
    fn encode_reply(&self, format: Format, json: &JsonOptions) -> Result<Vec<u8>, Error>;

    /// Encodes one top-level field of `self` (`response_body: "field"`, proto name) in `format`
    /// ([`Format::Form`] writes JSON).
    fn encode_reply_field(
        &self,
        format: Format,
        field: &str,
        json: &JsonOptions,
    ) -> Result<Vec<u8>, Error>;
}

impl<M: ReflectMessage> HttpMessage for M {
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

    fn encode_reply(&self, format: Format, json: &JsonOptions) -> Result<Vec<u8>, Error> {
        match format {
            Format::Json | Format::Form => encode_json(self, json),
            Format::Proto => Ok(encode_proto(self)),
        }
    }

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

fn form_not_here() -> Error {
    Error::new(
        415,
        super::CODEC_REASON,
        "this endpoint takes no application/x-www-form-urlencoded body; \
         use application/json or application/x-protobuf",
    )
}
