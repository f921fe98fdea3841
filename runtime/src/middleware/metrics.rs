//! Metrics, as Kratos' `metrics` middleware: a request counter labelled by `kind`,
//! `operation`, `code` and `reason`, and a latency histogram (seconds) labelled by `kind` and
//! `operation`, on servers (`server_requests_code_total`, `server_requests_seconds`) and
//! clients (`client_...`), exposed in the Prometheus text format. As in Kratos, a call that
//! succeeded has code `0` and an empty reason.
//!
//! ```
//! use kratos::middleware::metrics::{Metrics, Registry};
//!
//! let registry = Registry::new();
//! let mut server = kratos::transport::http::Server::new().middleware(Metrics::server(&registry));
//! server.route("GET", "/metrics", "/metrics", registry.http_handler())?;
//! # Ok::<(), kratos::transport::http::RegisterError>(())
//! ```

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};
use std::time::{Duration, Instant};

use super::{FnvMap, Handler, Message, Middleware};
use crate::errors::Error;
use crate::transport::Context;
use crate::transport::http::{Response, RouteRequest};

/// The histogram's upper bounds, in seconds (Kratos' example buckets).
pub const BUCKETS: [f64; 8] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Side {
    Server,
    Client,
}

impl Side {
    fn name(self) -> &'static str {
        match self {
            Self::Server => "server",
            Self::Client => "client",
        }
    }
}

/// One (side, kind, operation). A call is recorded with a few atomic additions and no lock;
/// only failed calls, a handful of (code, reason) pairs per operation, take the mutex.
#[derive(Debug, Default)]
struct Series {
    /// Calls by latency bucket, not cumulative (the exposition sums them); the last slot
    /// counts calls slower than every bound, so every `position` in `BUCKETS` (or its length)
    /// indexes a slot.
    buckets: [AtomicU64; BUCKETS.len() + 1],
    /// The sum of latencies in nanoseconds: exact, turned into seconds when rendered.
    nanos: AtomicU64,
    /// Successful calls: code 0, empty reason.
    succeeded: AtomicU64,
    /// Failed calls by code and reason.
    failed: Mutex<Vec<(i32, String, u64)>>,
}

impl Series {
    fn record(&self, code: i32, reason: &str, latency: Duration) {
        if code == 0 && reason.is_empty() {
            self.succeeded.fetch_add(1, Ordering::Relaxed);
        } else {
            self.record_failure(code, reason);
        }
        let seconds = latency.as_secs_f64();
        let bucket = BUCKETS
            .iter()
            .position(|bound| seconds <= *bound)
            .unwrap_or(BUCKETS.len());
        self.buckets[bucket].fetch_add(1, Ordering::Relaxed);
        let nanos = u64::try_from(latency.as_nanos()).unwrap_or(u64::MAX);
        self.nanos.fetch_add(nanos, Ordering::Relaxed);
    }

    /// The counts by (code, reason), successes first.
    /// Counts a failed call by its code and reason (rare, hence the lock and out of line).
    #[cold]
    fn record_failure(&self, code: i32, reason: &str) {
        let mut failed = self.failed.lock().unwrap_or_else(PoisonError::into_inner);
        match failed
            .iter_mut()
            .find(|(c, r, _)| *c == code && r == reason)
        {
            Some((_, _, count)) => *count += 1,
            None => failed.push((code, reason.to_owned(), 1)),
        }
    }

    fn requests(&self) -> Vec<(i32, String, u64)> {
        let mut requests = Vec::new();
        let succeeded = self.succeeded.load(Ordering::Relaxed);
        if succeeded > 0 {
            requests.push((0, String::new(), succeeded));
        }
        requests.extend(
            self.failed
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .iter()
                .cloned(),
        );
        requests
    }
}

type Key = (Side, &'static str, &'static str);

/// Series live as long as the program: one per (side, kind, operation), a set as fixed as the
/// operation names labelling them, and a call then records without a reference count.
type SeriesMap = FnvMap<Key, &'static Series>;

