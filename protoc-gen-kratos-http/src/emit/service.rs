//! The server side of a service: operation constants, the service trait, the
//! register function and one route handler per binding.

use kratos_codegen::to_snake_case;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::bind::Binder;
use crate::model::{Binding, Body, HttpMethod, Method, Service};

/// Everything emitted for one service.
pub(crate) fn service(binder: &Binder<'_>, service: &Service) -> TokenStream {
    let rt = binder.runtime;
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
        let input = binder.rust_type(&method.input);
        let output = binder.rust_type(&method.output);
        let docs = doc_attrs(&method.doc);
        let deprecated = method.deprecated.then(|| quote!(#[deprecated]));
        quote! {
            #docs
            #deprecated
            fn #name(
                &self,
                ctx: #rt::transport::Context,
                request: #input,
            ) -> impl ::core::future::Future<Output = ::core::result::Result<#output, #rt::errors::Error>>
                   + ::core::marker::Send;
        }
    });

    let forwarding = service.methods.iter().map(|method| {
        let name = super::bind::format_ident_raw(&method.rust_name);
        let input = binder.rust_type(&method.input);
        let output = binder.rust_type(&method.output);
        quote! {
            fn #name(
                &self,
                ctx: #rt::transport::Context,
                request: #input,
            ) -> impl ::core::future::Future<Output = ::core::result::Result<#output, #rt::errors::Error>>
                   + ::core::marker::Send {
                T::#name(self, ctx, request)
            }
        }
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
            routes.push(quote! {
                {
                    let service = ::std::sync::Arc::clone(&service);
                    server.route(#http_method, #template, #constant, move |request| {
                        #handler(::std::sync::Arc::clone(&service), request)
                    })?;
                }
            });
            handlers.push(route_handler(
                binder,
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
            format!(
                " - `{} {}` -> `{}`",
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
        pub trait #trait_name: ::core::marker::Send + ::core::marker::Sync + 'static {
            #(#trait_methods)*
        }

        /// One implementation shared by several servers (HTTP and gRPC): register `Arc` clones.
        #[allow(deprecated)]
        impl<T: #trait_name + ?::core::marker::Sized> #trait_name for ::std::sync::Arc<T> {
            #(#forwarding)*
        }

        #[doc = #register_doc]
        #[doc = ""]
        #(#[doc = #routes_doc])*
        #[allow(unused_variables)]
        pub fn #register<S: #trait_name>(
            server: &mut #rt::transport::http::Server,
            service: S,
        ) -> ::core::result::Result<(), #rt::transport::http::RegisterError> {
            let service = ::std::sync::Arc::new(service);
            #(#routes)*
            ::core::result::Result::Ok(())
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
    binder: &Binder<'_>,
    trait_name: &proc_macro2::Ident,
    method: &Method,
    binding: &Binding,
    handler: &proc_macro2::Ident,
) -> TokenStream {
    let rt = binder.runtime;
    let input = binder.rust_type(&method.input);
    let name = super::bind::format_ident_raw(&method.rust_name);
    let is_empty_input = method.input.full_name() == "google.protobuf.Empty";
    let query_fn = Binder::query_fn_name(&method.input);

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
            request.decode_body(&mut message, |_, _| ::core::result::Result::Ok(()))?;
        },
        Body::All => quote! {
            {
                let exclude: &[&[&str]] = &[#(#path_prefixes),*];
                let mut seen = #rt::transport::http::binding::SeenFields::new();
                request.decode_body(&mut message, |message, pair| #query_fn(message, pair, &[], exclude, &mut seen))?;
            }
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
            {
                let exclude: &[&[&str]] = &[#(#excluded),*];
                let mut seen = #rt::transport::http::binding::SeenFields::new();
                for pair in request.query_pairs() {
                    #query_fn(&mut message, &pair?, &[], exclude, &mut seen)?;
                }
            }
        }
    };

    let path = binding
        .path_fields
        .iter()
        .enumerate()
        .map(|(index, path)| binder.path_assign(index, path));

    let reply = match &binding.response_body {
        Some(field) => {
            let field_name = field.name();
            quote!(request.reply_field(&reply, #field_name))
        }
        None => quote!(request.reply(&reply)),
    };
    let init = if is_empty_input {
        quote!(let mut message = ();)
    } else {
        quote!(let mut message = <#input as ::core::default::Default>::default();)
    };
    let doc = format!(
        " `{} {}`: binds the request, calls `{}`, encodes the reply.",
        super::method_label(&binding.method),
        binding.template.as_str(),
        method.rust_name
    );
    quote! {
        #[doc = #doc]
        #[allow(deprecated, unused_mut, clippy::unit_arg, clippy::let_unit_value)]
        async fn #handler<S: #trait_name>(
            service: ::std::sync::Arc<S>,
            request: #rt::transport::http::RouteRequest,
        ) -> ::core::result::Result<#rt::transport::http::Response, #rt::errors::Error> {
            #init
            #body
            #query
            #(#path)*
            let reply = request
                .invoke(message, move |ctx, message| {
                    let service = ::std::sync::Arc::clone(&service);
                    async move { service.#name(ctx, message).await }
                })
                .await?;
            #reply
        }
    }
}
