//! Path variables in a request URL: percent-encoding a value as one segment or several, and the
//! check of a value against its variable's pattern.

use super::super::quoted;
use crate::errors::Error;

/// The reason of the error a client gives, before sending anything, for a path field whose value
/// does not fit its variable's pattern: [`pattern_mismatch`].
pub use crate::errors::reasons::INVALID_PATH_VALUE;

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// Appends `value` to `out` percent-encoding every byte except the unreserved characters
/// `[-_.~0-9a-zA-Z]` (uppercase hex), and also `/` when `keep_slash`.
pub(super) fn push_encoded(out: &mut String, value: &str, keep_slash: bool) {
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

/// Whether `value` fits a path variable's sub-template, given as its text (`shelves/*`): `*` matches
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
/// assert!(matches_pattern("shelves/1", "shelves/*"));
/// assert!(!matches_pattern("books/1", "shelves/*"));
/// assert!(!matches_pattern("shelves/1/x", "shelves/*"));
/// assert!(!matches_pattern("shelves/", "shelves/*"));
/// assert!(matches_pattern("", "**"));
/// assert!(matches_pattern("a/b/c.txt", "**"));
/// ```
// Templates allow one `**`, followed by literals or `*` only (fixed width): so the value's
// segments split into the head before it, the tail after it, and a middle it takes, each
// compared in one pass over the text, without collecting segments.
pub fn matches_pattern(value: &str, pattern: &str) -> bool {
    let (head, tail) = match pattern.split_once("**") {
        Some((head, tail)) => (
            head.trim_end_matches('/'),
            Some(tail.trim_start_matches('/')),
        ),
        None => (pattern, None),
    };
    let (head_len, value_len) = (segments(head).count(), segments(value).count());
    let Some(tail) = tail else {
        return value_len == head_len && all_match(segments(value), segments(head));
    };
    let tail_len = segments(tail).count();
    let Some(middle_len) = value_len.checked_sub(head_len + tail_len) else {
        return false;
    };
    all_match(segments(value), segments(head))
        && segments(value)
            .skip(head_len)
            .take(middle_len)
            .all(|segment| !segment.is_empty())
        && all_match(segments(value).skip(head_len + middle_len), segments(tail))
}

/// The `/`-separated segments of a value or pattern; none for the empty text.
fn segments(text: &str) -> impl Iterator<Item = &str> {
    text.split('/').filter(move |_| !text.is_empty())
}

/// Whether each value segment fits its pattern segment (`*`: any non-empty one), pairwise.
fn all_match<'a>(
    values: impl Iterator<Item = &'a str>,
    patterns: impl Iterator<Item = &'a str>,
) -> bool {
    values
        .zip(patterns)
        .all(|(segment, pattern)| match pattern {
            "*" => !segment.is_empty(),
            literal => literal_matches(literal, segment),
        })
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
