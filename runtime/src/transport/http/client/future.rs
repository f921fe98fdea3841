//! The future generated client methods return.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll, ready};

use crate::errors::Error;
use crate::middleware::{Chain, Message};

/// A call in flight, as generated client methods return it: `.await` it for the reply (or the
/// reply stream of a server-streaming method). It borrows the client; dropping it cancels the
/// call.
///
/// A named type rather than an `async fn`, so that each generated method is a plain function
/// handing over the runtime's future instead of one more state machine of its own to compile.
#[must_use = "a call does nothing unless awaited"]
pub struct ReplyFuture<'a, T> {
    state: State<'a, T>,
}

enum State<'a, T> {
    Running(Pin<Box<dyn Future<Output = Result<T, Error>> + Send + 'a>>),
    /// The client's untyped call, whose reply is restored to `T` when it comes.
    Erased(Pin<Box<dyn Future<Output = Result<Message, Error>> + Send + 'a>>),
    /// Failed before it was sent (a path field that does not fit its template); taken when
    /// polled.
    Failed(Option<Error>),
}

impl<'a, T> ReplyFuture<'a, T> {
    pub(crate) fn new(call: impl Future<Output = Result<T, Error>> + Send + 'a) -> Self {
        Self {
            state: State::Running(Box::pin(call)),
        }
    }

    pub(crate) fn erased(call: impl Future<Output = Result<Message, Error>> + Send + 'a) -> Self {
        Self {
            state: State::Erased(Box::pin(call)),
        }
    }

    pub(crate) fn failed(error: Error) -> Self {
        Self {
            state: State::Failed(Some(error)),
        }
    }
}

impl<T: Send + 'static> Future for ReplyFuture<'_, T> {
    type Output = Result<T, Error>;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().state {
            State::Running(call) => call.as_mut().poll(cx),
            State::Erased(call) => {
                Poll::Ready(ready!(call.as_mut().poll(cx)).and_then(Chain::restore))
            }
            State::Failed(error) => Poll::Ready(Err(error.take().unwrap_or_else(polled_again))),
        }
    }
}

impl<T> fmt::Debug for ReplyFuture<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = match self.state {
            State::Running(_) | State::Erased(_) => "running",
            State::Failed(_) => "failed",
        };
        f.debug_struct("ReplyFuture")
            .field("state", &state)
            .finish()
    }
}

/// The error of a failed call polled after it returned its error.
#[cold]
fn polled_again() -> Error {
    Error::new(
        500,
        crate::errors::reasons::UNKNOWN,
        "a failed call was polled after it ended",
    )
}
