//! Test fixtures: a message type with a descriptor, a kratos server with hand-written routes,
//! and a raw TCP server answering canned bytes. Everything listens on 127.0.0.1 only.

use std::net::SocketAddr;
use std::sync::LazyLock;
use std::time::Duration;

use prost_reflect::{DescriptorPool, MessageDescriptor, ReflectMessage};
use prost_types::field_descriptor_proto::{Label, Type};
use prost_types::value::Kind;
use prost_types::{DescriptorProto, FieldDescriptorProto, FileDescriptorProto, Struct, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

use crate::errors::Error;
use crate::transport::http::binding::{QueryPairs, parse_i64};
use crate::transport::http::{Client, RouteRequest, Server};

/// ```proto
/// package kratos.client.test;
/// message Book { string name = 1; string title = 2; int64 pages = 3; Book sequel = 4;
///                repeated string tags = 5; }
/// ```
static POOL: LazyLock<DescriptorPool> = LazyLock::new(|| {
    let field = |name: &str, number: i32, kind: Type, label: Label| FieldDescriptorProto {
        name: Some(name.into()),
        number: Some(number),
        label: Some(label.into()),
        r#type: Some(kind.into()),
        type_name: (kind == Type::Message).then(|| ".kratos.client.test.Book".into()),
        json_name: None,
        ..Default::default()
    };
    let book = DescriptorProto {
        name: Some("Book".into()),
        field: vec![
            field("name", 1, Type::String, Label::Optional),
            field("title", 2, Type::String, Label::Optional),
            field("pages", 3, Type::Int64, Label::Optional),
            field("sequel", 4, Type::Message, Label::Optional),
            field("tags", 5, Type::String, Label::Repeated),
        ],
        ..Default::default()
    };
    let file = FileDescriptorProto {
        name: Some("kratos/client/test.proto".into()),
        package: Some("kratos.client.test".into()),
        message_type: vec![book],
        syntax: Some("proto3".into()),
        ..Default::default()
    };
    let mut pool = DescriptorPool::new();
    pool.add_file_descriptor_proto(file)
        .unwrap_or_else(|error| panic!("test descriptors: {error}"));
    pool
});

/// Like a generated message.
#[derive(Clone, PartialEq, prost::Message)]
pub(super) struct Book {
    #[prost(string, tag = "1")]
    pub(super) name: String,
    #[prost(string, tag = "2")]
    pub(super) title: String,
    #[prost(int64, tag = "3")]
    pub(super) pages: i64,
    #[prost(message, optional, boxed, tag = "4")]
    pub(super) sequel: Option<Box<Book>>,
    #[prost(string, repeated, tag = "5")]
    pub(super) tags: Vec<String>,
}

impl ReflectMessage for Book {
    fn descriptor(&self) -> MessageDescriptor {
        POOL.get_message_by_name("kratos.client.test.Book")
            .unwrap_or_else(|| panic!("no Book"))
    }
}

impl crate::encoding::HttpMessage for Book {}

pub(super) fn book(name: &str, title: &str) -> Book {
    Book {
        name: name.into(),
        title: title.into(),
        pages: 100,
        sequel: None,
        tags: vec!["a b".into(), "中".into()],
    }
}

/// A server stopped when this is dropped.
pub(super) struct TestServer {
    pub(super) address: SocketAddr,
    _stop: oneshot::Sender<()>,
}

impl TestServer {
    pub(super) fn url(&self) -> String {
        format!("http://{}", self.address)
    }

    pub(super) fn client(&self) -> Client {
        Client::new(&self.url()).unwrap()
    }
}

fn header(request: &RouteRequest, name: &str) -> String {
    request
        .context()
        .request_headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("<none>")
        .to_owned()
}

/// Tells the client what the server saw, in reply headers.
fn report(request: &RouteRequest) {
    let mut reply = request.context().reply_headers();
    for (name, seen) in [
        ("x-seen-content-type", header(request, "content-type")),
        ("x-seen-accept", header(request, "accept")),
        ("x-seen-method", request.method().to_string()),
        ("x-seen-uri", request.uri().to_string()),
    ] {
        reply.insert(name, seen.parse().unwrap());
    }
}

fn query_value(request: &RouteRequest, name: &str) -> Option<String> {
    QueryPairs::new(request.uri().query().unwrap_or_default())
        .map(Result::unwrap)
        .find(|pair| pair.name() == name)
        .map(|pair| pair.value().to_owned())
}

fn string_value(text: &str) -> Value {
    Value {
        kind: Some(Kind::StringValue(text.to_owned())),
    }
}

/// A kratos server with the routes the tests call.
pub(super) async fn start() -> TestServer {
    let mut server = Server::new();

    server
        .route(
            "POST",
            "/v1/books",
            "/test.Library/CreateBook",
            |request| async move {
                report(&request);
                let mut book = Book::default();
                request.decode_body(&mut book, |_, _| Ok(()))?;
                book.pages += 1;
                request.reply(&book)
            },
        )
        .unwrap();

    let get_book = |request: RouteRequest| async move {
        report(&request);
        let mut book = Book {
            name: request.path_value(0).to_owned(),
            ..Book::default()
        };
        if let Some(title) = query_value(&request, "title") {
            book.title = title;
        }
        if let Some(pages) = query_value(&request, "pages") {
            book.pages = parse_i64("pages", &pages)?;
        }
        request.reply(&book)
    };
    server
        .route("GET", "/v1/books/{name}", "/test.Library/GetBook", get_book)
        .unwrap();
    server
        .route(
            "GET",
            "/api/v1/books/{name}",
            "/test.Library/GetBook",
            get_book,
        )
        .unwrap();
    server
        .route(
            "GET",
            "/v1/{name=shelves/*/books/*}",
            "/test.Library/GetShelfBook",
            get_book,
        )
        .unwrap();

    server
        .route(
            "GET",
            "/v1/errors/{code}",
            "/test.Library/Fail",
            |request| async move {
                let code = i32::try_from(parse_i64("code", request.path_value(0))?).unwrap();
                Err::<crate::transport::http::Response, _>(
                    Error::new(code, "BOOK_NOT_FOUND", "book 7 not found")
                        .with_metadata([("id", "7"), ("shelf", "a b")]),
                )
            },
        )
        .unwrap();

    server
        .route(
            "*",
            "/v1/headers",
            "/test.Library/Headers",
            |request| async move {
                report(&request);
                let headers = request.context().request_headers();
                let mut reply = Struct::default();
                for name in headers.keys() {
                    let values: Vec<&str> = headers
                        .get_all(name)
                        .iter()
                        .map(|value| value.to_str().unwrap_or("<binary>"))
                        .collect();
                    reply
                        .fields
                        .insert(name.as_str().to_owned(), string_value(&values.join(" | ")));
                }
                request.reply(&reply)
            },
        )
        .unwrap();

    for (template, field) in [("/v1/books:sequel", "sequel"), ("/v1/books:title", "title")] {
        server
            .route(
                "POST",
                template,
                "/test.Library/Field",
                move |request| async move {
                    report(&request);
                    let mut book = Book::default();
                    request.decode_body_field(&mut book, field)?;
                    request.reply(&book)
                },
            )
            .unwrap();
    }

    server
        .route(
            "GET",
            "/v1/reply/{field}",
            "/test.Library/ReplyField",
            |request| async move {
                report(&request);
                let book = Book {
                    sequel: Some(Box::new(book("sequel", "Dune Messiah"))),
                    ..book("first", "Dune")
                };
                request.reply_field(&book, request.path_value(0))
            },
        )
        .unwrap();

    server
        .route(
            "GET",
            "/v1/slow",
            "/test.Library/Slow",
            |request| async move {
                tokio::time::sleep(Duration::from_millis(400)).await;
                request.reply(&())
            },
        )
        .unwrap();

    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(server.serve_listener(listener, async move {
        let _ = stopped.await;
    }));
    TestServer {
        address,
        _stop: stop,
    }
}

/// A server answering every request with `reply` after `delay`, then closing the connection.
/// It reads the request head and a `Content-Length` body first, and sends what it read on
/// `requests` (when given).
pub(super) async fn raw_server(reply: &'static [u8], delay: Duration) -> SocketAddr {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut received = Vec::new();
                let mut buffer = [0_u8; 4096];
                loop {
                    let Ok(read) = stream.read(&mut buffer).await else {
                        return;
                    };
                    if read == 0 {
                        return;
                    }
                    received.extend_from_slice(&buffer[..read]);
                    if let Some(end) = find(&received, b"\r\n\r\n") {
                        let head = String::from_utf8_lossy(&received[..end]).to_lowercase();
                        let length = head
                            .lines()
                            .find_map(|line| line.strip_prefix("content-length:"))
                            .and_then(|value| value.trim().parse::<usize>().ok())
                            .unwrap_or(0);
                        if received.len() >= end + 4 + length {
                            break;
                        }
                    }
                }
                tokio::time::sleep(delay).await;
                let _ = stream.write_all(reply).await;
                let _ = stream.shutdown().await;
            });
        }
    });
    address
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack
        .windows(needle.len())
        .position(|window| window == needle)
}

/// An address nothing listens on: bind a port, then close it.
pub(super) async fn dead_address() -> SocketAddr {
    let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
    let address = listener.local_addr().unwrap();
    drop(listener);
    address
}
