//! Serving the metrics middleware's Prometheus exposition next to the routes it measures.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http_body_util::Full;

use super::{RegisterError, Response, Server};
use crate::middleware::metrics::Registry;

/// Where [`Server::metrics`] serves the exposition.
pub const METRICS_PATH: &str = "/metrics";

/// The operation the exposition's route runs as (access logs and metrics name it).
pub const METRICS_OPERATION: &str = "/metrics";

/// The Prometheus text format's media type.
const EXPOSITION_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

impl Server {
    /// Serves `registry`'s Prometheus text exposition ([`Registry::render`]) on `GET /metrics`.
    ///
    /// ```
    /// use kratos::middleware::metrics::{Metrics, Registry};
    ///
    /// let registry = Registry::new();
    /// let mut server = kratos::transport::http::Server::new().middleware(Metrics::server(&registry));
    /// server.metrics(&registry)?;
    /// # Ok::<(), kratos::transport::http::RegisterError>(())
    /// ```
    pub fn metrics(&mut self, registry: &Registry) -> Result<(), RegisterError> {
        self.metrics_at(METRICS_PATH, registry)
    }

    /// Serves `registry`'s exposition on `GET path` (a path template such as `/q/metrics`).
    pub fn metrics_at(&mut self, path: &str, registry: &Registry) -> Result<(), RegisterError> {
        let registry = registry.clone();
        self.route("GET", path, METRICS_OPERATION, move |_request| {
            let mut response = Response::new(Full::new(Bytes::from(registry.render())));
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static(EXPOSITION_TYPE));
            async move { Ok(response) }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_path_is_a_register_error_and_twice_is_refused() {
        let registry = Registry::new();
        let mut server = Server::new();
        assert!(server.metrics_at("metrics", &registry).is_err());
        server.metrics(&registry).unwrap();
        assert_eq!(server.route_count(), 1);
        assert!(server.metrics(&registry).is_err());
    }
}
