//! The client side of binding: what generated client code calls to build a request URL from a
//! message, the inverse of the parsers beside this module.
//!
//! - Path variables: [`push_path_segment`] for single-segment variables (`{name}`, `{name=*}`)
//!   and [`push_path_segments`] for multi-segment ones (`{name=shelves/*}`, `{path=**}`), as
//!   `google/api/http.proto` specifies; [`matches_pattern`] checks a value against a variable's
//!   sub-template first, and [`pattern_mismatch`] is the error when it does not fit.
//! - Query parameters: [`QueryWriter`], with one typed `push_*` helper per field kind, writing
//!   every value in a form that both our server ([`QueryPairs`](super::QueryPairs) and the
//!   `parse_*` functions) and Go's `url.ParseQuery` (Go Kratos, grpc-gateway) read back
//!   unchanged.
//!
//! ```
//! use kratos::transport::http::binding::{self, QueryWriter};
//!
//! let mut url = String::from("/v1/");
//! binding::push_path_segments(&mut url, "shelves/1/books/a b");
//! let mut query = QueryWriter::new();
//! query.push("filter", "title = \"Dune\"");
//! query.push_i64("pageSize", 10);
//! query.append_to(&mut url);
//! assert_eq!(url, "/v1/shelves/1/books/a%20b?filter=title%20%3D%20%22Dune%22&pageSize=10");
//! ```

use std::fmt::Write as _;

use base64::Engine as _;
use prost_types::value::Kind;
use prost_types::{Duration, FieldMask, ListValue, Struct, Timestamp, Value};

use super::quoted;
use crate::errors::Error;

#[cfg(test)]
mod tests;

/// The reason of the error a client gives, before sending anything, for a path field whose value
/// does not fit its variable's pattern: [`pattern_mismatch`].
pub use crate::errors::reasons::INVALID_PATH_VALUE;

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Appends `value` to `out` percent-encoding every byte except the unreserved characters
/// `[-_.~0-9a-zA-Z]` (uppercase hex), and also `/` when `keep_slash`.
fn push_encoded(out: &mut String, value: &str, keep_slash: bool) {
    out.reserve(value.len());
    for &byte in value.as_bytes() {
        if is_unreserved(byte) || (keep_slash && byte == b'/') {
            out.push(char::from(byte));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(byte >> 4)]));
            out.push(char::from(HEX[usize::from(byte & 0x0F)]));
        }
    }
}

fn is_unreserved(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~')
}

/// Expands a single-segment path variable (`{name}` or `{name=*}`): appends `value` with every
/// byte except `[-_.~0-9a-zA-Z]` percent-encoded (uppercase hex), `/` included, so the value stays
/// one segment. Our server decodes single-segment variables fully, so every string round-trips.
///
/// ```
/// let mut path = String::from("/v1/users/");
/// kratos::transport::http::binding::push_path_segment(&mut path, "a b/c?d");
/// assert_eq!(path, "/v1/users/a%20b%2Fc%3Fd");
/// ```
pub fn push_path_segment(out: &mut String, value: &str) {
    push_encoded(out, value, false);
}

/// Expands a multi-segment path variable (`{name=shelves/*/books/*}`, `{path=**}`): like
/// [`push_path_segment`] but `/` is kept, so the value spans segments. As the spec says, this is
/// not RFC 6570 reserved expansion: `?`, `#` and the other reserved characters are encoded.
///
/// (Servers, ours included, leave the RFC 6570 reserved characters such as `%3F` encoded in
/// multi-segment variables, so those characters do not round-trip there; letters, digits,
/// spaces and non-ASCII text do.)
pub fn push_path_segments(out: &mut String, value: &str) {
    push_encoded(out, value, true);
}

/// Whether `value` fits a path variable's sub-template, given as its segments: `"*"` matches
/// exactly one non-empty segment, `"**"` zero or more non-empty segments, anything else is a
/// literal that must equal the segment (compared after percent-decoding the literal, so the
/// template literal `a%20b` matches `a b`). `value` is split on `/`; the empty value has no
/// segments.
///
/// Generated clients check this before expanding a multi-segment variable with
/// [`push_path_segments`], so a value the server's route would not match never leaves the
/// client (a trailing `/` or an empty segment would be lost or misrouted too, so those never
/// fit).
///
/// ```
/// use kratos::transport::http::binding::matches_pattern;
///
/// assert!(matches_pattern("shelves/1", &["shelves", "*"]));
/// assert!(!matches_pattern("books/1", &["shelves", "*"]));
/// assert!(!matches_pattern("shelves/1/x", &["shelves", "*"]));
/// assert!(!matches_pattern("shelves/", &["shelves", "*"]));
/// assert!(matches_pattern("", &["**"]));
/// assert!(matches_pattern("a/b/c.txt", &["**"]));
/// ```
pub fn matches_pattern(value: &str, pattern: &[&str]) -> bool {
    let segments: Vec<&str> = if value.is_empty() {
        Vec::new()
    } else {
        value.split('/').collect()
    };
    matches_segments(&segments, pattern)
}

