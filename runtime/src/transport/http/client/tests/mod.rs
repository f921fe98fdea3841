//! The client against our own server and against raw sockets with odd replies; loopback only,
//! every wait bounded.

mod discovery;
mod support;
#[cfg(feature = "tls")]
mod tls;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, LazyLock};
use std::time::{Duration, Instant};

use http::HeaderValue;
use prost_types::Struct;
use prost_types::value::Kind as ValueKind;

use super::*;
use crate::errors;
use crate::errors::reasons;
use crate::middleware::Handler;
use crate::transport::http::binding::{QueryWriter, push_path_segment, push_path_segments};
use support::{Book, book, dead_address, raw_server, start};

fn get(path: impl Into<String>) -> Call<()> {
    Call::new("/test.Library/GetBook", "GET", "/v1/books/{name}", path, ())
}

fn header(headers: &HeaderMap, name: &str) -> String {
    headers
        .get(name)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("<none>")
        .to_owned()
}

/// The value of one entry of the `/v1/headers` reply.
fn echoed(reply: &Struct, name: &str) -> String {
    match reply.fields.get(name).and_then(|value| value.kind.as_ref()) {
        Some(ValueKind::StringValue(text)) => text.clone(),
        _ => "<none>".to_owned(),
    }
}

fn headers_call() -> Call<()> {
    Call::new(
        "/test.Library/Headers",
        "GET",
        "/v1/headers",
        "/v1/headers",
        (),
    )
}

#[tokio::test]
async fn json_body_and_reply() {
    let server = start().await;
    let client = server.client();
    let seen = ReplyHeaders::new();
    let call = Call::new(
        "/test.Library/CreateBook",
        "POST",
        "/v1/books",
        "/v1/books",
        book("dune", "Dune ü"),
    )
    .body(CallBody::Whole)
    .options(CallOptions::new().reply_headers(&seen));
    let reply: Book = client.invoke(call).await.unwrap();
    assert_eq!(
        reply,
        Book {
            pages: 101,
            ..book("dune", "Dune ü")
        }
    );
    let seen = seen.get();
    assert_eq!(header(&seen, "x-seen-content-type"), "application/json");
    assert_eq!(header(&seen, "x-seen-accept"), "application/json");
    assert_eq!(header(&seen, "content-type"), "application/json");
}

#[tokio::test]
async fn proto_body_and_reply() {
    let server = start().await;
    let client = Client::builder(&server.url())
        .format(Format::Proto)
        .build()
        .unwrap();
    let seen = ReplyHeaders::new();
    let call = Call::new(
        "/test.Library/CreateBook",
        "POST",
        "/v1/books",
        "/v1/books",
        book("dune", "Dune"),
    )
    .body(CallBody::Whole)
    .options(CallOptions::new().reply_headers(&seen));
    let reply: Book = client.invoke(call).await.unwrap();
    assert_eq!(reply.pages, 101);
    assert_eq!(reply.tags, ["a b", "中"]);
    let seen = seen.get();
    assert_eq!(header(&seen, "x-seen-content-type"), "application/proto");
    assert_eq!(header(&seen, "x-seen-accept"), "application/proto");
    assert_eq!(header(&seen, "content-type"), "application/proto");
}

#[tokio::test]
async fn path_and_query_built_with_the_encoders_round_trip() {
    let server = start().await;
    let client = server.client();
    for name in ["plain", "a b/c?d#e", "100% & = +", "中文 ü"] {
        let mut path = String::from("/v1/books/");
        push_path_segment(&mut path, name);
        let mut query = QueryWriter::new();
        query.push("title", "Dune & = + ?");
        query.push_i64("pages", -3);
        query.append_to(&mut path);
        let seen = ReplyHeaders::new();
        let reply: Book = client
            .invoke(get(path.clone()).options(CallOptions::new().reply_headers(&seen)))
            .await
            .unwrap();
        assert_eq!(reply.name, name);
        assert_eq!(reply.title, "Dune & = + ?");
        assert_eq!(reply.pages, -3);
        // No body: no Content-Type.
        assert_eq!(header(&seen.get(), "x-seen-content-type"), "<none>");
        assert_eq!(header(&seen.get(), "x-seen-uri"), path);
    }
    let mut path = String::from("/v1/");
    push_path_segments(&mut path, "shelves/1/books/a b");
    let reply: Book = client.invoke(get(path)).await.unwrap();
    assert_eq!(reply.name, "shelves/1/books/a b");
}

