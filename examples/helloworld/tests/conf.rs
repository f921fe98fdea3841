//! The real `helloworld` binary reading its configuration: addresses and greeting from
//! `--conf`, a greeting edited while it serves (in place and by an atomic rename) changing the
//! replies within 2 s, a bad edit keeping the last good greeting, and a bad file stopping the
//! start before anything binds. Also the loader itself: defaults, a directory, the environment.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use helloworld::conf::{self, Conf};

struct Process(Child);

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let path =
            std::env::temp_dir().join(format!("helloworld-conf-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).unwrap();
        Self(path)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn free_address() -> SocketAddr {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
}

fn config_yaml(http: SocketAddr, grpc: SocketAddr, greeting: &str) -> String {
    format!(
        "server:\n  http:\n    addr: {http}\n    timeout: 2s\n  grpc:\n    addr: {grpc}\n    \
         timeout: 500ms\ngreeting: {greeting}\n"
    )
}

/// `GET /helloworld/{name}` over HTTP/1.0; the body, or `None` if nothing answers.
fn say_hello(address: SocketAddr, name: &str) -> Option<String> {
    let mut stream = TcpStream::connect_timeout(&address, Duration::from_secs(1)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    write!(stream, "GET /helloworld/{name} HTTP/1.0\r\nHost: x\r\n\r\n").ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    answer
        .split_once("\r\n\r\n")
        .map(|(_, body)| body.to_owned())
}

/// Polls until the reply is `{"message":"{expected}"}`, within `limit`; how long it took.
fn reply_becomes(address: SocketAddr, expected: &str, limit: Duration) -> Duration {
    let started = Instant::now();
    let want = format!("{{\"message\":\"{expected}\"}}");
    let mut last = None;
    while started.elapsed() < limit {
        last = say_hello(address, "kratos");
        if last.as_deref() == Some(want.as_str()) {
            return started.elapsed();
        }
        std::thread::sleep(Duration::from_millis(25));
    }
    panic!("the reply did not become {want} within {limit:?}; last: {last:?}");
}

fn start(conf: &Path) -> (Process, SocketAddr) {
    let text = std::fs::read_to_string(conf).unwrap();
    let http: SocketAddr = text
        .lines()
        .find_map(|line| line.trim().strip_prefix("addr: "))
        .unwrap()
        .parse()
        .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_helloworld"))
        .arg("--conf")
        .arg(conf)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    (Process(child), http)
}

#[test]
fn the_binary_follows_greeting_edits_within_two_seconds() {
    let dir = TempDir::new("reload");
    let file = dir.0.join("config.yaml");
    let (http, grpc) = (free_address(), free_address());
    std::fs::write(&file, config_yaml(http, grpc, "Hello")).unwrap();
    let (_process, address) = start(&file);
    reply_becomes(address, "Hello kratos", Duration::from_secs(30));

    // In place.
    std::fs::write(&file, config_yaml(http, grpc, "Hola")).unwrap();
    let took = reply_becomes(address, "Hola kratos", Duration::from_secs(2));
    eprintln!("in-place edit seen after {took:?}");

    // An edit that does not parse: the last good greeting stays.
    std::fs::write(&file, "greeting: [\n").unwrap();
    std::thread::sleep(Duration::from_millis(800));
    assert_eq!(
        say_hello(address, "kratos").as_deref(),
        Some("{\"message\":\"Hola kratos\"}")
    );

    // Atomic rename, as editors save.
    let staged = dir.0.join(".config.yaml.tmp");
    std::fs::write(&staged, config_yaml(http, grpc, "Bonjour")).unwrap();
    std::fs::rename(&staged, &file).unwrap();
    let took = reply_becomes(address, "Bonjour kratos", Duration::from_secs(2));
    eprintln!("atomic rename seen after {took:?}");
}

/// Runs the binary on `file` holding `text`; it must exit with an error: its stderr.
fn start_fails(file: &Path, text: &str) -> String {
    std::fs::write(file, text).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_helloworld"))
        .arg("--conf")
        .arg(file)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success(), "started on {text:?}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_bad_configuration_stops_the_start_with_its_file_and_line() {
    let dir = TempDir::new("bad");
    let file = dir.0.join("config.yaml");
    let stderr = start_fails(&file, "server:\n  http:\n    addr: [\n");
    assert!(
        stderr.contains(&format!("file {}, line", file.display())),
        "{stderr}"
    );
    let stderr = start_fails(&file, "server:\n  http:\n    timeout: soon\n");
    assert!(stderr.contains("key server.http.timeout"), "{stderr}");
}

#[tokio::test]
async fn the_shipped_config_and_the_defaults_agree() {
    let shipped = Path::new(env!("CARGO_MANIFEST_DIR")).join("configs");
    let (_config, from_file) = conf::load(Some(&shipped)).await.unwrap();
    assert_eq!(from_file, Conf::default());
}

#[tokio::test]
async fn without_a_configuration_the_defaults_apply() {
    // The test's working directory is the package's, which has `configs/`: load an empty
    // directory instead to see the built-in defaults.
    let dir = TempDir::new("empty");
    let (_config, conf) = conf::load(Some(&dir.0)).await.unwrap();
    assert_eq!(conf, Conf::default());
    assert_eq!(conf.greeting, "Hello");
    assert_eq!(conf.server.http.addr, "127.0.0.1:8000".parse().unwrap());
}

#[tokio::test]
async fn registry_endpoints_read_from_the_file() {
    let dir = TempDir::new("registry");
    std::fs::write(
        dir.0.join("config.yaml"),
        "registry:\n  etcd:\n    endpoints: [127.0.0.1:2379, 127.0.0.1:22379]\n",
    )
    .unwrap();
    let (_config, conf) = conf::load(Some(&dir.0)).await.unwrap();
    let etcd = conf.registry.etcd.unwrap();
    assert_eq!(etcd.endpoints, ["127.0.0.1:2379", "127.0.0.1:22379"]);
}
