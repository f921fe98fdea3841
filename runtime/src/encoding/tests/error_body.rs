use prost::Message;

use crate::encoding::error_body::Status;
use crate::encoding::{Format, encode_error};
use crate::errors::Error;

#[test]
fn json_error_body_is_kratos_json() {
    let error = Error::new(404, "USER_NOT_FOUND", "user 42 not found");
    for format in [Format::Json, Format::Form] {
        let (content_type, body) = encode_error(&error, format);
        assert_eq!(content_type, "application/json");
        assert_eq!(body, error.to_json());
    }
}

#[test]
fn proto_error_body_is_errors_status() {
    let error =
        Error::new(404, "USER_NOT_FOUND", "user 42 not found").with_metadata([("id", "42")]);
    let (content_type, body) = encode_error(&error, Format::Proto);
    assert_eq!(content_type, "application/proto");
    let status = Status::decode(body.as_slice()).expect("a Status");
    assert_eq!(status.code, 404);
    assert_eq!(status.reason, "USER_NOT_FOUND");
    assert_eq!(status.message, "user 42 not found");
    assert_eq!(status.metadata.get("id").map(String::as_str), Some("42"));
    // Field numbers as in Kratos' errors.proto: code = 1 (varint), reason = 2, message = 3.
    assert_eq!(&body[..3], &[0x08, 0x94, 0x03]);
    assert_eq!(body[3], 2 << 3 | 2);
}
