//! Choosing a codec from `Content-Type` and `Accept`.

use crate::errors::Error;
use crate::errors::reasons;

/// A body format: which codec reads a request body or writes a response body.
///
/// More formats may come (streamed replies, other media types): a `match` outside this crate
/// needs a `_` arm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Format {
    /// The proto3 JSON mapping (`application/json`).
    Json,
    /// Protobuf binary (`application/proto`, Go Kratos' name; other spellings are read too).
    Proto,
    /// `application/x-www-form-urlencoded`: request bodies only, decoded like a query string.
    Form,
}

impl Format {
    /// Picks the request codec from a `Content-Type` header value.
    ///
    /// Media types compare case-insensitively and parameters (`; charset=utf-8`) are ignored.
    ///
    /// - no header (or an empty one): [`Format::Json`], so a body-less request or a bare
    ///   `curl --data-binary` works;
    /// - `application/json`, `text/json` and any `+json` suffix (`application/merge-patch+json`):
    ///   [`Format::Json`];
    /// - `application/x-protobuf`, `application/protobuf`, `application/proto` (what Go Kratos
    ///   clients send) and `application/vnd.google.protobuf`: [`Format::Proto`];
    /// - `application/x-www-form-urlencoded`: [`Format::Form`];
    /// - anything else, `application/octet-stream` included (it says nothing about the bytes):
    ///   a `415` error with reason `CODEC`.
    pub fn from_content_type(content_type: Option<&str>) -> Result<Self, Error> {
        let Some(header) = content_type else {
            return Ok(Self::Json);
        };
        // A blank header is as none; `;` or `; charset=x` name no media type: 415.
        if header.trim().is_empty() {
            return Ok(Self::Json);
        }
        Self::from_media_type(essence(header)).ok_or_else(|| {
            Error::new(
                415,
                reasons::CODEC,
                format!(
                    "unsupported Content-Type {header:?}; use application/json, \
                     application/proto or application/x-www-form-urlencoded"
                ),
            )
        })
    }

    /// Picks the response codec from an `Accept` header value.
    ///
    /// The supported media range with the highest `q` wins (the first one listed on a tie);
    /// `q=0` excludes a range. `*/*` and `application/*` mean JSON. A missing header, or one that
    /// names nothing supported, gives [`Format::Json`] (as Go Kratos does) rather than a `406`.
    /// Form is never chosen: it is not a response format.
    pub fn from_accept(accept: Option<&str>) -> Self {
        let Some(accept) = accept else {
            return Self::Json;
        };
        let mut best: Option<(Self, u16)> = None;
        for range in accept.split(',') {
            let media_type = essence(range);
            let format = match Self::from_media_type(media_type) {
                Some(Self::Form) => continue,
                Some(format) => format,
                None if media_type == "*/*" || media_type.eq_ignore_ascii_case("application/*") => {
                    Self::Json
                }
                None => continue,
            };
            let quality = quality(range);
            if quality > 0 && best.is_none_or(|(_, best_quality)| quality > best_quality) {
                best = Some((format, quality));
            }
        }
        best.map_or(Self::Json, |(format, _)| format)
    }

    /// The `Content-Type` this format writes.
    pub fn content_type(&self) -> &'static str {
        match self {
            Self::Json => "application/json",
            Self::Proto => PROTO,
            Self::Form => "application/x-www-form-urlencoded",
        }
    }

    fn from_media_type(media_type: &str) -> Option<Self> {
        let is = |name: &str| media_type.eq_ignore_ascii_case(name);
        if is("application/json") || is("text/json") || has_json_suffix(media_type) {
            Some(Self::Json)
        } else if proto_spelling(media_type).is_some() {
            Some(Self::Proto)
        } else if is("application/x-www-form-urlencoded") {
            Some(Self::Form)
        } else {
            None
        }
    }
}

/// Go Kratos' name for protobuf bodies: its codec is registered as `proto`.
const PROTO: &str = "application/proto";

/// Every protobuf media type read, in the spelling written back.
const PROTO_SPELLINGS: [&str; 4] = [
    PROTO,
    "application/x-protobuf",
    "application/protobuf",
    "application/vnd.google.protobuf",
];

