//! The HTTP client generated `XxxHttpClient`s send their calls through: Go Kratos'
//! `transport/http.Client`, on hyper's pooled client.
//!
//! ```no_run
//! # async fn run() -> Result<(), kratos::errors::Error> {
//! use std::time::Duration;
//! use kratos::transport::http::Client;
//!
//! let client = Client::builder("http://127.0.0.1:8000")
//!     .timeout(Duration::from_secs(1))
//!     .header("x-md-global-tenant", "blue")
//!     .build()?;
//! // let greeter = GreeterHttpClient::new(client);
//! // let reply = greeter.say_hello(HelloRequest { name: "kratos".into() }).await?;
//! # let _ = client;
//! # Ok(())
//! # }
//! ```
//!
//! # One call
//!
//! [`Client::invoke`] takes a [`Call`] (built by generated code: operation, method, the encoded
//! path and query, the request, which part of it is the body, and the caller's
//! [`CallOptions`]) and:
//!
//! 1. builds the outgoing headers: the client's default headers (`User-Agent` included), the
//!    call's headers over them, `Accept` for the format, `Content-Type` when there is a body;
//! 2. runs the client middleware chain with a [`Context`] of [`Kind::Http`], the operation and
//!    those headers (middleware may change them with `request_headers_mut`; a [`CallInfo`] in
//!    the extensions gives the method, template and URL);
//! 3. encodes the body ([`CallBody`]) in the call's format: JSON by default, protobuf with
//!    [`Format::Proto`]. A protobuf call whose body or `response_body` field is not a message
//!    (a string, a list, a map) has no protobuf form, so that part goes as JSON;
//! 4. sends it and reads the reply within the timeout (2 s by default, as Kratos; the call's
//!    own overrides it); the reply's headers go to the context's reply headers and to
//!    [`CallOptions::reply_headers`];
//! 5. decodes a 2xx reply by its `Content-Type` (an empty body is the default message), or turns
//!    any other status into a [`kratos::errors::Error`](crate::errors::Error).
//!
//! # Errors
//!
//! Every failure is a Kratos error; the client never panics.
//!
//! | What | Code | Reason |
//! |---|---|---|
//! | A non-2xx reply with a Kratos error body (JSON, or `errors.Status` protobuf) | the HTTP status | the body's |
//! | A non-2xx reply with any other body (HTML from a proxy, empty, other JSON) | the HTTP status | `""`; the message has the status and the start of the body, the decoding error is the cause |
//! | Cannot connect (refused, DNS, TLS handshake), or the connection failed mid-call | 503 | [`reasons::TRANSPORT`] |
//! | The time limit passed | 504 | [`reasons::TIMEOUT`] |
//! | A 2xx reply that does not decode | 500 | `CODEC` |
//! | A reply body over the [limit](ClientBuilder::body_limit) | 500 | [`reasons::BODY_TOO_LARGE`] |
//! | A call that cannot be sent (bad method, path or header) | 400 | [`reasons::INVALID_REQUEST`] |
//! | A path field that does not fit its template (generated code) | 400 | [`reasons::INVALID_PATH_VALUE`] |
//! | A bad base URL or builder setting | 400 | [`reasons::INVALID_CONFIG`] |
//!
//! As in Go Kratos, the code of a decoded error body is replaced by the HTTP status, and
//! redirects are not followed (a 3xx is an error with that code).
//!
//! # https
//!
//! `https://` base URLs need the `tls` feature of this crate (rustls with the ring provider,
//! trusting the Mozilla roots of webpki-roots, or the config given to
//! `ClientBuilder::tls_config`); without it they are an error at construction.

mod base_url;
mod call;
mod connector;
mod future;
mod reply;
mod stream;
mod stream_frames;

#[cfg(test)]
mod tests;

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, CONTENT_LENGTH, CONTENT_TYPE, HeaderName, HeaderValue, USER_AGENT};
use http::{HeaderMap, Method, Uri};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_util::client::legacy;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use prost_reflect::{Kind as FieldKind, ReflectMessage};

