//! The base URL every call's path is appended to.

use http::uri::{Authority, PathAndQuery, Scheme};
use http::{Uri, uri};

use crate::balancer::Node;
use crate::errors::Error;
use crate::errors::reasons;

/// `scheme://authority[/prefix]`, checked once at construction.
#[derive(Clone, Debug)]
pub(super) struct BaseUrl {
    scheme: Scheme,
    authority: Authority,
    /// The path prefix without a trailing `/` (empty for none): `/api`.
    prefix: String,
    /// As given, normalized: for `Debug` and messages.
    text: String,
}

fn config_error(message: String) -> Error {
    Error::new(400, reasons::INVALID_CONFIG, message)
}

impl BaseUrl {
    /// Parses `http://host:port[/prefix]` or `https://...`; a URL without a scheme
    /// (`127.0.0.1:8000`, as Go Kratos' `WithEndpoint` takes) means `http://`.
    pub(super) fn parse(base_url: &str) -> Result<Self, Error> {
        let text = if base_url.contains("://") {
            base_url.to_owned()
        } else {
            format!("http://{base_url}")
        };
        let uri: Uri = text.parse().map_err(|error| {
            config_error(format!(
                "invalid base URL {base_url:?}: {error}; expected http://host:port"
            ))
        })?;
        let parts = uri.into_parts();
        let scheme = match parts.scheme {
            Some(scheme) if scheme.as_str().eq_ignore_ascii_case("http") => Scheme::HTTP,
            Some(scheme) if scheme.as_str().eq_ignore_ascii_case("https") => {
                if !cfg!(feature = "tls") {
                    return Err(config_error(format!(
                        "the base URL {base_url:?} is https, which needs TLS: enable the kratos \
                         feature \"tls\" (kratos = {{ features = [\"tls\"] }})"
                    )));
                }
                Scheme::HTTPS
            }
            other => {
                return Err(config_error(format!(
                    "the base URL {base_url:?} has the scheme {:?}; use http:// or https://",
                    other.as_ref().map_or("", Scheme::as_str)
                )));
            }
        };
        let Some(authority) = parts
            .authority
            .filter(|authority| !authority.host().is_empty())
        else {
            return Err(config_error(format!(
                "the base URL {base_url:?} has no host; expected http://host:port"
            )));
        };
        let after_host = authority
            .as_str()
            .strip_prefix(authority.host())
            .unwrap_or_default();
        if !after_host.is_empty() && authority.port_u16().is_none() {
            return Err(config_error(format!(
                "the base URL {base_url:?} has an invalid port; expected http://host:port"
            )));
        }
        if authority.as_str().contains('@') {
            return Err(config_error(format!(
                "the base URL {base_url:?} has credentials, which the client does not send; \
                 set an authorization header instead"
            )));
        }
        let path_and_query = parts.path_and_query;
        if path_and_query
            .as_ref()
            .is_some_and(|path| path.query().is_some())
        {
            return Err(config_error(format!(
                "the base URL {base_url:?} has a query; only a path prefix may follow the host"
            )));
        }
        let prefix = path_and_query
            .as_ref()
            .map_or("", PathAndQuery::path)
            .trim_end_matches('/')
            .to_owned();
        let text = format!("{scheme}://{authority}{prefix}");
        Ok(Self {
            scheme,
            authority,
            prefix,
            text,
        })
    }

    /// The URL of a call: the base, then `path_and_query` (a `/` is added in between when it
    /// does not start with one).
    pub(super) fn join(&self, path_and_query: &str) -> Result<Uri, Error> {
        let mut full = String::with_capacity(self.prefix.len() + path_and_query.len() + 1);
        full.push_str(&self.prefix);
        if !path_and_query.starts_with('/') {
            full.push('/');
        }
        full.push_str(path_and_query);
        let path = PathAndQuery::try_from(full).map_err(|error| {
            Error::new(
                400,
                reasons::INVALID_REQUEST,
                format!(
                    "invalid request path {path_and_query:?}: {error}; path values must be \
                     percent-encoded"
                ),
            )
        })?;
        let mut parts = uri::Parts::default();
        parts.scheme = Some(self.scheme.clone());
        parts.authority = Some(self.authority.clone());
        parts.path_and_query = Some(path);
        Uri::from_parts(parts).map_err(|error| {
            Error::new(
                400,
                reasons::INVALID_REQUEST,
                format!("invalid request URL for {path_and_query:?}: {error}"),
            )
        })
    }

    /// The base URL, normalized: `http://host:port/prefix`.
    pub(super) fn as_str(&self) -> &str {
        &self.text
    }
}

/// `uri` with its authority replaced by `node`'s address (`host:port`): the URL of one attempt
/// on a discovered node. The parsed address is kept on the node, so each call does not parse it
/// again.
pub(super) fn with_authority(uri: &Uri, node: &Node) -> Result<Uri, Error> {
    let address = node.address();
    let authority = node
        .connection(|| Authority::try_from(address).ok())
        .flatten()
        .ok_or_else(|| {
            Error::new(
                503,
                reasons::TRANSPORT,
                format!("the discovered endpoint {address:?} is not host:port"),
            )
        })?;
    let mut parts = uri.clone().into_parts();
    parts.authority = Some(authority);
    Uri::from_parts(parts).map_err(|error| {
        Error::new(
            503,
            reasons::TRANSPORT,
            format!("no URL for the discovered endpoint {address:?}: {error}"),
        )
    })
}
