//! Messages into JSON response bodies.

use prost_reflect::{Kind, ReflectMessage};
use serde::Serialize;

use super::ProtoJsonFormatter;
use super::options::JsonOptions;
use super::unknown::is_well_known_type;
use crate::encoding::internal_codec_error;
use crate::encoding::nesting::{json_encode_error, to_dynamic};
use crate::errors::Error;

/// Encodes `message` as proto3 JSON.
///
/// Fails (`500`, reason `CODEC`) only for values the JSON mapping cannot express, such as a
/// `Timestamp` outside years 1..=9999 or an `Any` whose type is not in the message's pool.
pub fn encode_json<M: ReflectMessage>(
    message: &M,
    options: &JsonOptions,
) -> Result<Vec<u8>, Error> {
    let dynamic = to_dynamic(message)?;
    let mut out = Vec::with_capacity(128);
    dynamic
        .serialize_with_options(
            &mut serde_json::Serializer::with_formatter(&mut out, ProtoJsonFormatter),
            &options.serialize_options(),
        )
        .map_err(|error| json_encode_error("encoding JSON response", &error))?;
    Ok(out)
}

/// Encodes the value of one top-level field of `message` (`response_body: "book"`).
///
/// `field` is the proto name. An unset message field is written as its empty message (`{}`, or
/// its defaults with [`JsonOptions::emit_unpopulated`]), as Go Kratos does; an unset well-known
/// type (Timestamp, wrappers, Any, ...) and an unset `optional` or oneof scalar as `null`. A `field` that `message` does not have is a `500` (a bug in the caller).
pub fn encode_json_field<M: ReflectMessage>(
    message: &M,
    field: &str,
    options: &JsonOptions,
) -> Result<Vec<u8>, Error> {
    let descriptor = message.descriptor();
    let Some(field_descriptor) = descriptor.get_field_by_name(field) else {
        return Err(internal_codec_error(format!(
            "{} has no field {field:?} to encode as the response body",
            descriptor.full_name()
        )));
    };
    let dynamic = to_dynamic(message)?;
    let serialize_options = options.serialize_options();
    let failed = |error: serde_json::Error| {
        json_encode_error(&format!("encoding JSON response field {field:?}"), &error)
    };

    if let Kind::Message(field_type) = field_descriptor.kind()
        && !field_descriptor.is_list()
        && !field_descriptor.is_map()
        && !dynamic.has_field(&field_descriptor)
        && is_well_known_type(field_type.full_name())
    {
        // The default of a well-known type means nothing (an epoch Timestamp) or cannot even be
        // written (an Any without a type): say "absent".
        return Ok(b"null".to_vec());
    }
    if let prost_reflect::Value::Message(value) = dynamic.get_field(&field_descriptor).as_ref() {
        // A message value serializes on its own.
        let mut out = Vec::with_capacity(128);
        value
            .serialize_with_options(
                &mut serde_json::Serializer::with_formatter(&mut out, ProtoJsonFormatter),
                &serialize_options,
            )
            .map_err(failed)?;
        return Ok(out);
    }

    // prost-reflect serializes scalars, lists and maps only as members of their message, so
    // serialize the message (with every field present) and take the member out.
    let whole = dynamic
        .serialize_with_options(
            serde_json::value::Serializer,
            &serialize_options.skip_default_fields(false),
        )
        .map_err(failed)?;
    let name = if options.uses_proto_names() {
        field_descriptor.name()
    } else {
        field_descriptor.json_name()
    };
    let value = match whole {
        serde_json::Value::Object(mut members) => members.remove(name),
        _ => None,
    };
    let mut out = Vec::new();
    value
        .unwrap_or(serde_json::Value::Null)
        .serialize(&mut serde_json::Serializer::with_formatter(
            &mut out,
            ProtoJsonFormatter,
        ))
        .map_err(failed)?;
    Ok(out)
}
