//! Floating-point numbers spelled as Go's protojson spells them.
//!
//! protojson (`google.golang.org/protobuf/internal/encoding/json`, `appendFloat`) writes a
//! finite float with `strconv.AppendFloat(n, fmt, -1, bitSize)`: the shortest digits that read
//! back to the same `float`/`double`, in plain decimal (`'f'`) when the magnitude is zero or in
//! `[1e-6, 1e21)` (compared in `float32` for `float` fields) and in exponent form (`'e'`)
//! otherwise; the exponent carries its sign and no leading zero (`1e+21`, `1e-7`, `1e-300`).
//! So `1.0` is `1`, `1e20` is `100000000000000000000`, `-0.0` is `-0` and `f32::MAX` is
//! `3.4028235e+38`. Writing the same bytes as Go Kratos keeps caches, signatures and golden
//! files in agreement across languages.

use std::io;

use serde_json::ser::Formatter;

/// serde_json's compact output (the trait's defaults), with floats spelled as protojson spells
/// them.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ProtoJsonFormatter;

impl Formatter for ProtoJsonFormatter {
    fn write_f32<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f32) -> io::Result<()> {
        let abs = value.abs();
        let exponent = abs != 0.0 && !(1e-6..1e21).contains(&abs);
        write_float(writer, value, exponent)
    }

    fn write_f64<W: ?Sized + io::Write>(&mut self, writer: &mut W, value: f64) -> io::Result<()> {
        let abs = value.abs();
        let exponent = abs != 0.0 && !(1e-6..1e21).contains(&abs);
        write_float(writer, value, exponent)
    }
}

/// Writes `value` (finite: serde_json writes non-finite values as `null` without asking) in
/// Rust's shortest round-trip digits, which are the digits Go's `-1` precision picks.
fn write_float<W, F>(writer: &mut W, value: F, exponent: bool) -> io::Result<()>
where
    W: ?Sized + io::Write,
    F: std::fmt::Display + std::fmt::LowerExp,
{
    if !exponent {
        // Rust's `Display` for floats never uses an exponent: Go's 'f'.
        return write!(writer, "{value}");
    }
    // `{:e}` gives `1e21`, `1.5e-7`: Go's 'e' has a signed exponent.
    let text = format!("{value:e}");
    match text.split_once('e') {
        Some((mantissa, power)) if !power.starts_with('-') => {
            write!(writer, "{mantissa}e+{power}")
        }
        _ => writer.write_all(text.as_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use serde::Serialize;

    use super::*;

    fn spelled<T: Serialize>(value: T) -> String {
        let mut out = Vec::new();
        value
            .serialize(&mut serde_json::Serializer::with_formatter(
                &mut out,
                ProtoJsonFormatter,
            ))
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    /// What Go's protojson writes for each `double`, from its `appendFloat` rules.
    #[test]
    fn doubles_are_spelled_as_protojson_spells_them() {
        let table: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (-1.0, "-1"),
            (1.5, "1.5"),
            (0.1, "0.1"),
            (100.0, "100"),
            (1e20, "100000000000000000000"),
            (123_456_789_012_345_680_000.0, "123456789012345680000"),
            (1e21, "1e+21"),
            (-1e21, "-1e+21"),
            (1.5e300, "1.5e+300"),
            (f64::MAX, "1.7976931348623157e+308"),
            (1e-6, "0.000001"),
            (1.5e-6, "0.0000015"),
            (9.99e-7, "9.99e-7"),
            (1e-7, "1e-7"),
            (1e-10, "1e-10"),
            (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
            (5e-324, "5e-324"),
            (9_007_199_254_740_993.0, "9007199254740992"),
        ];
        for &(value, go) in table {
            assert_eq!(spelled(value), go, "{value:e}");
        }
    }

    /// `float` uses the shortest digits of the `float32` and compares in `float32`.
    #[test]
    fn floats_are_spelled_as_protojson_spells_them() {
        let table: &[(f32, &str)] = &[
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (0.1, "0.1"),
            (1e20, "100000000000000000000"),
            (1e21, "1e+21"),
            (f32::MAX, "3.4028235e+38"),
            (f32::MIN, "-3.4028235e+38"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (f32::MIN_POSITIVE, "1.1754944e-38"),
            (16_777_217.0, "16777216"),
        ];
        for &(value, go) in table {
            assert_eq!(spelled(value), go, "{value:e}");
        }
    }

    #[test]
    fn other_values_are_compact_json() {
        assert_eq!(
            spelled(serde_json::json!({"a": [1, "x", null, true], "b": 2.5})),
            r#"{"a":[1,"x",null,true],"b":2.5}"#
        );
        assert_eq!(spelled(f64::NAN), "null");
    }
}
