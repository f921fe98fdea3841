//! Kratos errors: a code (an HTTP status), a machine-readable reason, a
//! message for humans, metadata, and an optional cause.
//!
//! The same error crosses both transports unchanged: over HTTP as the body
//! `{"code":404,"reason":"USER_NOT_FOUND","message":"...","metadata":{}}`
//! with the status set to the code, over gRPC as a status whose code comes
//! from Kratos' table and whose details carry a `google.rpc.ErrorInfo` with
//! the reason and metadata. Two errors *match* ([`Error::is`], [`matches()`]) when code
//! and reason agree; the runtime's own reasons are in [`reasons`].
//!
//! ```
//! use kratos::errors::{self, Error};
//!
//! let err = errors::not_found("USER_NOT_FOUND", format_args!("user {} not found", 42))
//!     .with_metadata([("id", "42")]);
//! assert_eq!(err.code(), 404);
//! assert_eq!(err.to_json(), br#"{"code":404,"reason":"USER_NOT_FOUND","message":"user 42 not found","metadata":{"id":"42"}}"#);
//!
//! let status: tonic::Status = err.clone().into();
//! assert_eq!(status.code(), tonic::Code::NotFound);
//! assert!(errors::matches(&status, 404, "USER_NOT_FOUND"));
//! assert!(Error::from(status).is(&err));
//! ```

mod bounded;
mod codes;
mod grpc;
mod http;
mod message;
pub mod reasons;

use std::collections::BTreeMap;
use std::error::Error as StdError;
use std::fmt;
use std::sync::Arc;

pub use bounded::MAX_REQUEST_ERROR_MESSAGE;
pub(crate) use bounded::{bounded_message, truncated};
pub use codes::{grpc_to_http, http_to_grpc};
pub use message::IntoMessage;

/// The code of an error that carries none: 500.
pub const UNKNOWN_CODE: i32 = 500;
/// The reason of an error that carries none: empty.
pub const UNKNOWN_REASON: &str = "";
/// The status for a client that went away before the reply (nginx's 499).
pub const CLIENT_CLOSED: i32 = 499;

type Cause = Arc<dyn StdError + Send + Sync + 'static>;

/// A Kratos error: code (an HTTP status), reason, message, metadata and an
/// optional cause.
///
/// Matching is [`Error::is`] (or the free [`matches()`] for any error): **code
/// and reason only**, the way Kratos' `errors.Is` matches, so two
/// `USER_NOT_FOUND` 404s match whatever their messages, metadata or causes.
/// `Error` deliberately has no `PartialEq`: `==` that ignored the message would
/// surprise in `assert_eq!`, and one that compared the cause cannot exist
/// (causes are any `std::error::Error`). Compare the accessors to check more.
///
/// ```compile_fail
/// // `==` does not compile: say what you mean, `is` or the fields.
/// let same = kratos::errors::not_found("A", "a") == kratos::errors::not_found("A", "b");
/// ```
///
/// ```
/// let (a, b) = (kratos::errors::not_found("A", "a"), kratos::errors::not_found("A", "b"));
/// assert!(a.is(&b));
/// assert_ne!(a.message(), b.message());
/// ```
///
/// `Display` writes code, reason, message and metadata but not the cause, which
/// [`source`](StdError::source) returns, as std's guidance asks: a reporter that
/// walks the chain then prints each cause once.
///
/// Cloning is cheap for the cause, which is shared.
#[derive(Clone, Debug)]
pub struct Error {
    code: i32,
    reason: String,
    message: String,
    metadata: BTreeMap<String, String>,
    cause: Option<Cause>,
}

impl Error {
    /// An error with this code (an HTTP status), reason and message.
    pub fn new(code: i32, reason: impl Into<String>, message: impl IntoMessage) -> Self {
        Self {
            code,
            reason: reason.into(),
            message: message.into_message(),
            metadata: BTreeMap::new(),
            cause: None,
        }
    }

    /// The same error with `metadata` replacing its metadata.
    #[must_use]
    pub fn with_metadata<K, V>(mut self, metadata: impl IntoIterator<Item = (K, V)>) -> Self
    where
        K: Into<String>,
        V: Into<String>,
    {
        self.metadata = metadata
            .into_iter()
            .map(|(k, v)| (k.into(), v.into()))
            .collect();
        self
    }

    /// The same error with `cause` as its source.
    #[must_use]
    pub fn with_cause(mut self, cause: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        self.cause = Some(Arc::from(cause.into()));
        self
    }

    /// The code: an HTTP status.
    pub fn code(&self) -> i32 {
        self.code
    }

    /// The reason, such as `USER_NOT_FOUND`.
    pub fn reason(&self) -> &str {
        &self.reason
    }

    /// The message for humans.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The metadata.
    pub fn metadata(&self) -> &BTreeMap<String, String> {
        &self.metadata
    }

    /// The underlying cause, if any.
    pub fn cause(&self) -> Option<&(dyn StdError + Send + Sync + 'static)> {
        self.cause.as_deref()
    }

    /// Whether `other` has the same code and reason (Kratos' `errors.Is`);
    /// message, metadata and cause do not count.
    pub fn is(&self, other: &Error) -> bool {
        self.code == other.code && self.reason == other.reason
    }

