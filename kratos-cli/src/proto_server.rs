//! `kratos proto server PATH -t DIR`: one stub per service of a proto, implementing the
//! generated `<Service>HttpServer` trait with every method answering 501 `UNIMPLEMENTED`.

use std::path::{Path, PathBuf};

use kratos_codegen::{RustTypes, rust_field_ident, to_snake_case};
use prost_reflect::{MethodDescriptor, ServiceDescriptor};

use crate::create::{Created, create_file};
use crate::descriptors::{includes_or_default, read_proto};
use crate::error::CliError;

/// Where stubs go when `-t` is not given.
pub(crate) const DEFAULT_TARGET: &str = "src/service";

/// Writes a stub per service of `proto` into `target`, skipping (and saying so) those whose
/// file exists; prints the lines that register each new one.
pub(crate) fn write_stubs(
    proto: &Path,
    target: &Path,
    includes: &[PathBuf],
) -> Result<(), CliError> {
    let request = read_proto(proto, &includes_or_default(includes))?;
    let services: Vec<ServiceDescriptor> = request
        .files_to_generate()
        .flat_map(|file| file.services().collect::<Vec<_>>())
        .collect();
    if services.is_empty() {
        return Err(CliError::new(format!(
            "{} declares no service: nothing to implement",
            proto.display()
        )));
    }
    for service in &services {
        let module = stub_module(service);
        let path = target.join(format!("{module}.rs"));
        match create_file(&path, &stub(service, &proto.display().to_string()))? {
            Created::Exists => println!(
                "kratos: {} exists, skipped (kratos proto server never replaces a file)",
                path.display()
            ),
            Created::Written => println!(
                "kratos: wrote {}: {}, every method answering 501 UNIMPLEMENTED\n\
                 register it in {}:\n    pub mod {module};\n    {module}::register(http, grpc)?;",
                path.display(),
                service_struct(service),
                target.join("mod.rs").display()
            ),
        }
    }
    Ok(())
}

/// The stub's module (and file) name: the service in snake case.
fn stub_module(service: &ServiceDescriptor) -> String {
    rust_field_ident(service.name())
}

/// The stub's type: `ShopService` for `Shop` (a service already named `...Service` keeps it).
fn service_struct(service: &ServiceDescriptor) -> String {
    let name = kratos_codegen::rust_type_ident(service.name());
    if name.ends_with("Service") {
        name
    } else {
        format!("{name}Service")
    }
}

/// The stub file of `service`, declared in `source`.
fn stub(service: &ServiceDescriptor, source: &str) -> String {
    let package = service.package_name();
    let api = if package.is_empty() {
        "crate::api".to_owned()
    } else {
        format!(
            "crate::api::{}",
            package
                .split('.')
                .map(rust_field_ident)
                .collect::<Vec<_>>()
                .join("::")
        )
    };
    let name = service.name();
    let snake = to_snake_case(name);
    let struct_name = service_struct(service);
    let methods = service
        .methods()
        .map(|method| stub_method(&method))
        .collect::<Vec<_>>()
        .join("\n");
    format!(
        "//! `{full}` ({source}), written by `kratos proto server`: every method\n\
         //! answers 501 `UNIMPLEMENTED` until it is implemented.\n\
         \n\
         use kratos::Error;\n\
         use kratos::transport::{{Context, grpc, http}};\n\
         \n\
         use {api} as api;\n\
         \n\
         /// Implements `{full}` once for both transports.\n\
         #[derive(Debug, Clone, Default)]\n\
         pub struct {struct_name} {{}}\n\
         \n\
         impl api::{rust_name}HttpServer for {struct_name} {{\n\
         {methods}}}\n\
         \n\
         /// Registers the service on both servers.\n\
         pub fn register(\n    http: &mut http::Server,\n    grpc: &mut grpc::Server,\n\
         ) -> Result<(), http::RegisterError> {{\n    \
             let service = {struct_name}::default();\n    \
             api::register_{snake}_http_server(http, service.clone())?;\n    \
             api::register_{snake}_grpc_server(grpc, service);\n    \
             Ok(())\n\
         }}\n",
        full = service.full_name(),
        rust_name = kratos_codegen::rust_type_ident(name),
    )
}

