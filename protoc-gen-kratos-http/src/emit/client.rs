//! The client side of a service: `GreeterHttpClient`, one method per RPC on
//! its primary binding, building the URL from the request's fields.

use kratos_path_template::Segment;
use std::fmt::Write as _;

use prost_reflect::{Cardinality, FieldDescriptor, Kind, MessageDescriptor};

use super::text::{self, docs, list, push_indented};
use super::{Emitter, MessageFnName};
use crate::model::{Binding, FieldPath, Method, MethodKind, Service, is_scalar_message};

/// `XxxHttpClient` and its methods.
pub(crate) fn client(emitter: &Emitter<'_>, service: &Service, out: &mut String) {
    super::client_head(
        out,
        format_args!(
            "Calls the `{}` service over HTTP: one method per RPC, on its first HTTP binding.",
            service.name
        ),
        &format!("{}HttpClient", service.name),
        ("HttpClient", "HTTP"),
        "",
    );
    // Methods without an HTTP rule are served over gRPC only.
    for method in service.methods.iter().filter(|m| !m.bindings.is_empty()) {
        client_method(emitter, method, out);
    }
    out.push_str("}\n");
}

fn client_method(emitter: &Emitter<'_>, method: &Method, out: &mut String) {
    let binding = &method.bindings[0];
    let name = &method.rust_name;
    let plain = name.trim_start_matches("r#");
    let (input, output) = emitter.handler_types(method);
    let call = if method.kind == MethodKind::ServerStreaming {
        "__kratos::call_stream("
    } else {
        "__kratos::call("
    };
    let route = super::service::route_const(method, 0);
    let http_method = crate::model::method_text(&binding.method);
    let http_method = if http_method == "*" {
        "POST"
    } else {
        http_method
    };
    let streamed = if method.kind == MethodKind::ServerStreaming {
        ": the replies as the server streams them (NDJSON, or SSE with the header \
         `Accept: text/event-stream`); drop the stream to cancel"
    } else {
        ""
    };
    let attributes = if method.deprecated {
        "    #[deprecated]\n    #[allow(deprecated)]\n    #[inline]\n"
    } else {
        "    #[inline]\n"
    };
    let returns = format!(") -> __kratos::ReplyFuture<'_, {output}> {{");
    let request = format!("request: {input}");
    let route = format!("&{route}");

    docs(out, "    ", &method.doc);
    // The rule closes the doc's last paragraph, in parentheses after the proto's text: one line
    // less per method than a paragraph of its own.
    let rule = format!("`{http_method} {}`{streamed}", binding.template.as_str());
    if method.doc.is_empty() {
        docs(out, "    ", &[format!(" {rule}")]);
    } else {
        docs(out, "    ", &[format!(" ({rule})")]);
    }
    out.push_str(attributes);
    list(
        out,
        "    ",
        &format!("pub fn {name}("),
        &["&self", &request],
        &returns,
    );
    list(
        out,
        "        ",
        call,
        &["&self.client", &route, "request", "__kratos::None"],
        ")",
    );
    let _ = writeln!(
        out,
        "    }}\n    /// [`Self::{plain}`] with per-call options."
    );
    out.push_str(attributes);
    list(
        out,
        "    ",
        &format!("pub fn {plain}_with("),
        &["&self", &request, "options: __kratos::CallOptions"],
        &returns,
    );
    list(
        out,
        "        ",
        call,
        &["&self.client", &route, "request", "options"],
        ")",
    );
    out.push_str("    }\n");
}

/// `fn write_path_x(request) -> Result<String>` expanding the template of `binding` from the
/// request's fields (a named function: a closure coerced to a `fn` pointer costs a shim more to
/// compile), and its name; `None` when the path is the template itself.
pub(crate) fn write_path_fn(
    emitter: &Emitter<'_>,
    binding: &Binding,
    input: &str,
    suffix: &str,
) -> Option<(String, String)> {
    let template = &binding.template;
    if template.variables().is_empty()
        && template
            .segments()
            .iter()
            .all(|segment| matches!(segment, Segment::Literal(_)))
    {
        return None;
    }
    let function = format!("write_path_{suffix}");
    // Sized for the usual function of a few lines: growing a string is a copy each time.
    let mut code = String::with_capacity(512);
    let (request, body) = match path_code(emitter, binding) {
        Ok(pieces) if pieces.len() == 1 => {
            let mut body = String::with_capacity(128);
            list(&mut body, "    ", "__kratos::Ok(", &pieces[0..1], ")");
            ("_", body)
        }
        Ok(pieces) => {
            let mut body = String::with_capacity(384);
            let _ = writeln!(body, "    let mut path = {};", pieces[0]);
            for piece in &pieces[1..] {
                body.push_str(piece);
            }
            body.push_str("    __kratos::Ok(path)\n");
            ("request", body)
        }
        Err(refuse) => ("_", refuse),
    };
    list(
        &mut code,
        "",
        &format!("fn {function}("),
        &[&format!("{request}: &{input}")],
        ") -> __kratos::Result<__kratos::String> {",
    );
    code.push_str(&body);
    code.push_str("}\n");
    Some((function, code))
}

