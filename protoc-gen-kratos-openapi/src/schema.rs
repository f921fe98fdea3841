//! Schemas after the proto3 JSON mapping, as the runtime's JSON codec writes it: messages as
//! components (recursion through `$ref`), scalars, enums and well-known types inline.

use std::collections::BTreeMap;

use kratos_codegen::Comments;
use prost_reflect::{Cardinality, FieldDescriptor, Kind, MessageDescriptor};
use serde_json::{Value, json};

use crate::Options;

/// The schema name of the Kratos error body in `components.schemas`.
pub(crate) const ERROR_SCHEMA: &str = "kratos.Error";

/// The component schemas a document refers to, filled as messages are reached.
pub(crate) struct Schemas<'a> {
    options: &'a Options,
    /// Schema name -> (message full name, schema once built).
    components: BTreeMap<String, (String, Option<Value>)>,
    pending: Vec<MessageDescriptor>,
    clashes: Vec<String>,
}

impl<'a> Schemas<'a> {
    pub(crate) fn new(options: &'a Options) -> Self {
        Self {
            options,
            components: BTreeMap::new(),
            pending: Vec::new(),
            clashes: Vec::new(),
        }
    }

    /// The options the schemas follow.
    pub(crate) fn options(&self) -> &'a Options {
        self.options
    }

    /// The schema of a whole message: a `$ref` to its component, or a well-known type inline.
    pub(crate) fn message(&mut self, message: &MessageDescriptor) -> Value {
        if let Some(schema) = well_known(message, self.options) {
            return schema;
        }
        let name = self.schema_name(message);
        match self.components.get(&name) {
            Some((owner, _)) if owner != message.full_name() => self.clashes.push(format!(
                "messages {owner} and {} both get the schema name {name}; set \
                 fq_schema_naming=true to name schemas by their full proto name",
                message.full_name()
            )),
            Some(_) => {}
            None => {
                self.components
                    .insert(name.clone(), (message.full_name().to_owned(), None));
                self.pending.push(message.clone());
            }
        }
        json!({ "$ref": format!("#/components/schemas/{name}") })
    }

    /// The schema of a field's JSON value: arrays for repeated fields, objects for maps.
    pub(crate) fn field(&mut self, field: &FieldDescriptor) -> Value {
        if field.is_map() {
            let Kind::Message(entry) = field.kind() else {
                return json!({ "type": "object" });
            };
            let value = self.single(&entry.map_entry_value_field());
            return json!({ "type": "object", "additionalProperties": value });
        }
        let single = self.single(field);
        if field.cardinality() == Cardinality::Repeated {
            json!({ "type": "array", "items": single })
        } else {
            single
        }
    }

    /// The schema of one value of a field (one element of a repeated field).
    pub(crate) fn single(&mut self, field: &FieldDescriptor) -> Value {
        match field.kind() {
            Kind::Message(message) => self.message(&message),
            kind => scalar(&kind, self.options),
        }
    }

    /// The component schemas, every reached message built; an error per clash of names.
    pub(crate) fn finish(mut self) -> Result<serde_json::Map<String, Value>, Vec<String>> {
        while let Some(message) = self.pending.pop() {
            let schema = self.object(&message);
            let name = self.schema_name(&message);
            if let Some(entry) = self.components.get_mut(&name) {
                entry.1 = Some(schema);
            }
        }
        if !self.clashes.is_empty() {
            self.clashes.sort();
            self.clashes.dedup();
            return Err(self.clashes);
        }
        let mut out: serde_json::Map<String, Value> = self
            .components
            .into_iter()
            .filter_map(|(name, (_, schema))| schema.map(|schema| (name, schema)))
            .collect();
        out.insert(ERROR_SCHEMA.to_owned(), error_schema());
        Ok(out)
    }

    /// `Book`, `Kinds.Inner` (the full name less the package), or the full name with
    /// `fq_schema_naming`.
    pub(crate) fn schema_name(&self, message: &MessageDescriptor) -> String {
        let full = message.full_name();
        if self.options.fq_schema_naming() {
            return full.to_owned();
        }
        let package = message.package_name();
        full.strip_prefix(package)
            .and_then(|rest| rest.strip_prefix('.'))
            .unwrap_or(full)
            .to_owned()
    }

    fn object(&mut self, message: &MessageDescriptor) -> Value {
        let file = message.parent_file_descriptor_proto();
        let mut properties = serde_json::Map::new();
        for field in message.fields() {
            let mut schema = self.field(&field);
            let doc = field_doc(&field);
            let deprecated = field
                .field_descriptor_proto()
                .options
                .as_ref()
                .is_some_and(|o| o.deprecated());
            if !doc.is_empty() || deprecated {
                schema = annotate(schema, &doc, deprecated);
            }
            let name = if self.options.proto_names() {
                field.name()
            } else {
                field.json_name()
            };
            properties.insert(name.to_owned(), schema);
        }
        let mut object = json!({ "type": "object", "properties": properties });
        let doc = doc_text(&Comments::for_path(file, message.path()).doc_lines());
        if !doc.is_empty() {
            object["description"] = Value::String(doc);
        }
        object
    }
}

/// A field's comment.
pub(crate) fn field_doc(field: &FieldDescriptor) -> String {
    let file = field.parent_message().parent_file_descriptor_proto();
    doc_text(&Comments::for_path(file, field.path()).doc_lines())
}