/// One trait method, in the shape the generator gives its kind (docs/streaming.md).
fn stub_method(method: &MethodDescriptor) -> String {
    let input = message_type(method.input().full_name(), method);
    let output = message_type(method.output().full_name(), method);
    let (request, request_type) = if method.is_client_streaming() {
        (
            "_requests",
            format!("kratos::transport::RequestStream<{input}>"),
        )
    } else {
        ("_request", input)
    };
    let reply = if method.is_server_streaming() {
        format!("kratos::transport::ReplyStream<{output}>")
    } else {
        output
    };
    format!(
        "    async fn {ident}(\n        &self,\n        _ctx: Context,\n        {request}: {request_type},\n    \
         ) -> Result<{reply}, Error> {{\n        \
         Err(kratos::errors::unimplemented(\"{name}\"))\n    }}\n",
        ident = rust_field_ident(method.name()),
        name = method.name(),
    )
}

/// A message's Rust type as the stub names it: `api::X` in the service's package, the
/// `crate::api` path of another package, prost's mapping for the well-known types.
fn message_type(full_name: &str, method: &MethodDescriptor) -> String {
    let package = method.parent_service().package_name().to_owned();
    if full_name.starts_with("google.protobuf.") {
        return RustTypes::new(&package).type_path(full_name);
    }
    let from_root = RustTypes::new("").type_path(full_name);
    let local = RustTypes::new(&package).type_path(full_name);
    if local.contains("::") {
        format!("crate::api::{from_root}")
    } else {
        format!("api::{local}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A proto with every method kind, a well-known type and a message of another package,
    /// compiled by the vendored protoc.
    #[test]
    fn stubs_every_method_kind_in_the_generators_trait_shape() {
        let dir = std::env::temp_dir().join(format!("kratos-cli-stub-{}", std::process::id()));
        let write = |name: &str, text: &str| {
            let path = dir.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "common/v1/page.proto",
            "syntax = \"proto3\"; package common.v1; message Page { int32 size = 1; }",
        );
        write(
            "chat/v1/chat.proto",
            "syntax = \"proto3\";\npackage chat.v1;\n\
             import \"google/protobuf/empty.proto\";\nimport \"common/v1/page.proto\";\n\
             message Line { string text = 1; }\n\
             service ChatService {\n\
               rpc Type(common.v1.Page) returns (google.protobuf.Empty);\n\
               rpc Watch(Line) returns (stream Line);\n\
               rpc Upload(stream Line) returns (Line);\n\
               rpc Talk(stream Line) returns (stream Line);\n\
             }\n",
        );
        let request =
            read_proto(&dir.join("chat/v1/chat.proto"), std::slice::from_ref(&dir)).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        let service = request
            .files_to_generate()
            .flat_map(|file| file.services().collect::<Vec<_>>())
            .next()
            .unwrap();
        assert_eq!(stub_module(&service), "chat_service");
        assert_eq!(service_struct(&service), "ChatService");
        let text = stub(&service, "chat/v1/chat.proto");
        for expected in [
            "use crate::api::chat::v1 as api;",
            "impl api::ChatServiceHttpServer for ChatService {",
            "async fn r#type(\n        &self,\n        _ctx: Context,\n        _request: crate::api::common::v1::Page,\n    ) -> Result<(), Error> {\n        Err(kratos::errors::unimplemented(\"Type\"))",
            "_request: api::Line,\n    ) -> Result<kratos::transport::ReplyStream<api::Line>, Error>",
            "_requests: kratos::transport::RequestStream<api::Line>,\n    ) -> Result<api::Line, Error>",
            "_requests: kratos::transport::RequestStream<api::Line>,\n    ) -> Result<kratos::transport::ReplyStream<api::Line>, Error>",
            "api::register_chat_service_http_server(http, service.clone())?;",
            "api::register_chat_service_grpc_server(grpc, service);",
        ] {
            assert!(text.contains(expected), "missing {expected:?} in\n{text}");
        }
    }
}
