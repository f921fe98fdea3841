//! Metadata propagation, as Kratos' `metadata` middleware: request headers (gRPC metadata)
//! whose names start with `x-md-` are collected on the server into a [`Metadata`] the handler
//! reads from its context; those starting with `x-md-global-` are forwarded by clients called
//! while the handler runs, so they cross every hop of a call chain.
//!
//! ```
//! use kratos::middleware::metadata::Propagation;
//!
//! let server = kratos::transport::http::Server::new().middleware(Propagation::server());
//! let client = kratos::transport::http::Client::builder("http://127.0.0.1:8001")
//!     .middleware(Propagation::client().constant("x-md-caller", "greeter"))
//!     .build();
//! # let _ = (server, client);
//! ```
//!
//! Forwarding follows the handler's task: a client call made from the handler's future (or
//! anything it awaits) forwards; one made from a task the handler spawned does not (pass the
//! [`Metadata`] along, or call the client inside [`Metadata::scope`]).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use http::{HeaderName, HeaderValue};

use super::{Handler, Message, Middleware};
use crate::transport::Context;

/// The prefix of propagated metadata.
pub const PREFIX: &str = "x-md-";
/// The prefix of metadata forwarded by clients across hops.
pub const GLOBAL_PREFIX: &str = "x-md-global-";

/// The `x-md-` metadata of the current call (names in lower case).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Metadata {
    entries: BTreeMap<String, String>,
}

tokio::task_local! {
    static CURRENT: Metadata;
}

impl Metadata {
    /// The value of `name` (case-insensitive), if present.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// Every entry, names in lower case.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }

    /// The metadata a server call received, from its context.
    pub fn from_context(ctx: &Context) -> Option<&Self> {
        ctx.extensions().get::<Self>()
    }

    /// Runs `future` with this as the current call's metadata (what
    /// [`Propagation::client`] forwards).
    pub async fn scope<F: Future>(self, future: F) -> F::Output {
        CURRENT.scope(self, future).await
    }

    fn from_headers(headers: &http::HeaderMap) -> Self {
        let entries = headers
            .iter()
            .filter(|(name, _)| name.as_str().starts_with(PREFIX))
            .filter_map(|(name, value)| {
                Some((name.as_str().to_owned(), value.to_str().ok()?.to_owned()))
            })
            .collect();
        Self { entries }
    }
}

/// The metadata middleware. [`server`](Self::server) collects `x-md-*` request headers into
/// the context's [`Metadata`] and makes it current for the handler;
/// [`client`](Self::client) sends the current call's `x-md-global-*` entries, and the
/// [`constant`](Self::constant) entries, with every request.
#[derive(Debug, Clone)]
pub struct Propagation {
    side: Side,
}

#[derive(Debug, Clone)]
enum Side {
    Server,
    Client {
        constants: Vec<(HeaderName, HeaderValue)>,
    },
}

impl Propagation {
    /// Server side: collects the request's metadata.
    pub fn server() -> Self {
        Self { side: Side::Server }
    }

    /// Client side: forwards global metadata (and the constants added with
    /// [`constant`](Self::constant)).
    pub fn client() -> Self {
        Self {
            side: Side::Client {
                constants: Vec::new(),
            },
        }
    }

    /// Also sends `name: value` with every call (`name` should start with `x-md-`); for a
    /// client (a server sends nothing, so it ignores them). Names or values that are not
    /// valid in a header are skipped.
    #[must_use]
    pub fn constant(mut self, name: &str, value: &str) -> Self {
        if let Side::Client { constants } = &mut self.side
            && let (Ok(name), Ok(value)) = (
                HeaderName::try_from(name.to_ascii_lowercase()),
                HeaderValue::try_from(value),
            )
        {
            constants.push((name, value));
        }
        self
    }
}

impl Middleware for Propagation {
    fn wrap(&self, next: Handler) -> Handler {
        match &self.side {
            Side::Server => Arc::new(move |mut ctx: Context, request: Message| {
                let metadata = Metadata::from_headers(ctx.request_headers());
                ctx.extensions_mut().insert(metadata.clone());
                let reply = next(ctx, request);
                Box::pin(CURRENT.scope(metadata, reply))
            }),
            Side::Client { constants } => {
                let constants = constants.clone();
                Arc::new(move |mut ctx: Context, request: Message| {
                    let headers = ctx.request_headers_mut();
                    for (name, value) in &constants {
                        headers.insert(name.clone(), value.clone());
                    }
                    let _ = CURRENT.try_with(|current| {
                        for (name, value) in current.iter() {
                            if name.starts_with(GLOBAL_PREFIX)
                                && let (Ok(name), Ok(value)) =
                                    (HeaderName::try_from(name), HeaderValue::try_from(value))
                            {
                                headers.entry(name).or_insert(value);
                            }
                        }
                    });
                    next(ctx, request)
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::middleware::Chain;
    use crate::transport::Kind;

    #[tokio::test]
    async fn server_collects_and_client_forwards_only_global_entries() {
        let mut headers = http::HeaderMap::new();
        headers.insert("x-md-global-trace", "t1".parse().unwrap());
        headers.insert("X-MD-Local", "l1".parse().unwrap());
        headers.insert("authorization", "secret".parse().unwrap());
        let ctx = Context::new(Kind::Http, "/a.B/C", headers);

        let mut server = Chain::new();
        server.push(Propagation::server());
        let mut client = Chain::new();
        client.push(Propagation::client().constant("x-md-caller", "a"));
        let client = Arc::new(client);

        let sent = server
            .call(ctx, (), move |ctx, ()| {
                let client = Arc::clone(&client);
                async move {
                    let metadata = Metadata::from_context(&ctx).unwrap().clone();
                    assert_eq!(metadata.get("X-Md-Local"), Some("l1"));
                    assert_eq!(metadata.get("authorization"), None);
                    let outgoing = Context::new(Kind::Grpc, "/d.E/F", http::HeaderMap::new());
                    client
                        .call(outgoing, (), |ctx, ()| async move {
                            Ok(ctx.request_headers().clone())
                        })
                        .await
                }
            })
            .await
            .unwrap();
        assert_eq!(sent["x-md-global-trace"], "t1");
        assert_eq!(sent["x-md-caller"], "a");
        assert!(sent.get("x-md-local").is_none());
        assert!(sent.get("authorization").is_none());
    }
}
