//! The query string of a request URL, written field by field in the forms the server's parsers
//! and Go's `url.ParseQuery` read back.

use std::fmt::Write as _;

use prost_types::{Duration, FieldMask, ListValue, Struct, Timestamp, Value};

use super::json_text::{write_list, write_struct, write_value};
use super::path::push_encoded;
use super::text::{bytes_text, push_duration_text, push_lower_camel, timestamp_text};

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
pub(super) fn push_float<F: std::fmt::Display + std::fmt::LowerExp>(
    out: &mut String,
    value: F,
    wide: f64,
) {
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
