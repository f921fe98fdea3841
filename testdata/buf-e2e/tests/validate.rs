//! Under buf too, the descriptors protoc-gen-kratos-http embeds keep the buf.validate rules
//! (validate.proto comes from the `proto` module): the validate middleware rejects a bad
//! request with 400 VALIDATOR over HTTP and gRPC, and lets a good one through.

use kratos::errors::Error;
use kratos::middleware::validate::Validate;
use kratos::transport::{Context, grpc, http};
use kratos_buf_e2e::validation::v1 as validation;

struct Users;

impl validation::UsersHttpServer for Users {
    async fn create_user(&self, _ctx: Context, request: validation::CreateUserRequest) -> Result<validation::User, Error> {
        Ok(request.user.unwrap_or_default())
    }

    async fn replace_user(&self, _ctx: Context, request: validation::ReplaceUserRequest) -> Result<validation::User, Error> {
        Ok(request.user.unwrap_or_default())
    }

    async fn ping(&self, _ctx: Context, _request: validation::PingRequest) -> Result<validation::PingReply, Error> {
        Ok(validation::PingReply {})
    }
}

fn user(login: &str) -> validation::CreateUserRequest {
    validation::CreateUserRequest {
        user: Some(validation::User {
            login: login.to_owned(),
            contact: Some(validation::user::Contact::Email("bob@example.com".to_owned())),
            ..Default::default()
        }),
        request_id: String::new(),
    }
}

async fn listen() -> (tokio::net::TcpListener, std::net::SocketAddr) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    (listener, address)
}

#[tokio::test]
async fn buf_validate_rules_reach_the_middleware() {
    let mut http_server = http::Server::new().middleware(Validate::new());
    validation::register_users_http_server(&mut http_server, Users).unwrap();
    let mut grpc_server = grpc::Server::new().middleware(Validate::new());
    validation::register_users_grpc_server(&mut grpc_server, Users);
    let (http_listener, http_address) = listen().await;
    let (grpc_listener, grpc_address) = listen().await;
    let (_stop, stopped) = tokio::sync::watch::channel(());
    let mut stop_http = stopped.clone();
    let mut stop_grpc = stopped;
    tokio::spawn(http_server.serve_listener(http_listener, async move {
        let _ = stop_http.changed().await;
    }));
    tokio::spawn(grpc_server.serve_listener(grpc_listener, async move {
        let _ = stop_grpc.changed().await;
    }));

    let http_client = validation::UsersHttpClient::new(http::Client::new(&format!("http://{http_address}")).unwrap());
    let grpc_client = validation::UsersGrpcClient::new(grpc::Client::new(format!("http://{grpc_address}")).unwrap());

    let err = http_client.create_user(user("B!")).await.unwrap_err();
    assert_eq!((err.code(), err.reason()), (400, "VALIDATOR"), "{err:?}");
    assert_eq!(
        err.metadata().get("user.login").map(String::as_str),
        Some("string.min_len,string.pattern")
    );
    let err = grpc_client.create_user(user("B!")).await.unwrap_err();
    assert_eq!((err.code(), err.reason()), (400, "VALIDATOR"), "{err:?}");
    assert!(err.message().contains("user.login: value length must be at least 3 characters"), "{}", err.message());

    assert_eq!(http_client.create_user(user("bob")).await.unwrap().login, "bob");
    assert_eq!(grpc_client.create_user(user("bob")).await.unwrap().login, "bob");
}
