//! The document: `info`, `tags`, `paths` and `components`, every map sorted by key.

use std::collections::BTreeMap;

use kratos_codegen::{GenerationError, Location};
use prost_reflect::FileDescriptor;
use protoc_gen_kratos_http::model::{self, HttpMethod, MethodKind, Service};
use serde_json::{Value, json};

use crate::Options;
use crate::operation::operation;
use crate::paths::shape;
use crate::schema::{Schemas, doc_text};

/// The OpenAPI version written: 3.0.3, as gnostic's protoc-gen-openapi that Go Kratos uses,
/// so the tools that read Kratos' documents (swagger-ui, generators) read these too.
pub(crate) const OPENAPI_VERSION: &str = "3.0.3";

/// The methods a `custom { kind: "*" }` rule is documented under.
const ANY_METHODS: [&str; 5] = ["get", "put", "post", "delete", "patch"];

/// The methods OpenAPI 3.0 has operations for.
const OPENAPI_METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Renders the document for `files`, or `None` when none of them has an HTTP route.
pub(crate) fn render(
    files: &[FileDescriptor],
    options: &Options,
) -> Result<Option<String>, Vec<GenerationError>> {
    let model_options = http_model_options(options).map_err(|message| {
        vec![GenerationError::new(
            Location::file(file_list(files)),
            message,
        )]
    })?;
    let mut errors = Vec::new();
    let mut services: Vec<(FileDescriptor, Service)> = Vec::new();
    for file in files {
        match model::services(file, &model_options) {
            Ok(found) => services.extend(found.into_iter().filter_map(|mut service| {
                // Streams have no OpenAPI 3.0 shape: the document covers unary methods.
                service.methods.retain(|m| m.kind == MethodKind::Unary);
                (!service.methods.is_empty()).then(|| (file.clone(), service))
            })),
            Err(mut errs) => errors.append(&mut errs),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if services.is_empty() {
        return Ok(None);
    }

    let mut schemas = Schemas::new(options);
    let mut paths: BTreeMap<String, serde_json::Map<String, Value>> = BTreeMap::new();
    // Path shape -> the path first written with it; who wrote each (path, method).
    let mut shapes: BTreeMap<String, String> = BTreeMap::new();
    let mut owners: BTreeMap<(String, String), String> = BTreeMap::new();
    let mut operation_ids: BTreeMap<String, String> = BTreeMap::new();
    let mut tags = Vec::new();
    for (file, service) in &services {
        let service_name = if options.fq_schema_naming() {
            service.descriptor.full_name().to_owned()
        } else {
            service.name.clone()
        };
        let mut tag = json!({ "name": service_name });
        let doc = doc_text(&service.doc);
        if !doc.is_empty() {
            tag["description"] = Value::String(doc);
        }
        tags.push(tag);
        for method in &service.methods {
            let location = Location::file(file.name())
                .service(&service.name)
                .method(&method.name);
            let owner = format!("{}.{}", service.descriptor.full_name(), method.name);
            for (index, binding) in method.bindings.iter().enumerate() {
                let base_id = match index {
                    0 => format!("{service_name}_{}", method.name),
                    n => format!("{service_name}_{}_{n}", method.name),
                };
                let methods: Vec<(String, String)> = match &binding.method {
                    HttpMethod::Any => ANY_METHODS
                        .iter()
                        .map(|m| ((*m).to_owned(), format!("{base_id}_{m}")))
                        .collect(),
                    HttpMethod::Named(name) => {
                        let lower = name.to_ascii_lowercase();
                        if !OPENAPI_METHODS.contains(&lower.as_str()) {
                            errors.push(GenerationError::new(
                                location.clone(),
                                format!(
                                    "custom method \"{name}\" of \"{}\": OpenAPI 3.0 documents only \
                                     GET, PUT, POST, DELETE, OPTIONS, HEAD, PATCH and TRACE",
                                    binding.template.as_str()
                                ),
                            ));
                            continue;
                        }
                        vec![(lower, base_id)]
                    }
                };
                for (http_method, operation_id) in methods {
                    let (path, op) = operation(
                        &mut schemas,
                        &service_name,
                        operation_id.clone(),
                        method,
                        binding,
                        options.default_response(),
                    );
                    let template = binding.template.as_str();
                    if let Some(first) = operation_ids.insert(operation_id.clone(), owner.clone()) {
                        errors.push(GenerationError::new(
                            location.clone(),
                            format!(
                                "operationId {operation_id} is also {first}'s; set \
                                 fq_schema_naming=true to qualify operation ids with the package"
                            ),
                        ));
                    }
                    // OpenAPI sees paths that differ only in parameter names as one path, so a
                    // later binding takes the first one's names (its descriptions name its fields).
                    let first_path = shapes
                        .entry(shape(&path))
                        .or_insert_with(|| path.clone())
                        .clone();
                    let (path, op) = if first_path == path {
                        (path, op)
                    } else {
                        (
                            first_path.clone(),
                            rename_path_parameters(op, &path, &first_path),
                        )
                    };
                    let key = (path.clone(), http_method.clone());
                    if let Some(first) = owners.insert(key, owner.clone()) {
                        errors.push(GenerationError::new(
                            location.clone(),
                            format!(
                                "{} {path} (from \"{template}\") is also {first}'s operation",
                                http_method.to_ascii_uppercase()
                            ),
                        ));
                        continue;
                    }
                    paths.entry(path).or_default().insert(http_method, op);
                }
            }
        }
    }
    let components =
        match schemas.finish() {
            Ok(components) => components,
            Err(clashes) => {
                errors.extend(clashes.into_iter().map(|message| {
                    GenerationError::new(Location::file(file_list(files)), message)
                }));
                serde_json::Map::new()
            }
        };
    if !errors.is_empty() {
        return Err(errors);
    }
    tags.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));

    let only_service = match services.as_slice() {
        [(_, service)] => Some(service),
        _ => None,
    };
    let title = options
        .title()
        .map(str::to_owned)
        .or_else(|| only_service.map(|s| s.name.clone()))
        .unwrap_or_else(|| package_list(files));
    let mut info = json!({ "title": title, "version": options.version() });
    let description = options
        .description()
        .map(str::to_owned)
        .or_else(|| only_service.map(|s| doc_text(&s.doc)))
        .filter(|d| !d.is_empty());
    if let Some(description) = description {
        info["description"] = Value::String(description);
    }
    let document = json!({
        "openapi": OPENAPI_VERSION,
        "info": info,
        "tags": tags,
        "paths": paths,
        "components": { "schemas": components },
    });
    let mut text = serde_json::to_string_pretty(&document).map_err(|err| {
        vec![GenerationError::new(
            Location::file(file_list(files)),
            format!("internal error: the document does not serialize: {err}"),
        )]
    })?;
    text.push('\n');
    Ok(Some(text))
}

