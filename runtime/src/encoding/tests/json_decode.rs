//! Decoding JSON bodies: merging, both names, unknown fields, body fields, and every bad input.

use prost_reflect::{DynamicMessage, ReflectMessage, Value};
use serde_json::json;

use super::codec_message;
use super::fixtures::{Inner, Person, everything, message};
use crate::encoding::{JsonOptions, decode_json, decode_json_field, encode_json};

fn decode(body: &str) -> Result<DynamicMessage, crate::errors::Error> {
    let mut message = everything();
    decode_json(body.as_bytes(), &mut message, &JsonOptions::default())?;
    Ok(message)
}

fn field(message: &DynamicMessage, name: &str) -> Value {
    message
        .get_field_by_name(name)
        .expect("field exists")
        .into_owned()
}

#[test]
fn both_names_are_accepted() {
    for body in [r#"{"displayName": "Ann"}"#, r#"{"display_name": "Ann"}"#] {
        let mut inner = Inner::default();
        decode_json(body.as_bytes(), &mut inner, &JsonOptions::default()).expect(body);
        assert_eq!(inner.display_name, "Ann", "{body}");
    }
}

#[test]
fn decoding_merges_into_fields_already_set() {
    let mut person = Person {
        name: "from path".into(),
        tags: vec!["a".into()],
        inner: Some(Inner {
            display_name: "kept".into(),
            count: 1,
        }),
        ..Default::default()
    };
    let body =
        r#"{"age": 30, "tags": ["b"], "inner": {"count": 2}, "createdAt": "1970-01-01T00:00:01Z"}"#;
    decode_json(body.as_bytes(), &mut person, &JsonOptions::default()).expect("decodes");
    assert_eq!(person.name, "from path");
    assert_eq!(person.age, 30);
    assert_eq!(person.tags, ["a", "b"], "repeated fields append");
    assert_eq!(
        person.inner,
        Some(Inner {
            display_name: "kept".into(),
            count: 2
        }),
        "messages merge"
    );
    assert_eq!(
        person.created_at,
        Some(prost_types::Timestamp {
            seconds: 1,
            nanos: 0
        })
    );
}

#[test]
fn empty_body_leaves_the_message_alone() {
    let mut person = Person {
        name: "x".into(),
        ..Default::default()
    };
    decode_json(b"", &mut person, &JsonOptions::default()).expect("empty body");
    decode_json_field(b"", &mut person, "inner", &JsonOptions::default()).expect("empty body");
    assert_eq!(
        person,
        Person {
            name: "x".into(),
            ..Default::default()
        }
    );
}

