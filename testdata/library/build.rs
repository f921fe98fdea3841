//! Generates the library API from testdata/proto with the vendored protoc.

fn main() -> std::io::Result<()> {
    kratos_build::compile_protos(&["../proto/library/v1/library.proto"], &["../proto"])
}
