//! OpenTelemetry tracing over real connections: an HTTP client calls an HTTP server whose
//! handler calls a gRPC server; the SDK's in-memory exporter sees one trace of four spans, each
//! the parent of the next.

#[macro_use]
#[path = "support/streams.rs"]
mod streams;
use std::net::SocketAddr;

use helloworld::api;
use kratos::errors::Error;
use kratos::middleware::tracing::{Tracing, trace_id};
use kratos::transport::{Context, grpc, http};
use opentelemetry::trace::SpanKind;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use tokio::net::TcpListener;
use tokio::sync::oneshot;

/// Calls the downstream greeter and reports its own trace id.
struct Front {
    downstream: api::GreeterGrpcClient,
}

impl api::GreeterHttpServer for Front {
    async fn say_hello(
        &self,
        ctx: Context,
        request: api::HelloRequest,
    ) -> Result<api::HelloReply, Error> {
        let reply = self.downstream.say_hello(request).await?;
        Ok(api::HelloReply {
            message: format!("{} {}", reply.message, trace_id(&ctx).unwrap_or_default()),
        })
    }

    example_streams!();
}

async fn listen() -> (TcpListener, SocketAddr) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    (listener, address)
}

#[tokio::test]
async fn one_trace_across_http_and_grpc() {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder()
        .with_simple_exporter(exporter.clone())
        .build();
    let (_stop_back, back_stopped) = oneshot::channel::<()>();
    let (_stop_front, front_stopped) = oneshot::channel::<()>();

    let mut back = grpc::Server::new().middleware(Tracing::server().with_provider(&provider));
    api::register_greeter_grpc_server(&mut back, helloworld::Greeter::default());
    let (listener, back_address) = listen().await;
    tokio::spawn(back.serve_listener(listener, async {
        let _ = back_stopped.await;
    }));

    let downstream = api::GreeterGrpcClient::new(
        grpc::Client::builder(format!("http://{back_address}"))
            .middleware(Tracing::client().with_provider(&provider))
            .build()
            .unwrap(),
    );
    let mut front = http::Server::new().middleware(Tracing::server().with_provider(&provider));
    api::register_greeter_http_server(&mut front, Front { downstream }).unwrap();
    let (listener, front_address) = listen().await;
    tokio::spawn(front.serve_listener(listener, async {
        let _ = front_stopped.await;
    }));

    let client = api::GreeterHttpClient::new(
        http::Client::builder(&format!("http://{front_address}"))
            .middleware(Tracing::client().with_provider(&provider))
            .build()
            .unwrap(),
    );
    let reply = client
        .say_hello(api::HelloRequest {
            name: "otel".to_owned(),
        })
        .await
        .unwrap();

    let spans = exporter.get_finished_spans().unwrap();
    assert_eq!(spans.len(), 4, "{spans:#?}");
    let trace = spans[0].span_context.trace_id();
    assert!(spans.iter().all(|s| s.span_context.trace_id() == trace));
    assert!(
        reply.message.ends_with(&trace.to_string()),
        "{}",
        reply.message
    );
    // client(HTTP) -> server(HTTP) -> client(gRPC) -> server(gRPC), each the parent of the next.
    let find = |kind: SpanKind, transport: &str| {
        spans
            .iter()
            .find(|s| {
                s.span_kind == kind
                    && s.attributes.iter().any(|a| {
                        a.key.as_str() == "kratos.transport" && a.value.as_str() == transport
                    })
            })
            .unwrap_or_else(|| panic!("no {kind:?} {transport} span"))
    };
    let http_client = find(SpanKind::Client, "http");
    let http_server = find(SpanKind::Server, "http");
    let grpc_client = find(SpanKind::Client, "grpc");
    let grpc_server = find(SpanKind::Server, "grpc");
    assert_eq!(
        http_server.parent_span_id,
        http_client.span_context.span_id()
    );
    assert_eq!(
        grpc_client.parent_span_id,
        http_server.span_context.span_id()
    );
    assert_eq!(
        grpc_server.parent_span_id,
        grpc_client.span_context.span_id()
    );
    assert!(
        spans
            .iter()
            .all(|s| s.name == api::OPERATION_GREETER_SAY_HELLO)
    );
}
