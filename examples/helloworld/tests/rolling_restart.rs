//! The microservice story with real processes: one etcd, three `helloworld` instances, and
//! `helloworld-client` calling `discovery:///helloworld` back to back; one instance is stopped
//! with SIGTERM and a fourth started. No call may fail, the stopped instance must stop getting
//! calls once its deregistration reaches the client, the new one must get calls within 2 s;
//! over HTTP and over gRPC. Also: an instance killed with SIGKILL disappears within its lease.

// Shared with the runtime's etcd tests; this file does not restart etcd.
#[allow(dead_code)]
#[path = "../../../runtime/tests/support/etcd.rs"]
mod etcd;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use etcd::EtcdServer;

/// A `helloworld` process and the lines it prints; killed if still running when dropped.
struct Instance {
    child: Child,
    lines: mpsc::Receiver<String>,
    endpoints: Vec<String>,
}

impl Instance {
    fn start(etcd: &EtcdServer, id: &str, ttl_seconds: u64) -> Self {
        let registry = etcd.endpoint().replace("http://", "etcd://");
        let mut child = Command::new(env!("CARGO_BIN_EXE_helloworld"))
            .args(["--http", "127.0.0.1:0", "--grpc", "127.0.0.1:0", "--id", id])
            .args([
                "--registry",
                &registry,
                "--registry-ttl",
                &ttl_seconds.to_string(),
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start helloworld");
        let stdout = child.stdout.take().expect("stdout");
        let (sender, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if sender.send(line).is_err() {
                    break;
                }
            }
        });
        let mut instance = Self {
            child,
            lines,
            endpoints: Vec::new(),
        };
        let serving = instance.line_starting("helloworld: serving", Duration::from_secs(10));
        instance.endpoints = serving
            .split(" at ")
            .nth(1)
            .unwrap_or_default()
            .split(' ')
            .map(str::to_owned)
            .collect();
        instance
    }

    fn line_starting(&self, prefix: &str, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.lines.recv_timeout(left) {
                Ok(line) if line.starts_with(prefix) => return line,
                Ok(_) => {}
                Err(_) => panic!("helloworld did not print {prefix:?} within {limit:?}"),
            }
        }
    }

    fn endpoint(&self, scheme: &str) -> &str {
        self.endpoints
            .iter()
            .find(|endpoint| endpoint.starts_with(scheme))
            .expect("an endpoint of that scheme")
    }

    /// Sends SIGTERM and waits for the exit; returns the report it printed.
    fn terminate(mut self) -> Report {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .expect("run kill");
        assert!(status.success());
        let stopped = self.line_starting("helloworld: stopped", Duration::from_secs(15));
        let exit = self.child.wait().expect("wait for helloworld");
        assert!(exit.success(), "helloworld exited with {exit}");
        Report::parse(&stopped)
    }
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What an instance printed when it stopped.
#[derive(Debug)]
struct Report {
    first_call_ms: Option<f64>,
    late_calls: u64,
    last_late_ms: f64,
    /// Milliseconds since the Unix epoch.
    deregistered_at: f64,
    /// Milliseconds since the Unix epoch (`deregistered_at` when no call came late).
    last_late_at: f64,
}

impl Report {
    /// `helloworld: stopped; first call 3.1 ms after registering; 2 calls arrived after
    /// deregistering, the last 0.8 ms after; deregistered at 1764930000000.123, the last late
    /// call at 1764930000000.923 (ms since the Unix epoch)`
    fn parse(line: &str) -> Self {
        let number_after = |marker: &str| -> Option<f64> {
            let rest = &line[line.find(marker)? + marker.len()..];
            rest.split([' ', ',']).next()?.parse().ok()
        };
        let late_part = line.split("; ").nth(2).unwrap_or_default();
        Self {
            first_call_ms: number_after("first call "),
            late_calls: late_part
                .split(' ')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or_else(|| panic!("no late-call count in {line:?}")),
            last_late_ms: number_after("the last ").unwrap_or_else(|| panic!("{line:?}")),
            deregistered_at: number_after("deregistered at ").unwrap_or_else(|| panic!("{line:?}")),
            last_late_at: number_after("the last late call at ")
                .unwrap_or_else(|| panic!("{line:?}")),
        }
    }
}

