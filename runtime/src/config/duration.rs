//! Go's duration syntax (`time.ParseDuration`), which Kratos configs and protojson write:
//! `1s`, `500ms`, `1m30s`, `1.5h`, `0`.

use std::time::Duration;

use crate::transport::http::binding;

/// Parses a Go duration: one or more `<number><unit>` with units `ns`, `us` (or `µs`), `ms`,
/// `s`, `m`, `h`; decimals allowed (`1.5s`); a lone `0` is zero. The parsing is the HTTP
/// binding's (the same text a Go Kratos client sends); negative durations are refused here, as
/// a `std::time::Duration` cannot hold them.
pub(crate) fn parse_duration(text: &str) -> Result<Duration, String> {
    let parsed = binding::parse_duration("", text.trim()).map_err(|_| {
        format!("invalid duration {text:?}: expected a duration like 1s, 500ms or 1m30s")
    })?;
    match (u64::try_from(parsed.seconds), u32::try_from(parsed.nanos)) {
        (Ok(seconds), Ok(nanos)) => Ok(Duration::new(seconds, nanos)),
        _ => Err(format!(
            "invalid duration {text:?}: negative durations are not allowed"
        )),
    }
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
        assert!(parse_duration("-1s").unwrap_err().contains("negative"));
        // Beyond the ±10,000 years protobuf allows.
        assert!(
            parse_duration("99999999999h")
                .unwrap_err()
                .contains("like 1s")
        );
    }
}
