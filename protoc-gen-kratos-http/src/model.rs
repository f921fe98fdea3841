//! The typed model between descriptors and emitted code: services, methods,
//! and their HTTP bindings with every field reference resolved and checked.

use std::collections::HashMap;

use kratos_codegen::{FileComments, GenerationError, Location, to_snake_case};
use kratos_path_template::PathTemplate;
use prost_reflect::{
    Cardinality, DynamicMessage, ExtensionDescriptor, FieldDescriptor, FileDescriptor, Kind,
    MessageDescriptor, MethodDescriptor, ServiceDescriptor, Value,
};

use crate::Options;

/// A service with at least one method served over HTTP.
#[derive(Debug, Clone)]
pub struct Service {
    /// Proto name (`Greeter`).
    pub name: String,
    /// Doc lines from the proto.
    pub doc: Vec<String>,
    /// Whether the proto marks the service deprecated.
    pub deprecated: bool,
    /// The methods, in declaration order.
    pub methods: Vec<Method>,
    /// The service as declared.
    pub descriptor: ServiceDescriptor,
}

/// Which side of an RPC streams.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MethodKind {
    /// One request, one reply.
    Unary,
    /// One request, a stream of replies: served over HTTP as SSE or NDJSON.
    ServerStreaming,
    /// A stream of requests, one reply: gRPC only.
    ClientStreaming,
    /// Streams both ways: gRPC only.
    BidiStreaming,
}

impl MethodKind {
    /// The kind of `method`.
    pub fn of(method: &MethodDescriptor) -> Self {
        match (method.is_client_streaming(), method.is_server_streaming()) {
            (false, false) => Self::Unary,
            (false, true) => Self::ServerStreaming,
            (true, false) => Self::ClientStreaming,
            (true, true) => Self::BidiStreaming,
        }
    }

    /// Whether the requests come as a stream (no HTTP route then).
    pub fn streams_requests(self) -> bool {
        matches!(self, Self::ClientStreaming | Self::BidiStreaming)
    }

    /// Whether the replies go out as a stream.
    pub fn streams_replies(self) -> bool {
        matches!(self, Self::ServerStreaming | Self::BidiStreaming)
    }
}

/// One RPC and its HTTP bindings.
#[derive(Debug, Clone)]
pub struct Method {
    /// Proto name (`SayHello`).
    pub name: String,
    /// Rust method name (`say_hello`).
    pub rust_name: String,
    /// Service and method in upper snake case (`GREETER_SAY_HELLO`), naming the method's
    /// constants (`OPERATION_GREETER_SAY_HELLO`, `ROUTE_GREETER_SAY_HELLO`).
    pub const_name: String,
    /// gRPC full method name, which is also the Kratos operation.
    pub operation: String,
    /// Which side streams.
    pub kind: MethodKind,
    /// Request message.
    pub input: MessageDescriptor,
    /// Reply message.
    pub output: MessageDescriptor,
    /// The primary binding first, then `additional_bindings`; none for methods streaming
    /// requests, which HTTP does not carry.
    pub bindings: Vec<Binding>,
    /// Doc lines from the proto.
    pub doc: Vec<String>,
    /// Whether the proto marks the method deprecated.
    pub deprecated: bool,
}

/// The HTTP method of a binding.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum HttpMethod {
    /// A named method (`GET`, `HEAD`, ...), upper case.
    Named(String),
    /// `custom { kind: "*" }`: any method.
    Any,
}

/// One (method, template, body) mapping of an RPC.
#[derive(Debug, Clone)]
pub struct Binding {
    /// HTTP method.
    pub method: HttpMethod,
    /// Parsed path template.
    pub template: PathTemplate,
    /// The field each template variable binds, in template order.
    pub path_fields: Vec<FieldPath>,
    /// What the HTTP body maps to.
    pub body: Body,
    /// The reply field that is the HTTP response body, if not the whole reply.
    pub response_body: Option<FieldDescriptor>,
}

/// What the HTTP request body maps to.
#[derive(Debug, Clone)]
pub enum Body {
    /// No body: every field not bound by the path comes from the query.
    None,
    /// `body: "*"`: every field not bound by the path comes from the body; no query.
    All,
    /// `body: "field"`: that top-level field comes from the body, the rest from the query.
    Field(FieldDescriptor),
}

/// A resolved dotted field path (`a.b.c`): every step but the last is a
/// singular message field.
#[derive(Debug, Clone)]
pub struct FieldPath {
    /// The fields from the request message down to the leaf.
    pub steps: Vec<FieldDescriptor>,
}

