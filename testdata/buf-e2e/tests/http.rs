//! The buf-generated HTTP routes, served in-process through the tower service.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use kratos::errors::Error;
use kratos::transport::Context;
use kratos::transport::http::Server;
use kratos_buf_e2e::helloworld::v1 as hello;
use tower_service::Service;

struct Greeter;

impl hello::GreeterHttpServer for Greeter {
    async fn say_hello(&self, _ctx: Context, request: hello::HelloRequest) -> Result<hello::HelloReply, Error> {
        if request.name == "error" {
            return Err(hello::error_user_not_found("no such user"));
        }
        Ok(hello::HelloReply {
            message: format!("Hello {}", request.name),
        })
    }
}

async fn get(path: &str) -> (u16, String) {
    let mut server = Server::new();
    hello::register_greeter_http_server(&mut server, Greeter).unwrap();
    let mut service = server.into_service();
    let request = kratos::http::Request::get(path).body(Full::new(Bytes::new())).unwrap();
    let response = service.call(request).await.unwrap();
    let status = response.status().as_u16();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn greeter_route_and_error() {
    assert_eq!(get("/helloworld/buf").await, (200, r#"{"message":"Hello buf"}"#.to_owned()));
    let (status, body) = get("/helloworld/error").await;
    assert_eq!(status, 404);
    let err = Error::from_json(body.as_bytes()).unwrap();
    assert!(hello::is_user_not_found(&err), "{body}");
}
