//! The generated library routes driven by real HTTP requests.

mod support;

use serde_json::json;

/// (method, path, expected status, JSON pointer, expected value at it)
type Row = (
    &'static str,
    &'static str,
    u16,
    &'static str,
    serde_json::Value,
);

#[tokio::test]
async fn matching_table() {
    let server = support::start().await;
    let rows: Vec<Row> = vec![
        // single-segment variable, typed
        ("GET", "/v1/shelves/7", 200, "/id", json!("7")),
        ("GET", "/v1/shelves/-3", 200, "/id", json!("-3")),
        // a literal beats a variable, whatever the order of registration
        (
            "GET",
            "/v1/shelves/special",
            200,
            "/theme",
            json!("special"),
        ),
        // multi-segment variable
        (
            "GET",
            "/v1/shelves/1/books/2",
            200,
            "/name",
            json!("shelves/1/books/2"),
        ),
        // trailing slash ignored
        (
            "GET",
            "/v1/shelves/1/books/2/",
            200,
            "/name",
            json!("shelves/1/books/2"),
        ),
        // single-segment values are fully decoded, %2F included
        (
            "GET",
            "/v1/messages/a%2Fb%20c",
            200,
            "/messageId",
            json!("a/b c"),
        ),
        (
            "GET",
            "/v1/messages/%E4%B8%AD",
            200,
            "/messageId",
            json!("中"),
        ),
        ("GET", "/v1/messages/a+b", 200, "/messageId", json!("a+b")),
        // multi-segment values keep reserved characters encoded
        (
            "GET",
            "/v1/shelves/a%2Fb/books/c%20d",
            200,
            "/name",
            json!("shelves/a%2Fb/books/c d"),
        ),
        // a custom verb
        (
            "POST",
            "/v1/shelves/1/books/2:archive",
            200,
            "/title",
            json!("archived"),
        ),
        // response_body: just the field
        (
            "GET",
            "/v1/shelves/1/books/2/title",
            200,
            "",
            json!("Title of shelves/1/books/2"),
        ),
        // ** captures zero, one and many segments
        ("GET", "/v1/files", 200, "/path", json!("")),
        ("GET", "/v1/files/a", 200, "/path", json!("a")),
        (
            "GET",
            "/v1/files/a/b/c.txt",
            200,
            "/path",
            json!("a/b/c.txt"),
        ),
        // ** before a literal tail
        ("GET", "/v1/trees/tree/blob", 200, "/path", json!("tree")),
        (
            "GET",
            "/v1/trees/tree/src/main.rs/blob",
            200,
            "/path",
            json!("tree/src/main.rs"),
        ),
        // additional bindings
        ("GET", "/v1/messages/m1", 200, "/messageId", json!("m1")),
        (
            "GET",
            "/v1/users/u1/messages/m2",
            200,
            "/userId",
            json!("u1"),
        ),
        (
            "GET",
            "/v1/users/u1/messages/m2?revision=3",
            200,
            "/revision",
            json!(3),
        ),
        // the path wins over the query
        (
            "GET",
            "/v1/messages/m1?message_id=other&messageId=other",
            200,
            "/messageId",
            json!("m1"),
        ),
        // nested path fields
        (
            "GET",
            "/v1/nested/n1/42",
            200,
            "/nested/inner/id",
            json!(42),
        ),
        ("GET", "/v1/nested/n1/42", 200, "/nested/name", json!("n1")),
        // a deprecated method keeps its route
        ("GET", "/v1/legacy/shelves/8", 200, "/id", json!("8")),
        // Empty in, Empty out
        ("GET", "/v1/ping", 200, "", json!({})),
        ("DELETE", "/v1/shelves/1", 200, "", json!({})),
        // not found, method not allowed
        ("GET", "/v1/nope", 404, "/reason", json!("NOT_FOUND")),
        (
            "PUT",
            "/v1/shelves/1",
            405,
            "/reason",
            json!("METHOD_NOT_ALLOWED"),
        ),
        // an unannotated method has no route
        (
            "POST",
            "/library.v1.Library/Hidden",
            404,
            "/code",
            json!(404),
        ),
        // handler errors are Kratos errors with status = code
        (
            "GET",
            "/v1/shelves/404",
            404,
            "/reason",
            json!("SHELF_NOT_FOUND"),
        ),
        (
            "GET",
            "/v1/shelves/404",
            404,
            "/metadata/shelf",
            json!("404"),
        ),
    ];
    for (method, path, status, pointer, expected) in rows {
        let reply = server.send(method, path, &[], b"").await;
        assert_eq!(
            reply.status.as_u16(),
            status,
            "{method} {path}: {}",
            reply.text()
        );
        let body = reply.json();
        assert_eq!(
            body.pointer(pointer),
            Some(&expected),
            "{method} {path}: {body}"
        );
    }
}

