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
    let mut handlers = Vec::new();
    for method in &service.methods {
        for (index, binding) in method.bindings.iter().enumerate() {
            let handler = format_ident!(
                "serve_{}_{}_{}",
                service_snake,
                to_snake_case(&method.name),
                index
            );
            let http_method = match &binding.method {
                HttpMethod::Named(name) => name.clone(),
                HttpMethod::Any => "*".to_owned(),
            };
            let template = binding.template.as_str();
            let constant = operation_const(service, method);
            let add = if method.kind == MethodKind::ServerStreaming {
                quote!(add_stream)
            } else {
                quote!(add)
            };
            routes.push(quote! {
                routes.#add(#http_method, #template, #constant, #handler)?;
            });
            handlers.push(route_handler(
                emitter,
                &trait_name,
                method,
                binding,
                &handler,
            ));
        }
    }

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
        pub fn #register<S: #trait_name>(
            server: &mut #rt::HttpServer,
            service: S,
        ) -> #rt::Result<(), #rt::RegisterError> {
            let mut routes = #rt::Routes::new(server, service);
            #(#routes)*
            #rt::Ok(())
        }

        #(#handlers)*
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

/// The handler of one binding: bind body, query and path, call, encode.
fn route_handler(
    emitter: &Emitter<'_>,
    trait_name: &proc_macro2::Ident,
    method: &Method,
    binding: &Binding,
    handler: &proc_macro2::Ident,
) -> TokenStream {
    let rt = emitter.runtime;
    let input = emitter.rust_type(&method.input);
    let name = super::bind::format_ident_raw(&method.rust_name);
    let is_empty_input = method.input.full_name() == "google.protobuf.Empty";
    let query_fn = Emitter::query_fn_name(&method.input);

    let path_prefixes: Vec<TokenStream> = binding
        .path_fields
        .iter()
        .map(|path| {
            let names = path.steps.iter().map(|f| f.name().to_owned());
            quote!(&[#(#names),*])
        })
        .collect();

    let body = match &binding.body {
        Body::All if is_empty_input => quote! {
            request.decode_body(&mut message, |_, _| #rt::Ok(()))?;
        },
        Body::All => quote! {
            #rt::decode_body(&request, &mut message, &[#(#path_prefixes),*], #query_fn)?;
        },
        Body::Field(field) => {
            let field_name = field.name();
            quote!(request.decode_body_field(&mut message, #field_name)?;)
        }
        Body::None => quote!(),
    };

    let query = if matches!(binding.body, Body::All) || is_empty_input {
        quote!()
    } else {
        let mut excluded = path_prefixes;
        if let Body::Field(field) = &binding.body {
            let field_name = field.name();
            excluded.push(quote!(&[#field_name]));
        }
        quote! {
            #rt::bind_query(&request, &mut message, &[#(#excluded),*], #query_fn)?;
        }
    };

    let path = binding
        .path_fields
        .iter()
        .enumerate()
        .map(|(index, path)| emitter.path_assign(index, path));

    let response_body = match &binding.response_body {
        Some(field) => {
            let field_name = field.name();
            quote!(#rt::Some(#field_name))
        }
        None => quote!(#rt::None),
    };
    let path: Vec<TokenStream> = path.collect();
    let mutated = !body.is_empty() || !query.is_empty() || !path.is_empty();
    let binding_kind = if mutated {
        quote!(let mut)
    } else {
        quote!(let)
    };
    let init = if is_empty_input {
        quote!(#binding_kind message = ();)
    } else {
        quote!(#binding_kind message: #input = #rt::Default::default();)
    };
    // Only the lints this handler's shape trips: most handlers need none.
    let mut lints = Vec::new();
    if method.deprecated {
        lints.push(quote!(deprecated));
    }
    if is_empty_input {
        lints.push(quote!(clippy::unit_arg, clippy::let_unit_value));
    }
    let allow = (!lints.is_empty()).then(|| quote!(#[allow(#(#lints),*)]));
    let (reply, finish) = if method.kind == MethodKind::ServerStreaming {
        (
            quote!(#rt::StreamReply),
            quote!(#rt::reply_stream(request, service, message, call)),
        )
    } else {
        (
            quote!(#rt::Response),
            quote!(#rt::reply(request, service, message, #response_body, call)),
        )
    };
    quote! {
        #allow
        async fn #handler<S: #trait_name>(
            service: #rt::Arc<S>,
            request: #rt::RouteRequest,
        ) -> #rt::Result<#reply> {
            #init
            #body
            #query
            #(#path)*
            let call = |s: #rt::Arc<S>, ctx, m| async move { s.#name(ctx, m).await };
            #finish.await
        }
    }
}