fn matches_segments(segments: &[&str], pattern: &[&str]) -> bool {
    let Some((&first, rest)) = pattern.split_first() else {
        return segments.is_empty();
    };
    match first {
        "**" => {
            // Templates allow one `**`, followed by literals at most, so this tries at most
            // `segments.len() + 1` splits, each checked in linear time.
            for taken in 0..=segments.len() {
                if taken > 0 && segments[taken - 1].is_empty() {
                    return false;
                }
                if matches_segments(&segments[taken..], rest) {
                    return true;
                }
            }
            false
        }
        "*" => match segments.split_first() {
            Some((segment, others)) => !segment.is_empty() && matches_segments(others, rest),
            None => false,
        },
        literal => match segments.split_first() {
            Some((segment, others)) => {
                literal_matches(literal, segment) && matches_segments(others, rest)
            }
            None => false,
        },
    }
}

/// Whether a template literal (possibly percent-encoded) spells `segment`.
fn literal_matches(literal: &str, segment: &str) -> bool {
    if !literal.contains('%') {
        return literal == segment;
    }
    let bytes = literal.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        let escaped = match (byte, bytes.get(index + 1..index + 3)) {
            (b'%', Some(&[high, low])) => hex_value(high).zip(hex_value(low)),
            _ => None,
        };
        match escaped {
            Some((high, low)) => {
                decoded.push(high << 4 | low);
                index += 3;
            }
            None => {
                decoded.push(byte);
                index += 1;
            }
        }
    }
    decoded == segment.as_bytes()
}

fn hex_value(digit: u8) -> Option<u8> {
    char::from(digit)
        .to_digit(16)
        .and_then(|value| u8::try_from(value).ok())
}

/// The error for a path field whose value does not fit its variable's pattern (see
/// [`matches_pattern`]): code `400`, reason [`INVALID_PATH_VALUE`], raised by the client before
/// anything is sent. The message names the field, the value and the pattern:
/// `invalid value "books/1" for path field "name": expected the pattern shelves/*/books/*`.
pub fn pattern_mismatch(field: &str, value: &str, template: &str) -> Error {
    Error::new(
        400,
        INVALID_PATH_VALUE,
        format!(
            "invalid value {} for path field {}: expected the pattern {template}",
            quoted(value),
            quoted(field)
        ),
    )
}

/// The error for an empty single-segment path field (`id: ""` for `/v1/items/{id}`): code
/// `400`, reason [`INVALID_PATH_VALUE`], raised by the client before anything is sent, because
/// `/v1/items/` is `/v1/items` to the server, another route or none. The message names the field
/// and the variable: `path field "id" is empty; {id} needs a non-empty value`.
pub fn empty_path_value(field: &str, variable: &str) -> Error {
    Error::new(
        400,
        INVALID_PATH_VALUE,
        format!(
            "path field {} is empty; {variable} needs a non-empty value",
            quoted(field)
        ),
    )
}

/// Builds a query string, one `key=value` pair at a time, in the order pushed.
///
/// Keys and values are percent-encoded except for the unreserved characters
/// `[-_.~0-9a-zA-Z]`: a space is `%20` and a plus `%2B`, which our server and Go's
/// `url.ParseQuery` both decode back to the same text (a raw `+` would be a space to both). Keys
/// are written as given: dotted paths (`page.size`), `tags` repeated once per element, map
/// entries as `labels[key]`.
///
/// Typed helpers write each field kind the way the server's parsers (and Go Kratos' form
/// decoder) read it:
///
/// | Helper | Form |
/// |---|---|
/// | [`push`](Self::push) | the string as is |
/// | [`push_bool`](Self::push_bool) | `true` / `false` |
/// | [`push_i32`](Self::push_i32), [`push_i64`](Self::push_i64), [`push_u32`](Self::push_u32), [`push_u64`](Self::push_u64) | decimal |
/// | [`push_f32`](Self::push_f32), [`push_f64`](Self::push_f64) | shortest round-trip decimal (`1.5`, `1e300`), `NaN`, `Infinity`, `-Infinity` |
/// | [`push_bytes`](Self::push_bytes) | URL-safe base64 with padding (as Go Kratos writes) |
/// | [`push_enum`](Self::push_enum) | the value name, else the number |
/// | [`push_timestamp`](Self::push_timestamp) | RFC 3339 in UTC with 0, 3, 6 or 9 fraction digits, as protojson |
/// | [`push_duration`](Self::push_duration) | `1.500s`, as protojson |
/// | [`push_field_mask`](Self::push_field_mask) | comma-joined lowerCamelCase paths, as protojson |
/// | [`push_struct`](Self::push_struct), [`push_list_value`](Self::push_list_value), [`push_value`](Self::push_value) | compact JSON text |
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryWriter {
    query: String,
}

