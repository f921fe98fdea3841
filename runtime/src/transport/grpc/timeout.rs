//! The `grpc-timeout` header: `<digits><unit>`, at most 8 digits, unit one of `H M S m u n`.

use std::time::Duration;

use http::HeaderMap;

/// The deadline the client asked for, if it sent a valid `grpc-timeout`.
pub(super) fn client_timeout(headers: &HeaderMap) -> Option<Duration> {
    // `to_str` succeeds only for visible ASCII, so the last byte is a character boundary.
    let text = headers.get("grpc-timeout")?.to_str().ok()?;
    let (digits, unit) = text.split_at(text.len().checked_sub(1)?);
    if digits.is_empty() || digits.len() > 8 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let value: u64 = digits.parse().ok()?;
    Some(match unit {
        "H" => Duration::from_secs(value * 3600),
        "M" => Duration::from_secs(value * 60),
        "S" => Duration::from_secs(value),
        "m" => Duration::from_millis(value),
        "u" => Duration::from_micros(value),
        "n" => Duration::from_nanos(value),
        _ => return None,
    })
}

/// `grpc-timeout` for `timeout`, in the largest unit that keeps it within 8 digits.
pub(super) fn header_value(timeout: Duration) -> String {
    let nanos = timeout.as_nanos();
    for (unit, per) in [
        ("n", 1),
        ("u", 1_000),
        ("m", 1_000_000),
        ("S", 1_000_000_000),
    ] {
        let value = nanos.div_ceil(per);
        if value < 100_000_000 {
            return format!("{value}{unit}");
        }
    }
    format!("{}M", nanos.div_ceil(60_000_000_000).min(99_999_999))
}

/// The shorter of the server's limit and the client's deadline.
pub(super) fn effective(server: Option<Duration>, headers: &HeaderMap) -> Option<Duration> {
    match (server, client_timeout(headers)) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("grpc-timeout", value.parse().unwrap());
        headers
    }

    #[test]
    fn parses_every_unit_and_rejects_the_rest() {
        assert_eq!(client_timeout(&headers("2S")), Some(Duration::from_secs(2)));
        assert_eq!(
            client_timeout(&headers("1H")),
            Some(Duration::from_secs(3600))
        );
        assert_eq!(
            client_timeout(&headers("3M")),
            Some(Duration::from_secs(180))
        );
        assert_eq!(
            client_timeout(&headers("250m")),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            client_timeout(&headers("7u")),
            Some(Duration::from_micros(7))
        );
        assert_eq!(
            client_timeout(&headers("9n")),
            Some(Duration::from_nanos(9))
        );
        for bad in ["", "S", "1x", "123456789S", "-1S", "1.5S", "中"] {
            assert_eq!(client_timeout(&headers(bad)), None, "{bad}");
        }
        assert_eq!(client_timeout(&HeaderMap::new()), None);
    }

    #[test]
    fn writes_values_it_reads_back() {
        for timeout in [
            Duration::from_nanos(5),
            Duration::from_millis(1500),
            Duration::from_secs(2),
            Duration::from_secs(86_400 * 365),
        ] {
            let value = header_value(timeout);
            let back = client_timeout(&headers(&value)).unwrap();
            assert!(back >= timeout, "{timeout:?} -> {value} -> {back:?}");
        }
    }

    #[test]
    fn the_shorter_deadline_wins() {
        let server = Some(Duration::from_secs(1));
        assert_eq!(
            effective(server, &headers("100m")),
            Some(Duration::from_millis(100))
        );
        assert_eq!(effective(server, &headers("5S")), server);
        assert_eq!(
            effective(None, &headers("5S")),
            Some(Duration::from_secs(5))
        );
        assert_eq!(effective(server, &HeaderMap::new()), server);
    }
}
