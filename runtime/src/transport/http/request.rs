//! What a generated route handler works with.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, ready};

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
use crate::middleware::{BoxFuture, Chain, Message, typed};
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

    /// How many variables the template has (and so values [`path_value`](Self::path_value)).
    pub(crate) fn path_len(&self) -> usize {
        self.params.len()
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
        self.start_call(request, call).await
    }

    /// Starts the service method through the server's middleware chain: what runs before the
    /// call runs now, the rest in the returned future, which borrows nothing.
    pub(crate) fn start_call<Req, Rep, F, Fut>(&self, request: Req, call: F) -> Calling<Rep>
    where
        Req: ReflectMessage + Send + 'static,
        Rep: Send + 'static,
        F: Fn(Context, Req) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Rep, Error>> + Send + 'static,
    {
        start(&self.shared, self.site, self.ctx.clone(), request, call)
    }

    /// [`start_call`](Self::start_call) for a request that ends here: its context goes to the
    /// call and its server state to the reply's writer, moved rather than cloned (each clone
    /// and drop is a pair of atomic operations on every call).
    pub(crate) fn into_call<Req, Rep, F, Fut>(
        self,
        request: Req,
        call: F,
    ) -> (Calling<Rep>, ReplyWriter)
    where
        Req: ReflectMessage + Send + 'static,
        Rep: Send + 'static,
        F: Fn(Context, Req) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Rep, Error>> + Send + 'static,
    {
        let calling = start(&self.shared, self.site, self.ctx, request, call);
        let writer = ReplyWriter {
            shared: self.shared,
            accept: self.accept,
        };
        (calling, writer)
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
        write_reply(&self.shared, self.accept, reply, None)
    }

    /// Encodes one top-level field of the reply (rules with `response_body`).
    pub fn reply_field<M: HttpMessage>(&self, reply: &M, field: &str) -> Result<Response, Error> {
        write_reply(&self.shared, self.accept, reply, Some(field))
    }

    /// What writing the reply needs, to keep once the request itself is no longer needed.
    pub(crate) fn reply_writer(&self) -> ReplyWriter {
        ReplyWriter {
            shared: Arc::clone(&self.shared),
            accept: self.accept,
        }
    }
}

/// Starts `call` of the route at `site` with `ctx` through `shared`'s middleware chain.
fn start<Req, Rep, F, Fut>(
    shared: &Shared,
    site: usize,
    ctx: Context,
    request: Req,
    call: F,
) -> Calling<Rep>
where
    Req: ReflectMessage + Send + 'static,
    Rep: Send + 'static,
    F: Fn(Context, Req) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Rep, Error>> + Send + 'static,
{
    let middleware = &shared.middleware;
    if middleware.is_empty() {
        return Calling::Direct(Box::pin(call(ctx, request)));
    }
    ctx.enter_chain();
    let site = shared.sites.get(site);
    // Built-in middleware only: run them around the typed call, nothing erased.
    if let Some(steps) = site.and_then(|site| site.steps(middleware)) {
        return match typed::start(steps, ctx, request, call) {
            Ok(running) => Calling::Typed(running),
            Err(error) => Calling::Refused(Some(error)),
        };
    }
    Calling::Erased(middleware.start(site, ctx, Message::reflective(request), call))
}

/// Writes a route's reply: the server's codecs and the format negotiated for the request.
pub(crate) struct ReplyWriter {
    shared: Arc<Shared>,
    accept: ReplyFormat,
}

impl ReplyWriter {
    /// The reply (with `field`, only that top-level field of it) as the response.
    pub(crate) fn write<M: HttpMessage>(
        &self,
        reply: &M,
        field: Option<&str>,
    ) -> Result<Response, Error> {
        write_reply(&self.shared, self.accept, reply, field)
    }
}

fn write_reply<M: HttpMessage>(
    shared: &Shared,
    accept: ReplyFormat,
    reply: &M,
    field: Option<&str>,
) -> Result<Response, Error> {
    let format = accept.format();
    let body = match field {
        Some(field) => reply.encode_reply_field(format, field, &shared.json)?,
        None => reply.encode_reply(format, &shared.json)?,
    };
    shared.reply_response(accept, body)
}

/// A service method's call started through the chain ([`RouteRequest::start_call`]). Its
/// future is boxed on every path (the typed chain boxes it anyway): the route's future, which
/// the server boxes for every request, then stays under the allocator's small-size caches
/// (glibc's tcache ends at 1 KiB) and is cheap to move.
pub(crate) enum Calling<Rep> {
    /// The empty chain: the call itself.
    Direct(BoxFuture<Result<Rep, Error>>),
    /// Built-in middleware run around the typed call.
    Typed(typed::Running<Rep>),
    /// The erased chain, whose reply is restored to `Rep`.
    Erased(BoxFuture<Result<Message, Error>>),
    /// A step refused the call before it ran; taken when polled.
    Refused(Option<Error>),
}

impl<Rep: Send + 'static> Future for Calling<Rep> {
    type Output = Result<Rep, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        match self.get_mut() {
            Calling::Direct(call) => call.as_mut().poll(cx),
            Calling::Typed(running) => Pin::new(running).poll(cx),
            Calling::Erased(chain) => {
                Poll::Ready(ready!(chain.as_mut().poll(cx)).and_then(Chain::restore))
            }
            Calling::Refused(error) => Poll::Ready(Err(error.take().unwrap_or_else(polled_again))),
        }
    }
}

/// The error of a refused call polled after it returned its error.
#[cold]
fn polled_again() -> Error {
    Error::new(
        500,
        reasons::UNKNOWN,
        "a refused call was polled after it ended",
    )
}
