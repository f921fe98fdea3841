//! The client side of a service: `GreeterHttpClient`, one method per RPC on
//! its primary binding, building the URL from the request's fields.

use kratos_path_template::Segment;
use proc_macro2::TokenStream;
use prost_reflect::{Cardinality, FieldDescriptor, Kind, MessageDescriptor};
use quote::{format_ident, quote};

use super::Emitter;
use super::bind::{field_ident, format_ident_raw};
use crate::model::{Binding, FieldPath, Method, MethodKind, Service, is_scalar_message};

/// `XxxHttpClient` and its methods.
pub(crate) fn client(emitter: &Emitter<'_>, service: &Service) -> TokenStream {
    let rt = emitter.runtime;
    let name = format_ident!("{}HttpClient", service.name);
    let doc = format!(
        " Calls the `{}` service over HTTP: one method per RPC, on its first HTTP binding.",
        service.name
    );
    // Methods without an HTTP rule are served over gRPC only.
    let methods = service
        .methods
        .iter()
        .filter(|method| !method.bindings.is_empty())
        .map(|method| client_method(emitter, service, method));
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        pub struct #name {
            client: #rt::HttpClient,
        }

        impl #name {
            /// A client sending its calls through `client`.
            pub fn new(client: #rt::HttpClient) -> Self {
                Self { client }
            }

            /// The underlying HTTP client.
            pub fn inner(&self) -> &#rt::HttpClient {
                &self.client
            }

            #(#methods)*
        }
    }
}

fn client_method(emitter: &Emitter<'_>, service: &Service, method: &Method) -> TokenStream {
    let rt = emitter.runtime;
    let binding = &method.bindings[0];
    let name = format_ident_raw(&method.rust_name);
    let with_options = format_ident!("{}_with", method.rust_name.trim_start_matches("r#"));
    let (input, output) = emitter.handler_types(method);
    let call = if method.kind == MethodKind::ServerStreaming {
        quote!(call_stream)
    } else {
        quote!(call)
    };
    let route = super::service::route_const(service, method, 0);
    let http_method = crate::model::method_text(&binding.method);
    let http_method = if http_method == "*" {
        "POST"
    } else {
        http_method
    };
    let template = binding.template.as_str();
    // The rule closes the doc's last paragraph, in parentheses after the proto's text: one line
    // less per method than a paragraph of its own.
    let rule = if method.kind == MethodKind::ServerStreaming {
        format!(
            "`{http_method} {template}`: the replies as the server streams them (NDJSON, or SSE \
             with the header `Accept: text/event-stream`); drop the stream to cancel"
        )
    } else {
        format!("`{http_method} {template}`")
    };
    let mut docs = method.doc.clone();
    docs.push(if docs.is_empty() {
        format!(" {rule}")
    } else {
        format!(" ({rule})")
    });
    let deprecated = method
        .deprecated
        .then(|| quote!(#[deprecated] #[allow(deprecated)]));
    let with_doc = format!(
        " [`Self::{}`] with per-call options.",
        method.rust_name.trim_start_matches("r#")
    );
    quote! {
        #(#[doc = #docs])*
        #deprecated
        #[inline]
        pub fn #name(&self, request: #input) -> #rt::ReplyFuture<'_, #output> {
            #rt::#call(&self.client, &#route, request, #rt::None)
        }

        #[doc = #with_doc]
        #deprecated
        #[inline]
        pub fn #with_options(
            &self,
            request: #input,
            options: #rt::CallOptions,
        ) -> #rt::ReplyFuture<'_, #output> {
            #rt::#call(&self.client, &#route, request, options)
        }
    }
}

