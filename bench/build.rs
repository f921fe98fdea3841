//! Generates the benchmark API from `api/bench/v1/bench.proto` with the vendored protoc.

fn main() -> std::io::Result<()> {
    kratos_build::compile_protos(&["api/bench/v1/bench.proto"], &["api"])
}
