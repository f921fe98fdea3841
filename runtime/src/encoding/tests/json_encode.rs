//! JSON output against the proto3 JSON mapping, every well-known type included.

use std::collections::BTreeMap;

use prost::Message;
use prost_reflect::{DynamicMessage, ReflectMessage, Value};
use prost_types::value::Kind;
use serde_json::json;

use super::fixtures::{Inner, Person, everything};
use crate::encoding::{JsonOptions, decode_json, encode_json, encode_json_field};

fn encode<M: ReflectMessage>(message: &M) -> String {
    let bytes = encode_json(message, &JsonOptions::default()).expect("encodes");
    String::from_utf8(bytes).expect("UTF-8")
}

fn encode_value<M: ReflectMessage>(message: &M, options: &JsonOptions) -> serde_json::Value {
    let bytes = encode_json(message, options).expect("encodes");
    serde_json::from_slice(&bytes).expect("valid JSON")
}

/// `Everything` with the fields of `json` set (decoded by the codec under test).
fn everything_from(json: &serde_json::Value) -> DynamicMessage {
    let mut message = everything();
    decode_json(
        json.to_string().as_bytes(),
        &mut message,
        &JsonOptions::default(),
    )
    .unwrap_or_else(|error| panic!("{json}: {}", error.message()));
    message
}

fn set(message: &mut DynamicMessage, field: &str, value: Value) {
    message.set_field_by_name(field, value);
}

fn dynamic<M: ReflectMessage>(message: &M) -> Value {
    Value::Message(message.transcode_to_dynamic())
}

