//! The ordered chain of middleware, and how a typed call runs through it.

use std::any::{Any, TypeId};
use std::fmt;
use std::future::Future;
use std::sync::{Arc, PoisonError, RwLock};

use prost_reflect::ReflectMessage;

use super::typed::Step;
use super::{BoxFuture, CallSite, FnvMap, Handler, Message, Middleware};
use crate::errors::Error;
use crate::transport::Context;

/// An ordered list of middleware; the first added runs outermost.
#[derive(Clone, Default)]
pub struct Chain {
    middleware: Vec<Arc<dyn Middleware>>,
    /// Wrapped handlers, built once per kind of call (the type of the typed call); see `call`.
    wrapped: Arc<RwLock<FnvMap<TypeId, Handler>>>,
}

impl Chain {
    /// An empty chain.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends a middleware (it runs inside those added before).
    pub fn push(&mut self, middleware: impl Middleware) {
        self.middleware.push(Arc::new(middleware));
        // A clone may share the cache; this chain starts its own.
        self.wrapped = Arc::default();
    }

    /// Whether the chain has no middleware (calls then skip type erasure).
    pub fn is_empty(&self) -> bool {
        self.middleware.is_empty()
    }

    /// The chain as typed steps, if every member has a typed form (built-in middleware do;
    /// see `typed`): HTTP routes then run them without erasing their calls.
    pub(crate) fn steps(&self) -> Option<Vec<Step>> {
        let mut steps = Vec::new();
        for middleware in &self.middleware {
            let middleware: &dyn Any = middleware.as_ref();
            steps.extend(Step::of(middleware)?);
        }
        Some(steps)
    }

    /// Whether the chain has the recovery middleware (or a chain in it does): a transport
    /// then recovers panics around the chain too, where a request is decoded and a reply
    /// encoded.
    pub(crate) fn recovers(&self) -> bool {
        self.middleware.iter().any(|middleware| {
            let middleware: &dyn Any = middleware.as_ref();
            middleware.is::<super::recovery::Recovery>()
                || middleware
                    .downcast_ref::<Chain>()
                    .is_some_and(Chain::recovers)
        })
    }

    /// `handler` wrapped by every middleware of the chain.
    pub fn wrap(&self, handler: Handler) -> Handler {
        self.middleware
            .iter()
            .rev()
            .fold(handler, |next, middleware| middleware.wrap(next))
    }

    /// The chain wrapped around an endpoint that runs the context's typed call `F`: built on
    /// the first call of each `F` (each generated route has its own) and reused, so a call
    /// does not rebuild the chain.
    fn wrapped_for<Req, Rep, F, Fut>(&self) -> Handler
    where
        Req: Send + 'static,
        Rep: Send + 'static,
        F: Fn(Context, Req) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Rep, Error>> + Send + 'static,
    {
        self.wrapped_once(TypeId::of::<F>(), || {
            Arc::new(|mut ctx: Context, message: Message| {
                let call = endpoint_call::<F>(&mut ctx);
                Box::pin(async move {
                    let call = call?;
                    let request = message.downcast::<Req>().map_err(|_| {
                        chain_broken("a middleware replaced the request with another type")
                    })?;
                    call(ctx, request).await.map(Message::new)
                })
            })
        })
    }

    /// The chain wrapped around the endpoint `build` makes, cached under `key` (the call's
    /// type): built the first time, then shared.
    fn wrapped_once(&self, key: TypeId, build: impl FnOnce() -> Handler) -> Handler {
        if let Some(handler) = self
            .wrapped
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return Arc::clone(handler);
        }
        let handler = self.wrap(build());
        self.wrapped
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(key, Arc::clone(&handler));
        handler
    }

    /// Runs a typed call through the chain: the request and reply are erased
    /// for the middleware and restored for the caller.
    pub async fn call<Req, Rep, F, Fut>(
        &self,
        ctx: Context,
        request: Req,
        call: F,
    ) -> Result<Rep, Error>
    where
        Req: Send + 'static,
        Rep: Send + 'static,
        F: Fn(Context, Req) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Rep, Error>> + Send + 'static,
    {
        // The empty chain returns before any erasure: its future stays as small as the call's.
        if self.is_empty() {
            return call(ctx, request).await;
        }
        let reply = self.start(None, ctx, Message::new(request), call).await?;
        Self::restore(reply)
    }

    /// [`call`](Self::call) for a protobuf request, which middleware can also read through
    /// reflection ([`Message::to_dynamic`]); the transports call generated services this way.
    pub async fn call_reflective<Req, Rep, F, Fut>(
        &self,
        ctx: Context,
        request: Req,
        call: F,
    ) -> Result<Rep, Error>
    where
        Req: ReflectMessage + Send + 'static,
        Rep: Send + 'static,
        F: Fn(Context, Req) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Rep, Error>> + Send + 'static,
    {
        if self.is_empty() {
            return call(ctx, request).await;
        }
        let reply = self
            .start(None, ctx, Message::reflective(request), call)
            .await?;
        Self::restore(reply)
    }

    /// [`call`](Self::call) and [`call_reflective`](Self::call_reflective) past an empty
    /// chain, and the HTTP routes' calls (from their `site`): starts the erased request through
    /// the wrapped handler, the one `site` remembers if it is for this call type, else the
    /// chain's. Not `async`: the caller's future then holds only the returned one while it
    /// waits, and the context and request move straight into the chain instead of through a
    /// future of their own.
    pub(crate) fn start<Req, Rep, F, Fut>(
        &self,
        site: Option<&CallSite>,
        mut ctx: Context,
        request: Message,
        call: F,
    ) -> BoxFuture<Result<Message, Error>>
    where
        Req: Send + 'static,
        Rep: Send + 'static,
        F: Fn(Context, Req) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Rep, Error>> + Send + 'static,
    {
        ctx.set_endpoint(Arc::new(call));
        let key = TypeId::of::<F>();
        if let Some((site_key, handler)) = site.and_then(|site| site.wrapped.get())
            && *site_key == key
        {
            return handler(ctx, request);
        }
        let handler = self.wrapped_for::<Req, Rep, F, Fut>();
        if let Some(site) = site {
            let _ = site.wrapped.set((key, Arc::clone(&handler)));
        }
        handler(ctx, request)
    }

    /// [`start`](Self::start) for a call whose request and reply are already [`Message`]s:
    /// the HTTP client's, which keeps the typed parts of a call out of its own code. The
    /// endpoint hands the message over as it is.
    pub(crate) fn start_message<F, Fut>(
        &self,
        mut ctx: Context,
        request: Message,
        call: F,
    ) -> BoxFuture<Result<Message, Error>>
    where
        F: Fn(Context, Message) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Message, Error>> + Send + 'static,
    {
        ctx.set_endpoint(Arc::new(call));
        let handler = self.wrapped_once(TypeId::of::<F>(), || {
            Arc::new(|mut ctx: Context, message: Message| {
                let call = endpoint_call::<F>(&mut ctx);
                Box::pin(async move { call?(ctx, message).await })
            })
        });
        handler(ctx, request)
    }

    /// The typed reply of a call [`start`](Self::start)ed.
    pub(crate) fn restore<Rep: Send + 'static>(reply: Message) -> Result<Rep, Error> {
        reply
            .downcast::<Rep>()
            .map_err(|_| chain_broken("a middleware replaced the reply with another type"))
    }
}

