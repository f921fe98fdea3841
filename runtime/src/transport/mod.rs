//! Transports: HTTP and gRPC servers and clients, and the context a handler
//! sees whichever transport carried the call.

mod context;
pub mod grpc;
pub mod http;
mod serve;

pub use context::{Context, Kind};