/// `fn write_path_x(request) -> Result<String>` expanding the template of `binding` from the
/// request's fields (a named function: a closure coerced to a `fn` pointer costs a shim more to
/// compile), and its name; `None` when the path is the template itself.
pub(crate) fn write_path_fn(
    emitter: &Emitter<'_>,
    binding: &Binding,
    input: &TokenStream,
    suffix: &str,
) -> Option<(proc_macro2::Ident, TokenStream)> {
    let rt = emitter.runtime;
    let template = &binding.template;
    if template.variables().is_empty()
        && template
            .segments()
            .iter()
            .all(|segment| matches!(segment, Segment::Literal(_)))
    {
        return None;
    }
    let function = format_ident!("write_path_{suffix}");
    let (request, body) = match path_code(emitter, binding) {
        Ok(pieces) if pieces.len() == 1 => {
            let start = &pieces[0];
            (quote!(_), quote!(#rt::Ok(#start)))
        }
        Ok(pieces) => {
            let start = &pieces[0];
            let appends = &pieces[1..];
            let body = quote! {
                let mut path = #start;
                #(#appends)*
                #rt::Ok(path)
            };
            (quote!(request), body)
        }
        Err(refuse) => (quote!(_), refuse),
    };
    let code = quote! {
        fn #function(#request: &#input) -> #rt::Result<#rt::String> {
            #body
        }
    };
    Some((function, code))
}

/// The statements building `path`, the expanded template, one per piece: the first starts it
/// (`start_path` with the leading literal segments), each variable and each further run of
/// literals appends. For a template whose URL cannot be built (a `*` bound to no field), the
/// whole body of the method instead.
fn path_code(emitter: &Emitter<'_>, binding: &Binding) -> Result<Vec<TokenStream>, TokenStream> {
    let rt = emitter.runtime;
    let template = &binding.template;
    let segments = template.segments();
    let mut pieces: Vec<TokenStream> = Vec::new();
    let mut index = 0;
    let mut pushed = false;
    // Consecutive literal segments (and the verb) go out as one piece.
    let mut literal = String::new();
    let flush = |literal: &mut String, pieces: &mut Vec<TokenStream>| {
        let text = std::mem::take(literal);
        if pieces.is_empty() {
            pieces.push(quote!(#rt::start_path(#text)));
        } else if !text.is_empty() {
            pieces.push(quote!(path.push_str(#text);));
        }
    };
    while index < segments.len() {
        let variable = template
            .variables()
            .iter()
            .zip(&binding.path_fields)
            .find(|(variable, _)| variable.segments().start == index);
        if let Some((variable, path)) = variable {
            let dotted = path.dotted();
            let pattern: Vec<String> = segments[variable.segments()]
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect();
            let value = path_value(emitter, path);
            let push = if variable.is_multi_segment() || pattern.len() > 1 || pattern != ["*"] {
                let text = variable.template_text();
                quote!(#rt::push_pattern(&mut path, #value, #dotted, #text)?;)
            } else {
                let text = format!("{{{dotted}}}");
                quote!(#rt::push_variable(&mut path, #value, #dotted, #text)?;)
            };
            flush(&mut literal, &mut pieces);
            pieces.push(push);
            pushed = true;
            index = variable.segments().end.max(index + 1);
            continue;
        }
        match &segments[index] {
            Segment::Literal(text) => {
                literal.push('/');
                literal.push_str(text);
                pushed = true;
            }
            // `**` matches zero segments: a client sends none.
            Segment::DeepWildcard => {}
            Segment::Wildcard => return Err(unbound_wildcard(emitter, template.as_str())),
        }
        index += 1;
    }
    if !pushed {
        literal.push('/');
    }
    if let Some(verb) = template.verb() {
        literal.push(':');
        literal.push_str(verb);
    }
    flush(&mut literal, &mut pieces);
    Ok(pieces)
}

/// The body of a client method whose template has a `*` bound to no field:
/// any segment would match, so the client cannot choose one.
fn unbound_wildcard(emitter: &Emitter<'_>, template: &str) -> TokenStream {
    let rt = emitter.runtime;
    let message = format!(
        "the template {template} has a `*` bound to no field, so a client cannot build its URL; \
         bind it to a field ({{field}}) or call the route with Client::invoke"
    );
    quote! {
        #rt::Err(#rt::Error::new(
            400,
            #rt::INVALID_PATH_VALUE,
            #message,
        ))
    }
}

/// An expression giving the text of a path field (`&String` or `&str`).
fn path_value(emitter: &Emitter<'_>, path: &FieldPath) -> TokenStream {
    let rt = emitter.runtime;
    // Walk Option<Message> steps with `as_ref`, then format the leaf.
    let mut access = quote!(#rt::Some(&request));
    for step in &path.steps[..path.steps.len() - 1] {
        let ident = field_ident(step);
        access = match emitter.oneof_variant(step) {
            Some((oneof, variant)) => quote! {
                #access.and_then(|m| match &m.#oneof {
                    #rt::Some(#variant(inner)) => #rt::Some(inner),
                    _ => #rt::None,
                })
            },
            None => quote!(#access.and_then(|m| m.#ident.as_ref())),
        };
    }
    let leaf = path.leaf();
    let ident = field_ident(leaf);
    let text = scalar_text(emitter, leaf, &quote!(value));
    let get = match emitter.oneof_variant(leaf) {
        Some((oneof, variant)) => quote! {
            match &m.#oneof {
                #rt::Some(#variant(value)) => { let value = value; #text }
                _ => #rt::String::new(),
            }
        },
        None if leaf.supports_presence() => quote! {
            match &m.#ident {
                #rt::Some(value) => #text,
                #rt::None => #rt::String::new(),
            }
        },
        None => quote!({ let value = &m.#ident; #text }),
    };
    if path.steps.len() == 1 {
        // A top-level field: no `Option` to walk through.
        if emitter.oneof_variant(leaf).is_none() && !leaf.supports_presence() {
            if leaf.kind() == Kind::String {
                return quote!(&request.#ident);
            }
            let text = scalar_text(emitter, leaf, &quote!(&request.#ident));
            return quote!(&#text);
        }
        return quote!(&{ let m = &request; #get });
    }
    quote!(&#access.map(|m| #get).unwrap_or_default())
}

/// The text of one scalar value (`value` is a reference to it) for a path.
fn scalar_text(emitter: &Emitter<'_>, field: &FieldDescriptor, value: &TokenStream) -> TokenStream {
    let rt = emitter.runtime;
    let b = quote!(#rt);
    match field.kind() {
        Kind::String => quote!(#rt::String::clone(#value)),
        Kind::Enum(enumeration) => {
            let ty: TokenStream = emitter
                .types
                .type_path(enumeration.full_name())
                .parse()
                .unwrap_or_default();
            quote! {
                match #ty::try_from(*#value) {
                    #rt::Ok(known) => known.as_str_name().to_owned(),
                    #rt::Err(_) => ::std::string::ToString::to_string(#value),
                }
            }
        }
        Kind::Bytes => quote!(#b::bytes_text(#value)),
        Kind::Message(message) => match message.full_name() {
            "google.protobuf.Timestamp" => quote!(#b::timestamp_text(#value)),
            "google.protobuf.Duration" => quote!(#b::duration_text(#value)),
            "google.protobuf.BytesValue" => quote!(#b::bytes_text(#value)),
            "google.protobuf.StringValue" => quote!(#rt::String::clone(#value)),
            _ => quote!(::std::string::ToString::to_string(#value)),
        },
        _ => quote!(::std::string::ToString::to_string(#value)),
    }
}

/// The name of the function writing a message's fields into a query.
pub(crate) fn query_fn_name(message: &MessageDescriptor) -> proc_macro2::Ident {
    format_ident!(
        "write_query_{}",
        message.full_name().replace('.', "_").to_ascii_lowercase()
    )
}

/// Messages whose fields a client may write into a query: request types and
/// every message reachable from them through singular fields.
pub(crate) fn query_messages(
    roots: impl IntoIterator<Item = MessageDescriptor>,
) -> Vec<MessageDescriptor> {
    let mut found: Vec<MessageDescriptor> = Vec::new();
    let mut pending: Vec<MessageDescriptor> = roots.into_iter().collect();
    while let Some(message) = pending.pop() {
        if message.full_name() == "google.protobuf.Empty"
            || found.iter().any(|m| m.full_name() == message.full_name())
        {
            continue;
        }
        for field in message.fields() {
            if let Kind::Message(next) = field.kind()
                && !field.is_list()
                && !field.is_map()
                && !is_scalar_message(&next)
            {
                pending.push(next);
            }
        }
        found.push(message);
    }
    found.sort_by(|a, b| a.full_name().cmp(b.full_name()));
    found
}

/// `fn write_query_x(m, query, prefix, at, exclude)`: every populated field of
/// `m` under `prefix` + its JSON name, except those whose proto-name path
/// (`at` + field) falls under `exclude`.
pub(crate) fn query_fn(emitter: &Emitter<'_>, message: &MessageDescriptor) -> TokenStream {
    let rt = emitter.runtime;
    let name = query_fn_name(message);
    let ty = emitter.rust_type(message);
    let fields = message.fields().map(|field| {
        let proto = field.name();
        let json = field.json_name();
        let write = field_query(emitter, &field);
        quote! {
            if !#rt::is_excluded(exclude, at, #proto) {
                let key = [prefix, #json].concat();
                #write
            }
        }
    });
    quote! {
        #[allow(unused_variables, clippy::too_many_lines)]
        fn #name(
            m: &#ty,
            query: &mut #rt::QueryWriter,
            prefix: &str,
            at: &[&'static str],
            exclude: &[&[&str]],
        ) -> #rt::Result<()> {
            #(#fields)*
            #rt::Ok(())
        }
    }
}

/// Writes one field of `m` under `key`.
fn field_query(emitter: &Emitter<'_>, field: &FieldDescriptor) -> TokenStream {
    let rt = emitter.runtime;
    let ident = field_ident(field);
    let proto = field.name();
    let unsendable = |what: &str| {
        let message = format!("cannot be sent in a query ({what}); use a rule with a body");
        quote! {
            return #rt::Err(#rt::Error::new(
                400,
                "INVALID_QUERY_VALUE",
                ::std::format!("field {} {}", key, #message),
            ));
        }
    };
    let nested = |message: &MessageDescriptor| {
        let function = query_fn_name(message);
        quote! {
            let at: #rt::Vec<&'static str> = at.iter().copied().chain([#proto]).collect();
            #function(value, query, &[key.as_str(), "."].concat(), &at, exclude)?;
        }
    };
    if field.is_map() {
        let Kind::Message(entry) = field.kind() else {
            return quote!();
        };
        let value_field = entry.map_entry_value_field();
        if matches!(value_field.kind(), Kind::Message(ref v) if !is_scalar_message(v)) {
            let fail = unsendable("a map of messages");
            return quote!(if !m.#ident.is_empty() { #fail });
        }
        let push = push_value(emitter, &value_field, &quote!(&entry_key), &quote!(value));
        return quote! {
            for (map_key, value) in &m.#ident {
                let entry_key = ::std::format!("{key}[{map_key}]");
                #push
            }
        };
    }
    if field.cardinality() == Cardinality::Repeated {
        if let Kind::Message(message) = field.kind()
            && !is_scalar_message(&message)
        {
            let fail = unsendable("repeated messages");
            return quote!(if !m.#ident.is_empty() { #fail });
        }
        let push = push_value(emitter, field, &quote!(&key), &quote!(value));
        return quote!(for value in &m.#ident { #push });
    }
    let message_kind = match field.kind() {
        Kind::Message(message) if !is_scalar_message(&message) => Some(message),
        _ => None,
    };
    if let Some((oneof, variant)) = emitter.oneof_variant(field) {
        let inner = match &message_kind {
            Some(message) => nested(message),
            None => push_value(emitter, field, &quote!(&key), &quote!(value)),
        };
        return quote! {
            if let #rt::Some(#variant(value)) = &m.#oneof {
                #inner
            }
        };
    }
    if let Some(message) = &message_kind {
        let inner = nested(message);
        return quote! {
            if let #rt::Some(value) = &m.#ident {
                #inner
            }
        };
    }
    if field.supports_presence() {
        let push = push_value(emitter, field, &quote!(&key), &quote!(value));
        return quote!(if let #rt::Some(value) = &m.#ident { #push });
    }
    let populated = match field.kind() {
        Kind::String | Kind::Bytes => quote!(!m.#ident.is_empty()),
        Kind::Bool => quote!(m.#ident),
        Kind::Float | Kind::Double => quote!(m.#ident != 0.0),
        _ => quote!(m.#ident != 0),
    };
    let push = push_value(emitter, field, &quote!(&key), &quote!(value));
    quote!(if #populated { let value = &m.#ident; #push })
}

/// Pushes one value (`value` is a reference) under `key`.
fn push_value(
    emitter: &Emitter<'_>,
    field: &FieldDescriptor,
    key: &TokenStream,
    value: &TokenStream,
) -> TokenStream {
    let f = |name: &str| format_ident!("{name}");
    let (function, arg) = match field.kind() {
        Kind::String => (f("push"), quote!(#value)),
        Kind::Bool => (f("push_bool"), quote!(*#value)),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => (f("push_i32"), quote!(*#value)),
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => (f("push_i64"), quote!(*#value)),
        Kind::Uint32 | Kind::Fixed32 => (f("push_u32"), quote!(*#value)),
        Kind::Uint64 | Kind::Fixed64 => (f("push_u64"), quote!(*#value)),
        Kind::Float => (f("push_f32"), quote!(*#value)),
        Kind::Double => (f("push_f64"), quote!(*#value)),
        Kind::Bytes => (f("push_bytes"), quote!(#value)),
        Kind::Enum(enumeration) => {
            let ty: TokenStream = emitter
                .types
                .type_path(enumeration.full_name())
                .parse()
                .unwrap_or_default();
            return quote! {
                query.push_enum(#key, #ty::try_from(*#value).ok().map(|known| known.as_str_name()), *#value);
            };
        }
        Kind::Message(message) => match message.full_name() {
            "google.protobuf.Timestamp" => (f("push_timestamp"), quote!(#value)),
            "google.protobuf.Duration" => (f("push_duration"), quote!(#value)),
            "google.protobuf.FieldMask" => (f("push_field_mask"), quote!(#value)),
            "google.protobuf.Struct" => (f("push_struct"), quote!(#value)),
            "google.protobuf.Value" => (f("push_value"), quote!(#value)),
            "google.protobuf.ListValue" => (f("push_list_value"), quote!(#value)),
            "google.protobuf.DoubleValue" => (f("push_f64"), quote!(*#value)),
            "google.protobuf.FloatValue" => (f("push_f32"), quote!(*#value)),
            "google.protobuf.Int64Value" => (f("push_i64"), quote!(*#value)),
            "google.protobuf.UInt64Value" => (f("push_u64"), quote!(*#value)),
            "google.protobuf.Int32Value" => (f("push_i32"), quote!(*#value)),
            "google.protobuf.UInt32Value" => (f("push_u32"), quote!(*#value)),
            "google.protobuf.BoolValue" => (f("push_bool"), quote!(*#value)),
            "google.protobuf.StringValue" => (f("push"), quote!(#value)),
            "google.protobuf.BytesValue" => (f("push_bytes"), quote!(#value)),
            _ => return quote!(),
        },
    };
    quote!(query.#function(#key, #arg);)
}
