//! JSON request bodies into messages.

use prost::Message;
use prost_reflect::{DynamicMessage, MessageDescriptor, ReflectMessage};
use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_path_to_error::Track;

use super::describe::json_body_error;
use super::empty_any::EmptyAnys;
use super::field_body::FieldBody;
use super::floats::round_float_extremes;
use super::options::JsonOptions;
use super::unknown::strip_unknown_fields;
use crate::encoding::nesting::{is_recursion_limit, too_deep};
use crate::encoding::{codec_error, internal_codec_error};
use crate::errors::Error;

/// Decodes a JSON body and merges it into `target`.
///
/// Merging follows protobuf rules (scalars overwrite, repeated fields append, messages merge), so
/// fields bound earlier from the path survive unless the body sets them. An empty body (no bytes)
/// leaves `target` as it is. Every failure is a `400` with reason `CODEC` naming the field and the
/// problem.
pub fn decode_json<M: ReflectMessage>(
    body: &[u8],
    target: &mut M,
    options: &JsonOptions,
) -> Result<(), Error> {
    if body.is_empty() {
        return Ok(());
    }
    let descriptor = target.descriptor();
    if descriptor.full_name() == "google.protobuf.Empty" && !options.denies_unknown_fields() {
        return expect_object(body);
    }
    let decoded = decode_dynamic(&descriptor, None, body, options)?;
    merge(target, &decoded)
}

/// Decodes a JSON body that holds the value of one top-level field (`body: "book"`) and merges
/// it into that field of `target`.
///
/// `field` is the proto name of the field. The body is that field's JSON: an object for a message
/// field, and also a string, number or array for scalar and repeated fields. An empty body leaves
/// `target` as it is. A `field` that `target` does not have is a `500` (a bug in the caller);
/// everything else is a `400` with reason `CODEC`.
pub fn decode_json_field<M: ReflectMessage>(
    body: &[u8],
    target: &mut M,
    field: &str,
    options: &JsonOptions,
) -> Result<(), Error> {
    if body.is_empty() {
        return Ok(());
    }
    let descriptor = target.descriptor();
    if descriptor.get_field_by_name(field).is_none() {
        return Err(internal_codec_error(format!(
            "{} has no field {field:?} to decode the body into",
            descriptor.full_name()
        )));
    }
    let decoded = decode_dynamic(&descriptor, Some(field), body, options)?;
    merge(target, &decoded)
}

/// Decodes `body` as a `descriptor` message, or as the value of its field `field`.
///
/// The common case costs one pass over the bytes: a strict decode without path tracking. Only
/// when it fails is more work done: to ignore unknown members (strip them, decode again), or to
/// find the path of the failing field for the error message (decode again, tracking the path).
fn decode_dynamic(
    descriptor: &MessageDescriptor,
    field: Option<&str>,
    body: &[u8],
    options: &JsonOptions,
) -> Result<DynamicMessage, Error> {
    let mut json = serde_json::Deserializer::from_slice(body);
    let first = decode_from(descriptor, field, &mut json).and_then(|decoded| {
        json.end()?;
        Ok(decoded)
    });
    match first {
        Ok(decoded) => Ok(decoded),
        Err(error) if !options.denies_unknown_fields() && is_unknown_field(&error) => {
            decode_tree(descriptor, field, body, true)
        }
        Err(error) if is_float_range(&error) || is_empty_any(&error) => {
            decode_tree(descriptor, field, body, !options.denies_unknown_fields())
        }
        Err(error) => Err(locate(descriptor, field, body, &error)),
    }
}

/// Whether a strict decode failed on an `Any` without `@type`, which may be an empty `{}`.
fn is_empty_any(error: &serde_json::Error) -> bool {
    error.to_string().starts_with("expected '@type' field")
}

/// Whether a strict decode failed on a number beyond a `float` (or an integer) field's range,
/// which may be a `float` Go wrote as `3.4028235e+38`.
fn is_float_range(error: &serde_json::Error) -> bool {
    error.to_string().starts_with("float value out of range")
}

