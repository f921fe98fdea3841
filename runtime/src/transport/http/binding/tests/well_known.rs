use std::collections::BTreeMap;

use prost_types::value::Kind;
use prost_types::{Duration, FieldMask, ListValue, Struct, Timestamp, Value};

use super::check;
use crate::transport::http::binding::{
    parse_duration, parse_field_mask, parse_list_value, parse_struct, parse_timestamp, parse_value,
};

fn ts(seconds: i64, nanos: i32) -> Timestamp {
    Timestamp { seconds, nanos }
}

#[test]
fn timestamps() {
    const SHAPE: &str = "expected an RFC 3339 timestamp";
    const RANGE: &str = "out of range";
    const DATE: &str = "not a valid date and time";
    check(
        parse_timestamp,
        &[
            ("1972-01-01T10:00:20.021Z", Ok(ts(63_108_020, 21_000_000))),
            ("1970-01-01T00:00:00Z", Ok(ts(0, 0))),
            ("1970-01-01t00:00:00z", Ok(ts(0, 0))),
            ("1970-01-01T00:00:00.000000001Z", Ok(ts(0, 1))),
            ("1970-01-01T02:00:00+02:00", Ok(ts(0, 0))),
            ("1969-12-31T19:00:00-05:00", Ok(ts(0, 0))),
            ("1969-12-31T23:59:59.5Z", Ok(ts(-1, 500_000_000))),
            ("2024-02-29T00:00:00Z", Ok(ts(1_709_164_800, 0))),
            ("0001-01-01T00:00:00Z", Ok(ts(-62_135_596_800, 0))),
            (
                "9999-12-31T23:59:59.999999999Z",
                Ok(ts(253_402_300_799, 999_999_999)),
            ),
            ("0001-01-01T00:00:00+00:01", Err(RANGE)),
            ("0000-12-31T23:59:59Z", Err(RANGE)),
            ("9999-12-31T23:59:59-00:01", Err(RANGE)),
            ("2023-02-29T00:00:00Z", Err(DATE)),
            ("2024-13-01T00:00:00Z", Err(DATE)),
            ("2024-01-01T24:00:00Z", Err(DATE)),
            ("2024-01-01T00:60:00Z", Err(DATE)),
            ("1970-01-01T00:00:00.0000000001Z", Err(SHAPE)),
            ("1970-01-01T00:00:00.Z", Err(SHAPE)),
            ("1970-01-01T00:00:00", Err(SHAPE)),
            ("1970-01-01", Err(SHAPE)),
            ("1970-01-01 00:00:00Z", Err(SHAPE)),
            ("1970-1-01T00:00:00Z", Err(SHAPE)),
            ("10000-01-01T00:00:00Z", Err(SHAPE)),
            ("1970-01-01T00:00:00+0200", Err(SHAPE)),
            ("1970-01-01T00:00:00 02:00", Err(SHAPE)),
            ("1970-01-01T00:00Z", Err(SHAPE)),
            ("null", Err(SHAPE)),
            ("", Err(SHAPE)),
            ("1970-01-01T00:00:00Zé", Err(SHAPE)),
        ],
    );
}

fn d(seconds: i64, nanos: i32) -> Duration {
    Duration { seconds, nanos }
}

