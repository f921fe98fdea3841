//! Generated proto3 JSON codecs: one `JsonMessage` impl per message that can
//! have one, and the `HttpMessage` impl of every message.
//!
//! The generated code states each field's JSON kind and presence and leaves
//! the rules to the runtime's `encoding::typed_json` module (`__codegen::json` to generated
//! code), whose readers fall back to the reflective codec for anything unusual; see its docs.

use std::collections::{HashMap, HashSet};

use proc_macro2::{Literal, TokenStream};
use prost_reflect::{Cardinality, FieldDescriptor, Kind, MessageDescriptor, Syntax};
use quote::quote;

use super::Emitter;
use super::bind::field_ident;

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
    ) -> TokenStream {
        let rt = self.runtime;
        let impls = messages.iter().map(|message| {
            let ty = self.rust_type(message);
            if !support.supports(message) {
                return quote! {
                    impl #rt::HttpMessage for #ty {}
                };
            }
            let codec = self.json_message(message);
            let reply_field = response_fields
                .get(message.full_name())
                .map(|fields| self.encode_reply_field(fields))
                .unwrap_or_default();
            let reply_field = if reply_field.is_empty() {
                quote!()
            } else {
                quote!({ #reply_field })
            };
            quote! {
                #rt::http_message!(#ty #reply_field);

                #codec
            }
        });
        quote!(#(#impls)*)
    }

    /// `encode_reply_field` with a generated writer per `response_body` field.
    fn encode_reply_field(&self, fields: &[FieldDescriptor]) -> TokenStream {
        let rt = self.runtime;
        let arms = fields.iter().map(|field| {
            let name = field.name();
            let write = self.write_value(field);
            quote!(#name => #write,)
        });
        quote! {
            fn encode_reply_field(
                &self,
                format: #rt::Format,
                field: &str,
                options: &#rt::JsonOptions,
            ) -> #rt::Result<#rt::Vec<u8>> {
                use #rt::json as json;
                json::encode_reply_field(self, format, field, options, |value| match field {
                    #(#arms)*
                    _ => value.unknown(),
                })
            }
        }
    }

    /// Writes one field's value on its own, through a `ValueWriter` named `value`.
    fn write_value(&self, field: &FieldDescriptor) -> TokenStream {
        let rt = self.runtime;
        let ident = field_ident(field);
        let kind = self.kind(field);
        if field.is_map() {
            let key_kind = self.key_kind(field);
            return quote!(value.map(&#key_kind, &#kind, &self.#ident));
        }
        if field.cardinality() == Cardinality::Repeated {
            return quote!(value.repeated(&#kind, &self.#ident));
        }
        let message = matches!(field.kind(), Kind::Message(ref message) if !is_well_known(message));
        if let Some((oneof, variant)) = self.oneof_variant(field) {
            let member = quote! {
                match &self.#oneof {
                    #rt::Some(#variant(member)) => #rt::Some(member),
                    _ => #rt::None,
                }
            };
            return if message {
                quote!(value.message(#member.map(::core::borrow::Borrow::borrow)))
            } else {
                quote!(value.optional(&#kind, #member))
            };
        }
        if message {
            return quote!(value.message(self.#ident.as_ref().map(::core::borrow::Borrow::borrow)));
        }
        if field.supports_presence() {
            return quote!(value.optional(&#kind, self.#ident.as_ref()));
        }
        quote!(value.implicit(&#kind, &self.#ident))
    }

    fn json_message(&self, message: &MessageDescriptor) -> TokenStream {
        let rt = self.runtime;
        let g = quote!(#rt::json);
        let ty = self.rust_type(message);
        let mut fields: Vec<FieldDescriptor> = message.fields().collect();
        fields.sort_by_key(FieldDescriptor::number);

        let writes = fields.iter().map(|field| self.write_field(field));
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
        for field in &fields {
            if taken.insert(field.json_name().to_owned()) {
                names
                    .entry(field.number())
                    .or_default()
                    .push(field.json_name().to_owned());
            }
        }
        for field in &fields {
            if taken.insert(field.name().to_owned()) {
                names
                    .entry(field.number())
                    .or_default()
                    .push(field.name().to_owned());
            }
        }
        let arms = fields.iter().filter_map(|field| {
            let keys = names.get(&field.number())?;
            let slot = Literal::usize_unsuffixed(*slots.get(&field.number())?);
            let oneof_slot = field
                .containing_oneof()
                .filter(|oneof| !oneof.is_synthetic())
                .and_then(|oneof| oneof_slots.get(oneof.name()))
                .map(|slot| Literal::usize_unsuffixed(*slot));
            let read = self.read_field(field, &slot, oneof_slot.as_ref());
            Some(quote!(#(#keys)|* => #read,))
        });

        // A message without fields (`message Empty {}`) writes nothing and skips every key.
        let (write_body, merge_body) = if fields.is_empty() {
            (
                quote! {
                    let _ = fields;
                    #rt::Ok(())
                },
                quote! {
                    while object.next_key()?.is_some() {
                        object.skip()?;
                    }
                    #rt::Ok(())
                },
            )
        } else {
            let arms = arms.collect::<Vec<_>>();
            (
                quote! {
                    use #g as json;
                    #(#writes)*
                    #rt::Ok(())
                },
                quote! {
                    // Not every field kind reads through it (messages do not).
                    #[allow(unused_imports)]
                    use #g as json;
                    while let #rt::Some(key) = object.next_key()? {
                        match key.as_str() {
                            #(#arms)*
                            _ => object.skip()?,
                        }
                    }
                    #rt::Ok(())
                },
            )
        };
        quote! {
            impl #g::JsonMessage for #ty {
                fn write_json_fields<S: #g::serde::ser::SerializeMap>(
                    &self,
                    fields: &mut #g::FieldWriter<'_, S>,
                ) -> #rt::Result<(), S::Error> {
                    #write_body
                }

                #[allow(clippy::useless_conversion)]
                fn merge_json_fields<'de, A: #g::serde::de::MapAccess<'de>>(
                    &mut self,
                    object: &mut #g::ObjectReader<'_, 'de, A>,
                ) -> #rt::Result<(), A::Error> {
                    #merge_body
                }
            }
        }
    }

    /// The runtime kind of a field's values (of a map's values for maps).
    /// Paths start at `json`, the alias of the runtime's `__codegen::json`
    /// that each generated function imports.
    fn kind(&self, field: &FieldDescriptor) -> TokenStream {
        let g = quote!(json);
        if field.is_map()
            && let Kind::Message(entry) = field.kind()
        {
            return self.kind(&entry.map_entry_value_field());
        }
        match field.kind() {
            Kind::Double => quote!(#g::Double),
            Kind::Float => quote!(#g::Float),
            Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => quote!(#g::Int32),
            Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => quote!(#g::Int64),
            Kind::Uint32 | Kind::Fixed32 => quote!(#g::UInt32),
            Kind::Uint64 | Kind::Fixed64 => quote!(#g::UInt64),
            Kind::Bool => quote!(#g::Bool),
            Kind::String => quote!(#g::Str),
            Kind::Bytes => quote!(#g::Bytes::new()),
            Kind::Enum(enumeration) if enumeration.full_name() == "google.protobuf.NullValue" => {
                quote!(#g::NullValue)
            }
            Kind::Enum(enumeration) => {
                let ty: TokenStream = self
                    .types
                    .type_path(enumeration.full_name())
                    .parse()
                    .unwrap_or_default();
                quote! {
                    #g::Enum::new(
                        |name| #ty::from_str_name(name).map(|value| value as i32),
                        |number| #ty::try_from(number).ok().map(|value| value.as_str_name()),
                    )
                }
            }
            Kind::Message(message) if is_well_known(&message) => quote!(#g::WellKnown::new()),
            Kind::Message(message) => {
                let ty = self.rust_type(&message);
                quote!(#g::Message::<#ty>::new())
            }
        }
    }

    /// The runtime kind of a map field's keys.
    fn key_kind(&self, field: &FieldDescriptor) -> TokenStream {
        let g = quote!(json);
        let Kind::Message(entry) = field.kind() else {
            return quote!(#g::Str);
        };
        match entry.map_entry_key_field().kind() {
            Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => quote!(#g::Int32),
            Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => quote!(#g::Int64),
            Kind::Uint32 | Kind::Fixed32 => quote!(#g::UInt32),
            Kind::Uint64 | Kind::Fixed64 => quote!(#g::UInt64),
            Kind::Bool => quote!(#g::Bool),
            _ => quote!(#g::Str),
        }
    }

    fn write_field(&self, field: &FieldDescriptor) -> TokenStream {
        let rt = self.runtime;
        let json = field.json_name();
        let proto = field.name();
        let ident = field_ident(field);
        let kind = self.kind(field);
        if field.is_map() {
            let key_kind = self.key_kind(field);
            return quote! {
                fields.map(#json, #proto, &#key_kind, &#kind, &self.#ident)?;
            };
        }
        if field.cardinality() == Cardinality::Repeated {
            return quote! {
                fields.repeated(#json, #proto, &#kind, &self.#ident)?;
            };
        }
        // prost may box message fields (recursive types): borrow through the box.
        let boxable = matches!(field.kind(), Kind::Message(ref message) if !is_well_known(message));
        if let Some((oneof, variant)) = self.oneof_variant(field) {
            let value = if boxable {
                quote!(::core::borrow::Borrow::borrow(value))
            } else {
                quote!(value)
            };
            return quote! {
                if let #rt::Some(#variant(value)) = &self.#oneof {
                    fields.optional(#json, #proto, &#kind, #rt::Some(#value))?;
                }
            };
        }
        if boxable {
            return quote! {
                fields.optional(
                    #json,
                    #proto,
                    &#kind,
                    self.#ident.as_ref().map(::core::borrow::Borrow::borrow),
                )?;
            };
        }
        if field.supports_presence() {
            return quote! {
                fields.optional(#json, #proto, &#kind, self.#ident.as_ref())?;
            };
        }
        quote! {
            fields.implicit(#json, #proto, &#kind, &self.#ident)?;
        }
    }

    fn read_field(
        &self,
        field: &FieldDescriptor,
        slot: &Literal,
        oneof_slot: Option<&Literal>,
    ) -> TokenStream {
        let rt = self.runtime;
        let ident = field_ident(field);
        let kind = self.kind(field);
        if field.is_map() {
            let key_kind = self.key_kind(field);
            return quote!(object.map(#slot, &#key_kind, &#kind, &mut self.#ident)?);
        }
        if field.cardinality() == Cardinality::Repeated {
            return quote!(object.repeated(#slot, &#kind, &mut self.#ident)?);
        }
        if let (Some((oneof, variant)), Some(oneof_slot)) = (self.oneof_variant(field), oneof_slot)
        {
            // prost may box message members (recursive types).
            let value = if matches!(field.kind(), Kind::Message(ref message) if !is_well_known(message))
            {
                quote!(::core::convert::Into::into(value))
            } else {
                quote!(value)
            };
            return quote! {
                if let #rt::Some(value) = object.oneof(#slot, #oneof_slot, &#kind)? {
                    self.#oneof = #rt::Some(#variant(#value));
                }
            };
        }
        match field.kind() {
            Kind::Message(message) if !is_well_known(&message) => {
                let ty = self.rust_type(&message);
                quote!(object.message::<#ty, _>(#slot, &mut self.#ident)?)
            }
            _ if field.supports_presence() => {
                quote!(object.optional(#slot, &#kind, &mut self.#ident)?)
            }
            _ => quote!(object.implicit(#slot, &#kind, &mut self.#ident)?),
        }
    }
}
