//! Turning serde_json / prost-reflect errors into messages a client can act on.

use std::borrow::Cow;
use std::fmt::Write as _;

use serde_path_to_error::{Path, Segment};

use crate::encoding::codec_error;
use crate::encoding::nesting::too_deep_text;
use crate::errors::Error;

/// `invalid JSON body: field "user.age": integer out of range at line 1 column 22`.
///
/// `path` is where the error happened (empty at the top level); the position is present only
/// when the error came straight from the body's bytes.
pub(super) fn json_body_error(path: Option<&Path>, error: &serde_json::Error) -> Error {
    let mut message = String::from("invalid JSON body: ");
    if let Some(field) = path.and_then(field_path) {
        let _ = write!(message, "field {field:?}: ");
    }
    message.push_str(&explain(raw_message(error)));
    if error.line() > 0 {
        let _ = write!(
            message,
            " at line {} column {}",
            error.line(),
            error.column()
        );
    }
    codec_error(message)
}

/// `inners[1].count`; `None` at the top level. A trailing unknown segment (the error struck while
/// reading a key) names nothing, so it is left out.
fn field_path(path: &Path) -> Option<String> {
    let mut segments: Vec<&Segment> = path.iter().collect();
    while matches!(segments.last(), Some(Segment::Unknown)) {
        segments.pop();
    }
    if segments.is_empty() {
        return None;
    }
    let mut out = String::new();
    for segment in segments {
        match segment {
            Segment::Seq { index } => {
                let _ = write!(out, "[{index}]");
            }
            Segment::Map { key } | Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            Segment::Unknown => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push('?');
            }
        }
    }
    Some(out)
}

/// The error's own text, without the ` at line L column C` that serde_json appends.
fn raw_message(error: &serde_json::Error) -> String {
    let text = error.to_string();
    if error.line() == 0 {
        return text;
    }
    let position = format!(" at line {} column {}", error.line(), error.column());
    match text.strip_suffix(&position) {
        Some(stripped) => stripped.to_owned(),
        None => text,
    }
}

/// Rewrites the terse texts of prost-reflect and `core::num` into plain words; anything else
/// (serde_json's `invalid type: string "x", expected a boolean`, ...) is already readable.
fn explain(raw: String) -> Cow<'static, str> {
    let quoted = |prefix: &str| {
        raw.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix('\''))
            .map(str::to_owned)
    };
    if let Some(name) = quoted("unrecognized field name '") {
        return format!("unknown field {name:?}").into();
    }
    if let Some(name) = quoted("unrecognized enum value '") {
        return format!("unknown enum value {name:?}").into();
    }
    if let Some(name) = quoted("multiple fields provided for oneof '") {
        return format!("more than one value given for oneof {name:?}; give one").into();
    }
    // serde_json's 128 levels of JSON are past `MAX_NESTING` whatever the message; prost's
    // recursion limit is where prost-reflect's transcoding of a well-known type stops.
    if raw == "recursion limit exceeded" || raw.ends_with("recursion limit reached") {
        return too_deep_text().into();
    }
    let plain = match raw.as_str() {
        "invalid digit found in string" => "expected a decimal integer",
        "cannot parse integer from empty string" => "expected a decimal integer, got \"\"",
        "number too large to fit in target type"
        | "number too small to fit in target type"
        | "out of range integral type conversion attempted" => "integer out of range",
        "expected integer value" => "expected an integer, got a number with a fraction",
        "invalid float literal" | "cannot parse float from empty string" => "expected a number",
        "float value out of range" => "number out of range",
        "unexpected value in map" => "google.protobuf.Empty takes no fields",
        "failed to parse duration" => "expected a duration such as \"1.5s\"",
        _ => {
            // serde says "map" where JSON says "object".
            return match raw.strip_suffix("expected a map") {
                Some(start) => format!("{start}expected an object").into(),
                None => raw.into(),
            };
        }
    };
    plain.into()
}
