#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

#[doc(hidden)]
pub mod __codegen;
pub mod app;
pub mod balancer;
pub mod config;
pub mod encoding;
pub mod errors;
pub mod middleware;
pub mod registry;
pub mod transport;

/// The Kratos error every handler, client and middleware returns (see [`errors`]).
pub use errors::Error;
// Re-exported so generated code and services name one `http` version.
pub use http;

/// Includes the code generated for one protobuf package by `kratos-build`
/// (prost messages plus the kratos-rs generators' output) from `OUT_DIR`.
///
/// ```ignore
/// pub mod helloworld {
///     kratos::include_proto!("helloworld.v1");
/// }
/// ```
#[macro_export]
macro_rules! include_proto {
    ($package:tt) => {
        include!(concat!(env!("OUT_DIR"), "/", $package, ".rs"));
    };
}