fn proto_spelling(media_type: &str) -> Option<&'static str> {
    PROTO_SPELLINGS
        .into_iter()
        .find(|spelling| media_type.eq_ignore_ascii_case(spelling))
}

/// The format of a reply and the `Content-Type` it is written with.
///
/// A protobuf reply is labelled with the media type the client named, so a Go Kratos client
/// (which decodes by the reply's subtype) asking for `application/proto` gets `application/proto`,
/// and one asking for `application/x-protobuf` gets that.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyFormat {
    format: Format,
    content_type: &'static str,
}

impl ReplyFormat {
    /// JSON, labelled `application/json`.
    pub const JSON: Self = Self {
        format: Format::Json,
        content_type: "application/json",
    };

    /// Chooses the reply format of a request from its `Accept` and `Content-Type` headers.
    ///
    /// The supported media range of `Accept` with the highest `q` wins, as in
    /// [`Format::from_accept`]. When `Accept` is missing, names nothing supported or only a
    /// wildcard (`*/*`, `application/*`), the reply is written in the request body's format
    /// (JSON or protobuf, with the body's media type) unless `Accept` refuses it with `q=0`;
    /// otherwise JSON.
    pub fn negotiate(accept: Option<&str>, content_type: Option<&str>) -> Self {
        let from_content_type = || {
            content_type
                .and_then(|header| Self::from_media_type(essence(header)))
                .unwrap_or(Self::JSON)
        };
        // Most clients send no `Accept`: nothing to weigh.
        let Some(accept) = accept.filter(|accept| !accept.is_empty()) else {
            return from_content_type();
        };
        let mut best: Option<(Self, u16)> = None;
        let mut refused = Vec::new();
        for range in accept.split(',') {
            let Some(reply) = Self::from_media_type(essence(range)) else {
                continue;
            };
            let quality = quality(range);
            if quality == 0 {
                refused.push(reply.format);
            } else if best.is_none_or(|(_, best_quality)| quality > best_quality) {
                best = Some((reply, quality));
            }
        }
        best.map(|(reply, _)| reply)
            .or_else(|| content_type.and_then(|header| Self::from_media_type(essence(header))))
            .filter(|reply| !refused.contains(&reply.format))
            .unwrap_or(Self::JSON)
    }

    /// The codec of the reply: [`Format::Json`] or [`Format::Proto`].
    pub fn format(&self) -> Format {
        self.format
    }

    /// The reply's `Content-Type`.
    pub fn content_type(&self) -> &'static str {
        self.content_type
    }

    fn from_media_type(media_type: &str) -> Option<Self> {
        match Format::from_media_type(media_type) {
            Some(Format::Json) => Some(Self::JSON),
            Some(Format::Proto) => proto_spelling(media_type).map(|spelling| Self {
                format: Format::Proto,
                content_type: spelling,
            }),
            Some(Format::Form) | None => None,
        }
    }
}

/// The `type/subtype` part of a media type, without parameters and surrounding spaces.
fn essence(media_type: &str) -> &str {
    // Every request with a body comes through here (twice): a byte scan and an ASCII trim
    // instead of `split`'s searcher and the Unicode `trim`. HTTP's whitespace is ASCII.
    let end = media_type
        .bytes()
        .position(|byte| byte == b';')
        .unwrap_or(media_type.len());
    media_type[..end].trim_ascii()
}

fn has_json_suffix(media_type: &str) -> bool {
    let suffix = "+json";
    media_type.len() > suffix.len()
        && media_type.is_char_boundary(media_type.len() - suffix.len())
        && media_type[media_type.len() - suffix.len()..].eq_ignore_ascii_case(suffix)
}

/// The `q` parameter of one `Accept` media range in thousandths (RFC 9110 allows three
/// decimals); a missing or malformed `q` counts as 1.
fn quality(range: &str) -> u16 {
    range
        .split(';')
        .skip(1)
        .filter_map(|parameter| parameter.split_once('='))
        .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
        .and_then(|(_, value)| value.trim().parse::<f32>().ok())
        .filter(|q| (0.0..=1.0).contains(q))
        // In range 0..=1000 after the filter above, so the cast cannot truncate.
        .map_or(1000, |q| (q * 1000.0).round() as u16)
}
