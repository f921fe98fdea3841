//! Generated proto3 JSON codecs: one `JsonMessage` impl per message that can
//! have one, and the `HttpMessage` impl of every message.
//!
//! The generated code states each field's JSON kind and presence and leaves
//! the rules to the runtime's `encoding::typed_json` module (`__codegen::json` to generated
//! code), whose readers fall back to the reflective codec for anything unusual; see its docs.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

use prost_reflect::{Cardinality, FieldDescriptor, Kind, MessageDescriptor, Syntax};

use super::Emitter;
use super::text::{self, Expr};

/// Decides which messages get a generated JSON codec.
///
/// A message qualifies when it is proto3, every message type it reaches is a
/// well-known type the runtime handles or a qualifying message of a file in
/// this generation run (whose impl this run emits), and it reaches no
/// `google.protobuf.Any` (whose type URLs need the descriptor pool).
pub(crate) struct JsonSupport {
    generated_files: HashSet<String>,
    decided: HashMap<String, bool>,
}

impl JsonSupport {
    /// Support for messages of `generated_files` (the request's files to generate).
    pub(crate) fn new(generated_files: HashSet<String>) -> Self {
        Self {
            generated_files,
            decided: HashMap::new(),
        }
    }

    /// Whether `message` gets a generated codec.
    pub(crate) fn supports(&mut self, message: &MessageDescriptor) -> bool {
        self.check(message, &mut Vec::new())
    }

    fn check(&mut self, message: &MessageDescriptor, visiting: &mut Vec<String>) -> bool {
        let name = message.full_name().to_owned();
        if let Some(known) = self.decided.get(&name) {
            return *known;
        }
        if visiting.contains(&name) {
            // A cycle qualifies if the rest of it does.
            return true;
        }
        visiting.push(name.clone());
        let supported = message.parent_file().syntax() == Syntax::Proto3
            && self.generated_files.contains(message.parent_file().name())
            && message
                .fields()
                .all(|field| self.field_ok(&field, visiting));
        visiting.pop();
        // Only a verdict reached outside any cycle is final.
        if visiting.is_empty() || !supported {
            self.decided.insert(name, supported);
        }
        supported
    }

    fn field_ok(&mut self, field: &FieldDescriptor, visiting: &mut Vec<String>) -> bool {
        let Kind::Message(message) = field.kind() else {
            return true;
        };
        if field.is_map() {
            return self.field_ok(&message.map_entry_value_field(), visiting);
        }
        if is_well_known(&message) {
            return true;
        }
        self.check(&message, visiting)
    }
}

/// The well-known types the runtime's `WellKnown` kind reads and writes.
fn is_well_known(message: &MessageDescriptor) -> bool {
    matches!(
        message.full_name(),
        "google.protobuf.Timestamp"
            | "google.protobuf.Duration"
            | "google.protobuf.FieldMask"
            | "google.protobuf.Struct"
            | "google.protobuf.Value"
            | "google.protobuf.ListValue"
            | "google.protobuf.Empty"
            | "google.protobuf.DoubleValue"
            | "google.protobuf.FloatValue"
            | "google.protobuf.Int64Value"
            | "google.protobuf.UInt64Value"
            | "google.protobuf.Int32Value"
            | "google.protobuf.UInt32Value"
            | "google.protobuf.BoolValue"
            | "google.protobuf.StringValue"
            | "google.protobuf.BytesValue"
    )
}

