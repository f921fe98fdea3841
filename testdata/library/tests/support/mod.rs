//! Shared by the HTTP tests: an in-process library server and a client.
// Each test file uses a different part of this module.
#![allow(dead_code)]

use std::net::SocketAddr;

use bytes::Bytes;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use kratos::transport::http::Server;
use library_service::{Library, api};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A running server on a loopback port; it stops when dropped.
pub(crate) struct TestServer {
    /// Where it listens.
    pub(crate) address: SocketAddr,
    client: Client<HttpConnector, Full<Bytes>>,
    _stop: oneshot::Sender<()>,
}

/// What came back.
#[derive(Debug)]
pub(crate) struct Reply {
    /// The status.
    pub(crate) status: StatusCode,
    /// The headers.
    pub(crate) headers: HeaderMap,
    /// The body.
    pub(crate) body: Bytes,
}

impl Reply {
    /// The body as JSON; panics (failing the test) when it is not.
    pub(crate) fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body).unwrap_or_else(|err| {
            panic!(
                "not JSON ({err}): {:?}",
                String::from_utf8_lossy(&self.body)
            )
        })
    }

    /// The body as text.
    pub(crate) fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// A server with the default settings.
pub(crate) async fn start() -> TestServer {
    start_with(Server::new()).await
}

/// `server` with the library routes, on a loopback port.
pub(crate) async fn start_with(mut server: Server) -> TestServer {
    api::register_library_http_server(&mut server, Library).expect("routes register");
    serve(server).await
}

/// `server` as it is (routes already registered), on a loopback port.
pub(crate) async fn serve(server: Server) -> TestServer {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let address = listener.local_addr().expect("local address");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.serve_listener(listener, async {
        let _ = stopped.await;
    }));
    TestServer {
        address,
        client: Client::builder(TokioExecutor::new()).build_http(),
        _stop: stop,
    }
}

impl TestServer {
    /// Sends one request and reads the whole reply.
    pub(crate) async fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &[u8],
    ) -> Reply {
        let mut request = Request::builder()
            .method(Method::from_bytes(method.as_bytes()).expect("method"))
            .uri(format!("http://{}{}", self.address, path));
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let request = request
            .body(Full::new(Bytes::copy_from_slice(body)))
            .expect("request");
        let response = self
            .client
            .request(request)
            .await
            .expect("the server answers");
        let status = response.status();
        let headers = response.headers().clone();
        let body = response
            .into_body()
            .collect()
            .await
            .expect("body")
            .to_bytes();
        Reply {
            status,
            headers,
            body,
        }
    }

    /// GET `path`.
    pub(crate) async fn get(&self, path: &str) -> Reply {
        self.send("GET", path, &[], b"").await
    }

    /// POST `body` as JSON to `path`.
    pub(crate) async fn post_json(&self, path: &str, body: &str) -> Reply {
        self.send(
            "POST",
            path,
            &[("content-type", "application/json")],
            body.as_bytes(),
        )
        .await
    }
}

/// A gRPC server on a loopback port; it stops when dropped.
pub(crate) struct GrpcServer {
    /// `http://` and the address, for clients.
    pub(crate) url: String,
    _stop: oneshot::Sender<()>,
}

/// Serves `server` (services registered) over gRPC on a loopback port.
pub(crate) async fn start_grpc(server: kratos::transport::grpc::Server) -> GrpcServer {
    let listener = TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind loopback");
    let address = listener.local_addr().expect("local address");
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.serve_listener(listener, async {
        let _ = stopped.await;
    }));
    GrpcServer {
        url: format!("http://{address}"),
        _stop: stop,
    }
}
