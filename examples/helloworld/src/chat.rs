//! The replies of `Chat`: one per message received, as it arrives, so a client that stops
//! sending gets no more replies and one that stops reading stops the reading of its messages.

use std::pin::Pin;
use std::task::{Context, Poll, ready};

use kratos::errors::Error;
use kratos::transport::{RequestStream, Stream};

use crate::Greeting;
use crate::api::ChatMessage;

/// Who the replies are from.
const GREETER: &str = "greeter";

/// `"{greeting} {name}, #{n}: {text}"` for the n-th message; a message that fails (it broke its
/// rules, the client's stream failed) ends the replies with that error.
pub(crate) struct Replies {
    requests: RequestStream<ChatMessage>,
    greeting: Greeting,
    received: u64,
}

impl Replies {
    pub(crate) fn new(requests: RequestStream<ChatMessage>, greeting: Greeting) -> Self {
        Self {
            requests,
            greeting,
            received: 0,
        }
    }
}

impl Stream for Replies {
    type Item = Result<ChatMessage, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        let Some(message) = ready!(Pin::new(&mut this.requests).poll_next(cx)) else {
            return Poll::Ready(None);
        };
        let message = match message {
            Ok(message) => message,
            Err(error) => return Poll::Ready(Some(Err(error))),
        };
        this.received += 1;
        Poll::Ready(Some(Ok(ChatMessage {
            name: GREETER.to_owned(),
            text: format!(
                "{} {}, #{}: {}",
                this.greeting.get(),
                message.name,
                this.received,
                message.text
            ),
        })))
    }
}
