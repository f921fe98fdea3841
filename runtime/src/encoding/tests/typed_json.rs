//! The generated-codec support, driven by impls written the way protoc-gen-kratos-http writes
//! them (the generator's own output is checked against the reflective codec in
//! testdata/library/tests/json.rs).

use serde::de::MapAccess;
use serde::ser::SerializeMap;

use super::codec_message;
use super::fixtures::{Inner, Person};
use crate::encoding::typed_json::{
    self as g, FieldWriter, JsonMessage, ObjectReader, decode_json_generated, encode_json_generated,
};
use crate::encoding::{JsonOptions, decode_json, encode_json};

impl JsonMessage for Inner {
    fn write_json_fields<S: SerializeMap>(
        &self,
        fields: &mut FieldWriter<'_, S>,
    ) -> Result<(), S::Error> {
        fields.implicit("displayName", "display_name", &g::Str, &self.display_name)?;
        fields.implicit("count", "count", &g::Int32, &self.count)?;
        Ok(())
    }

    fn merge_json_fields<'de, A: MapAccess<'de>>(
        &mut self,
        object: &mut ObjectReader<'_, 'de, A>,
    ) -> Result<(), A::Error> {
        while let Some(key) = object.next_key()? {
            match key.as_str() {
                "displayName" | "display_name" => {
                    object.implicit(0, &g::Str, &mut self.display_name)?;
                }
                "count" => object.implicit(1, &g::Int32, &mut self.count)?,
                _ => object.skip()?,
            }
        }
        Ok(())
    }
}

impl JsonMessage for Person {
    fn write_json_fields<S: SerializeMap>(
        &self,
        fields: &mut FieldWriter<'_, S>,
    ) -> Result<(), S::Error> {
        fields.implicit("name", "name", &g::Str, &self.name)?;
        fields.implicit("age", "age", &g::Int32, &self.age)?;
        fields.repeated("tags", "tags", &g::Str, &self.tags)?;
        fields.optional(
            "inner",
            "inner",
            &g::Message::<Inner>::new(),
            self.inner.as_ref(),
        )?;
        fields.repeated(
            "inners",
            "inners",
            &g::Message::<Inner>::new(),
            &self.inners,
        )?;
        fields.optional(
            "createdAt",
            "created_at",
            &g::WellKnown::new(),
            self.created_at.as_ref(),
        )?;
        Ok(())
    }

    fn merge_json_fields<'de, A: MapAccess<'de>>(
        &mut self,
        object: &mut ObjectReader<'_, 'de, A>,
    ) -> Result<(), A::Error> {
        while let Some(key) = object.next_key()? {
            match key.as_str() {
                "name" => object.implicit(0, &g::Str, &mut self.name)?,
                "age" => object.implicit(1, &g::Int32, &mut self.age)?,
                "tags" => object.repeated(2, &g::Str, &mut self.tags)?,
                "inner" => object.message::<Inner, _>(3, &mut self.inner)?,
                "inners" => object.repeated(4, &g::Message::<Inner>::new(), &mut self.inners)?,
                "createdAt" | "created_at" => {
                    object.optional(5, &g::WellKnown::new(), &mut self.created_at)?;
                }
                _ => object.skip()?,
            }
        }
        Ok(())
    }
}

fn sample() -> Person {
    Person {
        name: "Ann \"the\" \u{1F600}".into(),
        age: -7,
        tags: vec!["a".into(), String::new()],
        inner: Some(Inner {
            display_name: "in".into(),
            count: 0,
        }),
        inners: vec![
            Inner::default(),
            Inner {
                display_name: "x".into(),
                count: 3,
            },
        ],
        created_at: Some(prost_types::Timestamp {
            seconds: 1_700_000_000,
            nanos: 5_000_000,
        }),
    }
}

