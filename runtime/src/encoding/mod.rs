//! Codecs: how request bodies become messages and messages become response bodies.
//!
//! The codec is chosen per request: [`Format::from_content_type`] picks the request codec from
//! `Content-Type`, [`ReplyFormat::negotiate`] the response codec from `Accept` (else the request's
//! own format), keeping the protobuf media type the client named.
//!
//! | Format | Request body | Response body |
//! |---|---|---|
//! | [`Format::Json`] | [`decode_json`], [`decode_json_field`] | [`encode_json`], [`encode_json_field`] |
//! | [`Format::Proto`] | [`decode_proto`], [`decode_proto_field`] | [`encode_proto`], [`encode_proto_field`] |
//! | [`Format::Form`] | the generated query binder over the body | — |
//!
//! Errors go out through [`encode_error`] in the negotiated format.
//!
//! # Which messages can be encoded
//!
//! Every function takes a plain prost message that also implements [`ReflectMessage`]: JSON goes
//! through prost-reflect's canonical proto3 JSON mapping (the one that writes `FieldMask` and `Any`
//! as the spec says), and protobuf binary through prost. [`HttpMessage`] bundles them per
//! [`Format`] for the transport. protoc-gen-kratos-http implements it for every message it
//! generates, with a generated JSON codec (`kratos::__codegen::json`) where the message allows one, which
//! writes the same JSON as the reflective codec at the cost of hand-written serde code. The
//! runtime implements it for the well-known types prost maps to Rust types:
//!
//! - `google.protobuf.Empty`, which prost maps to `()`: [`decode_json`] into `()` accepts any JSON
//!   object and ignores its members (unless [`JsonOptions::deny_unknown_fields`] is on);
//!   [`encode_json`] writes `{}`.
//! - `prost_types::Timestamp`, the wrapper types as `String`, `i64`, ..., `prost_types::Struct`
//!   and the rest, whose `ReflectMessage` impls come with prost-reflect.
//!
//! # JSON
//!
//! Output follows the proto3 JSON mapping with Kratos' defaults (see [`JsonOptions`]): lowerCamelCase
//! names, fields without presence emitted even when default, 64-bit integers as strings, enums by name.
//! Floats are spelled as Go's protojson spells them: shortest round-trip digits, plain decimal from
//! `1e-6` up to `1e21` and exponent form (`1e+21`, `1e-7`) outside, so `1.0` is `1`, `1e20` is
//! `100000000000000000000` and `-0.0` is `-0`. The generated codec keeps the sign of `-0.0` both
//! ways; the reflective codec, which goes through the binary form, writes and reads it as `0`
//! (prost, like prost-reflect, skips a singular `-0.0` as the default when encoding, where Go's
//! binary encoder keeps it).
//! Two differences from Go Kratos' `protojson` output, both from prost-reflect 0.16: an unset
//! singular message field is omitted rather than written as `null` (clients read both alike), and a
//! NaN or infinite value inside a `FloatValue`/`DoubleValue` wrapper is written as `null` instead
//! of `"NaN"`/`"Infinity"` (plain `float`/`double` fields are written as the spec says).
//!
//! Input accepts proto and JSON names and ignores unknown fields. Decoding *merges* into the target
//! (protobuf merge: scalars overwrite, repeated fields append, messages merge), so generated code can
//! bind the path first and the body after, or the other way round. Details that the spec leaves open:
//!
//! - A key given twice: the last one wins (as with `JSON.parse`), except for members of a oneof,
//!   where a second value (even for the same member) is an error.
//! - Unknown enum *names* are an error even though unknown fields are ignored (Go's `protojson` with
//!   `DiscardUnknown` silently drops them, which loses the client's intent).
//! - A `float` reads any number that rounds to a finite `f32` (Go writes `f32::MAX` as
//!   `3.4028235e+38`, a little above it as a double); only numbers rounding beyond are refused.
//! - `{}` where an `Any` goes is an empty `Any` (no type, no value), as protojson reads it.
//!   (Writing one back is still refused with a `500`: prost-reflect needs a type URL.)
//! - Nesting is limited to [`MAX_NESTING`] (100) levels of messages, counted as prost counts
//!   protobuf input (map entries and each `Struct`/`ListValue`/`Value` count), on every path:
//!   query, form, JSON and protobuf bodies, gRPC, and replies. JSON deeper than serde_json's 128
//!   levels is past that limit too. Unknown members are dropped before anything is built, so
//!   they do not count towards [`MAX_NESTING`]: the generated codecs skip them at any depth
//!   (serde_json skips a value without recursing), while the reflective codec parses them into
//!   a tree first and so refuses one nested deeper than serde_json's 128 levels.
//!
//! Every decoding failure is a `400` error with reason `CODEC` whose message says what was wrong
//! and where, e.g. `invalid JSON body: field "age": integer out of range at line 1 column 12`.

mod error_body;
mod format;
mod json;
mod message;
pub(crate) mod nesting;
mod proto;
// Support code for the JSON codecs protoc-gen-kratos-http generates, named by generated code
// as `__codegen::json`.
#[doc(hidden)]
pub mod typed_json;

#[cfg(test)]
mod tests;

pub use error_body::encode_error;
pub use format::{Format, ReplyFormat};
pub use json::{JsonOptions, decode_json, decode_json_field, encode_json, encode_json_field};
pub use message::HttpMessage;
pub use nesting::MAX_NESTING;
pub use prost_reflect::{self, ReflectMessage};
pub use proto::{decode_proto, decode_proto_field, encode_proto, encode_proto_field};

use crate::errors::Error;
use crate::errors::reasons;

/// A `400 CODEC` error: the request could not be decoded. The message may echo request data,
/// so it is bounded ([`crate::errors::MAX_REQUEST_ERROR_MESSAGE`]).
pub(crate) fn codec_error(message: String) -> Error {
    Error::new(400, reasons::CODEC, crate::errors::bounded_message(message))
}

/// A `500 CODEC` error: the server could not encode its reply, or generated code asked for a
/// field the message does not have.
pub(crate) fn internal_codec_error(message: String) -> Error {
    Error::new(500, reasons::CODEC, message)
}
