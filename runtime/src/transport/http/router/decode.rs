//! Percent-decoding of bound path values, as `google/api/http.proto` and
//! grpc-httpjson-transcoding (its default `UrlUnescapeSpec`) do it.
//!
//! Single-segment variables are decoded fully, `%2F` included. Multi-segment
//! variables keep the RFC 6570 reserved characters encoded, with their
//! original hex case, so that an encoded `/` stays distinguishable from a
//! segment separator. `+` is never a space in a path. Decoding is byte-wise;
//! the caller checks that the result is UTF-8.

/// Whether reserved characters stay encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Decoding {
    /// Decode every escape (single-segment variables).
    Full,
    /// Keep escapes of `! # $ & ' ( ) * + , / : ; = ? @ [ ]` (multi-segment variables).
    KeepReserved,
}

/// Appends the decoded bytes of `raw` to `out`.
///
/// # Errors
///
/// The first malformed escape (`%zz`, a trailing `%2`), as written.
pub(super) fn decode_into(raw: &str, decoding: Decoding, out: &mut Vec<u8>) -> Result<(), String> {
    let bytes = raw.as_bytes();
    let mut rest = bytes;
    while let Some(percent) = rest.iter().position(|&b| b == b'%') {
        out.extend_from_slice(&rest[..percent]);
        let escape = &rest[percent..];
        let Some(value) = escape.get(1..3).and_then(hex_pair) else {
            let at = bytes.len() - escape.len();
            return Err(raw.get(at..).unwrap_or_default().chars().take(3).collect());
        };
        if decoding == Decoding::KeepReserved && is_reserved(value) {
            out.extend_from_slice(&escape[..3]);
        } else {
            out.push(value);
        }
        rest = &escape[3..];
    }
    out.extend_from_slice(rest);
    Ok(())
}

fn hex_pair(pair: &[u8]) -> Option<u8> {
    match pair {
        [high, low] => Some((hex_digit(*high)? << 4) | hex_digit(*low)?),
        _ => None,
    }
}

fn hex_digit(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'a'..=b'f' => Some(b - b'a' + 10),
        b'A'..=b'F' => Some(b - b'A' + 10),
        _ => None,
    }
}

/// The RFC 6570 reserved set (gen-delims and sub-delims).
fn is_reserved(b: u8) -> bool {
    matches!(
        b,
        b'!' | b'#'
            | b'$'
            | b'&'
            | b'\''
            | b'('
            | b')'
            | b'*'
            | b'+'
            | b','
            | b'/'
            | b':'
            | b';'
            | b'='
            | b'?'
            | b'@'
            | b'['
            | b']'
    )
}

#[cfg(test)]
mod tests {
    use super::{Decoding, decode_into};

    fn decode(raw: &str, decoding: Decoding) -> Result<Vec<u8>, String> {
        let mut out = Vec::new();
        decode_into(raw, decoding, &mut out).map(|()| out)
    }

    #[test]
    fn full_decoding_decodes_everything() {
        let decoded = decode("p%20q%2Fr+%2f%E4%B8%AD", Decoding::Full);
        assert_eq!(decoded.as_deref(), Ok("p q/r+/中".as_bytes()));
    }

    #[test]
    fn reserved_escapes_stay_as_written() {
        let raw = "%21%23%24%26%27%28%29%2A%2B%2C%2F%3A%3B%3D%3F%40%5B%5D%2f%3a";
        assert_eq!(
            decode(raw, Decoding::KeepReserved).as_deref(),
            Ok(raw.as_bytes())
        );
        let decoded = decode("a%2Fb%20c%7E%e4%b8%ad", Decoding::KeepReserved);
        assert_eq!(decoded.as_deref(), Ok("a%2Fb c~中".as_bytes()));
    }

    #[test]
    fn malformed_escapes_are_named() {
        assert_eq!(decode("a%zzb", Decoding::Full), Err("%zz".to_owned()));
        assert_eq!(decode("ab%2", Decoding::Full), Err("%2".to_owned()));
        assert_eq!(decode("ab%", Decoding::KeepReserved), Err("%".to_owned()));
        assert_eq!(decode("%41%g1", Decoding::Full), Err("%g1".to_owned()));
    }

    #[test]
    fn bytes_are_decoded_one_by_one() {
        assert_eq!(decode("%FF%fe", Decoding::Full), Ok(vec![0xFF, 0xFE]));
    }
}
