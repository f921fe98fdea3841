//! Every gRPC streaming kind through tonic over a loopback socket, with the kratos glue on
//! both ends (and tonic's bare client where the wire itself is checked).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kratos::errors::Error;
use kratos::middleware::validate::Validate;
use kratos::middleware::{Handler, Message};
use kratos::transport::grpc::{Client, Server};
use kratos::transport::{Context, ReplyStream};
use streaming_service::pb::{
    CountRequest, Number, StreamerGrpcClient, register_streamer_grpc_server,
    streamer_client::StreamerClient,
};
use tokio::net::TcpListener;
use tonic_types::StatusExt;

use super::http::next;
use super::service::{Probe, Streamer};

/// What the middleware saw: the per-stream chain's calls (operation, final code), and the
/// messages the per-message chain checked.
#[derive(Debug, Default)]
struct Seen {
    calls: Mutex<Vec<(&'static str, i32)>>,
    messages: AtomicUsize,
}

struct Running {
    address: SocketAddr,
    probe: Arc<Probe>,
    seen: Arc<Seen>,
    _stop: tokio::sync::oneshot::Sender<()>,
}

/// Serves `Streamer` over gRPC on a loopback port, with a recording middleware on both chains
/// and validate on every message.
async fn serve(server: Server) -> Running {
    serve_with(server, true).await
}

/// [`serve`], with the per-message chain (recording, validate) or without any.
async fn serve_with(server: Server, per_message_chain: bool) -> Running {
    let seen = Arc::new(Seen::default());
    let calls = Arc::clone(&seen);
    let per_stream = move |next: Handler| -> Handler {
        let seen = Arc::clone(&calls);
        Arc::new(move |ctx: Context, message: Message| {
            let next = Arc::clone(&next);
            let seen = Arc::clone(&seen);
            Box::pin(async move {
                let operation = ctx.operation();
                let result = next(ctx, message).await;
                let code = result.as_ref().map_or_else(Error::code, |_| 0);
                seen.calls.lock().unwrap().push((operation, code));
                result
            })
        })
    };
    let messages = Arc::clone(&seen);
    let per_message = move |next: Handler| -> Handler {
        let seen = Arc::clone(&messages);
        Arc::new(move |ctx: Context, message: Message| {
            seen.messages.fetch_add(1, Ordering::SeqCst);
            next(ctx, message)
        })
    };
    let mut server = server.middleware(per_stream);
    if per_message_chain {
        server = server
            .stream_middleware(per_message)
            .stream_middleware(Validate::new());
    }
    let service = Streamer::default();
    let probe = Arc::clone(&service.probe);
    register_streamer_grpc_server(&mut server, service);
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.serve_listener(listener, async move {
        let _ = stopped.await;
    }));
    Running {
        address,
        probe,
        seen,
        _stop: stop,
    }
}

fn client(running: &Running) -> StreamerGrpcClient {
    let client = Client::builder(format!("http://{}", running.address))
        .build()
        .unwrap();
    StreamerGrpcClient::new(client)
}

/// tonic's own client, without the kratos glue.
async fn tonic_client(running: &Running) -> StreamerClient<tonic::transport::Channel> {
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", running.address))
        .unwrap()
        .connect()
        .await
        .unwrap();
    StreamerClient::new(channel)
}

fn count(name: &str, count: i32, interval_ms: i32, fail_after: i32) -> CountRequest {
    CountRequest {
        name: name.into(),
        count,
        interval_ms,
        fail_after,
    }
}

/// Every item of `stream`: a value, or the error's code and reason.
async fn drain<T>(
    mut stream: ReplyStream<T>,
    value: impl Fn(T) -> i64,
) -> Vec<Result<i64, (i32, String)>> {
    let mut items = Vec::new();
    while let Some(item) = tokio::time::timeout(Duration::from_secs(10), next(&mut stream))
        .await
        .expect("the stream ended in time")
    {
        items.push(
            item.map(&value)
                .map_err(|error| (error.code(), error.reason().to_owned())),
        );
    }
    items
}