impl FieldPath {
    /// The leaf field.
    pub fn leaf(&self) -> &FieldDescriptor {
        // Resolution never yields an empty path.
        &self.steps[self.steps.len() - 1]
    }

    /// `a.b.c` in proto names.
    pub fn dotted(&self) -> String {
        self.steps
            .iter()
            .map(FieldDescriptor::name)
            .collect::<Vec<_>>()
            .join(".")
    }
}

/// Well-known message types that bind from one path or query value.
pub fn is_scalar_message(message: &MessageDescriptor) -> bool {
    matches!(
        message.full_name(),
        "google.protobuf.Timestamp"
            | "google.protobuf.Duration"
            | "google.protobuf.FieldMask"
            | "google.protobuf.DoubleValue"
            | "google.protobuf.FloatValue"
            | "google.protobuf.Int64Value"
            | "google.protobuf.UInt64Value"
            | "google.protobuf.Int32Value"
            | "google.protobuf.UInt32Value"
            | "google.protobuf.BoolValue"
            | "google.protobuf.StringValue"
            | "google.protobuf.BytesValue"
            | "google.protobuf.Struct"
            | "google.protobuf.Value"
            | "google.protobuf.ListValue"
    )
}

/// Builds the model of every service in `file`.
pub fn services(
    file: &FileDescriptor,
    options: &Options,
) -> Result<Vec<Service>, Vec<GenerationError>> {
    let http_ext = file.parent_pool().get_extension_by_name("google.api.http");
    let file_proto = file.file_descriptor_proto();
    let comments = FileComments::new(file_proto);
    let mut errors = Vec::new();
    let mut services = Vec::new();
    // (method, canonical template) -> "Service.Method" that mapped it first.
    let mut mapped: HashMap<(HttpMethod, String), String> = HashMap::new();
    for service in file.services() {
        let service_snake = to_snake_case(service.name());
        let mut methods = Vec::new();
        for method in service.methods() {
            let location = Location::file(file.name())
                .service(service.name())
                .method(method.name());
            let model = method_model(
                &service,
                &method,
                http_ext.as_ref(),
                options,
                &location,
                &comments,
                &service_snake,
            );
            match model {
                Ok(Some(model)) => {
                    for binding in &model.bindings {
                        let key = (binding.method.clone(), binding.template.canonical());
                        let owner = format!("{}.{}", service.name(), method.name());
                        if let Some(first) = mapped.insert(key, owner) {
                            errors.push(GenerationError::new(
                                location.clone(),
                                format!(
                                    "{} {} is mapped twice: {first} maps the same method and \
                                     template; change one of them",
                                    method_text(&binding.method),
                                    binding.template.as_str()
                                ),
                            ));
                        }
                    }
                    methods.push(model);
                }
                Ok(None) => {}
                Err(mut errs) => errors.append(&mut errs),
            }
        }
        if !methods.is_empty() {
            services.push(Service {
                name: service.name().to_owned(),
                doc: comments.get(service.path()).doc_lines(),
                deprecated: service
                    .service_descriptor_proto()
                    .options
                    .as_ref()
                    .is_some_and(|o| o.deprecated()),
                methods,
                descriptor: service.clone(),
            });
        }
    }
    if errors.is_empty() {
        Ok(services)
    } else {
        Err(errors)
    }
}

/// How a binding's method reads in messages.
pub fn method_text(method: &HttpMethod) -> &str {
    match method {
        HttpMethod::Named(name) => name,
        HttpMethod::Any => "*",
    }
}

