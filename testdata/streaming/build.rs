//! Generates the streaming test API with the vendored protoc: messages, their JSON and
//! reflection, tonic's stubs, and protoc-gen-kratos-http's service trait, routes, glue and
//! clients for every streaming kind.

fn main() -> std::io::Result<()> {
    kratos_build::configure()
        .grpc(true)
        .compile(&["proto/streaming/v1/streaming.proto"], &["proto"])
}
