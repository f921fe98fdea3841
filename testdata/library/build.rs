//! Generates the library API (HTTP and gRPC) from testdata/proto with the vendored protoc.

fn main() -> std::io::Result<()> {
    kratos_build::configure()
        .grpc(true)
        .compile(&["../proto/library/v1/library.proto"], &["../proto"])
}
