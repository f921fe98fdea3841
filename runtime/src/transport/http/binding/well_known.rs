//! `FieldMask`, `Struct`, `ListValue` and `Value` from query text.
//!
//! Wrapper types need nothing of their own: prost maps `google.protobuf.Int32Value` to
//! `Option<i32>` (and so on), so generated code stores `Some(parse_i32(..)?)`.

use prost_types::value::Kind;
use prost_types::{FieldMask, ListValue, Struct, Value};

use super::invalid;
use crate::encoding::MAX_NESTING;
use crate::encoding::nesting::too_deep_text;
use crate::errors::Error;

/// A `FieldMask`: comma-separated paths, each a dotted field path.
///
/// Paths are stored in proto (snake_case) form: lowerCamelCase components, the JSON form, are
/// converted (`user.displayName` becomes `user.display_name`), and snake_case ones are unchanged,
/// so both spellings work, as in Go Kratos. An empty value is an empty mask; an empty path
/// (`a,,b`) or a character that cannot be in a field name is an error.
pub fn parse_field_mask(name: &str, value: &str) -> Result<FieldMask, Error> {
    if value.is_empty() {
        return Ok(FieldMask::default());
    }
    let paths = value
        .split(',')
        .map(|path| {
            let valid = path.split('.').all(|component| {
                !component.is_empty()
                    && component
                        .bytes()
                        .all(|byte| byte.is_ascii_alphanumeric() || byte == b'_')
            });
            if valid {
                Ok(snake_case(path))
            } else {
                Err(invalid(
                    name,
                    value,
                    &format!("{path:?} is not a field path; expected paths such as user.display_name,photo"),
                ))
            }
        })
        .collect::<Result<_, _>>()?;
    Ok(FieldMask { paths })
}

/// lowerCamelCase to snake_case, per the proto3 JSON mapping of FieldMask paths.
fn snake_case(path: &str) -> String {
    let mut out = String::with_capacity(path.len() + 4);
    for character in path.chars() {
        if character.is_ascii_uppercase() {
            out.push('_');
            out.push(character.to_ascii_lowercase());
        } else {
            out.push(character);
        }
    }
    out
}

/// A `Struct`: JSON object text (`{"a":1}`), nested no deeper than
/// [`MAX_NESTING`](crate::encoding::MAX_NESTING) allows at `name`.
pub fn parse_struct(name: &str, value: &str) -> Result<Struct, Error> {
    match parse_json(name, value)? {
        serde_json::Value::Object(object) => {
            check_levels(name, value, object_levels(&object))?;
            Ok(to_struct(object))
        }
        _ => Err(invalid(name, value, "expected a JSON object")),
    }
}

/// A `ListValue`: JSON array text (`[1,"a"]`), nested no deeper than
/// [`MAX_NESTING`](crate::encoding::MAX_NESTING) allows at `name`.
pub fn parse_list_value(name: &str, value: &str) -> Result<ListValue, Error> {
    match parse_json(name, value)? {
        serde_json::Value::Array(array) => {
            check_levels(name, value, array_levels(&array))?;
            Ok(to_list(array))
        }
        _ => Err(invalid(name, value, "expected a JSON array")),
    }
}

/// A `Value`: JSON text (`1`, `true`, `null`, `"a"`, `{...}`, `[...]`), or else the text itself
/// as a string, so `?v=hello` means `"hello"`. Fails only for JSON nested deeper than
/// [`MAX_NESTING`](crate::encoding::MAX_NESTING) allows at `name`.
pub fn parse_value(name: &str, value: &str) -> Result<Value, Error> {
    match serde_json::from_str(value) {
        Ok(json) => {
            check_levels(name, value, value_levels(&json))?;
            Ok(to_value(json))
        }
        Err(error) if is_too_deep(&error) => Err(invalid(name, value, &too_deep_text())),
        Err(_) => Ok(Value {
            kind: Some(Kind::StringValue(value.to_owned())),
        }),
    }
}

fn parse_json(name: &str, value: &str) -> Result<serde_json::Value, Error> {
    serde_json::from_str(value).map_err(|error| {
        if is_too_deep(&error) {
            invalid(name, value, &too_deep_text())
        } else {
            invalid(name, value, &format!("invalid JSON: {error}"))
        }
    })
}

/// serde_json stops at 128 levels of JSON, far past what [`MAX_NESTING`] allows in a `Struct`
/// (three levels per object), so hitting it means "too deep" too.
fn is_too_deep(error: &serde_json::Error) -> bool {
    error.to_string().starts_with("recursion limit exceeded")
}

/// Fails when a value taking `levels` levels (itself included) does not fit at `name`: the
/// field's message sits one level further down per dotted component before it, and one more
/// per map entry (`m[key]`).
fn check_levels(name: &str, value: &str, levels: u32) -> Result<(), Error> {
    let enclosing = name.bytes().filter(|&b| b == b'.' || b == b'[').count();
    let left = MAX_NESTING.saturating_sub(u32::try_from(enclosing).unwrap_or(u32::MAX));
    if levels > left {
        return Err(invalid(name, value, &too_deep_text()));
    }
    Ok(())
}

// Levels as prost counts them for the message each JSON value becomes: a `Value` is one, a
// `Struct` one plus a map entry per member, a `ListValue` one. serde_json's own depth limit
// bounds the recursion.

fn value_levels(value: &serde_json::Value) -> u32 {
    1 + match value {
        serde_json::Value::Object(object) => object_levels(object),
        serde_json::Value::Array(array) => array_levels(array),
        _ => 0,
    }
}

fn object_levels(object: &serde_json::Map<String, serde_json::Value>) -> u32 {
    1 + object
        .values()
        .map(|member| 1 + value_levels(member))
        .max()
        .unwrap_or(0)
}

fn array_levels(array: &[serde_json::Value]) -> u32 {
    1 + array.iter().map(value_levels).max().unwrap_or(0)
}

fn to_struct(object: serde_json::Map<String, serde_json::Value>) -> Struct {
    Struct {
        fields: object
            .into_iter()
            .map(|(key, value)| (key, to_value(value)))
            .collect(),
    }
}

fn to_list(array: Vec<serde_json::Value>) -> ListValue {
    ListValue {
        values: array.into_iter().map(to_value).collect(),
    }
}

fn to_value(value: serde_json::Value) -> Value {
    let kind = match value {
        serde_json::Value::Null => Kind::NullValue(prost_types::NullValue::NullValue.into()),
        serde_json::Value::Bool(boolean) => Kind::BoolValue(boolean),
        // `as_f64` is `Some` for every number without serde_json's arbitrary_precision.
        serde_json::Value::Number(number) => Kind::NumberValue(number.as_f64().unwrap_or_default()),
        serde_json::Value::String(string) => Kind::StringValue(string),
        serde_json::Value::Array(array) => Kind::ListValue(to_list(array)),
        serde_json::Value::Object(object) => Kind::StructValue(to_struct(object)),
    };
    Value { kind: Some(kind) }
}
