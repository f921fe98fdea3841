//! helloworld over gRPC: the generated glue on a real server, called by the generated kratos
//! client and by plain tonic clients; the same middleware on both transports; one port.

#[macro_use]
#[path = "support/streams.rs"]
mod streams;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use helloworld::Greeter;
use helloworld::api::{self, greeter_client::GreeterClient};
use kratos::errors::Error;
use kratos::middleware::{Handler, Middleware};
use kratos::transport::{Context, Kind, grpc, http};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// A server task that stops when this is dropped.
struct Running {
    address: SocketAddr,
    _stop: oneshot::Sender<()>,
}

async fn start_grpc(server: grpc::Server) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.serve_listener(listener, async {
        let _ = stopped.await;
    }));
    Running {
        address,
        _stop: stop,
    }
}

fn kratos_client(running: &Running) -> api::GreeterGrpcClient {
    api::GreeterGrpcClient::new(grpc::Client::new(format!("http://{}", running.address)).unwrap())
}

async fn tonic_client(running: &Running) -> GreeterClient<tonic::transport::Channel> {
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", running.address))
        .unwrap()
        .connect()
        .await
        .unwrap();
    GreeterClient::new(channel)
}

fn hello(name: &str) -> api::HelloRequest {
    api::HelloRequest {
        name: name.to_owned(),
    }
}

#[tokio::test]
async fn replies_and_kratos_errors_through_the_generated_client() {
    let running = start_grpc(helloworld::grpc_server()).await;
    let client = kratos_client(&running);

    let reply = client.say_hello(hello("kratos")).await.unwrap();
    assert_eq!(reply.message, "Hello kratos");

    let err = client.say_hello(hello("error")).await.unwrap_err();
    assert!(api::is_user_not_found(&err), "{err:?}");
    assert_eq!(
        (err.code(), err.reason(), err.message()),
        (404, "USER_NOT_FOUND", "user not found: error")
    );
    assert_eq!(
        err.metadata().get("name").map(String::as_str),
        Some("error")
    );
}

#[tokio::test]
async fn a_plain_tonic_client_sees_status_and_error_info() {
    let running = start_grpc(helloworld::grpc_server()).await;
    let mut client = tonic_client(&running).await;

    let reply = client.say_hello(hello("tonic")).await.unwrap();
    assert_eq!(reply.into_inner().message, "Hello tonic");

    let status = client.say_hello(hello("error")).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::NotFound);
    assert_eq!(status.message(), "user not found: error");
    assert!(api::is_user_not_found(&status));
    let details = tonic_types::StatusExt::get_details_error_info(&status).expect("ErrorInfo");
    assert_eq!(details.reason, "USER_NOT_FOUND");
    assert_eq!(
        details.metadata.get("name").map(String::as_str),
        Some("error")
    );
}

#[tokio::test]
async fn the_health_service_reports_serving() {
    use tonic_health::pb::health_check_response::ServingStatus;
    use tonic_health::pb::{HealthCheckRequest, health_client::HealthClient};

    let running = start_grpc(helloworld::grpc_server()).await;
    let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", running.address))
        .unwrap()
        .connect()
        .await
        .unwrap();
    let mut health = HealthClient::new(channel);
    for service in ["", "helloworld.v1.Greeter"] {
        let reply = health
            .check(HealthCheckRequest {
                service: service.to_owned(),
            })
            .await
            .unwrap()
            .into_inner();
        assert_eq!(reply.status(), ServingStatus::Serving, "{service:?}");
    }
    let unknown = health
        .check(HealthCheckRequest {
            service: "nope.Nothing".to_owned(),
        })
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), tonic::Code::NotFound);
}

/// Records (transport, operation) of every call it sees.
#[derive(Clone, Default)]
struct Recorder(Arc<Mutex<Vec<(Kind, &'static str)>>>);

impl Middleware for Recorder {
    fn wrap(&self, next: Handler) -> Handler {
        let seen = Arc::clone(&self.0);
        Arc::new(move |ctx: Context, request| {
            seen.lock().unwrap().push((ctx.kind(), ctx.operation()));
            next(ctx, request)
        })
    }
}

#[tokio::test]
async fn one_middleware_chain_runs_once_per_call_on_both_transports() {
    let recorder = Recorder::default();
    let greeter = Arc::new(Greeter::default());

    let mut http_server = http::Server::new().middleware(recorder.clone());
    api::register_greeter_http_server(&mut http_server, Arc::clone(&greeter)).unwrap();
    let mut grpc_server = grpc::Server::new().middleware(recorder.clone());
    api::register_greeter_grpc_server(&mut grpc_server, Arc::clone(&greeter));

    let http_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let http_address = http_listener.local_addr().unwrap();
    let (_stop_http, stopped) = oneshot::channel::<()>();
    tokio::spawn(http_server.serve_listener(http_listener, async {
        let _ = stopped.await;
    }));
    let running = start_grpc(grpc_server).await;

    let http_client = api::GreeterHttpClient::new(
        kratos::transport::http::Client::new(&format!("http://{http_address}")).unwrap(),
    );
    http_client.say_hello(hello("a")).await.unwrap();
    kratos_client(&running).say_hello(hello("b")).await.unwrap();
    kratos_client(&running)
        .say_hello(hello("error"))
        .await
        .unwrap_err();

    let seen = recorder.0.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            (Kind::Http, api::OPERATION_GREETER_SAY_HELLO),
            (Kind::Grpc, api::OPERATION_GREETER_SAY_HELLO),
            (Kind::Grpc, api::OPERATION_GREETER_SAY_HELLO),
        ]
    );
    assert_eq!(
        api::OPERATION_GREETER_SAY_HELLO,
        "/helloworld.v1.Greeter/SayHello"
    );
}

