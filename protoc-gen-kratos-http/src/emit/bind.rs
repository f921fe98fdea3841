//! Typed binding code: path variables and query keys assigned straight onto
//! prost's structs, with the runtime's parsers doing the conversions.

use std::fmt::Write as _;
use std::rc::Rc;

use kratos_codegen::{rust_field_ident, rust_type_ident};
use prost_reflect::{Cardinality, FieldDescriptor, Kind, MessageDescriptor};

use super::text::{self, Expr, chain, list};
use super::{Emitter, MessageFnName};
use crate::model::is_scalar_message;

/// One arm of a query binder: a field path from the binder's message
/// through singular message fields.
struct Arm {
    steps: Vec<FieldDescriptor>,
    /// Whether the last step is a message field whose type is already on the
    /// path: the rest of the key goes to that type's own binder.
    recurse: bool,
}

impl Emitter<'_> {
    /// The name of the query binder function of `message`.
    pub(crate) fn query_fn_name(message: &MessageDescriptor) -> MessageFnName<'_> {
        MessageFnName("bind_query_", message)
    }

    /// `fn bind_query_x(message, pair, at, exclude, seen)`: assigns one query
    /// (or form) pair to the field its dotted key names, below the fields `at`
    /// (proto names) that callers have already walked. Unknown keys are
    /// ignored; keys under `exclude` (path and body fields) too. A key that
    /// reaches a message type already on its path (a recursive type) goes on
    /// in that type's binder, so keys bind at any depth they name.
    ///
    /// Returns the binder and the message types its recursive arms call.
    pub(crate) fn query_fn(&self, message: &MessageDescriptor) -> (String, Vec<MessageDescriptor>) {
        let mut arms = Vec::new();
        collect_arms(
            message,
            &[],
            &mut vec![message.full_name().to_owned()],
            &mut arms,
        );
        // One more part than any arm reads, so a longer key matches no leaf.
        let depth = arms.iter().map(|arm| arm.steps.len()).max().unwrap_or(0) + 1;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "#[allow(clippy::too_many_lines, unused_variables)]\n\
             fn {}(\n    \
                 message: &mut {},\n    \
                 pair: &__kratos::QueryPair<'_>,\n    \
                 at: &[&'static str],\n    \
                 exclude: &[&[&str]],\n    \
                 seen: &mut __kratos::SeenFields,\n\
             ) -> __kratos::Result<()> {{\n    \
                 let mut parts = [\"\"; {depth}];\n    \
                 let mut len = 0;\n    \
                 for part in pair.path().skip(at.len()) {{\n        \
                     if len == parts.len() {{\n            \
                         break;\n        \
                     }}\n        \
                     parts[len] = part;\n        \
                     len += 1;\n    \
                 }}\n    \
                 let target = message;\n    \
                 match &parts[..len] {{",
            Self::query_fn_name(message),
            self.rust_type(message)
        );
        let mut calls = Vec::new();
        let mut singular = 0;
        for arm in &arms {
            if arm.recurse {
                if let Kind::Message(next) = arm.steps[arm.steps.len() - 1].kind()
                    && !calls
                        .iter()
                        .any(|m: &MessageDescriptor| m.full_name() == next.full_name())
                {
                    calls.push(next);
                }
                self.recurse_arm(arm, &mut out);
            } else {
                self.query_arm(&arm.steps, &mut singular, &mut out);
            }
        }
        out.push_str("        _ => {}\n    }\n    __kratos::Ok(())\n}\n");
        (out, calls)
    }

    /// The arm handing the rest of a key to the binder of a recursive type.
    fn recurse_arm(&self, arm: &Arm, out: &mut String) {
        let Kind::Message(next) = arm.steps[arm.steps.len() - 1].kind() else {
            return;
        };
        let patterns: Vec<String> = arm.steps.iter().map(key_pattern).collect();
        let _ = writeln!(out, "        [{}, _, ..] => {{", patterns.join(", "));
        list(
            out,
            ARM,
            "let at = __kratos::descend(",
            &["pair".to_owned(), "at".to_owned(), canonical(&arm.steps)],
            ")?;",
        );
        self.navigate(&arm.steps, out);
        list(
            out,
            ARM,
            &format!("return {}(", Self::query_fn_name(&next)),
            &[
                "target".to_owned(),
                "pair".to_owned(),
                "&at".to_owned(),
                "exclude".to_owned(),
                "seen".to_owned(),
            ],
            ");",
        );
        out.push_str("        }\n");
    }

    fn query_arm(&self, steps: &[FieldDescriptor], singular: &mut usize, out: &mut String) {
        let patterns: Vec<String> = steps.iter().map(key_pattern).collect();
        let dotted: Vec<&str> = steps.iter().map(FieldDescriptor::name).collect();
        let field = &steps[steps.len() - 1];
        let shape = if field.is_map() {
            "__kratos::LeafShape::Map,".to_owned()
        } else if field.is_list() {
            "__kratos::LeafShape::Repeated,".to_owned()
        } else {
            let index = *singular;
            *singular += 1;
            // Kratos leaves a singular number, bool or enum at its default for `a=`.
            let empty_is_default =
                !field.supports_presence() && !matches!(field.kind(), Kind::String | Kind::Bytes);
            format!(
                "__kratos::LeafShape::Singular {{\n                    \
                     index: {index},\n                    \
                     empty_is_default: {empty_is_default},\n                \
                 }},"
            )
        };
        let _ = writeln!(
            out,
            "        [{}] => {{\n            \
                 let __kratos::Some(name) = __kratos::check_leaf(\n                \
                     pair,\n                \
                     exclude,\n                \
                     at,\n                \
                     {},\n                \
                     {},\n                \
                     seen,\n                \
                     {shape}\n            \
                 )? else {{\n                \
                     return __kratos::Ok(());\n            \
                 }};",
            patterns.join(", "),
            canonical(steps),
            text::string(&dotted.join(".")),
        );
        self.navigate(&steps[..steps.len() - 1], out);
        if field.is_map() {
            self.map_insert(field, out);
        } else {
            let value = self.parse_value(field, "&name", "pair.value()");
            self.assign(field, value, out);
        }
        out.push_str("        }\n");
    }

    /// Moves `target` from the current message down through `steps`
    /// (singular message fields, possibly oneof members), creating them.
    fn navigate(&self, steps: &[FieldDescriptor], out: &mut String) {
        for field in steps {
            match self.oneof_variant(field) {
                Some((oneof, variant)) => {
                    let _ = writeln!(
                        out,
                        "{ARM}if !::core::matches!(target.{oneof}, __kratos::Some({variant}(_))) {{\n\
                         {ARM}    if target.{oneof}.is_some() {{"
                    );
                    oneof_conflict(&oneof).write(out, &format!("{ARM}        "), "return ", ";");
                    let _ = writeln!(out, "{ARM}    }}");
                    Expr::call(
                        format!("target.{oneof} = __kratos::Some("),
                        vec![Expr::Text(format!(
                            "{variant}(__kratos::Default::default())"
                        ))],
                        ");",
                    )
                    .write(out, &format!("{ARM}    "), "", "");
                    let _ = writeln!(
                        out,
                        "{ARM}}}\n\
                         {ARM}let __kratos::Some({variant}(target)) = &mut target.{oneof} else {{"
                    );
                    oneof_conflict(&oneof).write(out, &format!("{ARM}    "), "return ", ";");
                    let _ = writeln!(out, "{ARM}}};");
                }
                None => chain(
                    out,
                    ARM,
                    "let target = target",
                    &[
                        self.field_ident(field),
                        "get_or_insert_with(__kratos::Default::default)".to_owned(),
                    ],
                    ";",
                ),
            }
        }
    }

    /// `target.field = value` in the shape prost gives the field.
    fn assign(&self, field: &FieldDescriptor, value: Expr, out: &mut String) {
        let ident = self.field_ident(field);
        if field.is_list() {
            Expr::call(format!("target.{ident}.push("), vec![value], ");").write(out, ARM, "", "");
            return;
        }
        if let Some((oneof, variant)) = self.oneof_variant(field) {
            let condition = format!(
                "target.{oneof}.is_some() && !::core::matches!(target.{oneof}, __kratos::Some({variant}(_)))"
            );
            if ARM.len() + condition.len() + 5 <= text::MARGIN {
                let _ = writeln!(out, "{ARM}if {condition} {{");
            } else {
                let _ = writeln!(
                    out,
                    "{ARM}if target.{oneof}.is_some()\n\
                     {ARM}    && !::core::matches!(target.{oneof}, __kratos::Some({variant}(_)))\n\
                     {ARM}{{"
                );
            }
            oneof_conflict(&oneof).write(out, &format!("{ARM}    "), "return ", ";");
            let _ = writeln!(out, "{ARM}}}");
            Expr::call(
                format!("target.{oneof} = __kratos::Some("),
                vec![Expr::call(format!("{variant}("), vec![value], ")")],
                ");",
            )
            .write(out, ARM, "", "");
            return;
        }
        if field.supports_presence() {
            Expr::call(
                format!("target.{ident} = __kratos::Some("),
                vec![value],
                ");",
            )
            .write(out, ARM, "", "");
        } else {
            value.write(out, ARM, &format!("target.{ident} = "), ";");
        }
    }

    fn map_insert(&self, field: &FieldDescriptor, out: &mut String) {
        let Kind::Message(entry) = field.kind() else {
            return;
        };
        let key = self.parse_value(&entry.map_entry_key_field(), "&name", "key");
        let value = self.parse_value(&entry.map_entry_value_field(), "&name", "pair.value()");
        // check_leaf has made sure the key is there.
        let _ = writeln!(out, "{ARM}let key = pair.map_key().unwrap_or_default();");
        Expr::call(
            format!("target.{}.insert(", self.field_ident(field)),
            vec![key, value],
            ");",
        )
        .write(out, ARM, "", "");
    }

    /// An expression parsing `input` (a `&str`) into the Rust value of `field`.
    fn parse_value(&self, field: &FieldDescriptor, dotted: &str, input: &str) -> Expr {
        let parser = |name: &str| {
            Expr::call(
                format!("__kratos::{name}("),
                vec![Expr::Text(dotted.to_owned()), Expr::Text(input.to_owned())],
                ")?",
            )
        };
        let into = |value: Expr| Expr::call("::core::convert::Into::into(", vec![value], ")");
        match field.kind() {
            Kind::String => Expr::Text(format!("__kratos::String::from({input})")),
            Kind::Bool => parser("parse_bool"),
            Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => parser("parse_i32"),
            Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => parser("parse_i64"),
            Kind::Uint32 | Kind::Fixed32 => parser("parse_u32"),
            Kind::Uint64 | Kind::Fixed64 => parser("parse_u64"),
            Kind::Float => parser("parse_f32"),
            Kind::Double => parser("parse_f64"),
            Kind::Bytes => into(parser("parse_bytes")),
            Kind::Enum(enumeration) => {
                let ty = self.type_path(enumeration.full_name());
                Expr::call(
                    "__kratos::parse_enum(",
                    vec![
                        Expr::Text(dotted.to_owned()),
                        Expr::Text(input.to_owned()),
                        Expr::Text(format!("{ty}::from_str_name")),
                        Expr::Text(format!("|n| {ty}::try_from(n).is_ok()")),
                    ],
                    ")?",
                )
            }
            Kind::Message(message) => match message.full_name() {
                "google.protobuf.Timestamp" => parser("parse_timestamp"),
                "google.protobuf.Duration" => parser("parse_duration"),
                "google.protobuf.FieldMask" => parser("parse_field_mask"),
                "google.protobuf.Struct" => parser("parse_struct"),
                "google.protobuf.ListValue" => parser("parse_list_value"),
                "google.protobuf.Value" => parser("parse_value"),
                "google.protobuf.DoubleValue" => parser("parse_f64"),
                "google.protobuf.FloatValue" => parser("parse_f32"),
                "google.protobuf.Int64Value" => parser("parse_i64"),
                "google.protobuf.UInt64Value" => parser("parse_u64"),
                "google.protobuf.Int32Value" => parser("parse_i32"),
                "google.protobuf.UInt32Value" => parser("parse_u32"),
                "google.protobuf.BoolValue" => parser("parse_bool"),
                "google.protobuf.StringValue" => {
                    Expr::Text(format!("__kratos::String::from({input})"))
                }
                "google.protobuf.BytesValue" => into(parser("parse_bytes")),
                // Only the types above are leaves; the model never asks for others.
                _ => Expr::Text("__kratos::Default::default()".to_owned()),
            },
        }
    }

    /// The Rust type of a message, as seen from the package module.
    pub(crate) fn rust_type(&self, message: &MessageDescriptor) -> Rc<str> {
        self.type_path(message.full_name())
    }

    /// `(oneof field ident, path to the variant)` for a member of a real oneof.
    pub(crate) fn oneof_variant(&self, field: &FieldDescriptor) -> Option<(String, String)> {
        let oneof = field.containing_oneof().filter(|o| !o.is_synthetic())?;
        let parent = field.parent_message();
        let module = self.types.nested_module(parent.full_name());
        let enum_name = rust_type_ident(oneof.name());
        let variant = rust_type_ident(field.name());
        Some((
            rust_field_ident(oneof.name()),
            format!("{module}::{enum_name}::{variant}"),
        ))
    }
}

