//! `protoc-gen-kratos-openapi`: see the library crate.

use std::process::ExitCode;

fn main() -> ExitCode {
    kratos_codegen::run_plugin(
        env!("CARGO_PKG_NAME"),
        env!("CARGO_PKG_VERSION"),
        protoc_gen_kratos_openapi::generate,
    )
}
