//! The proto3 JSON codec, on top of prost-reflect's serde support.

mod decode;
mod describe;
mod empty_any;
mod encode;
pub(crate) mod field_body;
mod floats;
mod number;
mod options;
mod unknown;

pub use decode::{decode_json, decode_json_field};
pub use encode::{encode_json, encode_json_field};
pub(crate) use number::ProtoJsonFormatter;
pub use options::JsonOptions;
