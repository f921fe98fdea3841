//! URL building as generated clients use it: path variables and the query.

use crate::errors::Error;
use crate::transport::http::binding::{
    QueryWriter, empty_path_value, matches_pattern, pattern_mismatch, push_path_segment,
    push_path_segments,
};

/// A generated query writer: every populated field of a message not under `exclude`.
pub trait QueryWriterFn<M>:
    Fn(&M, &mut QueryWriter, &str, &[&'static str], &[&[&str]]) -> Result<(), Error>
{
}

impl<M, F> QueryWriterFn<M> for F where
    F: Fn(&M, &mut QueryWriter, &str, &[&'static str], &[&[&str]]) -> Result<(), Error>
{
}

/// A request path starting with the template's leading literal segments, with room for the
/// rest.
pub fn start_path(literal: &str) -> String {
    let mut path = String::with_capacity(literal.len().max(64));
    path.push_str(literal);
    path
}

/// Appends `/` and the value of a single-segment variable (`{name}`), percent-encoded.
///
/// # Errors
///
/// A `400 INVALID_PATH_VALUE` for an empty value, which would make an empty segment: the server
/// drops it (`/v1/items/` is `/v1/items`) and routes elsewhere, or nowhere.
pub fn push_variable(
    path: &mut String,
    value: &str,
    field: &str,
    variable: &str,
) -> Result<(), Error> {
    if value.is_empty() {
        return Err(empty_path_value(field, variable));
    }
    path.push('/');
    push_path_segment(path, value);
    Ok(())
}

/// Appends `/` and the value of a multi-segment or patterned variable (`{name=shelves/*}`),
/// checked against the variable's `pattern` segments first.
///
/// # Errors
///
/// A `400 INVALID_PATH_VALUE` for a value the pattern does not match.
pub fn push_pattern_variable(
    path: &mut String,
    value: &str,
    pattern: &[&str],
    field: &str,
    variable: &str,
) -> Result<(), Error> {
    if !matches_pattern(value, pattern) {
        return Err(pattern_mismatch(field, value, variable));
    }
    path.push('/');
    push_path_segments(path, value);
    Ok(())
}

/// Appends the query string of `message` (fields under `exclude` left out) to `path`.
///
/// # Errors
///
/// A `400` for a field a query cannot carry (repeated messages, maps of messages).
pub fn append_query<M>(
    path: &mut String,
    message: &M,
    exclude: &[&[&str]],
    write: impl QueryWriterFn<M>,
) -> Result<(), Error> {
    let mut query = QueryWriter::new();
    write(message, &mut query, "", &[], exclude)?;
    query.append_to(path);
    Ok(())
}
