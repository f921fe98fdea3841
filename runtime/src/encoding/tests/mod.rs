//! Tests of the codecs against the proto3 JSON mapping and Kratos' wire formats.

mod error_body;
mod fixtures;
mod format;
mod json_decode;
mod json_encode;
mod message;
mod proto;
mod typed_json;

use crate::errors::Error;

/// Asserts a `400 CODEC` error and returns its message.
#[track_caller]
fn codec_message(result: Result<(), Error>) -> String {
    let error = match result {
        Ok(()) => panic!("expected a CODEC error"),
        Err(error) => error,
    };
    assert_eq!(
        (error.code(), error.reason()),
        (400, "CODEC"),
        "{}",
        error.message()
    );
    error.message().to_owned()
}
