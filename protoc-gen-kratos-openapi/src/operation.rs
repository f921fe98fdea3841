//! One OpenAPI operation per HTTP binding: parameters from the path and the query, the request
//! body per `body`, the reply per `response_body`, the Kratos error as the default response.

use std::collections::HashSet;

use prost_reflect::{Cardinality, FieldDescriptor, Kind, MessageDescriptor};
use protoc_gen_kratos_http::model::{Binding, Body, Method, is_scalar_message};
use serde_json::{Value, json};

use crate::paths::{PathParameter, openapi_path};
use crate::schema::{ERROR_SCHEMA, Schemas, doc_text, field_doc, scalar, well_known};

/// The OpenAPI path of a binding and its operation object.
pub(crate) fn operation(
    schemas: &mut Schemas<'_>,
    tag: &str,
    operation_id: String,
    method: &Method,
    binding: &Binding,
    default_response: bool,
) -> (String, Value) {
    let (path, path_parameters) = openapi_path(&binding.template, &binding.path_fields);
    let mut parameters: Vec<Value> = path_parameters
        .iter()
        .map(|parameter| path_parameter(schemas, parameter))
        .collect();
    let bound: HashSet<String> = binding.path_fields.iter().map(|f| f.dotted()).collect();
    if !matches!(binding.body, Body::All) {
        let body_field = match &binding.body {
            Body::Field(field) => Some(field.clone()),
            Body::None | Body::All => None,
        };
        let mut query = Query {
            schemas,
            bound: &bound,
            body_field,
            stack: vec![method.input.full_name().to_owned()],
            out: &mut parameters,
        };
        query.message(&method.input, "");
    }

    let mut op = serde_json::Map::new();
    op.insert("operationId".into(), Value::String(operation_id));
    op.insert("tags".into(), json!([tag]));
    let doc = doc_text(&method.doc);
    if let Some(first) = doc.lines().next().filter(|line| !line.is_empty()) {
        op.insert("summary".into(), Value::String(first.to_owned()));
        op.insert("description".into(), Value::String(doc.clone()));
    }
    if !parameters.is_empty() {
        op.insert("parameters".into(), Value::Array(parameters));
    }
    let request_schema = match &binding.body {
        Body::None => None,
        Body::All => Some(schemas.message(&method.input)),
        Body::Field(field) => Some(schemas.field(field)),
    };
    if let Some(schema) = request_schema {
        op.insert(
            "requestBody".into(),
            json!({ "required": true, "content": { "application/json": { "schema": schema } } }),
        );
    }
    let reply_schema = match &binding.response_body {
        Some(field) => schemas.field(field),
        None => schemas.message(&method.output),
    };
    let mut responses = serde_json::Map::new();
    responses.insert(
        "200".into(),
        json!({ "description": "OK", "content": { "application/json": { "schema": reply_schema } } }),
    );
    if default_response {
        responses.insert(
            "default".into(),
            json!({
                "description": "A Kratos error.",
                "content": { "application/json": { "schema": { "$ref": format!("#/components/schemas/{ERROR_SCHEMA}") } } },
            }),
        );
    }
    op.insert("responses".into(), Value::Object(responses));
    if method.deprecated {
        op.insert("deprecated".into(), Value::Bool(true));
    }
    (path, Value::Object(op))
}

fn path_parameter(schemas: &mut Schemas<'_>, parameter: &PathParameter) -> Value {
    let leaf = parameter.field.leaf();
    let dotted = parameter.field.dotted();
    let (schema, description) = match &parameter.part {
        None => (schemas.single(leaf), format!("The field `{dotted}`.")),
        Some(part) if part.deep => (
            json!({ "type": "string" }),
            format!(
                "Zero or more segments of `{dotted}` (`{}`); write `/` between segments unescaped.",
                part.pattern
            ),
        ),
        Some(part) => (
            json!({ "type": "string" }),
            format!(
                "One segment of `{dotted}`, which the path gives as `{}`.",
                part.pattern
            ),
        ),
    };
    let mut value = json!({
        "name": parameter.name,
        "in": "path",
        "required": true,
        "schema": schema,
    });
    if !description.is_empty() {
        value["description"] = Value::String(description);
    }
    value
}

