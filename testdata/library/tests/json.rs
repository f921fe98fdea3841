//! The generated JSON codec against the reflective one (prost-reflect's proto3 JSON mapping),
//! on the library's `Kinds` message, which has a field of every kind: random messages must
//! encode to the same JSON, and random (also broken) bodies must decode to the same message or
//! fail with the same error.

use std::collections::HashMap;

use kratos::__codegen::json::{decode_json_generated, encode_json_generated};
use kratos::encoding::{JsonOptions, decode_json, encode_json};
use library_service::api::{Color, Kinds, kinds};
use serde_json::{Value, json};

/// A small deterministic generator (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())].clone()
    }

    fn i64(&mut self) -> i64 {
        let random = self.next() as i64;
        self.pick(&[0, 1, -1, i64::MIN, i64::MAX, 1 << 53, (1 << 53) + 1, random])
    }

    fn u64(&mut self) -> u64 {
        let random = self.next();
        self.pick(&[0, 1, u64::MAX, 1 << 63, random])
    }

    fn i32(&mut self) -> i32 {
        let random = self.next() as i32;
        self.pick(&[0, 1, -1, i32::MIN, i32::MAX, random])
    }

    fn u32(&mut self) -> u32 {
        let random = self.next() as u32;
        self.pick(&[0, 1, u32::MAX, random])
    }

    /// Not -0.0: prost drops it when encoding (it equals the default), so the reflective codec,
    /// which works on the encoded form, writes `0` where the generated one keeps `-0`.
    fn f64(&mut self) -> f64 {
        let random = (self.next() >> 11) as f64 / 7.0;
        self.pick(&[
            0.0,
            1.5,
            -2.25,
            f64::MAX,
            f64::MIN_POSITIVE,
            5e-324,
            1e21,
            0.1,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            random,
        ])
    }

    fn f32(&mut self) -> f32 {
        let random = (self.next() >> 40) as f32 / 3.0;
        self.pick(&[
            0.0,
            1.5,
            f32::MAX,
            f32::MIN,
            3.0e38,
            -3.0e38,
            1e-45,
            0.1,
            f32::NAN,
            f32::INFINITY,
            random,
        ])
    }

    fn string(&mut self) -> String {
        let random = format!("n{}", self.next());
        self.pick(&[
            String::new(),
            "plain".to_owned(),
            "quote \" backslash \\ slash /".to_owned(),
            "control \u{1} \n \t \u{7f}".to_owned(),
            "中文 ü \u{1F600}".to_owned(),
            "\u{2028}\u{2029}".to_owned(),
            random,
        ])
    }

    fn bytes(&mut self) -> Vec<u8> {
        let len = self.below(7);
        (0..len).map(|_| self.next() as u8).collect()
    }

    fn color(&mut self) -> i32 {
        // 7 and -1 are numbers the enum does not name.
        self.pick(&[0, 1, 2, 7, -1])
    }
}

fn inner(rng: &mut Rng) -> kinds::Inner {
    kinds::Inner {
        id: rng.i32(),
        note: rng.string(),
    }
}

fn json_value(rng: &mut Rng, depth: u32) -> prost_types::Value {
    use prost_types::value::Kind;
    let kind = match rng.below(if depth > 1 { 4 } else { 6 }) {
        0 => Kind::NullValue(0),
        1 => Kind::BoolValue(rng.chance(50)),
        2 => Kind::NumberValue(rng.pick(&[0.0, 1.5, -3.0, 1e300])),
        3 => Kind::StringValue(rng.string()),
        4 => Kind::ListValue(prost_types::ListValue {
            values: (0..rng.below(3))
                .map(|_| json_value(rng, depth + 1))
                .collect(),
        }),
        _ => Kind::StructValue(json_struct(rng, depth + 1)),
    };
    prost_types::Value { kind: Some(kind) }
}

