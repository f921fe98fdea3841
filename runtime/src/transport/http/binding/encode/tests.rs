//! The client-side encoders, checked against the httprule.md rules and round-tripped through
//! the server's own router, query splitter and parsers.

use std::collections::BTreeMap;

use http::Method;
use prost_types::value::Kind;
use prost_types::{Duration, FieldMask, ListValue, Struct, Timestamp, Value};

use super::*;
use crate::transport::http::binding::{
    QueryPairs, parse_bool, parse_bytes, parse_duration, parse_f32, parse_f64, parse_field_mask,
    parse_i32, parse_i64, parse_list_value, parse_struct, parse_timestamp, parse_u32, parse_u64,
    parse_value,
};
use crate::transport::http::router::{Lookup, PathTemplate, Router};

/// Awkward text: reserved and delimiter characters, spaces, `%`, unicode, control characters.
const AWKWARD: &[&str] = &[
    "",
    "plain",
    "a b",
    "a+b",
    "a/b",
    "?#%&=+",
    "100%",
    "%41",
    "%zz",
    "中文 ü",
    "emoji 🦀",
    "..",
    ".",
    "a:b",
    "~-_.",
    "tab\there\nnewline",
    "quote\"'`",
    "[]{}<>|\\^",
    "!$'()*,;@",
    "a=b&c=d",
    " leading and trailing ",
];

fn single(value: &str) -> String {
    let mut out = String::new();
    push_path_segment(&mut out, value);
    out
}

fn multi(value: &str) -> String {
    let mut out = String::new();
    push_path_segments(&mut out, value);
    out
}

#[test]
fn single_segment_keeps_only_unreserved_characters() {
    assert_eq!(single("azAZ09-_.~"), "azAZ09-_.~");
    assert_eq!(single("a b/c?d#e"), "a%20b%2Fc%3Fd%23e");
    assert_eq!(single("+%&="), "%2B%25%26%3D");
    assert_eq!(single("中"), "%E4%B8%AD");
    assert_eq!(single(":@!$"), "%3A%40%21%24");
    for byte in 0_u8..=127 {
        let text = char::from(byte).to_string();
        let encoded = single(&text);
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            assert_eq!(encoded, text);
        } else {
            assert_eq!(encoded, format!("%{byte:02X}"), "byte {byte}");
        }
    }
}

#[test]
fn multi_segment_also_keeps_slash_but_encodes_other_reserved_characters() {
    assert_eq!(multi("shelves/1/books/a b"), "shelves/1/books/a%20b");
    // Not RFC 6570 reserved expansion: `?` and `#` are encoded (HP).
    assert_eq!(multi("a?b#c/d"), "a%3Fb%23c/d");
    assert_eq!(multi("中/ü"), "%E4%B8%AD/%C3%BC");
    for byte in 0_u8..=127 {
        let text = char::from(byte).to_string();
        let keep = byte.is_ascii_alphanumeric() || b"-_.~/".contains(&byte);
        assert_eq!(multi(&text) == text, keep, "byte {byte}");
    }
}

fn lookup(router: &Router<&'static str>, path: &str) -> Option<(&'static str, String)> {
    match router.lookup(&Method::GET, path) {
        Lookup::Found(found) => Some((*found.value, found.params().get(0)?.to_owned())),
        _ => None,
    }
}

#[test]
fn single_segment_values_round_trip_through_the_router() {
    let mut router = Router::new();
    let template = PathTemplate::parse("/v1/items/{id}").unwrap();
    router.insert(Method::GET, &template, "item").unwrap();
    let verb = PathTemplate::parse("/v1/items/{id}:cancel").unwrap();
    router.insert(Method::GET, &verb, "cancel").unwrap();
    for value in AWKWARD.iter().filter(|value| !value.is_empty()) {
        let path = format!("/v1/items/{}", single(value));
        assert_eq!(
            lookup(&router, &path),
            Some(("item", (*value).to_owned())),
            "{path}"
        );
        // A `:` in the value is encoded, so it never looks like a verb.
        let path = format!("/v1/items/{}:cancel", single(value));
        assert_eq!(
            lookup(&router, &path),
            Some(("cancel", (*value).to_owned())),
            "{path}"
        );
    }
}