pub use call::{Call, CallBody, CallInfo, CallOptions, ReplyHeaders};
pub use future::ReplyFuture;
#[cfg(feature = "tls")]
pub use rustls;

use base_url::BaseUrl;

use crate::balancer::{Balancer, Node, NodeFilter, Peer};
use crate::errors::reasons;
use crate::registry::Discovery;
use crate::transport::discovery::{self, DiscoveryConfig, Resolver};
use connector::{Connector, TlsConfig};

use crate::encoding::{Format, HttpMessage, JsonOptions};
use crate::errors::Error;
use crate::middleware::{Chain, Message, Middleware};
use crate::transport::{Context, Kind};

/// An HTTP client for generated `XxxHttpClient`s; cheap to clone (clones share the connection
/// pool and settings).
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    /// For a `discovery:///name` target: `http://name`, whose authority each attempt replaces
    /// with its node's.
    base: BaseUrl,
    /// Set for a `discovery:///name` target.
    resolver: Option<Resolver>,
    http: legacy::Client<Connector, Full<Bytes>>,
    timeout: Option<Duration>,
    /// Sent with every call; `User-Agent` included.
    headers: HeaderMap,
    middleware: Chain,
    json: JsonOptions,
    format: Format,
    body_limit: usize,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
            .field("timeout", &self.inner.timeout)
            .field("format", &self.inner.format)
            .field("middleware", &self.inner.middleware)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Default time limit of a call, as Kratos: 2 s.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);
    /// Default limit of a reply body: 64 MiB.
    pub const DEFAULT_BODY_LIMIT: usize = 64 << 20;
    /// Default `User-Agent`: `kratos-rs/<version>`.
    pub const DEFAULT_USER_AGENT: &'static str = concat!("kratos-rs/", env!("CARGO_PKG_VERSION"));

    /// A client with the default settings for `base_url`: `http://127.0.0.1:8000`, with an
    /// optional path prefix (`http://host/api`); `https://` needs the `tls` feature; a URL
    /// without a scheme (`127.0.0.1:8000`) means `http://`. `discovery:///name` needs a
    /// [`Discovery`]: see [`ClientBuilder::discovery`].
    pub fn new(base_url: &str) -> Result<Client, Error> {
        Self::builder(base_url).build()
    }

    /// A builder for a client of `base_url` (see [`Client::new`]).
    pub fn builder(base_url: &str) -> ClientBuilder {
        ClientBuilder::new(base_url)
    }

    /// The base URL, normalized: `http://host:port/prefix`; or `discovery:///name`.
    pub fn base_url(&self) -> &str {
        match &self.inner.resolver {
            Some(resolver) => resolver.target(),
            None => self.inner.base.as_str(),
        }
    }

    /// Sends one call; generated client methods call this. See the [module docs](self).
    pub async fn invoke<Req, Rep>(&self, call: Call<Req>) -> Result<Rep, Error>
    where
        Req: HttpMessage + Send + 'static,
        Rep: HttpMessage + Default + Send + 'static,
    {
        let reply = self
            .invoke_message(erase(call), Codec::of::<Req, Rep>())
            .await?;
        Chain::restore(reply)
    }

    /// [`invoke`](Self::invoke) with the request and reply as [`Message`]s and their typed
    /// parts in `codec`: one copy of the client's code serves every request and reply type.
    pub(crate) async fn invoke_message(
        &self,
        call: Call<Message>,
        codec: Codec,
    ) -> Result<Message, Error> {
        let Call {
            operation,
            method,
            path_template,
            path_and_query,
            request,
            body,
            response_body,
            options,
        } = call;
        let CallOptions {
            headers: call_headers,
            format,
            timeout,
            reply_headers,
            invalid,
        } = options;
        if let Some(error) = invalid {
            return Err(error);
        }
        let inner = &self.inner;
        let format = match format {
            Some(Format::Form) => {
                return Err(Error::new(
                    400,
                    reasons::INVALID_REQUEST,
                    "Format::Form is not a message format; use Format::Json or Format::Proto",
                ));
            }
            Some(format) => format,
            None => inner.format,
        };
        let http_method = http_method(operation, method)?;
        let uri = inner.base.join(&path_and_query)?;

        // Protobuf has no form for a scalar, list or map field on its own: such a part goes as
        // JSON, which the server also reads and writes.
        let body_format = match body {
            CallBody::None => None,
            CallBody::Whole => Some(format),
            CallBody::Field(field)
                if format == Format::Proto
                    && !(codec.request_field_is_message)(&request, field) =>
            {
                Some(Format::Json)
            }
            CallBody::Field(_) => Some(format),
        };
        let accept = match response_body {
            Some(field) if format == Format::Proto && !(codec.reply_field_is_message)(field) => {
                Format::Json
            }
            _ => format,
        };

        let mut headers = merge_headers(&inner.headers, call_headers);
        if !headers.contains_key(ACCEPT) {
            headers.insert(ACCEPT, HeaderValue::from_static(accept.content_type()));
        }
        match body_format {
            Some(body_format) => {
                headers.insert(
                    CONTENT_TYPE,
                    HeaderValue::from_static(body_format.content_type()),
                );
            }
            None => {
                headers.remove(CONTENT_TYPE);
            }
        }

        let mut ctx = Context::new(Kind::Http, operation, headers);
        ctx.extensions_mut().insert(CallInfo {
            method: http_method.clone(),
            path_template,
            uri: uri.clone(),
        });
        let plan = Arc::new(Plan {
            inner: Arc::clone(inner),
            operation,
            method: http_method,
            uri,
            body,
            body_format,
            response_body,
            timeout: match timeout {
                Some(Duration::ZERO) => None,
                Some(timeout) => Some(timeout),
                None => inner.timeout,
            },
            reply_headers,
            codec,
        });
        if inner.middleware.is_empty() {
            return plan.send(ctx, request).await;
        }
        inner
            .middleware
            .start_message(ctx, request, move |ctx, request| {
                let plan = Arc::clone(&plan);
                async move { plan.send(ctx, request).await }
            })
            .await
    }
}

