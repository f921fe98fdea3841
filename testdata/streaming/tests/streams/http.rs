//! HTTP server streaming, read raw over a socket (HTTP/1.0, so the body is the bytes the
//! server wrote, unchunked, until it closes) and through the HTTP client.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use kratos::middleware::recovery::Recovery;
use kratos::middleware::validate::Validate;
use kratos::transport::Stream;
use kratos::transport::http::{CallOptions, Client, Server};
use streaming_service::pb::{CountRequest, StreamerHttpClient, register_streamer_http_server};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

use super::service::{Probe, Streamer};

/// A running server and the probe of its service; stopped when dropped.
struct Running {
    address: SocketAddr,
    probe: Arc<Probe>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Serves `Streamer` on a loopback port through `server` (recovery and validate added).
async fn serve(server: Server) -> Running {
    serve_as_is(
        server
            .middleware(Recovery::new())
            .middleware(Validate::new()),
    )
    .await
}

/// Serves `Streamer` through `server` as it is: with no middleware, the handler's stream is
/// polled straight, without the chain's call around it.
async fn serve_as_is(mut server: Server) -> Running {
    let service = Streamer::default();
    let probe = Arc::clone(&service.probe);
    register_streamer_http_server(&mut server, service).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.serve_listener(listener, async move {
        let _ = stopped.await;
    }));
    Running {
        address,
        probe,
        _stop: stop,
    }
}

/// Sends `GET path` (with `Accept: accept`, if any) as HTTP/1.0 and leaves the answer unread.
async fn send(address: SocketAddr, path: &str, accept: Option<&str>) -> TcpStream {
    let mut socket = TcpStream::connect(address).await.unwrap();
    let accept = accept
        .map(|accept| format!("Accept: {accept}\r\n"))
        .unwrap_or_default();
    let request = format!("GET {path} HTTP/1.0\r\nHost: test\r\n{accept}\r\n");
    socket.write_all(request.as_bytes()).await.unwrap();
    socket
}