/// The indentation of a binder arm's statements.
const ARM: &str = "            ";

/// The error of a second member of oneof `oneof` in one request.
fn oneof_conflict(oneof: &str) -> Expr {
    Expr::call(
        "__kratos::Err(",
        vec![Expr::call(
            "__kratos::Error::new(",
            vec![
                Expr::Text("400".to_owned()),
                Expr::Text("\"CODEC\"".to_owned()),
                Expr::call(
                    "::core::concat!(",
                    vec![
                        Expr::Text(r#""two members of oneof \"""#.to_owned()),
                        Expr::Text(text::string(oneof)),
                        Expr::Text(r#""\" are set; give one""#.to_owned()),
                    ],
                    ")",
                ),
            ],
            ")",
        )],
        ")",
    )
}

/// `&["a", "b"]`: the proto names of `steps`.
fn canonical(steps: &[FieldDescriptor]) -> String {
    let names: Vec<String> = steps.iter().map(|f| text::string(f.name())).collect();
    format!("&[{}]", names.join(", "))
}

/// `"proto_name" | "jsonName"`: the key part naming `field`.
fn key_pattern(field: &FieldDescriptor) -> String {
    let proto = field.name();
    let json = field.json_name();
    if proto == json {
        text::string(proto)
    } else {
        format!("{} | {}", text::string(proto), text::string(json))
    }
}

/// The arms of `message`'s binder: every leaf reachable by singular message
/// fields, stopping at a message type already on the path (a recursive
/// type), which gets an arm calling its own binder instead.
fn collect_arms(
    message: &MessageDescriptor,
    prefix: &[FieldDescriptor],
    visiting: &mut Vec<String>,
    arms: &mut Vec<Arm>,
) {
    for field in message.fields() {
        let mut steps = prefix.to_vec();
        steps.push(field.clone());
        match field.kind() {
            Kind::Message(next) if !field.is_map() && !is_scalar_message(&next) => {
                if field.cardinality() == Cardinality::Repeated {
                    continue;
                }
                if visiting.contains(&next.full_name().to_owned()) {
                    arms.push(Arm {
                        steps,
                        recurse: true,
                    });
                    continue;
                }
                visiting.push(next.full_name().to_owned());
                collect_arms(&next, &steps, visiting, arms);
                visiting.pop();
            }
            Kind::Message(_) if field.is_map() => {
                let Kind::Message(entry) = field.kind() else {
                    continue;
                };
                // Maps whose values are messages cannot be written in a query.
                if matches!(entry.map_entry_value_field().kind(), Kind::Message(ref v) if !is_scalar_message(v))
                {
                    continue;
                }
                arms.push(Arm {
                    steps,
                    recurse: false,
                });
            }
            _ => arms.push(Arm {
                steps,
                recurse: false,
            }),
        }
    }
}