#[test]
fn unit_takes_any_object() {
    let options = JsonOptions::default();
    decode_json(br#"{}"#, &mut (), &options).expect("{}");
    decode_json(br#"{"ignored": [1, {"a": null}]}"#, &mut (), &options).expect("members ignored");
    decode_json(b"", &mut (), &options).expect("empty body");
    for body in ["[]", "1", "null", r#""{}""#, "{} {}", "{"] {
        let message = codec_message(decode_json(body.as_bytes(), &mut (), &options));
        assert!(
            message.starts_with("invalid JSON body: "),
            "{body}: {message}"
        );
    }
    let strict = JsonOptions::default().deny_unknown_fields(true);
    let message = codec_message(decode_json(br#"{"a": 1}"#, &mut (), &strict));
    assert!(
        message.contains("google.protobuf.Empty takes no fields"),
        "{message}"
    );
}

#[test]
fn unknown_fields_are_ignored_everywhere() {
    let message = decode(
        r#"{"zzz": 1, "name": "Ann", "inner": {"count": 1, "extra": {"deep": [1]}},
            "inners": [{"nope": true, "count": 2}], "innerMap": {"k": {"x": 1, "count": 3}},
            "nothing": {"x": 1}, "color": "RED", "attrs": {"free": "form"},
            "payload": {"@type": "type.googleapis.com/test.v1.Inner", "count": 4, "bogus": 1}}"#,
    )
    .unwrap_or_else(|error| panic!("{}", error.message()));
    assert_eq!(field(&message, "name"), Value::String("Ann".into()));
    assert_eq!(field(&message, "color"), Value::EnumNumber(1));
    let json: serde_json::Value = serde_json::from_slice(
        &encode_json(&message, &JsonOptions::default().emit_unpopulated(false)).expect("encodes"),
    )
    .expect("JSON");
    assert_eq!(json["inner"], json!({"count": 1}));
    assert_eq!(json["inners"], json!([{"count": 2}]));
    assert_eq!(json["innerMap"], json!({"k": {"count": 3}}));
    assert_eq!(
        json["attrs"],
        json!({"free": "form"}),
        "Struct members are data, not fields"
    );
    assert_eq!(
        json["payload"],
        json!({"@type": "type.googleapis.com/test.v1.Inner", "count": 4})
    );
}

#[test]
fn unknown_fields_can_be_denied() {
    let mut message = everything();
    let options = JsonOptions::default().deny_unknown_fields(true);
    let text = codec_message(decode_json(
        br#"{"name": "a", "inner": {"zzz": 1}}"#,
        &mut message,
        &options,
    ));
    assert_eq!(
        text,
        r#"invalid JSON body: field "inner": unknown field "zzz" at line 1 column 29"#
    );
}

#[test]
fn a_key_given_twice_keeps_the_last_value() {
    let message = decode(r#"{"age": 1, "age": 2, "name": "a", "name": "b"}"#).expect("decodes");
    assert_eq!(field(&message, "age"), Value::I32(2));
    assert_eq!(field(&message, "name"), Value::String("b".into()));
    // Both spellings of one field: still the last one.
    let message =
        decode(r#"{"inner": {"display_name": "a", "displayName": "b"}}"#).expect("decodes");
    let inner = field(&message, "inner");
    assert_eq!(
        inner
            .as_message()
            .and_then(|m| m.get_field_by_name("display_name"))
            .map(|v| v.into_owned()),
        Some(Value::String("b".into()))
    );
}

#[test]
fn nulls_leave_fields_unset() {
    let message =
        decode(r#"{"name": null, "inner": null, "tags": null, "createdAt": null, "dyn": null}"#)
            .expect("decodes");
    assert!(!message.has_field_by_name("inner"));
    assert!(!message.has_field_by_name("created_at"));
    // `null` for a google.protobuf.Value is the JSON null value, not absence.
    assert!(message.has_field_by_name("dyn"));
}

#[test]
fn well_known_types_decode_from_their_json_forms() {
    let message = decode(
        r#"{"createdAt": "1972-01-01T10:00:20.021Z", "ttl": "1.000340012s",
            "updateMask": "user.displayName,photo", "wrappedBig": "5", "wrappedName": "x",
            "attrs": {"a": [1, null]}, "list": [true], "dyn": "s", "nothing": {},
            "payload": {"@type": "type.googleapis.com/google.protobuf.Duration", "value": "2s"}}"#,
    )
    .unwrap_or_else(|error| panic!("{}", error.message()));
    let typed = |name: &str| field(&message, name).as_message().expect("message").clone();
    let timestamp: prost_types::Timestamp = typed("created_at").transcode_to().expect("Timestamp");
    assert_eq!(
        timestamp,
        prost_types::Timestamp {
            seconds: 63_108_020,
            nanos: 21_000_000
        }
    );
    let duration: prost_types::Duration = typed("ttl").transcode_to().expect("Duration");
    assert_eq!(
        duration,
        prost_types::Duration {
            seconds: 1,
            nanos: 340_012
        }
    );
    let mask: prost_types::FieldMask = typed("update_mask").transcode_to().expect("FieldMask");
    assert_eq!(mask.paths, ["user.display_name", "photo"]);
    let wrapped: i64 = typed("wrapped_big").transcode_to().expect("Int64Value");
    assert_eq!(wrapped, 5);
    let any: prost_types::Any = typed("payload").transcode_to().expect("Any");
    assert_eq!(any.type_url, "type.googleapis.com/google.protobuf.Duration");
}

#[test]
fn body_field_takes_the_fields_json() {
    let options = JsonOptions::default();
    let mut person = Person {
        tags: vec!["a".into()],
        ..Default::default()
    };
    decode_json_field(br#"{"displayName": "x"}"#, &mut person, "inner", &options).expect("message");
    decode_json_field(br#"["b", "c"]"#, &mut person, "tags", &options).expect("repeated");
    decode_json_field(br#""Ann""#, &mut person, "name", &options).expect("string");
    decode_json_field(b"42", &mut person, "age", &options).expect("int");
    decode_json_field(
        br#""1970-01-01T00:00:02Z""#,
        &mut person,
        "created_at",
        &options,
    )
    .expect("Timestamp");
    decode_json_field(
        br#"[{"count": 1, "zzz": 0}]"#,
        &mut person,
        "inners",
        &options,
    )
    .expect("unknown ignored");
    assert_eq!(
        person.inner,
        Some(Inner {
            display_name: "x".into(),
            count: 0
        })
    );
    assert_eq!(person.tags, ["a", "b", "c"]);
    assert_eq!((person.name.as_str(), person.age), ("Ann", 42));
    assert_eq!(
        person.created_at,
        Some(prost_types::Timestamp {
            seconds: 2,
            nanos: 0
        })
    );
    assert_eq!(
        person.inners,
        [Inner {
            display_name: String::new(),
            count: 1
        }]
    );

    let text = codec_message(decode_json_field(
        br#"{"count": "x"}"#,
        &mut person,
        "inner",
        &options,
    ));
    assert_eq!(
        text,
        r#"invalid JSON body: field "inner.count": expected a decimal integer at line 1 column 13"#
    );
    let text = codec_message(decode_json_field(
        br#"{"zzz": 1, "count": "x"}"#,
        &mut person,
        "inner",
        &options,
    ));
    assert_eq!(
        text,
        r#"invalid JSON body: field "inner.count": expected a decimal integer"#
    );
    let text = codec_message(decode_json_field(b"[1] 2", &mut person, "tags", &options));
    assert!(text.starts_with("invalid JSON body: "), "{text}");

    let error = decode_json_field(b"{}", &mut person, "nope", &options).expect_err("no such field");
    assert_eq!((error.code(), error.reason()), (500, "CODEC"));
}

/// Nesting: serde_json stops at 128 levels, prost's decoder at 100 messages; both are 400s
/// naming `MAX_NESTING`, and neither overflows a 2 MiB stack (what tokio gives its workers).
#[test]
fn deep_nesting_is_an_error_not_a_crash() {
    fn nested(depth: usize) -> String {
        format!(
            r#"{{"node": {}{}}}"#,
            r#"{"child": "#.repeat(depth) + "{}",
            "}".repeat(depth)
        )
    }
    let run = || {
        decode(&nested(90)).expect("90 levels decode");
        for depth in [120, 126, 200, 100_000] {
            let text = codec_message(decode(&nested(depth)).map(drop));
            assert!(
                text.contains("nested more than 100 levels"),
                "{depth}: {text}"
            );
        }
        let deep_list = format!(r#"{{"dyn": {}1{}}}"#, "[".repeat(500), "]".repeat(500));
        let text = codec_message(decode(&deep_list).map(drop));
        assert!(text.contains("nested more than 100 levels"), "{text}");
        let deep_unknown = format!(r#"{{"zzz": {}1{}}}"#, "[".repeat(500), "]".repeat(500));
        let text = codec_message(decode(&deep_unknown).map(drop));
        assert!(text.contains("nested more than 100 levels"), "{text}");
    };
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(run)
        .expect("thread")
        .join()
        .expect("no stack overflow");
}

/// Every bad body is a 400 CODEC whose message names the field and the problem.
#[test]
fn bad_bodies() {
    let table: &[(&[u8], &str)] = &[
        (
            br#"{"age": "abc"}"#,
            r#"field "age": expected a decimal integer at line 1 column 13"#,
        ),
        (
            br#"{"age": 2147483648}"#,
            r#"field "age": integer out of range at line 1 column 18"#,
        ),
        (
            br#"{"age": 1.5}"#,
            r#"field "age": expected an integer, got a number with a fraction"#,
        ),
        (
            br#"{"age": true}"#,
            r#"field "age": invalid type: boolean `true`, expected a 32-bit signed integer"#,
        ),
        (
            br#"{"small": -1}"#,
            r#"field "small": integer out of range"#,
        ),
        (
            br#"{"big": "9223372036854775808"}"#,
            r#"field "big": integer out of range"#,
        ),
        (
            br#"{"ubig": "-1"}"#,
            r#"field "ubig": expected a decimal integer"#,
        ),
        (
            br#"{"score": 1e39}"#,
            r#"field "score": number out of range"#,
        ),
        (
            br#"{"ratio": "fast"}"#,
            r#"field "ratio": expected a number"#,
        ),
        (
            br#"{"active": "yes"}"#,
            r#"field "active": invalid type: string "yes", expected a boolean"#,
        ),
        (
            br#"{"name": 5}"#,
            r#"field "name": invalid type: integer `5`, expected a string"#,
        ),
        (
            br#"{"color": "PURPLE"}"#,
            r#"field "color": unknown enum value "PURPLE""#,
        ),
        (
            br#"{"colors": ["RED", "BLUE"]}"#,
            r#"field "colors[1]": unknown enum value "BLUE""#,
        ),
        (br#"{"data": "!!!"}"#, r#"field "data": invalid base64"#),
        (
            br#"{"email": "a", "phone": "b"}"#,
            r#"more than one value given for oneof "contact"; give one"#,
        ),
        (
            br#"{"email": "a", "email": "b"}"#,
            r#"more than one value given for oneof "contact""#,
        ),
        (
            br#"{"inner": {"count": "x"}}"#,
            r#"field "inner.count": expected a decimal integer"#,
        ),
        (
            br#"{"inners": [{"count": 1}, {"count": []}]}"#,
            r#"field "inners[1].count": invalid type: sequence"#,
        ),
        (
            br#"{"counts": {"a": "x"}}"#,
            r#"field "counts.a": expected a decimal integer"#,
        ),
        (
            br#"{"innerMap": {"k": 1}}"#,
            r#"field "innerMap.k": invalid type: integer `1`, expected an object"#,
        ),
        (br#"{"createdAt": "yesterday"}"#, r#"field "createdAt": "#),
        (
            br#"{"createdAt": "10000-01-01T00:00:00Z"}"#,
            r#"field "createdAt": "#,
        ),
        (br#"{"ttl": "5"}"#, r#"field "ttl": "#),
        (
            br#"{"updateMask": 5}"#,
            r#"field "updateMask": invalid type"#,
        ),
        (
            br#"{"wrappedBig": "x"}"#,
            r#"field "wrappedBig": expected a decimal integer"#,
        ),
        (
            br#"{"attrs": [1]}"#,
            r#"field "attrs": invalid type: sequence, expected an object"#,
        ),
        (
            br#"{"payload": {"@type": "type.googleapis.com/nope.Missing"}}"#,
            r#"field "payload": message 'nope.Missing' not found"#,
        ),
        (br#"{"payload": {"count": 1}}"#, r#"field "payload": "#),
        (
            br#"{"name": "a"} x"#,
            "trailing characters at line 1 column 15",
        ),
        (
            br#"{"name": "a""#,
            "EOF while parsing an object at line 1 column 12",
        ),
        (
            b"{\"name\": \"\xff\"}",
            "invalid unicode code point at line 1 column 11",
        ),
        (
            br#"{"name": "\ud800"}"#,
            r#"field "name": unexpected end of hex escape"#,
        ),
        (
            b"[1, 2]",
            "invalid type: sequence, expected an object at line 1 column 0",
        ),
        (b"null", "invalid type: null, expected an object"),
        (b" ", "EOF while parsing a value"),
        (
            br#"{"zzz": 1, "age": "x"}"#,
            r#"field "age": expected a decimal integer"#,
        ),
        (
            br#"{"zzz": 1, "color": "PURPLE"}"#,
            r#"field "color": unknown enum value "PURPLE""#,
        ),
        (
            br#"{"zzz": 1, "name": "a"} x"#,
            "trailing characters at line 1 column 25",
        ),
    ];
    assert!(table.len() >= 15);
    let mut failures = Vec::new();
    for (body, expected) in table {
        let mut message = everything();
        let text = codec_message(decode_json(body, &mut message, &JsonOptions::default()));
        if std::env::var_os("SHOW_MESSAGES").is_some() {
            println!("{:<60} {text}", String::from_utf8_lossy(body));
        }
        if !text.starts_with("invalid JSON body: ") || !text.contains(expected) {
            let shown = String::from_utf8_lossy(body);
            failures.push(format!(
                "{shown}:\n  got      {text}\n  expected {expected}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn typed_target_gets_nothing_when_decoding_fails() {
    let mut inner = Inner {
        display_name: "kept".into(),
        count: 1,
    };
    let _ = decode_json(
        br#"{"displayName": "new", "count": "x"}"#,
        &mut inner,
        &JsonOptions::default(),
    );
    assert_eq!(
        inner,
        Inner {
            display_name: "kept".into(),
            count: 1
        }
    );
    let _ = message("Inner").full_name();
    assert_eq!(inner.descriptor().full_name(), "test.v1.Inner");
}

/// protojson reads `{}` where an `Any` goes as an empty `Any` (no type, no value), present.
#[test]
fn an_empty_object_is_an_empty_any() {
    for options in [
        JsonOptions::default(),
        JsonOptions::default().deny_unknown_fields(true),
    ] {
        let mut decoded = everything();
        decode_json(br#"{"payload": {}, "name": "n"}"#, &mut decoded, &options)
            .unwrap_or_else(|error| panic!("{options:?}: {error}"));
        assert!(decoded.has_field_by_name("payload"), "{options:?}");
        let Some(Value::Message(payload)) =
            decoded.get_field_by_name("payload").as_deref().cloned()
        else {
            panic!("payload is not a message");
        };
        let any: prost_types::Any = payload.transcode_to().expect("Any");
        assert_eq!(any, prost_types::Any::default());
        assert_eq!(
            decoded.get_field_by_name("name").as_deref(),
            Some(&Value::String("n".into()))
        );
    }
    // Members without `@type` are still an error.
    let mut decoded = everything();
    let error = decode_json(
        br#"{"payload": {"count": 1}}"#,
        &mut decoded,
        &JsonOptions::default(),
    )
    .expect_err("no @type");
    assert!(error.message().contains("payload"), "{error}");
}
