#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod comments;
mod error;
mod format;
mod naming;
mod output;
mod output_options;
mod parameters;
mod plugin;
mod request;
mod response;
mod source_info;
mod types;

pub use comments::{Comments, FileComments};
pub use error::{GenerationError, Location};
pub use format::{RustFileWriter, format_rust_file};
pub use naming::{rust_field_ident, rust_type_ident, to_snake_case};
pub use output::{OutputLayout, package_file_stem};
pub use output_options::OutputOptions;
pub use parameters::{Parameter, Parameters};
pub use plugin::run_plugin;
pub use request::{PluginRequest, RequestError};
pub use response::{GeneratedFile, PluginResponse};
pub use types::RustTypes;
#[cfg(feature = "protoc")]
pub mod golden;
#[cfg(feature = "protoc")]
pub mod protoc;
