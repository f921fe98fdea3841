#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod error;
mod parser;
mod template;

pub use error::TemplateError;
pub use template::{PathTemplate, Segment, Variable};

#[cfg(test)]
mod tests;
