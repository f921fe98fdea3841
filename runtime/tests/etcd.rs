//! The etcd registry against a real etcd (Debian's `etcd-server`), started per test.
#![cfg(feature = "etcd")]

mod support;

use std::time::{Duration, Instant};

use kratos::registry::etcd::etcd_client;
use kratos::registry::{Discovery, EtcdRegistry, Registrar, ServiceInstance, Watcher};
use support::etcd::EtcdServer;

fn instance(id: &str) -> ServiceInstance {
    ServiceInstance::new(id, "helloworld")
        .version("v1")
        .metadata("weight", "10")
        .endpoint("http://127.0.0.1:8000")
        .endpoint("grpc://127.0.0.1:9000")
}

async fn registry(etcd: &EtcdServer) -> EtcdRegistry {
    EtcdRegistry::connect([etcd.endpoint()]).await.unwrap()
}

async fn ids(registry: &EtcdRegistry) -> Vec<String> {
    let list = registry.get_service("helloworld").await.unwrap();
    list.into_iter().map(|instance| instance.id).collect()
}

/// Waits (up to `limit`) until the watcher gives a list with exactly these ids.
async fn wait_for(watcher: &mut Watcher, expected: &[&str], limit: Duration) {
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let list = tokio::time::timeout(left, watcher.next())
            .await
            .unwrap_or_else(|_| panic!("the watcher did not show {expected:?} within {limit:?}"))
            .expect("the watcher ended");
        let mut ids: Vec<&str> = list.iter().map(|instance| instance.id.as_str()).collect();
        ids.sort_unstable();
        if ids == expected {
            return;
        }
    }
}

