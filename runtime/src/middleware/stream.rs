//! The middleware chain around streaming calls, as Kratos' stream interceptors.
//!
//! A stream runs through two chains:
//! - **once per stream**, the server's (or client's) ordinary [`Chain`], around the whole life
//!   of the stream: its "call" starts when the stream is opened and ends with the stream's
//!   final status. Recovery catches a panic anywhere in the stream; jwt, metadata and
//!   ratelimit decide at the opening; logging, metrics and tracing record the stream's end,
//!   status and duration; validate checks the request of a server-streaming call.
//! - **per message**, a second chain (the servers' `stream_middleware`, as Kratos'
//!   `StreamMiddleware`), run by [`Chain::check_message`] on every message received and sent,
//!   with nothing inside it: validate belongs there, to check each request of a client stream.
//!
//! The stream's replies flow out of the per-stream call through a slot of one message, and the
//! call runs only while the [`StreamCall`] is polled: the transport polls it when the peer can
//! take a message, so a slow reader slows the handler and at most one reply waits. Dropping the
//! `StreamCall` drops the handler's stream.

use std::future::Future;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context as TaskContext, Poll};

use futures_core::Stream;
use prost_reflect::ReflectMessage;

use super::{BoxFuture, Chain};
use crate::errors::Error;
use crate::transport::Context;

/// A streaming call running through a chain: a `Stream` of its replies, then its error if it
/// failed. See the [module docs](self).
#[must_use = "a stream call runs only while polled"]
pub struct StreamCall<T> {
    /// The call through the chain, until it has finished.
    run: Option<BoxFuture<Result<(), Error>>>,
    replies: Arc<Slot<T>>,
    /// Set once the handler has returned its stream (the chain let the call through).
    opened: Arc<AtomicBool>,
    /// The call's error, sent after the replies before it.
    failure: Option<Error>,
}

impl<T> std::fmt::Debug for StreamCall<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StreamCall")
            .field("running", &self.run.is_some())
            .field("opened", &self.opened.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

impl<T> StreamCall<T> {
    /// Runs the call until the handler has returned its stream (`Ok`), or until the chain or
    /// the handler refused it (`Err`: answer it as a unary call's error, with its status).
    pub async fn opened(&mut self) -> Result<(), Error> {
        std::future::poll_fn(|cx| self.poll_opened(cx)).await
    }

    fn poll_opened(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Error>> {
        self.poll_run(cx);
        if self.opened.load(Ordering::Relaxed) {
            return Poll::Ready(Ok(()));
        }
        match (&self.run, self.failure.take()) {
            (_, Some(error)) => Poll::Ready(Err(error)),
            // It finished without opening: only a middleware that answered for the handler.
            (None, None) => Poll::Ready(Ok(())),
            (Some(_), None) => Poll::Pending,
        }
    }

    /// Polls the call once, keeping its error.
    fn poll_run(&mut self, cx: &mut TaskContext<'_>) {
        if let Some(run) = &mut self.run
            && let Poll::Ready(result) = run.as_mut().poll(cx)
        {
            self.run = None;
            self.failure = result.err();
        }
    }
}

impl<T> Stream for StreamCall<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        this.poll_run(cx);
        if let Some(reply) = this.replies.take() {
            return Poll::Ready(Some(Ok(reply)));
        }
        // The call sends every reply before it finishes, so a finished call has no more.
        if this.run.is_none() {
            return Poll::Ready(this.failure.take().map(Err));
        }
        Poll::Pending
    }
}

impl Chain {
    /// Runs a streaming call whose request is one protobuf message (server streaming): the
    /// chain once around the whole stream (the request readable by reflection, so validate
    /// checks it), `call` to open the stream, and `per_message` on every reply. See the
    /// [module docs](self).
    pub fn stream_reflective<Req, Rep, F, Fut, S>(
        &self,
        per_message: &Chain,
        ctx: Context,
        request: Req,
        call: F,
    ) -> StreamCall<Rep>
    where
        Req: ReflectMessage + Send + 'static,
        Rep: ReflectMessage + Send + 'static,
        F: Fn(Context, Req) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<S, Error>> + Send + 'static,
        S: Stream<Item = Result<Rep, Error>> + Send + 'static,
    {
        let (endpoint, call) = streaming_endpoint(per_message, call);
        let chain = self.clone();
        call.start(async move { chain.call_reflective(ctx, request, endpoint).await })
    }

