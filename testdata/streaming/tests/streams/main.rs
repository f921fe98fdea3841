//! Streaming through the runtime, over real sockets: HTTP server streaming (SSE and NDJSON,
//! read raw and through the HTTP client) and every gRPC streaming kind through tonic. The
//! service is served by `streams/planned.rs`, hand-written in the shape the generator is to
//! emit (docs/streaming.md).

mod grpc;
mod http;
mod planned;
mod service;
