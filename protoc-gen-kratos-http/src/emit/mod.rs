//! Rust code for the HTTP model of one package.

pub(crate) mod bind;
mod client;
mod grpc;
mod json;
mod reflect;
mod service;

use std::collections::{BTreeMap, HashMap};

use kratos_codegen::RustTypes;
use proc_macro2::TokenStream;
use prost_reflect::{FieldDescriptor, FileDescriptor, MessageDescriptor};
use quote::quote;

use crate::Options;
use crate::model::{Body, HttpMethod, Service};
pub(crate) use json::JsonSupport;

/// Emits the code of one package module: service traits, routes, clients and message impls,
/// naming types as seen from that module and the runtime by its configured path.
pub(crate) struct Emitter<'a> {
    pub(crate) types: &'a RustTypes,
    pub(crate) runtime: &'a TokenStream,
}

/// The contents of `<package>.kratos_http.rs`.
pub(crate) fn package(
    options: &Options,
    package: &str,
    files: &[FileDescriptor],
    services: &[Service],
    json: &mut JsonSupport,
) -> TokenStream {
    let crate_path: TokenStream = options
        .runtime_crate()
        .parse()
        .unwrap_or_else(|_| quote!(::kratos));
    // Everything generated names the runtime through this one import.
    let runtime = quote!(__kratos);
    let types = RustTypes::new(package);
    let emitter = Emitter {
        types: &types,
        runtime: &runtime,
    };

    let service_code = services.iter().map(|s| service::service(&emitter, s));
    let client_code = services.iter().map(|s| client::client(&emitter, s));
    let grpc_code = if options.grpc() {
        services.iter().map(|s| grpc::grpc(&emitter, s)).collect()
    } else {
        Vec::new()
    };

    // One query binder per request type that any binding reads from the query or a form.
    let mut binders: BTreeMap<String, MessageDescriptor> = BTreeMap::new();
    for method in services.iter().flat_map(|s| &s.methods) {
        let input = &method.input;
        if input.full_name() == "google.protobuf.Empty" || method.bindings.is_empty() {
            continue;
        }
        binders.insert(input.full_name().to_owned(), input.clone());
    }
    // And one per recursive type those binders hand keys on to.
    let mut binder_fns = Vec::new();
    let mut pending: Vec<MessageDescriptor> = binders.values().cloned().collect();
    while let Some(message) = pending.pop() {
        let (function, calls) = emitter.query_fn(&message);
        binder_fns.push((message.full_name().to_owned(), function));
        for next in calls {
            if binders
                .insert(next.full_name().to_owned(), next.clone())
                .is_none()
            {
                pending.push(next);
            }
        }
    }
    binder_fns.sort_by(|a, b| a.0.cmp(&b.0));
    let binder_fns = binder_fns.into_iter().map(|(_, function)| function);
    let query_writers = client::query_messages(
        services
            .iter()
            .flat_map(|s| &s.methods)
            .filter(|m| {
                m.bindings
                    .first()
                    .is_some_and(|b| !matches!(b.body, Body::All))
            })
            .map(|m| m.input.clone()),
    );
    let query_writer_fns = query_writers.iter().map(|m| client::query_fn(&emitter, m));

    let messages = reflect::all_messages(files);
    let reflect = if options.reflect() {
        let set = reflect::descriptor_set(files);
        reflect::reflect_impls(&emitter, &set, &messages)
    } else {
        quote!()
    };
    let mut response_fields: HashMap<String, Vec<FieldDescriptor>> = HashMap::new();
    for method in services.iter().flat_map(|s| &s.methods) {
        for field in method
            .bindings
            .iter()
            .filter_map(|b| b.response_body.as_ref())
        {
            let fields = response_fields
                .entry(method.output.full_name().to_owned())
                .or_default();
            if !fields.iter().any(|f| f.number() == field.number()) {
                fields.push(field.clone());
            }
        }
    }
    let json_impls = emitter.json_impls(&messages, json, &response_fields);

    quote! {
        #[allow(unused_imports)]
        use #crate_path::__codegen as __kratos;

        #(#service_code)*
        #(#client_code)*
        #(#grpc_code)*
        #(#binder_fns)*
        #(#query_writer_fns)*
        #reflect
        #json_impls
    }
}

/// How a binding's method reads in docs.
pub(crate) fn method_label(method: &HttpMethod) -> &str {
    crate::model::method_text(method)
}
