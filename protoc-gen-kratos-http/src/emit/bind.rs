//! Typed binding code: path variables and query keys assigned straight onto
//! prost's structs, with the runtime's parsers doing the conversions.

use kratos_codegen::{rust_field_ident, rust_type_ident};
use proc_macro2::{Literal, TokenStream};
use prost_reflect::{Cardinality, FieldDescriptor, Kind, MessageDescriptor};
use quote::{format_ident, quote};

use super::Emitter;
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
    pub(crate) fn query_fn_name(message: &MessageDescriptor) -> proc_macro2::Ident {
        format_ident!(
            "bind_query_{}",
            message.full_name().replace('.', "_").to_ascii_lowercase()
        )
    }

    /// `fn bind_query_x(message, pair, at, exclude, seen)`: assigns one query
    /// (or form) pair to the field its dotted key names, below the fields `at`
    /// (proto names) that callers have already walked. Unknown keys are
    /// ignored; keys under `exclude` (path and body fields) too. A key that
    /// reaches a message type already on its path (a recursive type) goes on
    /// in that type's binder, so keys bind at any depth they name.
    ///
    /// Returns the binder and the message types its recursive arms call.
    pub(crate) fn query_fn(
        &self,
        message: &MessageDescriptor,
    ) -> (TokenStream, Vec<MessageDescriptor>) {
        let rt = self.runtime;
        let name = Self::query_fn_name(message);
        let ty = self.rust_type(message);
        let mut arms = Vec::new();
        collect_arms(
            message,
            &[],
            &mut vec![message.full_name().to_owned()],
            &mut arms,
        );
        // One more part than any arm reads, so a longer key matches no leaf.
        let depth = arms.iter().map(|arm| arm.steps.len()).max().unwrap_or(0) + 1;
        let depth = Literal::usize_unsuffixed(depth);
        let mut calls = Vec::new();
        let mut singular = 0;
        let code = arms
            .iter()
            .map(|arm| {
                if arm.recurse {
                    if let Kind::Message(next) = arm.steps[arm.steps.len() - 1].kind()
                        && !calls
                            .iter()
                            .any(|m: &MessageDescriptor| m.full_name() == next.full_name())
                    {
                        calls.push(next);
                    }
                    self.recurse_arm(arm)
                } else {
                    self.query_arm(&arm.steps, &mut singular)
                }
            })
            .collect::<Vec<_>>();
        let function = quote! {
            #[allow(clippy::too_many_lines, unused_variables)]
            fn #name(
                message: &mut #ty,
                pair: &#rt::QueryPair<'_>,
                at: &[&'static str],
                exclude: &[&[&str]],
                seen: &mut #rt::SeenFields,
            ) -> #rt::Result<()> {
                // The key's dotted parts below `at`.
                let mut parts = [""; #depth];
                let mut len = 0;
                for part in pair.path().skip(at.len()) {
                    if len == parts.len() {
                        break;
                    }
                    parts[len] = part;
                    len += 1;
                }
                let target = message;
                match &parts[..len] {
                    #(#code)*
                    _ => {}
                }
                #rt::Ok(())
            }
        };
        (function, calls)
    }

    /// The arm handing the rest of a key to the binder of a recursive type.
    fn recurse_arm(&self, arm: &Arm) -> TokenStream {
        let rt = self.runtime;
        let patterns = arm.steps.iter().map(key_pattern);
        let canonical: Vec<&str> = arm.steps.iter().map(FieldDescriptor::name).collect();
        let navigate = self.navigate(&arm.steps);
        let Kind::Message(next) = arm.steps[arm.steps.len() - 1].kind() else {
            return quote!();
        };
        let function = Self::query_fn_name(&next);
        quote! {
            [#(#patterns,)* _, ..] => {
                let at = #rt::descend(pair, at, &[#(#canonical),*])?;
                #navigate
                return #function(target, pair, &at, exclude, seen);
            }
        }
    }

    fn query_arm(&self, steps: &[FieldDescriptor], singular: &mut usize) -> TokenStream {
        let rt = self.runtime;
        let patterns = steps.iter().map(key_pattern);
        let canonical: Vec<&str> = steps.iter().map(FieldDescriptor::name).collect();
        let dotted = canonical.join(".");
        let field = steps[steps.len() - 1].clone();
        let navigate = self.navigate(&steps[..steps.len() - 1]);
        let b = quote!(#rt);
        let shape = if field.is_map() {
            quote!(#b::LeafShape::Map)
        } else if field.is_list() {
            quote!(#b::LeafShape::Repeated)
        } else {
            let index = Literal::usize_unsuffixed(*singular);
            *singular += 1;
            // Kratos leaves a singular number, bool or enum at its default for `a=`.
            let empty_is_default =
                !field.supports_presence() && !matches!(field.kind(), Kind::String | Kind::Bytes);
            quote!(#b::LeafShape::Singular { index: #index, empty_is_default: #empty_is_default })
        };
        let name = quote!(&name);
        let assign = if field.is_map() {
            self.map_insert(&field, &name)
        } else {
            let value = self.parse_value(&field, &name, &quote!(pair.value()));
            self.assign(&field, &value)
        };
        quote! {
            [#(#patterns),*] => {
                let #rt::Some(name) = #b::check_leaf(pair, exclude, at, &[#(#canonical),*], #dotted, seen, #shape)? else {
                    return #rt::Ok(());
                };
                #navigate
                #assign
            }
        }
    }

    /// Moves `target` from the current message down through `steps`
    /// (singular message fields, possibly oneof members), creating them.
    fn navigate(&self, steps: &[FieldDescriptor]) -> TokenStream {
        let rt = self.runtime;
        let mut code = TokenStream::new();
        for field in steps {
            match self.oneof_variant(field) {
                Some((oneof_field, variant)) => {
                    let oneof_name = oneof_field.to_string();
                    code.extend(quote! {
                        if !::core::matches!(target.#oneof_field, #rt::Some(#variant(_))) {
                            if target.#oneof_field.is_some() {
                                return #rt::Err(#rt::Error::new(
                    400,
                    "CODEC",
                    ::core::concat!("two members of oneof \"", #oneof_name, "\" are set; give one"),
                ));
                            }
                            target.#oneof_field = #rt::Some(#variant(#rt::Default::default()));
                        }
                        let #rt::Some(#variant(target)) = &mut target.#oneof_field else {
                            return #rt::Err(#rt::Error::new(
                    400,
                    "CODEC",
                    ::core::concat!("two members of oneof \"", #oneof_name, "\" are set; give one"),
                ));
                        };
                    });
                }
                None => {
                    let ident = field_ident(field);
                    code.extend(quote! {
                    let target = target.#ident.get_or_insert_with(#rt::Default::default);
                    });
                }
            }
        }
        code
    }

    /// `target.field = value` in the shape prost gives the field.
    fn assign(&self, field: &FieldDescriptor, value: &TokenStream) -> TokenStream {
        self.assign_to(&quote!(target), field, value)
    }

    /// `#target.field = value` in the shape prost gives the field.
    fn assign_to(
        &self,
        target: &TokenStream,
        field: &FieldDescriptor,
        value: &TokenStream,
    ) -> TokenStream {
        let rt = self.runtime;
        let ident = field_ident(field);
        if field.is_list() {
            return quote!(#target.#ident.push(#value););
        }
        if let Some((oneof_field, variant)) = self.oneof_variant(field) {
            let oneof_name = oneof_field.to_string();
            return quote! {
                if #target.#oneof_field.is_some()
                    && !::core::matches!(#target.#oneof_field, #rt::Some(#variant(_)))
                {
                    return #rt::Err(#rt::Error::new(
                    400,
                    "CODEC",
                    ::core::concat!("two members of oneof \"", #oneof_name, "\" are set; give one"),
                ));
                }
                #target.#oneof_field = #rt::Some(#variant(#value));
            };
        }
        if field.supports_presence() {
            quote!(#target.#ident = #rt::Some(#value);)
        } else {
            quote!(#target.#ident = #value;)
        }
    }

    fn map_insert(&self, field: &FieldDescriptor, dotted: &TokenStream) -> TokenStream {
        let ident = field_ident(field);
        let Kind::Message(entry) = field.kind() else {
            return quote!();
        };
        let key_field = entry.map_entry_key_field();
        let value_field = entry.map_entry_value_field();
        let key = self.parse_value(&key_field, dotted, &quote!(key));
        let value = self.parse_value(&value_field, dotted, &quote!(pair.value()));
        // check_leaf has made sure the key is there.
        quote! {
            let key = pair.map_key().unwrap_or_default();
            target.#ident.insert(#key, #value);
        }
    }

    /// An expression parsing `input` (a `&str`) into the Rust value of `field`.
    fn parse_value(
        &self,
        field: &FieldDescriptor,
        dotted: &TokenStream,
        input: &TokenStream,
    ) -> TokenStream {
        let rt = self.runtime;
        let b = rt;
        let parser = |name: &str| {
            let f = format_ident!("{name}");
            quote!(#b::#f(#dotted, #input)?)
        };
        match field.kind() {
            Kind::String => quote!(#rt::String::from(#input)),
            Kind::Bool => parser("parse_bool"),
            Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => parser("parse_i32"),
            Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => parser("parse_i64"),
            Kind::Uint32 | Kind::Fixed32 => parser("parse_u32"),
            Kind::Uint64 | Kind::Fixed64 => parser("parse_u64"),
            Kind::Float => parser("parse_f32"),
            Kind::Double => parser("parse_f64"),
            Kind::Bytes => {
                let bytes = parser("parse_bytes");
                quote!(::core::convert::Into::into(#bytes))
            }
            Kind::Enum(enumeration) => {
                let ty: TokenStream = self
                    .types
                    .type_path(enumeration.full_name())
                    .parse()
                    .unwrap_or_default();
                quote!(#b::parse_enum(#dotted, #input, #ty::from_str_name, |n| #ty::try_from(n).is_ok())?)
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
                "google.protobuf.StringValue" => quote!(#rt::String::from(#input)),
                "google.protobuf.BytesValue" => {
                    let bytes = parser("parse_bytes");
                    quote!(::core::convert::Into::into(#bytes))
                }
                // Only the types above are leaves; the model never asks for others.
                _ => quote!(#rt::Default::default()),
            },
        }
    }

    /// The Rust type of a message, as seen from the package module.
    pub(crate) fn rust_type(&self, message: &MessageDescriptor) -> TokenStream {
        self.types
            .type_path(message.full_name())
            .parse()
            .unwrap_or_default()
    }

    /// `(oneof field ident, path to the variant)` for a member of a real oneof.
    pub(crate) fn oneof_variant(
        &self,
        field: &FieldDescriptor,
    ) -> Option<(proc_macro2::Ident, TokenStream)> {
        let oneof = field.containing_oneof().filter(|o| !o.is_synthetic())?;
        let parent = field.parent_message();
        let module = self.types.nested_module(parent.full_name());
        let enum_name = rust_type_ident(oneof.name());
        let variant = rust_type_ident(field.name());
        let path: TokenStream = format!("{module}::{enum_name}::{variant}").parse().ok()?;
        Some((format_ident_raw(&rust_field_ident(oneof.name())), path))
    }
}

/// The Rust ident of a prost field.
pub(crate) fn field_ident(field: &FieldDescriptor) -> proc_macro2::Ident {
    format_ident_raw(&rust_field_ident(field.name()))
}

/// An ident from prost's spelling, which may be raw (`r#type`).
pub(crate) fn format_ident_raw(name: &str) -> proc_macro2::Ident {
    match name.strip_prefix("r#") {
        Some(raw) => proc_macro2::Ident::new_raw(raw, proc_macro2::Span::call_site()),
        None => proc_macro2::Ident::new(name, proc_macro2::Span::call_site()),
    }
}

/// `"proto_name" | "jsonName"`: the key part naming `field`.
fn key_pattern(field: &FieldDescriptor) -> TokenStream {
    let proto = field.name();
    let json = field.json_name();
    if proto == json {
        quote!(#proto)
    } else {
        quote!(#proto | #json)
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
