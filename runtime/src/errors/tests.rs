use std::error::Error as StdError;
use std::fmt;

use super::*;

#[derive(Debug)]
struct Wrapper(Error);

impl fmt::Display for Wrapper {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("while loading the user")
    }
}

impl StdError for Wrapper {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        Some(&self.0)
    }
}

#[test]
fn constructors_and_accessors() {
    let err = Error::new(404, "USER_NOT_FOUND", "no user 42").with_metadata([("id", "42")]);
    assert_eq!(err.code(), 404);
    assert_eq!(err.reason(), "USER_NOT_FOUND");
    assert_eq!(err.message(), "no user 42");
    assert_eq!(err.metadata().get("id").map(String::as_str), Some("42"));
    assert!(err.cause().is_none());
    for (err, code) in [
        (bad_request("R", "m"), 400),
        (unauthorized("R", "m"), 401),
        (forbidden("R", "m"), 403),
        (not_found("R", "m"), 404),
        (conflict("R", "m"), 409),
        (too_many_requests("R", "m"), 429),
        (client_closed("R", "m"), 499),
        (internal_server("R", "m"), 500),
        (service_unavailable("R", "m"), 503),
        (gateway_timeout("R", "m"), 504),
    ] {
        assert_eq!(err.code(), code);
        assert_eq!(err.reason(), "R");
    }
    assert!(is_not_found(&not_found("X", "m")));
    assert!(!is_not_found(&conflict("X", "m")));
}

#[test]
fn messages_from_str_string_and_format_args() {
    let id = 7;
    assert_eq!(Error::new(400, "R", "text").message(), "text");
    assert_eq!(
        Error::new(400, "R", String::from("owned")).message(),
        "owned"
    );
    assert_eq!(
        Error::new(400, "R", format_args!("user {id}")).message(),
        "user 7"
    );
    assert_eq!(
        Error::new(400, "R", std::borrow::Cow::Borrowed("cow")).message(),
        "cow"
    );
    assert_eq!(
        Error::new(400, "R", format_args!("literal")).message(),
        "literal"
    );
    assert_eq!(
        Error::new(400, "R", Box::<str>::from("boxed")).message(),
        "boxed"
    );
    let shared = String::from("by ref");
    assert_eq!(Error::new(400, "R", &shared).message(), "by ref");
}

#[test]
fn display_reads_like_kratos() {
    let err = Error::new(404, "USER_NOT_FOUND", "gone").with_cause(std::io::Error::other("disk"));
    assert_eq!(
        err.to_string(),
        "error: code = 404 reason = USER_NOT_FOUND message = gone metadata = {} cause = disk"
    );
    assert_eq!(
        err.source().map(ToString::to_string).as_deref(),
        Some("disk")
    );
}

#[test]
fn equality_is_code_and_reason() {
    let a = Error::new(404, "USER_NOT_FOUND", "a");
    let b = Error::new(404, "USER_NOT_FOUND", "b").with_metadata([("k", "v")]);
    assert_eq!(a, b);
    assert!(a.is(&b));
    assert_ne!(a, Error::new(400, "USER_NOT_FOUND", "a"));
    assert_ne!(a, Error::new(404, "OTHER", "a"));
}