/// Where the metrics of any number of middleware go; render it with [`Registry::render`].
/// Clones share the data.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    series: Arc<RwLock<SeriesMap>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// The series of (side, kind, operation), created on first use.
    fn series(&self, side: Side, kind: &'static str, operation: &'static str) -> &'static Series {
        let key = (side, kind, operation);
        if let Some(series) = self
            .series
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
        {
            return series;
        }
        self.series
            .write()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(key)
            .or_insert_with(|| Box::leak(Box::default()))
    }

    /// The Prometheus text exposition (format 0.0.4) of everything recorded.
    pub fn render(&self) -> String {
        // Copied out first, so no call waits on the lock while the text is written.
        let mut snapshot: Vec<(Key, &Series)> = self
            .series
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .map(|(key, series)| (*key, *series))
            .collect();
        // Sorted, so the exposition is stable from one scrape to the next.
        snapshot.sort_by_key(|(key, _)| *key);
        let mut out = String::new();
        for side in [Side::Server, Side::Client] {
            let name = side.name();
            let series: Vec<_> = snapshot.iter().filter(|(key, _)| key.0 == side).collect();
            let requests: BTreeMap<_, _> = series
                .iter()
                .flat_map(|((_, kind, operation), series)| {
                    series
                        .requests()
                        .into_iter()
                        .map(move |(code, reason, count)| {
                            ((*kind, *operation, code, reason), count)
                        })
                })
                .collect();
            if !requests.is_empty() {
                let _ = writeln!(
                    out,
                    "# HELP {name}_requests_code_total The total number of processed requests"
                );
                let _ = writeln!(out, "# TYPE {name}_requests_code_total counter");
                for ((kind, operation, code, reason), count) in requests {
                    let _ = writeln!(
                        out,
                        "{name}_requests_code_total{{kind=\"{}\",operation=\"{}\",code=\"{code}\",reason=\"{}\"}} {count}",
                        escape(kind),
                        escape(operation),
                        escape(&reason)
                    );
                }
            }
            if !series.is_empty() {
                let _ = writeln!(
                    out,
                    "# HELP {name}_requests_seconds {name} requests duration(sec)."
                );
                let _ = writeln!(out, "# TYPE {name}_requests_seconds histogram");
                for ((_, kind, operation), series) in series {
                    let labels = format!(
                        "kind=\"{}\",operation=\"{}\"",
                        escape(kind),
                        escape(operation)
                    );
                    let mut cumulative = 0;
                    for (count, bound) in series.buckets.iter().zip(BUCKETS) {
                        cumulative += count.load(Ordering::Relaxed);
                        let _ = writeln!(
                            out,
                            "{name}_requests_seconds_bucket{{{labels},le=\"{bound}\"}} {cumulative}"
                        );
                    }
                    cumulative += series.buckets[BUCKETS.len()].load(Ordering::Relaxed);
                    let _ = writeln!(
                        out,
                        "{name}_requests_seconds_bucket{{{labels},le=\"+Inf\"}} {cumulative}"
                    );
                    // Exact nanoseconds to seconds; f64 keeps every sum below 2^53 ns (104 days).
                    #[allow(clippy::cast_precision_loss)]
                    let sum = series.nanos.load(Ordering::Relaxed) as f64 / 1e9;
                    let _ = writeln!(out, "{name}_requests_seconds_sum{{{labels}}} {sum}");
                    let _ = writeln!(
                        out,
                        "{name}_requests_seconds_count{{{labels}}} {cumulative}"
                    );
                }
            }
        }
        out
    }

    /// A route handler answering with [`render`](Self::render), for
    /// `http::Server::route("GET", "/metrics", "/metrics", registry.http_handler())`.
    pub fn http_handler(
        &self,
    ) -> impl Fn(
        RouteRequest,
    ) -> std::pin::Pin<Box<dyn Future<Output = Result<Response, Error>> + Send>>
    + Send
    + Sync
    + 'static {
        let registry = self.clone();
        move |_request| {
            let body = registry.render();
            Box::pin(async move {
                http::Response::builder()
                    .header(
                        http::header::CONTENT_TYPE,
                        "text/plain; version=0.0.4; charset=utf-8",
                    )
                    .body(http_body_util::Full::new(bytes::Bytes::from(body)))
                    .map_err(|error| crate::errors::internal_server("", error.to_string()))
            })
        }
    }
}

/// Escapes a label value: backslash, double quote and newline.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// The metrics middleware.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    side: Side,
    /// The series of the last call. Each wrapped handler (one per route) owns a clone, and
    /// usually serves one operation: a call then finds its series without the registry's lock.
    last: OnceLock<(&'static str, &'static str, &'static Series)>,
}

/// A clone starts with no series remembered: it serves a handler of its own.
impl Clone for Metrics {
    fn clone(&self) -> Self {
        Self::new(&self.registry, self.side)
    }
}

impl Metrics {
    fn new(registry: &Registry, side: Side) -> Self {
        Self {
            registry: registry.clone(),
            side,
            last: OnceLock::new(),
        }
    }

    /// For a server's chain, recording into `registry`.
    pub fn server(registry: &Registry) -> Self {
        Self::new(registry, Side::Server)
    }

    /// For a client's chain, recording into `registry`.
    pub fn client(registry: &Registry) -> Self {
        Self::new(registry, Side::Client)
    }

    /// Before the call: its series and start.
    pub(crate) fn begin(&self, ctx: &mut Context) -> Timing {
        let kind = ctx.kind().as_str();
        let operation = ctx.operation();
        let series = match self.last.get() {
            // Names are usually the very same statics: compared by address first.
            Some((k, o, series))
                if (std::ptr::eq(*k, kind) || *k == kind)
                    && (std::ptr::eq(*o, operation) || *o == operation) =>
            {
                series
            }
            _ => {
                let series = self.registry.series(self.side, kind, operation);
                let _ = self.last.set((kind, operation, series));
                series
            }
        };
        Timing {
            series,
            started: ctx.started(),
        }
    }
}

