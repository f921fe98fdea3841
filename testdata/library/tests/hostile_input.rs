//! Hostile input on every path: nesting deeper than the limit ([`kratos::encoding::MAX_NESTING`])
//! from the query, a form, a JSON or protobuf body, and over gRPC, and messages built from huge
//! request values. Each answer is a Kratos error (`400 CODEC` for the request, `500` for a reply
//! that cannot be encoded) and the server keeps serving.

mod support;

use kratos::__codegen::json::{decode_json_generated, encode_json_generated};
use kratos::encoding::{JsonOptions, MAX_NESTING};
use kratos::transport::grpc;
use library_service::{Library, api};

/// `{"a":{"a":...{}}}` with `levels` objects.
fn nested_objects(levels: usize) -> String {
    format!(
        "{}{}",
        r#"{"a":"#.repeat(levels - 1) + "{",
        "}".repeat(levels)
    )
}

/// `[[...[]]]` with `levels` arrays.
fn nested_arrays(levels: usize) -> String {
    format!("{}{}", "[".repeat(levels), "]".repeat(levels))
}

/// Percent-encodes a query value.
fn query_value(text: &str) -> String {
    text.bytes()
        .map(|byte| match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => {
                char::from(byte).to_string()
            }
            _ => format!("%{byte:02X}"),
        })
        .collect()
}

/// Asserts `reply` is a `400 CODEC` whose message names the nesting limit.
fn assert_too_deep(reply: &support::Reply) {
    assert_eq!(reply.status, 400, "{}", reply.text());
    let body = reply.json();
    assert_eq!(body["reason"], "CODEC", "{body}");
    let message = body["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&format!("{MAX_NESTING} levels")),
        "the message should name the limit: {message}"
    );
}

#[tokio::test]
async fn deep_struct_value_and_list_from_the_query_are_400() {
    let server = support::start().await;
    for (key, value) in [
        ("struct_value", nested_objects(120)),
        ("struct_value", nested_objects(50)),
        ("any_value", nested_objects(60)),
        ("any_value", nested_arrays(120)),
        ("list_value", nested_arrays(60)),
    ] {
        let reply = server
            .get(&format!("/v1/echo?{key}={}", query_value(&value)))
            .await;
        assert_too_deep(&reply);
    }
    // Shallow values still work, and the server is still serving.
    let reply = server
        .get(&format!(
            "/v1/echo?struct_value={}",
            query_value(&nested_objects(5))
        ))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
}