/// A call's HTTP method; `400 INVALID_REQUEST` when `method` is not a method name.
fn http_method(operation: &str, method: &str) -> Result<Method, Error> {
    Method::from_bytes(method.as_bytes()).map_err(|_| {
        Error::new(
            400,
            reasons::INVALID_REQUEST,
            format!("{operation}: {method:?} is not an HTTP method name"),
        )
    })
}

/// The client's default headers with a call's: a name the call gives replaces the default.
fn merge_headers(defaults: &HeaderMap, call_headers: HeaderMap) -> HeaderMap {
    let mut headers = defaults.clone();
    let mut replaced: Option<HeaderName> = None;
    for (name, value) in call_headers {
        // A name is given once, before its first value; it replaces the defaults.
        if let Some(name) = name {
            headers.remove(&name);
            replaced = Some(name);
        }
        if let Some(name) = &replaced {
            headers.append(name.clone(), value);
        }
    }
    headers
}

/// Whether `field` of `message` is a singular message field (which protobuf can carry alone).
fn is_message<M: ReflectMessage>(message: &M, field: &str) -> bool {
    message
        .descriptor()
        .get_field_by_name(field)
        .is_none_or(|field| {
            matches!(field.kind(), FieldKind::Message(_)) && !field.is_list() && !field.is_map()
        })
}

/// Encodes the request (all of it, or one field) as a body.
type EncodeFn = fn(&Message, CallBody, Format, &JsonOptions) -> Result<Vec<u8>, Error>;
/// Decodes the reply (or its `response_body` field) of an operation from a 2xx body.
type DecodeFn = fn(&str, Format, &[u8], Option<&str>, &JsonOptions) -> Result<Message, Error>;

