//! Dropping JSON members that name no field, before a strict decode.
//!
//! prost-reflect can ignore unknown fields itself, but the same switch makes it ignore unknown
//! enum names too, silently losing a value the client sent. So decoding is strict, and when a
//! body does carry unknown members they are removed here first (walking the JSON alongside the
//! descriptors) and the cleaned value is decoded strictly.

use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};
use serde_json::{Map, Value};

/// Removes, recursively, every member of `value` that is not a field of `message`.
pub(super) fn strip_unknown_fields(message: &MessageDescriptor, value: &mut Value) {
    let Value::Object(object) = value else {
        return;
    };
    match message.full_name() {
        "google.protobuf.Any" => strip_any(message, object),
        "google.protobuf.Empty" => object.clear(),
        // Their JSON objects are user data, not fields.
        "google.protobuf.Struct" | "google.protobuf.Value" => {}
        _ => strip_message(message, object),
    }
}

fn strip_message(message: &MessageDescriptor, object: &mut Map<String, Value>) {
    object.retain(|key, _| {
        find_field(message, key).is_some() || message.get_extension_by_json_name(key).is_some()
    });
    for (key, value) in object.iter_mut() {
        if let Some(field) = find_field(message, key) {
            strip_field_value(&field, value);
        }
    }
}

/// Looks a JSON member up the way prost-reflect does: JSON name first, then proto name.
pub(super) fn find_field(message: &MessageDescriptor, key: &str) -> Option<FieldDescriptor> {
    message
        .get_field_by_json_name(key)
        .or_else(|| message.get_field_by_name(key))
}

fn strip_field_value(field: &FieldDescriptor, value: &mut Value) {
    let Kind::Message(message) = field.kind() else {
        return;
    };
    if field.is_map() {
        let Kind::Message(value_message) = message.map_entry_value_field().kind() else {
            return;
        };
        if let Value::Object(entries) = value {
            for entry in entries.values_mut() {
                strip_unknown_fields(&value_message, entry);
            }
        }
    } else if field.is_list() {
        if let Value::Array(elements) = value {
            for element in elements {
                strip_unknown_fields(&message, element);
            }
        }
    } else {
        strip_unknown_fields(&message, value);
    }
}

/// `{"@type": "type.googleapis.com/pkg.Msg", ...fields}`, or `{"@type": ..., "value": ...}` when
/// the packed message is itself a well-known type. An unresolvable type is left alone: decoding
/// reports it.
fn strip_any(any: &MessageDescriptor, object: &mut Map<String, Value>) {
    let Some(packed) = object
        .get("@type")
        .and_then(Value::as_str)
        .and_then(|type_url| type_url.rsplit('/').next())
        .and_then(|name| any.parent_pool().get_message_by_name(name))
    else {
        return;
    };
    if is_well_known_type(packed.full_name()) {
        object.retain(|key, _| key == "@type" || key == "value");
        if let Some(value) = object.get_mut("value") {
            strip_unknown_fields(&packed, value);
        }
    } else {
        let type_url = object.remove("@type");
        strip_message(&packed, object);
        if let Some(type_url) = type_url {
            object.insert("@type".to_owned(), type_url);
        }
    }
}

/// The types whose JSON form is not an object of their fields (prost-reflect's list).
pub(super) fn is_well_known_type(full_name: &str) -> bool {
    matches!(
        full_name,
        "google.protobuf.Any"
            | "google.protobuf.Timestamp"
            | "google.protobuf.Duration"
            | "google.protobuf.Struct"
            | "google.protobuf.FloatValue"
            | "google.protobuf.DoubleValue"
            | "google.protobuf.Int32Value"
            | "google.protobuf.Int64Value"
            | "google.protobuf.UInt32Value"
            | "google.protobuf.UInt64Value"
            | "google.protobuf.BoolValue"
            | "google.protobuf.StringValue"
            | "google.protobuf.BytesValue"
            | "google.protobuf.FieldMask"
            | "google.protobuf.ListValue"
            | "google.protobuf.Value"
            | "google.protobuf.Empty"
    )
}
