//! What the public-API tests in runtime/tests/errors.rs do not reach:
//! message conversions, status fallback, Debug, metadata order, shared causes.

use std::error::Error as StdError;

use super::*;

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
fn http_status_falls_back_to_500() {
    assert_eq!(Error::new(404, "", "").http_status(), 404);
    assert_eq!(Error::new(700, "", "").http_status(), 500);
    assert_eq!(Error::new(-1, "", "").http_status(), 500);
}

#[test]
fn display_without_cause_and_debug() {
    let err = Error::new(400, "BAD", "no").with_metadata([("k", "v")]);
    assert_eq!(
        err.to_string(),
        r#"error: code = 400 reason = BAD message = no metadata = {"k": "v"}"#
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

#[test]
fn unimplemented_is_501_and_grpc_unimplemented_naming_the_method() {
    let err = unimplemented("CreateShop");
    assert_eq!(
        (err.code(), err.reason(), err.message()),
        (
            501,
            reasons::UNIMPLEMENTED,
            "method CreateShop not implemented"
        )
    );
    assert!(is_not_implemented(&err));
    assert_eq!(err.grpc_code(), tonic::Code::Unimplemented);
}
