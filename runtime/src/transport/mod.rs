//! Transports: HTTP and gRPC servers and clients, and the context a handler
//! sees whichever transport carried the call.

mod context;
mod deadline;
pub(crate) mod discovery;
pub mod grpc;
pub mod http;
mod serve;
mod signal;
mod stream;

pub use context::{Context, Kind};
pub(crate) use deadline::{Deadline, within};
pub use serve::ConnectionSettings;
#[cfg(feature = "tls")]
pub use serve::TlsConfig;
pub use signal::shutdown_signal;
pub use stream::{BoxStream, ReplyStream, RequestStream, Stream};