#[tokio::test]
async fn method_not_allowed_lists_the_allowed_methods() {
    let server = support::start().await;
    let reply = server.send("PUT", "/v1/shelves/1", &[], b"").await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.headers["allow"], "DELETE, GET");
    let head = server.send("HEAD", "/v1/messages/m1", &[], b"").await;
    assert_eq!(head.status, 200);
}

#[tokio::test]
async fn every_field_kind_from_the_query() {
    let server = support::start().await;
    let query = [
        "double_value=1.5",
        "floatValue=-2.25",
        "int64_value=-9223372036854775808",
        "uint64_value=18446744073709551615",
        "int32_value=-2147483648",
        "fixed64_value=1",
        "fixed32_value=4294967295",
        "bool_value=true",
        "string_value=caf%C3%A9+au+lait%2B",
        "bytes_value=aGk%3D",
        "uint32_value=7",
        "sfixed32_value=-1",
        "sfixed64_value=-2",
        "sint32_value=-3",
        "sint64_value=-4",
        "color=GREEN",
        "optional_string=",
        "optional_int32=0",
        "repeated_string=a&repeated_string=b&repeated_string[]=c",
        "repeated_int64=1&repeatedInt64=2",
        "repeated_color=RED&repeated_color=2",
        "labels[k1]=v1&labels[k2]=v2",
        "counts[1]=10",
        "nested.name=n&nested.inner.id=5&nested.inner.note=x&nested.values=1&nested.values=2",
        "timestamp=1972-01-01T10:00:20.021Z",
        "duration=1.5s",
        "field_mask=a.b,c",
        "int64_wrapper=12",
        "string_wrapper=w",
        "bool_wrapper=false",
        "struct_value=%7B%22a%22%3A1%7D",
        "any_value=plain",
        "list_value=%5B1%2C%22x%22%5D",
        "choice_inner.id=9",
    ]
    .join("&");
    let reply = server.get(&format!("/v1/echo?{query}")).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    let expected = json!({
        "doubleValue": 1.5,
        "floatValue": -2.25,
        "int64Value": "-9223372036854775808",
        "uint64Value": "18446744073709551615",
        "int32Value": -2147483648_i64,
        "fixed64Value": "1",
        "fixed32Value": 4294967295_u64,
        "boolValue": true,
        "stringValue": "café au lait+",
        "bytesValue": "aGk=",
        "uint32Value": 7,
        "sfixed32Value": -1,
        "sfixed64Value": "-2",
        "sint32Value": -3,
        "sint64Value": "-4",
        "color": "GREEN",
        "optionalString": "",
        "optionalInt32": 0,
        "repeatedString": ["a", "b", "c"],
        "repeatedInt64": ["1", "2"],
        "repeatedColor": ["RED", "GREEN"],
        "labels": {"k1": "v1", "k2": "v2"},
        "counts": {"1": "10"},
        "nested": {"name": "n", "inner": {"id": 5, "note": "x"}, "values": [1, 2]},
        "timestamp": "1972-01-01T10:00:20.021Z",
        "duration": "1.500s",
        "fieldMask": "a.b,c",
        "int64Wrapper": "12",
        "stringWrapper": "w",
        "boolWrapper": false,
        "structValue": {"a": 1},
        "anyValue": "plain",
        "listValue": [1, "x"],
        "choiceInner": {"id": 9, "note": ""},
    });
    for (key, value) in expected.as_object().unwrap() {
        assert_eq!(body.get(key), Some(value), "field {key} in {body}");
    }
}

