//! The server side of a service: operation constants, the service trait, the
//! register function and one route handler per binding.

use kratos_codegen::to_snake_case;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::Emitter;
use crate::model::{Binding, Body, HttpMethod, Method, MethodKind, Service};

/// Everything emitted for one service.
pub(crate) fn service(emitter: &Emitter<'_>, service: &Service) -> TokenStream {
    let rt = emitter.runtime;
    let service_snake = to_snake_case(&service.name);
    let trait_name = format_ident!("{}HttpServer", service.name);
    let register = format_ident!("register_{}_http_server", service_snake);

    let constants = service.methods.iter().map(|method| {
        let constant = operation_const(service, method);
        let operation = &method.operation;
        let doc = format!(
            " Operation of `{}.{}`: the gRPC full method name, which middleware selects on.",
            service.name, method.name
        );
        quote! {
            #[doc = #doc]
            pub const #constant: &str = #operation;
        }
    });

    let trait_methods = service.methods.iter().map(|method| {
        let name = super::bind::format_ident_raw(&method.rust_name);
        let (input, output) = emitter.handler_types(method);
        let request = if method.kind.streams_requests() {
            quote!(requests)
        } else {
            quote!(request)
        };
        let docs = doc_attrs(&method.doc);
        let deprecated = method.deprecated.then(|| quote!(#[deprecated]));
        quote! {
            #docs
            #deprecated
            fn #name(
                &self,
                ctx: #rt::Context,
                #request: #input,
            ) -> impl #rt::Future<Output = #rt::Result<#output>>
                   + #rt::Send;
        }
    });

    let forwarding = service.methods.iter().map(|method| {
        let name = super::bind::format_ident_raw(&method.rust_name);
        let (input, output) = emitter.handler_types(method);
        quote!(#name(#input) -> #output;)
    });

    let mut routes = Vec::new();
    let mut route_items = Vec::new();
    for method in &service.methods {
        let name = super::bind::format_ident_raw(&method.rust_name);
        let register = if method.kind == MethodKind::ServerStreaming {
            quote!(server_stream)
        } else {
            quote!(unary)
        };
        for (index, binding) in method.bindings.iter().enumerate() {
            let route = route_const(service, method, index);
            routes.push(quote!(routes.#register(&#route, S::#name)?;));
            route_items.push(route_item(emitter, service, method, index, binding));
        }
    }
    // Naming a deprecated method (`S::old`) is a use of it.
    let allow = service
        .methods
        .iter()
        .any(|m| m.deprecated)
        .then(|| quote!(#[allow(deprecated)]));

    let mut trait_doc = service.doc.clone();
    if !trait_doc.is_empty() {
        trait_doc.push(String::new());
    }
    trait_doc.push(format!(
        " The `{}` service as served over HTTP: implement it once, register it with [`{register}`].",
        service.name
    ));
    let trait_docs = doc_attrs(&trait_doc);
    let routes_doc: Vec<String> = service
        .methods
        .iter()
        .flat_map(|m| m.bindings.iter().map(move |b| (m, b)))
        .map(|(m, b)| {
            let streamed = if m.kind == MethodKind::ServerStreaming {
                " (streamed: SSE or NDJSON)"
            } else {
                ""
            };
            format!(
                " - `{} {}` -> `{}`{streamed}",
                super::method_label(&b.method),
                b.template.as_str(),
                m.rust_name
            )
        })
        .collect();
    let register_doc = format!(
        " Registers `service` on `server`, one route per HTTP binding of `{}`:",
        service.name
    );
    quote! {
        #(#constants)*

        #trait_docs
        pub trait #trait_name: #rt::Send + #rt::Sync + 'static {
            #(#trait_methods)*
        }

        #rt::forward_to_arc!(#trait_name { #(#forwarding)* });

        #[doc = #register_doc]
        #[doc = ""]
        #(#[doc = #routes_doc])*
        #allow
        pub fn #register<S: #trait_name>(
            server: &mut #rt::HttpServer,
            service: S,
        ) -> #rt::Result<(), #rt::RegisterError> {
            let mut routes = #rt::Routes::new(server, service);
            #(#routes)*
            #rt::Ok(())
        }

        #(#route_items)*
    }
}

pub(crate) fn operation_const(service: &Service, method: &Method) -> proc_macro2::Ident {
    format_ident!(
        "OPERATION_{}_{}",
        to_snake_case(&service.name).to_ascii_uppercase(),
        to_snake_case(&method.name).to_ascii_uppercase()
    )
}

fn doc_attrs(lines: &[String]) -> TokenStream {
    quote!(#(#[doc = #lines])*)
}

/// The name of the `const` describing binding `index` of `method`: `ROUTE_GREETER_SAY_HELLO`
/// for the first, then `_1`, `_2`, ... for additional bindings.
pub(crate) fn route_const(service: &Service, method: &Method, index: usize) -> proc_macro2::Ident {
    let operation = operation_const(service, method).to_string();
    let name = operation.trim_start_matches("OPERATION_");
    if index == 0 {
        format_ident!("ROUTE_{name}")
    } else {
        format_ident!("ROUTE_{name}_{index}")
    }
}

/// The `const` describing one binding, and the function expanding its path from a request (for
/// the first binding, which the client calls).
fn route_item(
    emitter: &Emitter<'_>,
    service: &Service,
    method: &Method,
    index: usize,
    binding: &Binding,
) -> TokenStream {
    let rt = emitter.runtime;
    let input = if method.input.full_name() == "google.protobuf.Empty" {
        quote!(())
    } else {
        emitter.rust_type(&method.input)
    };
    let is_empty_input = method.input.full_name() == "google.protobuf.Empty";
    let route = route_const(service, method, index);
    let constant = operation_const(service, method);
    let http_method = match &binding.method {
        HttpMethod::Named(name) => name.clone(),
        HttpMethod::Any => "*".to_owned(),
    };
    let template = binding.template.as_str();
    let body = match &binding.body {
        Body::None => String::new(),
        Body::All => "*".to_owned(),
        Body::Field(field) => field.name().to_owned(),
    };
    let response_body = binding
        .response_body
        .as_ref()
        .map_or("", |field| field.name());
    let mut exclude: Vec<TokenStream> = binding
        .path_fields
        .iter()
        .map(|path| {
            let names = path.steps.iter().map(|f| f.name().to_owned());
            quote!(&[#(#names),*])
        })
        .collect();
    if let Body::Field(field) = &binding.body {
        let name = field.name();
        exclude.push(quote!(&[#name]));
    }
    // Only what differs from `Route::DEFAULT` (empty, `None`).
    let mut fields = Vec::new();
    if !body.is_empty() {
        fields.push(quote!(body: #body,));
    }
    if !response_body.is_empty() {
        fields.push(quote!(response_body: #response_body,));
    }
    if !exclude.is_empty() {
        fields.push(quote!(exclude: &[#(#exclude),*],));
    }
    if !is_empty_input {
        let function = Emitter::query_fn_name(&method.input);
        fields.push(quote!(bind_query: #rt::Some(#function),));
    }
    let client_calls = index == 0;
    if client_calls && !is_empty_input && !matches!(binding.body, Body::All) {
        let function = super::client::query_fn_name(&method.input);
        fields.push(quote!(write_query: #rt::Some(#function),));
    }
    let suffix = route
        .to_string()
        .trim_start_matches("ROUTE_")
        .to_ascii_lowercase();
    let write_path_fn = match client_calls
        .then(|| super::client::write_path_fn(emitter, binding, &input, &suffix))
        .flatten()
    {
        Some((function, code)) => {
            fields.push(quote!(write_path: #rt::Some(#function),));
            code
        }
        None => quote!(),
    };
    quote! {
        const #route: #rt::Route<#input> = #rt::Route {
            operation: #constant,
            method: #http_method,
            template: #template,
            #(#fields)*
            ..#rt::Route::DEFAULT
        };
        #write_path_fn
    }
}
