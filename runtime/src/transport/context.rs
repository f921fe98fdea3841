//! The per-call context handed to service methods and middleware.

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
    reply_headers: Arc<Mutex<HeaderMap>>,
    extensions: Extensions,
    endpoint: Endpoint,
    started: Option<Instant>,
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
            reply_headers: Arc::new(Mutex::new(HeaderMap::new())),
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
        self.reply_headers
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Takes the reply headers set so far (used by the transport when it answers).
    pub(crate) fn take_reply_headers(&self) -> HeaderMap {
        std::mem::take(&mut *self.reply_headers())
    }

    /// When the call started: the instant the transport started its timeout from, or else
    /// read from the clock by the first middleware that asks (the outermost of metrics and
    /// logging); then shared, so timing a call never reads the clock twice at its start.
    pub fn started(&mut self) -> Instant {
        *self.started.get_or_insert_with(Instant::now)
    }

    /// Records when the call started (the transport, which reads the clock for its timeout).
    pub(crate) fn set_started(&mut self, started: Instant) {
        self.started = Some(started);
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
}
