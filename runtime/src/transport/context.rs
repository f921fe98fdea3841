//! The per-call context handed to service methods and middleware.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use http::{Extensions, HeaderMap};

/// Which transport carried a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Kind {
    /// HTTP/JSON (or protobuf, or a form) through `google.api.http` routes.
    Http,
    /// gRPC.
    Grpc,
}

impl Kind {
    /// `"http"` or `"grpc"`, as Kratos names them.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Http => "http",
            Self::Grpc => "grpc",
        }
    }
}

/// What a service method and every middleware know about the call: the
/// operation, the transport, the request headers (gRPC metadata), and the
/// reply headers the handler wants sent back.
///
/// On a server the request headers are what the client sent; on a client
/// they are what will be sent, and middleware may add to them.
///
/// Cloning is cheap: the request headers are shared until a clone changes
/// them, and the reply headers are shared by every clone of one call;
/// extensions (values middleware attach for the handler, such as JWT claims)
/// are per clone, so a middleware adds them to the context it passes on.
#[derive(Debug, Clone)]
pub struct Context {
    kind: Kind,
    operation: &'static str,
    request_headers: Arc<HeaderMap>,
    call: Arc<CallShared>,
    extensions: Extensions,
    endpoint: Endpoint,
    started: Option<Instant>,
}

/// What every clone of one call's context shares.
#[derive(Debug, Default)]
struct CallShared {
    reply_headers: Mutex<HeaderMap>,
    /// Whether the call entered the middleware chain (see [`Context::enter_chain`]).
    entered_chain: AtomicBool,
}

/// The typed service call at the end of a middleware chain, carried by the context so that a
/// chain's wrapped handler can be built once and reused (see `middleware::Chain::call`).
#[derive(Clone, Default)]
pub(crate) struct Endpoint(pub(crate) Option<Arc<dyn std::any::Any + Send + Sync>>);

impl std::fmt::Debug for Endpoint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Endpoint(..)"
        } else {
            "Endpoint(None)"
        })
    }
}

impl Context {
    /// A context for a call of `operation` (the gRPC full method name,
    /// `/helloworld.v1.Greeter/SayHello`) carried by `kind`.
    pub fn new(kind: Kind, operation: &'static str, request_headers: HeaderMap) -> Self {
        Self {
            kind,
            operation,
            request_headers: Arc::new(request_headers),
            call: Arc::default(),
            extensions: Extensions::new(),
            endpoint: Endpoint::default(),
            started: None,
        }
    }

    pub(crate) fn set_endpoint(&mut self, endpoint: Arc<dyn std::any::Any + Send + Sync>) {
        self.endpoint = Endpoint(Some(endpoint));
    }

    /// Takes the endpoint out: the end of the chain owns it from there (a clone of this
    /// context keeps its own reference, for a middleware that calls the next handler again).
    pub(crate) fn take_endpoint(&mut self) -> Option<Arc<dyn std::any::Any + Send + Sync>> {
        self.endpoint.0.take()
    }

    /// The transport that carried the call.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The operation: the gRPC full method name on both transports.
    pub fn operation(&self) -> &'static str {
        self.operation
    }

    /// The request's headers (HTTP) or metadata (gRPC).
    pub fn request_headers(&self) -> &HeaderMap {
        &self.request_headers
    }

    /// The request headers, to change (client middleware adding metadata);
    /// other clones keep the headers they had.
    pub fn request_headers_mut(&mut self) -> &mut HeaderMap {
        Arc::make_mut(&mut self.request_headers)
    }

    /// The headers to send with the reply; insert into the guard to set them.
    pub fn reply_headers(&self) -> MutexGuard<'_, HeaderMap> {
        // A poisoned lock only means a handler panicked while holding it; the
        // map itself is still usable.
        self.call
            .reply_headers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes the reply headers set so far (used by the transport when it answers).
    pub(crate) fn take_reply_headers(&self) -> HeaderMap {
        std::mem::take(&mut *self.reply_headers())
    }

    /// When the call started, if it was recorded: by the transport (the instant it started the
    /// call's timeout from) or by a middleware's [`record_start`](Self::record_start).
    pub fn started(&self) -> Option<Instant> {
        self.started
    }

    /// Records now as the call's start unless one is recorded already, and returns the start.
    /// Timing middleware (metrics, logging) call this: the first of them reads the clock, the
    /// others and the contexts passed on share that reading.
    pub fn record_start(&mut self) -> Instant {
        *self.started.get_or_insert_with(Instant::now)
    }

    /// Records when the call started (the transport, which reads the clock for its timeout).
    pub(crate) fn set_started(&mut self, started: Instant) {
        self.started = Some(started);
    }

    /// Records that the call entered the middleware chain, for every clone to see: a call
    /// that failed without entering it (a request that could not be decoded) is then run
    /// through it by the transport, so the access log and metrics see every call.
    pub(crate) fn enter_chain(&self) {
        self.call.entered_chain.store(true, Ordering::Relaxed);
    }

    /// Whether the call entered the middleware chain.
    pub(crate) fn entered_chain(&self) -> bool {
        self.call.entered_chain.load(Ordering::Relaxed)
    }

    /// Values attached by middleware.
    pub fn extensions(&self) -> &Extensions {
        &self.extensions
    }

    /// Values attached by middleware, to add more.
    pub fn extensions_mut(&mut self) -> &mut Extensions {
        &mut self.extensions
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reply_headers_are_shared_between_clones() {
        let mut headers = HeaderMap::new();
        headers.insert("x-request", "1".parse().unwrap());
        let ctx = Context::new(Kind::Http, "/a.B/C", headers);
        let clone = ctx.clone();
        clone
            .reply_headers()
            .insert("x-reply", "2".parse().unwrap());
        assert_eq!(ctx.take_reply_headers()["x-reply"], "2");
        assert!(clone.reply_headers().is_empty());
        assert_eq!(ctx.request_headers()["x-request"], "1");
        assert_eq!(ctx.operation(), "/a.B/C");
        assert_eq!(ctx.kind().as_str(), "http");
    }

    #[test]
    fn request_headers_are_copied_on_write() {
        let ctx = Context::new(Kind::Http, "/a.B/C", HeaderMap::new());
        let mut outgoing = ctx.clone();
        outgoing
            .request_headers_mut()
            .insert("x-md-id", "1".parse().unwrap());
        assert_eq!(outgoing.request_headers()["x-md-id"], "1");
        assert!(ctx.request_headers().is_empty());
    }

    #[test]
    fn extensions_are_per_clone() {
        let ctx = Context::new(Kind::Grpc, "/a.B/C", HeaderMap::new());
        let mut inner = ctx.clone();
        inner.extensions_mut().insert(7_u32);
        assert_eq!(inner.extensions().get::<u32>(), Some(&7));
        assert_eq!(ctx.extensions().get::<u32>(), None);
    }

    #[test]
    fn started_reads_and_record_start_records_once() {
        let mut timed = Context::new(Kind::Http, "/a.B/C", HeaderMap::new());
        assert_eq!(timed.started(), None, "nothing recorded yet");
        let first = timed.record_start();
        let reader: &Context = &timed;
        assert_eq!(reader.started(), Some(first));
        std::thread::sleep(std::time::Duration::from_millis(2));
        assert_eq!(timed.record_start(), first, "the first record stays");
        assert_eq!(timed.clone().started(), Some(first));
    }
}
