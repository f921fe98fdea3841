//! Serving an OpenAPI document next to the routes it describes, as Go Kratos' swagger-api.

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http_body_util::Full;

use super::{RegisterError, Response, Server};

/// Where [`Server::openapi`] serves the document.
pub const OPENAPI_PATH: &str = "/q/openapi.json";

/// The operation the document's route runs as (access logs and metrics name it).
pub const OPENAPI_OPERATION: &str = "/kratos.api.OpenAPI/Document";

impl Server {
    /// Serves `document` (the JSON protoc-gen-kratos-openapi or kratos-build's `openapi(true)`
    /// wrote) on `GET /q/openapi.json` as `application/json`.
    ///
    /// ```
    /// let mut server = kratos::transport::http::Server::new();
    /// server.openapi(r#"{"openapi":"3.0.3"}"#).unwrap();
    /// ```
    pub fn openapi(&mut self, document: impl Into<Bytes>) -> Result<(), RegisterError> {
        self.openapi_at(OPENAPI_PATH, document)
    }

    /// Serves `document` on `GET path` (a path template such as `/docs/openapi.json`).
    pub fn openapi_at(
        &mut self,
        path: &str,
        document: impl Into<Bytes>,
    ) -> Result<(), RegisterError> {
        let document: Bytes = document.into();
        self.route("GET", path, OPENAPI_OPERATION, move |_request| {
            let mut response = Response::new(Full::new(document.clone()));
            response
                .headers_mut()
                .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
            async move { Ok(response) }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_path_is_a_register_error() {
        let mut server = Server::new();
        let err = server.openapi_at("docs/openapi.json", "{}").unwrap_err();
        assert!(err.to_string().contains(OPENAPI_OPERATION), "{err}");
        server.openapi("{}").unwrap();
        assert_eq!(server.route_count(), 1);
        // Twice on one path is refused like any duplicate route.
        assert!(server.openapi("{}").is_err());
    }
}
