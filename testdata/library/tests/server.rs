//! Server behaviour around the generated routes: context, middleware,
//! timeouts, JSON options and custom encoders.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use kratos::encoding::{Format, JsonOptions};
use kratos::errors::Error;
use kratos::middleware::{Handler, Message};
use kratos::transport::http::Server;
use library_service::api;
use serde_json::json;

#[tokio::test]
async fn context_exposes_operation_and_headers() {
    let server = support::start().await;
    let reply = server
        .send("GET", "/v1/shelves/1", &[("x-echo", "ping")], b"")
        .await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.headers["x-operation"],
        api::OPERATION_LIBRARY_GET_SHELF
    );
    assert_eq!(reply.headers["x-operation"], "/library.v1.Library/GetShelf");
    assert_eq!(reply.headers["x-echo"], "ping");
    // Reply headers set by the handler go out with errors too.
    let reply = server.get("/v1/shelves/404").await;
    assert_eq!(reply.status, 404);
    assert_eq!(reply.headers["x-operation"], "/library.v1.Library/GetShelf");
}

#[tokio::test]
async fn middleware_runs_once_per_call_with_the_operation() {
    let calls = Arc::new(AtomicUsize::new(0));
    let seen = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (counter, operations) = (Arc::clone(&calls), Arc::clone(&seen));
    let server = Server::new().middleware(move |next: Handler| -> Handler {
        let counter = Arc::clone(&counter);
        let operations = Arc::clone(&operations);
        Arc::new(move |ctx, request: Message| {
            counter.fetch_add(1, Ordering::SeqCst);
            operations.lock().unwrap().push(ctx.operation());
            let next = Arc::clone(&next);
            Box::pin(async move {
                // Short-circuit one operation; change the reply of another.
                if ctx.operation() == api::OPERATION_LIBRARY_DELETE_SHELF {
                    return Err(kratos::errors::forbidden(
                        "READ_ONLY",
                        "the library is read-only",
                    ));
                }
                let mut reply = next(ctx, request).await?;
                if let Some(shelf) = reply.downcast_mut::<api::Shelf>() {
                    shelf.theme.push_str(" (checked)");
                }
                Ok(reply)
            })
        })
    });
    let server = support::start_with(server).await;
    let reply = server.get("/v1/shelves/3").await;
    assert_eq!(reply.json(), json!({"id": "3", "theme": "shelf (checked)"}));
    let reply = server.send("DELETE", "/v1/shelves/3", &[], b"").await;
    assert_eq!(reply.status, 403);
    assert_eq!(reply.json()["reason"], json!("READ_ONLY"));
    // A request that fails before the call (bad input) goes through the chain too, as a call
    // of its operation that fails with the decode error, so the access log and metrics see it.
    assert_eq!(server.get("/v1/shelves/x").await.status, 400);
    assert_eq!(calls.load(Ordering::SeqCst), 3);
    assert_eq!(
        *seen.lock().unwrap(),
        [
            "/library.v1.Library/GetShelf",
            "/library.v1.Library/DeleteShelf",
            "/library.v1.Library/GetShelf"
        ]
    );
}

#[tokio::test]
async fn a_slow_handler_times_out_with_504_and_the_server_keeps_serving() {
    let server = support::start_with(Server::new().timeout(Some(Duration::from_millis(50)))).await;
    let reply = server.get("/v1/shelves/999").await;
    assert_eq!(reply.status, 504);
    assert_eq!(reply.json()["reason"], json!("TIMEOUT"));
    assert_eq!(server.get("/v1/shelves/1").await.status, 200);
}

#[tokio::test]
async fn json_options_switch_names_defaults_and_enums() {
    let options = JsonOptions::default()
        .use_proto_names(true)
        .emit_unpopulated(false)
        .enums_as_numbers(true);
    let server = support::start_with(Server::new().json_options(options)).await;
    let body = server
        .get("/v1/echo?int64_value=5&color=GREEN")
        .await
        .json();
    assert_eq!(body, json!({"int64_value": "5", "color": 2}));
}

#[tokio::test]
async fn custom_encoders_wrap_replies_and_errors() {
    let server = Server::new()
        .response_encoder(|format: Format, body: Vec<u8>| {
            let mut wrapped = br#"{"code":0,"message":"OK","data":"#.to_vec();
            wrapped.extend_from_slice(&body);
            wrapped.push(b'}');
            let mut response = kratos::http::Response::new(Full::new(Bytes::from(wrapped)));
            response.headers_mut().insert(
                kratos::http::header::CONTENT_TYPE,
                kratos::http::HeaderValue::from_static(format.content_type()),
            );
            Ok(response)
        })
        .error_encoder(|err: &Error, _format: Format| {
            let body = format!(
                r#"{{"code":{},"message":{:?},"data":null}}"#,
                err.code(),
                err.reason()
            );
            let mut response = kratos::http::Response::new(Full::new(Bytes::from(body)));
            *response.status_mut() = kratos::http::StatusCode::OK;
            response
        });
    let server = support::start_with(server).await;
    let reply = server.get("/v1/shelves/7").await;
    assert_eq!(
        reply.json(),
        json!({"code": 0, "message": "OK", "data": {"id": "7", "theme": "shelf"}})
    );
    let reply = server.get("/v1/shelves/404").await;
    assert_eq!(reply.status, 200);
    assert_eq!(
        reply.json(),
        json!({"code": 404, "message": "SHELF_NOT_FOUND", "data": null})
    );
}
