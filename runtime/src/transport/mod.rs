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
pub(crate) use deadline::{Deadline, before, within};
pub use serve::ConnectionSettings;
#[cfg(feature = "tls")]
pub use serve::TlsConfig;
pub(crate) use signal::listen as listen_for_signals;
pub use signal::{Signal, shutdown_signal};
pub use stream::{BoxStream, ReplyStream, RequestStream, Stream};
