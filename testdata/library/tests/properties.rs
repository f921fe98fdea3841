//! Property tests over the request decoders of a generated service: arbitrary query strings
//! and form bodies (through the real HTTP server and its generated binder), and arbitrary
//! JSON bodies (through the generated and the reflective codecs) never panic, and always
//! answer success or a 4xx Kratos error.

mod support;

use kratos::__codegen::json::decode_json_generated;
use kratos::encoding::{JsonOptions, decode_json};
use library_service::api::Kinds;
use proptest::prelude::*;
use serde_json::Value;

/// `Kinds` fields by proto and JSON name, nested paths, map and list forms, and names that
/// are none of these.
const KEYS: &[&str] = &[
    "double_value",
    "doubleValue",
    "float_value",
    "int64_value",
    "int64Value",
    "uint64_value",
    "int32_value",
    "fixed64_value",
    "fixed32_value",
    "bool_value",
    "string_value",
    "bytes_value",
    "uint32_value",
    "sfixed32_value",
    "sfixed64_value",
    "sint32_value",
    "sint64_value",
    "color",
    "optional_string",
    "optionalInt32",
    "repeated_string",
    "repeated_string[]",
    "repeatedInt64",
    "repeated_color",
    "labels",
    "labels[k]",
    "counts[1]",
    "counts[x]",
    "nested",
    "nested.name",
    "nested.inner.id",
    "nested.inner",
    "nested.values",
    "timestamp",
    "duration",
    "field_mask",
    "fieldMask",
    "int64_wrapper",
    "string_wrapper",
    "bool_wrapper",
    "struct_value",
    "structValue",
    "any_value",
    "list_value",
    "choice_name",
    "choice_id",
    "choiceInner",
    "choice_inner.note",
    "zzz",
    "",
    ".",
    "a..b",
    "[",
    "m[",
];

/// Values that reach every parser's edges, or anything at all.
fn value_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "",
            "0",
            "1",
            "-1",
            "1.5",
            "1e3",
            "-0",
            "NaN",
            "Infinity",
            "-Infinity",
            "true",
            "false",
            "RED",
            "GREEN",
            "7",
            "99999999999999999999",
            "18446744073709551616",
            "-9223372036854775809",
            "AAA=",
            "_-8",
            "1s",
            "-1.5s",
            "315576000001s",
            "2024-01-01T00:00:00Z",
            "9999-12-31T23:59:60Z",
            "a,b.c",
            "a,,b",
            "{\"a\":[1,{}]}",
            "[1,[2,[3]]]",
            "null",
            "{",
            "\"x\"",
        ])
        .prop_map(str::to_owned),
        any::<String>(),
        // Nested JSON, on both sides of the nesting limit.
        (1..60_usize, any::<bool>()).prop_map(|(levels, objects)| if objects {
            format!("{}{}", r#"{"a":"#.repeat(levels) + "1", "}".repeat(levels))
        } else {
            format!("{}{}", "[".repeat(levels), "]".repeat(levels))
        }),
    ]
}

/// Percent-encodes everything but unreserved characters, so the query is a valid URI, while
/// keeping some raw escapes (valid or not) from `raw`.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// `key=value&...`, percent-encoded, with some pairs malformed on purpose.
fn query() -> impl Strategy<Value = String> {
    let pair =
        (prop::sample::select(KEYS), value_text(), 0..6_u8).prop_map(|(key, value, shape)| {
            match shape {
                // Raw escape junk and a key without a value.
                0 => format!("{}=%zz{}%", encode(key), encode(&value)),
                1 => encode(key),
                _ => format!("{}={}", encode(key), encode(&value)),
            }
        });
    prop::collection::vec(pair, 0..6).prop_map(|pairs| pairs.join("&"))
}

/// Asserts `reply` is a success or a 4xx Kratos error whose status is its code.
fn assert_answered(reply: &support::Reply, input: &str) {
    let status = reply.status.as_u16();
    if status == 200 {
        return;
    }
    assert!(
        (400..500).contains(&status),
        "{status} for {input:?}: {}",
        reply.text()
    );
    let body = reply.json();
    assert_eq!(body["code"], status, "{input:?}: {body}");
    assert!(
        !body["reason"].as_str().unwrap_or_default().is_empty(),
        "{input:?}: {body}"
    );
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// The generated query binder, through the real server.
    #[test]
    fn any_query_is_bound_or_a_4xx(queries in prop::collection::vec(query(), 4)) {
        let runtime = runtime();
        runtime.block_on(async {
            let server = support::start().await;
            for query in &queries {
                let reply = server.get(&format!("/v1/echo?{query}")).await;
                assert_answered(&reply, query);
            }
        });
    }

    /// The same binder over form bodies.
    #[test]
    fn any_form_body_is_bound_or_a_4xx(bodies in prop::collection::vec(query(), 4)) {
        let runtime = runtime();
        runtime.block_on(async {
            let server = support::start().await;
            for body in &bodies {
                let reply = server
                    .send(
                        "POST",
                        "/v1/echo",
                        &[("content-type", "application/x-www-form-urlencoded")],
                        body.as_bytes(),
                    )
                    .await;
                assert_answered(&reply, body);
            }
        });
    }
}

/// JSON values whose keys are mostly `Kinds` field names, nested a few levels.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        any::<f64>().prop_map(Value::from),
        value_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec(
                (
                    prop_oneof![
                        prop::sample::select(KEYS).prop_map(str::to_owned),
                        any::<String>()
                    ],
                    inner
                ),
                0..6
            )
            .prop_map(|members| Value::Object(members.into_iter().collect())),
        ]
    })
}

/// Both JSON codecs: the same outcome, and a failure is a 400 CODEC.
fn check_json(body: &[u8]) {
    for options in [
        JsonOptions::default(),
        JsonOptions::default().deny_unknown_fields(true),
    ] {
        let mut generated = Kinds::default();
        let fast = decode_json_generated(body, &mut generated, &options);
        let mut reflective = Kinds::default();
        let reference = decode_json(body, &mut reflective, &options);
        match (&fast, &reference) {
            (Ok(()), Ok(())) => {
                assert_eq!(generated, reflective, "{:?}", String::from_utf8_lossy(body));
            }
            (Err(a), Err(b)) => {
                assert_eq!((a.code(), a.reason()), (400, "CODEC"), "{a}");
                assert_eq!(a.message(), b.message());
            }
            _ => panic!(
                "{fast:?} vs {reference:?} for {:?}",
                String::from_utf8_lossy(body)
            ),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// A JSON object shaped like `Kinds` (or not), through both JSON codecs.
    #[test]
    fn any_json_object_decodes_or_is_a_400(
        members in prop::collection::vec(
            (prop::sample::select(KEYS).prop_map(str::to_owned), json_value()),
            0..8,
        )
    ) {
        let object = Value::Object(members.into_iter().collect());
        check_json(object.to_string().as_bytes());
    }

    /// Arbitrary bytes as a JSON body.
    #[test]
    fn any_bytes_decode_or_are_a_400(body in prop::collection::vec(any::<u8>(), 0..64)) {
        check_json(&body);
    }
}
