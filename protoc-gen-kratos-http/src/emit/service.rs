//! The server side of a service: operation constants, the service trait, the
//! register function and one route description per binding.

use std::fmt::{self, Write as _};

use kratos_codegen::to_snake_case;

use super::Emitter;
use super::text::{self, Str, docs, list};
use crate::model::{Binding, Body, HttpMethod, Method, MethodKind, Service};

/// Everything emitted for one service.
pub(crate) fn service(emitter: &Emitter<'_>, service: &Service, out: &mut String) {
    let name = &service.name;
    let trait_name = format!("{name}HttpServer");
    let register = format!("register_{}_http_server", to_snake_case(name));

    for method in &service.methods {
        let _ = writeln!(
            out,
            "/// Operation of `{name}.{}`: the gRPC full method name, which middleware selects on.\n\
             pub const {}: &str = {};",
            method.name,
            operation_const(method),
            Str(&method.operation),
        );
    }

    let mut trait_doc = service.doc.clone();
    if !trait_doc.is_empty() {
        trait_doc.push(String::new());
    }
    trait_doc.push(format!(
        " The `{name}` service as served over HTTP: implement it once, register it with [`{register}`]."
    ));
    docs(out, "", &trait_doc);
    let _ = writeln!(
        out,
        "pub trait {trait_name}: __kratos::Send + __kratos::Sync + 'static {{"
    );
    for method in &service.methods {
        let (input, output) = emitter.handler_types(method);
        let request = if method.kind.streams_requests() {
            "requests"
        } else {
            "request"
        };
        docs(out, "    ", &method.doc);
        if method.deprecated {
            out.push_str("    #[deprecated]\n");
        }
        let _ = writeln!(
            out,
            "    fn {}(\n        &self,\n        ctx: __kratos::Context,\n        {request}: {input},",
            method.rust_name
        );
        let returns = format!(
            "    ) -> impl __kratos::Future<Output = __kratos::Result<{output}>> + __kratos::Send;"
        );
        if returns.len() <= text::MARGIN {
            let _ = writeln!(out, "{returns}");
        } else {
            let _ = writeln!(
                out,
                "    ) -> impl __kratos::Future<\n        Output = __kratos::Result<{output}>,\n    > + __kratos::Send;"
            );
        }
    }
    out.push_str("}\n");

    let _ = writeln!(out, "__kratos::forward_to_arc!({trait_name} {{");
    for method in &service.methods {
        let (input, output) = emitter.handler_types(method);
        let _ = writeln!(out, "    {}({input}) -> {output};", method.rust_name);
    }
    out.push_str("});\n");

    let _ = writeln!(
        out,
        "/// Registers `service` on `server`, one route per HTTP binding of `{name}`:\n///"
    );
    for method in &service.methods {
        let streamed = if method.kind == MethodKind::ServerStreaming {
            " (streamed: SSE or NDJSON)"
        } else {
            ""
        };
        for binding in &method.bindings {
            let _ = writeln!(
                out,
                "/// - `{} {}` -> `{}`{streamed}",
                super::method_label(&binding.method),
                binding.template.as_str(),
                method.rust_name
            );
        }
    }
    // Naming a deprecated method (`S::old`) is a use of it.
    if service.methods.iter().any(|m| m.deprecated) {
        out.push_str("#[allow(deprecated)]\n");
    }
    let _ = writeln!(
        out,
        "pub fn {register}<S: {trait_name}>(\n    \
             server: &mut __kratos::HttpServer,\n    \
             service: S,\n\
         ) -> __kratos::Result<(), __kratos::RegisterError> {{\n    \
             let mut routes = __kratos::Routes::new(server, service);"
    );
    for method in &service.methods {
        let register = if method.kind == MethodKind::ServerStreaming {
            "server_stream"
        } else {
            "unary"
        };
        for index in 0..method.bindings.len() {
            list(
                out,
                "    ",
                &format!("routes.{register}("),
                &[
                    &format!("&{}", route_const(method, index)),
                    &format!("S::{}", method.rust_name),
                ],
                ")?;",
            );
        }
    }
    out.push_str("    __kratos::Ok(())\n}\n");

    for method in &service.methods {
        for (index, binding) in method.bindings.iter().enumerate() {
            route_item(emitter, method, index, binding, out);
        }
    }
}