/// The typed parts of a call, as plain functions: the only code each request and reply type
/// adds to the client.
#[derive(Clone, Copy)]
pub(crate) struct Codec {
    /// The body of the request (all of it, or one field) in a format.
    encode: EncodeFn,
    /// Whether a field of the request is a singular message (see [`is_message`]).
    request_field_is_message: fn(&Message, &str) -> bool,
    /// Whether a field of the reply is a singular message.
    reply_field_is_message: fn(&str) -> bool,
    /// The reply (or its `response_body` field) from a 2xx body.
    decode: DecodeFn,
}

impl Codec {
    pub(crate) fn of<Req, Rep>() -> Self
    where
        Req: HttpMessage + Send + 'static,
        Rep: HttpMessage + Default + Send + 'static,
    {
        Self {
            encode: encode_request::<Req>,
            request_field_is_message: |request, field| {
                request
                    .downcast_ref::<Req>()
                    .is_none_or(|request| is_message(request, field))
            },
            reply_field_is_message: |field| is_message(&Rep::default(), field),
            decode: |operation, format, body, field, json| {
                reply::decode_reply::<Rep>(operation, format, body, field, json).map(Message::new)
            },
        }
    }
}

/// The body of `request`, a `Req` unless a middleware replaced it.
fn encode_request<Req: HttpMessage + 'static>(
    request: &Message,
    body: CallBody,
    format: Format,
    json: &JsonOptions,
) -> Result<Vec<u8>, Error> {
    let Some(request) = request.downcast_ref::<Req>() else {
        return Err(crate::errors::internal_server(
            "",
            "a middleware replaced the request with another type",
        ));
    };
    match body {
        CallBody::Whole => request.encode_reply(format, json),
        CallBody::Field(field) => request.encode_reply_field(format, field, json),
        CallBody::None => Ok(Vec::new()),
    }
}

/// `call` with its request as a [`Message`], as middleware sees it.
pub(crate) fn erase<Req: Send + 'static>(call: Call<Req>) -> Call<Message> {
    Call {
        operation: call.operation,
        method: call.method,
        path_template: call.path_template,
        path_and_query: call.path_and_query,
        request: Message::new(call.request),
        body: call.body,
        response_body: call.response_body,
        options: call.options,
    }
}

/// Everything the end of the chain needs to send a call; shared by every attempt a retrying
/// middleware makes.
struct Plan {
    inner: Arc<Inner>,
    operation: &'static str,
    method: Method,
    uri: Uri,
    body: CallBody,
    body_format: Option<Format>,
    response_body: Option<&'static str>,
    timeout: Option<Duration>,
    reply_headers: Option<ReplyHeaders>,
    codec: Codec,
}

