//! The gRPC glue of a service (`grpc=true`): any implementation of the
//! service trait served through tonic's generated server, and a client whose
//! methods return `kratos::Error`s. tonic's own code (modules `xxx_server` and
//! `xxx_client`) comes from tonic-prost-build or protoc-gen-tonic into the same
//! module.

use std::fmt::Write as _;

use kratos_codegen::to_snake_case;

use super::Emitter;
use super::service::operation_const;
use super::text::{chain, list};
use crate::model::{Method, MethodKind, Service};

/// `XxxGrpcService`, `register_xxx_grpc_server` and `XxxGrpcClient`.
pub(crate) fn grpc(emitter: &Emitter<'_>, service: &Service, out: &mut String) {
    let name = &service.name;
    let snake = to_snake_case(name);
    let trait_name = format!("{name}HttpServer");
    let glue = format!("{name}GrpcService");
    let client = format!("{name}GrpcClient");
    let server_module = format!("{snake}_server");

    let _ = writeln!(
        out,
        "/// Serves any [`{trait_name}`] over gRPC through tonic's `{server_module}::{name}`, \
         with the same context and middleware as over HTTP.\n\
         pub struct {glue}<S> {{\n    \
             service: __kratos::Arc<S>,\n    \
             handle: __kratos::ServerHandle,\n\
         }}\n\
         impl<S> {glue}<S> {{\n    \
             /// Serves `service` with the settings (middleware, timeout) of the server `handle`\n    \
             /// comes from.\n    \
             pub fn new(service: S, handle: __kratos::ServerHandle) -> Self {{\n        \
                 Self {{\n            \
                     service: __kratos::Arc::new(service),\n            \
                     handle,\n        \
                 }}\n    \
             }}\n\
         }}\n\
         #[allow(deprecated)]\n\
         #[::tonic::async_trait]\n\
         impl<S: {trait_name}> {server_module}::{name} for {glue}<S> {{"
    );
    for method in &service.methods {
        server_method(emitter, method, out);
    }
    out.push_str("}\n");

    let _ = write!(
        out,
        "/// Registers `service` on `server` as the gRPC service `{}`.\n\
         pub fn register_{snake}_grpc_server<S: {trait_name}>(\n    \
             server: &mut __kratos::GrpcServer,\n    \
             service: S,\n\
         ) {{\n    \
             let handle = server.handle();\n",
        service.descriptor.full_name()
    );
    list(
        out,
        "    ",
        "server.add_service(",
        &[format!(
            "{server_module}::{name}Server::new({glue}::new(service, handle))"
        )],
        ");",
    );
    out.push_str("}\n");
    super::client_head(
        out,
        format_args!("Calls the `{name}` service over gRPC; errors come back as `kratos::Error`s."),
        &client,
        ("GrpcClient", "gRPC"),
        "#[allow(deprecated)]\n",
    );
    for method in &service.methods {
        client_method(emitter, service, method, out);
    }
    out.push_str("}\n");
}

/// One method of the gRPC client, calling tonic's client through the kratos client's glue for
/// its kind.
fn client_method(emitter: &Emitter<'_>, service: &Service, method: &Method, out: &mut String) {
    let name = &method.rust_name;
    let (input, output) = emitter.handler_types(method);
    let streamed_input = || {
        format!(
            "requests: impl __kratos::Stream<Item = {}> + __kratos::Send + 'static",
            emitter.rust_type(&method.input)
        )
    };
    let (doc, call, requests) = match method.kind {
        MethodKind::Unary => (
            " Calls `{}` over gRPC.",
            "unary",
            format!("request: {input}"),
        ),
        MethodKind::ServerStreaming => (
            " Calls `{}` over gRPC: the replies as they come; drop the stream to cancel.",
            "server_streaming",
            format!("request: {input}"),
        ),
        MethodKind::ClientStreaming => (
            " Calls `{}` over gRPC, sending `requests` as they come.",
            "client_streaming",
            streamed_input(),
        ),
        MethodKind::BidiStreaming => (
            " Calls `{}` over gRPC: `requests` go out as they come, the replies come \
             back as they are sent; drop the stream to cancel.",
            "bidi_streaming",
            streamed_input(),
        ),
    };
    let argument = if method.kind.streams_requests() {
        "requests"
    } else {
        "request"
    };
    let _ = writeln!(out, "    ///{}", doc.replace("{}", &method.name));
    if method.deprecated {
        out.push_str("    #[deprecated]\n");
    }
    list(
        out,
        "    ",
        &format!("pub async fn {name}("),
        &["&self".to_owned(), requests],
        &format!(") -> __kratos::Result<{output}> {{"),
    );
    let mut tonic_call = String::new();
    chain(
        &mut tonic_call,
        "                    ",
        &format!(
            "{}_client::{}Client::new(channel)",
            to_snake_case(&service.name),
            service.name
        ),
        &[format!("{name}(request)"), "await".to_owned()],
        "",
    );
    let _ = write!(
        out,
        "        self.client\n            \
             .{call}(\n                \
                 {},\n                \
                 {argument},\n                \
                 |channel, request| async move {{\n\
         {tonic_call}                \
                 }},\n            \
             )\n            \
             .await\n    \
         }}\n",
        operation_const(method)
    );
}

/// One method of tonic's server trait, calling the service trait through the handle's glue
/// for its kind.
fn server_method(emitter: &Emitter<'_>, method: &Method, out: &mut String) {
    let name = &method.rust_name;
    let input = emitter.rust_type(&method.input);
    let output = emitter.rust_type(&method.output);
    let glue = match method.kind {
        MethodKind::Unary => "unary",
        MethodKind::ServerStreaming => "server_streaming",
        MethodKind::ClientStreaming => "client_streaming",
        MethodKind::BidiStreaming => "bidi_streaming",
    };
    let request = if method.kind.streams_requests() {
        format!("::tonic::Request<::tonic::Streaming<{input}>>")
    } else {
        format!("::tonic::Request<{input}>")
    };
    let reply = if method.kind.streams_replies() {
        let stream = format!("{}Stream", method.name);
        let _ = writeln!(out, "    type {stream} = __kratos::ServerStream<{output}>;");
        format!("Self::{stream}").into()
    } else {
        output
    };
    list(
        out,
        "    ",
        &format!("async fn {name}("),
        &["&self".to_owned(), format!("request: {request}")],
        &format!(") -> __kratos::Result<::tonic::Response<{reply}>, ::tonic::Status> {{"),
    );
    let _ = writeln!(
        out,
        "        let service = __kratos::Arc::clone(&self.service);\n        \
             self.handle\n            \
                 .{glue}(\n                \
                     {},\n                \
                     request,\n                \
                     move |ctx, message| {{\n                    \
                         let service = __kratos::Arc::clone(&service);\n                    \
                         async move {{ service.{name}(ctx, message).await }}\n                \
                     }},\n            \
                 )\n            \
                 .await\n    \
         }}",
        operation_const(method)
    );
}
