//! The buf-generated error helpers, exercised.

use kratos_buf_e2e::{errcases::v1 as cases, helloworld::v1 as hello};

#[test]
fn helloworld_error_reason() {
    let err = hello::error_user_not_found(format!("user {} not found", 42));
    assert_eq!(err.code(), 404);
    assert_eq!(err.reason(), "USER_NOT_FOUND");
    assert_eq!(err.message(), "user 42 not found");
    assert!(hello::is_user_not_found(&err));
    assert!(!hello::is_greeter_unspecified(&err));
    assert_eq!(hello::error_greeter_unspecified("x").code(), 500);
    // prost's enum is still there beside the helpers.
    assert_eq!(hello::ErrorReason::UserNotFound.as_str_name(), "USER_NOT_FOUND");
}

#[test]
fn round_trip_through_a_grpc_status() {
    let err = hello::error_user_not_found("gone").with_metadata([("id", "42")]);
    let status: tonic::Status = err.into();
    assert_eq!(status.code(), tonic::Code::NotFound);
    assert!(hello::is_user_not_found(&status));
    let back = kratos::errors::Error::from(status);
    assert_eq!(back.reason(), "USER_NOT_FOUND");
    assert_eq!(back.metadata().get("id").map(String::as_str), Some("42"));
}

#[test]
fn every_case() {
    assert_eq!(cases::error_account_locked("x").code(), 403);
    assert_eq!(cases::error_account_gone("x").reason(), "Account_Gone");
    assert_eq!(cases::error_payment_declined(format_args!("{}", 1)).code(), 402);
    assert!(cases::is_out_of_stock(&cases::error_out_of_stock("none left")));
}
