//! Rust code for the HTTP model of one package.

pub(crate) mod bind;
mod client;
mod grpc;
mod json;
mod reflect;
mod service;
mod text;

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap};
use std::fmt::{self, Write as _};
use std::rc::Rc;

use kratos_codegen::{RustFileWriter, RustTypes, rust_field_ident};
use prost_reflect::{FieldDescriptor, FileDescriptor, MessageDescriptor};

use crate::Options;
use crate::model::{Body, HttpMethod, Method, Service};
pub(crate) use json::JsonSupport;

/// Emits the code of one package module: service traits, routes, clients and message impls,
/// naming types as seen from that module and the runtime through the `__kratos` import.
pub(crate) struct Emitter<'a> {
    pub(crate) types: &'a RustTypes,
    /// Rust types by proto full name: each is named many times (per method up to six).
    type_paths: RefCell<HashMap<String, Rc<str>>>,
    /// Rust field names by the field's proto full name: a path field is named per binding.
    field_idents: RefCell<HashMap<String, String>>,
}

impl<'a> Emitter<'a> {
    pub(crate) fn new(types: &'a RustTypes) -> Self {
        Self {
            types,
            type_paths: RefCell::default(),
            field_idents: RefCell::default(),
        }
    }

    /// The Rust ident of a prost field (`r#type` for `type`).
    pub(crate) fn field_ident(&self, field: &FieldDescriptor) -> String {
        if let Some(ident) = self.field_idents.borrow().get(field.full_name()) {
            return ident.clone();
        }
        let ident = rust_field_ident(field.name());
        self.field_idents
            .borrow_mut()
            .insert(field.full_name().to_owned(), ident.clone());
        ident
    }

    /// The Rust type of a message or enum, as seen from the package module.
    pub(crate) fn type_path(&self, full_name: &str) -> Rc<str> {
        if let Some(path) = self.type_paths.borrow().get(full_name) {
            return Rc::clone(path);
        }
        let path: Rc<str> = self.types.type_path(full_name).into();
        self.type_paths
            .borrow_mut()
            .insert(full_name.to_owned(), Rc::clone(&path));
        path
    }
}

impl Emitter<'_> {
    /// What the service trait's method takes and answers with: the messages, or streams of
    /// them on the sides that stream.
    pub(crate) fn handler_types(&self, method: &Method) -> (Rc<str>, Rc<str>) {
        let input = self.rust_type(&method.input);
        let output = self.rust_type(&method.output);
        let input = if method.kind.streams_requests() {
            format!("__kratos::RequestStream<{input}>").into()
        } else {
            input
        };
        let output = if method.kind.streams_replies() {
            format!("__kratos::ReplyStream<{output}>").into()
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
    file: &mut RustFileWriter,
) {
    let types = RustTypes::new(package);
    let emitter = Emitter::new(&types);
    // The text of one service (or group of items) at a time, handed on as it is done.
    let mut out = String::new();
    let mut flush = |out: &mut String| {
        file.push_text(out);
        out.clear();
    };

    // Everything generated names the runtime through this one import.
    out.push_str("#[allow(unused_imports)]\n");
    // The option is a Rust path, possibly spaced (`crate :: rt`): printed without the spaces.
    let runtime: String = options.runtime_crate().split_whitespace().collect();
    out.push_str(&format!("use {runtime}::__codegen as __kratos;\n"));
    for service in services {
        service::service(&emitter, service, &mut out);
        flush(&mut out);
    }
    for service in services {
        client::client(&emitter, service, &mut out);
        flush(&mut out);
    }
    if options.grpc() {
        for service in services {
            grpc::grpc(&emitter, service, &mut out);
            flush(&mut out);
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
        out.push_str(&function);
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
        client::query_fn(&emitter, message, &mut out);
    }
    flush(&mut out);

    let messages = reflect::all_messages(files);
    if options.reflect() {
        let set = reflect::descriptor_set(files);
        reflect::reflect_impls(&emitter, &set, &messages, &mut out);
        flush(&mut out);
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
    emitter.json_impls(&messages, json, &response_fields, &mut out);
    flush(&mut out);
}

/// `bind_query_library_v1_shelf`: the name of a function generated per message, `prefix` and
/// the message's full name in lower case with `_` for `.`, written where it is formatted.
pub(crate) struct MessageFnName<'a>(pub(crate) &'static str, pub(crate) &'a MessageDescriptor);

impl fmt::Display for MessageFnName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use fmt::Write as _;
        f.write_str(self.0)?;
        for c in self.1.full_name().chars() {
            f.write_char(if c == '.' {
                '_'
            } else {
                c.to_ascii_lowercase()
            })?;
        }
        Ok(())
    }
}

/// How a binding's method reads in docs.
pub(crate) fn method_label(method: &HttpMethod) -> &str {
    crate::model::method_text(method)
}

/// The start of a generated client: `doc`, the struct `name` wrapping the transport's client
/// (`HttpClient`, `GrpcClient`), and its `impl` with `new` and `inner`, `impl_attribute` above
/// it. The caller writes the methods and the closing `}`.
pub(crate) fn client_head(
    out: &mut String,
    doc: fmt::Arguments<'_>,
    name: &str,
    (client, transport): (&str, &str),
    impl_attribute: &str,
) {
    let _ = writeln!(
        out,
        "/// {doc}\n\
         #[derive(Debug, Clone)]\n\
         pub struct {name} {{\n    \
             client: __kratos::{client},\n\
         }}\n\
         {impl_attribute}\
         impl {name} {{\n    \
             /// A client sending its calls through `client`.\n    \
             pub fn new(client: __kratos::{client}) -> Self {{\n        \
                 Self {{ client }}\n    \
             }}\n    \
             /// The underlying {transport} client.\n    \
             pub fn inner(&self) -> &__kratos::{client} {{\n        \
                 &self.client\n    \
             }}"
    );
}
