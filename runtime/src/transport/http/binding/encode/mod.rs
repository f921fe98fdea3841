//! The client side of binding: what generated client code calls to build a request URL from a
//! message, the inverse of the parsers beside this module.
//!
//! - Path variables: [`push_path_segment`] for single-segment variables (`{name}`, `{name=*}`)
//!   and [`push_path_segments`] for multi-segment ones (`{name=shelves/*}`, `{path=**}`), as
//!   `google/api/http.proto` specifies; [`matches_pattern`] checks a value against a variable's
//!   sub-template first, and [`pattern_mismatch`] is the error when it does not fit.
//! - Query parameters: [`QueryWriter`], with one typed `push_*` helper per field kind, writing
//!   every value in a form that both our server ([`QueryPairs`](super::QueryPairs) and the
//!   `parse_*` functions) and Go's `url.ParseQuery` (Go Kratos, grpc-gateway) read back
//!   unchanged.
//!
//! ```
//! use kratos::transport::http::binding::{self, QueryWriter};
//!
//! let mut url = String::from("/v1/");
//! binding::push_path_segments(&mut url, "shelves/1/books/a b");
//! let mut query = QueryWriter::new();
//! query.push("filter", "title = \"Dune\"");
//! query.push_i64("pageSize", 10);
//! query.append_to(&mut url);
//! assert_eq!(url, "/v1/shelves/1/books/a%20b?filter=title%20%3D%20%22Dune%22&pageSize=10");
//! ```

mod json_text;
mod path;
mod query;
mod text;

#[cfg(test)]
mod tests;

pub use path::{
    INVALID_PATH_VALUE, empty_path_value, matches_pattern, pattern_mismatch, push_path_segment,
    push_path_segments,
};
pub use query::{QueryWriter, is_excluded};
pub use text::{bytes_text, duration_text, timestamp_text};
