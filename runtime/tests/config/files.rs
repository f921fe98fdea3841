//! Loading: files, directories, the environment, merge order, placeholders, and the errors.

use std::time::Duration;

use kratos::config::{Config, ConfigError, FileSource};
use serde_json::json;

use crate::child::with_env;
use crate::file_origin;
use crate::temp::TempDir;

const CONFIG_YAML: &str = "\
server:
  http:
    addr: 0.0.0.0:8000
    timeout: 1s
  grpc:
    addr: 0.0.0.0:9000
    timeout: 500ms
greeting: Hello
";

async fn load(source: FileSource) -> Result<Config, ConfigError> {
    Config::builder().source(source).load().await
}

/// `server.http.addr` and `server.http.timeout`, as read.
fn http_server(config: &Config) -> (String, Duration) {
    (
        config.get("server.http.addr").unwrap(),
        config.get("server.http.timeout").unwrap(),
    )
}

#[tokio::test]
async fn a_yaml_file_reads_by_dotted_key() {
    let dir = TempDir::new();
    let file = dir.write("config.yaml", CONFIG_YAML);
    let config = load(FileSource::new(file)).await.unwrap();
    assert_eq!(
        http_server(&config),
        ("0.0.0.0:8000".to_owned(), Duration::from_secs(1))
    );
    assert_eq!(
        config.get::<Duration>("server.grpc.timeout").unwrap(),
        Duration::from_millis(500)
    );
    assert_eq!(
        config.value("server.grpc"),
        Some(json!({"addr": "0.0.0.0:9000", "timeout": "500ms"}))
    );
    let unset = config.get::<String>("server.http.network").unwrap_err();
    assert_eq!(unset.key(), Some("server.http.network"));
    assert_eq!(
        unset.to_string(),
        "config: key server.http.network: not set"
    );
}