/// A middleware broke the chain's contract (`500`, no reason): out of line, never on a call's path.
#[cold]
fn chain_broken(message: &'static str) -> Error {
    crate::errors::internal_server("", message)
}

/// The call the transport left in the context for the chain's endpoint to run.
fn endpoint_call<F: Send + Sync + 'static>(ctx: &mut Context) -> Result<Arc<F>, Error> {
    ctx.take_endpoint()
        .and_then(|call| call.downcast::<F>().ok())
        .ok_or_else(|| chain_broken("the call left its context in the middleware chain"))
}

/// A chain is itself a middleware: its members, in order, around the next handler. This is how
/// a set of middleware is packaged and added as one.
impl Middleware for Chain {
    fn wrap(&self, next: Handler) -> Handler {
        Chain::wrap(self, next)
    }
}

impl fmt::Debug for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Chain")
            .field("len", &self.middleware.len())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::Kind;

    #[tokio::test]
    async fn a_middleware_may_call_the_next_handler_again() {
        // A retrying middleware: the second call runs on a clone of the first's context, and
        // must still reach the endpoint the first call took out of its own context.
        let mut chain = Chain::new();
        chain.push(|next: Handler| -> Handler {
            Arc::new(move |ctx: Context, request: Message| {
                let next = Arc::clone(&next);
                Box::pin(async move {
                    let first = next(ctx.clone(), request).await?;
                    next(ctx, first).await
                })
            })
        });
        let ctx = Context::new(Kind::Http, "/a.B/C", http::HeaderMap::new());
        let reply = chain
            .call(ctx, 1_u8, |_, n: u8| async move { Ok(n + 1) })
            .await
            .unwrap();
        assert_eq!(reply, 3);
    }

    /// A chain whose middleware calls the next handler with `ctx` and `request` replaced.
    fn breaking(
        ctx: impl Fn(Context) -> Context + Send + Sync + 'static,
        request: impl Fn(Message) -> Message + Send + Sync + 'static,
    ) -> Chain {
        let (ctx, request) = (Arc::new(ctx), Arc::new(request));
        let mut chain = Chain::new();
        chain.push(move |next: Handler| -> Handler {
            let (ctx, request) = (Arc::clone(&ctx), Arc::clone(&request));
            Arc::new(move |given: Context, message: Message| next(ctx(given), request(message)))
        });
        chain
    }

    fn context() -> Context {
        Context::new(Kind::Http, "/a.B/C", http::HeaderMap::new())
    }

    #[tokio::test]
    async fn a_middleware_that_breaks_the_chain_gets_a_500_not_a_panic() {
        // A fresh context carries no endpoint: typed and message calls both fail with 500.
        let lost = breaking(|_| context(), |message| message);
        let typed = lost.call(context(), 1_u8, |_, n: u8| async move { Ok(n) });
        let error = typed.await.unwrap_err();
        assert_eq!(error.code(), 500, "{error}");
        assert!(error.message().contains("left its context"), "{error}");
        let erased = lost.start_message(context(), Message::new(1_u8), |_, m| async move { Ok(m) });
        let error = erased.await.unwrap_err();
        assert_eq!(error.code(), 500, "{error}");
        assert!(error.message().contains("left its context"), "{error}");
        // The endpoint kept, the request swapped for another type.
        let swapped = breaking(|ctx| ctx, |_| Message::new("not a u8"));
        let typed = swapped.call(context(), 1_u8, |_, n: u8| async move { Ok(n) });
        let error = typed.await.unwrap_err();
        assert_eq!(error.code(), 500, "{error}");
        assert!(error.message().contains("another type"), "{error}");
    }
}
