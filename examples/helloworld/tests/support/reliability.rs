//! Shared by the reliability tests: a greeter that takes its time, servers whose stop and
//! result the test controls, and a raw TCP client that can misbehave.
// Each test file uses a different part of this module.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use helloworld::api;
use kratos::errors::Error;
use kratos::transport::{Context, grpc, http};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

/// Greets like the example, but `sleep-<ms>` first sleeps that long; counts the calls in
/// progress.
#[derive(Clone, Default)]
pub(crate) struct Slow {
    pub(crate) in_progress: Arc<AtomicUsize>,
}

impl api::GreeterHttpServer for Slow {
    async fn say_hello(
        &self,
        _ctx: Context,
        request: api::HelloRequest,
    ) -> Result<api::HelloReply, Error> {
        if let Some(ms) = request.name.strip_prefix("sleep-") {
            let ms: u64 = ms.parse().unwrap_or(0);
            self.in_progress.fetch_add(1, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(ms)).await;
            self.in_progress.fetch_sub(1, Ordering::SeqCst);
        }
        Ok(api::HelloReply {
            message: format!("Hello {}", request.name),
        })
    }

    example_streams!();
}

impl Slow {
    /// Waits until `count` calls are sleeping (at most 5 s).
    pub(crate) async fn wait_for(&self, count: usize) {
        let start = Instant::now();
        while self.in_progress.load(Ordering::SeqCst) < count {
            assert!(
                start.elapsed() < Duration::from_secs(5),
                "only {} of {count} calls arrived",
                self.in_progress.load(Ordering::SeqCst)
            );
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
}

/// An HTTP server with `greeter` registered.
pub(crate) fn http_server(greeter: Slow) -> http::Server {
    let mut server = http::Server::new();
    api::register_greeter_http_server(&mut server, greeter).unwrap();
    server
}

/// A gRPC server with `greeter` registered.
pub(crate) fn grpc_server(greeter: Slow) -> grpc::Server {
    let mut server = grpc::Server::new();
    api::register_greeter_grpc_server(&mut server, greeter);
    server
}

/// A server on a loopback port, stopped by [`stop`](Self::stop) (or when dropped).
pub(crate) struct Serving {
    pub(crate) address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    done: JoinHandle<std::io::Result<()>>,
}

impl Serving {
    /// Sends the shutdown signal.
    pub(crate) fn signal_stop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }

    /// Waits (at most `bound`) for the server to return after the shutdown signal; its result
    /// and how long the wait was.
    pub(crate) async fn stopped(self, bound: Duration) -> (std::io::Result<()>, Duration) {
        let start = Instant::now();
        let result = tokio::time::timeout(bound, self.done)
            .await
            .unwrap_or_else(|_| panic!("the server did not return within {bound:?}"))
            .unwrap();
        (result, start.elapsed())
    }

    /// `http://` and the address.
    pub(crate) fn url(&self) -> String {
        format!("http://{}", self.address)
    }
}

/// Binds a loopback port and spawns `serve` on it.
async fn spawn<F, Fut>(serve: F) -> Serving
where
    F: FnOnce(TcpListener, oneshot::Receiver<()>) -> Fut,
    Fut: std::future::Future<Output = std::io::Result<()>> + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let done = tokio::spawn(serve(listener, stopped));
    Serving {
        address,
        stop: Some(stop),
        done,
    }
}

/// Serves `server` over HTTP.
pub(crate) async fn serve_http(server: http::Server) -> Serving {
    spawn(|listener, stopped| {
        server.serve_listener(listener, async {
            let _ = stopped.await;
        })
    })
    .await
}

/// Serves `server` over gRPC.
pub(crate) async fn serve_grpc(server: grpc::Server) -> Serving {
    spawn(|listener, stopped| {
        server.serve_listener(listener, async {
            let _ = stopped.await;
        })
    })
    .await
}

/// Reads until the server closes the connection; how long that took, or `None` if it was
/// still open after `bound`. Whatever the server sent is discarded.
pub(crate) async fn closed_within(
    mut stream: impl tokio::io::AsyncRead + Unpin,
    bound: Duration,
) -> Option<Duration> {
    let start = Instant::now();
    let mut buffer = [0_u8; 4096];
    let read_to_end = async {
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
        }
    };
    tokio::time::timeout(bound, read_to_end)
        .await
        .ok()
        .map(|()| start.elapsed())
}

/// Reads one HTTP/1.1 response head and its `Content-Length` body from `stream`, within
/// `bound`: the status and the body; `None` if none came in time or the connection closed.
pub(crate) async fn read_response(
    stream: &mut TcpStream,
    bound: Duration,
) -> Option<(u16, String)> {
    read_response_from(stream, bound).await
}

/// [`read_response`] from any reader (the read half of a split stream).
pub(crate) async fn read_response_from(
    stream: &mut (impl tokio::io::AsyncRead + Unpin),
    bound: Duration,
) -> Option<(u16, String)> {
    let read = async {
        let mut received = Vec::new();
        let mut buffer = [0_u8; 4096];
        loop {
            if let Some(end) = find(&received, b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&received[..end]).to_string();
                let length: usize = head
                    .lines()
                    .find_map(|line| {
                        let (name, value) = line.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse().ok())?
                    })
                    .unwrap_or(0);
                if received.len() >= end + 4 + length {
                    let status = head.split(' ').nth(1)?.parse().ok()?;
                    let body = &received[end + 4..end + 4 + length];
                    return Some((status, String::from_utf8_lossy(body).to_string()));
                }
            }
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return None,
                Ok(n) => received.extend_from_slice(&buffer[..n]),
            }
        }
    };
    tokio::time::timeout(bound, read).await.ok().flatten()
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// `GET path` on a new connection: status and body (within 5 s).
pub(crate) async fn get(address: SocketAddr, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream
        .write_all(
            format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n").as_bytes(),
        )
        .await
        .unwrap();
    read_response(&mut stream, Duration::from_secs(5))
        .await
        .unwrap_or_else(|| panic!("no response to GET {path}"))
}

/// The HTTP/2 connection preface and an empty SETTINGS frame: what a prior-knowledge h2 client
/// sends first.
pub(crate) const H2_PREFACE: &[u8] =
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00";

/// A connection that has had one `GET` answered (200) and is kept alive.
pub(crate) async fn kept_alive(address: SocketAddr) -> TcpStream {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream
        .write_all(b"GET /helloworld/kept HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap();
    let reply = read_response(&mut stream, Duration::from_secs(3)).await;
    assert_eq!(reply.map(|(status, _)| status), Some(200));
    stream
}

/// A gRPC channel to `url`.
pub(crate) async fn channel(url: String) -> tonic::transport::Channel {
    tonic::transport::Endpoint::from_shared(url)
        .unwrap()
        .connect()
        .await
        .unwrap()
}

/// A tonic greeter client on its own channel to `url`.
pub(crate) async fn tonic_client(
    url: String,
) -> api::greeter_client::GreeterClient<tonic::transport::Channel> {
    api::greeter_client::GreeterClient::new(channel(url).await)
}
