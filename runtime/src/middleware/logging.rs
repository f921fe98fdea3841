//! Logging: one `tracing` event per call, on servers and clients, with the fields Kratos logs:
//! `kind` (http/grpc), `component` (server/client), `operation`, `args` (when a summarizer is
//! set), `code`, `reason` (`0` and empty on success, as Kratos), `latency` (seconds),
//! `trace_id`/`span_id` (with feature `otel`, when the tracing middleware runs first). Calls
//! that fail are logged at `ERROR`, the others at `INFO`; the event's target is
//! `kratos::access`.
//!
//! ```
//! use kratos::middleware::logging::Logging;
//!
//! let server = kratos::transport::http::Server::new().middleware(Logging::server());
//! # let _ = server;
//! ```
//!
//! Requests travel type-erased, so `args` is written only by a summarizer you give
//! ([`Logging::args`]), which may downcast to your request types and redact what it must.
//!
//! `args` and the error's `message` may carry request data, so each is cut at
//! [`Logging::max_field_len`] bytes (default [`DEFAULT_MAX_FIELD_LEN`], 2 KiB): one request
//! cannot write a megabyte of log.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Instant;

use super::{Handler, Message, Middleware};
use crate::errors::{Error, truncated};
use crate::transport::Context;

type Summarizer = Arc<dyn Fn(&Message) -> Option<String> + Send + Sync>;

/// The default of [`Logging::max_field_len`].
pub const DEFAULT_MAX_FIELD_LEN: usize = 2048;

/// The logging middleware.
#[derive(Clone)]
pub struct Logging {
    component: &'static str,
    args: Option<Summarizer>,
    max_field: usize,
}

impl std::fmt::Debug for Logging {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Logging")
            .field("component", &self.component)
            .field("args", &self.args.is_some())
            .finish()
    }
}

impl Logging {
    /// For a server's chain.
    pub fn server() -> Self {
        Self {
            component: "server",
            args: None,
            max_field: DEFAULT_MAX_FIELD_LEN,
        }
    }

    /// For a client's chain.
    pub fn client() -> Self {
        Self {
            component: "client",
            args: None,
            max_field: DEFAULT_MAX_FIELD_LEN,
        }
    }

    /// Logs `args` as `summarize` describes the request (`None`: leave it out).
    #[must_use]
    pub fn args(
        mut self,
        summarize: impl Fn(&Message) -> Option<String> + Send + Sync + 'static,
    ) -> Self {
        self.args = Some(Arc::new(summarize));
        self
    }

    /// The most bytes of `args` and of an error's `message` a log line holds (default
    /// [`DEFAULT_MAX_FIELD_LEN`]); longer ones are cut, and the cut says how much was left out.
    #[must_use]
    pub fn max_field_len(mut self, bytes: usize) -> Self {
        self.max_field = bytes;
        self
    }
}