#[test]
fn json_body_both_ways() {
    let err = Error::new(404, "USER_NOT_FOUND", "gone \"quoted\"")
        .with_metadata([("b", "2"), ("a", "1")]);
    assert_eq!(
        String::from_utf8(err.to_json()).unwrap(),
        r#"{"code":404,"reason":"USER_NOT_FOUND","message":"gone \"quoted\"","metadata":{"a":"1","b":"2"}}"#
    );
    let back = Error::from_json(&err.to_json()).unwrap();
    assert_eq!(back, err);
    assert_eq!(back.message(), err.message());
    assert_eq!(back.metadata(), err.metadata());
    assert_eq!(
        String::from_utf8(Error::new(500, "", "").to_json()).unwrap(),
        r#"{"code":500,"reason":"","message":"","metadata":{}}"#
    );
    let partial = Error::from_json(br#"{"reason":"X"}"#).unwrap();
    assert_eq!(
        (partial.code(), partial.reason(), partial.message()),
        (0, "X", "")
    );
    assert!(partial.metadata().is_empty());
    let nulls =
        Error::from_json(br#"{"code":503,"reason":null,"message":"m","metadata":null,"extra":1}"#)
            .unwrap();
    assert_eq!(
        (nulls.code(), nulls.reason(), nulls.message()),
        (503, "", "m")
    );
    assert!(nulls.metadata().is_empty());
    assert!(Error::from_json(b"not json").is_err());
    assert!(Error::from_json(b"[]").is_err());
    assert!(Error::from_json(br#"{"code":"x"}"#).is_err());
}

#[test]
fn http_status_falls_back_to_500() {
    assert_eq!(Error::new(404, "", "").http_status(), 404);
    assert_eq!(Error::new(700, "", "").http_status(), 500);
    assert_eq!(Error::new(-1, "", "").http_status(), 500);
}

#[test]
fn code_tables_match_kratos_v2() {
    use tonic::Code;
    let to_grpc = [
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
        (418, Code::Unknown),
        (412, Code::Unknown),
    ];
    for (http, grpc) in to_grpc {
        assert_eq!(http_to_grpc(http), grpc, "{http}");
    }
    let to_http = [
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
    for (grpc, http) in to_http {
        assert_eq!(grpc_to_http(grpc), http, "{grpc:?}");
    }
}

#[test]
fn status_round_trip_keeps_everything() {
    let err = Error::new(404, "USER_NOT_FOUND", "gone").with_metadata([("id", "42")]);
    let status = err.to_status();
    assert_eq!(status.code(), tonic::Code::NotFound);
    assert_eq!(status.message(), "gone");
    let back = Error::from(status);
    assert_eq!(back.code(), 404);
    assert_eq!(back.reason(), "USER_NOT_FOUND");
    assert_eq!(back.message(), "gone");
    assert_eq!(back.metadata(), err.metadata());
}

#[test]
fn a_status_built_the_go_way_is_understood() {
    use tonic_types::{ErrorDetails, StatusExt};
    let details =
        ErrorDetails::with_error_info("USER_NOT_FOUND", "", [("id".to_owned(), "1".to_owned())]);
    let status = tonic::Status::with_error_details(tonic::Code::NotFound, "nope", details);
    assert!(matches(&status, 404, "USER_NOT_FOUND"));
    assert!(!matches(&status, 500, "USER_NOT_FOUND"));
    let plain = tonic::Status::new(tonic::Code::Unavailable, "down");
    let err = Error::from_error(&plain);
    assert_eq!((err.code(), err.reason(), err.message()), (503, "", "down"));
}

#[test]
fn matching_looks_through_wrappers() {
    let err = Error::new(404, "USER_NOT_FOUND", "gone");
    assert!(matches(&err, 404, "USER_NOT_FOUND"));
    assert!(!matches(&err, 404, "OTHER"));
    assert!(!matches(&err, 400, "USER_NOT_FOUND"));
    let wrapped = Wrapper(err.clone());
    assert!(matches(&wrapped, 404, "USER_NOT_FOUND"));
    assert_eq!(Error::from_error(&wrapped), err);
    assert_eq!(code(&wrapped), 404);
    assert_eq!(reason(&wrapped), "USER_NOT_FOUND");
    let boxed: Box<dyn StdError + Send + Sync> = Box::new(err);
    assert_eq!(Error::from_boxed(boxed).message(), "gone");
}

#[test]
fn any_other_error_is_500_without_reason() {
    let io = std::io::Error::other("connection reset");
    let err = Error::from_error(&io);
    assert_eq!(
        (err.code(), err.reason(), err.message()),
        (500, "", "connection reset")
    );
    assert!(!matches(&io, 404, "USER_NOT_FOUND"));
}

#[test]
fn display_without_cause_and_debug() {
    let err = Error::new(400, "BAD", "no").with_metadata([("k", "v")]);
    assert_eq!(
        err.to_string(),
        r#"error: code = 400 reason = BAD message = no metadata = {"k": "v"} cause = <nil>"#
    );
    assert!(format!("{err:?}").contains("BAD"));
    assert!(err.source().is_none());
}

#[test]
fn with_metadata_replaces_and_sorts() {
    let err = Error::new(400, "R", "m")
        .with_metadata([("old", "1")])
        .with_metadata([("z", "1"), ("a", "2")]);
    let keys: Vec<&str> = err.metadata().keys().map(String::as_str).collect();
    assert_eq!(keys, ["a", "z"]);
}

#[test]
fn clones_share_the_cause() {
    let err = Error::new(500, "R", "m").with_cause(std::io::Error::other("root"));
    let copy = err.clone();
    let (a, b) = (err.cause().unwrap(), copy.cause().unwrap());
    assert!(std::ptr::addr_eq(a, b));
}

#[test]
fn is_send_sync_and_static() {
    fn check<T: Send + Sync + 'static>() {}
    check::<Error>();
    let boxed: Box<dyn StdError + Send + Sync> = Box::new(Error::new(400, "R", "m"));
    assert_eq!(code(&*boxed), 400);
}