#[test]
fn durations() {
    const BAD: &str = "expected a duration such as 1.5s";
    const RANGE: &str = "out of range";
    check(
        parse_duration,
        &[
            // proto3 JSON form
            ("1.5s", Ok(d(1, 500_000_000))),
            ("-0.5s", Ok(d(0, -500_000_000))),
            ("1.000340012s", Ok(d(1, 340_012))),
            ("0s", Ok(d(0, 0))),
            ("-1.000000001s", Ok(d(-1, -1))),
            ("315576000000s", Ok(d(315_576_000_000, 0))),
            (
                "315576000000.999999999s",
                Ok(d(315_576_000_000, 999_999_999)),
            ),
            (
                "-315576000000.999999999s",
                Ok(d(-315_576_000_000, -999_999_999)),
            ),
            ("315576000001s", Err(RANGE)),
            ("-315576000001s", Err(RANGE)),
            ("99999999999999999999999999999999999999999999h", Err(RANGE)),
            // Go form
            ("1h30m", Ok(d(5_400, 0))),
            ("300ms", Ok(d(0, 300_000_000))),
            ("1.5h", Ok(d(5_400, 0))),
            ("2h45m10.5s", Ok(d(9_910, 500_000_000))),
            ("13h0m0s", Ok(d(46_800, 0))),
            ("1us", Ok(d(0, 1_000))),
            ("1µs", Ok(d(0, 1_000))),
            ("1μs", Ok(d(0, 1_000))),
            ("7ns", Ok(d(0, 7))),
            ("-1m", Ok(d(-60, 0))),
            ("+2s", Ok(d(2, 0))),
            ("0", Ok(d(0, 0))),
            ("-0", Ok(d(0, 0))),
            (".5s", Ok(d(0, 500_000_000))),
            ("5.s", Ok(d(5, 0))),
            ("1.0000000019s", Ok(d(1, 1))),
            ("0.1ns", Ok(d(0, 0))),
            ("87600000h", Ok(d(315_360_000_000, 0))),
            ("87660001h", Err(RANGE)),
            // Not durations
            ("", Err(BAD)),
            ("5", Err(BAD)),
            ("1", Err(BAD)),
            ("s", Err(BAD)),
            (".s", Err(BAD)),
            ("1d", Err(BAD)),
            ("1 s", Err(BAD)),
            (" 1s", Err(BAD)),
            ("1s ", Err(BAD)),
            ("1S", Err(BAD)),
            ("1hh", Err(BAD)),
            ("--1s", Err(BAD)),
            ("-", Err(BAD)),
            ("1h-5m", Err(BAD)),
            ("1..5s", Err(BAD)),
            ("P1D", Err(BAD)),
        ],
    );
}

fn mask(paths: &[&str]) -> FieldMask {
    FieldMask {
        paths: paths.iter().map(|path| (*path).to_owned()).collect(),
    }
}

#[test]
fn field_masks() {
    const BAD: &str = "is not a field path";
    check(
        parse_field_mask,
        &[
            (
                "user.displayName,photo",
                Ok(mask(&["user.display_name", "photo"])),
            ),
            (
                "user.display_name,photo",
                Ok(mask(&["user.display_name", "photo"])),
            ),
            ("a", Ok(mask(&["a"]))),
            ("", Ok(mask(&[]))),
            ("fooBarBaz.x1Y", Ok(mask(&["foo_bar_baz.x1_y"]))),
            ("a,,b", Err(BAD)),
            ("a,", Err(BAD)),
            ("a..b", Err(BAD)),
            (".a", Err(BAD)),
            ("a b", Err(BAD)),
            ("a-b", Err(BAD)),
            ("a,b*", Err("\"b*\" is not a field path")),
        ],
    );
}

fn number(value: f64) -> Value {
    Value {
        kind: Some(Kind::NumberValue(value)),
    }
}

fn string(value: &str) -> Value {
    Value {
        kind: Some(Kind::StringValue(value.to_owned())),
    }
}

fn null() -> Value {
    Value {
        kind: Some(Kind::NullValue(0)),
    }
}

fn list(values: Vec<Value>) -> ListValue {
    ListValue { values }
}