    /// [`stream_reflective`](Self::stream_reflective) for a request that is not one message:
    /// the [`RequestStream`](crate::transport::RequestStream) of a bidirectional call.
    pub fn stream<Req, Rep, F, Fut, S>(
        &self,
        per_message: &Chain,
        ctx: Context,
        request: Req,
        call: F,
    ) -> StreamCall<Rep>
    where
        Req: Send + 'static,
        Rep: ReflectMessage + Send + 'static,
        F: Fn(Context, Req) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<S, Error>> + Send + 'static,
        S: Stream<Item = Result<Rep, Error>> + Send + 'static,
    {
        let (endpoint, call) = streaming_endpoint(per_message, call);
        let chain = self.clone();
        call.start(async move { chain.call(ctx, request, endpoint).await })
    }

    /// Runs the chain over one message of a stream, with nothing inside it (the message
    /// passes through when every middleware lets it): the per-message chain of Kratos'
    /// stream middleware. The empty chain costs nothing.
    pub async fn check_message<T>(&self, ctx: &Context, message: T) -> Result<T, Error>
    where
        T: ReflectMessage + Send + 'static,
    {
        if self.is_empty() {
            return Ok(message);
        }
        self.call_reflective(
            ctx.clone(),
            message,
            |_, message: T| async move { Ok(message) },
        )
        .await
    }
}

/// The one reply handed from the call to the caller. One task drives both: the caller polls the
/// call, then takes the reply it left; the call leaves a reply only in an empty slot and
/// otherwise waits for the caller's next poll, which always comes before the next take. So
/// neither side needs a waker, and the handler runs at most one reply ahead of the peer.
struct Slot<T>(Mutex<Option<T>>);

impl<T> Slot<T> {
    fn take(&self) -> Option<T> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).take()
    }

    /// Leaves `reply` once the slot is empty.
    fn put(&self, reply: T) -> impl Future<Output = ()> + '_ {
        let mut reply = Some(reply);
        std::future::poll_fn(move |_| {
            let mut slot = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            if slot.is_some() {
                // Taken by the caller right after this poll; it polls the call again first.
                return Poll::Pending;
            }
            *slot = reply.take();
            Poll::Ready(())
        })
    }
}

/// The parts of a [`StreamCall`] made before its call is started.
struct Unstarted<T> {
    replies: Arc<Slot<T>>,
    opened: Arc<AtomicBool>,
}

impl<T> Unstarted<T> {
    fn start(self, run: impl Future<Output = Result<(), Error>> + Send + 'static) -> StreamCall<T> {
        StreamCall {
            run: Some(Box::pin(run)),
            replies: self.replies,
            opened: self.opened,
            failure: None,
        }
    }
}

/// The end of the per-stream chain: opens the handler's stream, then forwards its replies
/// (each through `per_message`) into the channel until the stream ends or fails.
#[allow(clippy::type_complexity)]
fn streaming_endpoint<Req, Rep, F, Fut, S>(
    per_message: &Chain,
    call: F,
) -> (
    impl Fn(Context, Req) -> BoxFuture<Result<(), Error>> + Send + Sync + 'static,
    Unstarted<Rep>,
)
where
    Req: Send + 'static,
    Rep: ReflectMessage + Send + 'static,
    F: Fn(Context, Req) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<S, Error>> + Send + 'static,
    S: Stream<Item = Result<Rep, Error>> + Send + 'static,
{
    let replies = Arc::new(Slot(Mutex::new(None)));
    let slot = Arc::clone(&replies);
    let opened = Arc::new(AtomicBool::new(false));
    let per_message = per_message.clone();
    let flag = Arc::clone(&opened);
    let endpoint = move |ctx: Context, request: Req| -> BoxFuture<Result<(), Error>> {
        let stream = call(ctx.clone(), request);
        let slot = Arc::clone(&slot);
        let per_message = per_message.clone();
        let opened = Arc::clone(&flag);
        Box::pin(async move {
            let stream = stream.await?;
            opened.store(true, Ordering::Relaxed);
            let mut stream = std::pin::pin!(stream);
            while let Some(reply) = std::future::poll_fn(|cx| stream.as_mut().poll_next(cx)).await {
                let reply = per_message.check_message(&ctx, reply?).await?;
                slot.put(reply).await;
            }
            Ok(())
        })
    };
    (endpoint, Unstarted { replies, opened })
}
