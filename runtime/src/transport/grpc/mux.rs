//! gRPC and HTTP on one port.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use bytes::Bytes;
use http::header::CONTENT_TYPE;
use tokio::net::TcpListener;
use tonic::body::Body;
use tonic::service::Routes;

use super::Server;
use super::call_timeout::CallTimeout;
use crate::transport::http::{HttpService, Server as HttpServer};

/// A tower `Service` that sends gRPC requests (`content-type: application/grpc*`) to the gRPC
/// routes and everything else to the HTTP routes.
#[derive(Clone)]
pub struct GrpcHttpService {
    grpc: CallTimeout<Routes>,
    http: HttpService,
}

impl std::fmt::Debug for GrpcHttpService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GrpcHttpService").finish_non_exhaustive()
    }
}

impl GrpcHttpService {
    /// Both servers behind one service.
    pub async fn new(grpc: Server, http: HttpServer) -> std::io::Result<Self> {
        Ok(Self {
            grpc: grpc.into_timed_routes().await?,
            http: http.into_service(),
        })
    }
}

fn is_grpc<B>(request: &http::Request<B>) -> bool {
    request
        .headers()
        .get(CONTENT_TYPE)
        .is_some_and(|value| value.as_bytes().starts_with(b"application/grpc"))
}

impl<B> tower_service::Service<http::Request<B>> for GrpcHttpService
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = http::Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Self::Response, Infallible>> + Send>>;

    /// Both inner services are always ready (tonic's routes are an axum router, with a timer
    /// around it; the HTTP service only clones an `Arc`).
    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        if is_grpc(&request) {
            let future = self.grpc.call(request);
            Box::pin(future)
        } else {
            let future = self.http.call(request);
            Box::pin(async move { future.await.map(|response| response.map(Body::new)) })
        }
    }
}

/// Serves `grpc` and `http` on `listener` (one port) until `signal` completes, then stops
/// gracefully; the connections are served with the HTTP server's
/// [`connection_settings`](HttpServer::connection_settings) (the gRPC server's are not used).
pub async fn serve_with_http(
    listener: TcpListener,
    grpc: Server,
    http: HttpServer,
    signal: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let (http, settings) = http.into_parts();
    let service = GrpcHttpService {
        grpc: grpc.into_timed_routes().await?,
        http,
    };
    crate::transport::serve::serve_connections(listener, service, settings, signal).await
}
