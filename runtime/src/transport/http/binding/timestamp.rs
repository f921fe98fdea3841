//! `google.protobuf.Timestamp` from RFC 3339 text.

use prost_types::Timestamp;

use super::invalid;
use crate::errors::Error;

/// `0001-01-01T00:00:00Z`, the earliest Timestamp the proto spec allows.
const MIN_SECONDS: i64 = -62_135_596_800;
/// `9999-12-31T23:59:59Z`, the latest whole second the proto spec allows.
const MAX_SECONDS: i64 = 253_402_300_799;

/// A `Timestamp` in RFC 3339 form: `1972-01-01T10:00:20.021Z`, `2024-05-01T08:00:00+02:00`.
///
/// The date, the `T` (or `t`), the time with seconds and the offset (`Z`, `z` or `±hh:mm`) are
/// required; fractional seconds have 1 to 9 digits. The instant must fall within years
/// 0001..=9999 UTC, as the proto spec requires.
pub fn parse_timestamp(name: &str, value: &str) -> Result<Timestamp, Error> {
    if !has_rfc3339_shape(value.as_bytes()) {
        return Err(invalid(
            name,
            value,
            "expected an RFC 3339 timestamp such as 2006-01-02T15:04:05.999Z",
        ));
    }
    // The shape is strict; prost-types does the calendar arithmetic and checks the date exists.
    let timestamp: Timestamp = value
        .parse()
        .map_err(|_| invalid(name, value, "not a valid date and time"))?;
    if !(MIN_SECONDS..=MAX_SECONDS).contains(&timestamp.seconds) {
        return Err(invalid(
            name,
            value,
            "out of range: timestamps must be within 0001-01-01T00:00:00Z..=9999-12-31T23:59:59.999999999Z",
        ));
    }
    Ok(timestamp)
}

/// `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`, digits where digits belong.
fn has_rfc3339_shape(text: &[u8]) -> bool {
    const DATE_TIME: &[u8; 19] = b"0000-00-00T00:00:00";
    let Some((date_time, rest)) = text.split_at_checked(DATE_TIME.len()) else {
        return false;
    };
    let shape_matches = date_time
        .iter()
        .zip(DATE_TIME)
        .all(|(&byte, &expected)| match expected {
            b'0' => byte.is_ascii_digit(),
            b'T' => byte == b'T' || byte == b't',
            _ => byte == expected,
        });
    if !shape_matches {
        return false;
    }
    let rest = match rest.strip_prefix(b".") {
        Some(fraction) => {
            let digits = fraction
                .iter()
                .take_while(|byte| byte.is_ascii_digit())
                .count();
            if !(1..=9).contains(&digits) {
                return false;
            }
            &fraction[digits..]
        }
        None => rest,
    };
    match rest {
        [b'Z' | b'z'] => true,
        [b'+' | b'-', h1, h2, b':', m1, m2] => {
            [h1, h2, m1, m2].iter().all(|byte| byte.is_ascii_digit())
        }
        _ => false,
    }
}