/// The trace and span ids of the call when the tracing middleware (feature `otel`) runs outside
/// this one, copied when the call starts and turned into text only when an event is written.
#[derive(Clone, Copy)]
struct TraceIds(#[cfg(feature = "otel")] Option<super::tracing::Ids>);

impl TraceIds {
    fn of(ctx: &Context) -> Self {
        #[cfg(feature = "otel")]
        {
            Self(super::tracing::ids(ctx))
        }
        #[cfg(not(feature = "otel"))]
        {
            let _ = ctx;
            Self()
        }
    }

    /// (trace id, span id) in hex, or empty strings outside a trace.
    fn text(self) -> (String, String) {
        #[cfg(feature = "otel")]
        if let Some(ids) = self.0 {
            return (ids.trace.to_string(), ids.span.to_string());
        }
        (String::new(), String::new())
    }
}

impl Logging {
    /// Before the call: what its log line will say besides the outcome.
    pub(crate) fn begin(&self, ctx: &mut Context, request: Option<&Message>) -> Access {
        Access {
            kind: ctx.kind().as_str(),
            component: self.component,
            operation: ctx.operation(),
            args: self
                .args
                .as_ref()
                .zip(request)
                .and_then(|(summarize, request)| summarize(request))
                .map(|args| match truncated(&args, self.max_field) {
                    Cow::Borrowed(_) => args,
                    Cow::Owned(cut) => cut,
                })
                .unwrap_or_default(),
            max_field: self.max_field,
            ids: TraceIds::of(ctx),
            started: ctx.record_start(),
        }
    }

    /// Whether [`begin`](Self::begin) needs the request (there is a summarizer for `args`).
    pub(crate) fn reads_requests(&self) -> bool {
        self.args.is_some()
    }
}

impl Middleware for Logging {
    fn wrap(&self, next: Handler) -> Handler {
        let logging = self.clone();
        Arc::new(move |mut ctx: Context, request: Message| {
            let access = logging.begin(&mut ctx, Some(&request));
            let reply = next(ctx, request);
            Box::pin(async move {
                let result = reply.await;
                access.finish(result.as_ref().map(|_| ()));
                result
            })
        })
    }
}

/// What the access log says about a call besides its outcome. Writing it is kept out of line:
/// the call's own path stays short when nothing is written.
pub(crate) struct Access {
    kind: &'static str,
    component: &'static str,
    operation: &'static str,
    args: String,
    max_field: usize,
    ids: TraceIds,
    started: Instant,
}

impl Access {
    /// Logs the call's outcome: a failure at ERROR; a success at INFO, if that is enabled.
    pub(crate) fn finish(&self, outcome: Result<(), &Error>) {
        // Successes are usually filtered out (the example logs at WARN): then neither the
        // clock nor the ids are read.
        match outcome {
            Ok(()) if tracing::enabled!(target: "kratos::access", tracing::Level::INFO) => {
                self.succeeded();
            }
            Ok(()) => {}
            Err(error) => self.failed(error),
        }
    }

    #[inline(never)]
    fn succeeded(&self) {
        let (trace_id, span_id) = self.ids.text();
        tracing::info!(
            target: "kratos::access",
            kind = self.kind, component = self.component, operation = self.operation,
            args = self.args.as_str(), code = 0_i32, reason = "",
            latency = self.started.elapsed().as_secs_f64(),
            trace_id = trace_id.as_str(), span_id = span_id.as_str()
        );
    }

    #[cold]
    #[inline(never)]
    fn failed(&self, error: &Error) {
        let (trace_id, span_id) = self.ids.text();
        let message = truncated(error.message(), self.max_field);
        tracing::error!(
            target: "kratos::access",
            kind = self.kind, component = self.component, operation = self.operation,
            args = self.args.as_str(), code = error.code(), reason = error.reason(),
            latency = self.started.elapsed().as_secs_f64(), message = message.as_ref(),
            trace_id = trace_id.as_str(), span_id = span_id.as_str()
        );
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::Logging;
    use crate::errors::Error;
    use crate::middleware::Message;
    use crate::transport::{Context, Kind};

    /// Held by the tests that log through the middleware or recovery, with or without a
    /// subscriber of their own: whether a `tracing` event is enabled is cached per call site
    /// for the whole process, so a test logging with no subscriber would disable the events
    /// another test captures with its own.
    pub(crate) static LOGGING: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

    /// Log lines written by a test's subscriber, shared with the test.
    #[derive(Clone, Default)]
    pub(crate) struct Lines(pub(crate) Arc<Mutex<Vec<u8>>>);

    impl Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }

        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// A request summarized as a megabyte and an error echoing a megabyte give one short line.
    #[test]
    fn huge_args_and_messages_are_cut() {
        let _logging = LOGGING.blocking_lock();
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            tracing::callsite::rebuild_interest_cache();
            let huge = "x".repeat(1 << 20);
            let logging = Logging::server().args(move |_| Some(huge.clone()));
            let mut ctx = Context::new(Kind::Http, "/test.Log/Huge", http::HeaderMap::new());
            let access = logging.begin(&mut ctx, Some(&Message::new(())));
            access.finish(Err(&Error::new(400, "CODEC", "y".repeat(1 << 20))));
        });
        let log = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        assert_eq!(log.lines().count(), 1, "{log}");
        assert!(log.len() < 6 * 1024, "{} bytes", log.len());
        assert!(
            log.contains(&format!("…({} more bytes)", (1 << 20) - 2048)),
            "{log}"
        );
        assert!(
            log.contains("reason=\"CODEC\"") || log.contains("reason=CODEC"),
            "{log}"
        );
    }
}
