//! Kratos-style middleware: a [`Middleware`] takes the next [`Handler`] and
//! returns a handler that runs around it. Every call on every transport goes
//! through the server's [`Chain`], keyed by operation.
//!
//! Requests and replies travel type-erased as [`Message`], as in Kratos
//! (`interface{}`); a middleware that cares about a concrete type downcasts.
//!
//! The Kratos set, one module each (servers and clients of both transports run the same
//! chains): [`recovery`], [`logging`], [`metadata`], [`selector`] (apply middleware by
//! operation), [`metrics`], [`ratelimit`] (BBR), [`circuitbreaker`] (SRE, client side),
//! `jwt` (feature `jwt`), `tracing` (feature `otel`), `validate` (feature `validate`).
//!
//! A chain made only of the built-in middleware that act before a call and on its outcome
//! (recovery, first if present; tracing; metrics; logging without an `args` summarizer;
//! validate) runs on HTTP routes without type erasure: their steps run around the typed call in
//! the route's own future, with the same outcome as through the erased chain and less work per
//! call.
//!
//! Order: a server's chain runs in the order middleware were added, the first outermost (put
//! [`recovery`] first); selected chains run at the selector's place. Any tower `Layer` can
//! also wrap the HTTP server's `into_service()` (a tower `Service`), before routing and
//! outside this chain; see the README.

use std::any::{Any, TypeId};
use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::hash::{BuildHasherDefault, Hasher};
use std::marker::PhantomData;
use std::pin::Pin;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use prost_reflect::{DynamicMessage, MessageDescriptor, ReflectMessage};

use crate::errors::Error;
use crate::transport::Context;

pub mod circuitbreaker;
#[cfg(feature = "jwt")]
pub mod jwt;
pub mod logging;
pub mod metadata;
pub mod metrics;
pub mod ratelimit;
pub mod recovery;
pub mod selector;
pub mod stream;
#[cfg(feature = "otel")]
pub mod tracing;
pub(crate) mod typed;
#[cfg(feature = "validate")]
pub mod validate;
mod window;

pub use stream::StreamCall;
use typed::Step;

/// A boxed, sendable future.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;

/// A request or reply message, type-erased.
///
/// Messages the transports pass in from generated code are *reflective*: besides downcasting,
/// a middleware can read them as a [`DynamicMessage`] (descriptor included), which is how
/// [`validate`](self) checks `buf.validate` rules without knowing the type.
pub struct Message {
    value: Box<dyn Any + Send>,
    reflect: Option<&'static dyn Reflect>,
}

/// How a reflective [`Message`] reaches its descriptor and dynamic form without knowing its type.
trait Reflect: Sync {
    fn descriptor(&self, value: &(dyn Any + Send)) -> Option<MessageDescriptor>;
    fn to_dynamic(&self, value: &(dyn Any + Send)) -> Option<Result<DynamicMessage, Error>>;
}

/// [`Reflect`] for the message type `T`: no data, so one `&'static` serves every message.
struct Reflector<T>(PhantomData<fn() -> T>);

impl<T: ReflectMessage + Any> Reflect for Reflector<T> {
    fn descriptor(&self, value: &(dyn Any + Send)) -> Option<MessageDescriptor> {
        value.downcast_ref::<T>().map(ReflectMessage::descriptor)
    }

    fn to_dynamic(&self, value: &(dyn Any + Send)) -> Option<Result<DynamicMessage, Error>> {
        value
            .downcast_ref::<T>()
            .map(crate::encoding::nesting::to_dynamic)
    }
}

impl Message {
    /// Wraps a message.
    pub fn new<T: Any + Send>(message: T) -> Self {
        Self {
            value: Box::new(message),
            reflect: None,
        }
    }

    /// Wraps a protobuf message that middleware may also read through reflection
    /// ([`descriptor`](Self::descriptor), [`to_dynamic`](Self::to_dynamic)).
    pub fn reflective<T: ReflectMessage + Any + Send>(message: T) -> Self {
        Self {
            value: Box::new(message),
            reflect: Some(&Reflector::<T>(PhantomData)),
        }
    }

    /// The message's descriptor, if it was wrapped with [`reflective`](Self::reflective)
    /// (cheap: nothing is copied).
    pub fn descriptor(&self) -> Option<MessageDescriptor> {
        self.reflect
            .and_then(|reflect| reflect.descriptor(self.value.as_ref()))
    }

    /// A copy of the message as a [`DynamicMessage`], if it was wrapped with
    /// [`reflective`](Self::reflective) and can be copied (it is nested no deeper than
    /// [`MAX_NESTING`](crate::encoding::MAX_NESTING)).
    pub fn to_dynamic(&self) -> Option<DynamicMessage> {
        self.try_to_dynamic().and_then(Result::ok)
    }

