//! Generates the benchmark API from `api/bench/v1/bench.proto` with the vendored protoc.

fn main() -> std::io::Result<()> {
    kratos_build::configure()
        .grpc(true)
        .compile(&["api/bench/v1/bench.proto"], &["api"])
}