fn decode_from<'de, D: Deserializer<'de>>(
    descriptor: &MessageDescriptor,
    field: Option<&str>,
    deserializer: D,
) -> Result<DynamicMessage, D::Error> {
    let options = JsonOptions::strict_deserialize_options();
    match field {
        None => {
            DynamicMessage::deserialize_with_options(descriptor.clone(), deserializer, &options)
        }
        Some(name) => DynamicMessage::deserialize_with_options(
            descriptor.clone(),
            FieldBody {
                name,
                value: deserializer,
            },
            &options,
        ),
    }
}

/// Whether a strict decode failed only because of a member the lenient mode would drop.
/// (prost-reflect's texts; `tests::json_decode` pins them.)
fn is_unknown_field(error: &serde_json::Error) -> bool {
    let text = error.to_string();
    text.starts_with("unrecognized field name '") || text.starts_with("unexpected value in map")
}

/// Decodes again with path tracking to say where `first` happened.
fn locate(
    descriptor: &MessageDescriptor,
    field: Option<&str>,
    body: &[u8],
    first: &serde_json::Error,
) -> Error {
    let mut json = serde_json::Deserializer::from_slice(body);
    let mut track = Track::new();
    let tracked = match field {
        None => decode_from(
            descriptor,
            None,
            serde_path_to_error::Deserializer::new(&mut json, &mut track),
        ),
        Some(name) => decode_from(
            descriptor,
            None,
            serde_path_to_error::Deserializer::new(
                FieldBody {
                    name,
                    value: &mut json,
                },
                &mut track,
            ),
        ),
    };
    match tracked {
        Err(error) => json_body_error(Some(&track.path()), &error),
        // Trailing characters come after the value, at no field.
        Ok(_) => match json.end() {
            Err(error) => json_body_error(None, &error),
            // Decoding is deterministic, so the second run fails too; `first` is a safe answer.
            Ok(()) => json_body_error(None, first),
        },
    }
}

/// The slow path: parse into a tree, drop unknown members (when `strip_unknown`), round `float`
/// extremes, stand in for empty `Any`s, decode the tree strictly. Its errors carry the field path but no line and column (a
/// tree has none).
fn decode_tree(
    descriptor: &MessageDescriptor,
    field: Option<&str>,
    body: &[u8],
    strip_unknown: bool,
) -> Result<DynamicMessage, Error> {
    let mut value: serde_json::Value =
        serde_json::from_slice(body).map_err(|error| json_body_error(None, &error))?;
    if let Some(name) = field {
        value = serde_json::Value::Object(serde_json::Map::from_iter([(name.to_owned(), value)]));
    }
    if strip_unknown {
        strip_unknown_fields(descriptor, &mut value);
    }
    round_float_extremes(descriptor, &mut value);
    let empty_anys = EmptyAnys::mark(descriptor, &mut value);
    let mut track = Track::new();
    let mut decoded = decode_from(
        descriptor,
        None,
        serde_path_to_error::Deserializer::new(&value, &mut track),
    )
    .map_err(|error| json_body_error(Some(&track.path()), &error))?;
    empty_anys.restore(&mut decoded);
    Ok(decoded)
}

/// `google.protobuf.Empty` (`()`) takes any object and ignores its members.
fn expect_object(body: &[u8]) -> Result<(), Error> {
    struct AnyObject;

    impl<'de> Visitor<'de> for AnyObject {
        type Value = ();

        fn expecting(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            formatter.write_str("a JSON object")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
            Ok(())
        }
    }

    let mut json = serde_json::Deserializer::from_slice(body);
    json.deserialize_map(AnyObject)
        .and_then(|()| json.end())
        .map_err(|error| json_body_error(None, &error))
}

/// Moves the decoded fields into the typed message through their binary form.
fn merge<M: Message>(target: &mut M, decoded: &DynamicMessage) -> Result<(), Error> {
    target
        .merge(decoded.encode_to_vec().as_slice())
        .map_err(|error| {
            if is_recursion_limit(&error) {
                too_deep("JSON body")
            } else {
                codec_error(format!("invalid JSON body: {error}"))
            }
        })
}
