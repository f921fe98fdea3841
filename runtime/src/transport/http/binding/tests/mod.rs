//! Tests of the binding helpers: every parser's valid, invalid and edge inputs, the query
//! splitter and `SeenFields`.

mod query;
mod scalar;
mod seen;
mod well_known;

use std::fmt::Debug;

use crate::errors::Error;

/// Checks a parser against `(input, Ok(expected) | Err(substring of the message))` rows, and that
/// every error is a `400 CODEC` naming the field.
#[track_caller]
fn check<T: Debug + PartialEq>(
    parse: impl Fn(&str, &str) -> Result<T, Error>,
    table: &[(&str, Result<T, &str>)],
) {
    let mut failures = Vec::new();
    for (input, expected) in table {
        match (parse("the.field", input), expected) {
            (Ok(got), Ok(want)) if got == *want => {}
            (Err(error), Err(want))
                if (error.code(), error.reason()) == (400, "CODEC")
                    && error.message().contains(want)
                    && error.message().contains("\"the.field\"") => {}
            (got, want) => failures.push(format!(
                "{input:?}: got {:?}, expected {want:?}",
                got.map_err(|error| format!(
                    "{} {} {}",
                    error.code(),
                    error.reason(),
                    error.message()
                ))
            )),
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}
