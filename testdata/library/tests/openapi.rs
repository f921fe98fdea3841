//! The OpenAPI document against the routes it describes: the library server serves its own
//! document (kratos-build's `openapi(true)`) at `/q/openapi.json`; every Library operation in it
//! is turned into real requests (path parameters, then each query parameter, a body where the
//! document asks for one) that must reach the operation's method; and the document has as many
//! Library operations as the generated registration has unary routes.

mod support;

use std::sync::{Arc, Mutex};

use kratos::middleware::Handler;
use kratos::transport::http::{OPENAPI_PATH, Server};
use serde_json::{Value, json};

/// Records the operation of every call that reaches the service.
fn recorder(calls: Arc<Mutex<Vec<&'static str>>>) -> impl Fn(Handler) -> Handler + Send + Sync {
    move |next: Handler| -> Handler {
        let calls = calls.clone();
        Arc::new(move |ctx, message| {
            calls.lock().unwrap().push(ctx.operation());
            next(ctx, message)
        })
    }
}

/// A value of `schema` (resolving nothing: references become `{}`) as JSON.
fn sample(schema: &Value) -> Value {
    if let Some(values) = schema["enum"].as_array() {
        return values.last().cloned().unwrap_or(Value::Null);
    }
    match (schema["type"].as_str(), schema["format"].as_str()) {
        (Some("string"), Some("int64" | "uint64")) => json!("7"),
        (Some("string"), Some("date-time")) => json!("2024-01-02T03:04:05Z"),
        (Some("string"), Some("byte")) => json!("YQ=="),
        (Some("string"), _) if schema["pattern"].is_string() => json!("1.5s"),
        (Some("string"), _) => json!("v"),
        (Some("integer"), _) => json!(7),
        (Some("number"), _) => json!(1.5),
        (Some("boolean"), _) => json!(true),
        (Some("array"), _) => json!([]),
        _ => json!({}),
    }
}

/// `value` as it goes in a path segment or a query value.
fn text(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        other => other.to_string(),
    }
}

fn percent_encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// The query pairs of one documented query parameter, with a sample value.
fn query_pairs(parameter: &Value) -> String {
    let name = parameter["name"].as_str().unwrap();
    if let Some(content) = parameter["content"]["application/json"]["schema"].as_object() {
        let value = match content.get("type").and_then(Value::as_str) {
            Some("object") => json!({"a": 1}),
            Some("array") => json!([1, "b"]),
            _ => json!("any"),
        };
        return format!("{name}={}", percent_encode(&value.to_string()));
    }
    let schema = &parameter["schema"];
    if parameter["style"] == "deepObject" {
        let key = "1";
        let value = text(&sample(&schema["additionalProperties"]));
        return format!("{name}[{key}]={}", percent_encode(&value));
    }
    if schema["type"] == "array" {
        let value = text(&sample(&schema["items"]));
        return format!("{name}={0}&{name}={0}", percent_encode(&value));
    }
    format!("{name}={}", percent_encode(&text(&sample(schema))))
}

/// `/library.v1.Library/GetMessage` from `Library_GetMessage_1`.
fn operation_of(operation_id: &str) -> String {
    let method = operation_id
        .strip_prefix("Library_")
        .and_then(|rest| rest.split('_').next())
        .unwrap();
    format!("/library.v1.Library/{method}")
}

#[tokio::test]
async fn every_documented_operation_reaches_its_route() {
    let calls = Arc::new(Mutex::new(Vec::new()));
    let mut server = Server::new().middleware(recorder(calls.clone()));
    library_service::api::register_library_http_server(&mut server, library_service::Library)
        .unwrap();
    let routes = server.route_count();
    server.openapi(library_service::OPENAPI_DOCUMENT).unwrap();
    let server = support::serve(server).await;

    // The server serves its own document, byte for byte.
    let reply = server.get(OPENAPI_PATH).await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.headers["content-type"], "application/json");
    assert_eq!(reply.body, library_service::OPENAPI_DOCUMENT.as_bytes());
    let document = reply.json();

    // The server ignores query parameters it does not know (as Go Kratos), so a parameter's
    // request proves little by its status: where the method echoes its request, its reply must
    // differ from the reply without the parameter (sample values are never the defaults).
    let unknown = server.get("/v1/echo?int64Valu=7").await;
    assert_eq!(unknown.text(), server.get("/v1/echo").await.text());
    let echoes = |op: &Value| {
        let reply = &op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"];
        ["Kinds", "GetMessageRequest", "GetFileRequest"]
            .iter()
            .any(|name| reply == &format!("#/components/schemas/{name}"))
    };
    let mut echoed = 0;

    let mut operations = 0;
    let mut requests = 0;
    for (path, item) in document["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            if op["tags"][0] != "Library" {
                continue;
            }
            operations += 1;
            let expected = operation_of(op["operationId"].as_str().unwrap());
            let parameters = op["parameters"].as_array().cloned().unwrap_or_default();
            let mut url = path.clone();
            for parameter in parameters.iter().filter(|p| p["in"] == "path") {
                let name = parameter["name"].as_str().unwrap();
                let is_deep = parameter["description"]
                    .as_str()
                    .is_some_and(|d| d.starts_with("Zero or more segments"));
                let value = if is_deep {
                    "a/b".to_owned()
                } else {
                    percent_encode(&text(&sample(&parameter["schema"])))
                };
                url = url.replace(&format!("{{{name}}}"), &value);
            }
            let body = op["requestBody"]["content"]["application/json"]["schema"].clone();
            let body = if body.is_null() {
                String::new()
            } else {
                sample(&body).to_string()
            };
            // One request with the path alone, then one per query parameter.
            let queries: Vec<String> = std::iter::once(String::new())
                .chain(
                    parameters
                        .iter()
                        .filter(|p| p["in"] == "query")
                        .map(query_pairs),
                )
                .collect();
            let mut baseline = None;
            for query in queries {
                let target = if query.is_empty() {
                    url.clone()
                } else {
                    format!("{url}?{query}")
                };
                let headers: &[(&str, &str)] = if body.is_empty() {
                    &[]
                } else {
                    &[("content-type", "application/json")]
                };
                calls.lock().unwrap().clear();
                let reply = server
                    .send(
                        &method.to_ascii_uppercase(),
                        &target,
                        headers,
                        body.as_bytes(),
                    )
                    .await;
                assert_eq!(
                    reply.status,
                    200,
                    "{} {target} (documented {method} {path}): {}",
                    method.to_ascii_uppercase(),
                    reply.text()
                );
                assert_eq!(
                    calls.lock().unwrap().as_slice(),
                    [expected.as_str()],
                    "{method} {target}"
                );
                requests += 1;
                match &baseline {
                    None => baseline = Some(reply.body),
                    Some(without) if echoes(op) && method != "head" => {
                        assert_ne!(
                            &reply.body, without,
                            "{target}: the query parameter was not bound"
                        );
                        echoed += 1;
                    }
                    Some(_) => {}
                }
            }
        }
    }
    // Every unary route is documented: as many Library operations as registered routes but
    // the one stream route (`GET /v1/watch`; OpenAPI documents unary methods only), each
    // documented operation having reached a route of its own method, checked above.
    assert_eq!(
        operations,
        routes - 1,
        "documented operations vs registered unary routes"
    );
    assert!(requests > operations, "query parameters were exercised");
    assert!(
        echoed > 40,
        "only {echoed} query parameters were checked through an echo"
    );
}