fn json_struct(rng: &mut Rng, depth: u32) -> prost_types::Struct {
    prost_types::Struct {
        fields: (0..rng.below(3))
            .map(|i| (format!("k{i}"), json_value(rng, depth + 1)))
            .collect(),
    }
}

fn random_kinds(rng: &mut Rng) -> Kinds {
    let mut kinds = Kinds::default();
    // Each field is set with some chance, so defaults and set values both occur.
    macro_rules! maybe {
        ($field:ident = $value:expr) => {
            if rng.chance(60) {
                kinds.$field = $value;
            }
        };
    }
    maybe!(double_value = rng.f64());
    maybe!(float_value = rng.f32());
    maybe!(int64_value = rng.i64());
    maybe!(uint64_value = rng.u64());
    maybe!(int32_value = rng.i32());
    maybe!(fixed64_value = rng.u64());
    maybe!(fixed32_value = rng.u32());
    maybe!(bool_value = rng.chance(50));
    maybe!(string_value = rng.string());
    maybe!(bytes_value = rng.bytes());
    maybe!(uint32_value = rng.u32());
    maybe!(sfixed32_value = rng.i32());
    maybe!(sfixed64_value = rng.i64());
    maybe!(sint32_value = rng.i32());
    maybe!(sint64_value = rng.i64());
    maybe!(color = rng.color());
    maybe!(optional_string = Some(rng.string()));
    maybe!(optional_int32 = Some(rng.i32()));
    maybe!(repeated_string = (0..rng.below(3)).map(|_| rng.string()).collect());
    maybe!(repeated_int64 = (0..rng.below(3)).map(|_| rng.i64()).collect());
    maybe!(repeated_color = (0..rng.below(3)).map(|_| rng.color()).collect());
    maybe!(
        labels = (0..rng.below(3))
            .map(|_| (rng.string(), rng.string()))
            .collect()
    );
    maybe!(counts = (0..rng.below(3)).map(|_| (rng.i32(), rng.i64())).collect());
    maybe!(
        nested = Some(kinds::Nested {
            name: rng.string(),
            inner: rng.chance(50).then(|| inner(rng)),
            values: (0..rng.below(3)).map(|_| rng.i32()).collect(),
        })
    );
    maybe!(
        timestamp = Some(prost_types::Timestamp {
            seconds: rng.pick(&[0, 1_700_000_000, -62_135_596_800, 253_402_300_799]),
            nanos: rng.pick(&[0, 1_000_000, 1_000, 1, 999_999_999]),
        })
    );
    maybe!(
        duration = Some(prost_types::Duration {
            seconds: rng.pick(&[0, 1, -5, 315_576_000_000]),
            nanos: rng.pick(&[0, 500_000_000, 1]),
        })
    );
    maybe!(
        field_mask = Some(prost_types::FieldMask {
            paths: rng.pick(&[
                vec![],
                vec!["a".to_owned()],
                vec!["a_b.c_d".to_owned(), "e".to_owned()]
            ]),
        })
    );
    maybe!(int64_wrapper = Some(rng.i64()));
    maybe!(string_wrapper = Some(rng.string()));
    maybe!(bool_wrapper = Some(rng.chance(50)));
    maybe!(struct_value = Some(json_struct(rng, 0)));
    maybe!(any_value = Some(json_value(rng, 0)));
    maybe!(
        list_value = Some(prost_types::ListValue {
            values: (0..rng.below(3)).map(|_| json_value(rng, 1)).collect(),
        })
    );
    kinds.choice = match rng.below(4) {
        0 => None,
        1 => Some(kinds::Choice::ChoiceName(rng.string())),
        2 => Some(kinds::Choice::ChoiceId(rng.i32())),
        _ => Some(kinds::Choice::ChoiceInner(inner(rng))),
    };
    kinds
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

/// The message as the reflective codec writes it with default options, for comparisons that
/// see NaN as equal to itself and maps as unordered.
fn canonical(kinds: &Kinds) -> Value {
    let bytes = encode_json(kinds, &JsonOptions::default()).expect("reflective encode");
    serde_json::from_slice(&bytes).expect("reflective JSON parses")
}

#[test]
fn random_messages_encode_as_the_reflective_codec_writes_them() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let options = all_options();
    for round in 0..1500 {
        let kinds = random_kinds(&mut rng);
        for option in &options {
            let generated = encode_json_generated(&kinds, option)
                .unwrap_or_else(|error| panic!("round {round}: {error}"));
            let reflective = encode_json(&kinds, option).expect("reflective encode");
            if kinds.labels.len() <= 1 && kinds.counts.len() <= 1 {
                // Nothing unordered: the bytes themselves must match.
                assert_eq!(
                    String::from_utf8_lossy(&generated),
                    String::from_utf8_lossy(&reflective),
                    "round {round}, {option:?}"
                );
            } else {
                let generated: Value = serde_json::from_slice(&generated).expect("generated JSON");
                let reflective: Value = serde_json::from_slice(&reflective).expect("JSON");
                assert_eq!(generated, reflective, "round {round}, {option:?}");
            }
        }
    }
}

