//! The middleware contract: a handler in, a handler out.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::Message;
use crate::errors::Error;
use crate::transport::Context;

/// A boxed, sendable future.
pub type BoxFuture<T> = Pin<Box<dyn Future<Output = T> + Send>>;
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