impl Plan {
    async fn send(&self, ctx: Context, request: Message) -> Result<Message, Error> {
        let json = &self.inner.json;
        let body = match self.body_format {
            Some(format) => (self.codec.encode)(&request, self.body, format, json)?,
            None => Vec::new(),
        };
        drop(request);

        let exchange = self.exchange(&ctx, Bytes::from(body));
        let (parts, body) = match self.timeout {
            Some(limit) => tokio::time::timeout(limit, exchange)
                .await
                .map_err(|elapsed| reply::timeout_error(self.operation, limit, elapsed))??,
            None => exchange.await?,
        };

        *ctx.reply_headers() = parts.headers.clone();
        if let Some(reply_headers) = &self.reply_headers {
            reply_headers.set(parts.headers.clone());
        }
        let content_type = parts
            .headers
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok());
        let format = reply::reply_format(content_type);
        if parts.status.is_success() {
            (self.codec.decode)(self.operation, format, &body, self.response_body, json)
        } else {
            Err(reply::decode_error(parts.status, format, &body))
        }
    }

    /// Sends the request and reads the whole reply, within the body limit. A `discovery:///`
    /// target picks a node per attempt, and an attempt that could not connect (nothing was
    /// sent) is made again on another node, up to [`MAX_ATTEMPTS`] in all.
    async fn exchange(
        &self,
        ctx: &Context,
        body: Bytes,
    ) -> Result<(http::response::Parts, Bytes), Error> {
        let Some(resolver) = &self.inner.resolver else {
            let request = self.request(ctx, self.uri.clone(), body);
            return self
                .attempt(request, None)
                .await
                .map_err(|failed| failed.error);
        };
        let peer = ctx.extensions().get::<Peer>();
        let mut tried: Vec<String> = Vec::new();
        let mut last_failure: Option<Error> = None;
        loop {
            let picked = match resolver.select(&tried, self.timeout).await {
                Ok(picked) => picked,
                // No other node to try: the failure of the last one says more.
                Err(error) => return Err(last_failure.unwrap_or(error)),
            };
            if let Some(peer) = peer {
                peer.set(picked.node());
            }
            let uri = base_url::with_authority(&self.uri, picked.node())?;
            let request = self.request(ctx, uri, body.clone());
            match self.attempt(request, Some(picked.node())).await {
                Ok(reply) => {
                    picked.done(false);
                    return Ok(reply);
                }
                Err(failed) => {
                    let picked_address = picked.node().address().to_owned();
                    picked.done(discovery::is_unhealthy(&failed.error));
                    if !failed.unsent || tried.len() + 1 >= MAX_ATTEMPTS {
                        return Err(failed.error);
                    }
                    tried.push(picked_address);
                    last_failure = Some(failed.error);
                }
            }
        }
    }

    /// The request of one attempt: the call's method and headers, to `uri`. Built afresh
    /// for each attempt rather than copied from the first, which costs less for the one
    /// attempt almost every call makes.
    fn request(&self, ctx: &Context, uri: Uri, body: Bytes) -> http::Request<Full<Bytes>> {
        let mut request = http::Request::new(Full::new(body));
        *request.method_mut() = self.method.clone();
        *request.uri_mut() = uri;
        *request.headers_mut() = ctx.request_headers().clone();
        // The body is in the format chosen here, whatever a middleware set.
        if let Some(format) = self.body_format {
            request.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static(format.content_type()),
            );
        }
        request
    }

    /// One attempt; `uri` is the request's, for messages.
    async fn attempt(
        &self,
        request: http::Request<Full<Bytes>>,
        node: Option<&Node>,
    ) -> Result<(http::response::Parts, Bytes), Failed> {
        let response = self.inner.http.request(request).await.map_err(|error| {
            let unsent = error.is_connect();
            // The request is gone: its URI is the plan's, or the plan's on the node.
            let authority = node.map_or_else(
                || self.uri.authority().map_or("", |a| a.as_str()),
                Node::address,
            );
            let what = if unsent {
                format!("{}: cannot connect to {authority}", self.operation)
            } else {
                let scheme = self.uri.scheme_str().unwrap_or("http");
                let path = self.uri.path_and_query().map_or("/", |p| p.as_str());
                let uri = format!("{scheme}://{authority}{path}");
                format!("{}: {} {uri} failed", self.operation, self.method)
            };
            Failed {
                error: reply::transport_error(&what, error),
                unsent,
            }
        })?;
        let (parts, body) = response.into_parts();
        let limit = self.inner.body_limit;
        let declared = parts
            .headers
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.parse::<u64>().ok());
        if declared.is_some_and(|length| length > limit as u64) {
            return Err(reply::too_large(self.operation, limit).into());
        }
        match Limited::new(body, limit).collect().await {
            Ok(collected) => Ok((parts, collected.to_bytes())),
            Err(error) if error.downcast_ref::<LengthLimitError>().is_some() => {
                Err(reply::too_large(self.operation, limit).into())
            }
            Err(error) => Err(reply::transport_error(
                &format!("{}: reading the reply failed", self.operation),
                error,
            )
            .into()),
        }
    }
}

