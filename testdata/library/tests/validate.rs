//! The validate middleware against rules of every shape (validation.proto): each violation is
//! `400 VALIDATOR` with the field path and rule in the message and the metadata, over HTTP
//! (JSON bodies) and gRPC; valid requests and messages without rules pass.

mod support;

use std::collections::BTreeMap;

use kratos::middleware::validate::Validate;
use kratos::transport::{grpc, http::Server};
use library_service::{Users, validation};
use serde_json::{Value, json};

async fn start() -> support::TestServer {
    let mut server = Server::new().middleware(Validate::new());
    validation::register_users_http_server(&mut server, Users).unwrap();
    support::start_with(server).await
}

/// A user breaking no rule.
fn valid() -> Value {
    json!({
        "login": "alice01",
        "age": 30,
        "tags": ["admin", "ops"],
        "address": {"city": "Lyon", "country": "FR"},
        "role": "ROLE_WRITER",
        "labels": {"team": "core"},
        "activeFrom": "100",
        "activeUntil": "200",
        "email": "alice@example.com"
    })
}

/// `valid()` with `changes` merged in (a `null` removes the key).
fn user(changes: &Value) -> Value {
    let mut user = valid();
    for (key, value) in changes.as_object().unwrap() {
        if value.is_null() {
            user.as_object_mut().unwrap().remove(key);
        } else {
            user[key] = value.clone();
        }
    }
    user
}

/// POSTs `user` and returns (status, reason, message, metadata).
async fn post(
    server: &support::TestServer,
    user: &Value,
) -> (u16, String, String, BTreeMap<String, String>) {
    let reply = server.post_json("/v1/users", &user.to_string()).await;
    let body = reply.json();
    let metadata = body["metadata"]
        .as_object()
        .map(|m| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
                .collect()
        })
        .unwrap_or_default();
    (
        reply.status.as_u16(),
        body["reason"].as_str().unwrap_or("").to_owned(),
        body["message"].as_str().unwrap_or("").to_owned(),
        metadata,
    )
}

fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect()
}

#[tokio::test]
async fn a_valid_user_reaches_the_handler() {
    let server = start().await;
    let reply = server.post_json("/v1/users", &valid().to_string()).await;
    assert_eq!(reply.status, 200, "{}", reply.text());
    assert_eq!(reply.json()["login"], "alice01");
    // No rules at all: nothing to check.
    assert_eq!(server.get("/v1/users/ping").await.status, 200);
}

/// A request without rules of its own still has those of the messages it holds checked.
#[tokio::test]
async fn rules_of_held_messages_count() {
    let server = start().await;
    let body = user(&json!({"login": "x"})).to_string();
    let reply = server
        .send(
            "PUT",
            "/v1/users",
            &[("content-type", "application/json")],
            body.as_bytes(),
        )
        .await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert_eq!(
        reply.json()["metadata"],
        json!({"user.login": "string.min_len"})
    );
    let body = valid().to_string();
    let reply = server
        .send(
            "PUT",
            "/v1/users",
            &[("content-type", "application/json")],
            body.as_bytes(),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text());
}

#[tokio::test]
async fn every_kind_of_rule_names_its_field_and_rule() {
    let server = start().await;
    let cases = [
        // Two rules on one field, both reported.
        (
            json!({"login": "AB"}),
            "user.login: value length must be at least 3 characters [string.min_len]; \
             user.login: does not match regex pattern `^[a-z0-9]+$` [string.pattern]",
            map(&[("user.login", "string.min_len,string.pattern")]),
        ),
        // Repeated items, by index.
        (
            json!({"tags": ["a", ""]}),
            "user.tags[1]: value length must be at least 1 characters [string.min_len]",
            map(&[("user.tags[1]", "string.min_len")]),
        ),
        // A nested message's field.
        (
            json!({"address": {"city": "", "country": "FR"}}),
            "user.address.city: value length must be at least 1 characters [string.min_len]",
            map(&[("user.address.city", "string.min_len")]),
        ),
        // An enum number with no name.
        (
            json!({"role": 7}),
            "user.role: value must be one of the defined enum values [enum.defined_only]",
            map(&[("user.role", "enum.defined_only")]),
        ),
        // A required oneof left empty.
        (
            json!({"email": null}),
            "user.contact: does not satisfy required",
            map(&[("user.contact", "required")]),
        ),
        // A format rule.
        (
            json!({"email": "not an email"}),
            "user.email: does not satisfy string.email",
            map(&[("user.email", "string.email")]),
        ),
        // A CEL rule on the message.
        (
            json!({"activeFrom": "300"}),
            "user: does not satisfy user.window",
            map(&[("user", "user.window")]),
        ),
        // Several fields at once.
        (
            json!({"age": -1, "tags": ["a", "b", "c", "d"]}),
            "user.age: value must be greater than or equal to 0 and less than or equal to 150 \
             [int32.gte_lte]; user.tags: must have at most 3 items [repeated.max_items]",
            map(&[
                ("user.age", "int32.gte_lte"),
                ("user.tags", "repeated.max_items"),
            ]),
        ),
    ];
    for (changes, message, metadata) in cases {
        let (status, reason, got_message, got_metadata) = post(&server, &user(&changes)).await;
        assert_eq!((status, reason.as_str()), (400, "VALIDATOR"), "{changes}");
        assert_eq!(
            got_message,
            format!("invalid request: {message}"),
            "{changes}"
        );
        assert_eq!(got_metadata, metadata, "{changes}");
    }

    // Map keys and values, each under its key (the order of map entries is not fixed).
    let (status, _, message, metadata) = post(
        &server,
        &user(&json!({"labels": {"Bad": "x", "ok": "far too long"}})),
    )
    .await;
    assert_eq!(status, 400);
    assert!(
        message.contains(
            "user.labels[\"Bad\"]: does not match regex pattern `^[a-z]+$` [string.pattern]"
        ),
        "{message}"
    );
    assert!(
        message.contains(
            "user.labels[\"ok\"]: value length must be at most 8 characters [string.max_len]"
        ),
        "{message}"
    );
    assert_eq!(
        metadata,
        map(&[
            ("user.labels[\"Bad\"]", "string.pattern"),
            ("user.labels[\"ok\"]", "string.max_len"),
        ])
    );
}