#[test]
fn multi_segment_values_round_trip_through_the_router() {
    let mut router = Router::new();
    let books = PathTemplate::parse("/v1/{name=shelves/*/books/*}").unwrap();
    router.insert(Method::GET, &books, "book").unwrap();
    let files = PathTemplate::parse("/v1/files/{path=**}").unwrap();
    router.insert(Method::GET, &files, "file").unwrap();
    for name in [
        "shelves/1/books/2",
        "shelves/中/books/a b",
        "shelves/~x/books/ü-_.",
    ] {
        assert!(matches_pattern(name, "shelves/*/books/*"));
        let path = format!("/v1/{}", multi(name));
        assert_eq!(lookup(&router, &path), Some(("book", name.to_owned())));
    }
    for file in ["", "a", "a/b/c.txt", "dir with space/中.txt"] {
        assert!(matches_pattern(file, "**"));
        let path = format!("/v1/files/{}", multi(file));
        assert_eq!(lookup(&router, &path), Some(("file", file.to_owned())));
    }
}

#[test]
fn patterns() {
    let books: &[&str] = &["shelves", "*", "books", "*"];
    let table: &[(&str, &[&str], bool)] = &[
        ("shelves/1", &["shelves", "*"], true),
        ("books/1", &["shelves", "*"], false),
        ("shelves/1/x", &["shelves", "*"], false),
        ("shelves/", &["shelves", "*"], false),
        ("shelves", &["shelves", "*"], false),
        ("/shelves/1", &["shelves", "*"], false),
        ("", &["*"], false),
        ("a", &["*"], true),
        ("a/b", &["*"], false),
        ("a b", &["*"], true),
        ("shelves/1/books/2", books, true),
        ("shelves/1/books/", books, false),
        ("shelves//books/2", books, false),
        ("shelves/1/books/2/", books, false),
        ("", &["**"], true),
        ("a", &["**"], true),
        ("a/b/c", &["**"], true),
        ("a//c", &["**"], false),
        ("a/", &["**"], false),
        ("/a", &["**"], false),
        ("shelves", &["shelves", "**"], true),
        ("shelves/a/b", &["shelves", "**"], true),
        ("books/a", &["shelves", "**"], false),
        ("x", &["**", "x"], true),
        ("a/b/x", &["**", "x"], true),
        ("a/b/y", &["**", "x"], false),
        ("c/d", &["c", "**", "d"], true),
        ("c/1/2/d", &["c", "**", "d"], true),
        ("c/1/2", &["c", "**", "d"], false),
        ("a/b", &["a", "b"], true),
        ("a/c", &["a", "b"], false),
        ("", &[], true),
        ("a", &[], false),
        // Literals compare decoded.
        ("a b/1", &["a%20b", "*"], true),
        ("a%20b/1", &["a%20b", "*"], false),
    ];
    for (value, pattern, expected) in table {
        assert_eq!(
            matches_pattern(value, &pattern.join("/")),
            *expected,
            "{value:?} against {pattern:?}"
        );
    }
}

