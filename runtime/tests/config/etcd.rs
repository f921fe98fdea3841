//! The etcd source against a real etcd (Debian's `etcd-server`), started per test.

#[path = "../support/etcd.rs"]
#[allow(dead_code)] // This suite starts etcd; it does not kill or restart it.
mod server;

use std::time::Duration;

use kratos::config::{Config, EtcdSource, Format};
use kratos::registry::etcd::etcd_client::Client;
use server::EtcdServer;
use tokio::sync::mpsc;

async fn client(etcd: &EtcdServer) -> Client {
    Client::connect([etcd.endpoint()], None).await.unwrap()
}

#[tokio::test]
async fn a_key_loads_and_follows_puts() {
    let etcd = EtcdServer::start();
    let mut client = client(&etcd).await;
    client
        .put(
            "/config/helloworld.yaml",
            "greeting: Hello\nserver:\n  http:\n    timeout: 1s\n",
            None,
        )
        .await
        .unwrap();
    let config = Config::builder()
        .source(EtcdSource::new(client.clone(), "/config/helloworld.yaml"))
        .debounce(Duration::from_millis(20))
        .load()
        .await
        .unwrap();
    assert_eq!(
        config.get::<Duration>("server.http.timeout").unwrap(),
        Duration::from_secs(1)
    );
    let (sender, mut changes) = mpsc::unbounded_channel();
    config.watch("greeting", move |greeting: String| {
        let _ = sender.send(greeting);
    });

    client
        .put("/config/helloworld.yaml", "greeting: Hi\n", None)
        .await
        .unwrap();
    let greeting = tokio::time::timeout(Duration::from_secs(10), changes.recv())
        .await
        .unwrap();
    assert_eq!(greeting.as_deref(), Some("Hi"));

    // A value that does not parse: reported, the last good one stays.
    client
        .put("/config/helloworld.yaml", "greeting: [", None)
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(config.get::<String>("greeting").unwrap(), "Hi");
    client
        .put("/config/helloworld.yaml", "greeting: Back\n", None)
        .await
        .unwrap();
    let greeting = tokio::time::timeout(Duration::from_secs(10), changes.recv())
        .await
        .unwrap();
    assert_eq!(greeting.as_deref(), Some("Back"));
}

#[tokio::test]
async fn a_prefix_merges_its_keys_in_order() {
    let etcd = EtcdServer::start();
    let mut client = client(&etcd).await;
    client
        .put(
            "/app/10-base.json",
            r#"{"greeting": "Hello", "port": 1}"#,
            None,
        )
        .await
        .unwrap();
    client
        .put("/app/20-local.yaml", "port: 2\n", None)
        .await
        .unwrap();
    client.put("/apple.yaml", "port: 3\n", None).await.unwrap();
    let config = Config::builder()
        .source(EtcdSource::new(client.clone(), "/app/").prefix())
        .debounce(Duration::from_millis(20))
        .load()
        .await
        .unwrap();
    assert_eq!(config.get::<u16>("port").unwrap(), 2);
    assert_eq!(config.get::<String>("greeting").unwrap(), "Hello");

    let (sender, mut changes) = mpsc::unbounded_channel();
    config.watch("port", move |port: u16| {
        let _ = sender.send(port);
    });
    client
        .put("/app/30-new.yaml", "port: 4\n", None)
        .await
        .unwrap();
    let port = tokio::time::timeout(Duration::from_secs(10), changes.recv())
        .await
        .unwrap();
    assert_eq!(port, Some(4));
}

#[tokio::test]
async fn etcd_errors_name_the_key() {
    let etcd = EtcdServer::start();
    let mut client = client(&etcd).await;
    let error = Config::builder()
        .source(EtcdSource::new(client.clone(), "/missing.yaml"))
        .load()
        .await
        .unwrap_err();
    assert_eq!(
        error.to_string(),
        "config: etcd /missing.yaml: no such key in etcd"
    );

    client
        .put("/config/app", "greeting: x", None)
        .await
        .unwrap();
    let error = Config::builder()
        .source(EtcdSource::new(client.clone(), "/config/app"))
        .load()
        .await
        .unwrap_err();
    assert!(
        error.message().contains("cannot tell the format"),
        "{error}"
    );
    let config = Config::builder()
        .source(EtcdSource::new(client.clone(), "/config/app").format(Format::Yaml))
        .load()
        .await
        .unwrap();
    assert_eq!(config.get::<String>("greeting").unwrap(), "x");

    client
        .put("/config/bad.yaml", "a: 1\n b: 2\n", None)
        .await
        .unwrap();
    let error = Config::builder()
        .source(EtcdSource::new(client, "/config/bad.yaml"))
        .load()
        .await
        .unwrap_err();
    assert_eq!(error.origin(), Some("etcd /config/bad.yaml"));
    assert_eq!(error.line(), Some(2), "{error}");
}
