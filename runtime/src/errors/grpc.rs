//! The error as a gRPC status carrying a `google.rpc.ErrorInfo` detail,
//! byte-for-byte what Go Kratos sends (`status.WithDetails(&errdetails.ErrorInfo{..})`),
//! so grpc-go clients and Go Kratos' `errors.FromError` read it back.

use std::collections::HashMap;

use tonic_types::{ErrorDetails, StatusExt};

use super::{Error, UNKNOWN_REASON, grpc_to_http, http_to_grpc};

impl Error {
    /// The gRPC code for this error's code, from [`http_to_grpc`].
    pub fn grpc_code(&self) -> tonic::Code {
        http_to_grpc(self.code)
    }

    /// The gRPC status for this error: code from [`http_to_grpc`], the
    /// message, and a `google.rpc.ErrorInfo` detail holding the reason and
    /// metadata (with an empty domain, as Kratos leaves it). The cause is not
    /// sent.
    pub fn to_status(&self) -> tonic::Status {
        status(
            self.grpc_code(),
            self.message.clone(),
            self.reason.clone(),
            self.metadata
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect(),
        )
    }
}

fn status(
    code: tonic::Code,
    message: String,
    reason: String,
    metadata: HashMap<String, String>,
) -> tonic::Status {
    let details = ErrorDetails::with_error_info(reason, "", metadata);
    tonic::Status::with_error_details(code, message, details)
}

/// See [`Error::to_status`]; this one moves the strings instead of copying them.
impl From<Error> for tonic::Status {
    fn from(err: Error) -> Self {
        status(
            err.grpc_code(),
            err.message,
            err.reason,
            err.metadata.into_iter().collect(),
        )
    }
}

/// See [`from_error`](super::from_error) on a status.
impl From<tonic::Status> for Error {
    fn from(status: tonic::Status) -> Self {
        from_status(&status)
    }
}

/// The reason in the status' `ErrorInfo` detail, if it has one.
pub(super) fn reason(status: &tonic::Status) -> Option<String> {
    status.get_details_error_info().map(|info| info.reason)
}

pub(super) fn from_status(status: &tonic::Status) -> Error {
    let code = grpc_to_http(status.code());
    match status.get_details_error_info() {
        Some(info) => Error {
            metadata: info.metadata.into_iter().collect(),
            ..Error::new(code, info.reason, status.message())
        },
        None => Error::new(code, UNKNOWN_REASON, status.message()),
    }
}
