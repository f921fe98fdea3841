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
//! Everything runs only while the [`StreamCall`] is polled: the transport polls it when the peer
//! can take a message, so a slow reader slows the handler. Dropping the `StreamCall` drops the
//! handler's stream. How the replies get out of the per-stream call:
//! - with no per-message chain, the call hands the handler's stream out once it is open and
//!   waits for its end; the `StreamCall` polls that stream directly (nothing of the chain runs
//!   per reply: the call is polled again only when something in it wakes, and at the end, which
//!   it returns through the chain: a panic in the stream is resumed inside the call, where
//!   recovery catches it);
//! - with a per-message chain, the call runs each reply through it and hands it over in a slot
//!   of one message, so at most one reply waits;
//! - with both chains empty there is nothing to run around the stream: the handler's stream is
//!   polled as it is.

use std::any::Any;
use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context as TaskContext, Poll, Wake, Waker};

use futures_core::Stream;
use prost_reflect::ReflectMessage;

use super::{BoxFuture, Chain};
use crate::errors::Error;
use crate::transport::{BoxStream, Context};

/// A streaming call running through a chain: a `Stream` of its replies, then its error if it
/// failed. See the [module docs](self).
#[must_use = "a stream call runs only while polled"]
pub struct StreamCall<T> {
    state: State<T>,
}

enum State<T> {
    /// Through the per-stream chain only: the call hands the handler's stream out once open.
    Wrapped(Wrapped<T>),
    /// Through both chains: the call, until it has finished, hands its replies over in a slot.
    Chained {
        run: Option<BoxFuture<Result<(), Error>>>,
        replies: Arc<Slot<T>>,
        /// Set once the handler has returned its stream (the chain let the call through).
        opened: Arc<AtomicBool>,
        /// The call's error, sent after the replies before it.
        failure: Option<Error>,
    },
    /// Both chains empty: the handler's stream is polled as it is, once it has been opened.
    Opening(BoxFuture<Result<BoxStream<T>, Error>>),
    Open(BoxStream<T>),
    Ended,
}

impl<T> std::fmt::Debug for StreamCall<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.state {
            State::Wrapped(_) => "wrapped",
            State::Chained { .. } => "chained",
            State::Opening(_) => "opening",
            State::Open(_) => "open",
            State::Ended => "ended",
        };
        f.debug_struct("StreamCall").field("state", &state).finish()
    }
}

impl<T> StreamCall<T> {
    /// Runs the call until the handler has returned its stream (`Ok`), or until the chain or
    /// the handler refused it (`Err`: answer it as a unary call's error, with its status).
    pub async fn opened(&mut self) -> Result<(), Error> {
        std::future::poll_fn(|cx| self.poll_opened(cx)).await
    }

    fn poll_opened(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Error>> {
        match &mut self.state {
            State::Wrapped(wrapped) => wrapped.poll_opened(cx),
            State::Chained {
                run,
                opened,
                failure,
                ..
            } => {
                poll_run(run, failure, cx);
                if opened.load(Ordering::Relaxed) {
                    return Poll::Ready(Ok(()));
                }
                match (run, failure.take()) {
                    (_, Some(error)) => Poll::Ready(Err(error)),
                    // Finished without opening: a middleware answered for the handler.
                    (None, None) => Poll::Ready(Ok(())),
                    (Some(_), None) => Poll::Pending,
                }
            }
            State::Opening(opening) => {
                let opened = std::task::ready!(opening.as_mut().poll(cx));
                self.state = match opened {
                    Ok(stream) => State::Open(stream),
                    Err(error) => {
                        self.state = State::Ended;
                        return Poll::Ready(Err(error));
                    }
                };
                Poll::Ready(Ok(()))
            }
            State::Open(_) | State::Ended => Poll::Ready(Ok(())),
        }
    }
}

/// Polls the call once, keeping its error.
fn poll_run(
    run: &mut Option<BoxFuture<Result<(), Error>>>,
    failure: &mut Option<Error>,
    cx: &mut TaskContext<'_>,
) {
    if let Some(call) = run
        && let Poll::Ready(result) = call.as_mut().poll(cx)
    {
        *run = None;
        *failure = result.err();
    }
}

impl<T> Stream for StreamCall<T> {
    type Item = Result<T, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if let State::Opening(_) = this.state
            && let Err(error) = std::task::ready!(this.poll_opened(cx))
        {
            return Poll::Ready(Some(Err(error)));
        }
        match &mut this.state {
            State::Wrapped(wrapped) => wrapped.poll_next(cx),
            State::Chained {
                run,
                replies,
                failure,
                ..
            } => {
                poll_run(run, failure, cx);
                if let Some(reply) = replies.take() {
                    return Poll::Ready(Some(Ok(reply)));
                }
                // The call hands over every reply before it finishes: a finished call has no more.
                if run.is_none() {
                    return Poll::Ready(failure.take().map(Err));
                }
                Poll::Pending
            }
            State::Open(stream) => {
                let item = std::task::ready!(stream.as_mut().poll_next(cx));
                // An error is the stream's last item, as through the chain.
                if !matches!(item, Some(Ok(_))) {
                    this.state = State::Ended;
                }
                Poll::Ready(item)
            }
            State::Opening(_) | State::Ended => Poll::Ready(None),
        }
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
        if self.is_empty() && per_message.is_empty() {
            return StreamCall::direct(call(ctx, request));
        }
        let chain = self.clone();
        if per_message.is_empty() {
            let (endpoint, handoff) = handing_out(call);
            return StreamCall::wrapped(handoff, async move {
                chain.call_reflective(ctx, request, endpoint).await
            });
        }
        let (endpoint, call) = streaming_endpoint(per_message, call);
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
        if self.is_empty() && per_message.is_empty() {
            return StreamCall::direct(call(ctx, request));
        }
        let chain = self.clone();
        if per_message.is_empty() {
            let (endpoint, handoff) = handing_out(call);
            return StreamCall::wrapped(handoff, async move {
                chain.call(ctx, request, endpoint).await
            });
        }
        let (endpoint, call) = streaming_endpoint(per_message, call);
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
            state: State::Chained {
                run: Some(Box::pin(run)),
                replies: self.replies,
                opened: self.opened,
                failure: None,
            },
        }
    }
}

