//! The library over gRPC: a method without an HTTP rule is served over gRPC only, and the
//! server-streaming method streams its replies through the generated glue and client.

mod support;

use kratos::transport::grpc;
use library_service::{Library, api};

#[tokio::test]
async fn unannotated_methods_over_grpc_and_server_streaming() {
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

    let mut shelves = client
        .watch(api::Shelf {
            id: 7,
            theme: "watched".to_owned(),
        })
        .await
        .unwrap();
    let mut ids = Vec::new();
    while let Some(shelf) = shelves.message().await {
        let shelf = shelf.unwrap();
        assert_eq!(shelf.theme, "watched");
        ids.push(shelf.id);
    }
    assert_eq!(ids, [7, 8, 9]);
}
