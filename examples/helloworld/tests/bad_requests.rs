//! Requests that reach a route but cannot be read or decoded go through the middleware chain:
//! the access log and the metrics see them as they see calls the service fails. (Its own file:
//! the test installs the process's one log subscriber.)

use std::io::Write;
use std::sync::{Arc, Mutex};

use kratos::middleware::metrics::Registry;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

mod support;

/// What the log subscriber wrote.
#[derive(Clone, Default)]
struct Lines(Arc<Mutex<Vec<u8>>>);

impl Write for Lines {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Sends `request` on a new connection and returns the response's status line.
async fn status_of(address: std::net::SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8_lossy(&response);
    response.lines().next().unwrap_or_default().to_owned()
}

#[tokio::test]
async fn undecodable_requests_are_logged_and_counted() {
    let lines = Lines::default();
    let writer = lines.clone();
    tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .with_max_level(tracing::Level::WARN)
        .init();
    let registry = Registry::new();
    let server = helloworld::http_server()
        .unwrap()
        .middleware(helloworld::default_middleware(&registry))
        .body_limit(16);
    let running = support::serve_http(server).await;

    // A query value that is not valid percent-encoding: 400 CODEC, from the binder.
    let bad_query =
        "GET /helloworld/kratos?name=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    assert_eq!(
        status_of(running.address, bad_query).await,
        "HTTP/1.1 400 Bad Request"
    );
    // A body over the limit: 413 BODY_TOO_LARGE, from reading the body.
    let too_large = format!(
        "GET /helloworld/kratos HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\
         Content-Length: 32\r\n\r\n{}",
        "x".repeat(32)
    );
    assert_eq!(
        status_of(running.address, &too_large).await,
        "HTTP/1.1 413 Payload Too Large"
    );

    let metrics = registry.render();
    for reason in [
        r#"code="400",reason="CODEC"} 1"#,
        r#"code="413",reason="BODY_TOO_LARGE"} 1"#,
    ] {
        assert!(
            metrics
                .lines()
                .any(|line| line.contains("/helloworld.v1.Greeter/SayHello")
                    && line.ends_with(reason)),
            "no {reason} in the metrics:\n{metrics}"
        );
    }
    let log = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
    for reason in ["reason=\"CODEC\"", "reason=\"BODY_TOO_LARGE\""] {
        assert!(
            log.lines().any(|line| line.contains("kratos::access")
                && line.contains("/helloworld.v1.Greeter/SayHello")
                && line.contains(reason)),
            "no access log line with {reason}:\n{log}"
        );
    }
}
