//! Streaming through the runtime, over real sockets: HTTP server streaming (SSE and NDJSON,
//! read raw and through the HTTP client) and every gRPC streaming kind through tonic. The
//! service is served by the glue protoc-gen-kratos-http generates (docs/streaming.md), and
//! called through its generated clients.

mod grpc;
mod http;
mod service;
