//! Slow, idle, too many and misbehaving clients against the real servers on loopback sockets:
//! each is cut at its limit (set short here through the settings) and the server keeps serving.

#[macro_use]
#[path = "support/streams.rs"]
mod streams;
#[path = "support/reliability.rs"]
mod reliability;

use std::time::Duration;

use kratos::transport::ConnectionSettings;
use reliability::{Slow, closed_within, get, http_server, read_response, serve_http};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const SHORT: Duration = Duration::from_millis(300);

/// Settings with every timeout off, for tests that turn on the one they are about.
fn no_timeouts() -> ConnectionSettings {
    ConnectionSettings::new()
        .header_read_timeout(None)
        .idle_timeout(None)
        .body_read_timeout(None)
        .send_timeout(None)
}

#[tokio::test]
async fn trickled_headers_are_cut_at_the_header_read_timeout() {
    let server = http_server(Slow::default())
        .connection_settings(no_timeouts().header_read_timeout(Some(SHORT)));
    let serving = serve_http(server).await;
    // Twenty clients each send a header line every 100 ms and never finish.
    let mut clients = Vec::new();
    for _ in 0..20 {
        let mut stream = TcpStream::connect(serving.address).await.unwrap();
        clients.push(tokio::spawn(async move {
            let (reader, mut writer) = stream.split();
            let trickle = async move {
                let _ = writer
                    .write_all(b"GET /helloworld/a HTTP/1.1\r\nHost: t\r\n")
                    .await;
                for i in 0..50 {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    let line = format!("X-{i}: y\r\n");
                    if writer.write_all(line.as_bytes()).await.is_err() {
                        break;
                    }
                }
                std::future::pending::<Option<Duration>>().await
            };
            tokio::select! {
                closed = closed_within(reader, Duration::from_secs(3)) => closed,
                never = trickle => never,
            }
        }));
    }
    for client in clients {
        let closed = client.await.unwrap();
        assert!(
            closed.is_some(),
            "a trickling client was still connected after 3 s"
        );
    }
    assert_eq!(get(serving.address, "/helloworld/after").await.0, 200);
}

#[tokio::test]
async fn a_stalled_body_is_cut_at_the_body_read_timeout_with_408() {
    let server = http_server(Slow::default())
        .timeout(None)
        .connection_settings(no_timeouts().body_read_timeout(Some(SHORT)));
    let serving = serve_http(server).await;
    let mut stream = TcpStream::connect(serving.address).await.unwrap();
    stream
        .write_all(
            b"GET /helloworld/a HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n0123456789",
        )
        .await
        .unwrap();
    let (status, body) = read_response(&mut stream, Duration::from_secs(3))
        .await
        .expect("no answer within 3 s");
    assert_eq!(status, 408, "{body}");
    assert!(body.contains("REQUEST_TIMEOUT"), "{body}");
    assert_eq!(get(serving.address, "/helloworld/after").await.0, 200);
}

#[tokio::test]
async fn a_trickled_body_is_cut_by_the_handler_timeout_which_covers_the_read() {
    // A byte every 100 ms never trips the body read timeout; the call's 500 ms does.
    let server = http_server(Slow::default())
        .timeout(Some(Duration::from_millis(500)))
        .connection_settings(no_timeouts().body_read_timeout(Some(SHORT)));
    let serving = serve_http(server).await;
    let mut stream = TcpStream::connect(serving.address).await.unwrap();
    let (mut reader, mut writer) = stream.split();
    let trickle = async move {
        writer
            .write_all(b"GET /helloworld/a HTTP/1.1\r\nHost: t\r\nContent-Length: 100\r\n\r\n")
            .await
            .unwrap();
        for _ in 0..100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            if writer.write_all(b"x").await.is_err() {
                break;
            }
        }
        std::future::pending::<Option<(u16, String)>>().await
    };
    let answer = tokio::select! {
        answer = reliability::read_response_from(&mut reader, Duration::from_secs(3)) => answer,
        never = trickle => never,
    };
    let (status, body) = answer.expect("no answer within 3 s");
    assert_eq!(status, 504, "{body}");
    assert!(body.contains("TIMEOUT"), "{body}");
}

