#![doc = include_str!("../README.md")]
#![cfg_attr(
    not(test),
    warn(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod args;
mod buf_order;
mod create;
mod descriptors;
mod error;
mod project;
mod proto_add;
mod proto_client;
mod proto_server;
mod run;
mod template;
mod vendor;

pub use error::CliError;

use args::Command;

/// `kratos help`.
pub const HELP: &str = "\
kratos: Kratos services in Rust (kratos-rs)

usage:
  kratos new NAME [--kratos-path DIR | --kratos-git URL [--rev REV]]
      Writes ./NAME, a service in kratos-layout's shape: api/NAME/v1/*.proto, configs/,
      src/{server,service,biz,data,conf}, build.rs, Dockerfile, a test. `cargo run` serves a
      Greeter over HTTP (:8000) and gRPC (:9000). kratos-rs comes from a checkout
      (--kratos-path, whose Cargo.lock is copied so versions match) or git (default
      https://github.com/kratos-rs/kratos-rs).
  kratos proto add api/x/v1/x.proto
      Writes a proto with a CRUD service (Create/Update/Delete/Get/List) and HTTP rules;
      package and options from the path. Never replaces a file.
  kratos proto client PATH [-o DIR] [-I DIR]...
      Generates PATH's code now: `buf generate --path PATH` when ./buf.gen.yaml exists and buf
      runs, else the vendored protoc into DIR (default gen/). A project from `kratos new` does
      not need it: its build.rs generates the same code at every build.
  kratos proto server PATH [-t DIR] [-I DIR]...
      Writes DIR/<service>.rs (default src/service) per service in PATH: a type implementing
      the generated <Service>HttpServer trait, every method answering 501 UNIMPLEMENTED, and
      the lines that register it. Never replaces a file.
  kratos proto vendor [DIR]
      Writes the protos kratos-rs APIs import (errors, google/api, buf/validate) under DIR
      (default third_party/) for buf and editors; existing files are kept.
  kratos run [-- ARGS]
      cargo run -- ARGS in the current project.
  kratos help | version

-I DIR: protoc include directories (default: api/ and third_party/ where they exist, else .);
kratos-rs' protos (google/api, errors, buf/validate) and the well-known types are always there.";

/// Runs the command `args` (without the program name) in the current directory.
pub fn run(args: &[String]) -> Result<(), CliError> {
    match args::parse(args)? {
        Command::Help => println!("{HELP}"),
        Command::Version => println!("kratos {}", env!("CARGO_PKG_VERSION")),
        Command::New { name, source } => project::new_project(&name, &source)?,
        Command::ProtoAdd { path } => proto_add::add_proto(&path)?,
        Command::ProtoClient {
            path,
            out,
            includes,
        } => proto_client::generate(&path, &out, &includes)?,
        Command::ProtoServer {
            path,
            target,
            includes,
        } => proto_server::write_stubs(&path, &target, &includes)?,
        Command::ProtoVendor { dir } => vendor::vendor_protos(&dir)?,
        Command::Run { args } => run::run_project(&args)?,
    }
    Ok(())
}
