//! Error response bodies.

use std::collections::HashMap;

use super::Format;
use crate::errors::Error;

/// Encodes `error` as a response body in `format`, returning the body's `Content-Type` with it.
///
/// JSON is Kratos' `{"code":404,"reason":"...","message":"...","metadata":{}}`
/// ([`Error::to_json`]). Protobuf is Kratos' `errors.Status` message (`code = 1`, `reason = 2`,
/// `message = 3`, `metadata = 4`), as Go Kratos writes when the response codec is proto. Form is
/// not a response format, so it gets JSON.
pub fn encode_error(error: &Error, format: Format) -> (&'static str, Vec<u8>) {
    match format {
        Format::Json | Format::Form => (Format::Json.content_type(), error.to_json()),
        Format::Proto => {
            let status = Status {
                code: error.code(),
                reason: error.reason().to_owned(),
                message: error.message().to_owned(),
                metadata: error
                    .metadata()
                    .iter()
                    .map(|(key, value)| (key.clone(), value.clone()))
                    .collect(),
            };
            (
                Format::Proto.content_type(),
                prost::Message::encode_to_vec(&status),
            )
        }
    }
}

/// Kratos' `errors.Status` (`errors/errors.proto`), wire-identical.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct Status {
    #[prost(int32, tag = "1")]
    pub(super) code: i32,
    #[prost(string, tag = "2")]
    pub(super) reason: String,
    #[prost(string, tag = "3")]
    pub(super) message: String,
    #[prost(map = "string, string", tag = "4")]
    pub(super) metadata: HashMap<String, String>,
}
