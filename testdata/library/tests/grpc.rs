//! The library over gRPC: a method without an HTTP rule is served over gRPC only, and a
//! streaming method answers UNIMPLEMENTED instead of failing to compile or hanging.

mod support;

use kratos::transport::grpc;
use library_service::{Library, api};

#[tokio::test]
async fn unannotated_methods_over_grpc_and_streaming_stubs() {
    let mut server = grpc::Server::new();
    api::register_library_grpc_server(&mut server, Library);
    let running = support::start_grpc(server).await;

    let client = api::LibraryGrpcClient::new(grpc::Client::new(running.url.clone()).unwrap());
    let shelf = client
        .hidden(api::Shelf {
            theme: "shelves/1".to_owned(),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(shelf.theme, "shelves/1 via grpc");

    let mut raw = api::library_client::LibraryClient::new(client.inner().channel());
    let status = raw.watch(api::Shelf::default()).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::Unimplemented);
    assert!(
        status.message().contains("library.v1.Library.Watch"),
        "{}",
        status.message()
    );
}