/// A call being timed, recorded when it ends.
pub(crate) struct Timing {
    series: &'static Series,
    started: Instant,
}

impl Timing {
    /// Records the call's outcome and latency.
    pub(crate) fn finish(&self, outcome: Result<(), &Error>) {
        let (code, reason) = match outcome {
            Ok(()) => (0, ""),
            Err(error) => (error.code(), error.reason()),
        };
        self.series.record(code, reason, self.started.elapsed());
    }
}

impl Middleware for Metrics {
    fn wrap(&self, next: Handler) -> Handler {
        let metrics = self.clone();
        Arc::new(move |mut ctx: Context, request: Message| {
            let timing = metrics.begin(&mut ctx);
            let reply = next(ctx, request);
            Box::pin(async move {
                let result = reply.await;
                timing.finish(result.as_ref().map(|_| ()));
                result
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms_in_the_text_format() {
        let registry = Registry::new();
        registry.series(Side::Server, "http", "/a.B/C").record(
            0,
            "",
            Duration::from_secs_f64(0.003),
        );
        registry
            .series(Side::Server, "http", "/a.B/C")
            .record(0, "", Duration::from_secs_f64(0.2));
        registry.series(Side::Server, "grpc", "/a.B/C").record(
            404,
            "USER \"NOT\" FOUND",
            Duration::from_secs(2),
        );
        registry.series(Side::Client, "http", "/a.B/C").record(
            503,
            "",
            Duration::from_secs_f64(0.01),
        );
        let text = registry.render();
        for line in [
            "# TYPE server_requests_code_total counter",
            "server_requests_code_total{kind=\"http\",operation=\"/a.B/C\",code=\"0\",reason=\"\"} 2",
            "server_requests_code_total{kind=\"grpc\",operation=\"/a.B/C\",code=\"404\",reason=\"USER \\\"NOT\\\" FOUND\"} 1",
            "# TYPE server_requests_seconds histogram",
            "server_requests_seconds_bucket{kind=\"http\",operation=\"/a.B/C\",le=\"0.005\"} 1",
            "server_requests_seconds_bucket{kind=\"http\",operation=\"/a.B/C\",le=\"0.25\"} 2",
            "server_requests_seconds_bucket{kind=\"grpc\",operation=\"/a.B/C\",le=\"1\"} 0",
            "server_requests_seconds_bucket{kind=\"grpc\",operation=\"/a.B/C\",le=\"+Inf\"} 1",
            "server_requests_seconds_count{kind=\"http\",operation=\"/a.B/C\"} 2",
            "server_requests_seconds_sum{kind=\"http\",operation=\"/a.B/C\"} 0.203",
            "client_requests_code_total{kind=\"http\",operation=\"/a.B/C\",code=\"503\",reason=\"\"} 1",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line}\n{text}");
        }
        // Every sample line is `name{labels} value` with a number value.
        for line in text.lines().filter(|l| !l.starts_with('#')) {
            let (_, value) = line.rsplit_once(' ').unwrap();
            assert!(value.parse::<f64>().is_ok(), "{line}");
        }
    }

    /// One wrapped handler serving several operations (a hand-built chain, not a route): each
    /// call is counted under its own operation, whatever the handler saw before.
    #[tokio::test]
    async fn one_handler_records_each_operation_under_its_own_name() {
        use crate::transport::Kind;

        let registry = Registry::new();
        let handler = Metrics::server(&registry).wrap(Arc::new(|ctx: Context, request| {
            Box::pin(async move {
                if ctx.operation() == "/a.B/Fail" {
                    Err(crate::errors::not_found("GONE", "no such thing"))
                } else {
                    Ok(request)
                }
            })
        }));
        for operation in ["/a.B/C", "/a.B/Fail", "/a.B/C", "/a.B/D", "/a.B/Fail"] {
            let ctx = Context::new(Kind::Http, operation, http::HeaderMap::new());
            let _ = handler(ctx, Message::new(())).await;
        }
        let text = registry.render();
        for line in [
            "server_requests_code_total{kind=\"http\",operation=\"/a.B/C\",code=\"0\",reason=\"\"} 2",
            "server_requests_code_total{kind=\"http\",operation=\"/a.B/D\",code=\"0\",reason=\"\"} 1",
            "server_requests_code_total{kind=\"http\",operation=\"/a.B/Fail\",code=\"404\",reason=\"GONE\"} 2",
            "server_requests_seconds_count{kind=\"http\",operation=\"/a.B/Fail\"} 2",
        ] {
            assert!(text.lines().any(|l| l == line), "missing {line}\n{text}");
        }
    }
}
