//! Splits a server stream's body into its events: SSE events or NDJSON lines.

use bytes::{Buf, Bytes, BytesMut};

use crate::errors::Error;
use crate::errors::reasons;

/// One event of a server stream.
#[derive(Debug)]
pub(super) enum Event {
    /// A reply's JSON.
    Reply(Bytes),
    /// The stream's final error.
    Failed(Error),
}

/// How the server framed the stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Framing {
    Sse,
    Ndjson,
}

impl Framing {
    /// From the reply's `Content-Type`: SSE for `text/event-stream`, else NDJSON.
    pub(super) fn of(content_type: Option<&str>) -> Self {
        let media = content_type
            .and_then(|value| value.split(';').next())
            .map(str::trim);
        if media.is_some_and(|media| media.eq_ignore_ascii_case("text/event-stream")) {
            Self::Sse
        } else {
            Self::Ndjson
        }
    }
}

/// Collects body chunks and hands out whole events; an event may not grow past `limit` bytes.
pub(super) struct FrameReader {
    framing: Framing,
    buffer: BytesMut,
    limit: usize,
    /// Set once an event was over the limit: nothing more is read.
    overflowed: bool,
    /// How much of the buffer holds no separator, so a growing event is scanned once.
    scanned: usize,
}

impl FrameReader {
    pub(super) fn new(framing: Framing, limit: usize) -> Self {
        Self {
            framing,
            buffer: BytesMut::new(),
            limit,
            overflowed: false,
            scanned: 0,
        }
    }

    pub(super) fn push(&mut self, chunk: &[u8]) {
        self.buffer.extend_from_slice(chunk);
    }

    /// Whether a partial event is left (at the end of the body: the stream was cut).
    pub(super) fn has_partial(&self) -> bool {
        !self.buffer.iter().all(u8::is_ascii_whitespace)
    }

    /// The next whole event, if one has arrived; an error when the incomplete event is
    /// already over the limit.
    pub(super) fn next_event(&mut self) -> Option<Result<Event, Error>> {
        loop {
            if self.overflowed {
                return None;
            }
            let Some(end) = self.frame_end() else {
                if self.buffer.len() > self.limit {
                    self.overflowed = true;
                    self.buffer = BytesMut::new();
                    return Some(Err(Error::new(
                        500,
                        reasons::BODY_TOO_LARGE,
                        format!(
                            "a stream event is larger than the client's limit of {} bytes",
                            self.limit
                        ),
                    )));
                }
                return None;
            };
            let (frame_len, separator) = end;
            self.scanned = 0;
            let frame = self.buffer.split_to(frame_len).freeze();
            self.buffer.advance(separator);
            let event = match self.framing {
                Framing::Ndjson => ndjson_event(&frame),
                Framing::Sse => sse_event(&frame),
            };
            if let Some(event) = event {
                return Some(event);
            }
        }
    }

    /// Where the first whole frame ends: its length and the separator's.
    fn frame_end(&mut self) -> Option<(usize, usize)> {
        let bytes = &self.buffer[..];
        // A separator may straddle the scanned part's end: look back three bytes.
        let from = self.scanned.saturating_sub(3);
        let found = match self.framing {
            Framing::Ndjson => bytes[from..]
                .iter()
                .position(|b| *b == b'\n')
                .map(|at| (from + at, 1)),
            // Events end with a blank line; lines end with LF or CRLF.
            Framing::Sse => (from..bytes.len()).find_map(|at| {
                if bytes[at..].starts_with(b"\n\n") {
                    Some((at, 2))
                } else if bytes[at..].starts_with(b"\r\n\r\n") {
                    Some((at, 4))
                } else {
                    None
                }
            }),
        };
        if found.is_none() {
            self.scanned = bytes.len();
        }
        found
    }
}