#[tokio::test]
async fn base_url_path_prefix() {
    let server = start().await;
    for base in [
        format!("{}/api", server.url()),
        format!("{}/api/", server.url()),
    ] {
        let client = Client::new(&base).unwrap();
        assert_eq!(client.base_url(), format!("{}/api", server.url()));
        let reply: Book = client.invoke(get("/v1/books/x")).await.unwrap();
        assert_eq!(reply.name, "x");
        // A path without its leading `/` gets one.
        let reply: Book = client.invoke(get("v1/books/y")).await.unwrap();
        assert_eq!(reply.name, "y");
    }
    // No scheme means http.
    let client = Client::new(&server.address.to_string()).unwrap();
    let reply: Book = client.invoke(get("/v1/books/z")).await.unwrap();
    assert_eq!(reply.name, "z");
}

#[tokio::test]
async fn kratos_error_bodies_are_decoded_with_the_status_as_code() {
    let server = start().await;
    for format in [Format::Json, Format::Proto] {
        let client = Client::builder(&server.url())
            .format(format)
            .build()
            .unwrap();
        let call = Call::new(
            "/test.Library/Fail",
            "GET",
            "/v1/errors/{code}",
            "/v1/errors/404",
            (),
        );
        let error = client.invoke::<(), ()>(call).await.unwrap_err();
        assert_eq!(error.code(), 404, "{format:?}");
        assert_eq!(error.reason(), "BOOK_NOT_FOUND");
        assert_eq!(error.message(), "book 7 not found");
        assert_eq!(error.metadata().get("id").map(String::as_str), Some("7"));
        assert_eq!(
            error.metadata().get("shelf").map(String::as_str),
            Some("a b")
        );
        assert!(errors::matches(&error, 404, "BOOK_NOT_FOUND"));
        assert!(error.cause().is_none());
    }
}

#[tokio::test]
async fn the_http_status_replaces_the_code_in_the_body() {
    let address = raw_server(
        b"HTTP/1.1 429 Too Many Requests\r\ncontent-type: application/json\r\ncontent-length: 65\r\n\r\n{\"code\":500,\"reason\":\"RATELIMIT\",\"message\":\"slow down\",\"extra\":1}",
        Duration::ZERO,
    )
    .await;
    let client = Client::new(&format!("http://{address}")).unwrap();
    let error = client.invoke::<(), ()>(get("/x")).await.unwrap_err();
    assert_eq!(
        (error.code(), error.reason(), error.message()),
        (429, "RATELIMIT", "slow down")
    );
}