    /// The same as the free function [`from_error`].
    pub fn from_error(err: &(dyn StdError + 'static)) -> Self {
        from_error(err)
    }

    /// Like [`from_error`], but takes the box so that a kratos error in it is
    /// moved out rather than cloned.
    pub fn from_boxed(err: Box<dyn StdError + Send + Sync>) -> Self {
        match err.downcast::<Error>() {
            Ok(kratos) => *kratos,
            Err(other) => from_error(&*other),
        }
    }
}

/// What [`from_error`] works from: the first kratos error in the chain, else
/// the first gRPC status (Kratos tries `errors.As` before `status.FromError`).
enum Found<'a> {
    Kratos(&'a Error),
    Status(&'a tonic::Status),
    Other,
}

fn find<'a>(err: &'a (dyn StdError + 'static)) -> Found<'a> {
    let mut status = None;
    let mut current = Some(err);
    while let Some(err) = current {
        if let Some(kratos) = err.downcast_ref::<Error>() {
            return Found::Kratos(kratos);
        }
        if status.is_none() {
            status = err.downcast_ref::<tonic::Status>();
        }
        current = err.source();
    }
    status.map_or(Found::Other, Found::Status)
}

/// Whether [`from_error`] of `err` would have this code and reason, found
/// without building that error (generated `is_<reason>` functions call this).
///
/// A plain error with neither a kratos error nor a gRPC status in its chain
/// matches only `(UNKNOWN_CODE, UNKNOWN_REASON)`, as it would convert to that.
pub fn matches(err: &(dyn StdError + 'static), code: i32, reason: &str) -> bool {
    match find(err) {
        Found::Kratos(kratos) => kratos.code == code && kratos.reason == reason,
        Found::Status(status) => {
            grpc_to_http(status.code()) == code
                && grpc::reason(status).as_deref().unwrap_or(UNKNOWN_REASON) == reason
        }
        Found::Other => code == UNKNOWN_CODE && reason == UNKNOWN_REASON,
    }
}

/// The code of any error, as [`from_error`] would give it (Kratos'
/// `errors.Code`).
pub fn code(err: &(dyn StdError + 'static)) -> i32 {
    match find(err) {
        Found::Kratos(kratos) => kratos.code,
        Found::Status(status) => grpc_to_http(status.code()),
        Found::Other => UNKNOWN_CODE,
    }
}

/// The reason of any error, as [`from_error`] would give it (Kratos'
/// `errors.Reason`).
pub fn reason(err: &(dyn StdError + 'static)) -> String {
    match find(err) {
        Found::Kratos(kratos) => kratos.reason.clone(),
        Found::Status(status) => grpc::reason(status).unwrap_or_default(),
        Found::Other => UNKNOWN_REASON.to_owned(),
    }
}

/// Converts any error into a kratos error (Kratos' `errors.FromError`).
///
/// The `source()` chain is searched, starting at `err`: the first kratos
/// [`Error`] in it is cloned; failing that, the first `tonic::Status` gives
/// the code (through [`grpc_to_http`]), the message, and the reason and
/// metadata of its `google.rpc.ErrorInfo` detail (empty without one);
/// anything else becomes code 500 with an empty reason and `err`'s text as
/// the message.
pub fn from_error(err: &(dyn StdError + 'static)) -> Error {
    match find(err) {
        Found::Kratos(kratos) => kratos.clone(),
        Found::Status(status) => grpc::from_status(status),
        Found::Other => Error::new(UNKNOWN_CODE, UNKNOWN_REASON, err.to_string()),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "error: code = {} reason = {} message = {} metadata = {:?}",
            self.code, self.reason, self.message, self.metadata
        )
    }
}

impl StdError for Error {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.cause
            .as_deref()
            .map(|c| c as &(dyn StdError + 'static))
    }
}

macro_rules! status_errors {
    ($($(#[$doc:meta])* $make:ident, $is:ident => $code:expr;)*) => {
        $(
            $(#[$doc])*
            pub fn $make(reason: impl Into<String>, message: impl IntoMessage) -> Error {
                Error::new($code, reason, message)
            }

            #[doc = concat!("Whether [`code`] of `err` is ", stringify!($code), ", whatever the reason.")]
            pub fn $is(err: &(dyn StdError + 'static)) -> bool {
                code(err) == $code
            }
        )*
    };
}

status_errors! {
    /// A 400 Bad Request error.
    bad_request, is_bad_request => 400;
    /// A 401 Unauthorized error.
    unauthorized, is_unauthorized => 401;
    /// A 403 Forbidden error.
    forbidden, is_forbidden => 403;
    /// A 404 Not Found error.
    not_found, is_not_found => 404;
    /// A 409 Conflict error.
    conflict, is_conflict => 409;
    /// A 429 Too Many Requests error.
    too_many_requests, is_too_many_requests => 429;
    /// A 499 Client Closed error.
    client_closed, is_client_closed => 499;
    /// A 500 Internal Server Error.
    internal_server, is_internal_server => 500;
    /// A 501 Not Implemented error (gRPC `UNIMPLEMENTED`); [`unimplemented()`] is the one a
    /// method stub returns.
    not_implemented, is_not_implemented => 501;
    /// A 503 Service Unavailable error.
    service_unavailable, is_service_unavailable => 503;
    /// A 504 Gateway Timeout error.
    gateway_timeout, is_gateway_timeout => 504;
}

/// The error of a method that has no implementation yet: 501 with reason
/// [`reasons::UNIMPLEMENTED`] (gRPC `UNIMPLEMENTED`), its message naming `method`, as
/// Go Kratos' generated stubs answer (`method CreateShop not implemented`). The stubs
/// `kratos proto server` writes return it.
pub fn unimplemented(method: &str) -> Error {
    not_implemented(
        reasons::UNIMPLEMENTED,
        format_args!("method {method} not implemented"),
    )
}

#[cfg(test)]
mod tests;