impl Emitter<'_> {
    /// `impl HttpMessage` for every message, plus `impl JsonMessage` for
    /// those with a generated codec.
    ///
    /// `response_fields` lists, per message, the fields some binding of this
    /// package names as its `response_body`: those get generated writers.
    pub(crate) fn json_impls(
        &self,
        messages: &[MessageDescriptor],
        support: &mut JsonSupport,
        response_fields: &HashMap<String, Vec<FieldDescriptor>>,
        out: &mut String,
    ) {
        for message in messages {
            let ty = self.rust_type(message);
            if !support.supports(message) {
                let _ = writeln!(out, "impl __kratos::HttpMessage for {ty} {{}}");
                continue;
            }
            match response_fields.get(message.full_name()) {
                Some(fields) if !fields.is_empty() => {
                    let _ = writeln!(out, "__kratos::http_message!({ty} {{");
                    self.encode_reply_field(fields, out);
                    out.push_str("});\n");
                }
                _ => {
                    let _ = writeln!(out, "__kratos::http_message!({ty});");
                }
            }
            self.json_message(message, out);
        }
    }

    /// `encode_reply_field` with a generated writer per `response_body` field.
    fn encode_reply_field(&self, fields: &[FieldDescriptor], out: &mut String) {
        out.push_str(
            "    fn encode_reply_field(\n        \
                 &self,\n        \
                 format: __kratos::Format,\n        \
                 field: &str,\n        \
                 options: &__kratos::JsonOptions,\n    \
             ) -> __kratos::Result<__kratos::Vec<u8>> {\n        \
                 use __kratos::json as json;\n        \
                 json::encode_reply_field(self, format, field, options, |value| match field {\n",
        );
        for field in fields {
            match_arm(
                out,
                "            ",
                &text::string(field.name()),
                &self.write_value(field),
            );
        }
        out.push_str("            _ => value.unknown(),\n        })\n    }\n");
    }

    /// Writes one field's value on its own, through a `ValueWriter` named `value`.
    fn write_value(&self, field: &FieldDescriptor) -> Expr {
        let ident = self.field_ident(field);
        let kind = self.kind(field).prefixed("&");
        let text = |text: String| Expr::Text(text);
        if field.is_map() {
            let key_kind = Expr::Text(format!("&{}", key_kind(field)));
            return Expr::call(
                "value.map(",
                vec![key_kind, kind, text(format!("&self.{ident}"))],
                ")",
            );
        }
        if field.cardinality() == Cardinality::Repeated {
            return Expr::call(
                "value.repeated(",
                vec![kind, text(format!("&self.{ident}"))],
                ")",
            );
        }
        let message = matches!(field.kind(), Kind::Message(ref message) if !is_well_known(message));
        if let Some((oneof, variant)) = self.oneof_variant(field) {
            let member = format!(
                "match &self.{oneof} {{\n    \
                     __kratos::Some({variant}(member)) => __kratos::Some(member),\n    \
                     _ => __kratos::None,\n\
                 }}"
            );
            return if message {
                Expr::call(
                    "value.message(",
                    vec![text(format!(
                        "{member}.map(::core::borrow::Borrow::borrow)"
                    ))],
                    ")",
                )
            } else {
                Expr::call("value.optional(", vec![kind, text(member)], ")")
            };
        }
        if message {
            return Expr::call(
                "value.message(",
                vec![text(format!(
                    "self.{ident}.as_ref().map(::core::borrow::Borrow::borrow)"
                ))],
                ")",
            );
        }
        if field.supports_presence() {
            return Expr::call(
                "value.optional(",
                vec![kind, text(format!("self.{ident}.as_ref()"))],
                ")",
            );
        }
        Expr::call(
            "value.implicit(",
            vec![kind, text(format!("&self.{ident}"))],
            ")",
        )
    }

    fn json_message(&self, message: &MessageDescriptor, out: &mut String) {
        let ty = self.rust_type(message);
        let mut fields: Vec<FieldDescriptor> = message.fields().collect();
        fields.sort_by_key(FieldDescriptor::number);

        let _ = writeln!(
            out,
            "impl __kratos::json::JsonMessage for {ty} {{\n    \
                 fn write_json_fields<S: __kratos::json::serde::ser::SerializeMap>(\n        \
                     &self,\n        \
                     fields: &mut __kratos::json::FieldWriter<'_, S>,\n    \
                 ) -> __kratos::Result<(), S::Error> {{"
        );
        // A message without fields (`message Empty {}`) writes nothing and skips every key.
        if fields.is_empty() {
            out.push_str("        let _ = fields;\n");
        } else {
            out.push_str("        use __kratos::json as json;\n");
            for field in &fields {
                self.write_field(field, out);
            }
        }
        out.push_str(
            "        __kratos::Ok(())\n    \
             }\n    \
             #[allow(clippy::useless_conversion)]\n    \
             fn merge_json_fields<'de, A: __kratos::json::serde::de::MapAccess<'de>>(\n        \
                 &mut self,\n        \
                 object: &mut __kratos::json::ObjectReader<'_, 'de, A>,\n    \
             ) -> __kratos::Result<(), A::Error> {\n",
        );
        if fields.is_empty() {
            out.push_str(
                "        while object.next_key()?.is_some() {\n            \
                     object.skip()?;\n        \
                 }\n",
            );
        } else {
            self.read_fields(message, &fields, out);
        }
        out.push_str("        __kratos::Ok(())\n    }\n}\n");
    }

    /// The `while let` loop of `merge_json_fields`: one arm per field, keyed by its names.
    fn read_fields(
        &self,
        message: &MessageDescriptor,
        fields: &[FieldDescriptor],
        out: &mut String,
    ) {
        let slots: HashMap<u32, usize> = message
            .fields()
            .enumerate()
            .map(|(slot, field)| (field.number(), slot))
            .collect();
        let oneof_slots: HashMap<String, usize> = message
            .oneofs()
            .filter(|oneof| !oneof.is_synthetic())
            .enumerate()
            .map(|(index, oneof)| (oneof.name().to_owned(), slots.len() + index))
            .collect();

        // JSON names first: a JSON name wins over another field's proto name, as in the
        // reflective codec.
        let mut taken = HashSet::new();
        let mut names: HashMap<u32, Vec<String>> = HashMap::new();
        for field in fields {
            if taken.insert(field.json_name().to_owned()) {
                names
                    .entry(field.number())
                    .or_default()
                    .push(text::string(field.json_name()));
            }
        }
        for field in fields {
            if taken.insert(field.name().to_owned()) {
                names
                    .entry(field.number())
                    .or_default()
                    .push(text::string(field.name()));
            }
        }
        out.push_str(
            "        #[allow(unused_imports)]\n        \
             use __kratos::json as json;\n        \
             while let __kratos::Some(key) = object.next_key()? {\n            \
                 match key.as_str() {\n",
        );
        for field in fields {
            let (Some(keys), Some(slot)) = (names.get(&field.number()), slots.get(&field.number()))
            else {
                continue;
            };
            let oneof_slot = field
                .containing_oneof()
                .filter(|oneof| !oneof.is_synthetic())
                .and_then(|oneof| oneof_slots.get(oneof.name()));
            self.read_field(field, &keys.join(" | "), *slot, oneof_slot.copied(), out);
        }
        out.push_str(
            "                _ => object.skip()?,\n            \
                 }\n        \
             }\n",
        );
    }

    /// The runtime kind of a field's values (of a map's values for maps).
    /// Paths start at `json`, the alias of the runtime's `__codegen::json`
    /// that each generated function imports.
    fn kind(&self, field: &FieldDescriptor) -> Expr {
        if field.is_map()
            && let Kind::Message(entry) = field.kind()
        {
            return self.kind(&entry.map_entry_value_field());
        }
        let text = |text: &str| Expr::Text(text.to_owned());
        match field.kind() {
            Kind::Double => text("json::Double"),
            Kind::Float => text("json::Float"),
            Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => text("json::Int32"),
            Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => text("json::Int64"),
            Kind::Uint32 | Kind::Fixed32 => text("json::UInt32"),
            Kind::Uint64 | Kind::Fixed64 => text("json::UInt64"),
            Kind::Bool => text("json::Bool"),
            Kind::String => text("json::Str"),
            Kind::Bytes => text("json::Bytes::new()"),
            Kind::Enum(enumeration) if enumeration.full_name() == "google.protobuf.NullValue" => {
                text("json::NullValue")
            }
            Kind::Enum(enumeration) => {
                let ty = self.type_path(enumeration.full_name());
                Expr::call(
                    "json::Enum::new(",
                    vec![
                        Expr::Text(format!(
                            "|name| {ty}::from_str_name(name).map(|value| value as i32)"
                        )),
                        Expr::Text(format!(
                            "|number| {ty}::try_from(number).ok().map(|value| value.as_str_name())"
                        )),
                    ],
                    ")",
                )
            }
            Kind::Message(message) if is_well_known(&message) => text("json::WellKnown::new()"),
            Kind::Message(message) => Expr::Text(format!(
                "json::Message::<{}>::new()",
                self.rust_type(&message)
            )),
        }
    }

    fn write_field(&self, field: &FieldDescriptor, out: &mut String) {
        const IN: &str = "        ";
        let names = || {
            vec![
                Expr::Text(text::string(field.json_name())),
                Expr::Text(text::string(field.name())),
            ]
        };
        let ident = self.field_ident(field);
        let kind = self.kind(field).prefixed("&");
        let call = |method: &str, mut items: Vec<Expr>, rest: Vec<Expr>| {
            items.extend(rest);
            Expr::call(format!("fields.{method}("), items, ")?")
        };
        let text = |text: String| Expr::Text(text);
        if field.is_map() {
            let key_kind = text(format!("&{}", key_kind(field)));
            call(
                "map",
                names(),
                vec![key_kind, kind, text(format!("&self.{ident}"))],
            )
            .write(out, IN, "", ";");
            return;
        }
        if field.cardinality() == Cardinality::Repeated {
            call(
                "repeated",
                names(),
                vec![kind, text(format!("&self.{ident}"))],
            )
            .write(out, IN, "", ";");
            return;
        }
        // prost may box message fields (recursive types): borrow through the box.
        let boxable = matches!(field.kind(), Kind::Message(ref message) if !is_well_known(message));
        if let Some((oneof, variant)) = self.oneof_variant(field) {
            let value = if boxable {
                "__kratos::Some(::core::borrow::Borrow::borrow(value))"
            } else {
                "__kratos::Some(value)"
            };
            let _ = writeln!(
                out,
                "{IN}if let __kratos::Some({variant}(value)) = &self.{oneof} {{"
            );
            call("optional", names(), vec![kind, text(value.to_owned())]).write(
                out,
                &format!("{IN}    "),
                "",
                ";",
            );
            let _ = writeln!(out, "{IN}}}");
            return;
        }
        let value = if boxable {
            format!("self.{ident}.as_ref().map(::core::borrow::Borrow::borrow)")
        } else if field.supports_presence() {
            format!("self.{ident}.as_ref()")
        } else {
            call(
                "implicit",
                names(),
                vec![kind, text(format!("&self.{ident}"))],
            )
            .write(out, IN, "", ";");
            return;
        };
        call("optional", names(), vec![kind, text(value)]).write(out, IN, "", ";");
    }

    /// The match arm reading one field under `keys` (its names as a pattern).
    fn read_field(
        &self,
        field: &FieldDescriptor,
        keys: &str,
        slot: usize,
        oneof_slot: Option<usize>,
        out: &mut String,
    ) {
        let ident = self.field_ident(field);
        let kind = self.kind(field).prefixed("&");
        let text = |text: String| Expr::Text(text);
        let slot_text = text(slot.to_string());
        let read = if field.is_map() {
            let key_kind = text(format!("&{}", key_kind(field)));
            Expr::call(
                "object.map(",
                vec![
                    slot_text,
                    key_kind,
                    kind,
                    text(format!("&mut self.{ident}")),
                ],
                ")?",
            )
        } else if field.cardinality() == Cardinality::Repeated {
            Expr::call(
                "object.repeated(",
                vec![slot_text, kind, text(format!("&mut self.{ident}"))],
                ")?",
            )
        } else if let (Some((oneof, variant)), Some(oneof_slot)) =
            (self.oneof_variant(field), oneof_slot)
        {
            // prost may box message members (recursive types).
            let value = if matches!(field.kind(), Kind::Message(ref message) if !is_well_known(message))
            {
                "::core::convert::Into::into(value)"
            } else {
                "value"
            };
            const IN: &str = "                    ";
            let _ = writeln!(out, "                {keys} => {{");
            Expr::call(
                "object.oneof(",
                vec![slot_text, text(oneof_slot.to_string()), kind],
                ")?",
            )
            .write(out, IN, "if let __kratos::Some(value) = ", " {");
            Expr::call(
                format!("self.{oneof} = __kratos::Some("),
                vec![text(format!("{variant}({value})"))],
                ");",
            )
            .write(out, &format!("{IN}    "), "", "");
            let _ = writeln!(out, "{IN}}}\n                }}");
            return;
        } else {
            match field.kind() {
                Kind::Message(message) if !is_well_known(&message) => Expr::call(
                    format!("object.message::<{}, _>(", self.rust_type(&message)),
                    vec![slot_text, text(format!("&mut self.{ident}"))],
                    ")?",
                ),
                _ if field.supports_presence() => Expr::call(
                    "object.optional(",
                    vec![slot_text, kind, text(format!("&mut self.{ident}"))],
                    ")?",
                ),
                _ => Expr::call(
                    "object.implicit(",
                    vec![slot_text, kind, text(format!("&mut self.{ident}"))],
                    ")?",
                ),
            }
        };
        match_arm(out, "                ", keys, &read);
    }
}

/// The runtime kind of a map field's keys.
fn key_kind(field: &FieldDescriptor) -> &'static str {
    let Kind::Message(entry) = field.kind() else {
        return "json::Str";
    };
    match entry.map_entry_key_field().kind() {
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => "json::Int32",
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => "json::Int64",
        Kind::Uint32 | Kind::Fixed32 => "json::UInt32",
        Kind::Uint64 | Kind::Fixed64 => "json::UInt64",
        Kind::Bool => "json::Bool",
        _ => "json::Str",
    }
}

/// `pattern => expression,` as an arm at `indent`: one line when it fits, else the expression
/// alone in a block when it fits there on one line, else the expression broken into lines.
fn match_arm(out: &mut String, indent: &str, pattern: &str, expression: &Expr) {
    let mut arm = String::new();
    expression.write(&mut arm, indent, &format!("{pattern} => "), ",");
    let block = format!("{indent}    ");
    if arm.matches('\n').count() > 1 && expression.fits(&block) {
        let _ = writeln!(out, "{indent}{pattern} => {{");
        expression.write(out, &block, "", "");
        let _ = writeln!(out, "{indent}}}");
    } else {
        out.push_str(&arm);
    }
}
