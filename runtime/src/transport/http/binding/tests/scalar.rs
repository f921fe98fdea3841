use super::check;
use crate::transport::http::binding::{
    parse_bool, parse_bytes, parse_enum, parse_f32, parse_f64, parse_i32, parse_i64, parse_u32,
    parse_u64,
};

const NOT_DECIMAL: &str = "expected a decimal";
const RANGE: &str = "out of range";

#[test]
fn bools() {
    let mut table: Vec<(&str, Result<bool, &str>)> = ["true", "TRUE", "True", "t", "T", "1"]
        .into_iter()
        .map(|input| (input, Ok(true)))
        .chain(
            ["false", "FALSE", "False", "f", "F", "0"]
                .into_iter()
                .map(|input| (input, Ok(false))),
        )
        .collect();
    for bad in ["", "yes", "tRUE", "2", " true", "on"] {
        table.push((bad, Err("expected true or false")));
    }
    check(parse_bool, &table);
}

#[test]
fn int32() {
    check(
        parse_i32,
        &[
            ("0", Ok(0)),
            ("-0", Ok(0)),
            ("42", Ok(42)),
            ("007", Ok(7)),
            ("+5", Ok(5)),
            ("2147483647", Ok(i32::MAX)),
            ("-2147483648", Ok(i32::MIN)),
            ("2147483648", Err(RANGE)),
            ("-2147483649", Err(RANGE)),
            ("99999999999999999999999", Err(RANGE)),
            (" 5", Err(NOT_DECIMAL)),
            ("5 ", Err(NOT_DECIMAL)),
            ("0x10", Err(NOT_DECIMAL)),
            ("1e3", Err(NOT_DECIMAL)),
            ("1.0", Err(NOT_DECIMAL)),
            ("", Err(NOT_DECIMAL)),
            ("-", Err(NOT_DECIMAL)),
            (
                "abc",
                Err("invalid value \"abc\" for field \"the.field\": expected a decimal int32"),
            ),
            ("１", Err(NOT_DECIMAL)),
        ],
    );
}

#[test]
fn int64() {
    check(
        parse_i64,
        &[
            ("9223372036854775807", Ok(i64::MAX)),
            ("-9223372036854775808", Ok(i64::MIN)),
            ("9223372036854775808", Err("out of range for int64")),
            ("-9223372036854775809", Err(RANGE)),
            ("1_000", Err(NOT_DECIMAL)),
        ],
    );
}

#[test]
fn uint32() {
    check(
        parse_u32,
        &[
            ("0", Ok(0)),
            ("4294967295", Ok(u32::MAX)),
            ("4294967296", Err("out of range for uint32")),
            ("-1", Err(RANGE)),
            ("-0", Err(RANGE)),
            ("+1", Ok(1)),
        ],
    );
}

#[test]
fn uint64() {
    check(
        parse_u64,
        &[
            ("18446744073709551615", Ok(u64::MAX)),
            ("18446744073709551616", Err("out of range for uint64")),
            ("-1", Err(RANGE)),
            ("0x1", Err(NOT_DECIMAL)),
        ],
    );
}

#[test]
fn floats() {
    check(
        parse_f64,
        &[
            ("1.5", Ok(1.5)),
            ("-0.25", Ok(-0.25)),
            ("1e3", Ok(1000.0)),
            (".5", Ok(0.5)),
            ("5", Ok(5.0)),
            ("inf", Ok(f64::INFINITY)),
            ("-inf", Ok(f64::NEG_INFINITY)),
            ("Infinity", Ok(f64::INFINITY)),
            ("-Infinity", Ok(f64::NEG_INFINITY)),
            ("+Infinity", Ok(f64::INFINITY)),
            ("1.7976931348623157e308", Ok(f64::MAX)),
            ("1e309", Err("out of range for double")),
            ("-1e309", Err(RANGE)),
            ("1e-400", Ok(0.0)),
            ("", Err("expected a double")),
            ("abc", Err("expected a double")),
            (" 1", Err("expected a double")),
            ("0x1p3", Err("expected a double")),
            ("1,5", Err("expected a double")),
        ],
    );
    check(
        parse_f32,
        &[
            ("1.5", Ok(1.5)),
            ("3.4028235e38", Ok(f32::MAX)),
            ("1e39", Err("out of range for float")),
            ("-1e39", Err(RANGE)),
            ("inf", Ok(f32::INFINITY)),
            ("-Infinity", Ok(f32::NEG_INFINITY)),
            ("x", Err("expected a float")),
        ],
    );
    for nan in ["NaN", "nan"] {
        assert!(parse_f64("f", nan).expect(nan).is_nan());
        assert!(parse_f32("f", nan).expect(nan).is_nan());
    }
}

#[test]
fn bytes() {
    check(
        parse_bytes,
        &[
            ("aGkh", Ok(b"hi!".to_vec())),
            ("aGk=", Ok(b"hi".to_vec())),
            ("aGk", Ok(b"hi".to_vec())),
            ("", Ok(Vec::new())),
            ("+/8=", Ok(vec![0xfb, 0xff])),
            ("-_8=", Ok(vec![0xfb, 0xff])),
            ("-_8", Ok(vec![0xfb, 0xff])),
            ("+_8=", Err("expected standard or URL-safe base64")),
            ("!!!", Err("expected standard or URL-safe base64")),
            ("aGk==", Err("base64")),
            ("a", Err("base64")),
            (" /8=", Err("a '+' in a query must be sent as %2B")),
        ],
    );
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Status {
    Unspecified = 0,
    Active = 1,
    Gone = -3,
}

impl Status {
    fn from_str_name(name: &str) -> Option<Self> {
        match name {
            "STATUS_UNSPECIFIED" => Some(Self::Unspecified),
            "ACTIVE" => Some(Self::Active),
            "GONE" => Some(Self::Gone),
            _ => None,
        }
    }
}

impl From<Status> for i32 {
    fn from(status: Status) -> i32 {
        status as i32
    }
}

impl TryFrom<i32> for Status {
    type Error = ();

    fn try_from(number: i32) -> Result<Self, ()> {
        [Self::Unspecified, Self::Active, Self::Gone]
            .into_iter()
            .find(|status| *status as i32 == number)
            .ok_or(())
    }
}

#[test]
fn enums() {
    let parse = |name: &str, value: &str| {
        parse_enum(name, value, Status::from_str_name, |number| {
            Status::try_from(number).is_ok()
        })
    };
    const BAD: &str = "expected an enum value name or the number of a defined value";
    check(
        parse,
        &[
            ("ACTIVE", Ok(1)),
            ("GONE", Ok(-3)),
            ("STATUS_UNSPECIFIED", Ok(0)),
            ("1", Ok(1)),
            ("-3", Ok(-3)),
            ("0", Ok(0)),
            ("2", Err(BAD)),
            ("active", Err(BAD)),
            ("Active", Err(BAD)),
            ("", Err(BAD)),
            ("1.0", Err(BAD)),
            (" 1", Err(BAD)),
            ("99999999999", Err(BAD)),
        ],
    );
}