#[tokio::test]
async fn undecodable_error_bodies_keep_status_snippet_and_cause() {
    let address = raw_server(
        b"HTTP/1.1 502 Bad Gateway\r\ncontent-type: text/html\r\ncontent-length: 49\r\n\r\n<html><body><h1>502 Bad Gateway</h1></body></html",
        Duration::ZERO,
    )
    .await;
    let client = Client::new(&format!("http://{address}")).unwrap();
    let error = client.invoke::<(), ()>(get("/x")).await.unwrap_err();
    assert_eq!((error.code(), error.reason()), (502, ""));
    assert!(
        error.message().starts_with("HTTP 502 Bad Gateway: "),
        "{}",
        error.message()
    );
    assert!(
        error.message().contains("<html><body><h1>502"),
        "{}",
        error.message()
    );
    assert!(error.cause().is_some());

    let address = raw_server(
        b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\n\r\n",
        Duration::ZERO,
    )
    .await;
    let client = Client::new(&format!("http://{address}")).unwrap();
    let error = client.invoke::<(), ()>(get("/x")).await.unwrap_err();
    assert_eq!((error.code(), error.reason()), (503, ""));
    assert_eq!(
        error.message(),
        "HTTP 503 Service Unavailable with an empty body"
    );

    // JSON, but not a Kratos error: nothing decoded, so the body is quoted.
    let address = raw_server(
        b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 16\r\n\r\n{\"error\":\"boom\"}",
        Duration::ZERO,
    )
    .await;
    let client = Client::new(&format!("http://{address}")).unwrap();
    let error = client.invoke::<(), ()>(get("/x")).await.unwrap_err();
    assert_eq!((error.code(), error.reason()), (400, ""));
    assert!(error.message().contains("boom"), "{}", error.message());

    // Protobuf that is not an errors.Status.
    let address = raw_server(
        b"HTTP/1.1 500 Internal Server Error\r\ncontent-type: application/x-protobuf\r\ncontent-length: 3\r\n\r\n\xff\xff\xff",
        Duration::ZERO,
    )
    .await;
    let client = Client::new(&format!("http://{address}")).unwrap();
    let error = client.invoke::<(), ()>(get("/x")).await.unwrap_err();
    assert_eq!((error.code(), error.reason()), (500, ""));
    assert!(error.cause().is_some());

    // A long body is cut short in the message.
    static LONG: LazyLock<Vec<u8>> = LazyLock::new(|| {
        let body = "x".repeat(5000);
        format!(
            "HTTP/1.1 500 Internal Server Error\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        )
        .into_bytes()
    });
    let address = raw_server(&LONG, Duration::ZERO).await;
    let client = Client::new(&format!("http://{address}")).unwrap();
    let error = client.invoke::<(), ()>(get("/x")).await.unwrap_err();
    assert!(error.message().len() < 300, "{}", error.message());
    assert!(error.message().ends_with('…'), "{}", error.message());
}

#[tokio::test]
async fn undecodable_success_replies_are_codec_errors() {
    let address = raw_server(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 8\r\n\r\nnot json",
        Duration::ZERO,
    )
    .await;
    let client = Client::new(&format!("http://{address}")).unwrap();
    let error = client.invoke::<(), Book>(get("/x")).await.unwrap_err();
    assert_eq!((error.code(), error.reason()), (500, "CODEC"));
    assert!(
        error
            .message()
            .starts_with("cannot decode the reply of /test.Library/GetBook: "),
        "{}",
        error.message()
    );
    assert!(error.cause().is_some());
}

#[tokio::test]
async fn empty_success_replies_are_the_default_message() {
    for reply in [
        &b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n"[..],
        &b"HTTP/1.1 204 No Content\r\n\r\n"[..],
    ] {
        let address = raw_server(reply, Duration::ZERO).await;
        let client = Client::new(&format!("http://{address}")).unwrap();
        let reply: Book = client.invoke(get("/x")).await.unwrap();
        assert_eq!(reply, Book::default());
    }
}

#[tokio::test]
async fn truncated_replies_are_transport_errors() {
    let address = raw_server(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100\r\n\r\n{\"name\":",
        Duration::ZERO,
    )
    .await;
    let client = Client::new(&format!("http://{address}")).unwrap();
    let error = client.invoke::<(), Book>(get("/x")).await.unwrap_err();
    assert_eq!(
        (error.code(), error.reason()),
        (503, reasons::TRANSPORT),
        "{error}"
    );
    assert!(
        error.message().contains("reading the reply failed"),
        "{}",
        error.message()
    );
    assert!(error.cause().is_some());
}

#[tokio::test]
async fn refused_connections_are_503() {
    let address = dead_address().await;
    let client = Client::new(&format!("http://{address}")).unwrap();
    let started = Instant::now();
    let error = client.invoke::<(), ()>(get("/x")).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!((error.code(), error.reason()), (503, reasons::TRANSPORT));
    assert!(
        error
            .message()
            .contains(&format!("cannot connect to {address}")),
        "{}",
        error.message()
    );
    assert!(error.cause().is_some());
    assert!(errors::is_service_unavailable(&error));
}

#[tokio::test]
async fn slow_replies_time_out_with_504() {
    let server = start().await;
    let slow = || Call::new("/test.Library/Slow", "GET", "/v1/slow", "/v1/slow", ());

    // The client's limit.
    let client = Client::builder(&server.url())
        .timeout(Duration::from_millis(50))
        .build()
        .unwrap();
    let started = Instant::now();
    let error = client.invoke::<(), ()>(slow()).await.unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(1));
    assert_eq!((error.code(), error.reason()), (504, reasons::TIMEOUT));
    assert_eq!(
        error.message(),
        "/test.Library/Slow did not finish within 50ms"
    );
    assert!(error.cause().is_some());

    // A call's own limit overrides the client's, both ways.
    let () = client
        .invoke(slow().options(CallOptions::new().timeout(Duration::from_secs(2))))
        .await
        .unwrap();
    let () = client
        .invoke(slow().options(CallOptions::new().timeout(Duration::ZERO)))
        .await
        .unwrap();
    let patient = server.client();
    let error = patient
        .invoke::<(), ()>(slow().options(CallOptions::new().timeout(Duration::from_millis(50))))
        .await
        .unwrap_err();
    assert_eq!(error.code(), 504);

    // A raw server that never answers in time.
    let address = raw_server(b"HTTP/1.1 200 OK\r\n\r\n", Duration::from_secs(5)).await;
    let client = Client::builder(&format!("http://{address}"))
        .timeout(Duration::from_millis(50))
        .build()
        .unwrap();
    let error = client.invoke::<(), ()>(get("/x")).await.unwrap_err();
    assert_eq!(error.code(), 504);
}

#[tokio::test]
async fn default_headers_and_user_agent() {
    let server = start().await;
    let reply: Struct = server.client().invoke(headers_call()).await.unwrap();
    assert_eq!(echoed(&reply, "user-agent"), Client::DEFAULT_USER_AGENT);
    assert!(Client::DEFAULT_USER_AGENT.starts_with("kratos-rs/"));
    assert_eq!(echoed(&reply, "accept"), "application/json");
    assert_eq!(echoed(&reply, "content-type"), "<none>");

    let client = Client::builder(&server.url())
        .user_agent("billing/1.2")
        .header("x-md-global-region", "eu")
        .header("x-multi", "1")
        .header("x-multi", "2")
        .build()
        .unwrap();
    let reply: Struct = client.invoke(headers_call()).await.unwrap();
    assert_eq!(echoed(&reply, "user-agent"), "billing/1.2");
    assert_eq!(echoed(&reply, "x-md-global-region"), "eu");
    assert_eq!(echoed(&reply, "x-multi"), "1 | 2");
    assert!(echoed(&reply, "host").starts_with("127.0.0.1:"));
}

#[tokio::test]
async fn call_options_override_the_client() {
    let server = start().await;
    let client = Client::builder(&server.url())
        .header("x-md-global-region", "eu")
        .header("x-keep", "yes")
        .build()
        .unwrap();
    let mut extra = HeaderMap::new();
    extra.append("x-extra", HeaderValue::from_static("a"));
    extra.append("x-extra", HeaderValue::from_static("b"));
    let call = headers_call().options(
        CallOptions::new()
            .header("x-md-global-region", "us")
            .header("user-agent", "one-off")
            .header("accept", "application/json; q=1")
            .headers(extra),
    );
    let reply: Struct = client.invoke(call).await.unwrap();
    assert_eq!(echoed(&reply, "x-md-global-region"), "us");
    assert_eq!(echoed(&reply, "x-keep"), "yes");
    assert_eq!(echoed(&reply, "user-agent"), "one-off");
    assert_eq!(echoed(&reply, "accept"), "application/json; q=1");
    assert_eq!(echoed(&reply, "x-extra"), "a | b");

    // The format, per call: the server answers protobuf.
    let seen = ReplyHeaders::new();
    let call = Call::new(
        "/test.Library/CreateBook",
        "POST",
        "/v1/books",
        "/v1/books",
        book("b", "t"),
    )
    .body(CallBody::Whole)
    .options(
        CallOptions::new()
            .format(Format::Proto)
            .reply_headers(&seen),
    );
    let reply: Book = client.invoke(call).await.unwrap();
    assert_eq!(reply.pages, 101);
    assert_eq!(header(&seen.take(), "content-type"), "application/proto");
    assert!(seen.get().is_empty());
}

#[tokio::test]
async fn middleware_runs_once_sees_the_call_and_adds_headers() {
    let server = start().await;
    let runs = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&runs);
    let client = Client::builder(&server.url())
        .middleware(move |next: Handler| -> Handler {
            let counted = Arc::clone(&counted);
            Arc::new(move |mut ctx: Context, request| {
                counted.fetch_add(1, Ordering::SeqCst);
                let next = Arc::clone(&next);
                Box::pin(async move {
                    assert_eq!(ctx.kind(), Kind::Http);
                    assert_eq!(ctx.operation(), "/test.Library/Headers");
                    let info = ctx.extensions().get::<CallInfo>().cloned().unwrap();
                    assert_eq!(info.method, Method::GET);
                    assert_eq!(info.path_template, "/v1/headers");
                    assert!(info.uri.to_string().ends_with("/v1/headers"));
                    assert_eq!(
                        ctx.request_headers()["user-agent"],
                        Client::DEFAULT_USER_AGENT
                    );
                    ctx.request_headers_mut()
                        .insert("x-md-global-trace", HeaderValue::from_static("abc"));
                    let reply = next(ctx.clone(), request).await;
                    // The reply's headers are in the context once the call returns.
                    assert_eq!(
                        ctx.reply_headers()["x-seen-method"],
                        HeaderValue::from_static("GET")
                    );
                    reply
                })
            })
        })
        .build()
        .unwrap();
    let reply: Struct = client.invoke(headers_call()).await.unwrap();
    assert_eq!(echoed(&reply, "x-md-global-trace"), "abc");
    assert_eq!(runs.load(Ordering::SeqCst), 1);

    // A middleware may answer without calling the server.
    let client = Client::builder(&dead_address().await.to_string())
        .middleware(|_next: Handler| -> Handler {
            Arc::new(|_ctx, _request| {
                Box::pin(async { Err(Error::new(429, "RATELIMIT", "local limit")) })
            })
        })
        .build()
        .unwrap();
    let error = client.invoke::<(), ()>(headers_call()).await.unwrap_err();
    assert_eq!((error.code(), error.reason()), (429, "RATELIMIT"));
}

#[tokio::test]
async fn body_fields_go_as_protobuf_only_when_they_are_messages() {
    let server = start().await;
    let request = Book {
        sequel: Some(Box::new(book("second", "Dune Messiah"))),
        ..book("first", "Dune")
    };
    for format in [Format::Json, Format::Proto] {
        let client = Client::builder(&server.url())
            .format(format)
            .build()
            .unwrap();
        let seen = ReplyHeaders::new();
        let call = Call::new(
            "/test.Library/Field",
            "POST",
            "/v1/books:sequel",
            "/v1/books:sequel",
            request.clone(),
        )
        .body(CallBody::Field("sequel"))
        .options(CallOptions::new().reply_headers(&seen));
        let reply: Book = client.invoke(call).await.unwrap();
        assert_eq!(reply.sequel, request.sequel, "{format:?}");
        assert_eq!(reply.title, "", "only the field is sent");
        assert_eq!(
            header(&seen.get(), "x-seen-content-type"),
            format.content_type()
        );

        // A string field has no protobuf form: it goes as JSON.
        let call = Call::new(
            "/test.Library/Field",
            "POST",
            "/v1/books:title",
            "/v1/books:title",
            request.clone(),
        )
        .body(CallBody::Field("title"))
        .options(CallOptions::new().reply_headers(&seen));
        let reply: Book = client.invoke(call).await.unwrap();
        assert_eq!(reply.title, "Dune", "{format:?}");
        assert_eq!(reply.name, "");
        assert_eq!(
            header(&seen.get(), "x-seen-content-type"),
            "application/json"
        );
    }
}

#[tokio::test]
async fn response_body_decodes_one_field() {
    let server = start().await;
    for format in [Format::Json, Format::Proto] {
        let client = Client::builder(&server.url())
            .format(format)
            .build()
            .unwrap();
        let seen = ReplyHeaders::new();
        let call = Call::new(
            "/test.Library/ReplyField",
            "GET",
            "/v1/reply/{field}",
            "/v1/reply/sequel",
            (),
        )
        .response_body("sequel")
        .options(CallOptions::new().reply_headers(&seen));
        let reply: Book = client.invoke(call).await.unwrap();
        assert_eq!(
            reply,
            Book {
                sequel: Some(Box::new(book("sequel", "Dune Messiah"))),
                ..Book::default()
            },
            "{format:?}"
        );
        assert_eq!(header(&seen.get(), "x-seen-accept"), format.content_type());

        // A string field has no protobuf form: the client asks for JSON.
        let call = Call::new(
            "/test.Library/ReplyField",
            "GET",
            "/v1/reply/{field}",
            "/v1/reply/title",
            (),
        )
        .response_body("title")
        .options(CallOptions::new().reply_headers(&seen));
        let reply: Book = client.invoke(call).await.unwrap();
        assert_eq!(
            reply,
            Book {
                title: "Dune".into(),
                ..Book::default()
            }
        );
        assert_eq!(header(&seen.get(), "x-seen-accept"), "application/json");
    }
}

#[tokio::test]
async fn calls_that_cannot_be_sent_fail_before_sending() {
    let client = Client::new(&dead_address().await.to_string()).unwrap();
    let invalid = |error: Error| {
        assert_eq!(
            (error.code(), error.reason()),
            (400, reasons::INVALID_REQUEST),
            "{error}"
        );
        error.message().to_owned()
    };
    let message = invalid(
        client
            .invoke::<(), ()>(get("/x").options(CallOptions::new().header("bad name", "v")))
            .await
            .unwrap_err(),
    );
    assert!(message.contains("bad header name"), "{message}");
    let message = invalid(
        client
            .invoke::<(), ()>(get("/x").options(CallOptions::new().header("x-ok", "a\nb")))
            .await
            .unwrap_err(),
    );
    assert!(message.contains("x-ok"), "{message}");
    let mut call = get("/x");
    call.method = "GE T";
    let message = invalid(client.invoke::<(), ()>(call).await.unwrap_err());
    assert!(message.contains("\"GE T\""), "{message}");
    let message = invalid(client.invoke::<(), ()>(get("/a b")).await.unwrap_err());
    assert!(message.contains("percent-encoded"), "{message}");
    invalid(
        client
            .invoke::<(), ()>(get("/x").options(CallOptions::new().format(Format::Form)))
            .await
            .unwrap_err(),
    );
    // A missing body field is the codec's error.
    let error = client
        .invoke::<Book, ()>(
            Call::new("/a.B/C", "POST", "/c", "/c", Book::default()).body(CallBody::Field("nope")),
        )
        .await
        .unwrap_err();
    assert_eq!((error.code(), error.reason()), (500, "CODEC"));
}

#[tokio::test]
async fn custom_methods_are_sent() {
    let server = start().await;
    let seen = ReplyHeaders::new();
    let mut call = headers_call().options(CallOptions::new().reply_headers(&seen));
    call.method = "PURGE";
    let _: Struct = server.client().invoke(call).await.unwrap();
    assert_eq!(header(&seen.get(), "x-seen-method"), "PURGE");
}

#[tokio::test]
async fn reply_bodies_over_the_limit_fail() {
    let server = start().await;
    let client = Client::builder(&server.url())
        .body_limit(10)
        .build()
        .unwrap();
    let error = client
        .invoke::<(), Book>(get("/v1/books/a-long-enough-name"))
        .await
        .unwrap_err();
    assert_eq!(
        (error.code(), error.reason()),
        (500, reasons::BODY_TOO_LARGE)
    );

    // Without a Content-Length (chunked), the limit applies while reading.
    let address = raw_server(
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n10\r\n{\"name\":\"aaaaa\"}\r\n0\r\n\r\n",
        Duration::ZERO,
    )
    .await;
    let client = Client::builder(&format!("http://{address}"))
        .body_limit(10)
        .build()
        .unwrap();
    let error = client.invoke::<(), Book>(get("/x")).await.unwrap_err();
    assert_eq!(
        (error.code(), error.reason()),
        (500, reasons::BODY_TOO_LARGE)
    );
    let client = Client::new(&format!("http://{address}")).unwrap();
    let reply: Book = client.invoke(get("/x")).await.unwrap();
    assert_eq!(reply.name, "aaaaa");
}

#[test]
fn construction_errors() {
    let config_error = |result: Result<Client, Error>| {
        let error = result.unwrap_err();
        assert_eq!(
            (error.code(), error.reason()),
            (400, reasons::INVALID_CONFIG),
            "{error}"
        );
        error.message().to_owned()
    };
    for (base, expected) in [
        ("ftp://host", "use http:// or https://"),
        ("http://", "invalid base URL"),
        ("http://user:pw@host", "credentials"),
        ("http://host/api?x=1", "query"),
        ("http://host:port", "invalid port"),
        ("http://host:99999", "invalid"),
        ("", "invalid base URL"),
    ] {
        let message = config_error(Client::new(base));
        assert!(message.contains(expected), "{base:?}: {message}");
    }
    let message = config_error(
        Client::builder("http://host")
            .header("bad name", "v")
            .build(),
    );
    assert!(message.contains("bad header name"), "{message}");
    config_error(Client::builder("http://host").user_agent("a\nb").build());
    config_error(Client::builder("http://host").format(Format::Form).build());

    let https = Client::new("https://example.com");
    if cfg!(feature = "tls") {
        assert_eq!(https.unwrap().base_url(), "https://example.com");
    } else {
        let message = config_error(https);
        assert!(
            message.contains("enable the kratos feature \"tls\""),
            "{message}"
        );
    }

    let client = Client::new("http://[::1]:80/x").unwrap();
    assert_eq!(client.base_url(), "http://[::1]:80/x");
    let client = Client::new("HTTP://Example.com:8080/a/b/").unwrap();
    assert_eq!(client.base_url(), "http://Example.com:8080/a/b");
    assert!(format!("{client:?}").contains("http://Example.com:8080/a/b"));
}

#[tokio::test]
async fn clones_share_the_pool_and_calls_run_concurrently() {
    let server = start().await;
    let client = server.client();
    let calls = (0..16).map(|index| {
        let client = client.clone();
        tokio::spawn(async move {
            let reply: Book = client
                .invoke(get(format!("/v1/books/{index}")))
                .await
                .unwrap();
            assert_eq!(reply.name, index.to_string());
        })
    });
    for call in calls.collect::<Vec<_>>() {
        tokio::time::timeout(Duration::from_secs(5), call)
            .await
            .unwrap()
            .unwrap();
    }
}

#[test]
fn invoke_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let Ok(client) = Client::new("http://127.0.0.1:1") else {
        return;
    };
    let future =
        client.invoke::<Book, Book>(Call::new("/a.B/C", "GET", "/c", "/c", Book::default()));
    assert_send(&future);
}
