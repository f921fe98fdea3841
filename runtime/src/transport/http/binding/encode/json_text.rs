//! Compact JSON text of `Struct`, `ListValue` and `Value`, as a query parameter carries them
//! (the body codecs write JSON elsewhere; this is the small writer a URL needs, without a
//! descriptor pool).

use std::fmt::Write as _;

use prost_types::value::Kind;
use prost_types::{ListValue, Struct, Value};

use super::query::push_float;

pub(super) fn write_struct(out: &mut String, value: &Struct) {
    out.push('{');
    // A `BTreeMap`: keys come sorted, so the same message always gives the same URL.
    for (index, (name, field)) in value.fields.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        write_json_string(out, name);
        out.push(':');
        write_value(out, field);
    }
    out.push('}');
}

pub(super) fn write_list(out: &mut String, value: &ListValue) {
    out.push('[');
    for (index, element) in value.values.iter().enumerate() {
        if index > 0 {
            out.push(',');
        }
        write_value(out, element);
    }
    out.push(']');
}

/// A `Value` as JSON. JSON has no NaN or infinity, and a `Value` without a kind has no JSON form
/// (protojson refuses both): they are written as `null`.
pub(super) fn write_value(out: &mut String, value: &Value) {
    match &value.kind {
        None | Some(Kind::NullValue(_)) => out.push_str("null"),
        Some(Kind::BoolValue(boolean)) => out.push_str(if *boolean { "true" } else { "false" }),
        Some(Kind::NumberValue(number)) if !number.is_finite() => out.push_str("null"),
        Some(Kind::NumberValue(number)) => write_json_number(out, *number),
        Some(Kind::StringValue(string)) => write_json_string(out, string),
        Some(Kind::StructValue(object)) => write_struct(out, object),
        Some(Kind::ListValue(list)) => write_list(out, list),
    }
}

/// A finite number as JSON: integers without a fraction (`1`, not `1.0`), as protojson writes.
fn write_json_number(out: &mut String, number: f64) {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53
    if number.fract() == 0.0 && number.abs() < EXACT {
        // Integral and within ±2^53, so the conversion is exact.
        let _ = write!(out, "{}", number as i64);
    } else {
        push_float(out, number, number);
    }
}

fn write_json_string(out: &mut String, text: &str) {
    // serde_json escapes exactly what JSON requires; a `&str` always serializes.
    match serde_json::to_string(text) {
        Ok(json) => out.push_str(&json),
        Err(_) => out.push_str("\"\""),
    }
}
