//! The API implementations: each turns requests into calls on [`crate::biz`] and is served
//! over HTTP and gRPC. `kratos proto server api/x/v1/x.proto -t src/service` writes a stub
//! here; add it to the two places this file marks.

use kratos::transport::{grpc, http};

pub mod greeter;
// `kratos proto server`: add `pub mod NAME;` here.

/// Registers every service on both servers.
pub fn register(
    http: &mut http::Server,
    grpc: &mut grpc::Server,
) -> Result<(), http::RegisterError> {
    greeter::register(http, grpc)?;
    // `kratos proto server`: add `NAME::register(http, grpc)?;` here.
    Ok(())
}
