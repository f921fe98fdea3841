//! The generated gRPC client on a `discovery:///` target: calls balanced over the servers
//! registered in a (memory) registry, following it, and retried elsewhere when a node refuses
//! connections.

mod support;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use helloworld::api;
use kratos::balancer::Peer;
use kratos::middleware::Handler;
use kratos::registry::{MemoryRegistry, Registrar, ServiceInstance};
use kratos::transport::grpc;
use support::serve_grpc;

type Counts = Arc<Mutex<HashMap<String, usize>>>;

/// A client middleware counting where each call went.
fn count_peers(counts: &Counts) -> impl Fn(Handler) -> Handler + Send + Sync + 'static {
    let counts = Arc::clone(counts);
    move |next: Handler| -> Handler {
        let counts = Arc::clone(&counts);
        Arc::new(move |mut ctx, request| {
            let peer = Peer::new();
            ctx.extensions_mut().insert(peer.clone());
            let call = next(ctx, request);
            let counts = Arc::clone(&counts);
            Box::pin(async move {
                let reply = call.await;
                if let Some(address) = peer.address() {
                    *counts.lock().unwrap().entry(address).or_default() += 1;
                }
                reply
            })
        })
    }
}

fn instance(id: &str, address: SocketAddr) -> ServiceInstance {
    ServiceInstance::new(id, "helloworld")
        .endpoint(format!("http://127.0.0.1:1/{id}"))
        .endpoint(format!("grpc://{address}"))
}

fn count(counts: &Counts, address: SocketAddr) -> usize {
    let counts = counts.lock().unwrap();
    counts.get(&address.to_string()).copied().unwrap_or(0)
}

async fn say_hello(client: &api::GreeterGrpcClient) -> Result<String, kratos::errors::Error> {
    let reply = client
        .say_hello(api::HelloRequest {
            name: "kratos".into(),
        })
        .await?;
    Ok(reply.message)
}

#[tokio::test]
async fn grpc_calls_follow_the_registry_and_skip_dead_nodes() {
    let a = serve_grpc(helloworld::grpc_server()).await;
    let b = serve_grpc(helloworld::grpc_server()).await;
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let registry = MemoryRegistry::new();
    registry.register(&instance("a", a.address)).await.unwrap();
    registry.register(&instance("b", b.address)).await.unwrap();
    registry.register(&instance("dead", dead)).await.unwrap();
    let counts = Counts::default();
    let client = api::GreeterGrpcClient::new(
        grpc::Client::builder("discovery:///helloworld")
            .discovery(Arc::new(registry.clone()))
            .middleware(count_peers(&counts))
            .build()
            .unwrap(),
    );

    // Every call succeeds: the dead node's attempts are made again on a live one.
    for _ in 0..30 {
        assert_eq!(say_hello(&client).await.unwrap(), "Hello kratos");
    }
    assert_eq!(count(&counts, a.address) + count(&counts, b.address), 30);
    assert!(count(&counts, a.address) >= 10 && count(&counts, b.address) >= 10);

    // Deregistered: no more calls there.
    registry
        .deregister(&instance("a", a.address))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    counts.lock().unwrap().clear();
    for _ in 0..10 {
        say_hello(&client).await.unwrap();
    }
    assert_eq!(
        (count(&counts, a.address), count(&counts, b.address)),
        (0, 10)
    );
}