#[cfg(feature = "toml")]
#[tokio::test]
async fn toml_and_json_files_read_alike() {
    let dir = TempDir::new();
    let toml = dir.write(
        "a.toml",
        "greeting = \"Hi\"\n[server.http]\ntimeout = \"2s\"\n",
    );
    let json = dir.write("b.json", r#"{"server": {"http": {"addr": ":1"}}}"#);
    let config = Config::builder()
        .source(FileSource::new(toml))
        .source(FileSource::new(json))
        .load()
        .await
        .unwrap();
    assert_eq!(config.get::<String>("greeting").unwrap(), "Hi");
    assert_eq!(
        http_server(&config),
        (":1".to_owned(), Duration::from_secs(2))
    );
}

#[tokio::test]
async fn a_directory_merges_its_files_in_name_order() {
    let dir = TempDir::new();
    dir.write("10-base.yaml", CONFIG_YAML);
    dir.write(
        "20-override.json",
        r#"{"greeting": "Hi", "server": {"http": {"timeout": "3s"}}}"#,
    );
    // Skipped: hidden files, unknown extensions, subdirectories.
    dir.write(".hidden.yaml", "greeting: hidden");
    dir.write("README.md", "not: config");
    std::fs::create_dir(dir.path().join("sub.yaml")).unwrap();
    let config = load(FileSource::new(dir.path())).await.unwrap();
    assert_eq!(config.get::<String>("greeting").unwrap(), "Hi");
    assert_eq!(
        http_server(&config),
        ("0.0.0.0:8000".to_owned(), Duration::from_secs(3))
    );
}

#[tokio::test]
async fn later_sources_win_key_by_key() {
    let dir = TempDir::new();
    let base = dir.write("base.yaml", CONFIG_YAML);
    let local = dir.write("local.yaml", "server:\n  grpc:\n    addr: 127.0.0.1:9999\n");
    let config = Config::builder()
        .source(FileSource::new(&base))
        .source(FileSource::new(&local))
        .load()
        .await
        .unwrap();
    assert_eq!(
        config.get::<String>("server.grpc.addr").unwrap(),
        "127.0.0.1:9999"
    );
    assert_eq!(
        config.get::<String>("server.grpc.timeout").unwrap(),
        "500ms"
    );
    // Reversed, the base wins.
    let config = Config::builder()
        .source(FileSource::new(&local))
        .source(FileSource::new(&base))
        .load()
        .await
        .unwrap();
    assert_eq!(
        config.get::<String>("server.grpc.addr").unwrap(),
        "0.0.0.0:9000"
    );
}

#[tokio::test]
async fn environment_variables_override_files() {
    if !with_env(
        "files::environment_variables_override_files",
        &[
            ("HELLO_SERVER_HTTP_ADDR", "127.0.0.1:8080"),
            ("HELLO_SERVER_READ__TIMEOUT", "250ms"),
            ("HELLO_PORT", "8080"),
            ("OTHER_GREETING", "not mine"),
        ],
    ) {
        return;
    }
    let (_dir, config) = crate::file_then_env(CONFIG_YAML, "HELLO_").await;
    assert_eq!(
        http_server(&config),
        ("127.0.0.1:8080".to_owned(), Duration::from_secs(1))
    );
    assert_eq!(
        config.get::<Duration>("server.read_timeout").unwrap(),
        Duration::from_millis(250)
    );
    // Environment values are strings; they read as numbers all the same.
    assert_eq!(config.get::<u16>("port").unwrap(), 8080);
    assert_eq!(config.get::<String>("greeting").unwrap(), "Hello");
}

#[tokio::test]
async fn placeholders_resolve_against_keys_then_the_environment_then_defaults() {
    if !with_env(
        "files::placeholders_resolve_against_keys_then_the_environment_then_defaults",
        &[("KRATOS_TEST_DB_HOST", "db.internal")],
    ) {
        return;
    }
    let dir = TempDir::new();
    let file = dir.write(
        "config.yaml",
        "\
port: 8000
server:
  http:
    addr: 0.0.0.0:${port}
    timeout: ${HTTP_TIMEOUT_UNSET_FOR_TEST:2s}
data:
  source: mysql://${KRATOS_TEST_DB_HOST}:3306/${DB_NAME_UNSET_FOR_TEST:test}
  port: ${port}
",
    );
    let config = load(FileSource::new(file)).await.unwrap();
    assert_eq!(
        http_server(&config),
        ("0.0.0.0:8000".to_owned(), Duration::from_secs(2))
    );
    assert_eq!(
        config.get::<String>("data.source").unwrap(),
        "mysql://db.internal:3306/test"
    );
    assert_eq!(config.value("data.port"), Some(json!(8000)));
}

#[tokio::test]
async fn a_placeholder_without_value_or_default_fails_the_load() {
    let dir = TempDir::new();
    let file = dir.write(
        "config.yaml",
        "data:\n  source: mysql://${KRATOS_TEST_UNSET_HOST}/db\n",
    );
    let error = load(FileSource::new(&file)).await.unwrap_err();
    assert_eq!(error.key(), Some("data.source"));
    assert_eq!(error.origin(), Some(file_origin(&file).as_str()));
    assert!(
        error.message().contains("${KRATOS_TEST_UNSET_HOST}"),
        "{error}"
    );
    assert!(error.message().contains("no default"), "{error}");
}

#[tokio::test]
async fn a_missing_file_names_its_path() {
    let dir = TempDir::new();
    let missing = dir.path().join("nope.yaml");
    let error = load(FileSource::new(&missing)).await.unwrap_err();
    assert_eq!(error.origin(), Some(file_origin(&missing).as_str()));
    assert!(error.message().starts_with("cannot read: "), "{error}");
}

#[tokio::test]
async fn bad_yaml_names_its_file_and_line() {
    let dir = TempDir::new();
    let file = dir.write(
        "config.yaml",
        "server:\n  http:\n    addr: :8000\n   timeout: 1s\n",
    );
    let error = load(FileSource::new(&file)).await.unwrap_err();
    assert_eq!(error.origin(), Some(file_origin(&file).as_str()));
    assert_eq!(error.line(), Some(4), "{error}");
    assert!(error.message().starts_with("YAML syntax: "), "{error}");
    assert!(
        error.to_string().contains(", line 4: YAML syntax: "),
        "{error}"
    );
}

#[tokio::test]
async fn a_wrong_type_names_the_key_its_source_and_the_expected_type() {
    let dir = TempDir::new();
    let file = dir.write("config.yaml", "server:\n  port: eighty\n  timeout: soon\n");
    let config = load(FileSource::new(&file)).await.unwrap();
    let origin = file_origin(&file);

    let error = config.get::<u16>("server.port").unwrap_err();
    assert_eq!(error.key(), Some("server.port"));
    assert_eq!(error.origin(), Some(origin.as_str()));
    assert_eq!(
        error.message(),
        "invalid type: string \"eighty\", expected u16"
    );

    let error = config.get::<Duration>("server.timeout").unwrap_err();
    assert_eq!(error.key(), Some("server.timeout"));
    assert!(
        error.message().contains("expected a duration like 1s"),
        "{error}"
    );

    #[derive(Debug, serde::Deserialize)]
    #[allow(dead_code)] // Read only to fail.
    struct Server {
        port: u16,
    }
    let error = config.get::<Server>("server").unwrap_err();
    assert_eq!(error.key(), Some("server.port"));
    assert_eq!(
        error.to_string(),
        format!("config: {origin}: key server.port: invalid type: string \"eighty\", expected u16")
    );
}

#[tokio::test]
async fn a_file_of_unknown_format_or_over_the_size_limit_is_refused() {
    let dir = TempDir::new();
    let file = dir.write("config.ini", "a = 1");
    let error = load(FileSource::new(&file)).await.unwrap_err();
    assert!(
        error.message().contains("cannot tell the format"),
        "{error}"
    );

    let file = dir.write("big.yaml", &"a: 1\n".repeat(100));
    let error = load(FileSource::new(&file).max_file_size(100))
        .await
        .unwrap_err();
    assert!(error.message().contains("100-byte limit"), "{error}");
    assert!(
        load(FileSource::new(&file).max_file_size(500))
            .await
            .is_ok()
    );
}
