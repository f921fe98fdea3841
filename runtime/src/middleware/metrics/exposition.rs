//! The Prometheus text exposition (format 0.0.4) of a [`Registry`].

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::PoisonError;
use std::sync::atomic::Ordering;

use super::registry::{BUCKETS, Key, Registry, Series, Side};

impl Registry {
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
}

/// Escapes a label value: backslash, double quote and newline.
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
