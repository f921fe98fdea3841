//! What generated proto3 JSON codecs build on.
//!
//! protoc-gen-kratos-http emits, for each message it can, a [`JsonMessage`] impl: straight-line
//! code that writes the message's fields with serde_json and reads them back through serde's
//! visitors, without building a `DynamicMessage` first. That makes JSON bodies cost what a
//! hand-written serde struct costs. The reflective codec ([`super::decode_json`],
//! [`super::encode_json`]) stays the reference:
//!
//! - [`decode_json_generated`] runs the generated reader, and when it fails for any reason (bad
//!   JSON, a wrong type, a duplicate key, a form it does not take, such as an integer written
//!   as `1e3`) the body is decoded again by the reflective codec, which then either accepts it
//!   or produces the error message with the field path. The generated reader only has to be
//!   right about what it accepts; what it rejects costs a second pass, never a different answer.
//! - [`encode_json_generated`] writes the same bytes the reflective encoder writes (fields in
//!   field-number order, the same number formatting, enum names, base64, 64-bit integers as
//!   strings). Well-known types (Timestamp, Duration, FieldMask, Struct, Value, ListValue,
//!   wrappers, Empty) are written and read by prost-reflect itself through [`WellKnown`], so
//!   their spec forms are shared. Messages with `google.protobuf.Any` anywhere inside keep the
//!   reflective codec, which resolves type URLs through the descriptor pool.
//!
//! Each field's JSON shape is a [`JsonKind`]: [`Int64`], [`Str`], [`Enum`], [`Message`], ...
//! [`FieldWriter`] and [`ObjectReader`] apply them to a field by its presence
//! (implicit, `Option`, repeated, map, oneof member).

mod kinds;
mod read;
mod value;
mod write;

pub use kinds::{
    Bool, Bytes, Double, Enum, Float, Int32, Int64, JsonKind, MapKey, Message, NullValue, Str,
    UInt32, UInt64, WellKnown,
};
pub use read::{Key, ObjectReader};
pub use value::ValueWriter;
pub use write::FieldWriter;

pub use serde;

use prost_reflect::ReflectMessage;
use serde::Deserializer as _;
use serde::ser::{SerializeMap, Serializer as _};

use super::json::ProtoJsonFormatter;
use super::json::field_body::FieldBody;
use super::{
    Format, JsonOptions, decode_json, decode_json_field, decode_proto, decode_proto_field,
    encode_json, encode_json_field, encode_proto, encode_proto_field,
};
use crate::errors::Error;

/// A message with a generated proto3 JSON codec.
///
/// Implemented by generated code; the methods handle the members of the message's JSON object
/// (the braces are written and read by the caller).
pub trait JsonMessage: Default + Clone {
    /// Writes the message's fields as members of the current JSON object.
    fn write_json_fields<S: SerializeMap>(
        &self,
        fields: &mut FieldWriter<'_, S>,
    ) -> Result<(), S::Error>;

    /// Merges the members of one JSON object into the message.
    fn merge_json_fields<'de, A: serde::de::MapAccess<'de>>(
        &mut self,
        object: &mut ObjectReader<'_, 'de, A>,
    ) -> Result<(), A::Error>;
}

/// Decodes a JSON body into `target` with its generated codec, falling back to the reflective
/// codec ([`decode_json`]) for everything the generated one does not accept, so the outcome
/// (the message, or the `400 CODEC` error naming the field) is the reflective codec's.
///
/// Members present in the body replace the fields they name, repeated fields and maps gain the
/// body's entries, and message fields are merged.
pub fn decode_json_generated<M>(
    body: &[u8],
    target: &mut M,
    options: &JsonOptions,
) -> Result<(), Error>
where
    M: JsonMessage + ReflectMessage,
{
    if body.is_empty() {
        return Ok(());
    }
    let saved = target.clone();
    let mut json = serde_json::Deserializer::from_slice(body);
    let fast = json
        .deserialize_map(read::MergeVisitor { target, options })
        .and_then(|()| json.end());
    if fast.is_ok() {
        return Ok(());
    }
    *target = saved;
    decode_json(body, target, options)
}

