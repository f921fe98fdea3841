//! The HTTP transport: routes generated from `google.api.http` rules, served
//! by a [`Server`] that is a tower `Service` (mount it in axum) or runs
//! standalone on hyper.
//!
//! A request flows: the router matches method and path (404 / 405 with
//! `Allow`, see [Route matching](#route-matching)), the body is read up to the size limit
//! (413), the generated handler binds path, query and body into the request message with the
//! [`crate::encoding`] codecs (400 `CODEC`, 415), the middleware
//! [`Chain`](crate::middleware::Chain) and the service method run, and the reply (or the
//! Kratos error) is encoded per `Accept`.
//!
//! The [`Client`] sends calls the other way: generated clients build the URL with the
//! binding encoders and hand a [`Call`] to [`Client::invoke`].
//!
//! Server-streaming methods with a rule answer with their replies as Server-Sent Events or
//! NDJSON, written as they come (see `docs/streaming.md`; heartbeats with
//! [`Server::stream_heartbeat`], per-reply middleware with [`Server::stream_middleware`]);
//! [`Client::invoke_stream`] reads them back.
//!
//! # Route matching
//!
//! Routes follow `google/api/http.proto`, and where implementations disagree the kratos-rs
//! decisions:
//!
//! - **Specificity, never registration order.** At each segment a literal
//!   beats `*` (or a single-segment variable), which beats `**`, with
//!   backtracking: `/c/f/d/e` beats `/c/*/d/e`, which beats `/c/*/d/**`.
//!   After the same `**`, a longer literal tail wins (`/t/**/x/y` over
//!   `/t/**/y` on `/t/x/y`).
//!   A route only counts if it accepts the request method, so `GET /v1/special`
//!   still reaches `GET /v1/{name}` when `/v1/special` is only registered for
//!   POST.
//! - **Raw literals.** Literals compare with the still-encoded request
//!   segment: `/v1/%61` does not match the literal `/v1/a`.
//! - **Verbs.** The text after the last `:` of the last segment is split off as
//!   a verb only if some registered template uses that verb; otherwise it stays part of the segment, so
//!   `/foo/{id}` matches `/foo/bar:123` with `id = "bar:123"`. An encoded `%3A`
//!   never starts a verb. A last segment that is only `:verb` is an empty
//!   segment before the verb, dropped like a trailing `/`: `POST /:v` matches
//!   `/**:v` (and `/{x=**}:v` with `x = ""`), while `/v1/:v` does not match
//!   `/v1/{name}:v`.
//! - **`**`** matches zero or more segments, also before a literal tail:
//!   `/a/{b=c/**}/d` matches `/a/c/d` with `b = "c"`. Values are joined
//!   cleanly, without trailing `/`.
//! - **Trailing `/`** on the request is ignored: `/a/b/` matches `/a/b`, and
//!   also `/v1/x:cancel/` matches `/v1/{name}:cancel`. Inner empty segments
//!   are kept, and `*` matches them.
//! - **Decoding.** Single-segment variables are fully percent-decoded (`%2F`
//!   gives `/`); multi-segment variables keep the RFC 6570 reserved characters
//!   encoded as written. `+` stays `+`. A malformed escape or a value that is
//!   not UTF-8 once decoded is a `400`.
//! - **Methods.** A route matches its exact method, or any method for the HttpRule custom
//!   kind `*`; an exact route wins over a `*` route on the same template. A path that
//!   matches only under other methods is a `405` with `Allow`. `HEAD` on a `GET` route is
//!   answered as `GET` without the body.

// Public for generated code only (as `kratos::__codegen`), so hidden from the docs.
#[doc(hidden)]
pub mod binding;
mod body;
pub mod client;
mod metrics;
mod openapi;
mod request;
// The server's route table, hidden from the docs (its rules are above); public so its
// example runs as a doctest.
#[doc(hidden)]
pub mod router;
mod server;
mod service;
mod stream;

pub use binding::MAX_QUERY_DEPTH;
pub use body::ReplyBody;
pub use client::{
    Call, CallBody, CallInfo, CallOptions, Client, ClientBuilder, ReplyFuture, ReplyHeaders,
};
pub use metrics::{METRICS_OPERATION, METRICS_PATH};
pub use openapi::{OPENAPI_OPERATION, OPENAPI_PATH};
// Named by generated handlers only (as `kratos::__codegen::RouteRequest`).
#[doc(hidden)]
pub use request::RouteRequest;
pub(crate) use request::{Calling, ReplyWriter};
pub use server::{ErrorEncoder, RegisterError, ResponseEncoder, Server};
pub use service::HttpService;
// Named by generated handlers only (as `kratos::__codegen::StreamReply`).
#[doc(hidden)]
pub use stream::StreamReply;

/// The response type of the server.
pub type Response = http::Response<http_body_util::Full<bytes::Bytes>>;