#[tokio::test]
async fn defaults_are_emitted_with_lower_camel_names() {
    let server = support::start().await;
    let body = server.get("/v1/echo").await.json();
    assert_eq!(body["int64Value"], json!("0"));
    assert_eq!(body["stringValue"], json!(""));
    assert_eq!(body["color"], json!("COLOR_UNSPECIFIED"));
    assert_eq!(body["repeatedString"], json!([]));
    assert_eq!(body["labels"], json!({}));
    assert!(body.get("int64_value").is_none());
}

#[tokio::test]
async fn bodies_json_proto_and_form() {
    let server = support::start().await;
    // body "*", proto and JSON names both accepted, unknown fields ignored
    let reply = server
        .post_json("/v1/shelves", r#"{"id":"12","theme":"sci-fi","unknown":1}"#)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json(), json!({"id": "12", "theme": "sci-fi"}));
    assert_eq!(reply.headers["x-created"], "shelf");
    // body field + path + query
    let reply = server
        .post_json(
            "/v1/shelves/3/books?request_id=r9&book.title=ignored",
            r#"{"title":"Dune","authors":["Herbert"]}"#,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.json(),
        json!({"name": "shelves/3/books/r9", "title": "Dune", "authors": ["Herbert"]})
    );
    // a path variable inside the body field wins over the body
    let reply = server
        .send(
            "PATCH",
            "/v1/shelves/1/books/2?update_mask=title,authors",
            &[("content-type", "application/json")],
            br#"{"name":"elsewhere","title":"New"}"#,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(
        reply.json(),
        json!({"name": "shelves/1/books/2", "title": "New", "authors": ["title", "authors"]})
    );
    // form body
    let reply = server
        .send(
            "POST",
            "/v1/shelves",
            &[("content-type", "application/x-www-form-urlencoded")],
            b"id=5&theme=a+b",
        )
        .await;
    assert_eq!(
        reply.json(),
        json!({"id": "5", "theme": "a b"}),
        "{}",
        reply.text()
    );
    // protobuf in and out: Shelf{id: 1, theme: "x"} = 08 01 12 01 78
    let reply = server
        .send(
            "POST",
            "/v1/shelves",
            &[
                ("content-type", "application/x-protobuf"),
                ("accept", "application/x-protobuf"),
            ],
            &[0x08, 0x01, 0x12, 0x01, b'x'],
        )
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.headers["content-type"], "application/x-protobuf");
    assert_eq!(&reply.body[..], &[0x08, 0x01, 0x12, 0x01, b'x']);
    // an empty body without Content-Type is fine
    let reply = server.send("POST", "/v1/shelves", &[], b"").await;
    assert_eq!(reply.status, 200);
    // every field kind from a JSON body
    let reply = server
        .post_json("/v1/echo", r#"{"int64Value":"5","color":2,"nested":{"inner":{"id":1}},"timestamp":"2020-01-01T00:00:00Z","fieldMask":"fooBar,baz","choiceId":3}"#)
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["int64Value"], json!("5"));
    assert_eq!(body["color"], json!("GREEN"));
    assert_eq!(body["nested"]["inner"]["id"], json!(1));
    assert_eq!(body["timestamp"], json!("2020-01-01T00:00:00Z"));
    assert_eq!(body["fieldMask"], json!("fooBar,baz"));
    assert_eq!(body["choiceId"], json!(3));
}