/// The statements building `path`, the expanded template, one per piece: the first is the
/// expression starting it (`start_path` with the leading literal segments), each variable and
/// each further run of literals a statement appending (whole lines). For a template whose URL
/// cannot be built (a `*` bound to no field), the whole body of the function instead.
fn path_code(emitter: &Emitter<'_>, binding: &Binding) -> Result<Vec<String>, String> {
    let template = &binding.template;
    let segments = template.segments();
    let mut pieces: Vec<String> = Vec::new();
    let mut index = 0;
    let mut pushed = false;
    // Consecutive literal segments (and the verb) go out as one piece.
    let mut literal = String::with_capacity(template.as_str().len());
    let flush = |literal: &mut String, pieces: &mut Vec<String>| {
        let text = text::string(&std::mem::take(literal));
        if pieces.is_empty() {
            pieces.push(format!("__kratos::start_path({text})"));
        } else if text != "\"\"" {
            pieces.push(format!("    path.push_str({text});\n"));
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
            let pattern: Vec<&str> = segments[variable.segments()]
                .iter()
                .map(Segment::as_str)
                .collect();
            let value = path_value(emitter, path);
            let (push, text) =
                if variable.is_multi_segment() || pattern.len() > 1 || pattern != ["*"] {
                    (
                        "__kratos::push_pattern(",
                        variable.template_text().to_owned(),
                    )
                } else {
                    ("__kratos::push_variable(", format!("{{{dotted}}}"))
                };
            flush(&mut literal, &mut pieces);
            let mut statement = String::with_capacity(128);
            list(
                &mut statement,
                "    ",
                push,
                &[
                    "&mut path",
                    &value,
                    &text::string(&dotted),
                    &text::string(&text),
                ],
                ")?;",
            );
            pieces.push(statement);
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
            Segment::Wildcard => return Err(unbound_wildcard(template.as_str())),
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
fn unbound_wildcard(template: &str) -> String {
    let message = format!(
        "the template {template} has a `*` bound to no field, so a client cannot build its URL; \
         bind it to a field ({{field}}) or call the route with Client::invoke"
    );
    format!(
        "    __kratos::Err(\n        \
                 __kratos::Error::new(\n            \
                     400,\n            \
                     __kratos::INVALID_PATH_VALUE,\n            \
                     {},\n        \
                 ),\n    \
             )\n",
        text::string(&message)
    )
}

/// An expression giving the text of a path field (`&String` or `&str`), its lines after the
/// first indented relative to its start.
fn path_value(emitter: &Emitter<'_>, path: &FieldPath) -> String {
    let leaf = path.leaf();
    let ident = emitter.field_ident(leaf);
    let oneof = emitter.oneof_variant(leaf);
    if path.steps.len() == 1 && oneof.is_none() && !leaf.supports_presence() {
        // A top-level field: no `Option` to walk through.
        if leaf.kind() == Kind::String {
            return format!("&request.{ident}");
        }
        let text = scalar_text(emitter, leaf, &format!("&request.{ident}"));
        return format!("&{text}");
    }
    // The leaf's text from `m`, its parent message.
    let mut get = String::new();
    match &oneof {
        Some((oneof, variant)) => {
            let _ = write!(
                get,
                "match &m.{oneof} {{\n    \
                     __kratos::Some({variant}(value)) => {{\n        \
                         let value = value;\n        "
            );
            push_indented(
                &mut get,
                "        ",
                "",
                &scalar_text(emitter, leaf, "value"),
            );
            get.push_str("\n    }\n    _ => __kratos::String::new(),\n}");
        }
        None if leaf.supports_presence() => {
            let _ = write!(get, "match &m.{ident} {{\n    __kratos::Some(value) => ");
            push_indented(&mut get, "    ", "", &scalar_text(emitter, leaf, "value"));
            get.push_str(",\n    __kratos::None => __kratos::String::new(),\n}");
        }
        None => {
            let _ = write!(get, "{{\n    let value = &m.{ident};\n    ");
            push_indented(&mut get, "    ", "", &scalar_text(emitter, leaf, "value"));
            get.push_str("\n}");
        }
    }
    if path.steps.len() == 1 {
        let mut out = String::from("&{\n    let m = &request;\n    ");
        push_indented(&mut out, "    ", "", &get);
        out.push_str("\n}");
        return out;
    }
    // Walk Option<Message> steps with `as_ref`, then format the leaf.
    let mut out = String::from("&__kratos::Some(&request)");
    for step in &path.steps[..path.steps.len() - 1] {
        match emitter.oneof_variant(step) {
            Some((oneof, variant)) => {
                let _ = write!(
                    out,
                    "\n    .and_then(|m| match &m.{oneof} {{\n        \
                         __kratos::Some({variant}(inner)) => __kratos::Some(inner),\n        \
                         _ => __kratos::None,\n    \
                     }})"
                );
            }
            None => {
                let _ = write!(
                    out,
                    "\n    .and_then(|m| m.{}.as_ref())",
                    emitter.field_ident(step)
                );
            }
        }
    }
    out.push_str("\n    .map(|m| ");
    push_indented(&mut out, "    ", "", &get);
    out.push_str(")\n    .unwrap_or_default()");
    out
}

/// The text of one scalar value (`value` is a reference to it) for a path, its lines after the
/// first indented relative to its start.
fn scalar_text(emitter: &Emitter<'_>, field: &FieldDescriptor, value: &str) -> String {
    match field.kind() {
        Kind::String => format!("__kratos::String::clone({value})"),
        Kind::Enum(enumeration) => {
            let ty = emitter.type_path(enumeration.full_name());
            format!(
                "match {ty}::try_from(*{value}) {{\n    \
                     __kratos::Ok(known) => known.as_str_name().to_owned(),\n    \
                     __kratos::Err(_) => ::std::string::ToString::to_string({value}),\n\
                 }}"
            )
        }
        Kind::Bytes => format!("__kratos::bytes_text({value})"),
        Kind::Message(message) => match message.full_name() {
            "google.protobuf.Timestamp" => format!("__kratos::timestamp_text({value})"),
            "google.protobuf.Duration" => format!("__kratos::duration_text({value})"),
            "google.protobuf.BytesValue" => format!("__kratos::bytes_text({value})"),
            "google.protobuf.StringValue" => format!("__kratos::String::clone({value})"),
            _ => format!("::std::string::ToString::to_string({value})"),
        },
        _ => format!("::std::string::ToString::to_string({value})"),
    }
}

/// The name of the function writing a message's fields into a query.
pub(crate) fn query_fn_name(message: &MessageDescriptor) -> MessageFnName<'_> {
    MessageFnName("write_query_", message)
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
pub(crate) fn query_fn(emitter: &Emitter<'_>, message: &MessageDescriptor, out: &mut String) {
    let _ = writeln!(
        out,
        "#[allow(unused_variables, clippy::too_many_lines)]\n\
         fn {}(\n    \
             m: &{},\n    \
             query: &mut __kratos::QueryWriter,\n    \
             prefix: &str,\n    \
             at: &[&'static str],\n    \
             exclude: &[&[&str]],\n\
         ) -> __kratos::Result<()> {{",
        query_fn_name(message),
        emitter.rust_type(message)
    );
    for field in message.fields() {
        let _ = writeln!(
            out,
            "    if !__kratos::is_excluded(exclude, at, {}) {{\n        \
                 let key = [prefix, {}].concat();",
            text::string(field.name()),
            text::string(field.json_name())
        );
        field_query(emitter, &field, out);
        out.push_str("    }\n");
    }
    out.push_str("    __kratos::Ok(())\n}\n");
}

/// Writes one field of `m` under `key` (statements at the depth of a field's block).
fn field_query(emitter: &Emitter<'_>, field: &FieldDescriptor, out: &mut String) {
    const IN: &str = "            ";
    let ident = emitter.field_ident(field);
    let unsendable = |out: &mut String, what: &str| {
        let message = format!("cannot be sent in a query ({what}); use a rule with a body");
        let _ = writeln!(
            out,
            "        if !m.{ident}.is_empty() {{\n            \
                 return __kratos::Err(__kratos::Error::new(\n                \
                     400,\n                \
                     \"INVALID_QUERY_VALUE\",\n                \
                     ::std::format!(\"field {{}} {{}}\", key, {}),\n            \
                 ));\n        \
             }}",
            text::string(&message)
        );
    };
    let nested = |out: &mut String, message: &MessageDescriptor| {
        text::chain(
            out,
            IN,
            "let at: __kratos::Vec<&'static str> = at",
            &[
                "iter()".to_owned(),
                "copied()".to_owned(),
                format!("chain([{}])", text::string(field.name())),
                "collect()".to_owned(),
            ],
            ";",
        );
        list(
            out,
            IN,
            &format!("{}(", query_fn_name(message)),
            &[
                "value".to_owned(),
                "query".to_owned(),
                "&[key.as_str(), \".\"].concat()".to_owned(),
                "&at".to_owned(),
                "exclude".to_owned(),
            ],
            ")?;",
        );
    };
    if field.is_map() {
        let Kind::Message(entry) = field.kind() else {
            return;
        };
        let value_field = entry.map_entry_value_field();
        if matches!(value_field.kind(), Kind::Message(ref v) if !is_scalar_message(v)) {
            unsendable(out, "a map of messages");
            return;
        }
        let _ = writeln!(
            out,
            "        for (map_key, value) in &m.{ident} {{\n            \
                 let entry_key = ::std::format!(\"{{key}}[{{map_key}}]\");"
        );
        push_value(emitter, &value_field, "&entry_key", out);
        out.push_str("        }\n");
        return;
    }
    if field.cardinality() == Cardinality::Repeated {
        if let Kind::Message(message) = field.kind()
            && !is_scalar_message(&message)
        {
            unsendable(out, "repeated messages");
            return;
        }
        let _ = writeln!(out, "        for value in &m.{ident} {{");
        push_value(emitter, field, "&key", out);
        out.push_str("        }\n");
        return;
    }
    let message_kind = match field.kind() {
        Kind::Message(message) if !is_scalar_message(&message) => Some(message),
        _ => None,
    };
    if let Some((oneof, variant)) = emitter.oneof_variant(field) {
        let _ = writeln!(
            out,
            "        if let __kratos::Some({variant}(value)) = &m.{oneof} {{"
        );
        match &message_kind {
            Some(message) => nested(out, message),
            None => push_value(emitter, field, "&key", out),
        }
    } else if let Some(message) = &message_kind {
        let _ = writeln!(out, "        if let __kratos::Some(value) = &m.{ident} {{");
        nested(out, message);
    } else if field.supports_presence() {
        let _ = writeln!(out, "        if let __kratos::Some(value) = &m.{ident} {{");
        push_value(emitter, field, "&key", out);
    } else {
        let populated = match field.kind() {
            Kind::String | Kind::Bytes => format!("!m.{ident}.is_empty()"),
            Kind::Bool => format!("m.{ident}"),
            Kind::Float | Kind::Double => format!("m.{ident} != 0.0"),
            _ => format!("m.{ident} != 0"),
        };
        let _ = writeln!(
            out,
            "        if {populated} {{\n            let value = &m.{ident};"
        );
        push_value(emitter, field, "&key", out);
    }
    out.push_str("        }\n");
}

/// Pushes one value (`value`, a reference) under `key`: a statement in the field's block.
fn push_value(emitter: &Emitter<'_>, field: &FieldDescriptor, key: &str, out: &mut String) {
    const IN: &str = "            ";
    let (function, value) = match field.kind() {
        Kind::String => ("push", "value"),
        Kind::Bool => ("push_bool", "*value"),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => ("push_i32", "*value"),
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => ("push_i64", "*value"),
        Kind::Uint32 | Kind::Fixed32 => ("push_u32", "*value"),
        Kind::Uint64 | Kind::Fixed64 => ("push_u64", "*value"),
        Kind::Float => ("push_f32", "*value"),
        Kind::Double => ("push_f64", "*value"),
        Kind::Bytes => ("push_bytes", "value"),
        Kind::Enum(enumeration) => {
            let ty = emitter.type_path(enumeration.full_name());
            list(
                out,
                IN,
                "query.push_enum(",
                &[
                    key.to_owned(),
                    format!("{ty}::try_from(*value).ok().map(|known| known.as_str_name())"),
                    "*value".to_owned(),
                ],
                ");",
            );
            return;
        }
        Kind::Message(message) => match message.full_name() {
            "google.protobuf.Timestamp" => ("push_timestamp", "value"),
            "google.protobuf.Duration" => ("push_duration", "value"),
            "google.protobuf.FieldMask" => ("push_field_mask", "value"),
            "google.protobuf.Struct" => ("push_struct", "value"),
            "google.protobuf.Value" => ("push_value", "value"),
            "google.protobuf.ListValue" => ("push_list_value", "value"),
            "google.protobuf.DoubleValue" => ("push_f64", "*value"),
            "google.protobuf.FloatValue" => ("push_f32", "*value"),
            "google.protobuf.Int64Value" => ("push_i64", "*value"),
            "google.protobuf.UInt64Value" => ("push_u64", "*value"),
            "google.protobuf.Int32Value" => ("push_i32", "*value"),
            "google.protobuf.UInt32Value" => ("push_u32", "*value"),
            "google.protobuf.BoolValue" => ("push_bool", "*value"),
            "google.protobuf.StringValue" => ("push", "value"),
            "google.protobuf.BytesValue" => ("push_bytes", "value"),
            _ => return,
        },
    };
    list(
        out,
        IN,
        &format!("query.{function}("),
        &[key.to_owned(), value.to_owned()],
        ");",
    );
}
