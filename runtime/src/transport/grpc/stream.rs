//! Serving streaming calls: what the generated glue does with tonic's streaming requests.
//!
//! Each kind gets the same [`Context`] as a unary call (operation, metadata), the server's
//! chain once around the whole stream and its stream middleware on every message (see
//! [`middleware::stream`](crate::middleware::stream)), and `kratos::Error`s as `Status`es with
//! `ErrorInfo`, mid-stream included (sent in the trailers, after the replies before it).
//!
//! Time limits: the server's timeout bounds a streaming call until its stream is open (for
//! client streaming, until its reply, as a unary call); the client's `grpc-timeout` bounds the
//! whole call, after which the stream ends with `DEADLINE_EXCEEDED` (`504 TIMEOUT`) and the
//! handler's stream is dropped. A client that cancels or goes away drops it too.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use futures_core::Stream;
use prost_reflect::ReflectMessage;
use tokio::time::Sleep;
use tonic::metadata::MetadataMap;

use super::call::{ServerHandle, answer};
use super::timeout;
use crate::errors::Error;
use crate::errors::reasons;
use crate::middleware::{BoxFuture, Chain, StreamCall};
use crate::transport::{Context, Deadline, Kind, RequestStream, within};

/// The replies of a server-streaming or bidirectional call as tonic sends them; the generated
/// glue names it as tonic's `type XxxStream`.
#[must_use = "a stream does nothing unless polled"]
pub struct ServerStream<T> {
    call: StreamCall<T>,
    /// The client's deadline for the whole call.
    deadline: Option<(Pin<Box<Sleep>>, &'static str)>,
    done: bool,
}

impl<T> std::fmt::Debug for ServerStream<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerStream")
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl<T> Stream for ServerStream<T> {
    type Item = Result<T, tonic::Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        // Checked first: a handler that always has a reply ready must still stop in time.
        if let Some((sleep, operation)) = &mut this.deadline
            && sleep.as_mut().poll(cx).is_ready()
        {
            this.done = true;
            let error = Error::new(
                504,
                reasons::TIMEOUT,
                format!("{operation} did not finish within the client's deadline"),
            );
            return Poll::Ready(Some(Err(error.to_status())));
        }
        let item = std::task::ready!(Pin::new(&mut this.call).poll_next(cx));
        // An error is the stream's last item.
        this.done = !matches!(item, Some(Ok(_)));
        Poll::Ready(item.map(|reply| reply.map_err(|error| error.to_status())))
    }
}

/// A call's context and the parts of its server settings a stream needs.
struct Opening {
    ctx: Context,
    deadline: Option<Deadline>,
    client_deadline: Option<std::time::Duration>,
    middleware: Chain,
    stream_middleware: Chain,
}

impl ServerHandle {
    fn opening(&self, operation: &'static str, metadata: MetadataMap) -> Opening {
        let headers = metadata.into_headers();
        let settings = self.settings();
        let client_deadline = timeout::client_timeout(&headers);
        let limit = timeout::effective(settings.timeout, &headers);
        let mut ctx = Context::new(Kind::Grpc, operation, headers);
        let deadline = Deadline::start(&mut ctx, limit);
        Opening {
            ctx,
            deadline,
            client_deadline,
            middleware: settings.middleware,
            stream_middleware: settings.stream_middleware,
        }
    }

    /// Serves a server-streaming call: the request through the chain (once), `call` opens the
    /// stream of replies. See `docs/streaming.md`.
    pub async fn server_streaming<Req, Rep, F, Fut, S>(
        &self,
        operation: &'static str,
        request: tonic::Request<Req>,
        call: F,
    ) -> Result<tonic::Response<ServerStream<Rep>>, tonic::Status>
    where
        Req: ReflectMessage + Send + 'static,
        Rep: ReflectMessage + Send + 'static,
        F: Fn(Context, Req) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<S, Error>> + Send + 'static,
        S: Stream<Item = Result<Rep, Error>> + Send + 'static,
    {
        let (metadata, _extensions, message) = request.into_parts();
        let opening = self.opening(operation, metadata);
        let stream = opening.middleware.stream_reflective(
            &opening.stream_middleware,
            opening.ctx.clone(),
            message,
            call,
        );
        open(operation, opening, stream).await
    }

