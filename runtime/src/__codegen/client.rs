//! URL building as generated clients use it: path variables and the query.

use super::route::Route;
use crate::encoding::HttpMessage;
use crate::errors::Error;
use crate::transport::ReplyStream;
use crate::transport::http::binding::{
    QueryWriter, empty_path_value, matches_pattern, pattern_mismatch, push_path_segment,
    push_path_segments,
};
use crate::transport::http::client::{Codec, erase};
use crate::transport::http::{Call, CallOptions, Client, ReplyFuture};

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
/// checked against the variable's pattern (`shelves/*`) first.
///
/// # Errors
///
/// A `400 INVALID_PATH_VALUE` for a value the pattern does not match.
pub fn push_pattern(
    path: &mut String,
    value: &str,
    field: &str,
    variable: &str,
) -> Result<(), Error> {
    if !matches_pattern(value, variable) {
        return Err(pattern_mismatch(field, value, variable));
    }
    path.push('/');
    push_path_segments(path, value);
    Ok(())
}

/// Sends a unary call on `route`, its first HTTP binding: the URL from the request's fields,
/// the body and reply as the rule maps them; `options` `None` for the client's settings.
pub fn call<'a, Req, Rep>(
    client: &'a Client,
    route: &'static Route<Req>,
    request: Req,
    options: impl Into<Option<CallOptions>>,
) -> ReplyFuture<'a, Rep>
where
    Req: HttpMessage + Send + 'static,
    Rep: HttpMessage + Default + Send + 'static,
{
    match call_of(route, request, options.into()) {
        Ok(call) => {
            ReplyFuture::erased(client.invoke_message(erase(call), Codec::of::<Req, Rep>()))
        }
        Err(error) => ReplyFuture::failed(error),
    }
}

/// Opens a server-streaming call on `route`, as [`call`] does a unary one.
pub fn call_stream<'a, Req, Rep>(
    client: &'a Client,
    route: &'static Route<Req>,
    request: Req,
    options: impl Into<Option<CallOptions>>,
) -> ReplyFuture<'a, ReplyStream<Rep>>
where
    Req: HttpMessage + Send + 'static,
    Rep: HttpMessage + Default + Send + 'static,
{
    match call_of(route, request, options.into()) {
        Ok(call) => ReplyFuture::new(client.invoke_stream(call)),
        Err(error) => ReplyFuture::failed(error),
    }
}

/// The call of `request` on `route`: its URL expanded and encoded.
fn call_of<Req>(
    route: &'static Route<Req>,
    request: Req,
    options: Option<CallOptions>,
) -> Result<Call<Req>, Error> {
    let mut path = match route.write_path {
        Some(write_path) => write_path(&request)?,
        None => route.template.to_owned(),
    };
    if let Some(write_query) = route.write_query {
        let mut query = QueryWriter::new();
        write_query(&request, &mut query, "", &[], route.exclude)?;
        query.append_to(&mut path);
    }
    Ok(Call {
        operation: route.operation,
        // A custom rule of kind `*` accepts any method.
        method: if route.method == "*" {
            "POST"
        } else {
            route.method
        },
        path_template: route.template,
        path_and_query: path,
        request,
        body: route.call_body(),
        response_body: route.response_field(),
        options: options.unwrap_or_default(),
    })
}
