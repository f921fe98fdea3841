//! Server streaming over HTTP: the replies of a streaming call written as they come, as
//! Server-Sent Events when the client accepts `text/event-stream`, else as newline-delimited
//! JSON in grpc-gateway's shape.
//!
//! - SSE: one `data: <reply JSON>` event per reply; an error ends the stream with an
//!   `event: error` whose data is the Kratos error body; a `: heartbeat` comment every
//!   [`Server::stream_heartbeat`](super::Server::stream_heartbeat) while no reply comes, so
//!   proxies keep the connection and a vanished client is noticed.
//! - NDJSON (`application/x-ndjson`): one `{"result": <reply JSON>}` line per reply, and
//!   `{"error": <Kratos error body>}` as the last line when the stream fails (grpc-gateway
//!   puts a `google.rpc.Status` there; a Kratos client reads the Kratos error).
//!
//! Errors before the stream opens (the chain refused the call, the handler failed) are answered
//! as a unary call's, with their status. Replies are always JSON: there is no standard framing
//! for a stream of protobuf messages over HTTP/1. A custom response or error encoder does not
//! apply to stream events.

use std::convert::Infallible;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use bytes::{BufMut, Bytes, BytesMut};
use futures_core::Stream;
use http::HeaderValue;
use http::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE};
use http_body::{Body, Frame};

use super::body::ReplyBody;
use crate::encoding::{Format, HttpMessage, JsonOptions};
use crate::errors::Error;
use crate::middleware::StreamCall;

/// How a stream's replies are framed on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum StreamFormat {
    /// Server-Sent Events.
    Sse,
    /// Newline-delimited JSON, grpc-gateway's stream format.
    Ndjson,
}

/// `Content-Type` of an SSE stream.
pub(crate) const SSE_CONTENT_TYPE: &str = "text/event-stream";
/// `Content-Type` of an NDJSON stream.
pub(crate) const NDJSON_CONTENT_TYPE: &str = "application/x-ndjson";

impl StreamFormat {
    /// SSE when `accept` names `text/event-stream`, else NDJSON.
    pub(crate) fn negotiate(accept: Option<&str>) -> Self {
        let asks_sse = accept.is_some_and(|accept| {
            accept.split(',').any(|range| {
                range
                    .split(';')
                    .next()
                    .is_some_and(|media| media.trim().eq_ignore_ascii_case(SSE_CONTENT_TYPE))
            })
        });
        if asks_sse { Self::Sse } else { Self::Ndjson }
    }

    pub(crate) fn content_type(self) -> &'static str {
        match self {
            Self::Sse => SSE_CONTENT_TYPE,
            Self::Ndjson => NDJSON_CONTENT_TYPE,
        }
    }

    /// One reply's frame around its JSON (which has no raw line breaks: serde writes them
    /// escaped).
    fn reply(self, json: &[u8]) -> Bytes {
        let mut frame = BytesMut::with_capacity(json.len() + 16);
        match self {
            Self::Sse => {
                frame.put_slice(b"data: ");
                frame.put_slice(json);
                frame.put_slice(b"\n\n");
            }
            Self::Ndjson => {
                frame.put_slice(b"{\"result\":");
                frame.put_slice(json);
                frame.put_slice(b"}\n");
            }
        }
        frame.freeze()
    }

    /// The final frame of a failed stream.
    fn error(self, error: &Error) -> Bytes {
        let json = error.to_json();
        let mut frame = BytesMut::with_capacity(json.len() + 24);
        match self {
            Self::Sse => {
                frame.put_slice(b"event: error\ndata: ");
                frame.put_slice(&json);
                frame.put_slice(b"\n\n");
            }
            Self::Ndjson => {
                frame.put_slice(b"{\"error\":");
                frame.put_slice(&json);
                frame.put_slice(b"}\n");
            }
        }
        frame.freeze()
    }

    /// The heartbeat frame, if the format has one (an SSE comment; NDJSON has none).
    fn heartbeat(self) -> Option<Bytes> {
        match self {
            Self::Sse => Some(Bytes::from_static(b": heartbeat\n\n")),
            Self::Ndjson => None,
        }
    }
}

/// The response of a server-streaming route, made by
/// [`RouteRequest::invoke_stream`](super::RouteRequest::invoke_stream); the generated
/// streaming route handler returns it.
pub struct StreamReply {
    response: http::Response<ReplyBody>,
}

impl std::fmt::Debug for StreamReply {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamReply")
            .field("content_type", &self.response.headers().get(CONTENT_TYPE))
            .finish_non_exhaustive()
    }
}

