//! The streaming test API, generated from `proto/streaming/v1/streaming.proto` by `build.rs`.
//! Its streaming methods are served by the hand-written glue of the tests.

/// The generated messages and tonic stubs.
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
pub mod pb {
    kratos::include_proto!("streaming.v1");
}