#[test]
fn random_messages_decode_from_either_name_style() {
    let mut rng = Rng(0xD1B5_4A32_D192_ED03);
    let options = all_options();
    for round in 0..1500 {
        let kinds = random_kinds(&mut rng);
        let option = &options[round % options.len()];
        let body = encode_json(&kinds, option).expect("reflective encode");
        let mut generated = Kinds::default();
        decode_json_generated(&body, &mut generated, &JsonOptions::default())
            .unwrap_or_else(|error| panic!("round {round}: {error}"));
        assert_eq!(canonical(&generated), canonical(&kinds), "round {round}");
    }
}

/// Values a mutated body puts in place of a member's value.
fn odd_values() -> Vec<Value> {
    vec![
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(1e3),
        json!(2.0),
        json!(9_223_372_036_854_775_807_u64),
        json!(18_446_744_073_709_551_615_u64),
        json!(-9_223_372_036_854_775_808_i64),
        json!(1e40),
        json!("x"),
        json!(""),
        json!("12"),
        json!("+12"),
        json!(" 12"),
        json!("1e2"),
        json!("NaN"),
        json!("-Infinity"),
        json!("inf"),
        json!("RED"),
        json!("BLUE"),
        json!("AAE="),
        json!("AA-_"),
        json!("AAE"),
        json!("A"),
        json!("2023-01-01T00:00:00Z"),
        json!("2023-01-01T00:00:00.5+08:00"),
        json!("1.5s"),
        json!("-0.000000001s"),
        json!("a,bC"),
        json!([]),
        json!([null]),
        json!([1, "a"]),
        json!(["RED", 2]),
        json!({}),
        json!({"a": 1}),
        json!({"1": "2", "-3": "4"}),
        json!({"true": 1}),
        json!({"id": 1, "note": "n"}),
        json!({"id": "x"}),
    ]
}

/// Replaces one member of `value` (or of an object inside it) with something else.
fn mutate(rng: &mut Rng, value: &mut Value, odd: &[Value]) {
    let Value::Object(members) = value else {
        *value = rng.pick(odd);
        return;
    };
    if members.is_empty() || rng.chance(10) {
        let key = rng.pick(&[
            "unknownField",
            "int64Value",
            "int64_value",
            "choiceId",
            "choice_name",
            "labels",
            "nested",
        ]);
        members.insert(key.to_owned(), rng.pick(odd));
        return;
    }
    let keys: Vec<String> = members.keys().cloned().collect();
    let key = rng.pick(&keys);
    let member = members.get_mut(&key).expect("key exists");
    if member.is_object() && rng.chance(50) {
        mutate(rng, member, odd);
    } else {
        *member = rng.pick(odd);
    }
}

