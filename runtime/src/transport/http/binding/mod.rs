//! What generated binding code calls to fill a request from the query string and path.
//!
//! Binding is typed: for each query key and path variable, generated code calls one of the
//! parsers here and assigns the prost field directly; there is no reflection on this path.
//!
//! - [`QueryPairs`] splits and decodes a query string or an `application/x-www-form-urlencoded`
//!   body into [`QueryPair`]s (`a.b.c=v`, `k[]=v`, `m[key]=v`).
//! - Scalars: [`parse_bool`], [`parse_i32`], [`parse_i64`], [`parse_u32`], [`parse_u64`],
//!   [`parse_f32`], [`parse_f64`], [`parse_bytes`], [`parse_enum`]; strings are taken as they are.
//! - Well-known types: [`parse_timestamp`], [`parse_duration`], [`parse_field_mask`],
//!   [`parse_struct`], [`parse_list_value`], [`parse_value`]; wrapper types use the scalar parser
//!   and `Some(..)`.
//! - [`SeenFields`] rejects a singular field given twice and two members of one oneof;
//!   [`check_leaf`] makes every check a key needs before its value is assigned.
//! - A key that reaches a recursive message type goes on into that type's own binder through
//!   [`descend`], which refuses keys longer than [`MAX_QUERY_DEPTH`] (100) dotted parts.
//!
//! The client side, building URLs from messages, is [`QueryWriter`], [`push_path_segment`],
//! [`push_path_segments`], [`matches_pattern`], [`pattern_mismatch`] and [`empty_path_value`].
//!
//! Path variables (already percent-decoded by the router) go through the same parsers.
//!
//! Every parser takes the field's name (the dotted path the client wrote, e.g. `page.size`) and
//! the text, and fails with a `400` error with reason `CODEC` whose message names both:
//! `invalid value "abc" for field "age": expected a decimal int32`. Parsers do not treat an empty
//! value specially: leaving a singular scalar at its default for `?a=` (Kratos' behaviour) is the
//! caller's check, `if !pair.value().is_empty()`.

mod duration;
mod encode;
mod leaf;
mod query;
mod scalar;
mod seen;
mod timestamp;
mod well_known;

#[cfg(test)]
mod tests;

use std::fmt;

pub use duration::parse_duration;
pub use encode::{
    INVALID_PATH_VALUE, QueryWriter, bytes_text, duration_text, empty_path_value, is_excluded,
    matches_pattern, pattern_mismatch, push_path_segment, push_path_segments, timestamp_text,
};
pub use leaf::{LeafShape, MAX_QUERY_DEPTH, check_leaf, descend};
pub use query::{KeyPath, QueryPair, QueryPairs};
pub use scalar::{
    parse_bool, parse_bytes, parse_enum, parse_f32, parse_f64, parse_i32, parse_i64, parse_u32,
    parse_u64,
};
pub use seen::SeenFields;
pub use timestamp::parse_timestamp;
pub use well_known::{parse_field_mask, parse_list_value, parse_struct, parse_value};

use crate::encoding::codec_error;
use crate::errors::Error;

/// `invalid value "abc" for field "age": expected a decimal int32`.
fn invalid(name: &str, value: &str, problem: &str) -> Error {
    codec_error(format!(
        "invalid value {} for field {}: {problem}",
        quoted(value),
        quoted(name)
    ))
}

/// Longest client text repeated in an error message, in characters.
const QUOTE_LIMIT: usize = 64;

/// Client text in an error message: quoted and escaped (no control characters reach a log), and
/// cut short so a huge parameter does not make a huge message.
fn quoted(text: &str) -> impl fmt::Display + '_ {
    struct Quoted<'a>(&'a str);

    impl fmt::Display for Quoted<'_> {
        fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
            match self.0.char_indices().nth(QUOTE_LIMIT) {
                Some((cut, _)) => write!(formatter, "{:?}…", &self.0[..cut]),
                None => write!(formatter, "{:?}", self.0),
            }
        }
    }

    Quoted(text)
}
