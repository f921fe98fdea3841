//! Generates the helloworld API (messages, errors, HTTP routes, gRPC) from its protos with
//! the vendored protoc.

fn main() -> std::io::Result<()> {
    kratos_build::configure().grpc(true).compile(
        &[
            "api/helloworld/v1/greeter.proto",
            "api/helloworld/v1/error_reason.proto",
        ],
        &["api"],
    )
}