/// Decodes `body` both ways: the same message, or the same error.
fn assert_same_decoding(body: &str, options: &JsonOptions) -> bool {
    let mut generated = Kinds::default();
    let fast = decode_json_generated(body.as_bytes(), &mut generated, options);
    let mut reflective = Kinds::default();
    let slow = decode_json(body.as_bytes(), &mut reflective, options);
    match (fast, slow) {
        (Ok(()), Ok(())) => {
            assert_eq!(canonical(&generated), canonical(&reflective), "{body}");
            true
        }
        (Err(fast), Err(slow)) => {
            assert_eq!(
                (fast.code(), fast.reason(), fast.message()),
                (slow.code(), slow.reason(), slow.message()),
                "{body}"
            );
            assert_eq!(
                canonical(&generated),
                canonical(&Kinds::default()),
                "{body}"
            );
            false
        }
        (fast, slow) => panic!("{body}\ngenerated: {fast:?}\nreflective: {slow:?}"),
    }
}

#[test]
fn mutated_bodies_decode_as_the_reflective_codec_decodes_them() {
    let mut rng = Rng(0x1234_5678_9ABC_DEF1);
    let odd = odd_values();
    let lenient = JsonOptions::default();
    let strict = JsonOptions::default().deny_unknown_fields(true);
    let mut outcomes: HashMap<bool, usize> = HashMap::new();
    for round in 0..3000 {
        let kinds = random_kinds(&mut rng);
        let mut value = canonical(&kinds);
        for _ in 0..=rng.below(2) {
            mutate(&mut rng, &mut value, &odd);
        }
        let mut body = value.to_string();
        if rng.chance(10) {
            // A key given twice (serde_json::Value cannot hold that).
            let duplicate = rng.pick(&[
                r#""int64Value":"5","#,
                r#""choiceId":1,"#,
                r#""labels":{"a":"b"},"#,
            ]);
            body.insert_str(1, duplicate);
        }
        let options = if round % 5 == 0 { &strict } else { &lenient };
        let accepted = assert_same_decoding(&body, options);
        *outcomes.entry(accepted).or_default() += 1;
    }
    // The mutations must exercise both outcomes, or the comparison proves little.
    assert!(
        outcomes.get(&true).copied().unwrap_or(0) > 300,
        "{outcomes:?}"
    );
    assert!(
        outcomes.get(&false).copied().unwrap_or(0) > 300,
        "{outcomes:?}"
    );
}

#[test]
fn hand_picked_bodies_decode_as_the_reflective_codec_decodes_them() {
    let bodies = [
        r#"{}"#,
        r#"{"int64Value":"-9223372036854775808","uint64Value":"18446744073709551615"}"#,
        r#"{"int64Value":-9223372036854775808,"uint64Value":18446744073709551615}"#,
        r#"{"int32Value":2147483648}"#,
        r#"{"floatValue":3.5e38}"#,
        r#"{"floatValue":"NaN","doubleValue":"-Infinity"}"#,
        r#"{"bytesValue":"-_8="}"#,
        r#"{"bytesValue":"+/8"}"#,
        r#"{"color":"GREEN","repeatedColor":["RED",2,7]}"#,
        r#"{"color":"PURPLE"}"#,
        r#"{"color":2147483648}"#,
        r#"{"labels":{"a":"1","a":"2"}}"#,
        r#"{"counts":{"+1":"2","-0":"3"}}"#,
        r#"{"counts":{"x":"1"}}"#,
        r#"{"counts":{"1":null}}"#,
        r#"{"choiceName":"a","choiceId":1}"#,
        r#"{"choiceName":null,"choiceId":1}"#,
        r#"{"choiceInner":{"id":1},"choice_inner":{"note":"x"}}"#,
        r#"{"anyValue":null,"structValue":null,"int64Wrapper":null}"#,
        r#"{"listValue":[1,null,{"a":[]}]}"#,
        r#"{"timestamp":"1970-01-01T00:00:00Z","duration":"-1.000000001s","fieldMask":"aB.cD,e"}"#,
        r#"{"nested":{"inner":{"id":"7"},"values":[1,"2"]}}"#,
        r#"{"nested":{"values":[null]}}"#,
        r#"{"optionalString":null,"optionalInt32":0}"#,
        r#"{"string_value":"\ud83d\ude00 \u00e9"}"#,
        r#"{"string_value":"\ud800"}"#,
        r#"{"unknown":{"deep":[1,2,{"x":null}]}}"#,
        r#"{"repeatedString":"not a list"}"#,
        r#"{"nested":"not an object"}"#,
        r#"{"boolValue":"true"}"#,
        "{\"stringValue\":\"raw\u{1}control\"}",
        r#"{"int64Value":"1"} trailing"#,
        r#"{"int64Value":"1"#,
    ];
    for body in bodies {
        assert_same_decoding(body, &JsonOptions::default());
        assert_same_decoding(body, &JsonOptions::default().deny_unknown_fields(true));
    }
}

