//! The client side of a service: `GreeterHttpClient`, one method per RPC on
//! its primary binding, building the URL from the request's fields.

use kratos_codegen::to_snake_case;
use kratos_path_template::Segment;
use proc_macro2::TokenStream;
use prost_reflect::{Cardinality, FieldDescriptor, Kind, MessageDescriptor};
use quote::{format_ident, quote};

use super::bind::{Binder, field_ident, format_ident_raw};
use crate::model::{Binding, Body, FieldPath, Method, Service, is_scalar_message};

/// `XxxHttpClient` and its methods.
pub(crate) fn client(binder: &Binder<'_>, service: &Service) -> TokenStream {
    let rt = binder.runtime;
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
        .map(|method| client_method(binder, service, method));
    quote! {
        #[doc = #doc]
        #[derive(Debug, Clone)]
        pub struct #name {
            client: #rt::transport::http::Client,
        }

        impl #name {
            /// A client sending its calls through `client`.
            pub fn new(client: #rt::transport::http::Client) -> Self {
                Self { client }
            }

            /// The underlying HTTP client.
            pub fn inner(&self) -> &#rt::transport::http::Client {
                &self.client
            }

            #(#methods)*
        }
    }
}

fn client_method(binder: &Binder<'_>, service: &Service, method: &Method) -> TokenStream {
    let rt = binder.runtime;
    let binding = &method.bindings[0];
    let name = format_ident_raw(&method.rust_name);
    let with_options = format_ident!("{}_with", method.rust_name.trim_start_matches("r#"));
    let input = binder.rust_type(&method.input);
    let output = binder.rust_type(&method.output);
    let operation = format_ident!(
        "OPERATION_{}_{}",
        to_snake_case(&service.name).to_ascii_uppercase(),
        to_snake_case(&method.name).to_ascii_uppercase()
    );
    let http_method = crate::model::method_text(&binding.method);
    let http_method = if http_method == "*" {
        "POST"
    } else {
        http_method
    };
    let template = binding.template.as_str();
    let query = query_code(binder, method, binding);
    let body = match &binding.body {
        Body::None => quote!(#rt::transport::http::CallBody::None),
        Body::All => quote!(#rt::transport::http::CallBody::Whole),
        Body::Field(field) => {
            let field = field.name();
            quote!(#rt::transport::http::CallBody::Field(#field))
        }
    };
    let response_body = match &binding.response_body {
        Some(field) => {
            let field = field.name();
            quote!(::core::option::Option::Some(#field))
        }
        None => quote!(::core::option::Option::None),
    };
    let call = match path_code(binder, binding) {
        Ok(build_path) => quote! {
            let mut path = ::std::string::String::with_capacity(64);
            #build_path
            #query
            self.client
                .invoke(#rt::transport::http::Call {
                    operation: #operation,
                    method: #http_method,
                    path_template: #template,
                    path_and_query: path,
                    request,
                    body: #body,
                    response_body: #response_body,
                    options,
                })
                .await
        },
        Err(refuse) => refuse,
    };
    let mut docs = method.doc.clone();
    if !docs.is_empty() {
        docs.push(String::new());
    }
    docs.push(format!(" `{http_method} {template}`"));
    let deprecated = method.deprecated.then(|| quote!(#[deprecated]));
    let with_doc = format!(
        " [`Self::{}`] with per-call options.",
        method.rust_name.trim_start_matches("r#")
    );
    quote! {
        #(#[doc = #docs])*
        #deprecated
        pub async fn #name(&self, request: #input) -> ::core::result::Result<#output, #rt::errors::Error> {
            #[allow(deprecated)]
            self.#with_options(request, ::core::default::Default::default()).await
        }

        #[doc = #with_doc]
        #deprecated
        #[allow(clippy::too_many_lines, unused_mut)]
        pub async fn #with_options(
            &self,
            request: #input,
            options: #rt::transport::http::CallOptions,
        ) -> ::core::result::Result<#output, #rt::errors::Error> {
            #call
        }
    }
}

/// Appends the expanded template to `path`; for a template whose URL cannot
/// be built (a `*` bound to no field), the whole body of the method instead.
fn path_code(binder: &Binder<'_>, binding: &Binding) -> Result<TokenStream, TokenStream> {
    let rt = binder.runtime;
    let encode = quote!(#rt::transport::http::binding);
    let template = &binding.template;
    let segments = template.segments();
    let mut code = TokenStream::new();
    let mut index = 0;
    let mut pushed = false;
    while index < segments.len() {
        let variable = template
            .variables()
            .iter()
            .zip(&binding.path_fields)
            .find(|(variable, _)| variable.segments().start == index);
        if let Some((variable, path)) = variable {
            let value = path_value(binder, path);
            let dotted = path.dotted();
            let pattern: Vec<String> = segments[variable.segments()]
                .iter()
                .map(|s| s.as_str().to_owned())
                .collect();
            let push = if variable.is_multi_segment() || pattern.len() > 1 || pattern != ["*"] {
                let text = variable.template_text();
                quote! {
                    if !#encode::matches_pattern(&value, &[#(#pattern),*]) {
                        return ::core::result::Result::Err(#encode::pattern_mismatch(#dotted, &value, #text));
                    }
                    #encode::push_path_segments(&mut path, &value);
                }
            } else {
                // An empty value would make an empty segment, which the server
                // drops (`/v1/items/` is `/v1/items`): another route, or none.
                let text = format!("{{{dotted}}}");
                quote! {
                    if value.is_empty() {
                        return ::core::result::Result::Err(#encode::empty_path_value(#dotted, #text));
                    }
                    #encode::push_path_segment(&mut path, &value);
                }
            };
            code.extend(quote! {
                path.push('/');
                {
                    let value = #value;
                    #push
                }
            });
            pushed = true;
            index = variable.segments().end.max(index + 1);
            continue;
        }
        match &segments[index] {
            Segment::Literal(text) => {
                let text = format!("/{text}");
                code.extend(quote!(path.push_str(#text);));
                pushed = true;
            }
            // `**` matches zero segments: a client sends none.
            Segment::DeepWildcard => {}
            Segment::Wildcard => return Err(unbound_wildcard(binder, template.as_str())),
        }
        index += 1;
    }
    if !pushed {
        code.extend(quote!(path.push('/');));
    }
    if let Some(verb) = template.verb() {
        let verb = format!(":{verb}");
        code.extend(quote!(path.push_str(#verb);));
    }
    Ok(code)
}

/// The body of a client method whose template has a `*` bound to no field:
/// any segment would match, so the client cannot choose one.
fn unbound_wildcard(binder: &Binder<'_>, template: &str) -> TokenStream {
    let rt = binder.runtime;
    let message = format!(
        "the template {template} has a `*` bound to no field, so a client cannot build its URL; \
         bind it to a field ({{field}}) or call the route with Client::invoke"
    );
    quote! {
        let _ = (request, options);
        ::core::result::Result::Err(#rt::errors::Error::new(
            400,
            #rt::transport::http::binding::INVALID_PATH_VALUE,
            #message,
        ))
    }
}

/// An expression giving the text of a path field (`String`).
fn path_value(binder: &Binder<'_>, path: &FieldPath) -> TokenStream {
    // Walk Option<Message> steps with `as_ref`, then format the leaf.
    let mut access = quote!(::core::option::Option::Some(&request));
    for step in &path.steps[..path.steps.len() - 1] {
        let ident = field_ident(step);
        access = match binder.oneof_variant(step) {
            Some((oneof, variant)) => quote! {
                #access.and_then(|m| match &m.#oneof {
                    ::core::option::Option::Some(#variant(inner)) => ::core::option::Option::Some(inner),
                    _ => ::core::option::Option::None,
                })
            },
            None => quote!(#access.and_then(|m| m.#ident.as_ref())),
        };
    }
    let leaf = path.leaf();
    let ident = field_ident(leaf);
    let text = scalar_text(binder, leaf, &quote!(value));
    let get = match binder.oneof_variant(leaf) {
        Some((oneof, variant)) => quote! {
            match &m.#oneof {
                ::core::option::Option::Some(#variant(value)) => { let value = value; #text }
                _ => ::std::string::String::new(),
            }
        },
        None if leaf.supports_presence() => quote! {
            match &m.#ident {
                ::core::option::Option::Some(value) => #text,
                ::core::option::Option::None => ::std::string::String::new(),
            }
        },
        None => quote!({ let value = &m.#ident; #text }),
    };
    quote!(#access.map(|m| #get).unwrap_or_default())
}

/// The text of one scalar value (`value` is a reference to it) for a path.
fn scalar_text(binder: &Binder<'_>, field: &FieldDescriptor, value: &TokenStream) -> TokenStream {
    let rt = binder.runtime;
    let b = quote!(#rt::transport::http::binding);
    match field.kind() {
        Kind::String => quote!(::std::string::String::clone(#value)),
        Kind::Enum(enumeration) => {
            let ty: TokenStream = binder
                .types
                .type_path(enumeration.full_name())
                .parse()
                .unwrap_or_default();
            quote! {
                match #ty::try_from(*#value) {
                    ::core::result::Result::Ok(known) => known.as_str_name().to_owned(),
                    ::core::result::Result::Err(_) => ::std::string::ToString::to_string(#value),
                }
            }
        }
        Kind::Bytes => quote!(#b::bytes_text(#value)),
        Kind::Message(message) => match message.full_name() {
            "google.protobuf.Timestamp" => quote!(#b::timestamp_text(#value)),
            "google.protobuf.Duration" => quote!(#b::duration_text(#value)),
            "google.protobuf.BytesValue" => quote!(#b::bytes_text(#value)),
            "google.protobuf.StringValue" => quote!(::std::string::String::clone(#value)),
            _ => quote!(::std::string::ToString::to_string(#value)),
        },
        _ => quote!(::std::string::ToString::to_string(#value)),
    }
}

/// Query parameters for every populated field not bound by the path or the
/// body (rules without `body: "*"`), under their JSON names as Kratos sends them.
fn query_code(binder: &Binder<'_>, method: &Method, binding: &Binding) -> TokenStream {
    let rt = binder.runtime;
    if matches!(binding.body, Body::All) || method.input.full_name() == "google.protobuf.Empty" {
        return quote!();
    }
    let mut excluded: Vec<TokenStream> = binding
        .path_fields
        .iter()
        .map(|p| {
            let names = p.steps.iter().map(|f| f.name().to_owned());
            quote!(&[#(#names),*])
        })
        .collect();
    if let Body::Field(field) = &binding.body {
        let name = field.name();
        excluded.push(quote!(&[#name]));
    }
    let function = query_fn_name(&method.input);
    quote! {
        let mut query = #rt::transport::http::binding::QueryWriter::new();
        #function(&request, &mut query, "", &[], &[#(#excluded),*])?;
        query.append_to(&mut path);
    }
}

/// The name of the function writing a message's fields into a query.
fn query_fn_name(message: &MessageDescriptor) -> proc_macro2::Ident {
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
pub(crate) fn query_fn(binder: &Binder<'_>, message: &MessageDescriptor) -> TokenStream {
    let rt = binder.runtime;
    let name = query_fn_name(message);
    let ty = binder.rust_type(message);
    let fields = message.fields().map(|field| {
        let proto = field.name();
        let json = field.json_name();
        let write = field_query(binder, &field);
        quote! {
            if !#rt::transport::http::binding::is_excluded(exclude, at, #proto) {
                let key = [prefix, #json].concat();
                #write
            }
        }
    });
    let doc = format!(
        " Writes the populated fields of `{}` as query parameters.",
        message.full_name()
    );
    quote! {
        #[doc = #doc]
        #[allow(unused_variables, clippy::too_many_lines)]
        fn #name(
            m: &#ty,
            query: &mut #rt::transport::http::binding::QueryWriter,
            prefix: &str,
            at: &[&'static str],
            exclude: &[&[&str]],
        ) -> ::core::result::Result<(), #rt::errors::Error> {
            #(#fields)*
            ::core::result::Result::Ok(())
        }
    }
}

/// Writes one field of `m` under `key`.
fn field_query(binder: &Binder<'_>, field: &FieldDescriptor) -> TokenStream {
    let rt = binder.runtime;
    let ident = field_ident(field);
    let proto = field.name();
    let unsendable = |what: &str| {
        let message = format!("cannot be sent in a query ({what}); use a rule with a body");
        quote! {
            return ::core::result::Result::Err(#rt::errors::Error::new(
                400,
                "INVALID_QUERY_VALUE",
                ::std::format!("field {} {}", key, #message),
            ));
        }
    };
    let nested = |message: &MessageDescriptor| {
        let function = query_fn_name(message);
        quote! {
            let at: ::std::vec::Vec<&'static str> = at.iter().copied().chain([#proto]).collect();
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
        let push = push_value(binder, &value_field, &quote!(&entry_key), &quote!(value));
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
        let push = push_value(binder, field, &quote!(&key), &quote!(value));
        return quote!(for value in &m.#ident { #push });
    }
    let message_kind = match field.kind() {
        Kind::Message(message) if !is_scalar_message(&message) => Some(message),
        _ => None,
    };
    if let Some((oneof, variant)) = binder.oneof_variant(field) {
        let inner = match &message_kind {
            Some(message) => nested(message),
            None => push_value(binder, field, &quote!(&key), &quote!(value)),
        };
        return quote! {
            if let ::core::option::Option::Some(#variant(value)) = &m.#oneof {
                #inner
            }
        };
    }
    if let Some(message) = &message_kind {
        let inner = nested(message);
        return quote! {
            if let ::core::option::Option::Some(value) = &m.#ident {
                #inner
            }
        };
    }
    if field.supports_presence() {
        let push = push_value(binder, field, &quote!(&key), &quote!(value));
        return quote!(if let ::core::option::Option::Some(value) = &m.#ident { #push });
    }
    let populated = match field.kind() {
        Kind::String | Kind::Bytes => quote!(!m.#ident.is_empty()),
        Kind::Bool => quote!(m.#ident),
        Kind::Float | Kind::Double => quote!(m.#ident != 0.0),
        _ => quote!(m.#ident != 0),
    };
    let push = push_value(binder, field, &quote!(&key), &quote!(value));
    quote!(if #populated { let value = &m.#ident; #push })
}

/// Pushes one value (`value` is a reference) under `key`.
fn push_value(
    binder: &Binder<'_>,
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
            let ty: TokenStream = binder
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