/// Doc lines (as the Rust generators take them: one leading space each) as plain text.
pub(crate) fn doc_text(lines: &[String]) -> String {
    let text: Vec<String> = lines
        .iter()
        .map(|line| Comments::plain_line(line.strip_prefix(' ').unwrap_or(line)))
        .collect();
    text.join("\n").trim().to_owned()
}

/// `schema` with a description and/or `deprecated`; a `$ref` is wrapped in `allOf`, since
/// OpenAPI 3.0 ignores the siblings of a `$ref`.
pub(crate) fn annotate(schema: Value, description: &str, deprecated: bool) -> Value {
    let mut schema = if schema.get("$ref").is_some() {
        json!({ "allOf": [schema] })
    } else {
        schema
    };
    if !description.is_empty() {
        schema["description"] = Value::String(description.to_owned());
    }
    if deprecated {
        schema["deprecated"] = Value::Bool(true);
    }
    schema
}

/// Scalars and enums as the proto3 JSON mapping writes them: 64-bit integers as strings,
/// bytes as base64, enums as value names (or numbers with `enum_type=integer`).
pub(crate) fn scalar(kind: &Kind, options: &Options) -> Value {
    match kind {
        Kind::Double => json!({ "type": "number", "format": "double" }),
        Kind::Float => json!({ "type": "number", "format": "float" }),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => {
            json!({ "type": "integer", "format": "int32" })
        }
        Kind::Uint32 | Kind::Fixed32 => {
            json!({ "type": "integer", "format": "uint32", "minimum": 0 })
        }
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => {
            json!({ "type": "string", "format": "int64" })
        }
        Kind::Uint64 | Kind::Fixed64 => json!({ "type": "string", "format": "uint64" }),
        Kind::Bool => json!({ "type": "boolean" }),
        Kind::String => json!({ "type": "string" }),
        Kind::Bytes => json!({ "type": "string", "format": "byte" }),
        Kind::Enum(enumeration) if options.enums_as_numbers() => {
            let numbers: Vec<i32> = enumeration.values().map(|v| v.number()).collect();
            json!({ "type": "integer", "format": "int32", "enum": numbers })
        }
        Kind::Enum(enumeration) => {
            let names: Vec<String> = enumeration.values().map(|v| v.name().to_owned()).collect();
            json!({ "type": "string", "enum": names })
        }
        // Messages are not scalars; callers route them through `Schemas::message`.
        Kind::Message(_) => json!({ "type": "object" }),
    }
}

/// The well-known types that have their own JSON form, inline; `None` for other messages.
pub(crate) fn well_known(message: &MessageDescriptor, options: &Options) -> Option<Value> {
    let wrapped = |kind: Kind| Some(scalar(&kind, options));
    match message.full_name() {
        "google.protobuf.Timestamp" => Some(json!({ "type": "string", "format": "date-time" })),
        "google.protobuf.Duration" => Some(json!({
            "type": "string",
            "pattern": "^-?[0-9]+(\\.[0-9]{1,9})?s$",
            "description": "A duration in seconds with up to nine fractional digits, ending in `s` (`1.5s`).",
        })),
        "google.protobuf.FieldMask" => Some(json!({
            "type": "string",
            "description": "Field paths in lowerCamelCase, separated by commas (`title,author.name`).",
        })),
        "google.protobuf.DoubleValue" => wrapped(Kind::Double),
        "google.protobuf.FloatValue" => wrapped(Kind::Float),
        "google.protobuf.Int64Value" => wrapped(Kind::Int64),
        "google.protobuf.UInt64Value" => wrapped(Kind::Uint64),
        "google.protobuf.Int32Value" => wrapped(Kind::Int32),
        "google.protobuf.UInt32Value" => wrapped(Kind::Uint32),
        "google.protobuf.BoolValue" => wrapped(Kind::Bool),
        "google.protobuf.StringValue" => wrapped(Kind::String),
        "google.protobuf.BytesValue" => wrapped(Kind::Bytes),
        "google.protobuf.Struct" => Some(json!({ "type": "object", "additionalProperties": true })),
        "google.protobuf.Value" => Some(json!({ "description": "Any JSON value." })),
        "google.protobuf.ListValue" => Some(json!({ "type": "array", "items": {} })),
        "google.protobuf.Any" => Some(json!({
            "type": "object",
            "properties": { "@type": { "type": "string", "description": "The type URL of the packed message." } },
            "required": ["@type"],
            "additionalProperties": true,
            "description": "A message of any type: `@type` names it, the other members are its fields (or `value` for types with their own JSON form).",
        })),
        "google.protobuf.Empty" => Some(json!({ "type": "object" })),
        _ => None,
    }
}

/// The body of every Kratos error reply.
fn error_schema() -> Value {
    json!({
        "type": "object",
        "description": "A Kratos error: the HTTP status repeats `code`; `reason` is the stable, machine-readable cause.",
        "properties": {
            "code": { "type": "integer", "format": "int32", "description": "The HTTP status code." },
            "reason": { "type": "string", "description": "The error reason, such as USER_NOT_FOUND." },
            "message": { "type": "string", "description": "What went wrong, for people." },
            "metadata": {
                "type": "object",
                "additionalProperties": { "type": "string" },
                "description": "Extra details as string pairs.",
            },
        },
    })
}
