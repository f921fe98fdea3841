//! `discovery:///` targets: calls balanced over live servers found in a registry, following
//! its changes, retried elsewhere when a node cannot be reached.

use std::collections::HashMap;
use std::sync::Mutex;

use super::support::{Book, dead_address, start};
use super::*;
use crate::balancer::{PowerOfTwoChoices, filter};
use crate::errors::reasons;
use crate::registry::{MemoryRegistry, Registrar, ServiceInstance};

fn instance(id: &str, address: std::net::SocketAddr) -> ServiceInstance {
    ServiceInstance::new(id, "library")
        .version("v1")
        .endpoint(format!("grpc://{address}"))
        .endpoint(format!("http://{address}"))
}

/// Counts where calls went, through the [`Peer`] the client fills in.
#[derive(Clone, Default)]
struct Counts(Arc<Mutex<HashMap<String, usize>>>);

impl Counts {
    fn middleware(&self) -> impl Middleware {
        let counts = self.clone();
        move |next: Handler| -> Handler {
            let counts = counts.clone();
            Arc::new(move |mut ctx, request| {
                let peer = Peer::new();
                ctx.extensions_mut().insert(peer.clone());
                let call = next(ctx, request);
                let counts = counts.clone();
                Box::pin(async move {
                    let reply = call.await;
                    if let Some(address) = peer.address() {
                        *counts.0.lock().unwrap().entry(address).or_default() += 1;
                    }
                    reply
                })
            })
        }
    }

    fn get(&self, address: std::net::SocketAddr) -> usize {
        self.0
            .lock()
            .unwrap()
            .get(&address.to_string())
            .copied()
            .unwrap_or(0)
    }

    fn clear(&self) {
        self.0.lock().unwrap().clear();
    }
}

fn client(registry: &MemoryRegistry, counts: &Counts) -> ClientBuilder {
    Client::builder("discovery:///library")
        .discovery(Arc::new(registry.clone()))
        .middleware(counts.middleware())
}

async fn get_book(client: &Client) -> Result<Book, Error> {
    client
        .invoke(Call::new(
            "/test.Library/GetBook",
            "GET",
            "/v1/books/{name}",
            "/v1/books/dune",
            (),
        ))
        .await
}

#[tokio::test]
async fn calls_are_balanced_over_the_registered_servers() {
    let (a, b) = (start().await, start().await);
    let registry = MemoryRegistry::new();
    registry.register(&instance("a", a.address)).await.unwrap();
    registry
        .register(&instance("b", b.address).metadata("weight", "300"))
        .await
        .unwrap();
    let counts = Counts::default();
    let client = client(&registry, &counts).build().unwrap();
    assert_eq!(client.base_url(), "discovery:///library");
    for _ in 0..400 {
        assert_eq!(get_book(&client).await.unwrap().name, "dune");
    }
    assert_eq!((counts.get(a.address), counts.get(b.address)), (100, 300));
}

#[tokio::test]
async fn the_client_follows_registrations_and_deregistrations() {
    let (a, b) = (start().await, start().await);
    let registry = MemoryRegistry::new();
    let counts = Counts::default();
    let client = client(&registry, &counts).build().unwrap();

    let error = get_book(&client).await.unwrap_err();
    assert_eq!(
        (error.code(), error.reason()),
        (503, reasons::NO_AVAILABLE_NODE),
        "{error}"
    );

    registry.register(&instance("a", a.address)).await.unwrap();
    registry.register(&instance("b", b.address)).await.unwrap();
    // The watch is followed by a task: wait for it to see both.
    let deadline = Instant::now() + Duration::from_secs(2);
    while counts.get(a.address) == 0 || counts.get(b.address) == 0 {
        assert!(Instant::now() < deadline, "both servers never got calls");
        let _ = get_book(&client).await;
        tokio::time::sleep(Duration::from_millis(5)).await;
    }

    registry
        .deregister(&instance("a", a.address))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    counts.clear();
    for _ in 0..20 {
        get_book(&client).await.unwrap();
    }
    assert_eq!((counts.get(a.address), counts.get(b.address)), (0, 20));
}

#[tokio::test]
async fn a_node_that_refuses_connections_is_retried_on_another() {
    let live = start().await;
    let dead = dead_address().await;
    let registry = MemoryRegistry::new();
    registry.register(&instance("dead", dead)).await.unwrap();
    registry
        .register(&instance("live", live.address))
        .await
        .unwrap();
    let counts = Counts::default();
    let client = client(&registry, &counts).build().unwrap();
    for _ in 0..20 {
        // A POST too: nothing was sent to the dead node, so retrying cannot repeat it.
        let reply: Book = client
            .invoke(
                Call::new(
                    "/test.Library/CreateBook",
                    "POST",
                    "/v1/books",
                    "/v1/books",
                    Book::default(),
                )
                .body(CallBody::Whole),
            )
            .await
            .unwrap();
        assert_eq!(reply.pages, 1);
    }
    assert_eq!(counts.get(live.address), 20);

    // With every node dead the call fails, naming the last one tried.
    registry
        .deregister(&instance("live", live.address))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(50)).await;
    let error = get_book(&client).await.unwrap_err();
    assert_eq!(
        (error.code(), error.reason()),
        (503, reasons::TRANSPORT),
        "{error}"
    );
    assert!(error.message().contains(&dead.to_string()), "{error}");
}

#[tokio::test]
async fn filters_and_balancer_are_applied() {
    let (a, b) = (start().await, start().await);
    let registry = MemoryRegistry::new();
    registry.register(&instance("a", a.address)).await.unwrap();
    registry
        .register(&instance("b", b.address).version("v2"))
        .await
        .unwrap();
    let counts = Counts::default();
    let client = client(&registry, &counts)
        .balancer(PowerOfTwoChoices)
        .node_filter(filter::version("v2"))
        .build()
        .unwrap();
    for _ in 0..10 {
        get_book(&client).await.unwrap();
    }
    assert_eq!((counts.get(a.address), counts.get(b.address)), (0, 10));
}

#[tokio::test]
async fn a_discovery_target_needs_a_discovery_and_a_name() {
    let error = Client::new("discovery:///library").unwrap_err();
    assert_eq!(
        (error.code(), error.reason()),
        (400, reasons::INVALID_CONFIG)
    );
    assert!(error.message().contains(".discovery("), "{error}");
    let error = Client::builder("discovery:///")
        .discovery(Arc::new(MemoryRegistry::new()))
        .build()
        .unwrap_err();
    assert_eq!(error.code(), 400);
}

#[test]
fn a_discovery_client_built_outside_a_runtime_is_an_error() {
    let error = Client::builder("discovery:///library")
        .discovery(Arc::new(MemoryRegistry::new()))
        .build()
        .unwrap_err();
    assert!(error.message().contains("Tokio runtime"), "{error}");
}