fn method_model(
    service: &ServiceDescriptor,
    method: &MethodDescriptor,
    http_ext: Option<&ExtensionDescriptor>,
    options: &Options,
    location: &Location,
    comments: &FileComments<'_>,
    service_snake: &str,
) -> Result<Option<Method>, Vec<GenerationError>> {
    let rule = http_ext
        .map(|ext| (ext, method.options()))
        .filter(|(ext, opts)| opts.has_extension(ext))
        .and_then(|(ext, opts)| opts.get_extension(ext).as_message().cloned());
    let default_path = format!(
        "{}/{}/{}",
        options.omitempty_prefix(),
        service.full_name(),
        method.name()
    );
    let kind = MethodKind::of(method);
    if kind.streams_requests() {
        if rule.is_some() {
            eprintln!(
                "protoc-gen-kratos-http: warning: {location}: its requests stream, which HTTP does \
                 not carry: its google.api.http rule is ignored, it is served over gRPC only"
            );
        }
        // Without gRPC glue nothing would serve it.
        if !options.grpc() {
            return Ok(None);
        }
        return Ok(Some(method_of(
            service,
            method,
            kind,
            Vec::new(),
            comments,
            service_snake,
        )));
    }
    let mut errors = Vec::new();
    let mut bindings = Vec::new();
    match rule {
        Some(rule) => {
            push_binding(
                &rule,
                method,
                &default_path,
                location,
                &mut bindings,
                &mut errors,
            );
            for extra in list_field(&rule, "additional_bindings") {
                if !list_field(&extra, "additional_bindings").is_empty() {
                    errors.push(GenerationError::new(
                        location.clone(),
                        "additional_bindings inside additional_bindings: bindings may nest only one level",
                    ));
                    continue;
                }
                push_binding(
                    &extra,
                    method,
                    &default_path,
                    location,
                    &mut bindings,
                    &mut errors,
                );
            }
        }
        // Over gRPC the method is served all the same.
        None if options.omitempty() && !options.grpc() => return Ok(None),
        None if options.omitempty() => {}
        None => match binding(
            method,
            HttpMethod::Named("POST".into()),
            &default_path,
            "*",
            "",
            location,
        ) {
            Ok(binding) => bindings.push(binding),
            Err(err) => errors.push(err),
        },
    }
    if kind == MethodKind::ServerStreaming {
        for binding in &bindings {
            if let Some(field) = &binding.response_body {
                errors.push(GenerationError::new(
                    location.clone(),
                    format!(
                        "response_body \"{}\" of \"{}\": a server-streaming method sends each \
                         whole reply as one event; remove response_body",
                        field.name(),
                        binding.template.as_str()
                    ),
                ));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Some(method_of(
        service,
        method,
        kind,
        bindings,
        comments,
        service_snake,
    )))
}

fn method_of(
    service: &ServiceDescriptor,
    method: &MethodDescriptor,
    kind: MethodKind,
    bindings: Vec<Binding>,
    comments: &FileComments<'_>,
    service_snake: &str,
) -> Method {
    Method {
        name: method.name().to_owned(),
        rust_name: kratos_codegen::rust_field_ident(method.name()),
        const_name: format!("{service_snake}_{}", to_snake_case(method.name()))
            .to_ascii_uppercase(),
        operation: format!("/{}/{}", service.full_name(), method.name()),
        kind,
        input: method.input(),
        output: method.output(),
        bindings,
        doc: comments.get(method.path()).doc_lines(),
        deprecated: method
            .method_descriptor_proto()
            .options
            .as_ref()
            .is_some_and(|o| o.deprecated()),
    }
}

fn push_binding(
    rule: &DynamicMessage,
    method: &MethodDescriptor,
    default_path: &str,
    location: &Location,
    bindings: &mut Vec<Binding>,
    errors: &mut Vec<GenerationError>,
) {
    let (http_method, path) = match pattern(rule) {
        Ok(pattern) => pattern,
        Err(message) => {
            errors.push(GenerationError::new(location.clone(), message));
            return;
        }
    };
    let path = if path.is_empty() {
        default_path.to_owned()
    } else {
        path
    };
    let body = string_field(rule, "body");
    let response_body = string_field(rule, "response_body");
    let is_bodiless = matches!(&http_method, HttpMethod::Named(m) if m == "GET" || m == "DELETE");
    if is_bodiless && !body.is_empty() {
        eprintln!(
            "protoc-gen-kratos-http: warning: {location}: {} {path} declares a body",
            method_text(&http_method)
        );
    }
    match binding(method, http_method, &path, &body, &response_body, location) {
        Ok(binding) => bindings.push(binding),
        Err(err) => errors.push(err),
    }
}

/// The rule's method and template; a rule without a pattern is Kratos' default POST.
fn pattern(rule: &DynamicMessage) -> Result<(HttpMethod, String), String> {
    for (field, method) in [
        ("get", "GET"),
        ("put", "PUT"),
        ("post", "POST"),
        ("delete", "DELETE"),
        ("patch", "PATCH"),
    ] {
        if rule.has_field_by_name(field) {
            return Ok((
                HttpMethod::Named(method.to_owned()),
                string_field(rule, field),
            ));
        }
    }
    if rule.has_field_by_name("custom") {
        let custom = rule
            .get_field_by_name("custom")
            .and_then(|v| v.as_message().cloned());
        let kind = custom
            .as_ref()
            .map(|c| string_field(c, "kind"))
            .unwrap_or_default();
        let path = custom
            .as_ref()
            .map(|c| string_field(c, "path"))
            .unwrap_or_default();
        return match kind.as_str() {
            "*" => Ok((HttpMethod::Any, path)),
            "" => Err(format!(
                "custom pattern for \"{path}\" has no kind; give an HTTP method such as HEAD, or \"*\""
            )),
            kind if kind.bytes().all(|b| b.is_ascii_alphabetic()) => {
                Ok((HttpMethod::Named(kind.to_ascii_uppercase()), path))
            }
            kind => Err(format!(
                "custom kind \"{kind}\" is not an HTTP method name (letters only) or \"*\""
            )),
        };
    }
    Ok((HttpMethod::Named("POST".to_owned()), String::new()))
}

fn binding(
    method: &MethodDescriptor,
    http_method: HttpMethod,
    path: &str,
    body: &str,
    response_body: &str,
    location: &Location,
) -> Result<Binding, GenerationError> {
    let error = |message: String| GenerationError::new(location.clone(), message);
    let template = PathTemplate::parse(path).map_err(|err| error(err.to_string()))?;
    let input = method.input();
    let path_fields = template
        .variables()
        .iter()
        .map(|variable| {
            let dotted = variable.field_path_string();
            resolve_path_variable(&input, &dotted).map_err(|problem| {
                error(format!(
                    "path variable {{{dotted}}} in \"{path}\": {problem}"
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let body = match body {
        "" => Body::None,
        "*" => Body::All,
        field => Body::Field(input.get_field_by_name(field).ok_or_else(|| {
            error(format!(
                "body \"{field}\" of \"{path}\": {} has no top-level field \"{field}\"; use \"*\", \
                 a field name, or leave body out",
                input.name()
            ))
        })?),
    };
    let output = method.output();
    let response_body = match response_body {
        "" | "*" => None,
        field => Some(output.get_field_by_name(field).ok_or_else(|| {
            error(format!(
                "response_body \"{field}\" of \"{path}\": {} has no top-level field \"{field}\"",
                output.name()
            ))
        })?),
    };
    Ok(Binding {
        method: http_method,
        template,
        path_fields,
        body,
        response_body,
    })
}

/// Resolves `a.b.c` for a path variable: singular message fields down to a
/// singular scalar, enum, or one-value well-known type.
fn resolve_path_variable(message: &MessageDescriptor, dotted: &str) -> Result<FieldPath, String> {
    let names: Vec<&str> = dotted.split('.').collect();
    let mut steps = Vec::with_capacity(names.len());
    let mut current = message.clone();
    for (index, name) in names.iter().enumerate() {
        let field = current
            .get_field_by_name(name)
            .ok_or_else(|| format!("{} has no field \"{name}\"", current.name()))?;
        let is_last = index + 1 == names.len();
        if field.is_map() || field.cardinality() == Cardinality::Repeated {
            return Err(format!(
                "field \"{name}\" of {} is {}; path variables bind singular fields",
                current.name(),
                if field.is_map() { "a map" } else { "repeated" }
            ));
        }
        match field.kind() {
            Kind::Message(next) if is_last && !is_scalar_message(&next) => {
                return Err(format!(
                    "field \"{name}\" of {} is the message {}; a path variable binds a scalar, enum, \
                     wrapper, Timestamp or Duration field (name a field inside it, such as {{{dotted}.id}})",
                    current.name(),
                    next.full_name()
                ));
            }
            Kind::Message(next) if !is_last => {
                if is_scalar_message(&next) {
                    return Err(format!(
                        "field \"{name}\" of {} is a {}, which has no fields to bind",
                        current.name(),
                        next.full_name()
                    ));
                }
                steps.push(field);
                current = next;
            }
            _ if !is_last => {
                return Err(format!(
                    "field \"{name}\" of {} is not a message, so \"{}\" cannot go inside it",
                    current.name(),
                    names[index + 1]
                ));
            }
            _ => steps.push(field),
        }
    }
    Ok(FieldPath { steps })
}

fn string_field(message: &DynamicMessage, name: &str) -> String {
    message
        .get_field_by_name(name)
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn list_field(message: &DynamicMessage, name: &str) -> Vec<DynamicMessage> {
    message
        .get_field_by_name(name)
        .and_then(|v| match v.as_ref() {
            Value::List(items) => Some(
                items
                    .iter()
                    .filter_map(|i| i.as_message().cloned())
                    .collect(),
            ),
            _ => None,
        })
        .unwrap_or_default()
}

/// The snake-case stem used for per-method generated names (`greeter_say_hello`).
pub fn method_stem(service: &Service, method: &Method) -> String {
    format!(
        "{}_{}",
        to_snake_case(&service.name),
        to_snake_case(&method.name)
    )
}
