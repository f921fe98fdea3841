//! `kratos::errors` through its public API only, including the wire formats a
//! Go Kratos peer produces and expects.

use std::collections::{BTreeMap, HashMap};
use std::error::Error as StdError;
use std::fmt;

use kratos::errors::{self, Error, IntoMessage};
use prost::Message as _;
use tonic::Code;
use tonic_types::pb;

const ERROR_INFO_URL: &str = "type.googleapis.com/google.rpc.ErrorInfo";

/// An application error that wraps a kratos error as its source, as a
/// repository layer might.
#[derive(Debug)]
struct LoadUser {
    source: Error,
}

impl fmt::Display for LoadUser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("loading user failed")
    }
}

impl StdError for LoadUser {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.source)
    }
}

/// Wraps anything, to put a `tonic::Status` one level down a chain.
#[derive(Debug)]
struct Context(Box<dyn StdError + Send + Sync>);

impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("calling the user service")
    }
}

impl StdError for Context {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&*self.0)
    }
}

/// What generated code for a `USER_NOT_FOUND` enum value looks like.
fn error_user_not_found(message: impl IntoMessage) -> Error {
    Error::new(404, "USER_NOT_FOUND", message)
}

fn is_user_not_found(err: &(dyn StdError + 'static)) -> bool {
    errors::matches(err, 404, "USER_NOT_FOUND")
}

/// A status exactly as grpc-go's `status.New(codes.NotFound, ..).WithDetails(&errdetails.ErrorInfo{..})`
/// encodes it, assembled from the protobuf messages rather than tonic-types' helpers.
fn go_status(code: Code, message: &str, reason: &str, metadata: &[(&str, &str)]) -> tonic::Status {
    let info = pb::ErrorInfo {
        reason: reason.to_owned(),
        domain: String::new(),
        metadata: metadata
            .iter()
            .map(|&(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
    };
    let rpc = pb::Status {
        code: code as i32,
        message: message.to_owned(),
        details: vec![prost_types::Any {
            type_url: ERROR_INFO_URL.to_owned(),
            value: info.encode_to_vec(),
        }],
    };
    tonic::Status::with_details(code, message, rpc.encode_to_vec().into())
}

#[test]
fn constructors_set_code_reason_and_message() {
    type Make = fn(String, &str) -> Error;
    type Is = fn(&(dyn StdError + 'static)) -> bool;
    let cases: [(Make, i32, Is); 10] = [
        (
            |r, m| errors::bad_request(r, m),
            400,
            errors::is_bad_request,
        ),
        (
            |r, m| errors::unauthorized(r, m),
            401,
            errors::is_unauthorized,
        ),
        (|r, m| errors::forbidden(r, m), 403, errors::is_forbidden),
        (|r, m| errors::not_found(r, m), 404, errors::is_not_found),
        (|r, m| errors::conflict(r, m), 409, errors::is_conflict),
        (
            |r, m| errors::too_many_requests(r, m),
            429,
            errors::is_too_many_requests,
        ),
        (
            |r, m| errors::client_closed(r, m),
            499,
            errors::is_client_closed,
        ),
        (
            |r, m| errors::internal_server(r, m),
            500,
            errors::is_internal_server,
        ),
        (
            |r, m| errors::service_unavailable(r, m),
            503,
            errors::is_service_unavailable,
        ),
        (
            |r, m| errors::gateway_timeout(r, m),
            504,
            errors::is_gateway_timeout,
        ),
    ];
    for (make, code, is) in cases {
        let err = make(format!("REASON_{code}"), "text");
        assert_eq!(err.code(), code);
        assert_eq!(err.reason(), format!("REASON_{code}"));
        assert_eq!(err.message(), "text");
        assert!(err.metadata().is_empty());
        assert!(err.cause().is_none());
        assert!(is(&err), "{code}");
        // The predicates look at the code only, and through wrappers.
        assert!(
            is(&LoadUser {
                source: Error::new(code, "ANY", "")
            }),
            "{code}"
        );
        assert!(
            !is(&Error::new(418, format!("REASON_{code}"), "")),
            "{code}"
        );
    }
    assert_eq!(errors::CLIENT_CLOSED, 499);
    assert_eq!(errors::UNKNOWN_CODE, 500);
    assert_eq!(errors::UNKNOWN_REASON, "");
}

#[test]
fn generated_style_constructors_take_any_message() {
    let id = 42;
    assert_eq!(error_user_not_found("plain").message(), "plain");
    assert_eq!(
        error_user_not_found(format!("user {id}")).message(),
        "user 42"
    );
    assert_eq!(
        error_user_not_found(format_args!("user {id} is gone")).message(),
        "user 42 is gone"
    );
}

#[test]
fn display_is_one_kratos_style_line_without_the_cause() {
    // std's guidance: the cause is `source()`'s to report, so a reporter walking the chain
    // prints it once, not twice.
    let err = error_user_not_found("user 42 is gone")
        .with_metadata([("id", "42")])
        .with_cause(std::io::Error::other("row missing"));
    assert_eq!(
        err.to_string(),
        r#"error: code = 404 reason = USER_NOT_FOUND message = user 42 is gone metadata = {"id": "42"}"#
    );
    let mut chain = vec![err.to_string()];
    let mut source = err.source();
    while let Some(cause) = source {
        chain.push(cause.to_string());
        source = cause.source();
    }
    assert_eq!(
        chain
            .iter()
            .filter(|line| line.contains("row missing"))
            .count(),
        1
    );
}

#[test]
fn cause_is_the_source() {
    let err = errors::internal_server("DB", "query failed").with_cause(std::io::Error::new(
        std::io::ErrorKind::TimedOut,
        "timed out",
    ));
    let source = err.source().expect("a source");
    assert_eq!(source.to_string(), "timed out");
    let io = source
        .downcast_ref::<std::io::Error>()
        .expect("the original io::Error");
    assert_eq!(io.kind(), std::io::ErrorKind::TimedOut);
    assert_eq!(
        err.cause().map(ToString::to_string).as_deref(),
        Some("timed out")
    );
    // A kratos error can be a cause too, and the chain stays walkable.
    let outer = errors::service_unavailable("UPSTREAM", "down").with_cause(err.clone());
    let inner = outer
        .source()
        .and_then(|s| s.downcast_ref::<Error>())
        .expect("kratos cause");
    assert!(inner.is(&err));
    assert_eq!(inner.message(), err.message());
}

#[test]
fn matching_ignores_message_metadata_and_cause() {
    let a = error_user_not_found("a");
    let b = error_user_not_found("b")
        .with_metadata([("k", "v")])
        .with_cause(std::io::Error::other("x"));
    assert!(a.is(&b) && b.is(&a));
    assert!(errors::matches(&b, a.code(), a.reason()));
    assert!(!a.is(&Error::new(400, "USER_NOT_FOUND", "a")));
    assert!(!a.is(&Error::new(404, "USER_DISABLED", "a")));
    assert!(!a.is(&Error::new(404, "", "a")));
}

#[test]
fn json_body_is_exactly_kratos() {
    let err = error_user_not_found("user \"42\" is gone").with_metadata(BTreeMap::from([
        ("b".to_owned(), "2".to_owned()),
        ("a".to_owned(), "1".to_owned()),
    ]));
    assert_eq!(
        err.to_json(),
        br#"{"code":404,"reason":"USER_NOT_FOUND","message":"user \"42\" is gone","metadata":{"a":"1","b":"2"}}"#
    );
    assert_eq!(
        errors::bad_request("", "").to_json(),
        br#"{"code":400,"reason":"","message":"","metadata":{}}"#
    );
    assert_eq!(err.http_status(), 404);
    assert_eq!(Error::new(0, "", "").http_status(), 500);
    assert_eq!(Error::new(99, "", "").http_status(), 500);
    assert_eq!(Error::new(100, "", "").http_status(), 100);
    assert_eq!(Error::new(599, "", "").http_status(), 599);
    assert_eq!(Error::new(600, "", "").http_status(), 500);
}

#[test]
fn json_body_decodes_with_missing_fields() {
    let err = Error::from_json(
        br#"{"code":429,"reason":"RATELIMIT","message":"slow down","metadata":{"retry":"1s"}}"#,
    )
    .expect("valid body");
    assert_eq!(err.code(), 429);
    assert_eq!(err.reason(), "RATELIMIT");
    assert_eq!(err.message(), "slow down");
    assert_eq!(err.metadata().get("retry").map(String::as_str), Some("1s"));

    let empty = Error::from_json(b"{}").expect("empty object");
    assert_eq!((empty.code(), empty.reason(), empty.message()), (0, "", ""));
    assert!(empty.metadata().is_empty());

    let no_metadata = Error::from_json(br#"{"code":404,"message":"m"}"#).expect("partial");
    assert_eq!((no_metadata.code(), no_metadata.reason()), (404, ""));
    assert!(no_metadata.metadata().is_empty());

    for garbage in [
        &b""[..],
        b"<html>502 Bad Gateway</html>",
        b"[1,2]",
        b"\"text\"",
        b"null",
        br#"{"code":"404"}"#,
        br#"{"metadata":{"k":1}}"#,
        br#"{"code":404"#,
    ] {
        assert!(
            Error::from_json(garbage).is_err(),
            "{}",
            String::from_utf8_lossy(garbage)
        );
    }
}

#[test]
fn http_to_grpc_table() {
    let table = [
        (200, Code::Ok),
        (400, Code::InvalidArgument),
        (401, Code::Unauthenticated),
        (403, Code::PermissionDenied),
        (404, Code::NotFound),
        (409, Code::Aborted),
        (429, Code::ResourceExhausted),
        (499, Code::Cancelled),
        (500, Code::Internal),
        (501, Code::Unimplemented),
        (503, Code::Unavailable),
        (504, Code::DeadlineExceeded),
    ];
    for (http, grpc) in table {
        assert_eq!(errors::http_to_grpc(http), grpc, "{http}");
        assert_eq!(Error::new(http, "", "").grpc_code(), grpc, "{http}");
    }
    for unmapped in [0, -1, 201, 302, 402, 405, 412, 418, 422, 502, 505, 999] {
        assert_eq!(errors::http_to_grpc(unmapped), Code::Unknown, "{unmapped}");
    }
}

#[test]
fn grpc_to_http_table() {
    let table = [
        (Code::Ok, 200),
        (Code::Cancelled, 499),
        (Code::Unknown, 500),
        (Code::InvalidArgument, 400),
        (Code::DeadlineExceeded, 504),
        (Code::NotFound, 404),
        (Code::AlreadyExists, 409),
        (Code::PermissionDenied, 403),
        (Code::ResourceExhausted, 429),
        (Code::FailedPrecondition, 400),
        (Code::Aborted, 409),
        (Code::OutOfRange, 400),
        (Code::Unimplemented, 501),
        (Code::Internal, 500),
        (Code::Unavailable, 503),
        (Code::DataLoss, 500),
        (Code::Unauthenticated, 401),
    ];
    // Every gRPC code is listed once.
    assert_eq!(table.len(), 17);
    for (grpc, http) in table {
        assert_eq!(errors::grpc_to_http(grpc), http, "{grpc:?}");
    }
}

#[test]
fn status_round_trip_keeps_code_reason_message_metadata() {
    let err =
        error_user_not_found("user 42 is gone").with_metadata([("id", "42"), ("tenant", "t1")]);
    for status in [err.to_status(), tonic::Status::from(err.clone())] {
        assert_eq!(status.code(), Code::NotFound);
        assert_eq!(status.message(), "user 42 is gone");
        let back = Error::from(status);
        assert_eq!(back.code(), 404);
        assert_eq!(back.reason(), "USER_NOT_FOUND");
        assert_eq!(back.message(), "user 42 is gone");
        assert_eq!(back.metadata(), err.metadata());
    }
    // 499 goes out as Cancelled and comes back as 499.
    let closed = Error::from(errors::client_closed("GONE", "bye").to_status());
    assert_eq!((closed.code(), closed.reason()), (499, "GONE"));
}

#[test]
fn status_details_are_what_grpc_go_reads() {
    let err = errors::forbidden("NO_ACCESS", "denied").with_metadata([("role", "guest")]);
    let status = err.to_status();
    let rpc = pb::Status::decode(status.details()).expect("google.rpc.Status details");
    assert_eq!(rpc.code, Code::PermissionDenied as i32);
    assert_eq!(rpc.message, "denied");
    assert_eq!(rpc.details.len(), 1);
    assert_eq!(rpc.details[0].type_url, ERROR_INFO_URL);
    let info = pb::ErrorInfo::decode(rpc.details[0].value.as_slice()).expect("ErrorInfo");
    assert_eq!(info.reason, "NO_ACCESS");
    assert_eq!(info.domain, "");
    assert_eq!(
        info.metadata,
        HashMap::from([("role".to_owned(), "guest".to_owned())])
    );
}

#[test]
fn a_status_from_go_is_recognised() {
    let status = go_status(
        Code::NotFound,
        "no such user",
        "USER_NOT_FOUND",
        &[("id", "7")],
    );
    assert!(is_user_not_found(&status));
    assert!(errors::is_not_found(&status));
    assert_eq!(errors::code(&status), 404);
    assert_eq!(errors::reason(&status), "USER_NOT_FOUND");
    let err = errors::from_error(&status);
    assert_eq!(err.code(), 404);
    assert_eq!(err.reason(), "USER_NOT_FOUND");
    assert_eq!(err.message(), "no such user");
    assert_eq!(err.metadata().get("id").map(String::as_str), Some("7"));

    // FailedPrecondition has no HTTP twin of its own: Kratos reads it as 400.
    let precondition = go_status(Code::FailedPrecondition, "m", "STATE", &[]);
    assert!(errors::matches(&precondition, 400, "STATE"));
}

#[test]
fn a_status_without_error_info_has_an_empty_reason() {
    let status = tonic::Status::new(Code::Unavailable, "backend down");
    let err = Error::from(status.clone());
    assert_eq!(
        (err.code(), err.reason(), err.message()),
        (503, "", "backend down")
    );
    assert!(err.metadata().is_empty());
    assert!(errors::matches(&status, 503, ""));
    assert!(!errors::matches(&status, 503, "BACKEND_DOWN"));
    assert_eq!(errors::reason(&status), "");
}

#[test]
fn matches_a_kratos_error_directly() {
    let err = error_user_not_found("gone");
    assert!(is_user_not_found(&err));
    assert!(errors::matches(&err, 404, "USER_NOT_FOUND"));
    // Same reason with another code, same code with another reason.
    assert!(!errors::matches(&err, 400, "USER_NOT_FOUND"));
    assert!(!errors::matches(&err, 404, "USER_DISABLED"));
    assert!(!errors::matches(&err, 404, ""));
    assert!(!is_user_not_found(&Error::new(500, "USER_NOT_FOUND", "")));
}

#[test]
fn matches_through_a_wrapping_error() {
    let wrapped = LoadUser {
        source: error_user_not_found("gone").with_metadata([("id", "1")]),
    };
    assert!(is_user_not_found(&wrapped));
    assert!(!errors::matches(&wrapped, 409, "USER_NOT_FOUND"));
    assert_eq!(errors::code(&wrapped), 404);
    assert_eq!(errors::reason(&wrapped), "USER_NOT_FOUND");
    let err = errors::from_error(&wrapped);
    assert_eq!(err.message(), "gone");
    assert_eq!(err.metadata().get("id").map(String::as_str), Some("1"));

    // A status further down a chain is found too.
    let status = go_status(Code::NotFound, "m", "USER_NOT_FOUND", &[]);
    let outer = Context(Box::new(status));
    assert!(is_user_not_found(&outer));
    assert_eq!(errors::from_error(&outer).message(), "m");
}

#[test]
fn matches_a_tonic_status() {
    let status = error_user_not_found("gone").to_status();
    assert!(is_user_not_found(&status));
    assert!(!errors::matches(&status, 500, "USER_NOT_FOUND"));
    assert!(!errors::matches(&status, 404, "OTHER"));
    // The same reason under a gRPC code that maps elsewhere does not match.
    let conflict = go_status(Code::AlreadyExists, "m", "USER_NOT_FOUND", &[]);
    assert!(!is_user_not_found(&conflict));
    assert!(errors::is_conflict(&conflict));
}

#[test]
fn any_other_error_is_500_with_its_text() {
    let io = std::io::Error::new(
        std::io::ErrorKind::ConnectionReset,
        "connection reset by peer",
    );
    let err = errors::from_error(&io);
    assert_eq!(err.code(), 500);
    assert_eq!(err.reason(), "");
    assert_eq!(err.message(), "connection reset by peer");
    assert!(err.metadata().is_empty());
    assert_eq!(errors::code(&io), errors::UNKNOWN_CODE);
    assert_eq!(errors::reason(&io), errors::UNKNOWN_REASON);
    assert!(errors::is_internal_server(&io));
    assert!(!is_user_not_found(&io));
    assert!(errors::matches(&io, 500, ""));
    // Through a wrapper, the message is the outermost error's text.
    let outer = Context(Box::new(io));
    assert_eq!(
        errors::from_error(&outer).message(),
        "calling the user service"
    );
}

#[test]
fn from_boxed_moves_a_kratos_error_and_converts_the_rest() {
    let boxed: Box<dyn StdError + Send + Sync> =
        Box::new(error_user_not_found("gone").with_metadata([("id", "9")]));
    let err = Error::from_boxed(boxed);
    assert_eq!(
        (err.code(), err.reason(), err.message()),
        (404, "USER_NOT_FOUND", "gone")
    );
    assert_eq!(err.metadata().get("id").map(String::as_str), Some("9"));

    let status: Box<dyn StdError + Send + Sync> =
        Box::new(go_status(Code::Unauthenticated, "who?", "NO_TOKEN", &[]));
    let err = Error::from_boxed(status);
    assert_eq!((err.code(), err.reason()), (401, "NO_TOKEN"));

    let err = Error::from_boxed("plain text".into());
    assert_eq!(
        (err.code(), err.reason(), err.message()),
        (500, "", "plain text")
    );
}