/// Query parameters for every field not bound by the path or the body: nested messages by
/// dotted names, repeated fields as arrays, maps of scalars as `name[key]=value`.
struct Query<'s, 'a, 'o> {
    schemas: &'s mut Schemas<'a>,
    bound: &'o HashSet<String>,
    /// The top-level field the body carries: neither it nor the other members of its oneof
    /// (which cannot be set beside it) come from the query.
    body_field: Option<FieldDescriptor>,
    /// Messages on the way down, so a recursive message is not expanded forever.
    stack: Vec<String>,
    out: &'o mut Vec<Value>,
}

impl Query<'_, '_, '_> {
    fn message(&mut self, message: &MessageDescriptor, prefix: &str) {
        for field in message.fields() {
            let dotted = format!("{prefix}{}", field.name());
            if self.bound.contains(&dotted) || (prefix.is_empty() && self.in_body(&field)) {
                continue;
            }
            self.field(&field, &dotted);
        }
    }

    fn in_body(&self, field: &FieldDescriptor) -> bool {
        let Some(body) = &self.body_field else {
            return false;
        };
        body == field
            || matches!(
                (real_oneof(body), real_oneof(field)),
                (Some(a), Some(b)) if a == b
            )
    }

    fn field(&mut self, field: &FieldDescriptor, dotted: &str) {
        let repeated = field.cardinality() == Cardinality::Repeated;
        match field.kind() {
            Kind::Message(entry) if field.is_map() => {
                let value = entry.map_entry_value_field();
                if matches!(value.kind(), Kind::Message(_)) {
                    // `name[key]=` carries one text per key: message values have no query form.
                    return;
                }
                let schema = json!({
                    "type": "object",
                    "additionalProperties": scalar(&value.kind(), self.schemas_options()),
                });
                self.push(dotted, schema, Some("deepObject"), field);
            }
            Kind::Message(message) if is_scalar_message(&message) => {
                let Some(single) = well_known(&message, self.schemas_options()) else {
                    return;
                };
                let is_json = matches!(
                    message.full_name(),
                    "google.protobuf.Struct"
                        | "google.protobuf.Value"
                        | "google.protobuf.ListValue"
                );
                if is_json && !repeated {
                    // Struct, Value and ListValue travel as JSON text in one query value.
                    self.push_content(dotted, single, field);
                } else if !is_json {
                    self.push(dotted, array_if(repeated, single), None, field);
                }
            }
            Kind::Message(message) => {
                if repeated
                    || self.stack.iter().any(|m| m == message.full_name())
                    || well_known(&message, self.schemas_options()).is_some()
                {
                    return;
                }
                self.stack.push(message.full_name().to_owned());
                self.message(&message, &format!("{dotted}."));
                self.stack.pop();
            }
            kind => {
                let single = scalar(&kind, self.schemas_options());
                self.push(dotted, array_if(repeated, single), None, field);
            }
        }
    }

    fn schemas_options(&self) -> &crate::Options {
        self.schemas.options()
    }

    fn push(&mut self, name: &str, schema: Value, style: Option<&str>, field: &FieldDescriptor) {
        let mut parameter = json!({ "name": name, "in": "query" });
        parameter["schema"] = schema;
        if let Some(style) = style {
            parameter["style"] = Value::String(style.to_owned());
            parameter["explode"] = Value::Bool(true);
        }
        self.describe(&mut parameter, field);
        self.out.push(parameter);
    }

    fn push_content(&mut self, name: &str, schema: Value, field: &FieldDescriptor) {
        let mut parameter = json!({ "name": name, "in": "query" });
        parameter["content"]["application/json"]["schema"] = schema;
        self.describe(&mut parameter, field);
        self.out.push(parameter);
    }

    fn describe(&self, parameter: &mut Value, field: &FieldDescriptor) {
        let mut doc = field_doc(field);
        if let Some(oneof) = real_oneof(field) {
            let members: Vec<String> = oneof.fields().map(|f| f.name().to_owned()).collect();
            if !doc.is_empty() {
                doc.push_str("\n\n");
            }
            doc.push_str(&format!(
                "A member of the oneof `{}`: give at most one of {}.",
                oneof.name(),
                members.join(", ")
            ));
        }
        if !doc.is_empty() {
            parameter["description"] = Value::String(doc);
        }
    }
}

/// The oneof a field is a member of, unless it is the synthetic oneof of a proto3 `optional`.
fn real_oneof(field: &FieldDescriptor) -> Option<prost_reflect::OneofDescriptor> {
    field
        .containing_oneof()
        .filter(|oneof| !oneof.is_synthetic())
}

fn array_if(repeated: bool, single: Value) -> Value {
    if repeated {
        json!({ "type": "array", "items": single })
    } else {
        single
    }
}