/// `{"result": ...}` or `{"error": ...}`; a blank line is no event.
fn ndjson_event(line: &[u8]) -> Option<Result<Event, Error>> {
    if line.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    let value: serde_json::Value = match serde_json::from_slice(line) {
        Ok(value) => value,
        Err(error) => return Some(Err(bad_event(&format!("not JSON ({error})")))),
    };
    if let Some(result) = value.get("result") {
        return Some(Ok(Event::Reply(Bytes::from(result.to_string()))));
    }
    if let Some(error) = value.get("error") {
        return Some(Ok(Event::Failed(error_of(error.to_string().as_bytes()))));
    }
    Some(Err(bad_event(
        "a line with neither \"result\" nor \"error\"",
    )))
}

/// An SSE event: its `data:` lines joined; `event: error` carries the stream's error.
/// Comments (heartbeats) and events without data are no event.
fn sse_event(frame: &[u8]) -> Option<Result<Event, Error>> {
    let Ok(text) = std::str::from_utf8(frame) else {
        return Some(Err(bad_event("an event that is not UTF-8")));
    };
    let mut name = "message";
    let mut data: Option<String> = None;
    for line in text.lines() {
        let (field, value) = line.split_once(':').unwrap_or((line, ""));
        let value = value.strip_prefix(' ').unwrap_or(value);
        match field {
            "event" => name = value,
            "data" => match &mut data {
                Some(data) => {
                    data.push('\n');
                    data.push_str(value);
                }
                None => data = Some(value.to_owned()),
            },
            _ => {}
        }
    }
    let data = data?;
    Some(Ok(if name == "error" {
        Event::Failed(error_of(data.as_bytes()))
    } else {
        Event::Reply(Bytes::from(data))
    }))
}

/// The Kratos error in an error event; one that is not a Kratos error body is still the
/// stream's failure, described.
fn error_of(json: &[u8]) -> Error {
    Error::from_json(json).unwrap_or_else(|_| {
        bad_event(&format!(
            "an error event that is not a Kratos error: {}",
            String::from_utf8_lossy(json)
        ))
    })
}

fn bad_event(what: &str) -> Error {
    Error::new(
        500,
        reasons::CODEC,
        format!("the server stream sent {what}"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An event as text: the reply's JSON, or the error's code and reason.
    fn show(event: Result<Event, Error>) -> String {
        match event {
            Ok(Event::Reply(json)) => String::from_utf8(json.to_vec()).unwrap(),
            Ok(Event::Failed(error)) => format!("failed {} {}", error.code(), error.reason()),
            Err(error) => format!("error {} {}", error.code(), error.reason()),
        }
    }

    fn events(framing: Framing, chunks: &[&[u8]]) -> Vec<String> {
        let mut reader = FrameReader::new(framing, 64);
        let mut events = Vec::new();
        for chunk in chunks {
            reader.push(chunk);
            while let Some(event) = reader.next_event() {
                events.push(show(event));
            }
        }
        events
    }

    #[test]
    fn sse_events_across_chunks_with_heartbeats_and_a_final_error() {
        let got = events(
            Framing::Sse,
            &[
                b"data: {\"a\"",
                b":1}\n\n: heartbeat\n\ndata: {\"a\":2}\r\n\r\n",
                b"event: error\ndata: {\"code\":404,\"reason\":\"GONE\",\"message\":\"m\"}\n\n",
            ],
        );
        assert_eq!(got, [r#"{"a":1}"#, r#"{"a":2}"#, "failed 404 GONE"]);
    }

    #[test]
    fn ndjson_lines_across_chunks_and_a_final_error() {
        let got = events(
            Framing::Ndjson,
            &[
                b"{\"result\":{\"a\":1}}\n{\"res",
                b"ult\": {\"a\": 2}}\n\n{\"error\":{\"code\":429,\"reason\":\"RATELIMIT\"}}\n",
            ],
        );
        assert_eq!(got, [r#"{"a":1}"#, r#"{"a":2}"#, "failed 429 RATELIMIT"]);
    }

    #[test]
    fn an_event_over_the_limit_or_not_json_is_an_error() {
        let long = [b'x'; 100];
        let got = events(Framing::Ndjson, &[&long]);
        assert_eq!(got, ["error 500 BODY_TOO_LARGE"]);
        let got = events(Framing::Ndjson, &[b"nope\n", b"{\"other\":1}\n"]);
        assert_eq!(got, ["error 500 CODEC", "error 500 CODEC"]);
    }
}