impl<T: 'static> StreamCall<T> {
    /// The handler's stream as it opens, with no chain around it.
    fn direct<S>(opening: impl Future<Output = Result<S, Error>> + Send + 'static) -> Self
    where
        S: Stream<Item = Result<T, Error>> + Send + 'static,
    {
        let opening = async move { opening.await.map(|stream| Box::pin(stream) as BoxStream<T>) };
        Self {
            state: State::Opening(Box::pin(opening)),
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
                let mut reply = reply?;
                if !per_message.is_empty() {
                    reply = per_message.check_message(&ctx, reply).await?;
                }
                slot.put(reply).await;
            }
            Ok(())
        })
    };
    (endpoint, Unstarted { replies, opened })
}

/// What passes between the per-stream call (inside the chain) and the [`StreamCall`] outside it
/// when there is no per-message chain.
struct Handoff<T> {
    /// The handler's stream, left by the call once open, taken by the `StreamCall`.
    stream: Mutex<Option<BoxStream<T>>>,
    /// How the stream ended, left by the `StreamCall` for the call to return.
    end: Mutex<Option<End>>,
}

/// How a handed-out stream ended.
enum End {
    Finished,
    Failed(Error),
    /// Resumed inside the call, where recovery catches it.
    Panicked(Box<dyn Any + Send>),
}

/// The end of the per-stream chain with no per-message chain: opens the handler's stream, hands
/// it out, and returns how it ended once the `StreamCall` says.
#[allow(clippy::type_complexity)]
fn handing_out<Req, Rep, F, Fut, S>(
    call: F,
) -> (
    impl Fn(Context, Req) -> BoxFuture<Result<(), Error>> + Send + Sync + 'static,
    Arc<Handoff<Rep>>,
)
where
    Req: Send + 'static,
    Rep: Send + 'static,
    F: Fn(Context, Req) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<S, Error>> + Send + 'static,
    S: Stream<Item = Result<Rep, Error>> + Send + 'static,
{
    let handoff = Arc::new(Handoff {
        stream: Mutex::new(None),
        end: Mutex::new(None),
    });
    let shared = Arc::clone(&handoff);
    let endpoint = move |ctx: Context, request: Req| -> BoxFuture<Result<(), Error>> {
        let opening = call(ctx, request);
        let handoff = Arc::clone(&shared);
        Box::pin(async move {
            let stream: BoxStream<Rep> = Box::pin(opening.await?);
            *lock(&handoff.stream) = Some(stream);
            // No waker: the `StreamCall` polls the call right after leaving the end.
            std::future::poll_fn(|_| match lock(&handoff.end).take() {
                None => Poll::Pending,
                Some(End::Finished) => Poll::Ready(Ok(())),
                Some(End::Failed(error)) => Poll::Ready(Err(error)),
                Some(End::Panicked(payload)) => resume_unwind(payload),
            })
            .await
        })
    };
    (endpoint, handoff)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A stream call through the per-stream chain only. Once the stream is out, the call is polled
/// only when something in it woke (a middleware's timer) and at the end.
struct Wrapped<T> {
    run: Option<BoxFuture<Result<(), Error>>>,
    handoff: Arc<Handoff<T>>,
    stream: Option<BoxStream<T>>,
    /// Wakes the task polling the `StreamCall` and marks the call as woken.
    woken: Arc<RunWaker>,
    run_waker: Waker,
    failure: Option<Error>,
}

/// The waker the call is polled with: notes the wake-up, then wakes the task.
#[derive(Default)]
struct RunWaker {
    woken: AtomicBool,
    task: Mutex<Option<Waker>>,
}

impl RunWaker {
    fn register(&self, waker: &Waker) {
        let mut task = lock(&self.task);
        if !task.as_ref().is_some_and(|task| task.will_wake(waker)) {
            *task = Some(waker.clone());
        }
    }
}

impl Wake for RunWaker {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }

    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::Release);
        if let Some(task) = lock(&self.task).as_ref() {
            task.wake_by_ref();
        }
    }
}

