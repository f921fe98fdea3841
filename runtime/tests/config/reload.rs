//! Hot reload from files: in-place writes, atomic renames, Kubernetes ConfigMap symlink swaps,
//! and edits that do not parse.

use std::path::Path;
use std::time::Duration;

use kratos::config::{Config, FileSource};
use tokio::sync::mpsc;

use crate::eventually;
use crate::temp::TempDir;

const BASE: &str = "greeting: Hello\nserver:\n  http:\n    timeout: 1s\n";

async fn watched(path: &Path) -> (Config, mpsc::UnboundedReceiver<String>) {
    let config = Config::builder()
        .source(FileSource::new(path).poll_interval(Duration::from_millis(20)))
        .debounce(Duration::from_millis(20))
        .load()
        .await
        .unwrap();
    let (sender, receiver) = mpsc::unbounded_channel();
    config.watch("greeting", move |greeting: String| {
        let _ = sender.send(greeting);
    });
    (config, receiver)
}

async fn next(changes: &mut mpsc::UnboundedReceiver<String>) -> String {
    tokio::time::timeout(Duration::from_secs(10), changes.recv())
        .await
        .expect("no change within 10 s")
        .expect("the watcher stopped")
}

/// Waits long enough for several polls and a debounce to pass.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(200)).await;
}

#[tokio::test]
async fn an_in_place_write_changes_the_watched_key_only_when_it_changes() {
    let dir = TempDir::new();
    let file = dir.write("config.yaml", BASE);
    let (config, mut changes) = watched(&file).await;

    // Another key changes: the greeting's watcher stays quiet.
    dir.write(
        "config.yaml",
        "greeting: Hello\nserver:\n  http:\n    timeout: 2s\n",
    );
    eventually("the timeout to change", || {
        config.get::<String>("server.http.timeout").unwrap() == "2s"
    })
    .await;
    settle().await;
    assert!(changes.try_recv().is_err(), "fired for another key");

    dir.write(
        "config.yaml",
        "greeting: Hi\nserver:\n  http:\n    timeout: 2s\n",
    );
    assert_eq!(next(&mut changes).await, "Hi");
    assert_eq!(config.get::<String>("greeting").unwrap(), "Hi");
}

#[tokio::test]
async fn an_atomic_rename_over_the_file_is_seen() {
    let dir = TempDir::new();
    let file = dir.write("config.yaml", BASE);
    let (config, mut changes) = watched(&file).await;
    let staged = dir.write(".config.yaml.swp", "greeting: Renamed\n");
    std::fs::rename(&staged, &file).unwrap();
    assert_eq!(next(&mut changes).await, "Renamed");
    assert_eq!(config.get::<String>("greeting").unwrap(), "Renamed");
}

#[cfg(unix)]
#[tokio::test]
async fn a_configmap_symlink_swap_is_seen() {
    use std::os::unix::fs::symlink;

    // What the kubelet does: files are links through `..data` to a timestamped directory, and
    // an update renames a new `..data` link over the old one.
    let dir = TempDir::new();
    let first = dir.path().join("..2026_01");
    std::fs::create_dir(&first).unwrap();
    std::fs::write(first.join("config.yaml"), BASE).unwrap();
    symlink("..2026_01", dir.path().join("..data")).unwrap();
    symlink("..data/config.yaml", dir.path().join("config.yaml")).unwrap();
    let (config, mut changes) = watched(dir.path()).await;
    assert_eq!(config.get::<String>("greeting").unwrap(), "Hello");

    let second = dir.path().join("..2026_02");
    std::fs::create_dir(&second).unwrap();
    std::fs::write(second.join("config.yaml"), "greeting: Swapped\n").unwrap();
    symlink("..2026_02", dir.path().join("..data_tmp")).unwrap();
    std::fs::rename(dir.path().join("..data_tmp"), dir.path().join("..data")).unwrap();
    std::fs::remove_dir_all(&first).unwrap();

    assert_eq!(next(&mut changes).await, "Swapped");
}

#[tokio::test]
async fn an_edit_that_does_not_parse_keeps_the_last_good_values() {
    let dir = TempDir::new();
    let file = dir.write("config.yaml", BASE);
    let (config, mut changes) = watched(&file).await;

    dir.write("config.yaml", "greeting: [unclosed\n");
    settle().await;
    assert_eq!(config.get::<String>("greeting").unwrap(), "Hello");
    // So does one whose placeholder has no value, and a removed file.
    dir.write("config.yaml", "greeting: ${KRATOS_TEST_UNSET_GREETING}\n");
    settle().await;
    std::fs::remove_file(&file).unwrap();
    settle().await;
    assert_eq!(config.get::<String>("greeting").unwrap(), "Hello");
    assert!(changes.try_recv().is_err(), "fired for a bad edit");

    dir.write("config.yaml", "greeting: Fixed\n");
    assert_eq!(next(&mut changes).await, "Fixed");
}

#[tokio::test]
async fn a_value_of_the_wrong_type_for_the_watcher_is_skipped() {
    let dir = TempDir::new();
    let file = dir.write("config.yaml", "port: 8000\n");
    let config = Config::builder()
        .source(FileSource::new(&file).poll_interval(Duration::from_millis(20)))
        .debounce(Duration::from_millis(20))
        .load()
        .await
        .unwrap();
    let (sender, mut changes) = mpsc::unbounded_channel();
    config.watch("port", move |port: u16| {
        let _ = sender.send(port);
    });
    dir.write("config.yaml", "port: eighty\n");
    eventually("the new value", || {
        config.value("port") == Some("eighty".into())
    })
    .await;
    settle().await;
    assert!(
        changes.try_recv().is_err(),
        "called with a value that is not a u16"
    );
    dir.write("config.yaml", "port: 8001\n");
    let port = tokio::time::timeout(Duration::from_secs(10), changes.recv())
        .await
        .unwrap();
    assert_eq!(port, Some(8001));
}
