//! The streaming test API, generated from `proto/streaming/v1/streaming.proto` by `build.rs`.
//! The service trait, its HTTP routes, gRPC glue and both clients are generated too.

/// The generated messages and tonic stubs.
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
pub mod pb {
    kratos::include_proto!("streaming.v1");
}
