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
//! server.metrics(&registry)?; // GET /metrics
//! # Ok::<(), kratos::transport::http::RegisterError>(())
//! ```

use std::sync::{Arc, OnceLock};
use std::time::Instant;

use super::{Handler, Message, Middleware};
use crate::errors::Error;
use crate::transport::Context;

mod exposition;
mod registry;

pub use registry::{BUCKETS, Registry};
use registry::{Series, Side};

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
            started: ctx.record_start(),
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
    use std::time::Duration;

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