#[test]
fn structs_and_lists() {
    let object = Struct {
        fields: BTreeMap::from([
            ("a".to_owned(), number(1.0)),
            (
                "b".to_owned(),
                Value {
                    kind: Some(Kind::ListValue(list(vec![null(), string("x")]))),
                },
            ),
            (
                "c".to_owned(),
                Value {
                    kind: Some(Kind::StructValue(Struct::default())),
                },
            ),
            (
                "d".to_owned(),
                Value {
                    kind: Some(Kind::BoolValue(false)),
                },
            ),
        ]),
    };
    check(
        parse_struct,
        &[
            (r#"{"a":1,"b":[null,"x"],"c":{},"d":false}"#, Ok(object)),
            ("{}", Ok(Struct::default())),
            ("[]", Err("expected a JSON object")),
            ("1", Err("expected a JSON object")),
            ("{", Err("invalid JSON: EOF while parsing an object")),
            ("", Err("invalid JSON")),
            (&"[".repeat(200), Err("nested more than 100 levels")),
        ],
    );
    check(
        parse_list_value,
        &[
            (
                r#"[1,"x",null]"#,
                Ok(list(vec![number(1.0), string("x"), null()])),
            ),
            ("[]", Ok(list(vec![]))),
            ("{}", Err("expected a JSON array")),
            ("1,2", Err("invalid JSON")),
        ],
    );
}

#[test]
fn values() {
    check(
        parse_value,
        &[
            ("1.5", Ok(number(1.5))),
            (
                "true",
                Ok(Value {
                    kind: Some(Kind::BoolValue(true)),
                }),
            ),
            ("null", Ok(null())),
            (r#""quoted""#, Ok(string("quoted"))),
            ("hello", Ok(string("hello"))),
            ("", Ok(string(""))),
            (
                "[1]",
                Ok(Value {
                    kind: Some(Kind::ListValue(list(vec![number(1.0)]))),
                }),
            ),
            ("{\"a\":", Ok(string("{\"a\":"))),
        ],
    );
}

/// The binder draws the nesting line where prost does for the same value as a field of the
/// request: a Struct, ListValue or Value field is one level below the request, each dotted
/// component before it one more.
#[test]
fn nesting_stops_where_prost_stops() {
    use prost::Message as _;

    fn objects(levels: usize) -> String {
        format!(
            "{}{{}}{}",
            r#"{"a":"#.repeat(levels - 1),
            "}".repeat(levels - 1)
        )
    }
    fn arrays(levels: usize) -> String {
        format!("{}{}", "[".repeat(levels), "]".repeat(levels))
    }
    fn deep_struct(levels: usize) -> Struct {
        (1..levels).fold(Struct::default(), |inner, _| Struct {
            fields: [(
                "a".to_owned(),
                Value {
                    kind: Some(Kind::StructValue(inner)),
                },
            )]
            .into(),
        })
    }
    fn deep_list(levels: usize) -> ListValue {
        (1..levels).fold(ListValue::default(), |inner, _| {
            list(vec![Value {
                kind: Some(Kind::ListValue(inner)),
            }])
        })
    }
    /// Whether prost decodes `value` as a field one level below the top message.
    fn prost_takes(value: Value) -> bool {
        let bytes = list(vec![value]).encode_to_vec();
        ListValue::decode(bytes.as_slice()).is_ok()
    }
    /// `kind` as a Struct or ListValue field: the Value around it is the top message.
    fn prost_takes_field(kind: Kind) -> bool {
        let bytes = Value { kind: Some(kind) }.encode_to_vec();
        Value::decode(bytes.as_slice()).is_ok()
    }

    let mut seen = (0, 0);
    for levels in 30..40 {
        let parsed = parse_struct("s", &objects(levels));
        let fits = prost_takes_field(Kind::StructValue(deep_struct(levels)));
        assert_eq!(parsed.is_ok(), fits, "{levels} objects");
        match parsed {
            Ok(_) => seen.0 += 1,
            Err(error) => {
                seen.1 += 1;
                assert!(
                    error.message().contains("nested more than 100 levels"),
                    "{error}"
                );
            }
        }
    }
    for levels in 45..55 {
        let text = arrays(levels);
        let fits = prost_takes_field(Kind::ListValue(deep_list(levels)));
        assert_eq!(
            parse_list_value("l", &text).is_ok(),
            fits,
            "{levels} arrays"
        );
        let fits = prost_takes(Value {
            kind: Some(Kind::ListValue(deep_list(levels))),
        });
        assert_eq!(
            parse_value("v", &text).is_ok(),
            fits,
            "{levels} arrays in a Value"
        );
    }
    // Both sides of the line were crossed.
    assert!(seen.0 > 0 && seen.1 > 0, "{seen:?}");
    // One dotted component further down, one level less to spare.
    assert!(parse_struct("s", &objects(34)).is_ok());
    assert!(parse_struct("m.s", &objects(34)).is_err());
}
