//! What an error message can be built from.

use std::borrow::Cow;
use std::fmt;

/// Text that can become an error message: `&str`, `String`, or
/// `format_args!(...)` (so `error_x(format_args!("user {id}"))` reads like
/// Kratos' `ErrorX("user %d", id)`).
pub trait IntoMessage {
    /// The message text.
    fn into_message(self) -> String;
}

impl IntoMessage for &str {
    fn into_message(self) -> String {
        self.to_owned()
    }
}

impl IntoMessage for String {
    fn into_message(self) -> String {
        self
    }
}

impl IntoMessage for &String {
    fn into_message(self) -> String {
        self.clone()
    }
}

impl IntoMessage for Box<str> {
    fn into_message(self) -> String {
        self.into()
    }
}

impl IntoMessage for Cow<'_, str> {
    fn into_message(self) -> String {
        self.into_owned()
    }
}

impl IntoMessage for fmt::Arguments<'_> {
    fn into_message(self) -> String {
        // `fmt::format` copies a plain literal (`format_args!("text")`) without
        // running the formatting machinery.
        fmt::format(self)
    }
}
