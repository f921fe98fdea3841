//! The gRPC client: a lazily connected tonic channel, a timeout and a middleware chain.

use std::future::Future;
use std::time::Duration;

use http::HeaderMap;
use tonic::metadata::MetadataMap;
use tonic::transport::{Channel, Endpoint};

use super::timeout;
use crate::errors::Error;
use crate::middleware::{Chain, Middleware};
use crate::transport::{Context, Kind};

/// Calls gRPC services; generated `XxxGrpcClient`s wrap one. Cloning is cheap and clones share
/// the connection.
///
/// ```no_run
/// # fn run() -> Result<(), kratos::errors::Error> {
/// let client = kratos::transport::grpc::Client::builder("http://127.0.0.1:9000")
///     .timeout(Some(std::time::Duration::from_secs(2)))
///     .build()?;
/// // let greeter = GreeterGrpcClient::new(client);
/// # let _ = client; Ok(())
/// # }
/// ```
#[derive(Debug, Clone)]
pub struct Client {
    channel: Channel,
    timeout: Option<Duration>,
    middleware: Chain,
}

/// Settings for a [`Client`].
#[derive(Debug)]
pub struct ClientBuilder {
    endpoint: String,
    timeout: Option<Duration>,
    middleware: Chain,
}

impl ClientBuilder {
    /// The timeout of each call (default 2 s, as Kratos' clients); `None` for none.
    #[must_use]
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Adds a client middleware (it sees the outgoing metadata as the context's request
    /// headers, and may change them).
    #[must_use]
    pub fn middleware(mut self, middleware: impl Middleware) -> Self {
        self.middleware.push(middleware);
        self
    }

    /// The client; it connects on its first call (and reconnects as needed). An endpoint that
    /// is not a valid URI is a `400 CLIENT_ENDPOINT` error.
    pub fn build(self) -> Result<Client, Error> {
        let endpoint = Endpoint::from_shared(self.endpoint.clone()).map_err(|error| {
            Error::new(
                400,
                "CLIENT_ENDPOINT",
                format!("invalid gRPC endpoint {:?}: {error}", self.endpoint),
            )
        })?;
        Ok(Client {
            channel: endpoint.connect_lazy(),
            timeout: self.timeout,
            middleware: self.middleware,
        })
    }
}

impl Client {
    /// Kratos' default client timeout.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(2);

    /// A builder for a client of `endpoint` (`http://host:port`).
    pub fn builder(endpoint: impl Into<String>) -> ClientBuilder {
        ClientBuilder {
            endpoint: endpoint.into(),
            timeout: Some(Self::DEFAULT_TIMEOUT),
            middleware: Chain::new(),
        }
    }

    /// A client of `endpoint` with the default settings.
    pub fn new(endpoint: impl Into<String>) -> Result<Self, Error> {
        Self::builder(endpoint).build()
    }

    /// The underlying channel, for tonic clients of services without generated glue.
    pub fn channel(&self) -> Channel {
        self.channel.clone()
    }

    /// Makes one unary call: a client [`Context`] (operation, outgoing metadata) through the
    /// middleware chain, then `call` with the channel and the request (generated clients
    /// pass tonic's client method). The timeout is sent as `grpc-timeout` and enforced here
    /// (`504 TIMEOUT`); a `Status` comes back as a `kratos::Error` (ErrorInfo reason and
    /// metadata kept; transport failures are `503`/`UNAVAILABLE` with an empty reason).
    /// Reply metadata lands in the context's reply headers.
    pub async fn unary<Req, Rep, F, Fut>(
        &self,
        operation: &'static str,
        request: Req,
        call: F,
    ) -> Result<Rep, Error>
    where
        Req: Send + 'static,
        Rep: Send + 'static,
        F: Fn(Channel, tonic::Request<Req>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<tonic::Response<Rep>, tonic::Status>> + Send + 'static,
    {
        let channel = self.channel.clone();
        let limit = self.timeout;
        let ctx = Context::new(Kind::Grpc, operation, HeaderMap::new());
        self.middleware
            .call(ctx, request, move |ctx, message| {
                let mut request = tonic::Request::new(message);
                *request.metadata_mut() = MetadataMap::from_headers(ctx.request_headers().clone());
                if let Some(limit) = limit
                    && let Ok(value) = timeout::header_value(limit).parse()
                {
                    request.metadata_mut().insert("grpc-timeout", value);
                }
                let reply = call(channel.clone(), request);
                async move {
                    let timed_out = |limit: Duration| {
                        Error::new(
                            504,
                            "TIMEOUT",
                            format!("{operation}: no reply within {limit:?}"),
                        )
                    };
                    let started = std::time::Instant::now();
                    let reply = match limit {
                        Some(limit) => tokio::time::timeout(limit, reply)
                            .await
                            .map_err(|_| timed_out(limit))?,
                        None => reply.await,
                    };
                    let reply = reply.map_err(|status| match limit {
                        // tonic's channel enforces the `grpc-timeout` it sends, as CANCELLED.
                        Some(limit)
                            if status.code() == tonic::Code::Cancelled
                                && started.elapsed() >= limit =>
                        {
                            timed_out(limit)
                        }
                        _ => Error::from(status),
                    })?;
                    let (metadata, reply, _) = reply.into_parts();
                    ctx.reply_headers().extend(metadata.into_headers());
                    Ok(reply)
                }
            })
            .await
    }
}