    /// [`to_dynamic`](Self::to_dynamic), with the reason a reflective message could not be
    /// copied.
    pub(crate) fn try_to_dynamic(&self) -> Option<Result<DynamicMessage, Error>> {
        self.reflect
            .and_then(|reflect| reflect.to_dynamic(self.value.as_ref()))
    }

    /// The type of the message inside (not of the box holding it).
    #[cfg(feature = "validate")]
    pub(crate) fn value_type(&self) -> TypeId {
        Any::type_id(self.value.as_ref())
    }

    /// The message, if it is a `T`.
    pub fn downcast_ref<T: Any>(&self) -> Option<&T> {
        self.value.downcast_ref()
    }

    /// The message, mutably, if it is a `T`.
    pub fn downcast_mut<T: Any>(&mut self) -> Option<&mut T> {
        self.value.downcast_mut()
    }

    /// Takes the message out, or gives it back if it is not a `T`.
    pub fn downcast<T: Any>(self) -> Result<T, Self> {
        let reflect = self.reflect;
        self.value
            .downcast()
            .map(|value| *value)
            .map_err(|value| Self { value, reflect })
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Message { .. }")
    }
}

/// A call handler: the service method at the end of the chain, or a
/// middleware wrapped around it.
pub type Handler = Arc<dyn Fn(Context, Message) -> BoxFuture<Result<Message, Error>> + Send + Sync>;

/// Wraps a handler: handler in, handler out. (`Any`: a chain recognises the built-in
/// middleware among its members, to run them typed.)
pub trait Middleware: Any + Send + Sync {
    /// Returns a handler that runs this middleware around `next`.
    fn wrap(&self, next: Handler) -> Handler;
}

impl<F> Middleware for F
where
    F: Fn(Handler) -> Handler + Send + Sync + 'static,
{
    fn wrap(&self, next: Handler) -> Handler {
        self(next)
    }
}

/// An ordered list of middleware; the first added runs outermost.
#[derive(Clone, Default)]
pub struct Chain {
    middleware: Vec<Arc<dyn Middleware>>,
    /// Wrapped handlers, built once per kind of call (the type of the typed call); see `call`.
    wrapped: Arc<RwLock<FnvMap<TypeId, Handler>>>,
}

/// FNV-1a, for the middleware's small in-process maps (call types, metric series, message
/// types): their keys are chosen by the program, so SipHash's DoS resistance buys nothing and
/// its cost would be paid on every call.
#[derive(Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

/// A map hashed with [`Fnv`].
pub(crate) type FnvMap<K, V> = HashMap<K, V, BuildHasherDefault<Fnv>>;

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
        let key = TypeId::of::<F>();
        if let Some(handler) = self
            .wrapped
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return Arc::clone(handler);
        }
        let endpoint: Handler = Arc::new(|mut ctx: Context, message: Message| {
            let call = ctx
                .take_endpoint()
                .and_then(|call| call.downcast::<F>().ok());
            Box::pin(async move {
                let call = call.ok_or_else(|| {
                    chain_broken("the call left its context in the middleware chain")
                })?;
                let request = message.downcast::<Req>().map_err(|_| {
                    chain_broken("a middleware replaced the request with another type")
                })?;
                call(ctx, request).await.map(Message::new)
            })
        });
        let handler = self.wrap(endpoint);
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

/// A place that runs calls through one chain, such as an HTTP route: it remembers the chain's
/// wrapped handler for its calls, so they skip the chain's shared cache (a lock and a handler
/// reference count, four atomic operations per call), and its own copy of the chain's typed
/// steps (per-route state such as metrics' series lives in that copy).
#[derive(Default)]
pub(crate) struct CallSite {
    wrapped: OnceLock<(TypeId, Handler)>,
    steps: OnceLock<Option<Box<[Step]>>>,
}

impl CallSite {
    /// Whether calls here run the chain typed: `None` before the first call.
    #[cfg(test)]
    pub(crate) fn runs_typed(&self) -> Option<bool> {
        self.steps.get().map(Option::is_some)
    }

    /// The chain's typed steps, if it can run them here (once per site, then remembered).
    pub(crate) fn steps(&self, chain: &Chain) -> Option<&[Step]> {
        self.steps
            .get_or_init(|| {
                chain
                    .steps()
                    .filter(|steps| Step::runnable(steps))
                    .map(Vec::into_boxed_slice)
            })
            .as_deref()
    }
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
}
