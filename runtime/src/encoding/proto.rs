//! The protobuf binary codec.

use prost::Message;
use prost::bytes::Buf;
use prost::encoding::{WireType, encode_key, encode_varint};
use prost_reflect::{Kind, ReflectMessage, Value};

use super::nesting::{is_recursion_limit, to_dynamic, too_deep};
use super::{codec_error, internal_codec_error};
use crate::errors::Error;
use crate::errors::reasons;

/// Decodes a protobuf body and merges it into `target` (protobuf merge semantics). An empty body
/// leaves `target` as it is; malformed input is a `400` with reason `CODEC`.
pub fn decode_proto<M: Message>(body: &[u8], target: &mut M) -> Result<(), Error> {
    target.merge(body).map_err(|error| {
        if is_recursion_limit(&error) {
            too_deep("protobuf body")
        } else {
            codec_error(format!("invalid protobuf body: {error}"))
        }
    })
}

/// Decodes a protobuf body that holds one message-typed top-level field (`body: "book"`) and
/// merges it into that field of `target`.
///
/// `field` is the proto name. When the field's type is known statically, calling
/// [`decode_proto`] on the field itself (`req.book.get_or_insert_with(Default::default)`) does the
/// same without the descriptor lookup. A scalar, repeated or map field has no protobuf body
/// form: that is a `400` with reason `CODEC` asking for JSON. An unknown `field` is a `500`.
pub fn decode_proto_field<M: ReflectMessage>(
    body: &[u8],
    target: &mut M,
    field: &str,
) -> Result<(), Error> {
    if body.is_empty() {
        return Ok(());
    }
    let descriptor = target.descriptor();
    let Some(field_descriptor) = descriptor.get_field_by_name(field) else {
        return Err(internal_codec_error(format!(
            "{} has no field {field:?} to decode the body into",
            descriptor.full_name()
        )));
    };
    if !matches!(field_descriptor.kind(), Kind::Message(_))
        || field_descriptor.is_list()
        || field_descriptor.is_map()
    {
        return Err(codec_error(format!(
            "field {field:?} is not a message, so its body cannot be protobuf; send JSON"
        )));
    }
    // The body is the field's message, so prefixing it with the field's key and length gives an
    // encoding of the outer message that sets just that field, and merging does the rest.
    let mut prefix = Vec::with_capacity(16);
    encode_key(
        field_descriptor.number(),
        WireType::LengthDelimited,
        &mut prefix,
    );
    encode_varint(body.len() as u64, &mut prefix);
    target
        .merge(prefix.as_slice().chain(body))
        .map_err(|error| {
            if is_recursion_limit(&error) {
                too_deep(&format!("protobuf body for field {field:?}"))
            } else {
                codec_error(format!(
                    "invalid protobuf body for field {field:?}: {error}"
                ))
            }
        })
}

/// Encodes `message` as protobuf binary.
pub fn encode_proto<M: Message>(message: &M) -> Vec<u8> {
    message.encode_to_vec()
}

/// Encodes the value of one message-typed top-level field of `message` (`response_body: "book"`)
/// as protobuf binary; an unset field encodes as its empty message (no bytes).
///
/// A scalar, repeated or map field has no protobuf form of its own: that is a `406` with reason
/// `CODEC` (the client asked for protobuf; JSON would work). An unknown `field` is a `500`.
pub fn encode_proto_field<M: ReflectMessage>(message: &M, field: &str) -> Result<Vec<u8>, Error> {
    let descriptor = message.descriptor();
    let Some(field_descriptor) = descriptor.get_field_by_name(field) else {
        return Err(internal_codec_error(format!(
            "{} has no field {field:?} to encode as the response body",
            descriptor.full_name()
        )));
    };
    if !matches!(field_descriptor.kind(), Kind::Message(_))
        || field_descriptor.is_list()
        || field_descriptor.is_map()
    {
        return Err(Error::new(
            406,
            reasons::CODEC,
            format!(
                "response field {field:?} is not a message and has no protobuf form; accept application/json"
            ),
        ));
    }
    let dynamic = to_dynamic(message)?;
    Ok(match dynamic.get_field(&field_descriptor).as_ref() {
        Value::Message(value) => value.encode_to_vec(),
        _ => Vec::new(),
    })
}