/// The most attempts of one call to a `discovery:///` target: the first, and two more on other
/// nodes when an attempt could not connect.
const MAX_ATTEMPTS: usize = 3;

/// A failed attempt; `unsent` when the request never left (no connection), so another node
/// may be tried whatever the method.
struct Failed {
    error: Error,
    unsent: bool,
}

impl From<Error> for Failed {
    fn from(error: Error) -> Self {
        Self {
            error,
            unsent: false,
        }
    }
}

/// Settings for a [`Client`]; [`build`](Self::build) checks them all.
///
/// ```
/// use std::time::Duration;
/// use kratos::encoding::Format;
/// use kratos::transport::http::Client;
///
/// let client = Client::builder("http://127.0.0.1:8000/api")
///     .timeout(Duration::from_millis(500))
///     .user_agent("billing/1.2")
///     .header("x-md-global-region", "eu")
///     .format(Format::Proto)
///     .build()?;
/// assert_eq!(client.base_url(), "http://127.0.0.1:8000/api");
/// # Ok::<(), kratos::errors::Error>(())
/// ```
pub struct ClientBuilder {
    base_url: String,
    timeout: Option<Duration>,
    user_agent: Option<String>,
    headers: HeaderMap,
    middleware: Chain,
    json: JsonOptions,
    format: Format,
    body_limit: usize,
    tls: TlsConfig,
    discovery: DiscoveryConfig,
    invalid: Option<Error>,
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("format", &self.format)
            .finish_non_exhaustive()
    }
}

impl ClientBuilder {
    fn new(base_url: &str) -> Self {
        Self {
            base_url: base_url.to_owned(),
            timeout: Some(Client::DEFAULT_TIMEOUT),
            user_agent: None,
            headers: HeaderMap::new(),
            middleware: Chain::new(),
            json: JsonOptions::default(),
            format: Format::Json,
            body_limit: Client::DEFAULT_BODY_LIMIT,
            tls: TlsConfig::default(),
            discovery: DiscoveryConfig::default(),
            invalid: None,
        }
    }

