//! Turning what came back (a reply, an error reply, or a transport failure) into the caller's
//! result.

use std::collections::HashMap;
use std::error::Error as StdError;
use std::fmt::Write as _;

use http::StatusCode;

use crate::encoding::{Format, HttpMessage, JsonOptions};
use crate::errors::Error;
use crate::errors::reasons;

/// How much of an unexpected error body is quoted in the message, in characters.
const SNIPPET_LIMIT: usize = 200;

/// The codec of a reply body from its `Content-Type`: protobuf when it says so, else JSON (Go
/// Kratos also falls back to JSON for a type it has no codec for).
pub(super) fn reply_format(content_type: Option<&str>) -> Format {
    match Format::from_content_type(content_type) {
        Ok(Format::Proto) => Format::Proto,
        _ => Format::Json,
    }
}

/// Decodes a 2xx reply: an empty body is the default message; `response_body` decodes just that
/// field. A body that does not decode is a `500 CODEC` error naming the operation, with the
/// decoder's error as cause.
pub(super) fn decode_reply<Rep: HttpMessage + Default>(
    operation: &str,
    format: Format,
    body: &[u8],
    response_body: Option<&str>,
    json: &JsonOptions,
) -> Result<Rep, Error> {
    let mut reply = Rep::default();
    if body.is_empty() {
        return Ok(reply);
    }
    let decoded = match response_body {
        Some(field) => reply.decode_body_field(format, body, field, json),
        None => reply.decode_body(format, body, json),
    };
    match decoded {
        Ok(()) => Ok(reply),
        Err(error) => Err(Error::new(
            500,
            reasons::CODEC,
            format!(
                "cannot decode the reply of {operation}: {}",
                error.message()
            ),
        )
        .with_cause(error)),
    }
}

/// Kratos' `errors.Status` (`errors/errors.proto`), as a server writes it for protobuf clients.
#[derive(Clone, PartialEq, prost::Message)]
struct Status {
    #[prost(int32, tag = "1")]
    code: i32,
    #[prost(string, tag = "2")]
    reason: String,
    #[prost(string, tag = "3")]
    message: String,
    #[prost(map = "string, string", tag = "4")]
    metadata: HashMap<String, String>,
}

/// Turns a non-2xx reply into an error whose code is the HTTP status (as Go Kratos' default
/// error decoder does, whatever code the body says).
///
/// A Kratos error body (JSON, or `errors.Status` protobuf when the reply says protobuf) gives
/// its reason, message and metadata. Anything else (an HTML page from a proxy, an empty body,
/// JSON of another shape) gives an empty reason and a message with the status and the start
/// of the body; when the body did not decode, the decoding error is the cause.
pub(super) fn decode_error(status: StatusCode, format: Format, body: &[u8]) -> Error {
    let code = i32::from(status.as_u16());
    let decoded: Result<Error, Box<dyn StdError + Send + Sync>> = match format {
        Format::Proto => prost::Message::decode(body)
            .map(|status: Status| {
                Error::new(status.code, status.reason, status.message)
                    .with_metadata(status.metadata)
            })
            .map_err(Into::into),
        Format::Json | Format::Form => Error::from_json(body).map_err(Into::into),
    };
    match decoded {
        Ok(error) if !(error.reason().is_empty() && error.message().is_empty()) => {
            Error::new(code, error.reason(), error.message())
                .with_metadata(error.metadata().clone())
        }
        // Decoded, but says nothing: an empty body, `{}` or JSON of another shape.
        Ok(error) => {
            Error::new(code, "", describe(status, body)).with_metadata(error.metadata().clone())
        }
        Err(cause) => Error::new(code, "", describe(status, body)).with_cause(cause),
    }
}

/// `HTTP 502 Bad Gateway: "<html>..."`, or `HTTP 503 Service Unavailable with an empty body`.
fn describe(status: StatusCode, body: &[u8]) -> String {
    let mut message = format!("HTTP {status}");
    if body.is_empty() {
        message.push_str(" with an empty body");
        return message;
    }
    let text = String::from_utf8_lossy(body);
    let snippet: String = text.chars().take(SNIPPET_LIMIT).collect();
    let _ = write!(message, ": {snippet:?}");
    if text.chars().nth(SNIPPET_LIMIT).is_some() {
        message.push('…');
    }
    message
}

/// `cause: its source: its source`, skipping a source whose text its parent already shows.
fn chain(error: &(dyn StdError + 'static)) -> String {
    let mut text = error.to_string();
    let mut current = error.source();
    while let Some(source) = current {
        let part = source.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        current = source.source();
    }
    text
}

/// A failure to connect, send or receive: `503 TRANSPORT` with the failure as cause.
pub(super) fn transport_error(
    what: &str,
    error: impl Into<Box<dyn StdError + Send + Sync>>,
) -> Error {
    let error = error.into();
    let message = format!("{what}: {}", chain(&*error));
    Error::new(503, reasons::TRANSPORT, message).with_cause(error)
}

/// The call's time limit passed: `504 TIMEOUT`.
pub(super) fn timeout_error(
    operation: &str,
    limit: std::time::Duration,
    elapsed: tokio::time::error::Elapsed,
) -> Error {
    Error::new(
        504,
        reasons::TIMEOUT,
        format!("{operation} did not finish within {limit:?}"),
    )
    .with_cause(elapsed)
}

/// The reply body is larger than the client accepts.
pub(super) fn too_large(operation: &str, limit: usize) -> Error {
    Error::new(
        500,
        reasons::BODY_TOO_LARGE,
        format!("the reply of {operation} is larger than the client's limit of {limit} bytes"),
    )
}
