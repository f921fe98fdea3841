//! One connection, from accept to close: served by hyper, closed when idle, drained or closed
//! as the server stops.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::sync::watch;
use tokio::time::{Instant, Sleep};

use super::activity::{Activity, Tracked};
use super::clock::CoarseClock;
use super::{ConnectionService, ConnectionSettings, ResponseBody, Stage};

/// Far enough away to stand for "never" on a timer that is disabled.
const NEVER: Duration = Duration::from_secs(86_400 * 365);

/// Serves one accepted connection until it ends, is idle past the idle timeout (or, on HTTP/1,
/// the header read timeout), or the server stops.
pub(super) async fn serve<I, S, B>(
    builder: Arc<auto::Builder<TokioExecutor>>,
    io: I,
    service: S,
    settings: Arc<ConnectionSettings>,
    mut stage: watch::Receiver<Stage>,
    clock: Arc<CoarseClock>,
) where
    I: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send + 'static,
    S: ConnectionService<B>,
    B: ResponseBody,
{
    let activity = Arc::new(Activity::new(clock));
    let service = Tracked {
        inner: TowerToHyperService::new(service),
        activity: Arc::clone(&activity),
        body_read_timeout: settings.body_read_timeout,
    };
    let connection = builder.serve_connection_with_upgrades(TokioIo::new(io), service);
    let mut connection = std::pin::pin!(connection);
    let deadlines = Deadlines {
        idle: settings.idle_timeout,
        header_read: settings.header_read_timeout,
    };
    // Reset only when it fires: nothing is armed per request.
    let check = deadline_timer(deadlines.period().unwrap_or(NEVER));
    let mut check = std::pin::pin!(check);
    let mut draining = false;
    // Accepted as the server began to stop: drain at once.
    let mut current = *stage.borrow_and_update();
    // Reads the stage's version for `Registered`, without the watch's lock.
    let mut observer = stage.clone();
    loop {
        match current {
            Stage::Serving => {}
            Stage::Draining if !draining => {
                connection.as_mut().graceful_shutdown();
                draining = true;
            }
            Stage::Draining => {}
            Stage::Closing => return,
        }
        tokio::select! {
            // In this order, not at random: the connection is what wakes the task nearly
            // every time, and no branch can starve another (the others fire once).
            biased;
            // A failed connection (client gone, protocol error) ends only that connection.
            _ = connection.as_mut() => return,
            changed = stage_change(&mut stage, &observer) => {
                current = if changed.is_ok() { *stage.borrow_and_update() } else { Stage::Closing };
                observer.mark_unchanged();
            }
            () = &mut check, if deadlines.period().is_some() => {
                let now = Instant::now();
                match deadlines.check(&activity, now) {
                    Due::Nothing(next) => check.as_mut().reset(next),
                    Due::HeaderRead => return,
                    // Closing already (idle, or the server stopping) and idle past the timeout
                    // again: a client that does not answer the close is dropped.
                    Due::Idle if draining => return,
                    Due::Idle => {
                        connection.as_mut().graceful_shutdown();
                        draining = true;
                        check
                            .as_mut()
                            .reset(later(now, deadlines.idle.unwrap_or(NEVER)));
                    }
                }
            }
        }
    }
}

pin_project_lite::pin_project! {
    /// A future the connection's driver waits on in every `select!` (the deadline timer, the
    /// server's stage): polled on the first wait only, which takes a unit of the task's coop
    /// budget and registers its waker (a watch's `changed()` also takes the watch's lock);
    /// on the task's later wake-ups, nearly all for the connection, polled again only when
    /// `may_be_ready` says it may have finished, a plain read. The driver is polled by its
    /// connection's one task for its whole life, so the waker registered first is that task's.
    struct Registered<F, R> {
        #[pin]
        future: F,
        may_be_ready: R,
        registered: bool,
    }
}

impl<F, R: Fn(&F) -> bool> Registered<F, R> {
    fn new(future: F, may_be_ready: R) -> Self {
        Self {
            future,
            may_be_ready,
            registered: false,
        }
    }
}

/// The deadline timer: one for both deadlines, moved rather than re-created.
fn deadline_timer(after: Duration) -> Registered<Sleep, fn(&Sleep) -> bool> {
    Registered::new(tokio::time::sleep(after), Sleep::is_elapsed)
}

