//! The HTTP transport: routes generated from `google.api.http` rules, served
//! by a [`Server`] that is a tower `Service` (mount it in axum) or runs
//! standalone on hyper.
//!
//! A request flows: [`router`] matches method and path (404 / 405 with
//! `Allow`), the body is read up to the size limit (413), the generated
//! handler binds path, query and body into the request message with the
//! binding functions and the [`crate::encoding`] codecs (400 `CODEC`,
//! 415), the middleware [`Chain`](crate::middleware::Chain) and the service
//! method run, and the reply (or the Kratos error) is encoded per `Accept`.
//!
//! The [`Client`] sends calls the other way: generated clients build the URL with the
//! binding encoders and hand a [`Call`] to [`Client::invoke`].
//!
//! Server-streaming routes ([`Server::route_stream`], [`RouteRequest::invoke_stream`]) answer
//! with a [`StreamReply`]: the replies as Server-Sent Events or NDJSON, written as they come
//! (see `docs/streaming.md`); [`Client::invoke_stream`] reads them back.

// Public for generated code only (as `kratos::__codegen`), so hidden from the docs.
#[doc(hidden)]
pub mod binding;
mod body;
pub mod client;
mod metrics;
mod openapi;
mod request;
pub mod router;
mod server;
mod service;
mod stream;

pub use binding::{INVALID_PATH_VALUE, MAX_QUERY_DEPTH};
pub use body::ReplyBody;
pub use client::{
    Call, CallBody, CallInfo, CallOptions, Client, ClientBuilder, ReplyFuture, ReplyHeaders,
};
pub use metrics::{METRICS_OPERATION, METRICS_PATH};
pub use openapi::{OPENAPI_OPERATION, OPENAPI_PATH};
pub use request::RouteRequest;
pub(crate) use request::{Calling, ReplyWriter};
pub use router::MethodFilter;
pub use server::{ErrorEncoder, RegisterError, ResponseEncoder, Server};
pub use service::HttpService;
pub use stream::StreamReply;

/// The response type of the server.
pub type Response = http::Response<http_body_util::Full<bytes::Bytes>>;
