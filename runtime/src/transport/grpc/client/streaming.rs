//! Streaming calls from the client: what generated `XxxGrpcClient`s call for each kind.
//!
//! The client's chain runs once around the opening of each stream (it sets headers, such as
//! jwt's, and sees whether the stream opened); the messages after that do not pass through it.
//! The client's timeout bounds the opening of a server-streaming or bidirectional call (its
//! stream then runs until either side ends it; drop the stream to cancel the call), and the
//! whole of a client-streaming call, as a unary one. Streams go to the fixed endpoint, or to
//! one discovered node picked when the stream opens (no retry on another node).

use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use futures_core::Stream;
use http::HeaderMap;
use tonic::transport::Channel;

use super::{Client, Target, node_channel, request_of};
use crate::errors::Error;
use crate::errors::reasons;
use crate::transport::{Context, Kind, ReplyStream};

impl Client {
    /// Opens a server-streaming call: `call` sends `request` on the channel (generated code
    /// calls tonic's client there); the replies come back as a [`ReplyStream`], a `Status`
    /// as a `kratos::Error`.
    // Called by generated `XxxGrpcClient`s only.
    #[doc(hidden)]
    pub async fn server_streaming<Req, Rep, F, Fut>(
        &self,
        operation: &'static str,
        request: Req,
        call: F,
    ) -> Result<ReplyStream<Rep>, Error>
    where
        Req: Send + 'static,
        Rep: Send + 'static,
        F: Fn(Channel, tonic::Request<Req>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<tonic::Response<tonic::Streaming<Rep>>, tonic::Status>>
            + Send
            + 'static,
    {
        self.open(operation, request, call, None, replies).await
    }

    /// Opens a bidirectional call: `requests` are sent as the caller's stream yields them
    /// (end it to finish sending); the replies come back as a [`ReplyStream`].
    // Called by generated `XxxGrpcClient`s only.
    #[doc(hidden)]
    pub async fn bidi_streaming<S, Rep, F, Fut>(
        &self,
        operation: &'static str,
        requests: S,
        call: F,
    ) -> Result<ReplyStream<Rep>, Error>
    where
        S: Stream + Send + 'static,
        Rep: Send + 'static,
        F: Fn(Channel, tonic::Request<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<tonic::Response<tonic::Streaming<Rep>>, tonic::Status>>
            + Send
            + 'static,
    {
        self.open(operation, requests, call, None, replies).await
    }

    /// Makes a client-streaming call: `requests` are sent as the stream yields them, and the
    /// one reply (or the error) comes back when the server answers.
    // Called by generated `XxxGrpcClient`s only.
    #[doc(hidden)]
    pub async fn client_streaming<S, Rep, F, Fut>(
        &self,
        operation: &'static str,
        requests: S,
        call: F,
    ) -> Result<Rep, Error>
    where
        S: Stream + Send + 'static,
        Rep: Send + 'static,
        F: Fn(Channel, tonic::Request<S>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<tonic::Response<Rep>, tonic::Status>> + Send + 'static,
    {
        self.open(operation, requests, call, self.timeout, |reply| reply)
            .await
    }

    /// Runs `call` through the chain once: the request (a message or a stream) goes out with
    /// the context's headers and `grpc_timeout` (the client's timeout, when it bounds the
    /// whole call), within the client's timeout; the reply's metadata lands in the context,
    /// and `convert` makes the reply the caller's.
    async fn open<Req, Rep, Out, F, Fut>(
        &self,
        operation: &'static str,
        request: Req,
        call: F,
        grpc_timeout: Option<Duration>,
        convert: fn(Rep) -> Out,
    ) -> Result<Out, Error>
    where
        Req: Send + 'static,
        Rep: Send + 'static,
        Out: Send + 'static,
        F: Fn(Channel, tonic::Request<Req>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<tonic::Response<Rep>, tonic::Status>> + Send + 'static,
    {
        let target = self.target.clone();
        let limit = self.timeout;
        let call = std::sync::Arc::new(call);
        let ctx = Context::new(Kind::Grpc, operation, HeaderMap::new());
        self.middleware
            .call(ctx, request, move |ctx, request| {
                let target = target.clone();
                let call = std::sync::Arc::clone(&call);
                async move {
                    let channel = channel_of(&target, limit).await?;
                    let sent = call(channel, request_of(&ctx, request, grpc_timeout));
                    let reply = match limit {
                        Some(limit) => tokio::time::timeout(limit, sent)
                            .await
                            .map_err(|_| timed_out(operation, limit))?,
                        None => sent.await,
                    }
                    .map_err(Error::from)?;
                    let (metadata, reply, _) = reply.into_parts();
                    ctx.reply_headers().extend(metadata.into_headers());
                    Ok(convert(reply))
                }
            })
            .await
    }
}

/// tonic's reply stream as the caller's.
fn replies<T: Send + 'static>(stream: tonic::Streaming<T>) -> ReplyStream<T> {
    ReplyStream::new(Replies(stream))
}

fn timed_out(operation: &str, limit: Duration) -> Error {
    Error::new(
        504,
        reasons::TIMEOUT,
        format!("{operation}: the stream did not open within {limit:?}"),
    )
}

/// The channel a stream goes on: the fixed one, or a discovered node's.
async fn channel_of(target: &Target, limit: Option<Duration>) -> Result<Channel, Error> {
    match target {
        Target::Fixed(channel) => Ok(channel.clone()),
        Target::Discovered(resolver) => {
            let picked = resolver.select(&[], limit).await?;
            let channel = node_channel(picked.node());
            // The node's load counts the opening only: a stream's length says nothing of it.
            picked.done(channel.is_err());
            channel
        }
    }
}

/// tonic's replies with `Status`es as `kratos::Error`s.
struct Replies<T>(tonic::Streaming<T>);

impl<T> Stream for Replies<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.0)
            .poll_next(cx)
            .map(|item| item.map(|reply| reply.map_err(Error::from)))
    }
}