impl<T: 'static> StreamCall<T> {
    fn wrapped(
        handoff: Arc<Handoff<T>>,
        run: impl Future<Output = Result<(), Error>> + Send + 'static,
    ) -> Self {
        let woken = Arc::new(RunWaker::default());
        Self {
            state: State::Wrapped(Wrapped {
                run: Some(Box::pin(run)),
                handoff,
                stream: None,
                run_waker: Waker::from(Arc::clone(&woken)),
                woken,
                failure: None,
            }),
        }
    }
}

impl<T> Wrapped<T> {
    /// Polls the call once (keeping its error), then takes the stream it handed out.
    fn poll_run(&mut self, cx: &mut TaskContext<'_>) {
        if let Some(run) = &mut self.run {
            self.woken.register(cx.waker());
            self.woken.woken.store(false, Ordering::Release);
            if let Poll::Ready(result) = run
                .as_mut()
                .poll(&mut TaskContext::from_waker(&self.run_waker))
            {
                self.run = None;
                self.failure = result.err();
            }
        }
        if self.stream.is_none() {
            self.stream = lock(&self.handoff.stream).take();
        }
    }

    fn poll_opened(&mut self, cx: &mut TaskContext<'_>) -> Poll<Result<(), Error>> {
        if self.stream.is_none() {
            self.poll_run(cx);
        }
        if self.stream.is_some() {
            return Poll::Ready(Ok(()));
        }
        match (&self.run, self.failure.take()) {
            (_, Some(error)) => Poll::Ready(Err(error)),
            // Finished without opening: a middleware answered for the handler.
            (None, None) => Poll::Ready(Ok(())),
            (Some(_), None) => Poll::Pending,
        }
    }

    fn poll_next(&mut self, cx: &mut TaskContext<'_>) -> Poll<Option<Result<T, Error>>> {
        if self.stream.is_none() || self.woken.woken.load(Ordering::Acquire) {
            self.poll_run(cx);
        }
        let Some(stream) = &mut self.stream else {
            return if self.run.is_none() {
                Poll::Ready(self.failure.take().map(Err))
            } else {
                Poll::Pending
            };
        };
        if self.run.is_none() {
            // The call ended while the stream was open (a middleware gave up on it): so does
            // the stream, with the call's answer.
            self.stream = None;
            return Poll::Ready(self.failure.take().map(Err));
        }
        let end = match catch_unwind(AssertUnwindSafe(|| stream.as_mut().poll_next(cx))) {
            Ok(Poll::Ready(Some(Ok(reply)))) => return Poll::Ready(Some(Ok(reply))),
            Ok(Poll::Pending) => {
                // The call may wake while the stream waits.
                self.woken.register(cx.waker());
                return Poll::Pending;
            }
            Ok(Poll::Ready(Some(Err(error)))) => End::Failed(error),
            Ok(Poll::Ready(None)) => End::Finished,
            Err(payload) => End::Panicked(payload),
        };
        self.stream = None;
        *lock(&self.handoff.end) = Some(end);
        self.poll_run(cx);
        if self.run.is_none() {
            Poll::Ready(self.failure.take().map(Err))
        } else {
            // A middleware still at work after the end; the call wakes the task when done.
            Poll::Pending
        }
    }
}