/// (method, path, content type, body, status, reason, words the message must contain)
type BadRow = (
    &'static str,
    &'static str,
    &'static str,
    &'static [u8],
    u16,
    &'static str,
    &'static str,
);

#[tokio::test]
async fn bad_input_table() {
    let server = support::start_with(kratos::transport::http::Server::new().body_limit(1024)).await;
    let big = vec![b' '; 2048];
    let big: &'static [u8] = Box::leak(big.into_boxed_slice());
    let rows: Vec<BadRow> = vec![
        (
            "POST",
            "/v1/shelves",
            "application/json",
            b"{",
            400,
            "CODEC",
            "JSON",
        ),
        (
            "POST",
            "/v1/shelves",
            "application/json",
            b"[1,2]",
            400,
            "CODEC",
            "",
        ),
        (
            "POST",
            "/v1/shelves",
            "application/json",
            br#"{"id":"abc"}"#,
            400,
            "CODEC",
            "id",
        ),
        (
            "POST",
            "/v1/shelves",
            "application/json",
            br#"{"id":true}"#,
            400,
            "CODEC",
            "id",
        ),
        (
            "POST",
            "/v1/shelves",
            "application/json",
            br#"{"theme":5}"#,
            400,
            "CODEC",
            "theme",
        ),
        (
            "POST",
            "/v1/shelves",
            "application/json",
            br#"{"id":"1"} trailing"#,
            400,
            "CODEC",
            "",
        ),
        (
            "POST",
            "/v1/shelves",
            "application/json",
            b"\xff\xfe",
            400,
            "CODEC",
            "",
        ),
        (
            "POST",
            "/v1/echo",
            "application/json",
            br#"{"color":"PURPLE"}"#,
            400,
            "CODEC",
            "color",
        ),
        (
            "POST",
            "/v1/echo",
            "application/json",
            br#"{"int32Value":2147483648}"#,
            400,
            "CODEC",
            "int32",
        ),
        (
            "POST",
            "/v1/echo",
            "application/json",
            br#"{"bytesValue":"***"}"#,
            400,
            "CODEC",
            "bytes",
        ),
        (
            "POST",
            "/v1/echo",
            "application/json",
            br#"{"choiceName":"a","choiceId":1}"#,
            400,
            "CODEC",
            "",
        ),
        (
            "POST",
            "/v1/echo",
            "application/json",
            br#"{"timestamp":"yesterday"}"#,
            400,
            "CODEC",
            "timestamp",
        ),
        (
            "POST",
            "/v1/shelves",
            "text/plain",
            b"hello",
            415,
            "CODEC",
            "text/plain",
        ),
        (
            "POST",
            "/v1/shelves",
            "application/x-protobuf",
            b"\xff\xff\xff",
            400,
            "CODEC",
            "",
        ),
        (
            "POST",
            "/v1/shelves",
            "application/json",
            big,
            413,
            "BODY_TOO_LARGE",
            "1024",
        ),
        ("GET", "/v1/shelves/abc", "", b"", 400, "CODEC", "shelf"),
        (
            "GET",
            "/v1/shelves/99999999999999999999",
            "",
            b"",
            400,
            "CODEC",
            "shelf",
        ),
        ("GET", "/v1/messages/a%zzb", "", b"", 400, "CODEC", "%zz"),
        (
            "GET",
            "/v1/echo?int32_value=2147483648",
            "",
            b"",
            400,
            "CODEC",
            "int32_value",
        ),
        (
            "GET",
            "/v1/echo?uint32_value=-1",
            "",
            b"",
            400,
            "CODEC",
            "uint32_value",
        ),
        (
            "GET",
            "/v1/echo?int64_value=0x10",
            "",
            b"",
            400,
            "CODEC",
            "int64_value",
        ),
        (
            "GET",
            "/v1/echo?float_value=1e39",
            "",
            b"",
            400,
            "CODEC",
            "float_value",
        ),
        (
            "GET",
            "/v1/echo?bool_value=yes",
            "",
            b"",
            400,
            "CODEC",
            "bool_value",
        ),
        (
            "GET",
            "/v1/echo?color=PURPLE",
            "",
            b"",
            400,
            "CODEC",
            "color",
        ),
        ("GET", "/v1/echo?color=7", "", b"", 400, "CODEC", "color"),
        ("GET", "/v1/echo?bytes_value=%%%", "", b"", 400, "CODEC", ""),
        (
            "GET",
            "/v1/echo?bytes_value=***",
            "",
            b"",
            400,
            "CODEC",
            "bytes_value",
        ),
        (
            "GET",
            "/v1/echo?string_value=a&string_value=b",
            "",
            b"",
            400,
            "CODEC",
            "twice",
        ),
        (
            "GET",
            "/v1/echo?choice_name=a&choice_id=1",
            "",
            b"",
            400,
            "CODEC",
            "choice",
        ),
        (
            "GET",
            "/v1/echo?timestamp=2020-13-01T00:00:00Z",
            "",
            b"",
            400,
            "CODEC",
            "timestamp",
        ),
        (
            "GET",
            "/v1/echo?duration=forever",
            "",
            b"",
            400,
            "CODEC",
            "duration",
        ),
        ("GET", "/v1/echo?labels=x", "", b"", 400, "CODEC", "labels"),
        (
            "GET",
            "/v1/echo?string_value[k]=x",
            "",
            b"",
            400,
            "CODEC",
            "string_value",
        ),
        (
            "GET",
            "/v1/echo?struct_value=%7Bnope",
            "",
            b"",
            400,
            "CODEC",
            "struct_value",
        ),
        (
            "GET",
            "/v1/echo?counts[x]=1",
            "",
            b"",
            400,
            "CODEC",
            "counts",
        ),
        (
            "GET",
            "/v1/echo?int64_wrapper=1.5",
            "",
            b"",
            400,
            "CODEC",
            "int64_wrapper",
        ),
    ];
    assert!(rows.len() >= 30);
    for (method, path, content_type, body, status, reason, words) in rows {
        // JSON errors asked for: without Accept a protobuf request gets a protobuf error.
        let mut headers: Vec<(&str, &str)> = vec![("accept", "application/json")];
        if !content_type.is_empty() {
            headers.push(("content-type", content_type));
        }
        let reply = server.send(method, path, &headers, body).await;
        assert_eq!(
            reply.status.as_u16(),
            status,
            "{method} {path} {:?}: {}",
            String::from_utf8_lossy(body),
            reply.text()
        );
        let error = reply.json();
        assert_eq!(error["code"], json!(status), "{method} {path}: {error}");
        assert_eq!(error["reason"], json!(reason), "{method} {path}: {error}");
        let message = error["message"].as_str().unwrap_or_default();
        assert!(!message.is_empty(), "{method} {path}: empty message");
        assert!(
            message.contains(words),
            "{method} {path}: {message:?} should mention {words:?}"
        );
        // ... and the server keeps serving.
        assert_eq!(server.get("/v1/ping").await.status, 200);
    }
}

#[tokio::test]
async fn an_empty_path_value_is_parsed_not_taken_as_the_default() {
    // `a=` in a query leaves a number at its default; an empty path segment bound to a number
    // is an invalid value, as any other that does not parse.
    let server = support::start().await;
    let reply = server
        .get("/v1/typed/2024-01-02T03:04:05Z/1.5s/AQI/GREEN/true//12/7")
        .await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert!(reply.text().contains("double_value"), "{}", reply.text());
    let reply = server
        .get("/v1/typed/2024-01-02T03:04:05Z/1.5s/AQI/GREEN//2.5/12/7")
        .await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert!(reply.text().contains("bool_value"), "{}", reply.text());
}