#[tokio::test]
async fn grpc_requests_are_checked_too() {
    let mut server = grpc::Server::new().middleware(Validate::new());
    validation::register_users_grpc_server(&mut server, Users);
    let running = support::start_grpc(server).await;
    let client = validation::UsersGrpcClient::new(grpc::Client::new(running.url.clone()).unwrap());

    let err = client
        .create_user(validation::CreateUserRequest::default())
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.reason(), err.message()),
        (
            400,
            "VALIDATOR",
            "invalid request: user: value is required [required]"
        )
    );

    let good = validation::User {
        login: "alice01".to_owned(),
        age: 30,
        contact: Some(validation::user::Contact::Email(
            "alice@example.com".to_owned(),
        )),
        ..Default::default()
    };
    let err = client
        .create_user(validation::CreateUserRequest {
            user: Some(good.clone()),
            request_id: "not-a-uuid".to_owned(),
        })
        .await
        .unwrap_err();
    assert_eq!(
        (err.code(), err.reason(), err.metadata().clone()),
        (400, "VALIDATOR", map(&[("request_id", "string.uuid")]))
    );
    // An empty request id is ignored (IGNORE_IF_ZERO_VALUE); a UUID passes.
    for request_id in ["", "8a1f7c2e-4b7d-4c1e-9f3a-2d6e5b8c9a01"] {
        let user = client
            .create_user(validation::CreateUserRequest {
                user: Some(good.clone()),
                request_id: request_id.to_owned(),
            })
            .await
            .unwrap();
        assert_eq!(user.login, "alice01");
    }
}

/// `Validate::check` on its own: a message wrapped without reflection is not checked, and that
/// answer is not taken for its type; the same message wrapped reflectively then is.
#[test]
fn check_remembers_only_what_reflection_told_it() {
    use kratos::middleware::Message;

    let validate = Validate::new();
    let bad = || validation::CreateUserRequest {
        user: None,
        request_id: String::new(),
    };
    assert!(validate.check(&Message::new(bad())).is_ok());
    let err = validate.check(&Message::reflective(bad())).unwrap_err();
    assert_eq!((err.code(), err.reason()), (400, "VALIDATOR"));
    // Cached by now: still rejected, and a valid one still passes.
    assert!(validate.check(&Message::reflective(bad())).is_err());
    let good = validation::CreateUserRequest {
        user: Some(validation::User {
            login: "alice01".to_owned(),
            contact: Some(validation::user::Contact::Email("a@example.com".to_owned())),
            ..Default::default()
        }),
        request_id: String::new(),
    };
    assert!(validate.check(&Message::reflective(good)).is_ok());
}

/// 10 000 violations (5 000 labels, each with a bad key and a long value) answer with the
/// first 100 and a count of the rest, in a body of a few kilobytes; a 1 MB key is cut.
#[tokio::test]
async fn a_flood_of_violations_gives_a_bounded_answer() {
    let server = start().await;
    let labels: serde_json::Map<String, Value> = (0..5000)
        .map(|i| (format!("K{i:05}"), json!("far too long")))
        .collect();
    let reply = server
        .post_json("/v1/users", &user(&json!({ "labels": labels })).to_string())
        .await;
    assert_eq!(reply.status, 400, "{}", reply.text());
    assert!(reply.body.len() < 32 * 1024, "{} bytes", reply.body.len());
    let body = reply.json();
    let message = body["message"].as_str().unwrap();
    assert!(message.ends_with("; and 9900 more violations"), "{message}");
    let metadata = body["metadata"].as_object().unwrap();
    assert_eq!(metadata["more_violations"], "9900");
    let listed: usize = metadata
        .iter()
        .filter(|(key, _)| *key != "more_violations")
        .map(|(_, rules)| rules.as_str().unwrap().split(',').count())
        .sum();
    assert_eq!(listed, 100, "{metadata:?}");

    let huge_key = "K".repeat(1 << 20);
    let reply = server
        .post_json(
            "/v1/users",
            &user(&json!({ "labels": { huge_key: "v" } })).to_string(),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert!(reply.body.len() < 16 * 1024, "{} bytes", reply.body.len());
}