    /// Serves a bidirectional call: the requests (each through the stream middleware) go to
    /// `call`, which returns the stream of replies. See `docs/streaming.md`.
    pub async fn bidi_streaming<Req, Rep, F, Fut, S>(
        &self,
        operation: &'static str,
        request: tonic::Request<tonic::Streaming<Req>>,
        call: F,
    ) -> Result<tonic::Response<ServerStream<Rep>>, tonic::Status>
    where
        Req: ReflectMessage + Send + 'static,
        Rep: ReflectMessage + Send + 'static,
        F: Fn(Context, RequestStream<Req>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<S, Error>> + Send + 'static,
        S: Stream<Item = Result<Rep, Error>> + Send + 'static,
    {
        let (metadata, _extensions, incoming) = request.into_parts();
        let opening = self.opening(operation, metadata);
        let requests = checked_requests(&opening, incoming);
        let stream = opening.middleware.stream(
            &opening.stream_middleware,
            opening.ctx.clone(),
            requests,
            call,
        );
        open(operation, opening, stream).await
    }

    /// Serves a client-streaming call: the requests (each through the stream middleware) go
    /// to `call`, whose one reply ends the call, within the time limit of a unary call. See
    /// `docs/streaming.md`.
    pub async fn client_streaming<Req, Rep, F, Fut>(
        &self,
        operation: &'static str,
        request: tonic::Request<tonic::Streaming<Req>>,
        call: F,
    ) -> Result<tonic::Response<Rep>, tonic::Status>
    where
        Req: ReflectMessage + Send + 'static,
        Rep: ReflectMessage + Send + 'static,
        F: Fn(Context, RequestStream<Req>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Rep, Error>> + Send + 'static,
    {
        let (metadata, _extensions, incoming) = request.into_parts();
        let opening = self.opening(operation, metadata);
        let requests = checked_requests(&opening, incoming);
        let ctx = opening.ctx.clone();
        let reply = opening.middleware.call(ctx.clone(), requests, call);
        let result = within(opening.deadline, operation, reply).await;
        answer(&ctx, result)
    }
}

/// Waits for `stream` to open within the opening's limit, then answers with it.
async fn open<Rep>(
    operation: &'static str,
    opening: Opening,
    mut stream: StreamCall<Rep>,
) -> Result<tonic::Response<ServerStream<Rep>>, tonic::Status> {
    let result = within(opening.deadline, operation, stream.opened()).await;
    let replies = result.map(|()| ServerStream {
        call: stream,
        deadline: opening
            .client_deadline
            .map(|limit| (Box::pin(tokio::time::sleep(limit)), operation)),
        done: false,
    });
    answer(&opening.ctx, replies)
}

/// The incoming requests, each through the stream middleware.
fn checked_requests<Req>(opening: &Opening, incoming: tonic::Streaming<Req>) -> RequestStream<Req>
where
    Req: ReflectMessage + Send + 'static,
{
    RequestStream::new(CheckedRequests {
        incoming,
        chain: opening.stream_middleware.clone(),
        ctx: opening.ctx.clone(),
        checking: None,
        done: false,
    })
}

/// A stream of requests, each checked by the per-message chain before the handler sees it;
/// it ends after the first error.
struct CheckedRequests<T> {
    incoming: tonic::Streaming<T>,
    chain: Chain,
    ctx: Context,
    checking: Option<BoxFuture<Result<T, Error>>>,
    done: bool,
}

impl<T: ReflectMessage + Send + 'static> Stream for CheckedRequests<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.done {
            return Poll::Ready(None);
        }
        if this.checking.is_none() {
            let message = match Pin::new(&mut this.incoming).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(None) => {
                    this.done = true;
                    return Poll::Ready(None);
                }
                Poll::Ready(Some(Err(status))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(Error::from(status))));
                }
                Poll::Ready(Some(Ok(message))) => message,
            };
            if this.chain.is_empty() {
                return Poll::Ready(Some(Ok(message)));
            }
            let chain = this.chain.clone();
            let ctx = this.ctx.clone();
            this.checking = Some(Box::pin(
                async move { chain.check_message(&ctx, message).await },
            ));
        }
        let Some(checking) = &mut this.checking else {
            return Poll::Pending;
        };
        let checked = std::task::ready!(checking.as_mut().poll(cx));
        this.checking = None;
        this.done = checked.is_err();
        Poll::Ready(Some(checked))
    }
}
