//! projectname, a Kratos service on kratos-rs, laid out as Go Kratos' kratos-layout:
//!
//! - [`api`]: the code generated from `api/**/*.proto` by `build.rs`;
//! - [`conf`]: the configuration (`configs/config.yaml`, then `PROJECTNAME_*` variables);
//! - [`server`]: the HTTP and gRPC servers and their middleware;
//! - [`service`]: the API implementations, which turn requests into calls on `biz`;
//! - [`biz`]: the business logic, and the repository traits it needs;
//! - [`data`]: the repositories (storage, other services).

pub mod biz;
pub mod conf;
pub mod data;
pub mod server;
pub mod service;

/// The API generated from `api/**/*.proto` by `build.rs`, one module per proto package.
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
pub mod api {
    /// Proto packages `projectname.*`.
    pub mod projectname {
        /// Proto package `projectname.v1` (`api/projectname/v1/*.proto`).
        pub mod v1 {
            kratos::include_proto!("projectname.v1");
        }
    }
}

/// The encoded `FileDescriptorSet` of every proto, written by kratos-build; the gRPC server's
/// reflection service answers from it.
pub const FILE_DESCRIPTOR_SET: &[u8] =
    include_bytes!(concat!(env!("OUT_DIR"), "/kratos-descriptors.bin"));
