//! The Greeter on real sockets: both servers as `server::new_servers` builds them, called over
//! HTTP and gRPC by the generated clients.

use std::net::SocketAddr;

use kratos::transport::{grpc, http};
use projectname::api::projectname::v1 as api;
use projectname::conf::ServerConf;
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// The two servers on free loopback ports; they stop when this is dropped.
struct Running {
    http: SocketAddr,
    grpc: SocketAddr,
    _stop: Vec<oneshot::Sender<()>>,
}

async fn start() -> Running {
    let servers = projectname::server::new_servers(&ServerConf::default()).unwrap();
    let http_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let grpc_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let running = Running {
        http: http_listener.local_addr().unwrap(),
        grpc: grpc_listener.local_addr().unwrap(),
        _stop: Vec::new(),
    };
    let (stop_http, http_stopped) = oneshot::channel::<()>();
    let (stop_grpc, grpc_stopped) = oneshot::channel::<()>();
    tokio::spawn(servers.http.serve_listener(http_listener, async {
        let _ = http_stopped.await;
    }));
    tokio::spawn(servers.grpc.serve_listener(grpc_listener, async {
        let _ = grpc_stopped.await;
    }));
    Running {
        _stop: vec![stop_http, stop_grpc],
        ..running
    }
}

/// The generated clients of both servers.
fn clients(running: &Running) -> (api::GreeterHttpClient, api::GreeterGrpcClient) {
    let over_http = api::GreeterHttpClient::new(
        http::Client::new(&format!("http://{}", running.http)).unwrap(),
    );
    let over_grpc =
        api::GreeterGrpcClient::new(grpc::Client::new(format!("http://{}", running.grpc)).unwrap());
    (over_http, over_grpc)
}

fn hello(name: &str) -> api::HelloRequest {
    api::HelloRequest {
        name: name.to_owned(),
    }
}

#[tokio::test]
async fn greets_over_http_and_grpc() {
    let running = start().await;
    let (over_http, over_grpc) = clients(&running);

    let reply = over_http.say_hello(hello("kratos")).await.unwrap();
    assert_eq!(reply.message, "Hello kratos");
    let reply = over_grpc.say_hello(hello("grpc")).await.unwrap();
    assert_eq!(reply.message, "Hello grpc");
}

#[tokio::test]
async fn user_not_found_is_a_kratos_error_on_both_transports() {
    let running = start().await;
    let (over_http, over_grpc) = clients(&running);

    for err in [
        over_http.say_hello(hello("error")).await.unwrap_err(),
        over_grpc.say_hello(hello("error")).await.unwrap_err(),
    ] {
        assert!(api::is_user_not_found(&err), "{err}");
        assert_eq!(err.message(), "user not found: error");
    }
}