impl QueryWriter {
    /// An empty query.
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.query.is_empty()
    }

    /// The query string, without a leading `?` (empty when nothing was pushed).
    pub fn finish(self) -> String {
        self.query
    }

    /// Appends the query to `url`: nothing when empty, else `?` (or `&` when `url` already has
    /// a query) and the pairs.
    pub fn append_to(self, url: &mut String) {
        if self.query.is_empty() {
            return;
        }
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&self.query);
    }

    /// Starts a pair: the separator, the encoded key and `=`.
    fn key(&mut self, key: &str) -> &mut String {
        if !self.query.is_empty() {
            self.query.push('&');
        }
        push_encoded(&mut self.query, key, false);
        self.query.push('=');
        &mut self.query
    }

    /// Pushes `key=value`, both percent-encoded (strings and `StringValue`).
    pub fn push(&mut self, key: &str, value: &str) {
        let out = self.key(key);
        push_encoded(out, value, false);
    }

    /// Pushes text that needs no encoding (digits, signs, letters, `.`).
    fn push_plain(&mut self, key: &str, value: impl std::fmt::Display) {
        let out = self.key(key);
        // Writing to a `String` cannot fail.
        let _ = write!(out, "{value}");
    }

    /// Pushes a bool as `true` or `false`.
    pub fn push_bool(&mut self, key: &str, value: bool) {
        self.push_plain(key, value);
    }

    /// Pushes an `int32` (`sint32`, `sfixed32`, `Int32Value`) in decimal.
    pub fn push_i32(&mut self, key: &str, value: i32) {
        self.push_plain(key, value);
    }

    /// Pushes an `int64` (`sint64`, `sfixed64`, `Int64Value`) in decimal.
    pub fn push_i64(&mut self, key: &str, value: i64) {
        self.push_plain(key, value);
    }

    /// Pushes a `uint32` (`fixed32`, `UInt32Value`) in decimal.
    pub fn push_u32(&mut self, key: &str, value: u32) {
        self.push_plain(key, value);
    }

    /// Pushes a `uint64` (`fixed64`, `UInt64Value`) in decimal.
    pub fn push_u64(&mut self, key: &str, value: u64) {
        self.push_plain(key, value);
    }

    /// Pushes a `float`: `NaN`, `Infinity`, `-Infinity`, else the shortest decimal that reads
    /// back as the same `f32` (exponent form, `1e30`, outside `1e-6..1e21`).
    pub fn push_f32(&mut self, key: &str, value: f32) {
        let out = self.key(key);
        push_float(out, value, f64::from(value));
    }

    /// Pushes a `double`: `NaN`, `Infinity`, `-Infinity`, else the shortest decimal that reads
    /// back as the same `f64` (exponent form, `1e300`, outside `1e-6..1e21`).
    pub fn push_f64(&mut self, key: &str, value: f64) {
        let out = self.key(key);
        push_float(out, value, value);
    }

    /// Pushes `bytes` as URL-safe base64 with padding (the `=` sent as `%3D`), as Go Kratos
    /// writes them; servers accept standard and URL-safe base64.
    pub fn push_bytes(&mut self, key: &str, value: &[u8]) {
        self.push(key, &bytes_text(value));
    }

    /// Pushes an enum value: its `name` when the number is a known value, else the number.
    /// Generated code passes `Enum::try_from(n).ok().map(|e| e.as_str_name())`.
    pub fn push_enum(&mut self, key: &str, name: Option<&str>, number: i32) {
        match name {
            Some(name) => self.push(key, name),
            None => self.push_i32(key, number),
        }
    }

    /// Pushes a `Timestamp` in RFC 3339 form, UTC with `Z` and 0, 3, 6 or 9 fraction digits
    /// (`1972-01-01T10:00:20.021Z`), as protojson writes it. The timestamp is normalized first;
    /// one outside the spec's years 0001..=9999 is written anyway (the server rejects it).
    pub fn push_timestamp(&mut self, key: &str, value: &Timestamp) {
        self.push(key, &timestamp_text(value));
    }

    /// Pushes a `Duration` in its proto3 JSON form: seconds with 0, 3, 6 or 9 fraction digits
    /// and an `s` (`1.500s`, `-0.000000001s`, `3s`), as protojson writes it.
    pub fn push_duration(&mut self, key: &str, value: &Duration) {
        let out = self.key(key);
        push_duration_text(out, value);
    }

    /// Pushes a `FieldMask` as its paths in lowerCamelCase joined by `,`
    /// (`user.displayName,photo`), as protojson writes it.
    pub fn push_field_mask(&mut self, key: &str, value: &FieldMask) {
        let mut text = String::new();
        for (index, path) in value.paths.iter().enumerate() {
            if index > 0 {
                text.push(',');
            }
            push_lower_camel(&mut text, path);
        }
        self.push(key, &text);
    }

    /// Pushes a `Struct` as compact JSON object text.
    pub fn push_struct(&mut self, key: &str, value: &Struct) {
        let mut text = String::new();
        write_struct(&mut text, value);
        self.push(key, &text);
    }

    /// Pushes a `ListValue` as compact JSON array text.
    pub fn push_list_value(&mut self, key: &str, value: &ListValue) {
        let mut text = String::new();
        write_list(&mut text, value);
        self.push(key, &text);
    }

    /// Pushes a `Value` as compact JSON text (a string value is quoted: `"hello"`).
    pub fn push_value(&mut self, key: &str, value: &Value) {
        let mut text = String::new();
        write_value(&mut text, value);
        self.push(key, &text);
    }
}

