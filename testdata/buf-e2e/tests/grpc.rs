//! The buf-generated gRPC glue (protoc-gen-tonic + protoc-gen-kratos-http grpc=true): the
//! greeter served by kratos' gRPC server and called by the generated kratos client.

use kratos::errors::Error;
use kratos::transport::{Context, grpc};
use kratos_buf_e2e::helloworld::v1 as hello;
use kratos_buf_e2e::library::v1 as library;

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

#[tokio::test]
async fn greeter_over_grpc() {
    let mut server = grpc::Server::new();
    hello::register_greeter_grpc_server(&mut server, Greeter);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (_stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(server.serve_listener(listener, async {
        let _ = stopped.await;
    }));
    let client = hello::GreeterGrpcClient::new(grpc::Client::new(format!("http://{address}")).unwrap());
    let reply = client
        .say_hello(hello::HelloRequest { name: "buf".to_owned() })
        .await
        .unwrap();
    assert_eq!(reply.message, "Hello buf");
    let err = client
        .say_hello(hello::HelloRequest { name: "error".to_owned() })
        .await
        .unwrap_err();
    assert!(hello::is_user_not_found(&err), "{err:?}");
}

/// The library's glue compiles too: its streaming method is a stub, its unannotated one is in
/// the trait.
#[allow(dead_code)]
fn library_glue_types(server: &mut grpc::Server, service: impl library::LibraryHttpServer) {
    library::register_library_grpc_server(server, service);
}
