//! Go's duration syntax (`time.ParseDuration`), which Kratos configs and protojson write:
//! `1s`, `500ms`, `1m30s`, `1.5h`, `0`.

use std::time::Duration;

/// Parses a Go duration: one or more `<number><unit>` with units `ns`, `us` (or `µs`), `ms`,
/// `s`, `m`, `h`; decimals allowed (`1.5s`); a lone `0` is zero. Negative durations are refused
/// (a `std::time::Duration` cannot hold them).
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid =
        || format!("invalid duration {text:?}: expected a duration like 1s, 500ms or 1m30s");
    let mut rest = text.trim();
    if let Some(unsigned) = rest.strip_prefix('+') {
        rest = unsigned;
    } else if rest.starts_with('-') {
        return Err(format!(
            "invalid duration {text:?}: negative durations are not allowed"
        ));
    }
    if rest == "0" {
        return Ok(Duration::ZERO);
    }
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let number_end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .ok_or_else(invalid)?;
        let (number, after) = rest.split_at(number_end);
        let unit_end = after
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(after.len());
        let (unit, next) = after.split_at(unit_end);
        let nanos_per_unit: f64 = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            _ => return Err(invalid()),
        };
        if number.is_empty() || number == "." {
            return Err(invalid());
        }
        let value: f64 = number.parse().map_err(|_| invalid())?;
        let nanos = value * nanos_per_unit;
        // u64 nanoseconds hold about 584 years; beyond that the text is surely a mistake.
        if !nanos.is_finite() || nanos >= u64::MAX as f64 {
            return Err(format!("invalid duration {text:?}: too long"));
        }
        total = total
            .checked_add(Duration::from_nanos(nanos.round() as u64))
            .ok_or_else(|| format!("invalid duration {text:?}: too long"))?;
        rest = next;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_durations() {
        assert_eq!(parse_duration("1s"), Ok(Duration::from_secs(1)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1m30s"), Ok(Duration::from_secs(90)));
        assert_eq!(parse_duration("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(
            parse_duration("2h45m0.5s"),
            Ok(Duration::from_millis(9_900_500))
        );
        assert_eq!(parse_duration("10us"), Ok(Duration::from_micros(10)));
        assert_eq!(parse_duration("7ns"), Ok(Duration::from_nanos(7)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        assert_eq!(parse_duration("+3s"), Ok(Duration::from_secs(3)));
    }

    #[test]
    fn refuses_what_go_refuses() {
        for bad in ["", "1", "s", "1x", "1s2", ".s", "-1s", "1 s", "1e3s"] {
            let error = parse_duration(bad).expect_err(bad);
            assert!(error.contains("duration"), "{bad}: {error}");
        }
        assert!(
            parse_duration("9999999999h")
                .unwrap_err()
                .contains("too long")
        );
    }
}