/// Writes a float (`value`, also given widened for the checks) in the spec's text forms.
fn push_float<F: std::fmt::Display + std::fmt::LowerExp>(out: &mut String, value: F, wide: f64) {
    if wide.is_nan() {
        out.push_str("NaN");
    } else if wide.is_infinite() {
        out.push_str(if wide > 0.0 { "Infinity" } else { "-Infinity" });
    } else if wide == 0.0 || (1e-6..1e21).contains(&wide.abs()) {
        // Display is the shortest text that reads back as the same value.
        let _ = write!(out, "{value}");
    } else {
        // So is LowerExp, which keeps 1e300 short; `e-7` needs no encoding.
        let _ = write!(out, "{value:e}");
    }
}

const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// The text of a `bytes` value in a URL (path variable or query): URL-safe
/// base64 with padding, as Go Kratos writes it.
pub fn bytes_text(value: &[u8]) -> String {
    base64::engine::general_purpose::URL_SAFE.encode(value)
}

/// The text of a `Timestamp` in a URL: RFC 3339 as protojson writes it.
pub fn timestamp_text(value: &Timestamp) -> String {
    value.to_string()
}

/// The text of a `Duration` in a URL: its proto3 JSON form (`1.500s`).
pub fn duration_text(value: &Duration) -> String {
    let mut text = String::new();
    push_duration_text(&mut text, value);
    text
}

fn push_duration_text(out: &mut String, value: &Duration) {
    // Seconds and nanos may disagree in sign or overflow a second; their sum is the value.
    let total = i128::from(value.seconds) * NANOS_PER_SECOND + i128::from(value.nanos);
    if total < 0 {
        out.push('-');
    }
    let total = total.unsigned_abs();
    let seconds = total / NANOS_PER_SECOND.unsigned_abs();
    let nanos = total % NANOS_PER_SECOND.unsigned_abs();
    let _ = if nanos == 0 {
        write!(out, "{seconds}s")
    } else if nanos.is_multiple_of(1_000_000) {
        write!(out, "{seconds}.{:03}s", nanos / 1_000_000)
    } else if nanos.is_multiple_of(1_000) {
        write!(out, "{seconds}.{:06}s", nanos / 1_000)
    } else {
        write!(out, "{seconds}.{nanos:09}s")
    };
}

/// snake_case to lowerCamelCase as protojson does for FieldMask paths: an `_` is dropped and a
/// lowercase letter after it is uppercased (`display_name` gives `displayName`).
fn push_lower_camel(out: &mut String, path: &str) {
    let mut after_underscore = false;
    for character in path.chars() {
        if character == '_' {
            after_underscore = true;
            continue;
        }
        if after_underscore {
            out.push(character.to_ascii_uppercase());
        } else {
            out.push(character);
        }
        after_underscore = false;
    }
}

fn write_struct(out: &mut String, value: &Struct) {
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

fn write_list(out: &mut String, value: &ListValue) {
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
fn write_value(out: &mut String, value: &Value) {
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

/// Whether the field `field` of the message at proto-name path `at` lies under
/// one of the `exclude` paths (path variables and the body field, which a
/// client does not repeat in the query).
pub fn is_excluded(exclude: &[&[&str]], at: &[&str], field: &str) -> bool {
    exclude.iter().any(|excluded| {
        excluded.len() <= at.len() + 1
            && excluded
                .iter()
                .zip(at.iter().chain(std::iter::once(&field)))
                .all(|(a, b)| a == b)
    })
}
