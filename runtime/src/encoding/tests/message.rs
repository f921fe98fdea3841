use prost::Message;

use super::fixtures::{Inner, Person, everything};
use crate::encoding::{Format, HttpMessage, JsonOptions, encode_proto_field};

#[test]
fn http_message_dispatches_by_format() {
    let json = JsonOptions::default();
    let mut person = Person::default();
    person
        .decode_body(Format::Json, br#"{"name": "Ann"}"#, &json)
        .expect("JSON");
    let proto = Person {
        age: 3,
        ..Default::default()
    }
    .encode_to_vec();
    person
        .decode_body(Format::Proto, &proto, &json)
        .expect("protobuf");
    person
        .decode_body_field(Format::Json, br#"{"count": 1}"#, "inner", &json)
        .expect("JSON field");
    person
        .decode_body_field(
            Format::Proto,
            &Inner {
                count: 2,
                ..Default::default()
            }
            .encode_to_vec(),
            "inner",
            &json,
        )
        .expect("protobuf field");
    assert_eq!((person.name.as_str(), person.age), ("Ann", 3));
    assert_eq!(
        person.inner,
        Some(Inner {
            display_name: String::new(),
            count: 2
        })
    );

    for result in [
        person.decode_body(Format::Form, b"a=1", &json),
        person.decode_body_field(Format::Form, b"a=1", "inner", &json),
    ] {
        let error = result.expect_err("form");
        assert_eq!((error.code(), error.reason()), (415, "CODEC"));
    }

    assert_eq!(
        person.encode_reply(Format::Proto, &json).expect("protobuf"),
        person.encode_to_vec()
    );
    let reply = person
        .encode_reply(Format::Json, &json.clone().emit_unpopulated(false))
        .expect("JSON");
    assert_eq!(reply, br#"{"name":"Ann","age":3,"inner":{"count":2}}"#);
    assert_eq!(
        person.encode_reply(Format::Form, &json).expect("JSON"),
        person.encode_reply(Format::Json, &json).expect("JSON")
    );
    assert_eq!(
        person
            .encode_reply_field(Format::Json, "age", &json)
            .expect("JSON"),
        b"3"
    );
    assert_eq!(
        person
            .encode_reply_field(Format::Proto, "inner", &json)
            .expect("protobuf"),
        Inner {
            display_name: String::new(),
            count: 2
        }
        .encode_to_vec()
    );

    let mut unit = ();
    unit.decode_body(Format::Json, br#"{"x": 1}"#, &json)
        .expect("Empty");
    assert_eq!(().encode_reply(Format::Json, &json).expect("JSON"), b"{}");
    assert_eq!(
        ().encode_reply(Format::Proto, &json).expect("protobuf"),
        b""
    );
}

#[test]
fn proto_response_field() {
    let person = Person::default();
    assert_eq!(
        encode_proto_field(&person, "inner").expect("unset message"),
        b""
    );
    for field in ["name", "tags", "counts"] {
        let error = encode_proto_field(&everything(), field).expect_err("not a message");
        assert_eq!((error.code(), error.reason()), (406, "CODEC"), "{field}");
    }
    let error = encode_proto_field(&person, "nope").expect_err("no such field");
    assert_eq!((error.code(), error.reason()), (500, "CODEC"));
}
