//! The example binary as an operator runs it: SIGTERM and SIGINT stop it gracefully with exit
//! status 0, a port in use fails at once before anything is announced, and an unread stderr
//! does not stall requests. It listens on its fixed ports (8000, 9000), so these run one at a
//! time.

#[macro_use]
#[path = "support/streams.rs"]
mod streams;
#[path = "support/reliability.rs"]
mod reliability;

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::AsyncWriteExt;
use tokio::net::TcpStream;

static PORTS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

const HTTP: &str = "127.0.0.1:8000";

const CALLS: usize = 50;

/// The running example; killed if a test fails before it exits.
struct Example(Child);

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts the example with `args`, stderr as given, and waits for its announcement.
fn start(args: &[&str], stderr: Stdio) -> Example {
    let mut child = Command::new(env!("CARGO_BIN_EXE_helloworld"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(stderr)
        .spawn()
        .unwrap();
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut first = String::new();
    stdout.read_line(&mut first).unwrap();
    assert!(first.starts_with("helloworld:"), "announced {first:?}");
    // The rest of the announcement is read (and dropped) so that printing it cannot fail.
    std::thread::spawn(move || std::io::copy(&mut stdout, &mut std::io::sink()));
    Example(child)
}

fn send(example: &Example, signal: &str) {
    let status = Command::new("kill")
        .args([format!("-{signal}"), example.0.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// Waits at most `bound` for the child to exit: its status and how long that took.
async fn exited(example: &mut Example, bound: Duration) -> (std::process::ExitStatus, Duration) {
    let start = Instant::now();
    loop {
        if let Some(status) = example.0.try_wait().unwrap() {
            return (status, start.elapsed());
        }
        if start.elapsed() > bound {
            panic!("the example was still running after {bound:?}");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn http_address() -> SocketAddr {
    HTTP.parse().unwrap()
}

#[tokio::test]
async fn sigterm_and_sigint_stop_gracefully_with_status_0() {
    let _ports = PORTS.lock().await;
    for (args, signal) in [
        (&[][..], "TERM"),
        (&[][..], "INT"),
        (&["--one-port"][..], "TERM"),
    ] {
        let mut example = start(args, Stdio::null());
        // Fifty calls in progress at the signal: each connection has had one call answered
        // (so the server has it), and the next call's body is half sent when the signal
        // arrives and finished after it. Every one must be answered.
        let mut calls = Vec::new();
        for i in 0..CALLS {
            let mut stream = TcpStream::connect(http_address()).await.unwrap();
            let first = format!("GET /helloworld/a{i} HTTP/1.1\r\nHost: t\r\n\r\n");
            stream.write_all(first.as_bytes()).await.unwrap();
            let reply = reliability::read_response(&mut stream, Duration::from_secs(3)).await;
            assert_eq!(reply.map(|(status, _)| status), Some(200));
            let second =
                format!("GET /helloworld/b{i} HTTP/1.1\r\nHost: t\r\nContent-Length: 4\r\n\r\nab");
            stream.write_all(second.as_bytes()).await.unwrap();
            calls.push(stream);
        }
        // An idle kept-alive connection: the stop closes it.
        let mut idle = reliability::kept_alive(http_address()).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        send(&example, signal);
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(
            reliability::closed_within(&mut idle, Duration::from_secs(1))
                .await
                .is_some(),
            "the idle connection stayed open"
        );
        for (i, mut stream) in calls.into_iter().enumerate() {
            stream.write_all(b"cd").await.unwrap();
            let reply = reliability::read_response(&mut stream, Duration::from_secs(3)).await;
            assert_eq!(reply.map(|(status, _)| status), Some(200), "call {i}");
        }
        let (status, took) = exited(&mut example, Duration::from_secs(5)).await;
        assert_eq!(status.code(), Some(0), "{args:?} SIG{signal}: {status}");
        assert!(
            took < Duration::from_secs(3),
            "{args:?} SIG{signal}: stopping took {took:?}"
        );
    }
}

#[tokio::test]
async fn a_port_in_use_fails_at_once_before_anything_is_announced() {
    let _ports = PORTS.lock().await;
    let _taken = std::net::TcpListener::bind("127.0.0.1:9000").unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_helloworld"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut example = Example(child);
    let (status, _) = exited(&mut example, Duration::from_secs(5)).await;
    let mut stdout = String::new();
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut example.0.stdout.take().unwrap(), &mut stdout).unwrap();
    std::io::Read::read_to_string(&mut example.0.stderr.take().unwrap(), &mut stderr).unwrap();
    assert!(!status.success());
    assert_eq!(stdout, "");
    assert!(stderr.contains("in use"), "{stderr}");
}

#[tokio::test]
async fn an_unread_stderr_does_not_stall_requests() {
    let _ports = PORTS.lock().await;
    // stderr is a pipe nobody reads: it fills after 64 KiB of log lines.
    let mut example = start(&[], Stdio::piped());
    let mut stream = TcpStream::connect(http_address()).await.unwrap();
    // Each failed call logs a WARN line: 2000 of them are far more than the pipe holds.
    let finished = tokio::time::timeout(Duration::from_secs(30), async {
        for _ in 0..2000 {
            stream
                .write_all(b"GET /helloworld/error HTTP/1.1\r\nHost: t\r\n\r\n")
                .await
                .unwrap();
            let reply = reliability::read_response(&mut stream, Duration::from_secs(5)).await;
            assert_eq!(reply.map(|(status, _)| status), Some(404));
        }
    })
    .await;
    send(&example, "TERM");
    let _ = exited(&mut example, Duration::from_secs(5)).await;
    assert!(finished.is_ok(), "2000 calls did not finish within 30 s");
}
