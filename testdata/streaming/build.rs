//! Generates the streaming test API (messages, their JSON and reflection, tonic's stubs) with
//! the vendored protoc. The kratos glue for its streaming methods is hand-written in
//! `tests/support/planned.rs`, in the shape the generator is to emit.

fn main() -> std::io::Result<()> {
    kratos_build::configure()
        .grpc(true)
        .compile(&["proto/streaming/v1/streaming.proto"], &["proto"])
}
