//! The URL text of values that have no plain decimal form: bytes, Timestamp, Duration, and the
//! field paths of a FieldMask.

use std::fmt::Write as _;

use base64::Engine as _;
use prost_types::{Duration, Timestamp};

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

pub(super) fn push_duration_text(out: &mut String, value: &Duration) {
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
pub(super) fn push_lower_camel(out: &mut String, path: &str) {
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