#[tokio::test]
async fn client_middleware_sets_metadata_the_handler_sees_and_reply_headers_come_back() {
    /// Echoes a request header into a reply header.
    struct Echo;

    impl api::GreeterHttpServer for Echo {
        async fn say_hello(
            &self,
            ctx: Context,
            request: api::HelloRequest,
        ) -> Result<api::HelloReply, Error> {
            let tag = ctx
                .request_headers()
                .get("x-md-tag")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("none")
                .to_owned();
            ctx.reply_headers()
                .insert("x-reply-tag", tag.parse().unwrap());
            Ok(api::HelloReply {
                message: format!("{} {tag}", request.name),
            })
        }

        example_streams!();
    }

    let mut server = grpc::Server::new();
    api::register_greeter_grpc_server(&mut server, Echo);
    let running = start_grpc(server).await;

    let reply_tags = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&reply_tags);
    let tagger = move |next: Handler| -> Handler {
        let seen = Arc::clone(&seen);
        Arc::new(move |mut ctx: Context, request| {
            ctx.request_headers_mut()
                .insert("x-md-tag", "blue".parse().unwrap());
            let next = Arc::clone(&next);
            let seen = Arc::clone(&seen);
            Box::pin(async move {
                let reply = next(ctx.clone(), request).await;
                let tag = ctx.reply_headers().get("x-reply-tag").cloned();
                seen.lock().unwrap().push(tag);
                reply
            })
        })
    };
    let client = api::GreeterGrpcClient::new(
        grpc::Client::builder(format!("http://{}", running.address))
            .middleware(tagger)
            .build()
            .unwrap(),
    );
    let reply = client.say_hello(hello("x")).await.unwrap();
    assert_eq!(reply.message, "x blue");
    assert_eq!(
        reply_tags.lock().unwrap().as_slice(),
        [Some("blue".parse().unwrap())]
    );
}

/// Takes longer than any timeout in these tests.
struct Slow;

impl api::GreeterHttpServer for Slow {
    async fn say_hello(
        &self,
        _ctx: Context,
        _: api::HelloRequest,
    ) -> Result<api::HelloReply, Error> {
        tokio::time::sleep(Duration::from_secs(30)).await;
        Ok(api::HelloReply::default())
    }

    example_streams!();
}

#[tokio::test]
async fn the_server_timeout_and_the_clients_deadline_end_slow_calls() {
    let mut server = grpc::Server::new().timeout(Some(Duration::from_millis(50)));
    api::register_greeter_grpc_server(&mut server, Slow);
    let running = start_grpc(server).await;
    let status = tonic_client(&running)
        .await
        .say_hello(hello("x"))
        .await
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::DeadlineExceeded);
    assert_eq!(Error::from(status).reason(), "TIMEOUT");

    // No server timeout: the client's own deadline ends the call, on both sides.
    let mut server = grpc::Server::new().timeout(None);
    api::register_greeter_grpc_server(&mut server, Slow);
    let running = start_grpc(server).await;
    let client = api::GreeterGrpcClient::new(
        grpc::Client::builder(format!("http://{}", running.address))
            .timeout(Some(Duration::from_millis(50)))
            .build()
            .unwrap(),
    );
    let err = client.say_hello(hello("x")).await.unwrap_err();
    assert_eq!((err.code(), err.reason()), (504, "TIMEOUT"), "{err:?}");
}

#[tokio::test]
async fn an_unreachable_server_is_a_503() {
    // A port nothing listens on: bind one, then close it.
    let address = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap();
    let client =
        api::GreeterGrpcClient::new(grpc::Client::new(format!("http://{address}")).unwrap());
    let err = client.say_hello(hello("x")).await.unwrap_err();
    assert_eq!(err.code(), 503, "{err:?}");
    assert!(grpc::Client::new("not a uri").is_err());
}

#[tokio::test]
async fn http_and_grpc_share_one_port() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (_stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(grpc::serve_with_http(
        listener,
        helloworld::grpc_server(),
        helloworld::http_server().unwrap(),
        async {
            let _ = stopped.await;
        },
    ));
    let running = Running {
        address,
        _stop: oneshot::channel().0,
    };
    let reply = kratos_client(&running)
        .say_hello(hello("grpc"))
        .await
        .unwrap();
    assert_eq!(reply.message, "Hello grpc");

    let http_client = api::GreeterHttpClient::new(
        kratos::transport::http::Client::new(&format!("http://{address}")).unwrap(),
    );
    let reply = http_client.say_hello(hello("http")).await.unwrap();
    assert_eq!(reply.message, "Hello http");
    let err = http_client.say_hello(hello("error")).await.unwrap_err();
    assert!(api::is_user_not_found(&err));
}