#[test]
fn unpopulated_fields_are_written_when_asked() {
    let json = encode_json_generated(&Person::default(), &JsonOptions::default()).expect("json");
    assert_eq!(
        String::from_utf8_lossy(&json),
        r#"{"name":"","age":0,"tags":[],"inners":[]}"#
    );
    let proto_names = JsonOptions::default().use_proto_names(true);
    let json = encode_json_generated(&sample(), &proto_names).expect("json");
    let text = String::from_utf8_lossy(&json);
    assert!(text.contains(r#""display_name":"in","count":0"#), "{text}");
    assert!(
        text.contains(r#""created_at":"2023-11-14T22:13:20.005Z""#),
        "{text}"
    );
}

fn all_options() -> Vec<JsonOptions> {
    let mut all = Vec::new();
    for proto_names in [false, true] {
        for unpopulated in [false, true] {
            for numbers in [false, true] {
                all.push(
                    JsonOptions::default()
                        .use_proto_names(proto_names)
                        .emit_unpopulated(unpopulated)
                        .enums_as_numbers(numbers),
                );
            }
        }
    }
    all
}

// `Person` is a typed subset of the fixture `Everything`, so the reflective codec would also
// write the fields `Person` lacks when it writes unpopulated fields: compare without them,
// and check the unpopulated output by itself.
#[test]
fn encoding_writes_the_reflective_codecs_bytes() {
    for person in [sample(), Person::default()] {
        for options in all_options() {
            let options = options.emit_unpopulated(false);
            let generated = encode_json_generated(&person, &options).expect("generated");
            let reflective = encode_json(&person, &options).expect("reflective");
            assert_eq!(
                String::from_utf8_lossy(&generated),
                String::from_utf8_lossy(&reflective),
                "{options:?}"
            );
        }
    }
}

/// Decodes `body` both ways and checks that both agree: the same message, or the same error.
#[track_caller]
fn decode_both(body: &str, options: &JsonOptions) -> Result<Person, String> {
    let mut generated = Person::default();
    let fast = decode_json_generated(body.as_bytes(), &mut generated, options);
    let mut reflective = Person::default();
    let slow = decode_json(body.as_bytes(), &mut reflective, options);
    match (fast, slow) {
        (Ok(()), Ok(())) => {
            assert_eq!(generated, reflective, "{body}");
            Ok(generated)
        }
        (Err(fast), Err(slow)) => {
            assert_eq!(fast.message(), slow.message(), "{body}");
            assert_eq!(
                generated,
                Person::default(),
                "a failed decode changed the target"
            );
            Err(codec_message(Err(fast)))
        }
        (fast, slow) => panic!("{body}: generated {fast:?}, reflective {slow:?}"),
    }
}

#[test]
fn decoding_agrees_with_the_reflective_codec() {
    let lenient = JsonOptions::default();
    let accepted = [
        r#"{"name":"Ann","age":3,"tags":["a","b"],"inner":{"displayName":"x","count":"2"}}"#,
        r#"{"name":"esc\"aped\u00e9","display":"unknown members are skipped","age":null}"#,
        r#"{"inner":{"display_name":"proto name"},"inners":[{},{"count":1}]}"#,
        r#"{"created_at":"2023-11-14T22:13:20.005Z","createdAt":null}"#,
        r#"{"inner":null,"tags":null,"inners":null}"#,
        // Forms only the reflective codec takes: a float-written integer, a duplicate key.
        r#"{"age":1e3}"#,
        r#"{"age":1.0}"#,
        r#"{"name":"first","name":"last"}"#,
        r#"{"tags":["a"],"tags":["b"]}"#,
        r#"{"inner":{"count":1},"inner":{"displayName":"second"}}"#,
        r#"{"age":"12"}"#,
        r#"  {}  "#,
        r#"{"\u0061ge":5}"#,
    ];
    for body in accepted {
        decode_both(body, &lenient).unwrap_or_else(|error| panic!("{body}: {error}"));
    }
    assert_eq!(
        decode_both(r#"{"age":1e3}"#, &lenient)
            .expect("accepted")
            .age,
        1000
    );
    assert_eq!(
        decode_both(r#"{"tags":["a"],"tags":["b"]}"#, &lenient)
            .expect("accepted")
            .tags,
        ["b"]
    );

    let rejected = [
        r#"{"age":"x"}"#,
        r#"{"tags":["a"],"age":2147483648}"#,
        r#"{"name":1}"#,
        r#"{"tags":[null]}"#,
        r#"{"inners":[1]}"#,
        r#"{"createdAt":"yesterday"}"#,
        r#"{"name":"a"}{"#,
        r#"{"name":"a",}"#,
        r#"[]"#,
        r#"null"#,
        r#"{"inner":[]}"#,
    ];
    for body in rejected {
        decode_both(body, &lenient).expect_err(body);
    }

    let strict = JsonOptions::default().deny_unknown_fields(true);
    let message = decode_both(r#"{"name":"a","nope":1}"#, &strict).expect_err("unknown");
    assert!(message.contains("nope"), "{message}");
}

#[test]
fn a_failed_decode_leaves_a_populated_target_as_it_was() {
    let mut person = sample();
    let error = decode_json_generated(
        br#"{"tags":["added"],"age":"x"}"#,
        &mut person,
        &JsonOptions::default(),
    )
    .expect_err("bad age");
    assert_eq!(error.code(), 400);
    assert_eq!(person, sample());
}

#[test]
fn an_empty_body_leaves_the_target() {
    let mut person = sample();
    decode_json_generated(b"", &mut person, &JsonOptions::default()).expect("empty");
    assert_eq!(person, sample());
}

impl crate::encoding::HttpMessage for Inner {}

/// As generated for a message with a generated codec.
impl crate::encoding::HttpMessage for Person {
    fn decode_body(
        &mut self,
        format: crate::encoding::Format,
        body: &[u8],
        json: &JsonOptions,
    ) -> Result<(), crate::errors::Error> {
        g::decode_body(self, format, body, json)
    }

    fn encode_reply(
        &self,
        format: crate::encoding::Format,
        json: &JsonOptions,
    ) -> Result<Vec<u8>, crate::errors::Error> {
        g::encode_reply(self, format, json)
    }
}