/// Encodes `message` as proto3 JSON with its generated codec; for the rare value the JSON
/// mapping cannot express (a Timestamp outside years 1..=9999), the reflective encoder gives
/// the `500 CODEC` error.
pub fn encode_json_generated<M>(message: &M, options: &JsonOptions) -> Result<Vec<u8>, Error>
where
    M: JsonMessage + ReflectMessage,
{
    let mut out = Vec::with_capacity(128);
    let mut json = serde_json::Serializer::with_formatter(&mut out, ProtoJsonFormatter);
    let written = json.serialize_map(None).and_then(|mut map| {
        message.write_json_fields(&mut FieldWriter::new(&mut map, options))?;
        map.end()
    });
    match written {
        Ok(()) => Ok(out),
        Err(_) => encode_json(message, options),
    }
}

/// [`HttpMessage::decode_body`](super::HttpMessage::decode_body) for a message with a generated
/// JSON codec: JSON through [`decode_json_generated`], protobuf through prost.
pub fn decode_body<M>(
    target: &mut M,
    format: Format,
    body: &[u8],
    options: &JsonOptions,
) -> Result<(), Error>
where
    M: JsonMessage + ReflectMessage,
{
    match format {
        Format::Json => decode_json_generated(body, target, options),
        Format::Proto => decode_proto(body, target),
        Format::Form => Err(super::message::form_not_here()),
    }
}

/// [`HttpMessage::encode_reply`](super::HttpMessage::encode_reply) for a message with a
/// generated JSON codec: JSON through [`encode_json_generated`], protobuf through prost.
pub fn encode_reply<M>(message: &M, format: Format, options: &JsonOptions) -> Result<Vec<u8>, Error>
where
    M: JsonMessage + ReflectMessage,
{
    match format {
        Format::Json | Format::Form => encode_json_generated(message, options),
        Format::Proto => Ok(encode_proto(message)),
    }
}

/// [`HttpMessage::decode_body_field`](super::HttpMessage::decode_body_field) for a message with
/// a generated JSON codec: the body is read as the value of `field` (proto name) by the
/// message's generated reader, falling back to [`decode_json_field`] as
/// [`decode_json_generated`] does.
pub fn decode_body_field<M>(
    target: &mut M,
    format: Format,
    body: &[u8],
    field: &str,
    options: &JsonOptions,
) -> Result<(), Error>
where
    M: JsonMessage + ReflectMessage,
{
    match format {
        Format::Json => {
            if body.is_empty() {
                return Ok(());
            }
            let saved = target.clone();
            let mut json = serde_json::Deserializer::from_slice(body);
            // The generated reader sees `{field: <body>}`. A name the message does not have
            // would be skipped as unknown; the reflective codec reports it instead.
            let fast = if target.descriptor().get_field_by_name(field).is_some() {
                FieldBody {
                    name: field,
                    value: &mut json,
                }
                .deserialize_map(read::MergeVisitor { target, options })
                .and_then(|()| json.end())
            } else {
                Err(serde::de::Error::custom("no such field"))
            };
            if fast.is_ok() {
                return Ok(());
            }
            *target = saved;
            decode_json_field(body, target, field, options)
        }
        Format::Proto => decode_proto_field(body, target, field),
        Format::Form => Err(super::message::form_not_here()),
    }
}

/// [`HttpMessage::encode_reply_field`](super::HttpMessage::encode_reply_field) for a message
/// with a generated JSON codec: `write` (generated per `response_body` field) writes the
/// field's value; a field it does not know, or a value it cannot write, goes to
/// [`encode_json_field`].
pub fn encode_reply_field<M>(
    message: &M,
    format: Format,
    field: &str,
    options: &JsonOptions,
    write: impl FnOnce(ValueWriter<'_>) -> Result<(), serde_json::Error>,
) -> Result<Vec<u8>, Error>
where
    M: JsonMessage + ReflectMessage,
{
    match format {
        Format::Json | Format::Form => {
            let mut out = Vec::with_capacity(128);
            match write(ValueWriter::new(&mut out, options)) {
                Ok(()) => Ok(out),
                Err(_) => encode_json_field(message, field, options),
            }
        }
        Format::Proto => encode_proto_field(message, field),
    }
}
