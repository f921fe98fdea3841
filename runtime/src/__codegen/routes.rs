//! Route registration and request binding as generated handlers use them.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll, ready};

use prost_reflect::ReflectMessage;

use super::route::Route;
use crate::encoding::HttpMessage;
use crate::errors::Error;
use crate::transport::http::binding::{QueryPair, SeenFields};
use crate::transport::http::{
    Calling, RegisterError, ReplyWriter, Response, RouteRequest, Server, StreamReply,
};
use crate::transport::{Context, ReplyStream};

/// A method of a generated service trait, `S::say_hello`: its future borrows the service.
pub trait ServiceMethod<'s, S: 's, Req, Rep>: Fn(&'s S, Context, Req) -> Self::Call {
    /// The method's future.
    type Call: Future<Output = Result<Rep, Error>> + Send + 's;
}

impl<'s, S: 's, Req, Rep, F, Fut> ServiceMethod<'s, S, Req, Rep> for F
where
    F: Fn(&'s S, Context, Req) -> Fut,
    Fut: Future<Output = Result<Rep, Error>> + Send + 's,
{
    type Call = Fut;
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

    /// Adds one binding of a unary method: the request bound from `route`, the reply encoded
    /// per `Accept`.
    ///
    /// # Errors
    ///
    /// What [`Server::route`] refuses (a bad method or template, a route taken twice).
    pub fn unary<Req, Rep, F>(
        &mut self,
        route: &'static Route<Req>,
        method: F,
    ) -> Result<(), RegisterError>
    where
        Req: HttpMessage + ReflectMessage + Default + Send + 'static,
        Rep: HttpMessage + Send + 'static,
        F: for<'s> ServiceMethod<'s, S, Req, Rep> + Copy + Send + Sync + 'static,
    {
        let service = Arc::clone(&self.service);
        let call = move |service: Arc<S>, ctx, request| async move {
            method(&service, ctx, request).await
        };
        let response_body = route.response_field();
        self.server.route(
            route.method,
            route.template,
            route.operation,
            move |request: RouteRequest| match bind(route, &request) {
                Ok(message) => reply(request, Arc::clone(&service), message, response_body, call),
                Err(error) => Reply::failed(&request, error),
            },
        )
    }

    /// Adds one binding of a server-streaming method: its replies stream as SSE or NDJSON.
    ///
    /// # Errors
    ///
    /// What [`Server::route_stream`] refuses (a bad method or template, a route taken twice).
    pub fn server_stream<Req, Rep, F>(
        &mut self,
        route: &'static Route<Req>,
        method: F,
    ) -> Result<(), RegisterError>
    where
        Req: HttpMessage + ReflectMessage + Default + Send + 'static,
        Rep: HttpMessage + Send + 'static,
        F: for<'s> ServiceMethod<'s, S, Req, ReplyStream<Rep>> + Copy + Send + Sync + 'static,
    {
        let service = Arc::clone(&self.service);
        let call = move |service: Arc<S>, ctx, request| async move {
            method(&service, ctx, request).await
        };
        self.server.route_stream(
            route.method,
            route.template,
            route.operation,
            move |request: RouteRequest| {
                let service = Arc::clone(&service);
                async move {
                    let message = bind(route, &request)?;
                    reply_stream(request, service, message, call).await
                }
            },
        )
    }
}

/// The request message of `route` from `request`: body, then query, then path, each later one
/// overwriting what an earlier one set.
fn bind<M: HttpMessage + Default>(route: &Route<M>, request: &RouteRequest) -> Result<M, Error> {
    let mut message = M::default();
    let mut seen = SeenFields::new();
    let mut bind_pair = |message: &mut M, pair: &QueryPair<'_>| match route.bind_query {
        Some(bind) => bind(message, pair, &[], route.exclude, &mut seen),
        None => Ok(()),
    };
    match route.body {
        "*" => request.decode_body(&mut message, bind_pair)?,
        body => {
            if !body.is_empty() {
                request.decode_body_field(&mut message, body)?;
            }
            // A message without fields reads no query: a malformed one does not matter.
            if route.bind_query.is_some() {
                for pair in request.query_pairs() {
                    bind_pair(&mut message, &pair?)?;
                }
            }
        }
    }
    // Path values last: they win over the query. Each goes through the query binder as a
    // pair of its field, so one generated function parses and assigns both.
    if let Some(bind) = route.bind_query {
        let mut seen = SeenFields::new();
        for (index, field) in route.exclude.iter().take(request.path_len()).enumerate() {
            let pair = QueryPair::path_value(field, request.path_value(index));
            bind(&mut message, &pair, &[], &[], &mut seen)?;
        }
    }
    Ok(message)
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
fn reply<S, Req, Rep, F, Fut>(
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
    let (calling, writer) = request.into_call(message, move |ctx, message| {
        call(Arc::clone(&service), ctx, message)
    });
    Reply {
        writer,
        response_body,
        calling,
    }
}

/// The future of a unary route: the call through the chain, then its reply encoded.
pub struct Reply<Rep> {
    writer: ReplyWriter,
    response_body: Option<&'static str>,
    calling: Calling<Rep>,
}

impl<Rep> Reply<Rep> {
    /// A request that did not bind: the call never starts.
    fn failed(request: &RouteRequest, error: Error) -> Self {
        Self {
            writer: request.reply_writer(),
            response_body: None,
            calling: Calling::Refused(Some(error)),
        }
    }
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
async fn reply_stream<S, Req, Rep, F, Fut>(
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
