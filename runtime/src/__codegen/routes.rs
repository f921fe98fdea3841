//! Route registration and request binding as generated handlers use them.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, ready};

use prost_reflect::ReflectMessage;

use crate::encoding::HttpMessage;
use crate::errors::Error;
use crate::transport::http::binding::{QueryPair, SeenFields};
use crate::transport::http::{
    Calling, RegisterError, ReplyWriter, Response, RouteRequest, Server, StreamReply,
};
use crate::transport::{Context, ReplyStream};

/// A generated query binder: assigns one query (or form) pair to `message`, below the fields
/// `at` and skipping keys under `exclude`.
pub trait QueryBinder<M>:
    Fn(&mut M, &QueryPair<'_>, &[&'static str], &[&[&str]], &mut SeenFields) -> Result<(), Error>
{
}

impl<M, F> QueryBinder<M> for F where
    F: Fn(
        &mut M,
        &QueryPair<'_>,
        &[&'static str],
        &[&[&str]],
        &mut SeenFields,
    ) -> Result<(), Error>
{
}

/// Registers a service's routes on a server, every handler called with its own `Arc` clone of
/// the one service.
pub struct Routes<'a, S> {
    server: &'a mut Server,
    service: Arc<S>,
}

impl<'a, S: Send + Sync + 'static> Routes<'a, S> {
    /// Routes of `service` (shared, not copied) on `server`.
    pub fn new(server: &'a mut Server, service: S) -> Self {
        Self {
            server,
            service: Arc::new(service),
        }
    }

    /// Adds one binding: `method template`, selected by middleware as `operation`.
    ///
    /// # Errors
    ///
    /// What [`Server::route`] refuses (a bad method or template, a route taken twice).
    pub fn add<H, Fut>(
        &mut self,
        method: &str,
        template: &str,
        operation: &'static str,
        handler: H,
    ) -> Result<(), RegisterError>
    where
        H: Fn(Arc<S>, RouteRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Response, Error>> + Send + 'static,
    {
        let handler = self.with_service(handler);
        self.server.route(method, template, operation, handler)
    }

    /// Adds one binding of a server-streaming method: its replies stream as SSE or NDJSON.
    ///
    /// # Errors
    ///
    /// What [`Server::route_stream`] refuses (a bad method or template, a route taken twice).
    pub fn add_stream<H, Fut>(
        &mut self,
        method: &str,
        template: &str,
        operation: &'static str,
        handler: H,
    ) -> Result<(), RegisterError>
    where
        H: Fn(Arc<S>, RouteRequest) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<StreamReply, Error>> + Send + 'static,
    {
        let handler = self.with_service(handler);
        self.server
            .route_stream(method, template, operation, handler)
    }

    /// `handler` called with its own clone of the service.
    fn with_service<H, Fut>(
        &self,
        handler: H,
    ) -> impl Fn(RouteRequest) -> Fut + Send + Sync + 'static
    where
        H: Fn(Arc<S>, RouteRequest) -> Fut + Send + Sync + 'static,
    {
        let service = Arc::clone(&self.service);
        move |request| handler(Arc::clone(&service), request)
    }
}

/// Binds the query string of `request` onto `message` through its generated binder.
///
/// # Errors
///
/// A `400` for a malformed pair or value.
pub fn bind_query<M>(
    request: &RouteRequest,
    message: &mut M,
    exclude: &[&[&str]],
    bind: impl QueryBinder<M>,
) -> Result<(), Error> {
    let mut seen = SeenFields::new();
    for pair in request.query_pairs() {
        bind(message, &pair?, &[], exclude, &mut seen)?;
    }
    Ok(())
}

/// Decodes the body of a `body: "*"` rule onto `message`; a form body goes through the generated
/// query binder.
///
/// # Errors
///
/// A `400` or `415` for a body that does not decode.
pub fn decode_body<M: HttpMessage>(
    request: &RouteRequest,
    message: &mut M,
    exclude: &[&[&str]],
    bind: impl QueryBinder<M>,
) -> Result<(), Error> {
    let mut seen = SeenFields::new();
    request.decode_body(message, |message, pair| {
        bind(message, pair, &[], exclude, &mut seen)
    })
}

/// Calls the service through the server's middleware chain with the bound `message` and encodes
/// the reply per `Accept`; with `response_body`, only that top-level field of it.
///
/// Not `async`: the returned future holds only the started call (its future boxed) and what
/// writing the reply needs, not the request, so the route's future around it stays small.
///
/// # Errors
///
/// The future's: the service's error, or a `500` when the reply does not encode.
// By value: generated handlers hand the request over, and it ends here, before the call runs.
#[allow(clippy::needless_pass_by_value)]
pub fn reply<S, Req, Rep, F, Fut>(
    request: RouteRequest,
    service: Arc<S>,
    message: Req,
    response_body: Option<&'static str>,
    call: F,
) -> Reply<Rep>
where
    S: Send + Sync + 'static,
    Req: ReflectMessage + Send + 'static,
    Rep: HttpMessage + Send + 'static,
    F: Fn(Arc<S>, Context, Req) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Rep, Error>> + Send + 'static,
{
    let calling = request.start_call(message, move |ctx, message| {
        call(Arc::clone(&service), ctx, message)
    });
    Reply {
        writer: request.reply_writer(),
        response_body,
        calling,
    }
}

/// The future of [`reply`]: the call through the chain, then its reply encoded.
pub struct Reply<Rep> {
    writer: ReplyWriter,
    response_body: Option<&'static str>,
    calling: Calling<Rep>,
}

impl<Rep: HttpMessage + Send + 'static> Future for Reply<Rep> {
    type Output = Result<Response, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.get_mut();
        let reply = ready!(Pin::new(&mut this.calling).poll(cx))?;
        Poll::Ready(this.writer.write(&reply, this.response_body))
    }
}

/// Opens the service's reply stream through the server's middleware chain with the bound
/// `message`; the replies then stream per `Accept` (SSE or NDJSON).
///
/// # Errors
///
/// What the chain or the service answers before the stream opens.
pub async fn reply_stream<S, Req, Rep, F, Fut>(
    request: RouteRequest,
    service: Arc<S>,
    message: Req,
    call: F,
) -> Result<StreamReply, Error>
where
    S: Send + Sync + 'static,
    Req: ReflectMessage + Send + 'static,
    Rep: HttpMessage + Send + 'static,
    F: Fn(Arc<S>, Context, Req) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<ReplyStream<Rep>, Error>> + Send + 'static,
{
    request
        .invoke_stream(message, move |ctx, message| {
            call(Arc::clone(&service), ctx, message)
        })
        .await
}
