//! Scalar values from query parameters and path variables.

use base64::Engine as _;
use base64::alphabet;
use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

use super::invalid;
use crate::errors::Error;

/// A bool: `true`, `false`, `1`, `0`, `t`, `f`, `TRUE`, `FALSE`, `True`, `False`, `T`, `F`
/// (Go's `strconv.ParseBool`, as grpc-gateway and Kratos accept).
pub fn parse_bool(name: &str, value: &str) -> Result<bool, Error> {
    match value {
        "true" | "TRUE" | "True" | "t" | "T" | "1" => Ok(true),
        "false" | "FALSE" | "False" | "f" | "F" | "0" => Ok(false),
        _ => Err(invalid(name, value, "expected true or false")),
    }
}

macro_rules! integer_parser {
    ($(#[$doc:meta])* $function:ident, $type:ty, $proto:literal) => {
        $(#[$doc])*
        pub fn $function(name: &str, value: &str) -> Result<$type, Error> {
            parse_integer(value).ok_or_else(|| {
                if is_decimal(value) {
                    invalid(name, value, concat!("out of range for ", $proto))
                } else {
                    invalid(name, value, concat!("expected a decimal ", $proto))
                }
            })
        }
    };
}

integer_parser!(
    /// An `int32`, `sint32` or `sfixed32`: decimal, optionally signed, range-checked (`0x10`,
    /// `1e3`, `1.0` and surrounding spaces are errors).
    parse_i32, i32, "int32"
);
integer_parser!(
    /// An `int64`, `sint64` or `sfixed64`: decimal, optionally signed, range-checked.
    parse_i64, i64, "int64"
);
integer_parser!(
    /// A `uint32` or `fixed32`: decimal, range-checked (`-1` is out of range).
    parse_u32, u32, "uint32"
);
integer_parser!(
    /// A `uint64` or `fixed64`: decimal, range-checked.
    parse_u64, u64, "uint64"
);

/// `core`'s integer parsing is decimal-only and range-checked already; it also takes a leading
/// `+`, as Go's `strconv.ParseInt` does (a raw `+` in a query arrives as a space and fails).
fn parse_integer<T: std::str::FromStr>(value: &str) -> Option<T> {
    value.parse().ok()
}

/// Whether `value` looks like an integer, so that a parse failure means "out of range".
fn is_decimal(value: &str) -> bool {
    let digits = value.strip_prefix(['-', '+']).unwrap_or(value);
    !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit())
}

/// A `float`: decimal or exponent notation, `NaN`, `inf`/`Infinity` and their negatives.
/// A finite value too large for `f32` is an error, not infinity.
pub fn parse_f32(name: &str, value: &str) -> Result<f32, Error> {
    parse_float(name, value, "float")
}

/// A `double`: decimal or exponent notation, `NaN`, `inf`/`Infinity` and their negatives.
/// A finite value too large for `f64` is an error, not infinity.
pub fn parse_f64(name: &str, value: &str) -> Result<f64, Error> {
    parse_float(name, value, "double")
}

fn parse_float<T>(name: &str, value: &str, proto: &str) -> Result<T, Error>
where
    T: std::str::FromStr + Into<f64> + Copy,
{
    let parsed: T = value
        .parse()
        .map_err(|_| invalid(name, value, &format!("expected a {proto}")))?;
    let unsigned = value.strip_prefix(['-', '+']).unwrap_or(value);
    let says_infinity =
        unsigned.eq_ignore_ascii_case("inf") || unsigned.eq_ignore_ascii_case("infinity");
    if parsed.into().is_infinite() && !says_infinity {
        return Err(invalid(name, value, &format!("out of range for {proto}")));
    }
    Ok(parsed)
}

/// Padding is optional: many clients send unpadded base64 (RFC 4648 §3.2 allows leaving it
/// out), and it carries no information.
const CONFIG: GeneralPurposeConfig = GeneralPurposeConfig::new()
    .with_decode_padding_mode(DecodePaddingMode::Indifferent)
    .with_decode_allow_trailing_bits(true);
const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, CONFIG);
const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, CONFIG);

/// A `bytes` value: standard base64, else URL-safe base64, each with or without padding.
///
/// Standard base64 in a query must send `+` as `%2B` (a raw `+` is a space): the error says so
/// when it sees a space.
pub fn parse_bytes(name: &str, value: &str) -> Result<Vec<u8>, Error> {
    STANDARD
        .decode(value)
        .or_else(|_| URL_SAFE.decode(value))
        .map_err(|_| {
            let hint = if value.contains(' ') {
                "expected base64 (a '+' in a query must be sent as %2B, or use URL-safe base64)"
            } else {
                "expected standard or URL-safe base64"
            };
            invalid(name, value, hint)
        })
}

/// An enum value: the exact (case-sensitive) value name, else a decimal number that is a defined
/// value. Returns the number, which is what prost stores in enum fields.
///
/// Generated code passes prost's lookups:
///
/// ```
/// # use kratos::transport::http::binding::parse_enum;
/// # #[derive(Clone, Copy, Debug, PartialEq, Eq)]
/// # #[repr(i32)]
/// # enum Status { Unspecified = 0, Active = 1 }
/// # impl Status {
/// #     fn from_str_name(name: &str) -> Option<Self> {
/// #         match name { "STATUS_UNSPECIFIED" => Some(Self::Unspecified), "ACTIVE" => Some(Self::Active), _ => None }
/// #     }
/// # }
/// # impl From<Status> for i32 { fn from(status: Status) -> i32 { status as i32 } }
/// # impl TryFrom<i32> for Status {
/// #     type Error = ();
/// #     fn try_from(n: i32) -> Result<Self, ()> { match n { 0 => Ok(Self::Unspecified), 1 => Ok(Self::Active), _ => Err(()) } }
/// # }
/// let status = parse_enum("status", "ACTIVE", Status::from_str_name, |n| Status::try_from(n).is_ok())?;
/// assert_eq!(status, 1);
/// assert_eq!(parse_enum("status", "1", Status::from_str_name, |n| Status::try_from(n).is_ok())?, 1);
/// assert!(parse_enum("status", "7", Status::from_str_name, |n| Status::try_from(n).is_ok()).is_err());
/// # Ok::<(), kratos::errors::Error>(())
/// ```
pub fn parse_enum<E: Into<i32>>(
    name: &str,
    value: &str,
    from_str_name: impl FnOnce(&str) -> Option<E>,
    is_valid_number: impl FnOnce(i32) -> bool,
) -> Result<i32, Error> {
    if let Some(known) = from_str_name(value) {
        return Ok(known.into());
    }
    match value.parse::<i32>() {
        Ok(number) if is_decimal(value) && is_valid_number(number) => Ok(number),
        _ => Err(invalid(
            name,
            value,
            "expected an enum value name or the number of a defined value",
        )),
    }
}
