//! One call: what generated client methods hand to [`Client::invoke`](super::Client::invoke),
//! and the per-call options a caller may add.

use std::fmt;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use http::header::{HeaderName, HeaderValue};
use http::{HeaderMap, Method, Uri};

use crate::encoding::Format;
use crate::errors::Error;
use crate::errors::reasons;

/// Which part of the request message becomes the HTTP body (the rule's `body`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum CallBody {
    /// No body (no `body` in the rule): every field not in the path is in the query.
    #[default]
    None,
    /// The whole message (`body: "*"`).
    Whole,
    /// One top-level field, by its proto name (`body: "book"`).
    Field(&'static str),
}

/// One call, as generated client methods build it: the operation, the HTTP method, the URL path
/// (already expanded and encoded), the request message, how the body and reply map onto it, and
/// the caller's [`CallOptions`].
///
/// The fields are public so generated code writes a struct literal; [`Call::new`] and the
/// builder methods are the same for hand-written calls:
///
/// ```
/// use kratos::transport::http::{Call, CallBody, CallOptions};
///
/// let call = Call::new(
///     "/helloworld.v1.Greeter/SayHello",
///     "GET",
///     "/helloworld/{name}",
///     "/helloworld/a%20b",
///     (),
/// )
/// .options(CallOptions::new().header("x-md-global-trace", "1"));
/// assert_eq!(call.body, CallBody::None);
/// ```
#[derive(Clone, Debug)]
pub struct Call<Req> {
    /// The operation: the gRPC full method name, `/helloworld.v1.Greeter/SayHello`. Client
    /// middleware sees it in the [`Context`](crate::transport::Context).
    pub operation: &'static str,
    /// The HTTP method: `GET`, `POST`, ..., or a custom one (`HEAD`, `PURGE`).
    pub method: &'static str,
    /// The rule's path template, `/helloworld/{name}`, for middleware and logs
    /// ([`CallInfo::path_template`]).
    pub path_template: &'static str,
    /// The expanded path and query, percent-encoded: `/helloworld/a%20b?x=1`. It is appended to
    /// the base URL's path. Generated clients build it with the runtime's URL encoders, which
    /// write what the server's binding (and Go Kratos') reads back unchanged.
    pub path_and_query: String,
    /// The request message.
    pub request: Req,
    /// Which part of `request` is the body.
    pub body: CallBody,
    /// The top-level field of the reply the HTTP body holds (the rule's `response_body`, proto
    /// name); `None` for the whole reply.
    pub response_body: Option<&'static str>,
    /// Per-call options.
    pub options: CallOptions,
}

impl<Req> Call<Req> {
    /// A call without a body, decoding the whole reply, with default options.
    pub fn new(
        operation: &'static str,
        method: &'static str,
        path_template: &'static str,
        path_and_query: impl Into<String>,
        request: Req,
    ) -> Self {
        Self {
            operation,
            method,
            path_template,
            path_and_query: path_and_query.into(),
            request,
            body: CallBody::None,
            response_body: None,
            options: CallOptions::default(),
        }
    }

    /// Sets which part of the request is the body.
    #[must_use]
    pub fn body(mut self, body: CallBody) -> Self {
        self.body = body;
        self
    }

    /// Decodes the HTTP body into this top-level field of the reply (proto name).
    #[must_use]
    pub fn response_body(mut self, field: &'static str) -> Self {
        self.response_body = Some(field);
        self
    }

    /// Sets the per-call options.
    #[must_use]
    pub fn options(mut self, options: CallOptions) -> Self {
        self.options = options;
        self
    }
}

/// Options for one call, overriding the client's settings: extra headers, the body format and
/// the timeout; and a place to receive the reply's headers.
///
/// ```
/// use std::time::Duration;
/// use kratos::encoding::Format;
/// use kratos::transport::http::{CallOptions, ReplyHeaders};
///
/// let reply_headers = ReplyHeaders::new();
/// let options = CallOptions::new()
///     .header("authorization", "Bearer t0ken")
///     .format(Format::Proto)
///     .timeout(Duration::from_millis(300))
///     .reply_headers(&reply_headers);
/// # let _ = options;
/// ```
#[derive(Clone, Debug, Default)]
pub struct CallOptions {
    pub(super) headers: HeaderMap,
    pub(super) format: Option<Format>,
    pub(super) timeout: Option<Duration>,
    pub(super) reply_headers: Option<ReplyHeaders>,
    /// The first invalid header given, reported when the call is made.
    pub(super) invalid: Option<Error>,
}