/// `stage.changed()`, polled again once registered only when `observer` sees a new version or
/// the sender gone (which `changed` answers at once).
fn stage_change<'a>(
    stage: &'a mut watch::Receiver<Stage>,
    observer: &'a watch::Receiver<Stage>,
) -> impl Future<Output = Result<(), watch::error::RecvError>> + 'a {
    Registered::new(stage.changed(), move |_| {
        !matches!(observer.has_changed(), Ok(false))
    })
}

impl<R> Registered<Sleep, R> {
    /// Moves the timer to `at`; the next wait registers again.
    fn reset(self: Pin<&mut Self>, at: Instant) {
        let this = self.project();
        this.future.reset(at);
        *this.registered = false;
    }
}

impl<F: Future, R: Fn(&F) -> bool> Future for Registered<F, R> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
        let mut this = self.project();
        if *this.registered && !(this.may_be_ready)(&this.future) {
            return Poll::Pending;
        }
        // A poll refused for want of coop budget registers nothing: only one with budget counts.
        let budgeted = tokio::task::coop::has_budget_remaining();
        let polled = this.future.as_mut().poll(cx);
        *this.registered = budgeted && polled.is_pending();
        polled
    }
}

/// The connection's timeouts that count from its last call (or its opening).
#[derive(Debug, Clone, Copy)]
struct Deadlines {
    idle: Option<Duration>,
    /// HTTP/1: a connection with no call in progress is waiting for a request head; hyper would
    /// time that with a timer armed for every request, this checks it with the idle timer.
    header_read: Option<Duration>,
}

/// What a check of the deadlines found.
#[derive(Debug, PartialEq, Eq)]
enum Due {
    /// Nothing yet: check again at this instant.
    Nothing(Instant),
    /// An HTTP/1 connection took longer than the header read timeout to send a request head:
    /// close it.
    HeaderRead,
    /// Idle past the idle timeout: close gracefully (an HTTP/2 client that does not answer
    /// the closing PING gets one more idle timeout, then is dropped).
    Idle,
}

impl Deadlines {
    /// The longest a check may wait while a call is in progress; `None` when no deadline is set.
    fn period(self) -> Option<Duration> {
        match (self.idle, self.header_read) {
            (Some(idle), Some(header)) => Some(idle.min(header)),
            (idle, header) => idle.or(header),
        }
    }

    fn check(self, activity: &Activity, now: Instant) -> Due {
        let period = self.period().unwrap_or(NEVER);
        let Some(since) = activity.idle_since() else {
            return Due::Nothing(later(now, period));
        };
        let header_read = self
            .header_read
            .filter(|_| !activity.is_http2())
            .map(|timeout| later(since, timeout));
        if header_read.is_some_and(|at| at <= now) {
            return Due::HeaderRead;
        }
        let idle = self.idle.map(|timeout| later(since, timeout));
        if idle.is_some_and(|at| at <= now) {
            return Due::Idle;
        }
        let next = [header_read, idle]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or_else(|| later(now, period));
        Due::Nothing(next)
    }
}

