//! Graceful stop on both transports: calls in progress finish, idle connections close at once,
//! and nothing holds the server past the stop timeout.

#[macro_use]
#[path = "support/streams.rs"]
mod streams;
#[path = "support/reliability.rs"]
mod reliability;

use std::time::Duration;

use helloworld::api;
use kratos::transport::ConnectionSettings;
use reliability::{
    Slow, grpc_server, http_server, read_response, serve_grpc, serve_http, tonic_client,
};
use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

const CALLS: usize = 50;

#[tokio::test]
async fn http_stop_lets_fifty_slow_calls_finish_and_returns_ok() {
    let slow = Slow::default();
    let mut serving =
        serve_http(http_server(slow.clone()).stop_timeout(Duration::from_secs(5))).await;
    let address = serving.address;
    let calls: Vec<_> = (0..CALLS)
        .map(|i| {
            tokio::spawn(async move {
                reliability::get(address, &format!("/helloworld/sleep-{}", 400 + i)).await
            })
        })
        .collect();
    slow.wait_for(CALLS).await;
    serving.signal_stop();
    // New connections are refused once the listener is closed.
    let refused = async {
        while TcpStream::connect(address).await.is_ok() {
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    };
    let refused = tokio::time::timeout(Duration::from_secs(2), refused).await;
    assert!(refused.is_ok(), "still accepting 2 s after the stop signal");
    for (i, call) in calls.into_iter().enumerate() {
        let (status, body) = call.await.unwrap();
        assert_eq!(status, 200, "call {i}: {body}");
    }
    let (result, took) = serving.stopped(Duration::from_secs(5)).await;
    result.unwrap();
    assert!(took < Duration::from_secs(3), "stopping took {took:?}");
}

#[tokio::test]
async fn grpc_stop_lets_fifty_slow_calls_finish_and_returns_ok() {
    let slow = Slow::default();
    let mut serving =
        serve_grpc(grpc_server(slow.clone()).stop_timeout(Duration::from_secs(5))).await;
    let client = tonic_client(serving.url()).await;
    let calls: Vec<_> = (0..CALLS)
        .map(|i| {
            let mut client = client.clone();
            tokio::spawn(async move {
                let request = api::HelloRequest {
                    name: format!("sleep-{}", 400 + i),
                };
                client.say_hello(request).await
            })
        })
        .collect();
    slow.wait_for(CALLS).await;
    serving.signal_stop();
    for (i, call) in calls.into_iter().enumerate() {
        let reply = call
            .await
            .unwrap()
            .unwrap_or_else(|status| panic!("call {i}: {status:?}"));
        assert_eq!(
            reply.into_inner().message,
            format!("Hello sleep-{}", 400 + i)
        );
    }
    let (result, took) = serving.stopped(Duration::from_secs(5)).await;
    result.unwrap();
    assert!(took < Duration::from_secs(3), "stopping took {took:?}");
}

#[tokio::test]
async fn idle_connections_do_not_delay_the_stop() {
    // Kept-alive connections on both transports, no call in progress: the stop closes them
    // and returns long before its 5 s timeout.
    let http = serve_http(http_server(Slow::default()).stop_timeout(Duration::from_secs(5))).await;
    let _kept = reliability::kept_alive(http.address).await;
    let grpc = serve_grpc(grpc_server(Slow::default()).stop_timeout(Duration::from_secs(5))).await;
    let mut client = tonic_client(grpc.url()).await;
    client
        .say_hello(api::HelloRequest { name: "a".into() })
        .await
        .unwrap();
    for mut serving in [http, grpc] {
        serving.signal_stop();
        let (result, took) = serving.stopped(Duration::from_secs(5)).await;
        result.unwrap();
        assert!(took < Duration::from_secs(2), "stopping took {took:?}");
    }
}

#[tokio::test]
async fn stuck_clients_cannot_hold_the_server_past_the_stop_timeout() {
    let stop_timeout = Duration::from_millis(300);
    let settings = ConnectionSettings::new()
        .header_read_timeout(None)
        .body_read_timeout(None)
        .idle_timeout(None)
        .stop_timeout(stop_timeout);
    let slow = Slow::default();
    let http = serve_http(
        http_server(slow.clone())
            .timeout(None)
            .connection_settings(settings.clone()),
    )
    .await;
    // A half-sent request, a half-sent body, and a call that would run for a minute.
    let mut half_head = TcpStream::connect(http.address).await.unwrap();
    half_head
        .write_all(b"GET /helloworld/a HTTP/1.1\r\nHo")
        .await
        .unwrap();
    let mut half_body = TcpStream::connect(http.address).await.unwrap();
    half_body
        .write_all(b"GET /helloworld/a HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n12")
        .await
        .unwrap();
    let address = http.address;
    let long_call = tokio::spawn(async move {
        let mut stream = TcpStream::connect(address).await.unwrap();
        stream
            .write_all(b"GET /helloworld/sleep-60000 HTTP/1.1\r\nHost: t\r\n\r\n")
            .await
            .unwrap();
        read_response(&mut stream, Duration::from_secs(60)).await
    });
    slow.wait_for(1).await;

    let grpc_slow = Slow::default();
    let grpc = serve_grpc(
        grpc_server(grpc_slow.clone())
            .timeout(None)
            .connection_settings(settings),
    )
    .await;
    let mut client = tonic_client(grpc.url()).await;
    let grpc_call = tokio::spawn(async move {
        client
            .say_hello(api::HelloRequest {
                name: "sleep-60000".into(),
            })
            .await
    });
    grpc_slow.wait_for(1).await;

    for mut serving in [http, grpc] {
        serving.signal_stop();
        let (result, took) = serving.stopped(Duration::from_secs(5)).await;
        result.unwrap();
        assert!(
            took >= stop_timeout,
            "stopped after {took:?}, before the stop timeout"
        );
        // Far below the calls' minute; the margin is for a loaded machine.
        assert!(took < Duration::from_secs(3), "stopping took {took:?}");
    }
    // The cut calls end with no answer (HTTP) or an error (gRPC), not after their minute.
    let cut = tokio::time::timeout(Duration::from_secs(3), long_call).await;
    assert_eq!(cut.expect("the long HTTP call was not cut").unwrap(), None);
    let cut = tokio::time::timeout(Duration::from_secs(3), grpc_call).await;
    assert!(
        cut.expect("the long gRPC call was not cut")
            .unwrap()
            .is_err()
    );
}

#[tokio::test]
async fn a_bind_error_returns_at_once() {
    let taken = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = taken.local_addr().unwrap();
    let http = http_server(Slow::default()).address(address);
    let result = tokio::time::timeout(
        Duration::from_secs(2),
        http.serve_with_shutdown(std::future::pending()),
    )
    .await
    .expect("a bind error did not return");
    assert_eq!(result.unwrap_err().kind(), std::io::ErrorKind::AddrInUse);
    let grpc = grpc_server(Slow::default()).address(address);
    let result = tokio::time::timeout(
        Duration::from_secs(2),
        grpc.serve_with_shutdown(std::future::pending()),
    )
    .await
    .expect("a bind error did not return");
    assert_eq!(result.unwrap_err().kind(), std::io::ErrorKind::AddrInUse);
}