impl CallOptions {
    /// No options: the client's settings apply.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a header to this call. A name given here replaces the client's default header of
    /// that name (and `Accept` or `User-Agent`); calling this twice with one name sends both
    /// values. An invalid name or value fails the call with `400 INVALID_REQUEST`.
    #[must_use]
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        K: TryInto<HeaderName>,
        K::Error: fmt::Display,
        V: TryInto<HeaderValue>,
        V::Error: fmt::Display,
    {
        match header_pair(name, value) {
            Ok((name, value)) => {
                self.headers.append(name, value);
            }
            Err(error) => {
                self.invalid.get_or_insert(Error::new(
                    400,
                    reasons::INVALID_REQUEST,
                    format!("invalid call header: {error}"),
                ));
            }
        }
        self
    }

    /// Adds these headers to this call, as [`header`](Self::header) does one by one.
    #[must_use]
    pub fn headers(mut self, headers: HeaderMap) -> Self {
        let mut name = None;
        for (next, value) in headers {
            // `HeaderMap`'s iterator names a header once, before its first value.
            if next.is_some() {
                name = next;
            }
            if let Some(name) = &name {
                self.headers.append(name.clone(), value);
            }
        }
        self
    }

    /// The body format (and `Accept`) for this call: [`Format::Json`] or [`Format::Proto`].
    #[must_use]
    pub fn format(mut self, format: Format) -> Self {
        self.format = Some(format);
        self
    }

    /// The time limit for this call (sending, waiting, and reading the reply); `Duration::ZERO`
    /// means none. Failing it is `504 TIMEOUT`.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Stores the reply's headers in `headers` when a reply arrives (also for error replies),
    /// as Go Kratos' `http.Header(&header)` call option does.
    #[must_use]
    pub fn reply_headers(mut self, headers: &ReplyHeaders) -> Self {
        self.reply_headers = Some(headers.clone());
        self
    }
}

/// Parses a header name and value, describing what was wrong.
pub(super) fn header_pair<K, V>(name: K, value: V) -> Result<(HeaderName, HeaderValue), String>
where
    K: TryInto<HeaderName>,
    K::Error: fmt::Display,
    V: TryInto<HeaderValue>,
    V::Error: fmt::Display,
{
    let name = name
        .try_into()
        .map_err(|error| format!("bad header name: {error}"))?;
    let value = value
        .try_into()
        .map_err(|error| format!("bad value for header {name}: {error}"))?;
    Ok((name, value))
}

/// Receives the headers of a call's reply; see [`CallOptions::reply_headers`]. Clones share the
/// same headers.
///
/// ```no_run
/// # async fn run(client: kratos::transport::http::Client) -> Result<(), kratos::errors::Error> {
/// use kratos::transport::http::{Call, CallOptions, ReplyHeaders};
///
/// let headers = ReplyHeaders::new();
/// let call = Call::new("/a.B/C", "GET", "/c", "/c", ())
///     .options(CallOptions::new().reply_headers(&headers));
/// let () = client.invoke(call).await?;
/// println!("{:?}", headers.get().get("etag"));
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct ReplyHeaders {
    headers: Arc<Mutex<HeaderMap>>,
}

impl ReplyHeaders {
    /// An empty holder.
    pub fn new() -> Self {
        Self::default()
    }

    /// A copy of the headers received (empty before a reply arrives).
    pub fn get(&self) -> HeaderMap {
        self.lock().clone()
    }

    /// Takes the headers received, leaving none.
    pub fn take(&self) -> HeaderMap {
        std::mem::take(&mut *self.lock())
    }

    pub(super) fn set(&self, headers: HeaderMap) {
        *self.lock() = headers;
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HeaderMap> {
        // Only this module locks it, and nothing in between can panic.
        self.headers.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// What the client puts in the [`Context`](crate::transport::Context) extensions of every call,
/// for client middleware (logging, tracing, metrics) that needs more than the operation:
/// `ctx.extensions().get::<CallInfo>()`.
#[derive(Clone, Debug)]
pub struct CallInfo {
    /// The HTTP method.
    pub method: Method,
    /// The rule's path template, `/helloworld/{name}`.
    pub path_template: &'static str,
    /// The full request URL.
    pub uri: Uri,
}