/// `OPERATION_GREETER_SAY_HELLO`: the constant naming a method's operation.
pub(crate) fn operation_const(method: &Method) -> ConstName<'_> {
    ConstName("OPERATION_", method, 0)
}

/// The name of the `const` describing binding `index` of `method`: `ROUTE_GREETER_SAY_HELLO`
/// for the first, then `_1`, `_2`, ... for additional bindings.
pub(crate) fn route_const(method: &Method, index: usize) -> ConstName<'_> {
    ConstName("ROUTE_", method, index)
}

/// A constant of a method: the prefix, the method's `const_name` and the binding's index
/// after the first, written where it is formatted.
pub(crate) struct ConstName<'a>(&'static str, &'a Method, usize);

impl fmt::Display for ConstName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)?;
        f.write_str(&self.1.const_name)?;
        match self.2 {
            0 => Ok(()),
            index => write!(f, "_{index}"),
        }
    }
}

/// The `const` describing one binding, and the function expanding its path from a request (for
/// the first binding, which the client calls).
fn route_item(
    emitter: &Emitter<'_>,
    method: &Method,
    index: usize,
    binding: &Binding,
    out: &mut String,
) {
    let is_empty_input = method.input.full_name() == "google.protobuf.Empty";
    let input = if is_empty_input {
        "()".into()
    } else {
        emitter.rust_type(&method.input)
    };
    let route = route_const(method, index).to_string();
    let http_method = match &binding.method {
        HttpMethod::Named(name) => name.as_str(),
        HttpMethod::Any => "*",
    };
    let _ = writeln!(
        out,
        "const {route}: __kratos::Route<{input}> = __kratos::Route {{\n    \
             operation: {},\n    \
             method: {},\n    \
             template: {},",
        operation_const(method),
        Str(http_method),
        Str(binding.template.as_str()),
    );
    // Only what differs from `Route::DEFAULT` (empty, `None`).
    match &binding.body {
        Body::None => {}
        Body::All => out.push_str("    body: \"*\",\n"),
        Body::Field(field) => {
            let _ = writeln!(out, "    body: {},", Str(field.name()));
        }
    }
    if let Some(field) = &binding.response_body {
        let _ = writeln!(out, "    response_body: {},", Str(field.name()));
    }
    let mut exclude: Vec<String> = binding
        .path_fields
        .iter()
        .map(|path| {
            let names: Vec<String> = path.steps.iter().map(|f| text::string(f.name())).collect();
            format!("&[{}]", names.join(", "))
        })
        .collect();
    if let Body::Field(field) = &binding.body {
        exclude.push(format!("&[{}]", text::string(field.name())));
    }
    if !exclude.is_empty() {
        list(out, "    ", "exclude: &[", &exclude, "],");
    }
    if !is_empty_input {
        let _ = writeln!(
            out,
            "    bind_query: __kratos::Some({}),",
            Emitter::query_fn_name(&method.input)
        );
    }
    let client_calls = index == 0;
    if client_calls && !is_empty_input && !matches!(binding.body, Body::All) {
        let _ = writeln!(
            out,
            "    write_query: __kratos::Some({}),",
            super::client::query_fn_name(&method.input)
        );
    }
    let suffix = route.trim_start_matches("ROUTE_").to_ascii_lowercase();
    let write_path = client_calls
        .then(|| super::client::write_path_fn(emitter, binding, &input, &suffix))
        .flatten();
    if let Some((function, _)) = &write_path {
        let _ = writeln!(out, "    write_path: __kratos::Some({function}),");
    }
    out.push_str("    ..__kratos::Route::DEFAULT\n};\n");
    if let Some((_, code)) = write_path {
        out.push_str(&code);
    }
}
