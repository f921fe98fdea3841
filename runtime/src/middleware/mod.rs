//! Kratos-style middleware: a [`Middleware`] takes the next [`Handler`] and
//! returns a handler that runs around it. Every call on every transport goes
//! through the server's [`Chain`], keyed by operation.
//!
//! Requests and replies travel type-erased as [`Message`], as in Kratos
//! (`interface{}`); a middleware that cares about a concrete type downcasts.
//!
//! The Kratos set, one module each (servers and clients of both transports run the same
//! chains): [`recovery`], [`logging`], [`metadata`], [`selector`] (apply middleware by
//! operation), [`metrics`], [`ratelimit`] (BBR), [`circuitbreaker`] (SRE, client side),
//! `jwt` (feature `jwt`), `tracing` (feature `otel`), `validate` (feature `validate`).
//!
//! Each middleware is one type named after it (`Logging`, `Metrics`, `Jwt`, `Propagation`...):
//! `server()` and `client()` build the side a chain runs on when it runs on both, `new()` the
//! one-sided ones (`Recovery`, `RateLimit`, `Validate`, `CircuitBreaker`), and `with_...` for
//! the same with settings (`RateLimit::with_settings`, `CircuitBreaker::with_settings`).
//!
//! A chain made only of the built-in middleware that act before a call and on its outcome
//! (recovery, first if present; tracing; metrics; logging without an `args` summarizer;
//! validate) runs on HTTP routes without type erasure: their steps run around the typed call in
//! the route's own future, with the same outcome as through the erased chain and less work per
//! call.
//!
//! Order: a server's chain runs in the order middleware were added, the first outermost (put
//! [`recovery`] first); selected chains run at the selector's place. Any tower `Layer` can
//! also wrap the HTTP server's `into_service()` (a tower `Service`), before routing and
//! outside this chain; see the README.

mod call_site;
mod chain;
mod fnv;
mod handler;
mod message;

pub(crate) use call_site::CallSite;
pub use chain::Chain;
pub(crate) use fnv::FnvMap;
pub use handler::{BoxFuture, Handler, Middleware};
pub use message::Message;
pub use stream::StreamCall;

pub mod circuitbreaker;
#[cfg(feature = "jwt")]
pub mod jwt;
pub mod logging;
pub mod metadata;
pub mod metrics;
pub mod ratelimit;
pub mod recovery;
pub mod selector;
pub mod stream;
#[cfg(feature = "otel")]
pub mod tracing;
pub(crate) mod typed;
#[cfg(feature = "validate")]
pub mod validate;
mod window;
