//! Rust code for the HTTP model of one package.

pub(crate) mod bind;
mod client;
mod grpc;
mod json;
mod reflect;
mod service;

use std::collections::{BTreeMap, HashMap};

use kratos_codegen::{RustFileWriter, RustTypes};
use proc_macro2::TokenStream;
use prost_reflect::{FieldDescriptor, FileDescriptor, MessageDescriptor};
use quote::quote;

use crate::Options;
use crate::model::{Body, HttpMethod, Method, Service};
pub(crate) use json::JsonSupport;

/// Emits the code of one package module: service traits, routes, clients and message impls,
/// naming types as seen from that module and the runtime by its configured path.
pub(crate) struct Emitter<'a> {
    pub(crate) types: &'a RustTypes,
    pub(crate) runtime: &'a TokenStream,
}

impl Emitter<'_> {
    /// What the service trait's method takes and answers with: the messages, or streams of
    /// them on the sides that stream.
    pub(crate) fn handler_types(&self, method: &Method) -> (TokenStream, TokenStream) {
        let rt = self.runtime;
        let input = self.rust_type(&method.input);
        let output = self.rust_type(&method.output);
        let input = if method.kind.streams_requests() {
            quote!(#rt::RequestStream<#input>)
        } else {
            input
        };
        let output = if method.kind.streams_replies() {
            quote!(#rt::ReplyStream<#output>)
        } else {
            output
        };
        (input, output)
    }
}

/// The contents of `<package>.kratos_http.rs`, written to `out` piece by piece.
pub(crate) fn package(
    options: &Options,
    package: &str,
    files: &[FileDescriptor],
    services: &[Service],
    json: &mut JsonSupport,
    out: &mut RustFileWriter,
) -> Result<(), syn::Error> {
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

    out.push(quote! {
        #[allow(unused_imports)]
        use #crate_path::__codegen as __kratos;
    })?;
    for service in services {
        out.push(service::service(&emitter, service))?;
    }
    for service in services {
        out.push(client::client(&emitter, service))?;
    }
    if options.grpc() {
        for service in services {
            out.push(grpc::grpc(&emitter, service))?;
        }
    }

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
    for (_, function) in binder_fns {
        out.push(function)?;
    }
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
    for message in &query_writers {
        out.push(client::query_fn(&emitter, message))?;
    }

    let messages = reflect::all_messages(files);
    if options.reflect() {
        let set = reflect::descriptor_set(files);
        out.push(reflect::reflect_impls(&emitter, &set, &messages))?;
    }
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
    out.push(emitter.json_impls(&messages, json, &response_fields))
}

/// How a binding's method reads in docs.
pub(crate) fn method_label(method: &HttpMethod) -> &str {
    crate::model::method_text(method)
}
