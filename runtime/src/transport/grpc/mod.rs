//! gRPC on tonic: one implementation of a generated service trait is served over gRPC by the
//! glue protoc-gen-kratos-http emits with `grpc=true` (`register_greeter_grpc_server`), with
//! the same [`Context`](crate::transport::Context) and the same middleware
//! [`Chain`](crate::middleware::Chain) as over HTTP, and `kratos::Error` on the wire as a
//! `Status` carrying `google.rpc.ErrorInfo` (see [`crate::errors`]).
//!
//! - [`Server`]: address (default `0.0.0.0:9000`, as Kratos), per-call timeout (1 s, as Kratos;
//!   a shorter `grpc-timeout` from the client wins), middleware, the standard health service
//!   (`grpc.health.v1.Health`, SERVING for every registered service), optional reflection
//!   (feature `grpc-reflection`), graceful shutdown.
//! - [`Client`]: endpoint, timeout, middleware; generated `XxxGrpcClient`s call through it and
//!   return `Result<Reply, kratos::Error>`, so `is_user_not_found(&err)` works as over HTTP.
//! - [`serve_with_http`]: gRPC and HTTP on one port, told apart by `content-type:
//!   application/grpc*`.
//! - The protobuf codec generated code uses: a message nested deeper than
//!   [`MAX_NESTING`](crate::encoding::MAX_NESTING) is `INVALID_ARGUMENT` with `ErrorInfo`
//!   reason `CODEC` naming the limit, as over HTTP.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! use kratos::transport::grpc;
//!
//! let server = grpc::Server::new().address(([127, 0, 0, 1], 9000).into());
//! // register_greeter_grpc_server(&mut server, greeter.clone());
//! server.serve_with_shutdown(async { let _ = tokio::signal::ctrl_c().await; }).await
//! # }
//! ```

mod call;
mod call_timeout;
mod client;
mod codec;
mod mux;
mod server;
mod stream;
mod timeout;

// The glue generated gRPC services are built with (as `kratos::__codegen::ServerHandle` and
// `ServerStream`), hidden from the docs.
#[doc(hidden)]
pub use call::ServerHandle;
pub use client::{Client, ClientBuilder};
// Named by generated code only (as `kratos::__codegen::ProstCodec`).
#[doc(hidden)]
pub use codec::{NestingDecoder, ProstCodec};
pub use mux::{GrpcHttpService, serve_with_http};
pub use server::Server;
#[doc(hidden)]
pub use stream::ServerStream;
