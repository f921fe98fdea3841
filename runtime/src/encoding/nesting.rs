//! The one nesting limit of every message a request carries or a reply holds.
//!
//! prost refuses protobuf input nested deeper than its fixed `RECURSION_LIMIT` (100), and so
//! does tonic's decoder, which is prost's. The other ways a request message is built (the
//! query binder, the form binder, the JSON codecs) check the same limit counted the same way,
//! so whatever was accepted on one path can be transcoded, validated and sent on every other.
//! (prost-reflect's own decoder does not count map entries, so it is laxer, never stricter.)

use std::cell::Cell;

use prost::DecodeError;
use prost_reflect::{DynamicMessage, ReflectMessage, Value};

use super::{codec_error, internal_codec_error};
use crate::errors::Error;

/// How deep messages may nest below the request (or reply) message, counted as prost counts
/// protobuf input: every nested message is one level, and so is every map entry. A
/// `google.protobuf.Struct` inside a `Struct` therefore costs three levels (the `Struct`, its
/// map entry, the `Value`), an array inside a `ListValue` two; about 33 levels of JSON objects
/// fit in a `Struct` field.
///
/// It applies to every path: query and form parameters, JSON bodies (generated and reflective
/// codecs), protobuf bodies and gRPC messages. Deeper input is a `400` with reason `CODEC`
/// naming the limit. A reply a handler built deeper than this is written when its codec does
/// not transcode it (prost's encoder has no limit, but the peer's decoder will); where it must
/// be transcoded (a `Struct`, `Value` or `ListValue` written as JSON, a reflective codec, a
/// `response_body`), it is a `500` with reason `CODEC`, never a panic. The value is prost's
/// own, fixed at compile time, so it has no setter: a larger one could not be honoured by
/// protobuf and gRPC peers.
pub const MAX_NESTING: u32 = 100;

/// What every too-deep error says after naming what was too deep.
fn limit_text() -> String {
    format!(
        "nested more than {MAX_NESTING} levels deep, the limit (each message, map entry, \
         Struct, ListValue and Value is a level)"
    )
}

/// A `400 CODEC` error: `what` (e.g. `JSON body`) is nested too deep.
pub(crate) fn too_deep(what: &str) -> Error {
    codec_error(format!("invalid {what}: {}", limit_text()))
}

/// The text of a too-deep value, for errors that name the field and value themselves.
pub(crate) fn too_deep_text() -> String {
    limit_text()
}

/// Whether prost gave up because of its recursion limit.
pub(crate) fn is_recursion_limit(error: &DecodeError) -> bool {
    error.to_string().contains("recursion limit reached")
}

/// A `500 CODEC` error: serializing a reply as JSON failed. prost-reflect writes a
/// well-known type by transcoding it to its prost type, which is where a too-deep `Struct`
/// stops.
pub(crate) fn json_encode_error(what: &str, error: &serde_json::Error) -> Error {
    let text = error.to_string();
    if text.ends_with("recursion limit reached") {
        internal_codec_error(format!("{what}: the reply is {}", limit_text()))
    } else {
        internal_codec_error(format!("{what}: {text}"))
    }
}

/// Copies a typed message into a reflective one (through its binary form): a `500 CODEC`
/// error, never a panic (as `ReflectMessage::transcode_to_dynamic` would), when the message is
/// deeper than [`MAX_NESTING`] or does not match its descriptor.
pub(crate) fn to_dynamic<M: ReflectMessage>(message: &M) -> Result<DynamicMessage, Error> {
    let mut dynamic = DynamicMessage::new(message.descriptor());
    dynamic.transcode_from(message).map_err(|error| {
        let name = message.descriptor().full_name().to_owned();
        if is_recursion_limit(&error) {
            internal_codec_error(format!("{name} is {}", limit_text()))
        } else {
            internal_codec_error(format!("{name} does not match its descriptor: {error}"))
        }
    })?;
    Ok(dynamic)
}

thread_local! {
    /// Messages the generated JSON reader on this thread is inside of (the body's own included).
    /// Reading is synchronous, so a thread-local count is exactly the current call's.
    static OPEN: Cell<u32> = const { Cell::new(0) };
}

/// One level of nesting the generated JSON reader has entered; leaving it (dropping the guard,
/// also while unwinding) gives the level back.
pub(crate) struct Level(());

impl Level {
    /// Enters one more level; `None` when that would go past [`MAX_NESTING`] below the body's
    /// message.
    pub(crate) fn enter() -> Option<Self> {
        OPEN.with(|open| {
            let depth = open.get();
            // The body's own message is not counted by prost, so it may open one more.
            (depth <= MAX_NESTING).then(|| {
                open.set(depth + 1);
                Self(())
            })
        })
    }

    /// Levels a message read at the current point may still use, itself included.
    pub(crate) fn remaining() -> u32 {
        OPEN.with(|open| (MAX_NESTING + 1).saturating_sub(open.get()))
    }
}

impl Drop for Level {
    fn drop(&mut self) {
        OPEN.with(|open| open.set(open.get().saturating_sub(1)));
    }
}

/// Levels `message` occupies, itself included, counted as [`MAX_NESTING`] counts them; stops
/// counting once past `cap` (so the walk is bounded by the caller's budget, not the input).
pub(crate) fn levels(message: &DynamicMessage, cap: u32) -> u32 {
    if cap == 0 {
        return 1;
    }
    let mut deepest = 0;
    for (_, value) in message.fields() {
        let below = match value {
            Value::Message(inner) => levels(inner, cap - 1),
            Value::List(items) => items
                .iter()
                .map(|item| match item {
                    Value::Message(inner) => levels(inner, cap - 1),
                    _ => 0,
                })
                .max()
                .unwrap_or(0),
            // A map entry is a level of its own, around its value.
            Value::Map(entries) => entries
                .values()
                .map(|entry| match entry {
                    Value::Message(inner) if cap > 1 => 1 + levels(inner, cap - 2),
                    Value::Message(_) => 2,
                    _ => 1,
                })
                .max()
                .unwrap_or(0),
            _ => 0,
        };
        deepest = deepest.max(below);
        if deepest >= cap {
            break;
        }
    }
    1 + deepest
}
