//! `google.protobuf.Duration` from its JSON form (`1.5s`) or Go's (`1h30m`).

use prost_types::Duration;

use super::invalid;
use crate::errors::Error;

const NANOS_PER_SECOND: i128 = 1_000_000_000;
/// ±10,000 years, the range the proto spec gives Duration.
const MAX_SECONDS: i128 = 315_576_000_000;
/// Fraction digits past this many cannot change a whole nanosecond of even an hour, and keeping
/// them bounded keeps the arithmetic in `i128`.
const MAX_FRACTION_DIGITS: usize = 18;

/// A `Duration` in the proto3 JSON form (`1.5s`, `-0.000000001s`) or Go's `time.Duration` form
/// (`1h30m`, `300ms`, `1.5h`, `2h45m10.5s`, units `h`, `m`, `s`, `ms`, `us`/`µs`, `ns`), which is
/// what Go Kratos clients send. A sign may lead; `0` needs no unit; every other number needs one.
/// Sub-nanosecond digits are truncated (as Go does); the result must be within ±315576000000s.
pub fn parse_duration(name: &str, value: &str) -> Result<Duration, Error> {
    let nanos = total_nanos(value).ok_or_else(|| {
        invalid(
            name,
            value,
            "expected a duration such as 1.5s, 300ms or 1h30m (units h, m, s, ms, us, ns)",
        )
    })?;
    if nanos.abs() > MAX_SECONDS * NANOS_PER_SECOND + (NANOS_PER_SECOND - 1) {
        return Err(invalid(
            name,
            value,
            "out of range: durations must be within ±315576000000s",
        ));
    }
    // In range, so both parts fit; seconds and nanos share the sign, as the spec requires.
    Ok(Duration {
        seconds: i64::try_from(nanos / NANOS_PER_SECOND).unwrap_or_default(),
        nanos: i32::try_from(nanos % NANOS_PER_SECOND).unwrap_or_default(),
    })
}

/// The signed length of `text` in nanoseconds, or `None` if it is not a duration. Saturates far
/// beyond the allowed range instead of overflowing, so the caller's range check still fires.
fn total_nanos(text: &str) -> Option<i128> {
    let (negative, mut rest) = match text.as_bytes().first()? {
        b'-' => (true, &text[1..]),
        b'+' => (false, &text[1..]),
        _ => (false, text),
    };
    if rest == "0" {
        return Some(0);
    }
    if rest.is_empty() {
        return None;
    }
    let mut total: i128 = 0;
    while !rest.is_empty() {
        let (component, after) = component_nanos(rest)?;
        total = total.saturating_add(component);
        rest = after;
    }
    Some(if negative { -total } else { total })
}

/// One `<number><unit>` at the start of `text`: its nanoseconds and the text after it.
fn component_nanos(text: &str) -> Option<(i128, &str)> {
    let integer_len = text.bytes().take_while(u8::is_ascii_digit).count();
    let (integer, rest) = text.split_at(integer_len);
    let (fraction, rest) = match rest.strip_prefix('.') {
        Some(after_dot) => {
            let fraction_len = after_dot.bytes().take_while(u8::is_ascii_digit).count();
            after_dot.split_at(fraction_len)
        }
        None => ("", rest),
    };
    if integer.is_empty() && fraction.is_empty() {
        return None;
    }
    let unit_len = rest
        .find(|character: char| character.is_ascii_digit() || character == '.')
        .unwrap_or(rest.len());
    let (unit, rest) = rest.split_at(unit_len);
    let scale: i128 = match unit {
        "ns" => 1,
        "us" | "µs" | "μs" => 1_000,
        "ms" => 1_000_000,
        "s" => NANOS_PER_SECOND,
        "m" => 60 * NANOS_PER_SECOND,
        "h" => 3_600 * NANOS_PER_SECOND,
        _ => return None,
    };
    let whole = integer
        .bytes()
        .try_fold(0_i128, |sum, digit| {
            sum.checked_mul(10)?.checked_add(i128::from(digit - b'0'))
        })
        .unwrap_or(i128::MAX)
        .saturating_mul(scale);
    let kept = &fraction[..fraction.len().min(MAX_FRACTION_DIGITS)];
    let numerator = kept
        .bytes()
        .fold(0_i128, |sum, digit| sum * 10 + i128::from(digit - b'0'));
    // At most `MAX_FRACTION_DIGITS` digits times an hour in nanoseconds: no overflow, and the
    // length fits a u32.
    #[allow(clippy::cast_possible_truncation)]
    let part = numerator * scale / 10_i128.pow(kept.len() as u32);
    Some((whole.saturating_add(part), rest))
}
