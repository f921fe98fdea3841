//! Generates the library API and the validation fixtures (HTTP and gRPC, and their OpenAPI
//! document) from testdata/proto with the vendored protoc.

fn main() -> std::io::Result<()> {
    kratos_build::configure().grpc(true).openapi(true).compile(
        &[
            "../proto/library/v1/library.proto",
            "../proto/validation/v1/validation.proto",
        ],
        &["../proto"],
    )
}
