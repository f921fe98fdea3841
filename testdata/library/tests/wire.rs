//! Wire compatibility with Go Kratos v2 (transport/http at v2.9.2): requests
//! written byte for byte as a Kratos client writes them reach our server, and
//! replies written as a Kratos server writes them reach our client. Go is not
//! installed here, so the Kratos side is these recorded shapes: method, path,
//! query (JSON names, repeated keys), headers (`Content-Type:
//! application/json` only with a body, Go's `User-Agent` and
//! `Accept-Encoding`), protojson bodies, and the error body.

mod support;

use kratos::transport::http::Client;
use library_service::api::{self, GetMessageRequest, GetShelfRequest, Kinds};
use serde_json::json;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

async fn raw(address: std::net::SocketAddr, request: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).await.unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response
        .split("\r\n\r\n")
        .nth(1)
        .unwrap_or_default()
        .to_owned();
    (status, body)
}

/// The status line and headers of the reply to `request`.
async fn raw_head(address: std::net::SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(address).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let response = String::from_utf8_lossy(&response);
    response
        .split("\r\n\r\n")
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn requests_as_a_kratos_client_sends_them() {
    let server = support::start().await;
    // GET with query parameters under JSON names, as kratos' form encoder writes them.
    let (status, body) = raw(
        server.address,
        "GET /v1/echo?int64Value=5&repeatedString=a&repeatedString=b&nested.inner.id=3&color=GREEN&timestamp=2020-01-01T00%3A00%3A00Z&fieldMask=fooBar%2Cbaz HTTP/1.1\r\n\
         Host: 127.0.0.1\r\nUser-Agent: Go-http-client/1.1\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let body: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(body["int64Value"], json!("5"));
    assert_eq!(body["repeatedString"], json!(["a", "b"]));
    assert_eq!(body["nested"]["inner"]["id"], json!(3));
    assert_eq!(body["color"], json!("GREEN"));
    assert_eq!(body["timestamp"], json!("2020-01-01T00:00:00Z"));
    // FieldMask in a query: lowerCamel paths become proto names, as Kratos reads them.
    assert_eq!(body["fieldMask"], json!("fooBar,baz"));

    // POST with a protojson body (int64 as a string, unpopulated fields emitted).
    let payload = r#"{"id":"12","theme":""}"#;
    let (status, body) = raw(
        server.address,
        &format!(
            "POST /v1/shelves HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: Go-http-client/1.1\r\n\
             Content-Length: {}\r\nContent-Type: application/json\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n{payload}",
            payload.len()
        ),
    )
    .await;
    assert_eq!((status, body.as_str()), (200, r#"{"id":"12","theme":""}"#));

    // A Kratos proto-codec client labels its body `application/proto`.
    let (status, _) = raw(
        server.address,
        "POST /v1/shelves HTTP/1.1\r\nHost: x\r\nContent-Type: application/proto\r\nContent-Length: 2\r\nConnection: close\r\n\r\n\x08\x01",
    )
    .await;
    assert_eq!(status, 200);

    // A Go Kratos client decodes a reply by its subtype: the reply is labelled with the
    // protobuf media type the client named in Accept, else in Content-Type.
    let shelf = "\x08\x07\x12\x01t";
    for (accept, content_type, expected) in [
        ("Accept: application/proto\r\n", "", "application/proto"),
        (
            "Accept: application/x-protobuf\r\n",
            "",
            "application/x-protobuf",
        ),
        (
            "",
            "Content-Type: application/proto\r\n",
            "application/proto",
        ),
        (
            "",
            "Content-Type: application/x-protobuf\r\n",
            "application/x-protobuf",
        ),
        (
            "Accept: application/json\r\n",
            "Content-Type: application/proto\r\n",
            "application/json",
        ),
        (
            "Accept: application/proto\r\n",
            "Content-Type: application/json\r\n",
            "application/proto",
        ),
    ] {
        let body = if content_type.contains("proto") {
            shelf
        } else {
            r#"{"id":"7","theme":"t"}"#
        };
        let head = raw_head(
            server.address,
            &format!(
                "POST /v1/shelves HTTP/1.1\r\nHost: x\r\n{accept}{content_type}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            ),
        )
        .await;
        assert!(
            head.starts_with("HTTP/1.1 200"),
            "{accept}{content_type}: {head}"
        );
        assert!(
            head.to_ascii_lowercase()
                .contains(&format!("\r\ncontent-type: {expected}\r\n")),
            "{accept}{content_type}: {head}"
        );
    }
    // Errors too, before the route is even found.
    let head = raw_head(
        server.address,
        "GET /nowhere HTTP/1.1\r\nHost: x\r\nAccept: application/proto\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    assert!(
        head.to_ascii_lowercase()
            .contains("\r\ncontent-type: application/proto\r\n"),
        "{head}"
    );

    // Errors come back in Kratos' body with the status set to the code.
    let (status, body) = raw(
        server.address,
        "GET /v1/shelves/404 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(status, 404);
    assert_eq!(
        body,
        r#"{"code":404,"reason":"SHELF_NOT_FOUND","message":"shelf 404 does not exist","metadata":{"shelf":"404"}}"#
    );
}

/// An HTTP/1.1 reply with the right Content-Length.
fn http_reply(status: &str, content_type: &str, body: &str) -> String {
    format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
}

/// A one-shot server that records the request and answers with `reply`.
async fn kratos_like_server(
    reply: String,
) -> (std::net::SocketAddr, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let handle = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buffer = [0_u8; 4096];
        // Read the head and, if announced, the body.
        loop {
            let read = stream.read(&mut buffer).await.unwrap();
            request.extend_from_slice(&buffer[..read]);
            let text = String::from_utf8_lossy(&request).to_string();
            if let Some(end) = text.find("\r\n\r\n") {
                let length = text
                    .lines()
                    .find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length: ")
                            .map(|v| v.trim().parse::<usize>().unwrap())
                    })
                    .unwrap_or(0);
                if request.len() >= end + 4 + length {
                    break;
                }
            }
            if read == 0 {
                break;
            }
        }
        stream.write_all(reply.as_bytes()).await.unwrap();
        String::from_utf8_lossy(&request).to_string()
    });
    (address, handle)
}

#[tokio::test]
async fn our_client_speaks_to_a_kratos_server() {
    // A successful reply as a Kratos server writes it.
    let (address, seen) = kratos_like_server(http_reply(
        "200 OK",
        "application/json",
        r#"{"messageId":"m 1","userId":"","revision":7}"#,
    ))
    .await;
    let library = api::LibraryHttpClient::new(Client::new(&format!("http://{address}")).unwrap());
    let reply = library
        .get_message(GetMessageRequest {
            message_id: "m 1".into(),
            user_id: String::new(),
            revision: 7,
        })
        .await
        .unwrap();
    assert_eq!(reply.revision, 7);
    let request = seen.await.unwrap();
    // Path expanded per the spec, remaining fields in the query under JSON names,
    // no Content-Type without a body, JSON accepted.
    assert!(
        request.starts_with("GET /v1/messages/m%201?revision=7 HTTP/1.1\r\n"),
        "{request}"
    );
    let lower = request.to_ascii_lowercase();
    assert!(
        lower.contains("\r\naccept: application/json\r\n"),
        "{request}"
    );
    assert!(!lower.contains("content-type"), "{request}");

    // A body rule sends protojson with Content-Type: application/json.
    let (address, seen) = kratos_like_server(http_reply("200 OK", "application/json", "{}")).await;
    let library = api::LibraryHttpClient::new(Client::new(&format!("http://{address}")).unwrap());
    let echoed = library
        .echo_body(Kinds {
            int64_value: 5,
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(echoed, Kinds::default());
    let request = seen.await.unwrap();
    assert!(
        request.starts_with("POST /v1/echo HTTP/1.1\r\n"),
        "{request}"
    );
    assert!(
        request
            .to_ascii_lowercase()
            .contains("\r\ncontent-type: application/json\r\n"),
        "{request}"
    );
    assert!(request.contains(r#""int64Value":"5""#), "{request}");

    // An error as a Kratos server writes it keeps reason and metadata; the
    // status is the code, as Kratos' client decides.
    let (address, _) = kratos_like_server(http_reply(
        "404 Not Found",
        "application/json",
        r#"{"code":404,"reason":"SHELF_NOT_FOUND","message":"no shelf","metadata":{"shelf":"9"}}"#,
    ))
    .await;
    let library = api::LibraryHttpClient::new(Client::new(&format!("http://{address}")).unwrap());
    let err = library
        .get_shelf(GetShelfRequest { shelf: 9 })
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.reason(), err.message()),
        (404, "SHELF_NOT_FOUND", "no shelf")
    );
    assert_eq!(err.metadata().get("shelf").map(String::as_str), Some("9"));

    // gorilla/mux's plain-text 404 for an unknown route still gives a 404 error.
    let (address, _) = kratos_like_server(http_reply(
        "404 Not Found",
        "text/plain; charset=utf-8",
        "404 page not found\n",
    ))
    .await;
    let library = api::LibraryHttpClient::new(Client::new(&format!("http://{address}")).unwrap());
    let err = library
        .get_shelf(GetShelfRequest { shelf: 9 })
        .await
        .unwrap_err();
    assert_eq!((err.code(), err.reason()), (404, ""));
    assert!(
        err.message().contains("404 page not found"),
        "{}",
        err.message()
    );
}