#[tokio::test]
async fn deep_values_from_a_form_or_a_json_body_are_400() {
    let server = support::start().await;
    let form = format!("struct_value={}", query_value(&nested_objects(60)));
    let reply = server
        .send(
            "POST",
            "/v1/echo",
            &[("content-type", "application/x-www-form-urlencoded")],
            form.as_bytes(),
        )
        .await;
    assert_too_deep(&reply);
    for body in [
        format!(r#"{{"structValue":{}}}"#, nested_objects(60)),
        format!(r#"{{"anyValue":{}}}"#, nested_arrays(90)),
        // Past serde_json's own 128 levels.
        format!(r#"{{"listValue":{}}}"#, nested_arrays(200)),
        // An unknown member as deep: dropped unread or refused, never a panic.
        format!(
            r#"{{"unknown":{}, "structValue":{}}}"#,
            nested_arrays(200),
            nested_objects(40)
        ),
    ] {
        assert_too_deep(&server.post_json("/v1/echo", &body).await);
    }
    // Through the reflective codec (the message holds an Any).
    let reply = server
        .post_json("/v1/echo/any_value", &nested_objects(50))
        .await;
    assert_too_deep(&reply);
    // At the limit, the body still decodes and the reply encodes.
    let reply = server
        .post_json(
            "/v1/echo",
            &format!(r#"{{"structValue":{}}}"#, nested_objects(33)),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
}

/// A `Struct` of `levels` nested objects, as a handler or a gRPC client would build it.
fn deep_struct(levels: usize) -> prost_types::Struct {
    let mut inner = prost_types::Struct::default();
    for _ in 1..levels {
        let value = prost_types::Value {
            kind: Some(prost_types::value::Kind::StructValue(inner)),
        };
        inner = prost_types::Struct {
            fields: [("a".to_owned(), value)].into(),
        };
    }
    inner
}

fn kinds_with_struct(levels: usize) -> api::Kinds {
    api::Kinds {
        struct_value: Some(deep_struct(levels)),
        ..Default::default()
    }
}

/// The deepest `Struct` field of `Kinds` that fits: 34 objects take 3 * 34 - 2 = 100 levels
/// (each object a `Struct`, each member a map entry and a `Value`).
const DEEPEST_STRUCT: usize = 34;

#[tokio::test]
async fn every_http_path_draws_the_line_at_the_same_depth() {
    let server = support::start().await;
    for (levels, fits) in [(DEEPEST_STRUCT, true), (DEEPEST_STRUCT + 1, false)] {
        let query = server
            .get(&format!(
                "/v1/echo?struct_value={}",
                query_value(&nested_objects(levels))
            ))
            .await;
        let json = server
            .post_json(
                "/v1/echo",
                &format!(r#"{{"structValue":{}}}"#, nested_objects(levels)),
            )
            .await;
        let protobuf = server
            .send(
                "POST",
                "/v1/echo",
                // The reply in JSON, to read the error the same way as the others.
                &[
                    ("content-type", "application/x-protobuf"),
                    ("accept", "application/json"),
                ],
                &prost::Message::encode_to_vec(&kinds_with_struct(levels)),
            )
            .await;
        for reply in [query, json, protobuf] {
            if fits {
                assert_eq!(reply.status, 200, "{levels} levels: {}", reply.text());
            } else {
                assert_too_deep(&reply);
            }
        }
    }
}

#[tokio::test]
async fn deep_grpc_requests_are_invalid_argument_naming_the_limit() {
    let mut server = grpc::Server::new();
    api::register_library_grpc_server(&mut server, Library);
    let running = support::start_grpc(server).await;
    let client = api::LibraryGrpcClient::new(grpc::Client::new(running.url.clone()).unwrap());

    let echoed = client
        .echo(kinds_with_struct(DEEPEST_STRUCT))
        .await
        .unwrap();
    assert_eq!(echoed, kinds_with_struct(DEEPEST_STRUCT));

    let error = client
        .echo(kinds_with_struct(DEEPEST_STRUCT + 1))
        .await
        .unwrap_err();
    assert_eq!((error.code(), error.reason()), (400, "CODEC"), "{error}");
    assert!(
        error.message().contains(&format!("{MAX_NESTING} levels")),
        "{error}"
    );
    // Still serving.
    let echoed = client.echo(kinds_with_struct(3)).await.unwrap();
    assert_eq!(echoed, kinds_with_struct(3));
}

/// A chain of `Tree`s `levels` messages deep below the top one, through `child` or through the
/// `named` map (whose entries are a level each).
fn tree(levels: usize, through_map: bool) -> api::Tree {
    let mut tree = api::Tree::default();
    for _ in 0..levels {
        let mut parent = api::Tree::default();
        if through_map {
            parent.named.insert("n".to_owned(), tree);
        } else {
            parent.child = Some(Box::new(tree));
        }
        tree = parent;
    }
    tree
}

#[test]
fn recursive_messages_obey_the_limit_in_the_generated_json_codec_as_in_protobuf() {
    let options = JsonOptions::default();
    for through_map in [false, true] {
        // Through the map, each Tree below the top costs two levels.
        let deepest = if through_map { 50 } else { 100 };
        for (levels, fits) in [(deepest, true), (deepest + 1, false)] {
            let sent = tree(levels, through_map);
            let binary = prost::Message::encode_to_vec(&sent);
            let from_protobuf = kratos::encoding::decode_proto(&binary, &mut api::Tree::default());
            assert_eq!(from_protobuf.is_ok(), fits, "protobuf, {levels} levels");

            let json = encode_json_generated(&sent, &options).expect("written");
            let mut read = api::Tree::default();
            let from_json = decode_json_generated(&json, &mut read, &options);
            assert_eq!(
                from_json.is_ok(),
                fits,
                "JSON, {levels} levels: {from_json:?}"
            );
            match from_json {
                Ok(()) => assert_eq!(read, sent),
                Err(error) => {
                    assert_eq!((error.code(), error.reason()), (400, "CODEC"));
                    assert!(
                        error.message().contains(&format!("{MAX_NESTING} levels")),
                        "{error}"
                    );
                }
            }
        }
    }
}

#[test]
fn a_reply_too_deep_to_encode_is_a_500_not_a_panic() {
    // A handler built it; the generated JSON writer hands the Struct to prost-reflect, which
    // transcodes it through the binary form.
    let reply = kinds_with_struct(DEEPEST_STRUCT + 5);
    let error = encode_json_generated(&reply, &JsonOptions::default()).unwrap_err();
    assert_eq!((error.code(), error.reason()), (500, "CODEC"), "{error}");
    assert!(
        error.message().contains(&format!("{MAX_NESTING} levels")),
        "{error}"
    );
    // Middleware reading one too deep even for prost-reflect (which does not count map
    // entries) gets nothing rather than a panic.
    let reply = kinds_with_struct(60);
    assert!(
        kratos::middleware::Message::reflective(reply)
            .to_dynamic()
            .is_none()
    );
}

/// Request text a megabyte long, echoed into an error, is cut: the answer stays small.
#[tokio::test]
async fn huge_request_text_gives_a_small_error() {
    let server = support::start().await;
    let huge = "Z".repeat(1 << 20);
    let bodies = [
        // An unknown enum name.
        format!(r#"{{"color":"{huge}"}}"#),
        // A map key in the error's field path.
        format!(r#"{{"counts":{{"{huge}":"1"}}}}"#),
        // An integer that is not one.
        format!(r#"{{"int32Value":"{huge}"}}"#),
    ];
    for body in &bodies {
        let reply = server.post_json("/v1/echo", body).await;
        assert_eq!(reply.status, 400, "{}", &reply.text()[..200]);
        assert_eq!(reply.json()["reason"], "CODEC");
        assert!(reply.body.len() < 8 * 1024, "{} bytes", reply.body.len());
    }
    let long_path = format!("/v1/nowhere/{}", "p".repeat(60 * 1024));
    let reply = server.get(&long_path).await;
    assert_eq!(reply.status, 404);
    assert!(reply.body.len() < 8 * 1024, "{} bytes", reply.body.len());
    let reply = server
        .get(&format!("/v1/echo?color={}", &huge[..60 * 1024]))
        .await;
    assert_eq!(reply.status, 400);
    assert!(reply.body.len() < 8 * 1024, "{} bytes", reply.body.len());
}

/// An unknown member is skipped without being built, so its depth does not count (the
/// generated codec skips it at any depth, without recursing).
#[tokio::test]
async fn deep_unknown_members_are_skipped() {
    let server = support::start().await;
    let body = format!(r#"{{"zzz":{},"int32Value":7}}"#, nested_arrays(5000));
    let reply = server.post_json("/v1/echo", &body).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["int32Value"], 7);
}
