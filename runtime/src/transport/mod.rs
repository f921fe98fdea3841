//! Transports: the HTTP server (and, later, gRPC), and the context a handler
//! sees whichever transport carried the call.

mod context;
pub mod http;

pub use context::{Context, Kind};