#[test]
fn a_colour_name_reads_back_as_its_number() {
    let mut kinds = Kinds::default();
    decode_json_generated(br#"{"color":"GREEN"}"#, &mut kinds, &JsonOptions::default())
        .expect("decodes");
    assert_eq!(kinds.color, Color::Green as i32);
}

/// The two codecs a message can go through, as `(name, encode, decode)`.
type Codec = (
    &'static str,
    fn(&Kinds, &JsonOptions) -> Result<Vec<u8>, kratos::errors::Error>,
    fn(&[u8], &mut Kinds, &JsonOptions) -> Result<(), kratos::errors::Error>,
);

const CODECS: [Codec; 2] = [
    ("generated", encode_json_generated, decode_json_generated),
    ("reflective", encode_json, decode_json),
];

/// Go writes `float32` max as `3.4028235e+38`: every number that rounds to a finite `float`
/// reads, on both codecs; only those rounding beyond it are refused.
#[test]
fn float_extremes_read_as_go_writes_them() {
    let table = [
        ("3.4028235e38", Some(f32::MAX)),
        ("3.4028235e+38", Some(f32::MAX)),
        ("-3.4028235e38", Some(f32::MIN)),
        ("3.40282356e38", Some(f32::MAX)),
        ("\"3.4028235e38\"", Some(f32::MAX)),
        ("1e-46", Some(0.0)),
        ("3.4028236e38", None),
        ("3.5e38", None),
        ("-1e39", None),
        ("1e300", None),
    ];
    for (name, encode, decode) in CODECS {
        for (number, expected) in table {
            let body = format!(r#"{{"floatValue":{number}}}"#);
            let mut kinds = Kinds::default();
            let result = decode(body.as_bytes(), &mut kinds, &JsonOptions::default());
            match expected {
                Some(value) => {
                    result.unwrap_or_else(|error| panic!("{name} {number}: {error}"));
                    assert_eq!(kinds.float_value, value, "{name} {number}");
                }
                None => {
                    let error = result.expect_err(number);
                    assert_eq!((error.code(), error.reason()), (400, "CODEC"), "{name}");
                    assert!(error.message().contains("floatValue"), "{name}: {error}");
                }
            }
        }
        // And what is written reads back.
        for value in [f32::MAX, f32::MIN] {
            let kinds = Kinds {
                float_value: value,
                ..Default::default()
            };
            let body = encode(&kinds, &JsonOptions::default()).expect("encodes");
            let mut back = Kinds::default();
            decode(&body, &mut back, &JsonOptions::default()).expect("reads back");
            assert_eq!(back.float_value, value, "{name}");
        }
    }
}

/// Doubles and floats are written with protojson's spelling, on both codecs.
#[test]
fn numbers_are_written_as_protojson_writes_them() {
    let table: [(f64, f32, &str, &str); 6] = [
        (1.0, 1.0, "1", "1"),
        (1e20, 1e20, "100000000000000000000", "100000000000000000000"),
        (1e21, 1e21, "1e+21", "1e+21"),
        (-2.5e-7, 1e-7, "-2.5e-7", "1e-7"),
        (0.1, 0.1, "0.1", "0.1"),
        (f64::NAN, f32::INFINITY, "\"NaN\"", "\"Infinity\""),
    ];
    for (name, encode, _) in CODECS {
        for (double, float, double_text, float_text) in table {
            let kinds = Kinds {
                double_value: double,
                float_value: float,
                ..Default::default()
            };
            let body = String::from_utf8(encode(&kinds, &JsonOptions::default()).unwrap()).unwrap();
            assert!(
                body.starts_with(&format!(
                    r#"{{"doubleValue":{double_text},"floatValue":{float_text},"#
                )),
                "{name}: {body}"
            );
        }
    }
}

/// -0.0 keeps its sign through the generated codec both ways, as in Go. The reflective codec
/// works on the binary form, where prost and prost-reflect drop a singular -0.0 as the
/// default, so it reads and writes `0` there (pinned here: docs/go-kratos-interop.md says so).
#[test]
fn negative_zero_keeps_its_sign() {
    let kinds = Kinds {
        double_value: -0.0,
        float_value: -0.0,
        ..Default::default()
    };
    for options in [
        JsonOptions::default(),
        JsonOptions::default().emit_unpopulated(false),
    ] {
        let body = String::from_utf8(encode_json_generated(&kinds, &options).unwrap()).unwrap();
        assert!(
            body.starts_with(r#"{"doubleValue":-0,"floatValue":-0"#),
            "{options:?}: {body}"
        );
    }
    for (name, _, decode) in CODECS {
        let mut back = Kinds::default();
        decode(
            br#"{"doubleValue":-0.0,"floatValue":-0}"#,
            &mut back,
            &JsonOptions::default(),
        )
        .expect("decodes");
        let kept = name == "generated";
        assert_eq!(back.double_value.is_sign_negative(), kept, "{name}");
        assert_eq!(back.float_value.is_sign_negative(), kept, "{name}");
    }
    let reflective =
        String::from_utf8(encode_json(&kinds, &JsonOptions::default()).unwrap()).unwrap();
    assert!(
        reflective.starts_with(r#"{"doubleValue":0,"floatValue":0"#),
        "{reflective}"
    );
}

#[test]
fn recursive_messages_go_through_their_boxes() {
    use library_service::api::{Tree, tree};
    let leaf = |label: &str| Tree {
        label: label.to_owned(),
        link: Some(tree::Link::Leaf(format!("{label}-leaf"))),
        ..Default::default()
    };
    let tree = Tree {
        label: "root".to_owned(),
        child: Some(Box::new(leaf("child"))),
        children: vec![leaf("a"), Tree::default()],
        named: [("x".to_owned(), leaf("x"))].into_iter().collect(),
        link: Some(tree::Link::Next(Box::new(Tree {
            child: Some(Box::new(leaf("deep"))),
            ..Default::default()
        }))),
    };
    for options in all_options() {
        let generated = encode_json_generated(&tree, &options).expect("generated");
        let reflective = encode_json(&tree, &options).expect("reflective");
        assert_eq!(
            String::from_utf8_lossy(&generated),
            String::from_utf8_lossy(&reflective),
            "{options:?}"
        );
        let mut decoded = Tree::default();
        decode_json_generated(&generated, &mut decoded, &JsonOptions::default()).expect("decodes");
        assert_eq!(decoded, tree);
    }
    // Nesting deeper than serde_json's limit is an error from both codecs, not a crash.
    let deep = format!("{}{}", r#"{"child":"#.repeat(300), "}".repeat(300));
    let mut decoded = Tree::default();
    let error = decode_json_generated(deep.as_bytes(), &mut decoded, &JsonOptions::default())
        .expect_err("too deep");
    assert_eq!((error.code(), error.reason()), (400, "CODEC"));
}

#[test]
fn a_message_reaching_any_keeps_the_reflective_codec() {
    use kratos::encoding::{Format, HttpMessage};
    use library_service::api::{Book, Envelope};
    let book = Book {
        name: "shelves/1/books/2".to_owned(),
        ..Default::default()
    };
    let envelope = Envelope {
        id: "e".to_owned(),
        payload: Some(prost_types::Any {
            type_url: "type.googleapis.com/library.v1.Book".to_owned(),
            value: prost::Message::encode_to_vec(&book),
        }),
    };
    let json = envelope
        .encode_reply(Format::Json, &JsonOptions::default())
        .expect("encodes");
    let value: Value = serde_json::from_slice(&json).expect("JSON");
    assert_eq!(
        value["payload"]["@type"],
        "type.googleapis.com/library.v1.Book"
    );
    assert_eq!(value["payload"]["name"], "shelves/1/books/2");
    let mut decoded = Envelope::default();
    decoded
        .decode_body(Format::Json, &json, &JsonOptions::default())
        .expect("decodes");
    assert_eq!(decoded, envelope);
}

/// The fields `EchoField` takes as `body` and gives as `response_body`.
const FIELD_BODIES: [&str; 12] = [
    "nested",
    "repeated_string",
    "labels",
    "counts",
    "timestamp",
    "int64_wrapper",
    "optional_int32",
    "int64_value",
    "color",
    "choice_inner",
    "choice_name",
    "any_value",
];

#[test]
fn one_field_replies_are_written_as_the_reflective_codec_writes_them() {
    use kratos::encoding::{Format, HttpMessage, encode_json_field};
    let mut rng = Rng(0x0BAD_5EED_0BAD_5EED);
    for round in 0..400 {
        let kinds = random_kinds(&mut rng);
        for options in all_options() {
            for field in FIELD_BODIES {
                let generated = kinds
                    .encode_reply_field(Format::Json, field, &options)
                    .unwrap_or_else(|error| panic!("round {round} {field}: {error}"));
                let reflective = encode_json_field(&kinds, field, &options).expect("reflective");
                let generated: Value = serde_json::from_slice(&generated).expect("JSON");
                let reflective: Value = serde_json::from_slice(&reflective).expect("JSON");
                assert_eq!(generated, reflective, "round {round} {field} {options:?}");
            }
        }
    }
}

#[test]
fn one_field_bodies_decode_as_the_reflective_codec_decodes_them() {
    use kratos::encoding::{Format, HttpMessage, decode_json_field};
    let mut rng = Rng(0x5EED_5EED_1234_4321);
    let odd = odd_values();
    let mut accepted = 0;
    for round in 0..2000 {
        let kinds = random_kinds(&mut rng);
        let field = rng.pick(&FIELD_BODIES);
        let mut value = serde_json::from_slice::<Value>(
            &kinds
                .encode_reply_field(Format::Json, field, &JsonOptions::default())
                .expect("encodes"),
        )
        .expect("JSON");
        if rng.chance(50) {
            mutate(&mut rng, &mut value, &odd);
        }
        let body = value.to_string();
        let options = JsonOptions::default().deny_unknown_fields(round % 4 == 0);
        let mut generated = Kinds::default();
        let fast = generated.decode_body_field(Format::Json, body.as_bytes(), field, &options);
        let mut reflective = Kinds::default();
        let slow = decode_json_field(body.as_bytes(), &mut reflective, field, &options);
        match (fast, slow) {
            (Ok(()), Ok(())) => {
                assert_eq!(
                    canonical(&generated),
                    canonical(&reflective),
                    "{field}: {body}"
                );
                accepted += 1;
            }
            (Err(fast), Err(slow)) => assert_eq!(fast.message(), slow.message(), "{body}"),
            (fast, slow) => panic!("{field}: {body}\ngenerated: {fast:?}\nreflective: {slow:?}"),
        }
    }
    assert!(accepted > 500, "only {accepted} bodies were accepted");
}