fn numbers(values: &[i64]) -> tokio_stream::Iter<std::vec::IntoIter<Number>> {
    tokio_stream::iter(
        values
            .iter()
            .map(|value| Number { value: *value })
            .collect::<Vec<_>>(),
    )
}

#[tokio::test]
async fn without_stream_middleware_the_chain_sees_each_stream_end_and_can_end_it() {
    // The stream is polled outside the chain then (nothing of it runs per message): the chain
    // must still see every end, and a middleware must still be able to end a stream early.
    let running = serve_with(Server::new(), false).await;
    let streamer = client(&running);
    let replies = streamer.count(count("kratos", 3, 0, 0)).await.unwrap();
    assert_eq!(drain(replies, |r| i64::from(r.index)).await.len(), 3);
    let replies = streamer.count(count("kratos", 5, 0, 2)).await.unwrap();
    assert_eq!(drain(replies, |r| i64::from(r.index)).await.len(), 3);
    let replies = streamer.echo(numbers(&[1, 2])).await.unwrap();
    assert_eq!(drain(replies, |n| n.value).await, [Ok(2), Ok(4)]);
    assert_eq!(
        *running.seen.calls.lock().unwrap(),
        [
            ("/streaming.v1.Streamer/Count", 0),
            ("/streaming.v1.Streamer/Count", 404),
            ("/streaming.v1.Streamer/Echo", 0),
        ]
    );
    assert_eq!(running.seen.messages.load(Ordering::SeqCst), 0);

    // A middleware giving up on calls after 300 ms ends a stream that is still sending.
    let give_up = |next: Handler| -> Handler {
        Arc::new(move |ctx: Context, message: Message| {
            let next = Arc::clone(&next);
            Box::pin(async move {
                let limit = Duration::from_millis(300);
                tokio::time::timeout(limit, next(ctx, message))
                    .await
                    .unwrap_or_else(|_| Err(Error::new(504, "GAVE_UP", "the middleware gave up")))
            })
        })
    };
    let running = serve_with(Server::new().middleware(give_up), false).await;
    let replies = client(&running)
        .count(count("kratos", 1_000, 20, 0))
        .await
        .unwrap();
    let items = drain(replies, |r| i64::from(r.index)).await;
    let last = items.last().unwrap();
    assert_eq!(
        last,
        &Err((504, "GAVE_UP".to_owned())),
        "after {}",
        items.len()
    );
    assert!(items.len() < 100, "{} replies before it", items.len());
    assert!(
        running
            .probe
            .all_dropped_within(Duration::from_secs(1))
            .await
    );
}

#[tokio::test]
async fn every_kind_runs_through_the_chain_once_and_the_stream_middleware_per_message() {
    let running = serve(Server::new()).await;
    let client = client(&running);
    let replies = client.count(count("kratos", 3, 0, 0)).await.unwrap();
    assert_eq!(
        drain(replies, |reply| i64::from(reply.index)).await,
        [Ok(0), Ok(1), Ok(2)]
    );
    let total = client.sum(numbers(&[1, 2, 3])).await.unwrap();
    assert_eq!((total.sum, total.count), (6, 3));
    let replies = client.echo(numbers(&[1, 2, 3])).await.unwrap();
    assert_eq!(
        drain(replies, |number| number.value).await,
        [Ok(2), Ok(4), Ok(6)]
    );

    // One call per stream, recorded when the stream ended ...
    let calls = running.seen.calls.lock().unwrap().clone();
    assert_eq!(
        calls,
        [
            ("/streaming.v1.Streamer/Count", 0),
            ("/streaming.v1.Streamer/Sum", 0),
            ("/streaming.v1.Streamer/Echo", 0),
        ]
    );
    // ... and every message: 3 replies of Count, 3 requests of Sum, 3 + 3 of Echo.
    assert_eq!(running.seen.messages.load(Ordering::SeqCst), 12);
}

