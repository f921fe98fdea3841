//! Serving one unary call: what the generated glue does with a tonic request.

use std::future::Future;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use prost_reflect::ReflectMessage;
use tonic::metadata::MetadataMap;

use super::timeout;
use crate::errors::Error;
use crate::middleware::Chain;
use crate::transport::{Context, Deadline, Kind, within};

/// What a served call needs from its server: the middleware chain and the timeout.
#[derive(Debug, Clone)]
pub(super) struct Settings {
    pub(super) middleware: Chain,
    /// Run on every message of a stream.
    pub(super) stream_middleware: Chain,
    pub(super) timeout: Option<Duration>,
}

impl Default for Settings {
    /// A handle that never reached a server: no middleware, the default timeout.
    fn default() -> Self {
        Self {
            middleware: Chain::new(),
            stream_middleware: Chain::new(),
            timeout: Some(super::Server::DEFAULT_TIMEOUT),
        }
    }
}

/// The link between a generated gRPC service and the [`Server`](super::Server) it is
/// registered on; generated `XxxGrpcService`s hold one.
///
/// The server fills in its settings when it starts serving, so middleware added after a
/// service was registered still applies. A handle that never reaches a server (the service
/// added to a plain tonic server) runs calls with no middleware and the default 1 s timeout.
#[derive(Debug, Clone, Default)]
pub struct ServerHandle {
    settings: Arc<OnceLock<Settings>>,
}

impl ServerHandle {
    pub(super) fn install(&self, settings: Settings) {
        let _ = self.settings.set(settings);
    }

    /// The settings of the server this handle reached.
    pub(super) fn settings(&self) -> Settings {
        self.settings.get().cloned().unwrap_or_default()
    }

    /// Serves one unary call: a [`Context`] from the request metadata (operation = the gRPC
    /// full method), the middleware chain around `call`, the timeout (the server's, or the
    /// client's `grpc-timeout` when shorter: a `504 TIMEOUT`, sent as `DEADLINE_EXCEEDED`),
    /// reply headers as response metadata, and a `kratos::Error` as a `Status` with
    /// `ErrorInfo`.
    pub async fn unary<Req, Rep, F, Fut>(
        &self,
        operation: &'static str,
        request: tonic::Request<Req>,
        call: F,
    ) -> Result<tonic::Response<Rep>, tonic::Status>
    where
        Req: ReflectMessage + Send + 'static,
        Rep: Send + 'static,
        F: Fn(Context, Req) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Rep, Error>> + Send + 'static,
    {
        let (metadata, _extensions, message) = request.into_parts();
        let headers = metadata.into_headers();
        let (middleware, server_timeout) = match self.settings.get() {
            Some(settings) => (settings.middleware.clone(), settings.timeout),
            None => (Chain::new(), Some(super::Server::DEFAULT_TIMEOUT)),
        };
        let limit = timeout::effective(server_timeout, &headers);
        let mut ctx = Context::new(Kind::Grpc, operation, headers);
        let deadline = Deadline::start(&mut ctx, limit);
        let reply = middleware.call_reflective(ctx.clone(), message, call);
        let result = within(deadline, operation, reply).await;
        answer(&ctx, result)
    }
}

/// A served call's outcome as tonic's: the reply headers the handler set in `ctx` as the
/// response's metadata (or the status's, with a `kratos::Error` as a `Status` with
/// `ErrorInfo`).
pub(super) fn answer<T>(
    ctx: &Context,
    result: Result<T, Error>,
) -> Result<tonic::Response<T>, tonic::Status> {
    let reply_metadata = MetadataMap::from_headers(ctx.take_reply_headers());
    match result {
        Ok(reply) => Ok(tonic::Response::from_parts(
            reply_metadata,
            reply,
            tonic::Extensions::new(),
        )),
        Err(error) => {
            let mut status = error.to_status();
            let mut headers = status.metadata().clone().into_headers();
            headers.extend(reply_metadata.into_headers());
            *status.metadata_mut() = MetadataMap::from_headers(headers);
            Err(status)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_timeout_clock_read_is_the_calls_start() {
        // Every clone of the context reports the same start: the server set it when it started
        // the call's timeout (had it not, each clone would read the clock when first asked).
        let handle = ServerHandle::default();
        let reply = handle
            .unary(
                "/test.Start/Start",
                tonic::Request::new(String::new()),
                |ctx: Context, _: String| async move {
                    let first = ctx.clone().record_start();
                    tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                    Ok(ctx.started() == Some(first) && ctx.clone().record_start() == first)
                },
            )
            .await
            .unwrap();
        assert!(reply.into_inner());
    }
}
