//! Generates the library API and the validation fixtures (HTTP and gRPC) from testdata/proto with the vendored protoc.

fn main() -> std::io::Result<()> {
    kratos_build::configure().grpc(true).compile(
        &[
            "../proto/library/v1/library.proto",
            "../proto/validation/v1/validation.proto",
        ],
        &["../proto"],
    )
}
