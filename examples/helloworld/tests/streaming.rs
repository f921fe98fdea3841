//! The example's streaming RPCs against the real `helloworld` binary: the README's `curl -N`
//! line (five Server-Sent Events), NDJSON without the header, a `count` out of range, and `Chat`
//! and `SayHelloStream` over gRPC from tonic's client, with each Chat message validated.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use helloworld::api::{self, greeter_client::GreeterClient};
use tonic_types::StatusExt;

/// The example binary on free loopback ports; killed when dropped.
struct Example {
    child: Child,
    http: SocketAddr,
    grpc: SocketAddr,
}

impl Example {
    fn start() -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_helloworld"))
            .args(["--http", "127.0.0.1:0", "--grpc", "127.0.0.1:0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // "helloworld: serving ID at http://ADDR grpc://ADDR"
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = String::new();
        while !line.starts_with("helloworld: serving") {
            line.clear();
            assert_ne!(
                stdout.read_line(&mut line).unwrap(),
                0,
                "the example exited"
            );
        }
        let endpoint = |scheme: &str| -> SocketAddr {
            line.split_whitespace()
                .find_map(|word| word.strip_prefix(scheme))
                .unwrap()
                .parse()
                .unwrap()
        };
        let (http, grpc) = (endpoint("http://"), endpoint("grpc://"));
        Self { child, http, grpc }
    }

    async fn grpc_client(&self) -> GreeterClient<tonic::transport::Channel> {
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{}", self.grpc))
            .unwrap()
            .connect()
            .await
            .unwrap();
        GreeterClient::new(channel)
    }
}

impl Drop for Example {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Runs curl with `args` (bounded to 10 s); its stdout.
fn curl(args: &[&str]) -> String {
    let output = Command::new("curl")
        .args(["--silent", "--show-error", "--max-time", "10"])
        .args(args)
        .output()
        .expect("curl runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout).unwrap()
}

/// The README's `curl -N` line for server streaming, split into arguments (its quoting is
/// single quotes only).
fn readme_stream_command() -> Vec<String> {
    let readme = include_str!("../../../README.md");
    let line = readme
        .lines()
        .find(|line| line.starts_with("curl -N -H 'Accept: text/event-stream'"))
        .expect("the README shows the curl -N line");
    let command = line.split(" #").next().unwrap().trim();
    command
        .split('\'')
        .enumerate()
        .flat_map(|(index, part)| {
            if index % 2 == 1 {
                vec![part.to_owned()]
            } else {
                part.split_whitespace().map(str::to_owned).collect()
            }
        })
        .collect()
}

#[test]
fn the_readme_curl_line_prints_five_server_sent_events() {
    let example = Example::start();
    let command = readme_stream_command();
    assert_eq!(command[0], "curl");
    let args: Vec<String> = command[1..]
        .iter()
        .map(|arg| arg.replace("127.0.0.1:8000", &example.http.to_string()))
        .collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let events = curl(&args);
    let data: Vec<&str> = events
        .lines()
        .filter_map(|line| line.strip_prefix("data: "))
        .collect();
    let expected: Vec<String> = (1..=5)
        .map(|index| format!("{{\"message\":\"Hello kratos ({index}/5)\"}}"))
        .collect();
    assert_eq!(data, expected, "{events}");
    assert!(!events.contains("event: error"), "{events}");
}

#[test]
fn without_the_sse_header_the_stream_is_ndjson_and_bad_counts_are_refused() {
    let example = Example::start();
    let url = |query: &str| format!("http://{}/helloworld/kratos/stream{query}", example.http);
    let lines = curl(&["-N", &url("?count=2")]);
    assert_eq!(
        lines,
        "{\"result\":{\"message\":\"Hello kratos (1/2)\"}}\n\
         {\"result\":{\"message\":\"Hello kratos (2/2)\"}}\n"
    );
    // No count: the default, 3.
    assert_eq!(curl(&["-N", &url("")]).lines().count(), 3);

    // Out of range: refused before the stream opens, with the status of the error (the
    // validate middleware checks the proto's rule first).
    let refused = curl(&["-i", &url("?count=1001")]);
    assert!(refused.starts_with("HTTP/1.1 400"), "{refused}");
    assert!(refused.contains("count"), "{refused}");
    let refused = curl(&["-i", &url("?count=ten")]);
    assert!(refused.starts_with("HTTP/1.1 400"), "{refused}");
}

#[tokio::test]
async fn say_hello_stream_and_chat_over_grpc_from_tonic() {
    let example = Example::start();
    let mut client = example.grpc_client().await;

    let mut replies = client
        .say_hello_stream(api::HelloStreamRequest {
            name: "grpc".into(),
            count: 4,
        })
        .await
        .unwrap()
        .into_inner();
    let mut messages = Vec::new();
    while let Some(reply) = replies.message().await.unwrap() {
        messages.push(reply.message);
    }
    assert_eq!(
        messages,
        ["1/4", "2/4", "3/4", "4/4"].map(|n| format!("Hello grpc ({n})"))
    );

    // Chat: each message answered as it comes, before the next is sent.
    let (send, requests) = tokio::sync::mpsc::channel(1);
    let mut replies = client
        .chat(tokio_stream::wrappers::ReceiverStream::new(requests))
        .await
        .unwrap()
        .into_inner();
    for (index, text) in ["hi", "how are you?"].into_iter().enumerate() {
        send.send(api::ChatMessage {
            name: "ana".into(),
            text: text.into(),
        })
        .await
        .unwrap();
        let reply = tokio::time::timeout(Duration::from_secs(5), replies.message())
            .await
            .unwrap()
            .unwrap()
            .unwrap();
        assert_eq!(reply.name, "greeter");
        assert_eq!(reply.text, format!("Hello ana, #{}: {text}", index + 1));
    }
    // A message breaking its rules (an empty name) ends the stream with the validator's error.
    send.send(api::ChatMessage {
        name: String::new(),
        text: "anonymous".into(),
    })
    .await
    .unwrap();
    let status = tokio::time::timeout(Duration::from_secs(5), replies.message())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(status.code(), tonic::Code::InvalidArgument, "{status:?}");
    let info = status.get_details_error_info().expect("ErrorInfo");
    assert_eq!(info.reason, "VALIDATOR");
}
