//! Keeping text built from request data to a bounded size: a 1 MB unknown key echoed into an
//! error message, or a huge request summarized into a log line, must not become a 1 MB answer
//! or a 1 MB log line.

use std::borrow::Cow;

/// The most bytes of an error message the runtime builds from request data (a decoding or
/// binding error, a validation error, a `404` naming the path); the rest is cut and the cut
/// said. Messages a handler writes are never cut.
pub const MAX_REQUEST_ERROR_MESSAGE: usize = 4096;

/// `text` cut to at most `max` bytes (on a character boundary), with the cut said at the end:
/// `…(1048576 more bytes)`. The note comes on top of `max`.
pub(crate) fn truncated(text: &str, max: usize) -> Cow<'_, str> {
    if text.len() <= max {
        return Cow::Borrowed(text);
    }
    let mut cut = max;
    // At most three steps back: a UTF-8 character is at most four bytes.
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    Cow::Owned(format!(
        "{}…({} more bytes)",
        &text[..cut],
        text.len() - cut
    ))
}

/// [`truncated`] for an owned message, at [`MAX_REQUEST_ERROR_MESSAGE`].
pub(crate) fn bounded_message(text: String) -> String {
    match truncated(&text, MAX_REQUEST_ERROR_MESSAGE) {
        Cow::Borrowed(_) => text,
        Cow::Owned(cut) => cut,
    }
}

#[cfg(test)]
mod tests {
    use super::truncated;

    #[test]
    fn cuts_on_a_character_boundary_and_says_how_much() {
        assert_eq!(truncated("short", 10), "short");
        assert_eq!(truncated("abcdef", 3), "abc…(3 more bytes)");
        // "é" is two bytes: a cut inside it moves back before it.
        assert_eq!(truncated("aé", 2), "a…(2 more bytes)");
        let huge = "k".repeat(1 << 20);
        assert!(truncated(&huge, 4096).len() < 4200);
    }
}
