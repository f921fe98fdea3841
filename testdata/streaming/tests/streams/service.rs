//! The test implementation of `Streamer`, with a probe counting what its streams did.

#![allow(unreachable_pub)]

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use kratos::errors::Error;
use kratos::transport::{Context, ReplyStream, RequestStream, Stream};
use streaming_service::pb::{CountReply, CountRequest, Number, StreamerHttpServer, Total};

/// What the service's streams did: replies produced, streams alive (not yet dropped).
#[derive(Debug, Default)]
pub struct Probe {
    pub produced: AtomicUsize,
    pub live: AtomicUsize,
}

impl Probe {
    /// Waits up to `limit` for every stream to be dropped; whether they were.
    pub async fn all_dropped_within(&self, limit: Duration) -> bool {
        let until = tokio::time::Instant::now() + limit;
        while self.live.load(Ordering::SeqCst) != 0 {
            if tokio::time::Instant::now() >= until {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        true
    }
}

/// Counts a live stream until dropped.
struct Live(Arc<Probe>);

impl Live {
    fn new(probe: &Arc<Probe>) -> Self {
        probe.live.fetch_add(1, Ordering::SeqCst);
        Self(Arc::clone(probe))
    }
}

impl Drop for Live {
    fn drop(&mut self) {
        self.0.live.fetch_sub(1, Ordering::SeqCst);
    }
}

/// `count`: fails to open for the name "missing"; panics after its first reply for "panic".
#[derive(Debug, Clone, Default)]
pub struct Streamer {
    pub probe: Arc<Probe>,
}

impl StreamerHttpServer for Streamer {
    async fn count(
        &self,
        _ctx: Context,
        request: CountRequest,
    ) -> Result<ReplyStream<CountReply>, Error> {
        if request.name == "missing" {
            return Err(Error::new(404, "USER_NOT_FOUND", "no user named missing"));
        }
        let interval = u64::try_from(request.interval_ms)
            .ok()
            .filter(|ms| *ms > 0)
            .map(|ms| tokio::time::interval(Duration::from_millis(ms)));
        Ok(ReplyStream::new(Ticks {
            request,
            next: 0,
            interval,
            probe: Arc::clone(&self.probe),
            _live: Live::new(&self.probe),
        }))
    }

    async fn sum(
        &self,
        _ctx: Context,
        mut requests: RequestStream<Number>,
    ) -> Result<Total, Error> {
        let mut total = Total::default();
        while let Some(number) = requests.message().await {
            total.sum += number?.value;
            total.count += 1;
        }
        Ok(total)
    }

    async fn echo(
        &self,
        _ctx: Context,
        requests: RequestStream<Number>,
    ) -> Result<ReplyStream<Number>, Error> {
        Ok(ReplyStream::new(Doubled {
            requests,
            _live: Live::new(&self.probe),
        }))
    }
}

/// `count`'s replies.
struct Ticks {
    request: CountRequest,
    next: i32,
    interval: Option<tokio::time::Interval>,
    probe: Arc<Probe>,
    _live: Live,
}

impl Stream for Ticks {
    type Item = Result<CountReply, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        if this.next >= this.request.count {
            return Poll::Ready(None);
        }
        if let Some(interval) = &mut this.interval {
            std::task::ready!(interval.poll_tick(cx));
        }
        if this.request.fail_after > 0 && this.next == this.request.fail_after {
            this.next = this.request.count;
            return Poll::Ready(Some(Err(Error::new(
                404,
                "USER_NOT_FOUND",
                format!(
                    "{} left after {} replies",
                    this.request.name, this.request.fail_after
                ),
            ))));
        }
        assert!(
            !(this.request.name == "panic" && this.next == 1),
            "the stream broke"
        );
        this.probe.produced.fetch_add(1, Ordering::SeqCst);
        let reply = CountReply {
            name: this.request.name.clone(),
            index: this.next,
        };
        this.next += 1;
        Poll::Ready(Some(Ok(reply)))
    }
}

/// `echo`'s replies: each request doubled; a bad request ends the stream with its error.
struct Doubled {
    requests: RequestStream<Number>,
    _live: Live,
}

impl Stream for Doubled {
    type Item = Result<Number, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        Pin::new(&mut self.requests).poll_next(cx).map(|item| {
            item.map(|number| {
                number.map(|number| Number {
                    value: number.value * 2,
                })
            })
        })
    }
}
