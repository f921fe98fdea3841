//! The process side of a protoc plugin, shared by every kratos-rs plugin's `main`.

use std::io::{Read, Write};
use std::process::ExitCode;

use crate::{PluginRequest, PluginResponse};

/// Runs a protoc plugin process: answers `--version` and `--help`, otherwise
/// reads a `CodeGeneratorRequest` from stdin, runs `generate`, and writes the
/// `CodeGeneratorResponse` to stdout.
///
/// Generation errors travel in the response (protoc and buf print them and
/// exit non-zero). Input that is not a request at all is reported on stderr
/// as well, with exit code 1, since no protoc is there to print it.
pub fn run_plugin(
    name: &str,
    version: &str,
    generate: impl FnOnce(&PluginRequest) -> PluginResponse,
) -> ExitCode {
    let mut args = std::env::args().skip(1);
    if let Some(arg) = args.next() {
        return match arg.as_str() {
            "--version" | "-V" => {
                println!("{name} {version}");
                ExitCode::SUCCESS
            }
            "--help" | "-h" => {
                println!(
                    "{name} {version}\n\nA protoc plugin: run it through protoc \
                     (--plugin=protoc-gen-NAME=PATH) or buf (local plugin in buf.gen.yaml).\n\
                     It reads a CodeGeneratorRequest on stdin and writes a CodeGeneratorResponse."
                );
                ExitCode::SUCCESS
            }
            other => {
                eprintln!("{name}: unexpected argument {other:?} (try --help)");
                ExitCode::from(2)
            }
        };
    }

    let mut input = Vec::new();
    if let Err(err) = std::io::stdin().read_to_end(&mut input) {
        eprintln!("{name}: cannot read stdin: {err}");
        return ExitCode::FAILURE;
    }
    let (response, status) = match PluginRequest::decode(&input) {
        Ok(request) => {
            let response = generate(&request);
            // The process ends next: freeing a large request's descriptor pool piece by piece
            // would be ~5% of a plugin's run on an API of thousands of methods.
            std::mem::forget(request);
            (response, ExitCode::SUCCESS)
        }
        Err(err) => {
            eprintln!("{name}: {err}");
            (PluginResponse::error(err.to_string()), ExitCode::FAILURE)
        }
    };
    let mut stdout = std::io::stdout().lock();
    if let Err(err) = response.write_to(&mut stdout).and_then(|()| stdout.flush()) {
        eprintln!("{name}: cannot write the response: {err}");
        return ExitCode::FAILURE;
    }
    status
}
