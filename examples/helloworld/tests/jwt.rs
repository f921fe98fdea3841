//! The JWT middleware on real servers: tokens signed by the client middleware (HS256, RS256,
//! ES256) reach the handler's claims over HTTP and gRPC; every bad token is a 401.

#[macro_use]
#[path = "support/streams.rs"]
mod streams;
use std::sync::Arc;

mod support;

use base64::Engine as _;
use helloworld::api;
use kratos::errors::Error;
use kratos::middleware::Handler;
use kratos::middleware::jwt::{self, Jwt, SigningKey, VerifyingKey};
use kratos::transport::{Context, grpc, http};
use serde_json::json;
use support::{Running, serve_grpc, serve_http};

const SECRET: &[u8] = b"kratos-test-secret";

fn key(name: &str) -> Vec<u8> {
    let path = format!(
        "{}/../../runtime/tests/keys/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// Greets the token's subject.
struct Whoami;

#[derive(serde::Deserialize)]
struct Subject {
    sub: String,
}

impl api::GreeterHttpServer for Whoami {
    async fn say_hello(
        &self,
        ctx: Context,
        _: api::HelloRequest,
    ) -> Result<api::HelloReply, Error> {
        let subject: Subject =
            jwt::claims(&ctx).ok_or_else(|| kratos::errors::unauthorized("X", "no claims"))?;
        Ok(api::HelloReply {
            message: format!("Hello {}", subject.sub),
        })
    }

    example_streams!();
}

async fn http_server(auth: Jwt) -> Running {
    let mut server = http::Server::new().middleware(auth);
    api::register_greeter_http_server(&mut server, Whoami).unwrap();
    serve_http(server).await
}

fn later() -> u64 {
    4_102_444_800 // 2100-01-01
}

fn hello() -> api::HelloRequest {
    api::HelloRequest {
        name: "x".to_owned(),
    }
}

#[tokio::test]
async fn signed_tokens_reach_the_handler_for_every_algorithm() {
    let claims = json!({"sub": "alice", "exp": later()});
    let cases = [
        (
            Jwt::server(VerifyingKey::hs256(SECRET)),
            Jwt::client(SigningKey::hs256(SECRET), claims.clone()),
        ),
        (
            Jwt::server(VerifyingKey::rs256_pem(&key("rsa_public.pem")).unwrap()),
            Jwt::client(
                SigningKey::rs256_pem(&key("rsa_private.pem")).unwrap(),
                claims.clone(),
            ),
        ),
        (
            Jwt::server(VerifyingKey::es256_pem(&key("ec_public.pem")).unwrap()),
            Jwt::client(
                SigningKey::es256_pem(&key("ec_private.pem")).unwrap(),
                claims.clone(),
            ),
        ),
    ];
    for (server, signer) in cases {
        let running = http_server(server).await;
        let client = api::GreeterHttpClient::new(
            http::Client::builder(&format!("http://{}", running.address))
                .middleware(signer)
                .build()
                .unwrap(),
        );
        assert_eq!(
            client.say_hello(hello()).await.unwrap().message,
            "Hello alice"
        );
    }
}

#[tokio::test]
async fn tokens_over_grpc_and_a_rejection() {
    let mut server = grpc::Server::new().middleware(Jwt::server(VerifyingKey::hs256(SECRET)));
    api::register_greeter_grpc_server(&mut server, Whoami);
    let running = serve_grpc(server).await;
    let signed = api::GreeterGrpcClient::new(
        grpc::Client::builder(running.url())
            .middleware(Jwt::client(
                SigningKey::hs256(SECRET),
                json!({"sub": "bob", "exp": later()}),
            ))
            .build()
            .unwrap(),
    );
    assert_eq!(
        signed.say_hello(hello()).await.unwrap().message,
        "Hello bob"
    );
    let anonymous = api::GreeterGrpcClient::new(grpc::Client::new(running.url()).unwrap());
    let err = anonymous.say_hello(hello()).await.unwrap_err();
    assert_eq!(
        (err.code(), err.reason(), err.message()),
        (401, "UNAUTHORIZED", "JWT token is missing")
    );
}

fn b64(value: &serde_json::Value) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string())
}

/// Sends `authorization` as is.
fn with_header(value: String) -> impl Fn(Handler) -> Handler + Send + Sync + 'static {
    move |next: Handler| -> Handler {
        let value = value.clone();
        Arc::new(move |mut ctx: Context, request| {
            ctx.request_headers_mut()
                .insert("authorization", value.parse().unwrap());
            next(ctx, request)
        })
    }
}

#[tokio::test]
async fn every_bad_token_is_a_401_with_its_reason() {
    let running = http_server(Jwt::server(VerifyingKey::hs256(SECRET))).await;
    let expired = token_from(Jwt::client(
        SigningKey::hs256(SECRET),
        json!({"sub": "a", "exp": 1_000_000_000_u64}),
    ))
    .await;
    let wrong_secret = token_from(Jwt::client(
        SigningKey::hs256(b"other"),
        json!({"sub": "a", "exp": later()}),
    ))
    .await;
    let none = format!(
        "{}.{}.",
        b64(&json!({"alg": "none", "typ": "JWT"})),
        b64(&json!({"sub": "a"}))
    );
    let rs256 = {
        let signer = Jwt::client(
            SigningKey::rs256_pem(&key("rsa_private.pem")).unwrap(),
            json!({"sub": "a", "exp": later()}),
        );
        token_from(signer).await
    };
    let cases = [
        (None, "JWT token is missing"),
        (Some("Basic abc".to_owned()), "JWT token is missing"),
        (
            Some("Bearer not.a.token".to_owned()),
            "Fail to parse JWT token",
        ),
        (Some(format!("Bearer {expired}")), "JWT token has expired"),
        (Some(format!("Bearer {wrong_secret}")), "Token is invalid"),
        (Some(format!("Bearer {none}")), "Wrong signing method"),
        (Some(format!("Bearer {rs256}")), "Wrong signing method"),
    ];
    for (header, message) in cases {
        let mut builder = http::Client::builder(&format!("http://{}", running.address));
        if let Some(value) = header.clone() {
            builder = builder.middleware(with_header(value));
        }
        let client = api::GreeterHttpClient::new(builder.build().unwrap());
        let err = client.say_hello(hello()).await.unwrap_err();
        assert_eq!(
            (err.code(), err.reason(), err.message()),
            (401, "UNAUTHORIZED", message),
            "{header:?}"
        );
    }
}

/// The token a client middleware would send.
async fn token_from(signer: Jwt) -> String {
    let mut chain = kratos::middleware::Chain::new();
    chain.push(signer);
    let ctx = Context::new(
        kratos::transport::Kind::Http,
        "/a.B/C",
        kratos::http::HeaderMap::new(),
    );
    chain
        .call(ctx, (), |ctx, ()| async move {
            let value = ctx.request_headers()["authorization"]
                .to_str()
                .unwrap()
                .to_owned();
            Ok(value.trim_start_matches("Bearer ").to_owned())
        })
        .await
        .unwrap()
}