#[tokio::test]
async fn idle_connections_are_closed_at_the_idle_timeout() {
    let server =
        http_server(Slow::default()).connection_settings(no_timeouts().idle_timeout(Some(SHORT)));
    let serving = serve_http(server).await;
    // One that never sends a byte.
    let silent = TcpStream::connect(serving.address).await.unwrap();
    // One kept alive after a call.
    let kept = reliability::kept_alive(serving.address).await;
    // An HTTP/2 one with no stream.
    let mut h2 = TcpStream::connect(serving.address).await.unwrap();
    h2.write_all(reliability::H2_PREFACE).await.unwrap();
    let start = std::time::Instant::now();
    for (name, stream) in [("silent", silent), ("kept-alive", kept), ("h2", h2)] {
        let closed = closed_within(stream, Duration::from_secs(3)).await;
        assert!(
            closed.is_some(),
            "the {name} connection was still open after 3 s"
        );
        // Not before the timeout (the silent one was opened a moment before `start`).
        let after = start.elapsed();
        assert!(
            after >= Duration::from_millis(200),
            "{name} closed after {after:?}"
        );
    }
}

#[tokio::test]
async fn a_call_in_progress_is_not_idle() {
    let server =
        http_server(Slow::default()).connection_settings(no_timeouts().idle_timeout(Some(SHORT)));
    let serving = serve_http(server).await;
    let (status, body) = get(serving.address, "/helloworld/sleep-900").await;
    assert_eq!(
        (status, body.as_str()),
        (200, r#"{"message":"Hello sleep-900"}"#)
    );
}

#[tokio::test]
async fn at_the_connection_cap_clients_wait_and_are_served_once_others_leave() {
    let server = http_server(Slow::default()).connection_settings(no_timeouts().max_connections(2));
    let serving = serve_http(server).await;
    let first = TcpStream::connect(serving.address).await.unwrap();
    let _second = TcpStream::connect(serving.address).await.unwrap();
    // The third connects (the listen backlog takes it) but is not served while two are open.
    let mut third = TcpStream::connect(serving.address).await.unwrap();
    third
        .write_all(b"GET /helloworld/third HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    assert!(
        read_response(&mut third, Duration::from_millis(500))
            .await
            .is_none(),
        "a third connection was served with the cap at two"
    );
    drop(first);
    let (status, body) = read_response(&mut third, Duration::from_secs(3))
        .await
        .expect("the waiting client was not served after a slot freed");
    assert_eq!(
        (status, body.as_str()),
        (200, r#"{"message":"Hello third"}"#)
    );
}

#[tokio::test]
async fn oversize_bodies_are_413_declared_or_chunked() {
    let server = http_server(Slow::default()).body_limit(1024);
    let serving = serve_http(server).await;
    let mut declared = TcpStream::connect(serving.address).await.unwrap();
    declared
        .write_all(b"GET /helloworld/a HTTP/1.1\r\nHost: t\r\nContent-Length: 2000\r\n\r\n")
        .await
        .unwrap();
    let (status, body) = read_response(&mut declared, Duration::from_secs(3))
        .await
        .unwrap();
    assert_eq!(status, 413, "{body}");
    let mut chunked = TcpStream::connect(serving.address).await.unwrap();
    let mut request =
        b"GET /helloworld/a HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for _ in 0..4 {
        request.extend_from_slice(b"200\r\n");
        request.extend_from_slice(&[b'x'; 0x200]);
        request.extend_from_slice(b"\r\n");
    }
    request.extend_from_slice(b"0\r\n\r\n");
    chunked.write_all(&request).await.unwrap();
    let (status, body) = read_response(&mut chunked, Duration::from_secs(3))
        .await
        .unwrap();
    assert_eq!(status, 413, "{body}");
    assert_eq!(get(serving.address, "/helloworld/after").await.0, 200);
}

#[tokio::test]
async fn a_client_that_never_reads_is_cut_at_the_send_timeout_and_others_are_served() {
    let server =
        http_server(Slow::default()).connection_settings(no_timeouts().send_timeout(Some(SHORT)));
    let serving = serve_http(server).await;
    // Pipelined requests for 8 KiB replies, 64 MiB of replies in all, never read: far more than
    // the socket buffers hold, so the server's writes must wait for this client.
    let name = "n".repeat(8 << 10);
    let request = format!("GET /helloworld/{name} HTTP/1.1\r\nHost: t\r\n\r\n");
    let mut stuck = TcpStream::connect(serving.address).await.unwrap();
    let (mut reader, mut writer) = stuck.split();
    let flood = async move {
        for _ in 0..8192 {
            if writer.write_all(request.as_bytes()).await.is_err() {
                break;
            }
        }
        std::future::pending::<()>().await;
    };
    // Meanwhile others are served.
    let others = async {
        tokio::time::sleep(Duration::from_millis(100)).await;
        for i in 0..5 {
            assert_eq!(
                get(serving.address, &format!("/helloworld/other{i}"))
                    .await
                    .0,
                200
            );
        }
        // Give the send timeout time to pass, then see what the stuck client got.
        tokio::time::sleep(Duration::from_secs(1)).await;
    };
    tokio::select! {
        () = others => {}
        () = flood => {}
    }
    // What the server had written before it gave up, then the end of the connection.
    let mut received = 0_usize;
    let mut buffer = vec![0_u8; 1 << 16];
    let read = tokio::time::timeout(Duration::from_secs(3), async {
        loop {
            match tokio::io::AsyncReadExt::read(&mut reader, &mut buffer).await {
                Ok(0) | Err(_) => break,
                Ok(n) => received += n,
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the stuck client's connection was still open");
    assert!(
        received < 32 << 20,
        "the server kept writing: {received} bytes"
    );
}

#[tokio::test]
async fn a_grpc_message_that_never_arrives_ends_at_the_call_timeout() {
    // The request's headers come, its message never does: the call's 300 ms clock, started
    // at the request's arrival, ends it (the body read timeout is off).
    let server = reliability::grpc_server(Slow::default())
        .timeout(Some(SHORT))
        .connection_settings(no_timeouts());
    let serving = reliability::serve_grpc(server).await;
    let mut grpc = tonic::client::Grpc::new(reliability::channel(serving.url()).await);
    grpc.ready().await.unwrap();
    let never = tonic::codegen::tokio_stream::pending::<helloworld::api::HelloRequest>();
    let codec = kratos::__codegen::ProstCodec::<
        helloworld::api::HelloRequest,
        helloworld::api::HelloReply,
    >::default();
    let path = kratos::http::uri::PathAndQuery::from_static("/helloworld.v1.Greeter/SayHello");
    let call = grpc.client_streaming(tonic::Request::new(never), path, codec);
    let status = tokio::time::timeout(Duration::from_secs(3), call)
        .await
        .expect("the call was still waiting after 3 s")
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::DeadlineExceeded, "{status:?}");
}

#[tokio::test]
async fn head_on_a_get_route_is_answered_without_a_body() {
    let serving = serve_http(http_server(Slow::default())).await;
    let mut stream = TcpStream::connect(serving.address).await.unwrap();
    stream
        .write_all(b"HEAD /helloworld/head HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut received = Vec::new();
    let read = tokio::io::AsyncReadExt::read_to_end(&mut stream, &mut received);
    tokio::time::timeout(Duration::from_secs(3), read)
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8(received).unwrap();
    assert!(text.starts_with("HTTP/1.1 200 OK\r\n"), "{text}");
    // The length of GET's body `{"message":"Hello head"}`, and no body.
    assert!(text.contains("content-length: 24\r\n"), "{text}");
    assert!(text.ends_with("\r\n\r\n"), "{text}");
}

#[tokio::test]
async fn http2_streams_beyond_the_limit_wait_for_a_free_one() {
    let slow = Slow::default();
    let server = reliability::grpc_server(slow.clone())
        .connection_settings(no_timeouts().max_h2_streams(Some(2)));
    let serving = reliability::serve_grpc(server).await;
    let mut client = reliability::tonic_client(serving.url()).await;
    // One call first, so the client has the server's SETTINGS (streams opened before them,
    // past the limit, are refused with REFUSED_STREAM, which clients may retry).
    client
        .say_hello(helloworld::api::HelloRequest { name: "a".into() })
        .await
        .unwrap();
    let calls: Vec<_> = (0..5)
        .map(|_| {
            let mut client = client.clone();
            tokio::spawn(async move {
                let request = helloworld::api::HelloRequest {
                    name: "sleep-400".into(),
                };
                client.say_hello(request).await
            })
        })
        .collect();
    slow.wait_for(2).await;
    tokio::time::sleep(Duration::from_millis(150)).await;
    let running = slow.in_progress.load(std::sync::atomic::Ordering::SeqCst);
    assert_eq!(running, 2, "calls running at once on one connection");
    for call in calls {
        call.await.unwrap().unwrap();
    }
}

#[tokio::test]
async fn an_http2_peer_that_does_not_answer_pings_is_closed() {
    let server = http_server(Slow::default()).connection_settings(
        no_timeouts().h2_keep_alive(Some(Duration::from_millis(100)), Duration::from_millis(100)),
    );
    let serving = serve_http(server).await;
    // The preface, then silence: no SETTINGS ack, no PING answers.
    let mut stream = TcpStream::connect(serving.address).await.unwrap();
    stream.write_all(reliability::H2_PREFACE).await.unwrap();
    let closed = closed_within(stream, Duration::from_secs(3)).await;
    assert!(
        closed.is_some(),
        "a peer that answered no ping was still connected after 3 s"
    );
}