#[tokio::test]
async fn errors_mid_stream_arrive_after_the_replies_before_them_with_error_info() {
    let running = serve(Server::new()).await;
    let client = client(&running);
    let replies = client.count(count("kratos", 5, 0, 2)).await.unwrap();
    assert_eq!(
        drain(replies, |reply| i64::from(reply.index)).await,
        [Ok(0), Ok(1), Err((404, "USER_NOT_FOUND".to_owned()))]
    );
    // On the wire: NOT_FOUND with google.rpc.ErrorInfo, read by tonic's own client.
    let mut tonic = tonic_client(&running).await;
    let mut replies = tonic
        .count(count("kratos", 5, 0, 2))
        .await
        .unwrap()
        .into_inner();
    assert_eq!(replies.message().await.unwrap().unwrap().index, 0);
    assert_eq!(replies.message().await.unwrap().unwrap().index, 1);
    let status = replies.message().await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::NotFound);
    assert_eq!(
        status.get_details_error_info().unwrap().reason,
        "USER_NOT_FOUND"
    );

    // A bad request mid-stream: validate in the stream middleware stops it there.
    let replies = client.echo(numbers(&[1, -1, 3])).await.unwrap();
    assert_eq!(
        drain(replies, |number| number.value).await,
        [Ok(2), Err((400, "VALIDATOR".to_owned()))]
    );
    let error = client.sum(numbers(&[1, -1])).await.unwrap_err();
    assert_eq!((error.code(), error.reason()), (400, "VALIDATOR"));
    // Refused before it opens: the error is the call's answer.
    let error = client.count(count("missing", 5, 0, 0)).await.unwrap_err();
    assert_eq!((error.code(), error.reason()), (404, "USER_NOT_FOUND"));
    // The per-stream chain saw each stream end with its status.
    let codes: Vec<i32> = running
        .seen
        .calls
        .lock()
        .unwrap()
        .iter()
        .map(|call| call.1)
        .collect();
    assert_eq!(codes, [404, 404, 400, 400, 404]);
}

#[tokio::test]
async fn the_clients_deadline_bounds_the_whole_stream_the_servers_timeout_only_its_opening() {
    let running = serve(Server::new().timeout(Some(Duration::from_millis(200)))).await;
    // Six replies 100 ms apart outlast the server's 200 ms timeout: all arrive.
    let replies = client(&running)
        .count(count("kratos", 6, 100, 0))
        .await
        .unwrap();
    assert_eq!(
        drain(replies, |reply| i64::from(reply.index)).await.len(),
        6
    );

    // The client's 350 ms deadline ends a 2 s stream with DEADLINE_EXCEEDED.
    let mut tonic = tonic_client(&running).await;
    let mut request = tonic::Request::new(count("kratos", 20, 100, 0));
    request.set_timeout(Duration::from_millis(350));
    let started = std::time::Instant::now();
    let mut replies = tonic.count(request).await.unwrap().into_inner();
    let mut received = 0;
    let status = loop {
        match replies.message().await {
            Ok(Some(_)) => received += 1,
            Ok(None) => panic!("the stream ended without its deadline"),
            Err(status) => break status,
        }
    };
    assert_eq!(status.code(), tonic::Code::DeadlineExceeded, "{status:?}");
    assert!((1..20).contains(&received), "{received} replies");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    assert!(
        running
            .probe
            .all_dropped_within(Duration::from_secs(1))
            .await
    );
}

#[tokio::test]
async fn a_client_that_cancels_stops_the_handler_within_a_second() {
    let running = serve(Server::new()).await;
    let client = client(&running);
    let mut replies = client
        .count(count("kratos", 1_000_000, 10, 0))
        .await
        .unwrap();
    for _ in 0..2 {
        next(&mut replies).await.unwrap().unwrap();
    }
    assert_eq!(running.probe.live.load(Ordering::SeqCst), 1);
    drop(replies);
    assert!(
        running
            .probe
            .all_dropped_within(Duration::from_secs(1))
            .await
    );

    // A bidirectional call whose client keeps its side open, then goes away.
    let (sender, requests) = tokio::sync::mpsc::channel(1);
    let mut replies = client
        .echo(tokio_stream::wrappers::ReceiverStream::new(requests))
        .await
        .unwrap();
    sender.send(Number { value: 21 }).await.unwrap();
    assert_eq!(next(&mut replies).await.unwrap().unwrap().value, 42);
    drop(replies);
    drop(sender);
    assert!(
        running
            .probe
            .all_dropped_within(Duration::from_secs(1))
            .await
    );
}