/// `op` (written for `from`) with its path parameters named as in `to`, which has the same
/// shape.
fn rename_path_parameters(mut op: Value, from: &str, to: &str) -> Value {
    let renames: Vec<(String, String)> = parameter_names(from)
        .zip(parameter_names(to))
        .map(|(old, new)| (old.to_owned(), new.to_owned()))
        .collect();
    if let Some(parameters) = op.get_mut("parameters").and_then(Value::as_array_mut) {
        for parameter in parameters.iter_mut().filter(|p| p["in"] == "path") {
            let Some(name) = parameter["name"].as_str() else {
                continue;
            };
            let Some((_, new)) = renames.iter().find(|(old, _)| old == name) else {
                continue;
            };
            parameter["name"] = Value::String(new.clone());
            if let Some(text) = parameter["description"].as_str() {
                let mut text = text.to_owned();
                for (old, new) in &renames {
                    text = text.replace(&format!("{{{old}}}"), &format!("{{{new}}}"));
                }
                parameter["description"] = Value::String(text);
            }
        }
    }
    op
}

/// The names of a path's parameters, in order.
fn parameter_names(path: &str) -> impl Iterator<Item = &str> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
}

/// The HTTP plugin's model options carrying this plugin's `omitempty` settings.
fn http_model_options(options: &Options) -> Result<protoc_gen_kratos_http::Options, String> {
    let mut parameter = format!("omitempty={}", options.omitempty());
    if !options.omitempty_prefix().is_empty() {
        parameter.push_str(",omitempty_prefix=");
        parameter.push_str(options.omitempty_prefix());
    }
    protoc_gen_kratos_http::Options::parse(&parameter)
}

fn file_list(files: &[FileDescriptor]) -> String {
    files
        .iter()
        .map(FileDescriptor::name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn package_list(files: &[FileDescriptor]) -> String {
    let mut packages: Vec<&str> = files.iter().map(FileDescriptor::package_name).collect();
    packages.sort_unstable();
    packages.dedup();
    packages.join(", ")
}
