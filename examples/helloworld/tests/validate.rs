//! The validate middleware on real servers: `HelloRequest.name` carries buf.validate rules
//! (1 to 64 characters) in greeter.proto; a violation is `400 VALIDATOR` naming the field and
//! the rule, over HTTP and over gRPC, the handler never runs, and valid calls go through.

mod support;

use helloworld::api;
use kratos::middleware::metrics::Registry;
use kratos::transport::{grpc, http};
use support::{Running, serve_grpc, serve_http};

/// The example's HTTP and gRPC servers, with the chain `main` serves with.
async fn serve() -> (Running, Running) {
    let registry = Registry::new();
    let chain = helloworld::server_middleware(&registry);
    let http_server = helloworld::http_server().unwrap().middleware(chain.clone());
    let grpc_server = helloworld::grpc_server().middleware(chain);
    (serve_http(http_server).await, serve_grpc(grpc_server).await)
}

fn hello(name: &str) -> api::HelloRequest {
    api::HelloRequest {
        name: name.to_owned(),
    }
}

#[tokio::test]
async fn violations_are_400_validator_with_field_and_rule_on_both_transports() {
    let (h, g) = serve().await;
    let http_client = api::GreeterHttpClient::new(http::Client::new(&h.url()).unwrap());
    let grpc_client = api::GreeterGrpcClient::new(grpc::Client::new(g.url()).unwrap());
    let long = "x".repeat(65);

    // Over HTTP the name comes from the path: too long.
    let err = http_client.say_hello(hello(&long)).await.unwrap_err();
    assert_eq!((err.code(), err.reason()), (400, "VALIDATOR"), "{err:?}");
    assert_eq!(
        err.message(),
        "invalid request: name: value length must be at most 64 characters [string.max_len]"
    );
    assert_eq!(
        err.metadata().get("name").map(String::as_str),
        Some("string.max_len")
    );

    // Over gRPC: empty and too long, the same error (sent as INVALID_ARGUMENT + ErrorInfo).
    let err = grpc_client.say_hello(hello("")).await.unwrap_err();
    assert_eq!((err.code(), err.reason()), (400, "VALIDATOR"), "{err:?}");
    assert_eq!(
        err.message(),
        "invalid request: name: value length must be at least 1 characters [string.min_len]"
    );
    assert_eq!(
        err.metadata().get("name").map(String::as_str),
        Some("string.min_len")
    );
    let err = grpc_client.say_hello(hello(&long)).await.unwrap_err();
    assert_eq!(
        (
            err.code(),
            err.reason(),
            err.metadata().get("name").cloned()
        ),
        (400, "VALIDATOR", Some("string.max_len".to_owned()))
    );

    // Valid names reach the handler on both; its own errors are untouched.
    assert_eq!(
        http_client
            .say_hello(hello("kratos"))
            .await
            .unwrap()
            .message,
        "Hello kratos"
    );
    assert_eq!(
        grpc_client
            .say_hello(hello(&"y".repeat(64)))
            .await
            .unwrap()
            .message,
        format!("Hello {}", "y".repeat(64))
    );
    let err = grpc_client.say_hello(hello("error")).await.unwrap_err();
    assert_eq!((err.code(), err.reason()), (404, "USER_NOT_FOUND"));
}

/// What an outside client sees on the wire: status 400 and the Kratos error JSON.
#[tokio::test]
async fn the_http_answer_is_kratos_error_json() {
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let (h, _g) = serve().await;
    let long = "z".repeat(80);
    let mut stream = tokio::net::TcpStream::connect(h.address).await.unwrap();
    stream
        .write_all(
            format!("GET /helloworld/{long} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                .as_bytes(),
        )
        .await
        .unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).await.unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 400 "), "{head}");
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "code": 400,
            "reason": "VALIDATOR",
            "message": "invalid request: name: value length must be at most 64 characters [string.max_len]",
            "metadata": {"name": "string.max_len"}
        })
    );
}

#[tokio::test]
async fn rejected_calls_are_counted_alike_on_both_transports() {
    // HTTP runs the example's chain typed, gRPC through the erased chain: a rejected call is
    // counted by the metrics middleware (outside validation) the same way on both.
    let registry = Registry::new();
    let chain = helloworld::server_middleware(&registry);
    let h = serve_http(helloworld::http_server().unwrap().middleware(chain.clone())).await;
    let g = serve_grpc(helloworld::grpc_server().middleware(chain)).await;
    let http_client = api::GreeterHttpClient::new(http::Client::new(&h.url()).unwrap());
    let grpc_client = api::GreeterGrpcClient::new(grpc::Client::new(g.url()).unwrap());
    let long = "x".repeat(65);
    for _ in 0..2 {
        http_client.say_hello(hello(&long)).await.unwrap_err();
        grpc_client.say_hello(hello(&long)).await.unwrap_err();
    }
    http_client.say_hello(hello("kratos")).await.unwrap();
    grpc_client.say_hello(hello("kratos")).await.unwrap();
    let text = registry.render();
    for kind in ["http", "grpc"] {
        let rejected = format!(
            "server_requests_code_total{{kind=\"{kind}\",operation=\"/helloworld.v1.Greeter/SayHello\",code=\"400\",reason=\"VALIDATOR\"}} 2"
        );
        let served = format!(
            "server_requests_code_total{{kind=\"{kind}\",operation=\"/helloworld.v1.Greeter/SayHello\",code=\"0\",reason=\"\"}} 1"
        );
        assert!(text.contains(&rejected), "{rejected}\n{text}");
        assert!(text.contains(&served), "{served}\n{text}");
    }
}