fn client(etcd: &EtcdServer, transport: &str, seconds: u64) -> Child {
    let registry = etcd.endpoint().replace("http://", "etcd://");
    Command::new(env!("CARGO_BIN_EXE_helloworld-client"))
        .args([
            "--target",
            "discovery:///helloworld",
            "--registry",
            &registry,
        ])
        .args(["--transport", transport, "--duration", &seconds.to_string()])
        .args(["--concurrency", "4"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start helloworld-client")
}

fn rolling_restart(transport: &str) {
    let Some(etcd) = EtcdServer::start_or_skip() else {
        return;
    };
    let first = Instance::start(&etcd, "i1", 15);
    let second = Instance::start(&etcd, "i2", 15);
    let third = Instance::start(&etcd, "i3", 15);
    let stopped_endpoint = first.endpoint(transport).to_owned();
    let calls = client(&etcd, transport, 6);

    std::thread::sleep(Duration::from_millis(1500));
    let stopped = first.terminate();
    let fourth = Instance::start(&etcd, "i4", 15);
    let new_endpoint = fourth.endpoint(transport).to_owned();

    let output = calls
        .wait_with_output()
        .expect("wait for helloworld-client");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "the client failed: {stderr}");
    let line = String::from_utf8_lossy(&output.stdout);
    let summary: serde_json::Value = serde_json::from_str(line.trim()).expect("one JSON line");
    let new = fourth.terminate();
    for instance in [second, third] {
        instance.terminate();
    }

    eprintln!(
        "{transport}: {summary}; the stopped instance got {} calls after deregistering, the \
         last {} ms after; the new one its first {:?} ms after registering",
        stopped.late_calls, stopped.last_late_ms, new.first_call_ms
    );
    assert_eq!(summary["errors"], 0, "{summary}");
    assert!(summary["ok"].as_u64().unwrap() > 100, "{summary}");
    let by_endpoint = &summary["by_endpoint"];
    assert!(
        by_endpoint[&stopped_endpoint].as_u64().unwrap_or(0) > 0,
        "{summary}"
    );
    assert!(
        by_endpoint[&new_endpoint].as_u64().unwrap_or(0) > 0,
        "{summary}"
    );
    // Nothing goes to the stopped instance once the client has seen it go: no call that
    // started after the client dropped its node from the set was sent to it.
    assert_eq!(summary["picked_after_removal"], 0, "{summary}");
    let seen_at = summary["removals_seen"][&stopped_endpoint]
        .as_f64()
        .unwrap_or_else(|| panic!("the client never saw {stopped_endpoint} go: {summary}"));
    let last_reply = summary["last_reply"][&stopped_endpoint]
        .as_f64()
        .expect("the client's last call to the stopped instance");
    eprintln!(
        "{transport}: the client saw the stopped instance go {:.1} ms after its deregistration \
         returned (etcd's watch; negative: before), and its last call to it ended {:.1} ms after \
         that",
        seen_at - stopped.deregistered_at,
        last_reply - seen_at
    );
    assert!(
        seen_at - stopped.deregistered_at < 500.0,
        "{stopped:?}; seen at {seen_at}"
    );
    // So the calls that reached the stopped instance after it deregistered are calls picked
    // before the client saw it go, still under way: the last of them arrived before the client's
    // last call to it ended (to the clock's 1 ms), and well within the App's 1 s drain, during
    // which the stopped instance still answers them.
    assert!(
        stopped.late_calls == 0 || stopped.last_late_at <= last_reply + 1.0,
        "a call reached the stopped instance {:.1} ms after the client's last call to it ended: \
         {stopped:?}; {summary}",
        stopped.last_late_at - last_reply
    );
    assert!(stopped.last_late_ms < 1000.0, "{stopped:?}");
    let first_call = new.first_call_ms.expect("the new instance got no call");
    assert!(first_call < 2000.0, "{new:?}");
}

#[test]
fn rolling_restart_over_http_loses_no_call() {
    rolling_restart("http");
}

#[test]
fn rolling_restart_over_grpc_loses_no_call() {
    rolling_restart("grpc");
}

#[tokio::test]
async fn a_killed_instance_disappears_within_its_lease() {
    use kratos::registry::{Discovery, EtcdRegistry};

    let Some(etcd) = EtcdServer::start_or_skip() else {
        return;
    };
    let killed = Instance::start(&etcd, "k1", 2);
    let survivor = Instance::start(&etcd, "k2", 2);
    let registry = EtcdRegistry::connect([etcd.endpoint()]).await.unwrap();
    let ids = || async {
        let mut ids: Vec<String> = registry
            .get_service("helloworld")
            .await
            .unwrap()
            .into_iter()
            .map(|instance| instance.id)
            .collect();
        ids.sort();
        ids
    };
    assert_eq!(ids().await, ["k1", "k2"]);
    drop(killed); // SIGKILL: no deregistration, only the lease ends it.
    let killed_at = Instant::now();
    while ids().await != ["k2"] {
        assert!(
            killed_at.elapsed() < Duration::from_secs(8),
            "the killed instance is still listed"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let gone_after = killed_at.elapsed();
    eprintln!("killed instance gone after {gone_after:?} (lease TTL 2 s)");
    // The lease, not anything else, removed it: not before a good part of the TTL.
    assert!(gone_after > Duration::from_millis(500), "{gone_after:?}");
    tokio::task::spawn_blocking(move || survivor.terminate())
        .await
        .unwrap();
}
