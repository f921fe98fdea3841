//! Scans of the whole configuration or a sub-tree into serde types and prost messages.

use std::time::Duration;

use kratos::config::{Config, FileSource};
use serde::Deserialize;

use crate::bootstrap::{Bootstrap, Database, Endpoint, Server};
use crate::child::with_env;
use crate::temp::TempDir;

/// kratos-layout's `configs/config.yaml`.
const LAYOUT_CONFIG: &str = "\
server:
  http:
    addr: 0.0.0.0:8000
    timeout: 1s
  grpc:
    addr: 0.0.0.0:9000
    timeout: 1.5s
data:
  database:
    driver: mysql
    source: root:root@tcp(127.0.0.1:3306)/test?parseTime=True&loc=Local
  redis:
    addr: 127.0.0.1:6379
    read_timeout: 0.2s
";

#[derive(Debug, Deserialize, PartialEq)]
struct Settings {
    server: ServerSettings,
    #[serde(default = "hello")]
    greeting: String,
}

#[derive(Debug, Deserialize, PartialEq)]
struct ServerSettings {
    http: EndpointSettings,
    grpc: EndpointSettings,
}

#[derive(Debug, Deserialize, PartialEq)]
struct EndpointSettings {
    addr: String,
    timeout: Duration,
}

fn hello() -> String {
    "Hello".to_owned()
}

async fn layout() -> (TempDir, Config) {
    let dir = TempDir::new();
    let file = dir.write("config.yaml", LAYOUT_CONFIG);
    let config = Config::builder()
        .source(FileSource::new(file))
        .load()
        .await
        .unwrap();
    (dir, config)
}

#[tokio::test]
async fn the_whole_tree_or_a_sub_tree_into_serde_types() {
    let (_dir, config) = layout().await;
    let settings: Settings = config.scan().unwrap();
    assert_eq!(
        settings,
        Settings {
            server: ServerSettings {
                http: EndpointSettings {
                    addr: "0.0.0.0:8000".into(),
                    timeout: Duration::from_secs(1)
                },
                grpc: EndpointSettings {
                    addr: "0.0.0.0:9000".into(),
                    timeout: Duration::from_millis(1500)
                },
            },
            greeting: "Hello".into(),
        }
    );
    let grpc: EndpointSettings = config.get("server.grpc").unwrap();
    assert_eq!(grpc.timeout, Duration::from_millis(1500));
}

#[tokio::test]
async fn a_layout_bootstrap_message_with_protojson_durations() {
    let (_dir, config) = layout().await;
    let bootstrap: Bootstrap = config.scan_message("").unwrap();
    let endpoint = |addr: &str, seconds, nanos| Endpoint {
        network: String::new(),
        addr: addr.into(),
        timeout: Some(prost_types::Duration { seconds, nanos }),
    };
    assert_eq!(
        bootstrap,
        Bootstrap {
            server: Some(Server {
                http: Some(endpoint("0.0.0.0:8000", 1, 0)),
                grpc: Some(endpoint("0.0.0.0:9000", 1, 500_000_000)),
            }),
            data: Some(crate::bootstrap::Data {
                database: Some(Database {
                    driver: "mysql".into(),
                    source: "root:root@tcp(127.0.0.1:3306)/test?parseTime=True&loc=Local".into(),
                }),
            }),
        }
    );
    let server: Server = config.scan_message("server").unwrap();
    assert_eq!(server, bootstrap.server.unwrap());
}

#[tokio::test]
async fn a_bad_message_field_names_the_message_the_field_and_the_source() {
    let dir = TempDir::new();
    let file = dir.write("config.yaml", "server:\n  http:\n    timeout: soon\n");
    let config = Config::builder()
        .source(FileSource::new(&file))
        .load()
        .await
        .unwrap();
    let error = config.scan_message::<Bootstrap>("").unwrap_err();
    assert_eq!(error.origin(), Some(crate::file_origin(&file).as_str()));
    // The whole tree or a sub-tree: the same key and expectation.
    let from_server = config.scan_message::<Server>("server").unwrap_err();
    for error in [error, from_server] {
        assert_eq!(error.key(), Some("server.http.timeout"));
        let expected = "(expected google.protobuf.Duration)";
        assert!(error.message().ends_with(expected), "{error}");
    }
    let error = config.scan_message::<Server>("nope").unwrap_err();
    assert_eq!(error.to_string(), "config: key nope: not set");
}

#[tokio::test]
async fn environment_strings_scan_into_messages() {
    if !with_env(
        "scan::environment_strings_scan_into_messages",
        &[
            ("LAYOUT_SERVER_HTTP_TIMEOUT", "3s"),
            ("LAYOUT_SERVER_HTTP_NETWORK", "tcp"),
        ],
    ) {
        return;
    }
    let (_dir, config) = crate::file_then_env(LAYOUT_CONFIG, "LAYOUT_").await;
    let server: Server = config.scan_message("server").unwrap();
    let http = server.http.unwrap();
    assert_eq!(
        http.timeout,
        Some(prost_types::Duration {
            seconds: 3,
            nanos: 0
        })
    );
    assert_eq!(http.network, "tcp");
}
