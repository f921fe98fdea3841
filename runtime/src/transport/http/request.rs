//! What a generated route handler works with.

use std::future::Future;
use std::sync::Arc;

use bytes::Bytes;
use http::header::CONTENT_TYPE;

use super::Response;
use super::binding::{QueryPair, QueryPairs};
use super::router::PathParams;
use super::service::Shared;
use super::stream::{StreamReply, accept_of};
use crate::encoding::{Format, HttpMessage, ReflectMessage, ReplyFormat};
use crate::errors::Error;
use crate::errors::reasons;
use crate::middleware::{Chain, Message, typed};
use crate::transport::Context;

/// A matched request, as generated route handlers see it: path values, query,
/// body, the call context, and the server's codecs and middleware.
pub struct RouteRequest {
    ctx: Context,
    method: http::Method,
    uri: http::Uri,
    params: PathParams,
    body: Bytes,
    accept: ReplyFormat,
    shared: Arc<Shared>,
    /// The route's index in `shared.sites`.
    site: usize,
}

impl std::fmt::Debug for RouteRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RouteRequest")
            .field("method", &self.method)
            .field("uri", &self.uri)
            .field("operation", &self.ctx.operation())
            .finish_non_exhaustive()
    }
}

impl RouteRequest {
    pub(crate) fn new(
        ctx: Context,
        parts: http::request::Parts,
        params: PathParams,
        body: Bytes,
        accept: ReplyFormat,
        shared: Arc<Shared>,
        site: usize,
    ) -> Self {
        Self {
            ctx,
            method: parts.method,
            uri: parts.uri,
            params,
            body,
            accept,
            shared,
            site,
        }
    }

    /// The call context.
    pub fn context(&self) -> &Context {
        &self.ctx
    }

    /// The request method.
    pub fn method(&self) -> &http::Method {
        &self.method
    }

    /// The request URI.
    pub fn uri(&self) -> &http::Uri {
        &self.uri
    }

    /// The decoded value of the template's `index`-th variable.
    pub fn path_value(&self, index: usize) -> &str {
        self.params.get(index).unwrap_or_default()
    }

    /// The query string's pairs, decoded.
    pub fn query_pairs(&self) -> QueryPairs<'_> {
        QueryPairs::new(self.uri.query().unwrap_or_default())
    }

    /// The request body.
    pub fn body(&self) -> &[u8] {
        &self.body
    }

    /// The body's format from `Content-Type` (JSON when absent); 415 when unsupported.
    pub fn body_format(&self) -> Result<Format, Error> {
        let content_type = self
            .ctx
            .request_headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok());
        Format::from_content_type(content_type)
    }

    /// Decodes the body into `target` (rules with `body: "*"`); form bodies go
    /// through `bind_form`, the same generated binder as the query.
    pub fn decode_body<M: HttpMessage>(
        &self,
        target: &mut M,
        mut bind_form: impl FnMut(&mut M, &QueryPair<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        if self.body.is_empty() {
            return Ok(());
        }
        match self.body_format()? {
            Format::Form => {
                let text = std::str::from_utf8(&self.body)
                    .map_err(|_| Error::new(400, reasons::CODEC, "form body is not UTF-8"))?;
                for pair in QueryPairs::new(text) {
                    bind_form(target, &pair?)?;
                }
                Ok(())
            }
            format => target.decode_body(format, &self.body, &self.shared.json),
        }
    }

    /// Decodes the body into the top-level field `field` of `target` (rules
    /// with `body: "field"`).
    pub fn decode_body_field<M: HttpMessage>(
        &self,
        target: &mut M,
        field: &str,
    ) -> Result<(), Error> {
        if self.body.is_empty() {
            return Ok(());
        }
        let format = self.body_format()?;
        target.decode_body_field(format, &self.body, field, &self.shared.json)
    }

    /// Runs the service method through the server's middleware chain.
    pub async fn invoke<Req, Rep, F, Fut>(&self, request: Req, call: F) -> Result<Rep, Error>
    where
        Req: ReflectMessage + Send + 'static,
        Rep: Send + 'static,
        F: Fn(Context, Req) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Rep, Error>> + Send + 'static,
    {
        let middleware = &self.shared.middleware;
        // The empty chain calls straight through; its future stays the call's own.
        if middleware.is_empty() {
            return call(self.ctx.clone(), request).await;
        }
        self.ctx.enter_chain();
        let site = self.shared.sites.get(self.site);
        // Built-in middleware only: run them around the typed call, nothing erased.
        if let Some(steps) = site.and_then(|site| site.steps(middleware)) {
            return typed::start(steps, self.ctx.clone(), request, call)?.await;
        }
        let reply = middleware
            .start(site, self.ctx.clone(), Message::reflective(request), call)
            .await?;
        Chain::restore(reply)
    }

    /// Runs a server-streaming service method: the server's chain once around the whole
    /// stream, its stream middleware on every reply, and answers with the replies as SSE
    /// (when `Accept` names `text/event-stream`) or NDJSON once the handler has returned its
    /// stream. A call the chain or the handler refuses before that is an error with its own
    /// status. See [`middleware::stream`](crate::middleware::stream).
    pub async fn invoke_stream<Req, Rep, F, Fut, S>(
        &self,
        request: Req,
        call: F,
    ) -> Result<StreamReply, Error>
    where
        Req: ReflectMessage + Send + 'static,
        Rep: HttpMessage + Send + 'static,
        F: Fn(Context, Req) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<S, Error>> + Send + 'static,
        S: futures_core::Stream<Item = Result<Rep, Error>> + Send + 'static,
    {
        let shared = &self.shared;
        let mut call = shared.middleware.stream_reflective(
            &shared.stream_middleware,
            self.ctx.clone(),
            request,
            call,
        );
        call.opened().await?;
        Ok(StreamReply::new(
            call,
            accept_of(self.ctx.request_headers()),
            shared.stream_heartbeat,
            shared.json.clone(),
        ))
    }

    /// Encodes the reply per `Accept` (else the request's own format).
    pub fn reply<M: HttpMessage>(&self, reply: &M) -> Result<Response, Error> {
        let body = reply.encode_reply(self.accept.format(), &self.shared.json)?;
        self.shared.reply_response(self.accept, body)
    }

    /// Encodes one top-level field of the reply (rules with `response_body`).
    pub fn reply_field<M: HttpMessage>(&self, reply: &M, field: &str) -> Result<Response, Error> {
        let body = reply.encode_reply_field(self.accept.format(), field, &self.shared.json)?;
        self.shared.reply_response(self.accept, body)
    }
}