#[test]
fn pattern_mismatch_names_field_value_and_pattern() {
    let error = pattern_mismatch("book.name", "books/1", "shelves/*/books/*");
    assert_eq!((error.code(), error.reason()), (400, "INVALID_PATH_VALUE"));
    assert_eq!(
        error.message(),
        r#"invalid value "books/1" for path field "book.name": expected the pattern shelves/*/books/*"#
    );
    // Client text is quoted and escaped.
    let error = pattern_mismatch("name", "a\nb", "{name=x/*}");
    assert!(error.message().contains(r#""a\nb""#), "{}", error.message());
}

/// Decodes a query with the server's splitter.
fn pairs(query: &str) -> Vec<(String, String)> {
    QueryPairs::new(query)
        .map(|pair| {
            let pair = pair.unwrap();
            (pair.key().to_owned(), pair.value().to_owned())
        })
        .collect()
}

#[test]
fn strings_round_trip_through_the_query_splitter() {
    let mut query = QueryWriter::new();
    assert!(query.is_empty());
    let mut expected = Vec::new();
    for (index, value) in AWKWARD.iter().enumerate() {
        let key = format!("k{index} {value}");
        query.push(&key, value);
        expected.push((key, (*value).to_owned()));
    }
    assert!(!query.is_empty());
    let text = query.finish();
    // Only unreserved characters, `%XX`, `=` and `&` are written.
    assert!(
        text.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.~%=&".contains(&b)),
        "{text}"
    );
    assert_eq!(pairs(&text), expected);
}

#[test]
fn keys_keep_dots_and_brackets_round_trip() {
    let mut query = QueryWriter::new();
    query.push("page.size", "1");
    query.push("labels[k 1]", "v&=?");
    query.push("tags[]", "a");
    let text = query.finish();
    assert_eq!(
        text,
        "page.size=1&labels%5Bk%201%5D=v%26%3D%3F&tags%5B%5D=a"
    );
    let decoded: Vec<_> = QueryPairs::new(&text).map(Result::unwrap).collect();
    assert_eq!(decoded[0].path().collect::<Vec<_>>(), ["page", "size"]);
    assert_eq!(
        (decoded[1].name(), decoded[1].map_key(), decoded[1].value()),
        ("labels", Some("k 1"), "v&=?")
    );
    assert!(decoded[2].is_append());
}

#[test]
fn append_to() {
    let mut url = String::from("/v1/a");
    QueryWriter::new().append_to(&mut url);
    assert_eq!(url, "/v1/a");

    let mut query = QueryWriter::new();
    query.push_bool("x", true);
    query.append_to(&mut url);
    assert_eq!(url, "/v1/a?x=true");

    let mut query = QueryWriter::new();
    query.push_i32("y", -1);
    query.append_to(&mut url);
    assert_eq!(url, "/v1/a?x=true&y=-1");
}

/// Pushes one value with `push` and reads it back with the server's `parse`.
fn round_trip<T>(
    push: impl Fn(&mut QueryWriter, &str, &T),
    parse: impl Fn(&str, &str) -> Result<T, crate::errors::Error>,
    value: &T,
) -> (String, T) {
    let mut query = QueryWriter::new();
    push(&mut query, "f", value);
    let text = query.finish();
    let decoded = pairs(&text);
    assert_eq!(decoded.len(), 1, "{text}");
    let parsed = parse("f", &decoded[0].1).unwrap_or_else(|error| panic!("{text}: {error}"));
    (decoded[0].1.clone(), parsed)
}

#[test]
fn scalars_round_trip_through_the_parsers() {
    for value in [true, false] {
        assert_eq!(
            round_trip(|q, k, v| q.push_bool(k, *v), parse_bool, &value).1,
            value
        );
    }
    for value in [0, 1, -1, i32::MIN, i32::MAX] {
        assert_eq!(
            round_trip(|q, k, v| q.push_i32(k, *v), parse_i32, &value).1,
            value
        );
    }
    for value in [0, -1, i64::MIN, i64::MAX] {
        assert_eq!(
            round_trip(|q, k, v| q.push_i64(k, *v), parse_i64, &value).1,
            value
        );
    }
    for value in [0, u32::MAX] {
        assert_eq!(
            round_trip(|q, k, v| q.push_u32(k, *v), parse_u32, &value).1,
            value
        );
    }
    for value in [0, u64::MAX] {
        assert_eq!(
            round_trip(|q, k, v| q.push_u64(k, *v), parse_u64, &value).1,
            value
        );
    }
}

#[test]
fn floats_round_trip_exactly() {
    let doubles = [
        0.0,
        -0.0,
        1.5,
        -2.25,
        0.1,
        1.0 / 3.0,
        1e-7,
        1e-6,
        123_456.789,
        1e20,
        1e21,
        1e300,
        -1e-300,
        f64::MIN_POSITIVE,
        5e-324,
        f64::MAX,
        f64::MIN,
        f64::EPSILON,
        f64::INFINITY,
        f64::NEG_INFINITY,
    ];
    for value in doubles {
        let (text, parsed) = round_trip(|q, k, v| q.push_f64(k, *v), parse_f64, &value);
        assert_eq!(parsed.to_bits(), value.to_bits(), "{value} as {text}");
        assert!(text.len() <= 24, "{text}");
    }
    let floats = [
        0.0,
        -0.0,
        0.1,
        -2.25,
        1.0 / 3.0,
        1e-7,
        3.4e38,
        f32::MIN_POSITIVE,
        1e-45,
        f32::MAX,
        f32::INFINITY,
        f32::NEG_INFINITY,
    ];
    for value in floats {
        let (text, parsed) = round_trip(|q, k, v| q.push_f32(k, *v), parse_f32, &value);
        assert_eq!(parsed.to_bits(), value.to_bits(), "{value} as {text}");
    }
    let (text, parsed) = round_trip(|q, k, v| q.push_f64(k, *v), parse_f64, &f64::NAN);
    assert_eq!(text, "NaN");
    assert!(parsed.is_nan());
    let (text, parsed) = round_trip(|q, k, v| q.push_f32(k, *v), parse_f32, &f32::NAN);
    assert_eq!(text, "NaN");
    assert!(parsed.is_nan());

    let mut query = QueryWriter::new();
    query.push_f64("a", f64::INFINITY);
    query.push_f64("b", f64::NEG_INFINITY);
    query.push_f64("c", 1e300);
    query.push_f64("d", 1.5);
    query.push_f32("e", 0.1);
    assert_eq!(query.finish(), "a=Infinity&b=-Infinity&c=1e300&d=1.5&e=0.1");
}

#[test]
fn bytes_round_trip_as_url_safe_base64() {
    let every_byte: Vec<u8> = (0..=255).collect();
    for length in 0..=6 {
        let value = every_byte[250 - length..250].to_vec();
        assert_eq!(
            round_trip(|q, k, v: &Vec<u8>| q.push_bytes(k, v), parse_bytes, &value).1,
            value
        );
    }
    let value = every_byte;
    assert_eq!(
        round_trip(|q, k, v: &Vec<u8>| q.push_bytes(k, v), parse_bytes, &value).1,
        value
    );
    let mut query = QueryWriter::new();
    query.push_bytes("b", &[0xFB, 0xFF]);
    assert_eq!(query.finish(), "b=-_8%3D");
}

#[test]
fn enums_by_name_else_number() {
    let mut query = QueryWriter::new();
    query.push_enum("color", Some("GREEN"), 2);
    query.push_enum("color", None, 7);
    query.push_enum("color", None, -1);
    assert_eq!(query.finish(), "color=GREEN&color=7&color=-1");
}

#[test]
fn timestamps_round_trip_in_protojson_form() {
    let table = [
        (
            Timestamp {
                seconds: 0,
                nanos: 0,
            },
            "1970-01-01T00:00:00Z",
        ),
        (
            Timestamp {
                seconds: 63_115_220,
                nanos: 21_000_000,
            },
            "1972-01-01T12:00:20.021Z",
        ),
        (
            Timestamp {
                seconds: 1,
                nanos: 1_000,
            },
            "1970-01-01T00:00:01.000001Z",
        ),
        (
            Timestamp {
                seconds: -1,
                nanos: 1,
            },
            "1969-12-31T23:59:59.000000001Z",
        ),
        (
            Timestamp {
                seconds: -62_135_596_800,
                nanos: 0,
            },
            "0001-01-01T00:00:00Z",
        ),
        (
            Timestamp {
                seconds: 253_402_300_799,
                nanos: 999_999_999,
            },
            "9999-12-31T23:59:59.999999999Z",
        ),
    ];
    for (value, text) in table {
        let (written, parsed) =
            round_trip(|q, k, v| q.push_timestamp(k, v), parse_timestamp, &value);
        assert_eq!(written, text);
        assert_eq!(parsed, value);
    }
    // Not normalized: written as the instant it means.
    let value = Timestamp {
        seconds: 1,
        nanos: -500_000_000,
    };
    let (written, parsed) = round_trip(|q, k, v| q.push_timestamp(k, v), parse_timestamp, &value);
    assert_eq!(written, "1970-01-01T00:00:00.500Z");
    assert_eq!(
        parsed,
        Timestamp {
            seconds: 0,
            nanos: 500_000_000
        }
    );
}

#[test]
fn durations_round_trip_in_protojson_form() {
    let table = [
        ((0, 0), "0s", (0, 0)),
        ((1, 500_000_000), "1.500s", (1, 500_000_000)),
        ((-1, -500_000_000), "-1.500s", (-1, -500_000_000)),
        ((0, -1), "-0.000000001s", (0, -1)),
        ((0, 1_000), "0.000001s", (0, 1_000)),
        ((3_600, 0), "3600s", (3_600, 0)),
        (
            (315_576_000_000, 999_999_999),
            "315576000000.999999999s",
            (315_576_000_000, 999_999_999),
        ),
        (
            (-315_576_000_000, 0),
            "-315576000000s",
            (-315_576_000_000, 0),
        ),
        // Mixed signs mean their sum.
        ((1, -500_000_000), "0.500s", (0, 500_000_000)),
        ((-2, 1_500_000_000), "-0.500s", (0, -500_000_000)),
    ];
    for ((seconds, nanos), text, (want_seconds, want_nanos)) in table {
        let value = Duration { seconds, nanos };
        let (written, parsed) = round_trip(|q, k, v| q.push_duration(k, v), parse_duration, &value);
        assert_eq!(written, text);
        assert_eq!(
            parsed,
            Duration {
                seconds: want_seconds,
                nanos: want_nanos
            }
        );
    }
}

#[test]
fn field_masks_round_trip_in_lower_camel_case() {
    let value = FieldMask {
        paths: vec![
            "a.b".into(),
            "c_d".into(),
            "user.display_name".into(),
            "x_1_y".into(),
        ],
    };
    let (written, parsed) = round_trip(|q, k, v| q.push_field_mask(k, v), parse_field_mask, &value);
    assert_eq!(written, "a.b,cD,user.displayName,x1Y");
    assert_eq!(parsed.paths[..3], value.paths[..3]);
    let empty = FieldMask::default();
    assert_eq!(
        round_trip(|q, k, v| q.push_field_mask(k, v), parse_field_mask, &empty).1,
        empty
    );
}

fn string(text: &str) -> Value {
    Value {
        kind: Some(Kind::StringValue(text.to_owned())),
    }
}

fn number(value: f64) -> Value {
    Value {
        kind: Some(Kind::NumberValue(value)),
    }
}

fn sample_struct() -> Struct {
    let mut inner = BTreeMap::new();
    inner.insert("deep".to_owned(), number(-0.5));
    let fields = [
        ("s", string("café \"quoted\" \n & = + % / ? #")),
        ("n", number(42.0)),
        ("f", number(1.25)),
        ("big", number(1e300)),
        ("neg", number(-7.0)),
        (
            "b",
            Value {
                kind: Some(Kind::BoolValue(true)),
            },
        ),
        (
            "null",
            Value {
                kind: Some(Kind::NullValue(0)),
            },
        ),
        (
            "list",
            Value {
                kind: Some(Kind::ListValue(ListValue {
                    values: vec![string("中"), number(1.0), string("")],
                })),
            },
        ),
        (
            "object",
            Value {
                kind: Some(Kind::StructValue(Struct {
                    fields: inner.into_iter().collect(),
                })),
            },
        ),
        ("key with \"quotes\"", string("v")),
    ];
    Struct {
        fields: fields
            .into_iter()
            .map(|(key, value)| (key.to_owned(), value))
            .collect(),
    }
}

#[test]
fn structs_lists_and_values_round_trip_as_json() {
    let value = sample_struct();
    let (written, parsed) = round_trip(|q, k, v| q.push_struct(k, v), parse_struct, &value);
    assert_eq!(parsed, value, "{written}");
    assert!(written.contains(r#""n":42,"#), "{written}");

    let list = ListValue {
        values: vec![
            number(1.0),
            string("a b"),
            Value {
                kind: Some(Kind::StructValue(value)),
            },
        ],
    };
    assert_eq!(
        round_trip(|q, k, v| q.push_list_value(k, v), parse_list_value, &list).1,
        list
    );

    for single in [
        string("hello"),
        string("123"),
        string("true"),
        string(""),
        number(3.5),
        Value {
            kind: Some(Kind::BoolValue(false)),
        },
        Value {
            kind: Some(Kind::NullValue(0)),
        },
        Value {
            kind: Some(Kind::ListValue(ListValue::default())),
        },
    ] {
        assert_eq!(
            round_trip(|q, k, v| q.push_value(k, v), parse_value, &single).1,
            single
        );
    }

    // JSON has no NaN, infinity or kind-less value: those become null.
    let mut query = QueryWriter::new();
    query.push_value("a", &number(f64::NAN));
    query.push_value("b", &Value { kind: None });
    query.push_list_value(
        "c",
        &ListValue {
            values: vec![number(f64::INFINITY), number(2.0)],
        },
    );
    assert_eq!(query.finish(), "a=null&b=null&c=%5Bnull%2C2%5D");
}

#[test]
fn struct_keys_are_written_in_a_stable_order() {
    let value = sample_struct();
    let write = || {
        let mut query = QueryWriter::new();
        query.push_struct("s", &value);
        query.finish()
    };
    let first = write();
    for _ in 0..10 {
        assert_eq!(write(), first);
    }
}

#[test]
fn exclusion_covers_the_path_and_everything_under_it() {
    use super::is_excluded;
    let exclude: &[&[&str]] = &[&["nested", "inner", "id"], &["book"]];
    assert!(is_excluded(exclude, &[], "book"));
    assert!(!is_excluded(exclude, &[], "nested"));
    assert!(!is_excluded(exclude, &["nested"], "inner"));
    assert!(is_excluded(exclude, &["nested", "inner"], "id"));
    assert!(!is_excluded(exclude, &["nested", "inner"], "note"));
    assert!(!is_excluded(&[], &[], "book"));
}
