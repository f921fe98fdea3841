//! Generates the helloworld API from its protos with the vendored protoc.

fn main() -> std::io::Result<()> {
    kratos_build::compile_protos(
        &[
            "api/helloworld/v1/greeter.proto",
            "api/helloworld/v1/error_reason.proto",
        ],
        &["api"],
    )
}
