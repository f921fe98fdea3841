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

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Instant;

use super::{Handler, Message, Middleware};
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

#[derive(Debug, Default, Clone)]
struct Histogram {
    buckets: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

/// One (side, kind, operation): its latency histogram and its counts by code and reason (a
/// handful per operation, searched linearly).
#[derive(Debug, Default)]
struct Series {
    seconds: Histogram,
    requests: Vec<(i32, String, u64)>,
}

/// FNV-1a: the keys are a few short strings hashed on every call; SipHash's DoS resistance
/// buys nothing for keys the server itself chose.
#[derive(Default)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

type Key = (Side, &'static str, &'static str);

#[derive(Debug, Default)]
struct State {
    series: HashMap<Key, Series, std::hash::BuildHasherDefault<Fnv>>,
}

/// Where the metrics of any number of middleware go; render it with [`Registry::render`].
/// Clones share the data.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    state: Arc<Mutex<State>>,
}

impl Registry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    fn record(
        &self,
        side: Side,
        kind: &'static str,
        operation: &'static str,
        code: i32,
        reason: &str,
        seconds: f64,
    ) {
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let series = state.series.entry((side, kind, operation)).or_default();
        match series
            .requests
            .iter_mut()
            .find(|(c, r, _)| *c == code && r == reason)
        {
            Some((_, _, count)) => *count += 1,
            None => series.requests.push((code, reason.to_owned(), 1)),
        }
        let histogram = &mut series.seconds;
        for (bucket, bound) in histogram.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
        histogram.sum += seconds;
        histogram.count += 1;
    }

    /// The Prometheus text exposition (format 0.0.4) of everything recorded.
    pub fn render(&self) -> String {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        let mut out = String::new();
        for side in [Side::Server, Side::Client] {
            let name = side.name();
            // Sorted, so the exposition is stable from one scrape to the next.
            let series: BTreeMap<_, _> = state.series.iter().filter(|(k, _)| k.0 == side).collect();
            let requests: BTreeMap<_, _> = series
                .iter()
                .flat_map(|(&&(_, kind, operation), series)| {
                    series.requests.iter().map(move |(code, reason, count)| {
                        ((kind, operation, *code, reason.as_str()), *count)
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
                        escape(reason)
                    );
                }
            }
            if !series.is_empty() {
                let _ = writeln!(
                    out,
                    "# HELP {name}_requests_seconds {name} requests duration(sec)."
                );
                let _ = writeln!(out, "# TYPE {name}_requests_seconds histogram");
                for (&(_, kind, operation), series) in &series {
                    let histogram = &series.seconds;
                    let labels = format!(
                        "kind=\"{}\",operation=\"{}\"",
                        escape(kind),
                        escape(operation)
                    );
                    for (count, bound) in histogram.buckets.iter().zip(BUCKETS) {
                        let _ = writeln!(
                            out,
                            "{name}_requests_seconds_bucket{{{labels},le=\"{bound}\"}} {count}"
                        );
                    }
                    let _ = writeln!(
                        out,
                        "{name}_requests_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                        histogram.count
                    );
                    let _ = writeln!(
                        out,
                        "{name}_requests_seconds_sum{{{labels}}} {}",
                        histogram.sum
                    );
                    let _ = writeln!(
                        out,
                        "{name}_requests_seconds_count{{{labels}}} {}",
                        histogram.count
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
#[derive(Debug, Clone)]
pub struct Metrics {
    registry: Registry,
    side: Side,
}

impl Metrics {
    /// For a server's chain, recording into `registry`.
    pub fn server(registry: &Registry) -> Self {
        Self {
            registry: registry.clone(),
            side: Side::Server,
        }
    }

    /// For a client's chain, recording into `registry`.
    pub fn client(registry: &Registry) -> Self {
        Self {
            registry: registry.clone(),
            side: Side::Client,
        }
    }
}

impl Middleware for Metrics {
    fn wrap(&self, next: Handler) -> Handler {
        let registry = self.registry.clone();
        let side = self.side;
        Arc::new(move |ctx: Context, request: Message| {
            let kind = ctx.kind().as_str();
            let operation = ctx.operation();
            let started = Instant::now();
            let reply = next(ctx, request);
            let registry = registry.clone();
            Box::pin(async move {
                let result = reply.await;
                let (code, reason) = match &result {
                    Ok(_) => (0, ""),
                    Err(error) => (error.code(), error.reason()),
                };
                registry.record(
                    side,
                    kind,
                    operation,
                    code,
                    reason,
                    started.elapsed().as_secs_f64(),
                );
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
        registry.record(Side::Server, "http", "/a.B/C", 0, "", 0.003);
        registry.record(Side::Server, "http", "/a.B/C", 0, "", 0.2);
        registry.record(
            Side::Server,
            "grpc",
            "/a.B/C",
            404,
            "USER \"NOT\" FOUND",
            2.0,
        );
        registry.record(Side::Client, "http", "/a.B/C", 503, "", 0.01);
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
}