/// `at` + `by`, or as late as can be told apart from "never" for a timeout too large to add
/// (`Instant + Duration` panics on overflow; a setting of `Duration::MAX` must not).
fn later(at: Instant, by: Duration) -> Instant {
    at.checked_add(by)
        .or_else(|| at.checked_add(NEVER))
        .unwrap_or(at)
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: Duration = Duration::from_secs(30);
    const IDLE: Duration = Duration::from_secs(60);

    /// An activity on a clock that does not tick.
    fn activity() -> Activity {
        Activity::new(Arc::new(CoarseClock::stopped()))
    }

    #[test]
    fn a_call_ends_on_the_clock_s_last_tick_rounded_up() {
        let clock = Arc::new(CoarseClock::stopped());
        let activity = Arc::new(Activity::new(Arc::clone(&clock)));
        clock.advance(Duration::from_secs(7));
        let call = activity.start(http::Version::HTTP_11);
        assert_eq!(activity.idle_since(), None);
        drop(call);
        // Seven seconds on the clock, plus a tick: the timeouts never start early.
        let ended = activity.idle_since().unwrap();
        assert_eq!(ended, clock.at(7_000) + CoarseClock::TICK);
        assert_eq!(both().check(&activity, ended + HEADER), Due::HeaderRead);
        assert_eq!(
            both().check(&activity, ended + HEADER - Duration::from_millis(1)),
            Due::Nothing(ended + HEADER)
        );
    }

    fn both() -> Deadlines {
        Deadlines {
            idle: Some(IDLE),
            header_read: Some(HEADER),
        }
    }

    #[test]
    fn a_connection_without_a_call_is_cut_at_the_header_read_timeout_then_idle() {
        let activity = activity();
        let opened = activity.idle_since().unwrap();
        let at = |after: Duration| opened + after;
        assert_eq!(
            both().check(&activity, at(Duration::from_secs(1))),
            Due::Nothing(at(HEADER))
        );
        assert_eq!(both().check(&activity, at(HEADER)), Due::HeaderRead);
        let idle_only = Deadlines {
            header_read: None,
            ..both()
        };
        assert_eq!(
            idle_only.check(&activity, at(HEADER)),
            Due::Nothing(at(IDLE))
        );
        assert_eq!(idle_only.check(&activity, at(IDLE)), Due::Idle);
        let neither = Deadlines {
            idle: None,
            header_read: None,
        };
        assert_eq!(neither.period(), None);
        assert_eq!(both().period(), Some(HEADER));
    }

    #[test]
    fn http2_connections_have_no_header_read_timeout() {
        let activity = Arc::new(activity());
        let opened = activity.idle_since().unwrap();
        drop(activity.start(http::Version::HTTP_2));
        let since = activity.idle_since().unwrap();
        assert!(since >= opened);
        assert_eq!(
            both().check(&activity, since + HEADER),
            Due::Nothing(since + IDLE)
        );
        assert_eq!(both().check(&activity, since + IDLE), Due::Idle);
    }

    #[tokio::test]
    async fn the_check_fires_when_only_read_after_registering_and_again_after_a_reset() {
        let soon = Duration::from_millis(20);
        let check = deadline_timer(soon);
        let mut check = std::pin::pin!(check);
        // The first poll registers; the wake-up's poll only reads the timer's state.
        let bound = Duration::from_secs(5);
        assert!(tokio::time::timeout(bound, check.as_mut()).await.is_ok());
        check.as_mut().reset(Instant::now() + soon);
        assert!(tokio::time::timeout(bound, check.as_mut()).await.is_ok());
    }

    #[tokio::test]
    async fn the_stage_change_fires_when_only_read_after_registering() {
        let (sender, mut stage) = watch::channel(Stage::Serving);
        let observer = stage.clone();
        let bound = Duration::from_secs(5);
        let send = async {
            tokio::time::sleep(Duration::from_millis(20)).await;
            sender.send(Stage::Draining).unwrap();
            sender
        };
        // The first poll registers; the wake-up's poll reads the version, then takes the change.
        let (changed, sender) = tokio::join!(
            tokio::time::timeout(bound, stage_change(&mut stage, &observer)),
            send
        );
        assert!(matches!(changed, Ok(Ok(()))));
        assert_eq!(*stage.borrow_and_update(), Stage::Draining);
        // A sender gone is a change too (the driver closes).
        drop(sender);
        let gone = tokio::time::timeout(bound, stage_change(&mut stage, &observer)).await;
        assert!(matches!(gone, Ok(Err(_))));
    }

    #[test]
    fn timeouts_too_large_to_add_to_the_clock_do_not_panic() {
        let activity = activity();
        let huge = Deadlines {
            idle: Some(Duration::MAX),
            header_read: Some(Duration::MAX),
        };
        let now = Instant::now();
        assert!(matches!(huge.check(&activity, now), Due::Nothing(at) if at > now));
    }

    #[test]
    fn a_call_in_progress_is_checked_again_a_period_later() {
        let activity = Arc::new(activity());
        let call = activity.start(http::Version::HTTP_11);
        let now = Instant::now() + IDLE * 2;
        assert_eq!(both().check(&activity, now), Due::Nothing(now + HEADER));
        drop(call);
        assert_eq!(both().check(&activity, now), Due::HeaderRead);
    }
}