    /// The time limit of each call: sending, waiting and reading the reply (2 s by default, as
    /// Kratos); `Duration::ZERO` means none. [`CallOptions::timeout`] overrides it per call.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = (!timeout.is_zero()).then_some(timeout);
        self
    }

    /// The `User-Agent` sent with every call (`kratos-rs/<version>` by default).
    #[must_use]
    pub fn user_agent(mut self, user_agent: &str) -> Self {
        self.user_agent = Some(user_agent.to_owned());
        self
    }

    /// Adds a header sent with every call (a call's own header of the same name replaces it).
    /// An invalid name or value makes [`build`](Self::build) fail.
    #[must_use]
    pub fn header<K, V>(mut self, name: K, value: V) -> Self
    where
        K: TryInto<HeaderName>,
        K::Error: fmt::Display,
        V: TryInto<HeaderValue>,
        V::Error: fmt::Display,
    {
        match call::header_pair(name, value) {
            Ok((name, value)) => {
                self.headers.append(name, value);
            }
            Err(error) => {
                self.invalid.get_or_insert(Error::new(
                    400,
                    reasons::INVALID_CONFIG,
                    format!("invalid client header: {error}"),
                ));
            }
        }
        self
    }

    /// Adds a middleware to the client chain (the first added runs outermost). It sees every
    /// call with a [`Context`] of [`Kind::Http`] whose request headers are the outgoing ones.
    #[must_use]
    pub fn middleware(mut self, middleware: impl Middleware) -> Self {
        self.middleware.push(middleware);
        self
    }

    /// JSON settings for request bodies and replies.
    #[must_use]
    pub fn json_options(mut self, options: JsonOptions) -> Self {
        self.json = options;
        self
    }

    /// The body format, also asked for in `Accept`: [`Format::Json`] (the default) or
    /// [`Format::Proto`]. [`CallOptions::format`] overrides it per call.
    #[must_use]
    pub fn format(mut self, format: Format) -> Self {
        self.format = format;
        self
    }

    /// The largest reply body accepted (64 MiB by default); a larger one fails the call with
    /// `500 BODY_TOO_LARGE`.
    #[must_use]
    pub fn body_limit(mut self, bytes: usize) -> Self {
        self.body_limit = bytes;
        self
    }

    /// The rustls settings for `https` (private roots, client certificates). ALPN is set by the
    /// client (h2 and http/1.1). Without this, the Mozilla roots of webpki-roots are trusted.
    #[cfg(feature = "tls")]
    #[must_use]
    pub fn tls_config(mut self, config: rustls::ClientConfig) -> Self {
        self.tls = Some(config);
        self
    }

    /// Where a `discovery:///name` target's instances come from (an
    /// [`EtcdRegistry`](crate::registry), a [`MemoryRegistry`](crate::registry::MemoryRegistry)).
    /// The client follows the service's watch and sends each call to a node picked by the
    /// [balancer](Self::balancer) among the instances' `http://` endpoints; an attempt that
    /// could not connect is made again on another node (up to 3 attempts). Ignored for a
    /// plain URL.
    #[must_use]
    pub fn discovery(mut self, discovery: Arc<dyn Discovery>) -> Self {
        self.discovery.discovery = Some(discovery);
        self
    }

    /// The balancer of a `discovery:///` target:
    /// [`WeightedRoundRobin`](crate::balancer::WeightedRoundRobin) by default.
    #[must_use]
    pub fn balancer(mut self, balancer: impl Balancer) -> Self {
        self.discovery.balancer = Some(Box::new(balancer));
        self
    }

    /// Adds a node filter for a `discovery:///` target (an instance must pass them all), such
    /// as [`filter::version`](crate::balancer::filter::version).
    #[must_use]
    pub fn node_filter(mut self, filter: NodeFilter) -> Self {
        self.discovery.filters.push(filter);
        self
    }

    /// Checks the settings and builds the client. A `discovery:///` target must be built
    /// inside a Tokio runtime (it follows the registry in a task).
    pub fn build(self) -> Result<Client, Error> {
        if let Some(error) = self.invalid {
            return Err(error);
        }
        if self.format == Format::Form {
            return Err(Error::new(
                400,
                reasons::INVALID_CONFIG,
                "Format::Form is not a message format; use Format::Json or Format::Proto",
            ));
        }
        let (base, resolver) = match discovery::service_name(&self.base_url) {
            None => (BaseUrl::parse(&self.base_url)?, None),
            Some(name) => {
                let name = name?;
                let resolver = Resolver::start(name, "http", self.discovery)?;
                (BaseUrl::parse(&format!("http://{name}"))?, Some(resolver))
            }
        };
        let mut headers = self.headers;
        if let Some(user_agent) = &self.user_agent {
            let value = HeaderValue::from_str(user_agent).map_err(|error| {
                Error::new(
                    400,
                    reasons::INVALID_CONFIG,
                    format!("invalid user agent {user_agent:?}: {error}"),
                )
            })?;
            headers.insert(USER_AGENT, value);
        } else if !headers.contains_key(USER_AGENT) {
            headers.insert(
                USER_AGENT,
                HeaderValue::from_static(Client::DEFAULT_USER_AGENT),
            );
        }
        let connector = connector::connector(self.tls)?;
        let http = legacy::Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .timer(TokioTimer::new())
            .build(connector);
        Ok(Client {
            inner: Arc::new(Inner {
                base,
                resolver,
                http,
                timeout: self.timeout,
                headers,
                middleware: self.middleware,
                json: self.json,
                format: self.format,
                body_limit: self.body_limit,
            }),
        })
    }
}