/// `GET path` read to the end (within 10 s): head and body.
async fn get(address: SocketAddr, path: &str, accept: Option<&str>) -> (String, String) {
    let mut socket = send(address, path, accept).await;
    let mut answer = Vec::new();
    tokio::time::timeout(Duration::from_secs(10), socket.read_to_end(&mut answer))
        .await
        .expect("the stream ended in time")
        .unwrap();
    let answer = String::from_utf8(answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    (head.to_ascii_lowercase(), body.to_owned())
}

fn reply_json(index: i32) -> String {
    format!(r#"{{"name":"kratos","index":{index}}}"#)
}

const GONE: &str = r#"{"code":404,"reason":"USER_NOT_FOUND","message":"kratos left after 3 replies","metadata":{}}"#;

#[tokio::test]
async fn sse_sends_one_event_per_reply_and_the_error_as_the_last_event() {
    for running in [serve(Server::new()).await, serve_as_is(Server::new()).await] {
        sse_framing(&running).await;
    }
}

async fn sse_framing(running: &Running) {
    let (head, body) = get(
        running.address,
        "/v1/count/kratos?count=5&failAfter=3",
        Some("text/event-stream"),
    )
    .await;
    assert!(head.starts_with("http/1.0 200"), "{head}");
    assert!(head.contains("content-type: text/event-stream"), "{head}");
    assert!(head.contains("cache-control: no-cache"), "{head}");
    let expected: String = (0..3)
        .map(|index| format!("data: {}\n\n", reply_json(index)))
        .chain([format!("event: error\ndata: {GONE}\n\n")])
        .collect();
    assert_eq!(body, expected);
}

#[tokio::test]
async fn ndjson_sends_grpc_gateway_lines_with_the_error_last() {
    let running = serve(Server::new()).await;
    let (head, body) = get(
        running.address,
        "/v1/count/kratos?count=5&failAfter=3",
        None,
    )
    .await;
    assert!(head.starts_with("http/1.0 200"), "{head}");
    assert!(
        head.contains("content-type: application/x-ndjson"),
        "{head}"
    );
    let expected: String = (0..3)
        .map(|index| format!("{{\"result\":{}}}\n", reply_json(index)))
        .chain([format!("{{\"error\":{GONE}}}\n")])
        .collect();
    assert_eq!(body, expected);
}

#[tokio::test]
async fn a_stream_outlives_the_servers_timeout_which_bounds_only_its_opening() {
    // Five replies 100 ms apart take longer than the 200 ms timeout.
    let running = serve(Server::new().timeout(Some(Duration::from_millis(200)))).await;
    let (head, body) = get(
        running.address,
        "/v1/count/kratos?count=5&intervalMs=100",
        Some("text/event-stream"),
    )
    .await;
    assert!(head.starts_with("http/1.0 200"), "{head}");
    let expected: String = (0..5)
        .map(|index| format!("data: {}\n\n", reply_json(index)))
        .collect();
    assert_eq!(body, expected);
}

#[tokio::test]
async fn a_call_refused_before_its_stream_opens_keeps_its_status() {
    let running = serve(Server::new()).await;
    let (head, body) = get(
        running.address,
        "/v1/count/missing?count=5",
        Some("text/event-stream"),
    )
    .await;
    assert!(head.starts_with("http/1.0 404"), "{head}");
    assert!(body.contains(r#""reason":"USER_NOT_FOUND""#), "{body}");
    // The chain's validate checks the request once, before the stream.
    let (head, body) = get(running.address, "/v1/count/kratos?count=-1", None).await;
    assert!(head.starts_with("http/1.0 400"), "{head}");
    assert!(body.contains(r#""reason":"VALIDATOR""#), "{body}");
    assert_eq!(running.probe.produced.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_panic_mid_stream_ends_it_with_500_unknown_and_the_server_keeps_serving() {
    let running = serve(Server::new()).await;
    let (_, body) = get(running.address, "/v1/count/panic?count=5", None).await;
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 2, "{body}");
    assert_eq!(lines[0], r#"{"result":{"name":"panic","index":0}}"#);
    assert!(
        lines[1].starts_with(r#"{"error":{"code":500,"reason":"UNKNOWN""#),
        "{body}"
    );
    let (head, _) = get(running.address, "/v1/count/kratos?count=1", None).await;
    assert!(head.starts_with("http/1.0 200"), "{head}");
}

#[tokio::test]
async fn sse_sends_heartbeats_while_no_reply_comes_and_ndjson_does_not() {
    let server = Server::new().stream_heartbeat(Some(Duration::from_millis(40)));
    let running = serve(server).await;
    let path = "/v1/count/kratos?count=2&intervalMs=300";
    let (_, body) = get(running.address, path, Some("text/event-stream")).await;
    // 300 ms between the two replies holds several 40 ms heartbeats (timers are late on a busy
    // machine, so ask for three).
    let heartbeats = body.matches(": heartbeat\n\n").count();
    assert!(heartbeats >= 3, "{body}");
    assert_eq!(body.matches("data: ").count(), 2, "{body}");
    let (_, body) = get(running.address, path, None).await;
    assert_eq!(body.lines().count(), 2, "{body}");
}

#[tokio::test]
async fn a_client_that_disconnects_stops_the_handler_within_a_second() {
    for running in [serve(Server::new()).await, serve_as_is(Server::new()).await] {
        disconnect(&running).await;
    }
}

async fn disconnect(running: &Running) {
    let mut socket = send(
        running.address,
        "/v1/count/kratos?count=1000000&intervalMs=10",
        Some("text/event-stream"),
    )
    .await;
    let mut seen = Vec::new();
    let mut buffer = [0_u8; 1024];
    while String::from_utf8_lossy(&seen).matches("data: ").count() < 3 {
        let read = tokio::time::timeout(Duration::from_secs(5), socket.read(&mut buffer))
            .await
            .unwrap()
            .unwrap();
        assert!(read > 0, "the stream ended early");
        seen.extend_from_slice(&buffer[..read]);
    }
    assert_eq!(running.probe.live.load(Ordering::SeqCst), 1);
    drop(socket);
    assert!(
        running
            .probe
            .all_dropped_within(Duration::from_secs(1))
            .await,
        "the handler's stream is still alive a second after the client left"
    );
}

#[tokio::test]
async fn a_reader_that_never_reads_stops_the_handler_at_a_bound() {
    for running in [serve(Server::new()).await, serve_as_is(Server::new()).await] {
        never_reads(&running).await;
    }
}

async fn never_reads(running: &Running) {
    // 8 KiB replies: the socket buffers fill after a few hundred, and then nothing polls the
    // handler's stream until the client reads.
    let name = "x".repeat(8 << 10);
    let socket = send(
        running.address,
        &format!("/v1/count/{name}?count=1000000"),
        None,
    )
    .await;
    let mut last = usize::MAX;
    let mut stalled = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(200)).await;
        let produced = running.probe.produced.load(Ordering::SeqCst);
        if produced == last && produced > 0 {
            stalled = true;
            break;
        }
        last = produced;
    }
    assert!(
        stalled,
        "the handler kept producing for a reader that reads nothing"
    );
    // What socket buffers hold on loopback (a few MiB) in 8 KiB replies, and no more.
    assert!(
        last < 4_000,
        "{last} replies produced for a reader that reads nothing"
    );
    drop(socket);
    assert!(
        running
            .probe
            .all_dropped_within(Duration::from_secs(1))
            .await
    );
}

#[tokio::test]
async fn the_http_client_reads_ndjson_and_sse_streams_and_their_errors() {
    let running = serve(Server::new()).await;
    let client = StreamerHttpClient::new(Client::new(&running.address.to_string()).unwrap());
    let request = CountRequest {
        name: "kratos".into(),
        count: 5,
        interval_ms: 0,
        fail_after: 3,
    };
    for options in [
        CallOptions::new(),
        CallOptions::new().header("accept", "text/event-stream"),
    ] {
        let mut stream = client.count_with(request.clone(), options).await.unwrap();
        let mut items = Vec::new();
        while let Some(item) = next(&mut stream).await {
            items.push(
                item.map(|reply| reply.index)
                    .map_err(|error| (error.code(), error.reason().to_owned())),
            );
        }
        assert_eq!(
            items,
            [Ok(0), Ok(1), Ok(2), Err((404, "USER_NOT_FOUND".to_owned()))]
        );
    }
    let missing = CountRequest {
        name: "missing".into(),
        ..request
    };
    let error = client.count(missing).await.unwrap_err();
    assert_eq!((error.code(), error.reason()), (404, "USER_NOT_FOUND"));
}

/// The stream's next item.
pub(super) async fn next<S: Stream + Unpin>(stream: &mut S) -> Option<S::Item> {
    std::future::poll_fn(|cx| std::pin::Pin::new(&mut *stream).poll_next(cx)).await
}