#[test]
fn timestamp() {
    let timestamp = prost_types::Timestamp {
        seconds: 63_108_020,
        nanos: 21_000_000,
    };
    assert_eq!(encode(&timestamp), r#""1972-01-01T10:00:20.021Z""#);
    let whole = prost_types::Timestamp {
        seconds: 0,
        nanos: 0,
    };
    assert_eq!(encode(&whole), r#""1970-01-01T00:00:00Z""#);
    let micros = prost_types::Timestamp {
        seconds: 0,
        nanos: 1_000,
    };
    assert_eq!(encode(&micros), r#""1970-01-01T00:00:00.000001Z""#);
}

#[test]
fn timestamp_out_of_range_is_500() {
    let timestamp = prost_types::Timestamp {
        seconds: 253_402_300_800,
        nanos: 0,
    };
    let error = encode_json(&timestamp, &JsonOptions::default()).expect_err("year 10000");
    assert_eq!((error.code(), error.reason()), (500, "CODEC"));
}

#[test]
fn duration() {
    let duration = prost_types::Duration {
        seconds: 1,
        nanos: 340_012,
    };
    assert_eq!(encode(&duration), r#""1.000340012s""#);
    assert_eq!(
        encode(&prost_types::Duration {
            seconds: -1,
            nanos: -500_000_000
        }),
        r#""-1.500s""#
    );
    assert_eq!(
        encode(&prost_types::Duration {
            seconds: 3,
            nanos: 0
        }),
        r#""3s""#
    );
}

#[test]
fn field_mask_is_camel_case_joined_by_commas() {
    let mask = prost_types::FieldMask {
        paths: vec!["user.display_name".into(), "photo".into()],
    };
    assert_eq!(encode(&mask), r#""user.displayName,photo""#);
}

#[test]
fn struct_value_list_value_and_null_value() {
    let list = prost_types::ListValue {
        values: vec![
            prost_types::Value {
                kind: Some(Kind::BoolValue(true)),
            },
            prost_types::Value {
                kind: Some(Kind::NullValue(0)),
            },
            prost_types::Value {
                kind: Some(Kind::StringValue("x".into())),
            },
        ],
    };
    let object = prost_types::Struct {
        fields: BTreeMap::from([
            (
                "a".to_owned(),
                prost_types::Value {
                    kind: Some(Kind::NumberValue(1.5)),
                },
            ),
            (
                "b".to_owned(),
                prost_types::Value {
                    kind: Some(Kind::ListValue(list.clone())),
                },
            ),
            (
                "c".to_owned(),
                prost_types::Value {
                    kind: Some(Kind::StructValue(Default::default())),
                },
            ),
        ]),
    };
    assert_eq!(encode(&object), r#"{"a":1.5,"b":[true,null,"x"],"c":{}}"#);
    assert_eq!(encode(&list), r#"[true,null,"x"]"#);
    assert_eq!(
        encode(&prost_types::Value {
            kind: Some(Kind::NullValue(0))
        }),
        "null"
    );
    assert_eq!(
        encode(&prost_types::Value {
            kind: Some(Kind::StringValue("s".into()))
        }),
        r#""s""#
    );

    let mut message = everything();
    set(&mut message, "attrs", dynamic(&object));
    set(
        &mut message,
        "dyn",
        dynamic(&prost_types::Value {
            kind: Some(Kind::NumberValue(2.0)),
        }),
    );
    set(&mut message, "list", dynamic(&list));
    let json = encode_value(&message, &JsonOptions::default());
    assert_eq!(
        json["attrs"],
        json!({"a": 1.5, "b": [true, null, "x"], "c": {}})
    );
    // An integral double is written as protojson writes it: `2`, not `2.0`.
    assert_eq!(json["dyn"], json!(2));
    assert_eq!(json["list"], json!([true, null, "x"]));
    assert_eq!(json["nullValue"], json!(null));
}

#[test]
fn wrappers_are_bare_values() {
    assert_eq!(encode(&5_i64), r#""5""#, "Int64Value as a string");
    assert_eq!(encode(&5_u64), r#""5""#, "UInt64Value as a string");
    assert_eq!(encode(&5_i32), "5");
    assert_eq!(encode(&5_u32), "5");
    assert_eq!(encode(&true), "true");
    assert_eq!(encode(&"hi".to_owned()), r#""hi""#);
    assert_eq!(encode(&1.5_f64), "1.5");
    assert_eq!(encode(&1.5_f32), "1.5");
    assert_eq!(encode(&b"hi!".to_vec()), r#""aGkh""#);

    let json = encode_value(
        &everything_from(&json!({
            "wrappedBig": "-9007199254740993", "wrappedName": "", "wrappedFlag": false,
            "wrappedInt": 0, "wrappedDouble": 0.5, "wrappedBytes": "", "wrappedSmall": 4294967295_u32,
            "wrappedUbig": "18446744073709551615", "wrappedFloat": -1.5,
        })),
        &JsonOptions::default(),
    );
    // Set wrappers are written even when they hold their type's default: presence is the point.
    assert_eq!(json["wrappedBig"], json!("-9007199254740993"));
    assert_eq!(json["wrappedName"], json!(""));
    assert_eq!(json["wrappedFlag"], json!(false));
    assert_eq!(json["wrappedInt"], json!(0));
    assert_eq!(json["wrappedDouble"], json!(0.5));
    assert_eq!(json["wrappedBytes"], json!(""));
    assert_eq!(json["wrappedSmall"], json!(4_294_967_295_u32));
    assert_eq!(json["wrappedUbig"], json!("18446744073709551615"));
    assert_eq!(json["wrappedFloat"], json!(-1.5));
}

#[test]
fn any_with_a_registered_type() {
    let inner = Inner {
        display_name: "Ann".into(),
        count: 2,
    };
    let any = prost_types::Any {
        type_url: "type.googleapis.com/test.v1.Inner".into(),
        value: inner.encode_to_vec(),
    };
    let mut message = everything();
    set(&mut message, "payload", dynamic(&any));
    let json = encode_value(&message, &JsonOptions::default().emit_unpopulated(false));
    assert_eq!(
        json,
        json!({"payload": {"@type": "type.googleapis.com/test.v1.Inner", "displayName": "Ann", "count": 2}})
    );

    // A packed well-known type keeps its own JSON form under "value".
    let any = prost_types::Any {
        type_url: "type.googleapis.com/google.protobuf.Duration".into(),
        value: prost_types::Duration {
            seconds: 1,
            nanos: 0,
        }
        .encode_to_vec(),
    };
    set(&mut message, "payload", dynamic(&any));
    let json = encode_value(&message, &JsonOptions::default().emit_unpopulated(false));
    assert_eq!(
        json["payload"],
        json!({"@type": "type.googleapis.com/google.protobuf.Duration", "value": "1s"})
    );
}

#[test]
fn any_with_an_unknown_type_is_500() {
    let any = prost_types::Any {
        type_url: "type.googleapis.com/nope.Missing".into(),
        value: vec![],
    };
    let mut message = everything();
    set(&mut message, "payload", dynamic(&any));
    let error = encode_json(&message, &JsonOptions::default()).expect_err("unknown type");
    assert_eq!((error.code(), error.reason()), (500, "CODEC"));
}

#[test]
fn empty_is_an_empty_object() {
    assert_eq!(encode(&()), "{}");
    let mut message = everything();
    set(&mut message, "nothing", dynamic(&()));
    assert_eq!(
        encode_value(&message, &JsonOptions::default().emit_unpopulated(false)),
        json!({"nothing": {}})
    );
}

#[test]
fn scalars_follow_the_mapping() {
    let json = encode_value(
        &everything_from(&json!({
            "name": "Ann", "age": -3, "big": "-9223372036854775808", "ubig": "18446744073709551615",
            "small": 4294967295_u32, "active": true, "ratio": 0.25, "score": "Infinity",
            "data": "AP8=", "color": "GREEN", "colors": ["RED", 2], "zigzag": -1, "fixed": 7,
        })),
        &JsonOptions::default(),
    );
    assert_eq!(json["name"], json!("Ann"));
    assert_eq!(json["age"], json!(-3));
    assert_eq!(
        json["big"],
        json!("-9223372036854775808"),
        "int64 as a string"
    );
    assert_eq!(
        json["ubig"],
        json!("18446744073709551615"),
        "uint64 as a string"
    );
    assert_eq!(json["fixed"], json!("7"), "fixed64 as a string");
    assert_eq!(json["small"], json!(4_294_967_295_u32));
    assert_eq!(json["active"], json!(true));
    assert_eq!(json["ratio"], json!(0.25));
    assert_eq!(json["score"], json!("Infinity"));
    assert_eq!(
        json["data"],
        json!("AP8="),
        "bytes as padded standard base64"
    );
    assert_eq!(json["color"], json!("GREEN"), "enums by name");
    assert_eq!(json["colors"], json!(["RED", "GREEN"]));
    assert_eq!(json["zigzag"], json!(-1));
}

#[test]
fn default_output_emits_unpopulated_fields_in_lower_camel_case() {
    let json = encode_value(&everything(), &JsonOptions::default());
    let expected = json!({
        "name": "", "age": 0, "big": "0", "ubig": "0", "small": 0, "active": false,
        "ratio": 0, "score": 0, "data": "", "color": "COLOR_UNSPECIFIED", "tags": [],
        "counts": {}, "inners": [], "innerMap": {}, "nullValue": null, "colors": [],
        "zigzag": 0, "fixed": "0",
    });
    // Message, optional and oneof fields have presence, so unset ones are left out.
    assert_eq!(json, expected);
}

#[test]
fn options_switch_names_defaults_and_enums() {
    let message =
        everything_from(&json!({"color": "RED", "innerMap": {"k": {"displayName": "x"}}}));
    let json = encode_value(&message, &JsonOptions::default().emit_unpopulated(false));
    assert_eq!(
        json,
        json!({"color": "RED", "innerMap": {"k": {"displayName": "x"}}})
    );

    let json = encode_value(
        &message,
        &JsonOptions::default()
            .emit_unpopulated(false)
            .use_proto_names(true)
            .enums_as_numbers(true),
    );
    assert_eq!(
        json,
        json!({"color": 1, "inner_map": {"k": {"display_name": "x"}}})
    );
}

#[test]
fn typed_messages_encode() {
    let person = Person {
        name: "Ann".into(),
        created_at: Some(prost_types::Timestamp {
            seconds: 1,
            nanos: 0,
        }),
        ..Default::default()
    };
    let json = encode_value(&person, &JsonOptions::default().emit_unpopulated(false));
    assert_eq!(
        json,
        json!({"name": "Ann", "createdAt": "1970-01-01T00:00:01Z"})
    );
}

#[test]
fn response_body_field() {
    let message = everything_from(&json!({
        "inner": {"displayName": "x"}, "tags": ["a", "b"], "age": 3, "big": "5", "email": "e@x",
    }));
    let options = JsonOptions::default();
    let field = |name: &str| {
        let bytes = encode_json_field(&message, name, &options).expect("encodes");
        serde_json::from_slice::<serde_json::Value>(&bytes).expect("valid JSON")
    };
    assert_eq!(field("inner"), json!({"displayName": "x", "count": 0}));
    assert_eq!(field("tags"), json!(["a", "b"]));
    assert_eq!(field("age"), json!(3));
    assert_eq!(field("big"), json!("5"));
    assert_eq!(field("email"), json!("e@x"));
    assert_eq!(field("counts"), json!({}));
    // Unset: a message field is its empty message, but a well-known type (whose default may not
    // even be encodable, like an Any without a type) and a oneof or optional scalar are null.
    assert_eq!(field("node"), json!({"value": 0}));
    assert_eq!(field("created_at"), json!(null));
    assert_eq!(field("payload"), json!(null));
    assert_eq!(field("phone"), json!(null));
    assert_eq!(field("nickname"), json!(null));

    let proto_names = encode_json_field(&message, "inner", &options.clone().use_proto_names(true))
        .expect("encodes");
    assert_eq!(proto_names, br#"{"display_name":"x","count":0}"#);

    let error = encode_json_field(&message, "nope", &options).expect_err("no such field");
    assert_eq!((error.code(), error.reason()), (500, "CODEC"));
}
