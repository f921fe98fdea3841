//! `float` values at the edge of the range, read as Go writes them.
//!
//! Go writes `float32` max as `3.4028235e+38`, which as a double is a little above `f32::MAX`;
//! prost-reflect 0.16 compares with `f32::MAX` before rounding and refuses it. When a strict
//! decode fails that way, the body is decoded again from a tree in which every `float` number
//! that rounds to a finite `f32` has been rounded already (walking the JSON alongside the
//! descriptors, so `double` fields are never touched).

use prost_reflect::{FieldDescriptor, Kind, MessageDescriptor};
use serde_json::Value;

use super::unknown::find_field;

/// Rounds, recursively, the `float` (and `FloatValue`) numbers of `value`, a `message` object.
pub(super) fn round_float_extremes(message: &MessageDescriptor, value: &mut Value) {
    let Value::Object(object) = value else {
        return;
    };
    for (key, member) in object.iter_mut() {
        if let Some(field) = find_field(message, key) {
            round_field(&field, member);
        }
    }
}

fn round_field(field: &FieldDescriptor, value: &mut Value) {
    let elements: Vec<&mut Value> = match value {
        Value::Array(elements) if field.is_list() => elements.iter_mut().collect(),
        Value::Object(entries) if field.is_map() => entries.values_mut().collect(),
        value => vec![value],
    };
    let kind = if field.is_map() {
        match field.kind() {
            Kind::Message(entry) => entry.map_entry_value_field().kind(),
            kind => kind,
        }
    } else {
        field.kind()
    };
    for element in elements {
        match &kind {
            Kind::Float => round_number(element),
            Kind::Message(message) if message.full_name() == "google.protobuf.FloatValue" => {
                round_number(element);
            }
            Kind::Message(message) if !message.full_name().starts_with("google.protobuf.") => {
                round_float_extremes(message, element);
            }
            _ => {}
        }
    }
}

/// `f32::MAX` (or `MIN`) for a number beyond it that still rounds to it.
#[allow(clippy::cast_possible_truncation)]
fn round_number(value: &mut Value) {
    let Some(number) = value.as_f64() else {
        return;
    };
    let rounded = number as f32;
    if rounded.is_finite() && number.abs() > f64::from(f32::MAX) {
        *value = Value::from(f64::from(rounded));
    }
}