/// Polls `ids` until it equals `expected`, for up to `limit`; returns how long it took.
async fn poll_ids(registry: &EtcdRegistry, expected: &[&str], limit: Duration) -> Duration {
    let started = Instant::now();
    loop {
        if ids(registry).await == expected {
            return started.elapsed();
        }
        assert!(
            started.elapsed() < limit,
            "etcd did not show {expected:?} within {limit:?}: {:?}",
            ids(registry).await
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn key_and_value_are_go_kratos_ones_and_deregister_removes_them() {
    let Some(etcd) = EtcdServer::start_or_skip() else {
        return;
    };
    let registry = registry(&etcd).await;
    registry.register(&instance("id-1")).await.unwrap();

    // Read back with a plain etcd client: the key and JSON Go Kratos writes and reads.
    let mut client = etcd_client::Client::connect([etcd.endpoint()], None)
        .await
        .unwrap();
    let answer = client
        .get("/microservices/helloworld/id-1", None)
        .await
        .unwrap();
    let value: serde_json::Value = serde_json::from_slice(answer.kvs()[0].value()).unwrap();
    assert_eq!(
        value,
        serde_json::json!({
            "id": "id-1", "name": "helloworld", "version": "v1",
            "metadata": {"weight": "10"},
            "endpoints": ["http://127.0.0.1:8000", "grpc://127.0.0.1:9000"],
        })
    );
    assert_ne!(answer.kvs()[0].lease(), 0, "the key must be under a lease");

    // A value written by Go Kratos (nil metadata is `null`) is read back.
    client
        .put(
            "/microservices/helloworld/go-1",
            r#"{"id":"go-1","name":"helloworld","version":"","metadata":null,"endpoints":["grpc://10.0.0.9:9000"]}"#,
            None,
        )
        .await
        .unwrap();
    // Neither another service's key sharing the prefix nor garbage is listed.
    client
        .put(
            "/microservices/helloworld2/x",
            r#"{"id":"x","name":"helloworld2"}"#,
            None,
        )
        .await
        .unwrap();
    client
        .put("/microservices/helloworld/bad", "not json", None)
        .await
        .unwrap();
    assert_eq!(ids(&registry).await, ["go-1", "id-1"]);

    registry.deregister(&instance("id-1")).await.unwrap();
    assert_eq!(ids(&registry).await, ["go-1"]);
    // Deregistering again is not an error.
    registry.deregister(&instance("id-1")).await.unwrap();
}

#[tokio::test]
async fn keep_alive_holds_the_key_and_it_expires_once_the_registrar_is_gone() {
    let Some(etcd) = EtcdServer::start_or_skip() else {
        return;
    };
    let observer = registry(&etcd).await;
    let registrar = registry(&etcd).await.ttl(Duration::from_secs(2));
    registrar.register(&instance("a")).await.unwrap();

    // Well past the TTL, keep-alive still holds it.
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(ids(&observer).await, ["a"]);

    // Dropped without deregistering: as a killed process, nothing refreshes the lease.
    drop(registrar);
    let took = poll_ids(&observer, &[], Duration::from_secs(8)).await;
    assert!(
        took > Duration::from_millis(500),
        "removed too early: {took:?}"
    );
}

#[tokio::test]
async fn watch_gives_the_whole_list_on_every_change() {
    let Some(etcd) = EtcdServer::start_or_skip() else {
        return;
    };
    let registry = registry(&etcd).await;
    let mut watcher = registry.watch("helloworld").await.unwrap();
    wait_for(&mut watcher, &[], Duration::from_secs(1)).await;

    registry.register(&instance("a")).await.unwrap();
    wait_for(&mut watcher, &["a"], Duration::from_secs(2)).await;
    registry.register(&instance("b")).await.unwrap();
    wait_for(&mut watcher, &["a", "b"], Duration::from_secs(2)).await;
    registry.deregister(&instance("a")).await.unwrap();
    wait_for(&mut watcher, &["b"], Duration::from_secs(2)).await;
}

#[tokio::test]
async fn registers_again_and_watches_again_after_etcd_restarts_without_its_data() {
    let Some(mut etcd) = EtcdServer::start_or_skip() else {
        return;
    };
    let registrar = registry(&etcd).await.ttl(Duration::from_secs(2));
    let watching = registry(&etcd).await;
    let mut watcher = watching.watch("helloworld").await.unwrap();
    registrar.register(&instance("a")).await.unwrap();
    wait_for(&mut watcher, &["a"], Duration::from_secs(2)).await;

    // Every key and lease lost: keep-alive fails, the registrar writes the key again, and the
    // watcher reconnects and reads it.
    etcd.restart(true);
    let observer = registry(&etcd).await;
    poll_ids(&observer, &["a"], Duration::from_secs(10)).await;

    // The watch was re-established: a change made now reaches it.
    observer.register(&instance("b")).await.unwrap();
    wait_for(&mut watcher, &["a", "b"], Duration::from_secs(10)).await;
}

#[tokio::test]
async fn watch_follows_values_rewritten_in_place_and_skips_what_is_not_an_instance() {
    let Some(etcd) = EtcdServer::start_or_skip() else {
        return;
    };
    let registry = registry(&etcd).await;
    let mut watcher = registry.watch("helloworld").await.unwrap();
    wait_for(&mut watcher, &[], Duration::from_secs(1)).await;
    let mut client = etcd_client::Client::connect([etcd.endpoint()], None)
        .await
        .unwrap();
    let key = "/microservices/helloworld/a";
    let put = |version: &str| serde_json::to_string(&instance("a").version(version)).unwrap();
    client.put(key, put("v1"), None).await.unwrap();
    wait_for(&mut watcher, &["a"], Duration::from_secs(2)).await;
    // The same key rewritten: the list holds the new value, not both.
    client.put(key, put("v2"), None).await.unwrap();
    let deadline = Instant::now() + Duration::from_secs(2);
    loop {
        let list = tokio::time::timeout_at(deadline.into(), watcher.next())
            .await
            .expect("the rewrite never showed")
            .unwrap();
        assert_eq!(list.len(), 1, "{list:?}");
        if list[0].version == "v2" {
            break;
        }
    }
    // A value that is not an instance, beside a real one, is left out; its removal too.
    client
        .put("/microservices/helloworld/junk", "not json", None)
        .await
        .unwrap();
    client
        .put(
            "/microservices/helloworld/b",
            serde_json::to_string(&instance("b")).unwrap(),
            None,
        )
        .await
        .unwrap();
    wait_for(&mut watcher, &["a", "b"], Duration::from_secs(2)).await;
    client.delete(key, None).await.unwrap();
    wait_for(&mut watcher, &["b"], Duration::from_secs(2)).await;
}