impl StreamReply {
    /// The response streaming `call`'s replies in the format `accept` asks for.
    pub(crate) fn new<T>(
        call: StreamCall<T>,
        accept: Option<&HeaderValue>,
        heartbeat: Option<Duration>,
        json: JsonOptions,
    ) -> Self
    where
        T: HttpMessage + Send + 'static,
    {
        let format = StreamFormat::negotiate(accept.and_then(|value| value.to_str().ok()));
        let heartbeat = heartbeat
            .filter(|_| format.heartbeat().is_some())
            .filter(|period| !period.is_zero())
            .map(|period| {
                let mut interval =
                    tokio::time::interval_at(tokio::time::Instant::now() + period, period);
                interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                interval
            });
        let body = StreamBody {
            call,
            format,
            heartbeat,
            json,
            done: false,
        };
        let mut response = http::Response::new(ReplyBody::stream(body));
        let headers = response.headers_mut();
        headers.insert(
            CONTENT_TYPE,
            HeaderValue::from_static(format.content_type()),
        );
        // Neither the client nor a proxy may keep or buffer the events.
        headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        headers.insert("x-accel-buffering", HeaderValue::from_static("no"));
        Self { response }
    }

    /// The response.
    pub fn into_response(self) -> http::Response<ReplyBody> {
        self.response
    }
}

/// Writes a stream call's replies, polling it only when hyper asks for the next frame (so
/// only when the connection can take more).
struct StreamBody<T> {
    call: StreamCall<T>,
    format: StreamFormat,
    heartbeat: Option<tokio::time::Interval>,
    json: JsonOptions,
    done: bool,
}

impl<T: HttpMessage> Body for StreamBody<T> {
    type Data = Bytes;
    type Error = Infallible;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut TaskContext<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Infallible>>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        let frame = match Pin::new(&mut this.call).poll_next(cx) {
            Poll::Ready(Some(Ok(reply))) => match reply.encode_reply(Format::Json, &this.json) {
                Ok(json) => this.format.reply(&json),
                Err(error) => {
                    this.done = true;
                    this.format.error(&error)
                }
            },
            Poll::Ready(Some(Err(error))) => {
                this.done = true;
                this.format.error(&error)
            }
            Poll::Ready(None) => {
                this.done = true;
                return Poll::Ready(None);
            }
            Poll::Pending => {
                let beat = this
                    .heartbeat
                    .as_mut()
                    .map(|interval| interval.poll_tick(cx));
                match (beat, this.format.heartbeat()) {
                    (Some(Poll::Ready(_)), Some(frame)) => frame,
                    _ => return Poll::Pending,
                }
            }
        };
        if let Some(interval) = &mut this.heartbeat {
            interval.reset();
        }
        Poll::Ready(Some(Ok(Frame::data(frame))))
    }

    fn is_end_stream(&self) -> bool {
        self.done
    }
}

/// The `Accept` header of a request, for [`StreamReply::new`].
pub(crate) fn accept_of(headers: &http::HeaderMap) -> Option<&HeaderValue> {
    headers.get(ACCEPT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sse_only_when_asked_for() {
        for accept in [
            "text/event-stream",
            "application/json, text/event-stream;q=0.9",
            "TEXT/EVENT-STREAM",
        ] {
            assert_eq!(StreamFormat::negotiate(Some(accept)), StreamFormat::Sse);
        }
        for accept in [None, Some("application/json"), Some("*/*"), Some("text/*")] {
            assert_eq!(StreamFormat::negotiate(accept), StreamFormat::Ndjson);
        }
    }

    #[test]
    fn frames_follow_sse_and_grpc_gateway() {
        let error = Error::new(404, "GONE", "it is gone");
        assert_eq!(
            StreamFormat::Sse.reply(br#"{"a":1}"#),
            Bytes::from_static(b"data: {\"a\":1}\n\n")
        );
        assert_eq!(
            StreamFormat::Ndjson.reply(br#"{"a":1}"#),
            Bytes::from_static(b"{\"result\":{\"a\":1}}\n")
        );
        assert_eq!(
            StreamFormat::Sse.error(&error),
            Bytes::from_static(
                b"event: error\ndata: {\"code\":404,\"reason\":\"GONE\",\"message\":\"it is gone\",\"metadata\":{}}\n\n"
            )
        );
        assert_eq!(
            StreamFormat::Ndjson.error(&error),
            Bytes::from_static(
                b"{\"error\":{\"code\":404,\"reason\":\"GONE\",\"message\":\"it is gone\",\"metadata\":{}}}\n"
            )
        );
    }
}
