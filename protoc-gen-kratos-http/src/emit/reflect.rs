//! Reflection for the package's messages: an embedded descriptor pool and
//! `ReflectMessage` impls, which the runtime's JSON codec (proto3 canonical
//! JSON via prost-reflect) works from.

use std::collections::HashSet;
use std::fmt::Write as _;

use prost::Message as _;
use prost::encoding::DecodeContext;
use prost_reflect::{
    DynamicMessage, FileDescriptor, Kind, MessageDescriptor, ReflectMessage as _, Value,
};

use super::Emitter;
use super::text;

/// The options whose extensions the runtime reads from message descriptors (`buf.validate`
/// rules, for the validate middleware).
const MESSAGE_OPTIONS: [&str; 3] = [
    "google.protobuf.FieldOptions",
    "google.protobuf.MessageOptions",
    "google.protobuf.OneofOptions",
];

/// The smallest descriptor set that describes every message of `files`:
/// those files and the files defining the types their fields use, with
/// services, file options and source info stripped (the runtime only transcodes
/// and validates messages), dependencies first. Message, field and oneof options
/// stay, with the files declaring their custom options (such as
/// `buf/validate/validate.proto`) and what those need, so the runtime can read
/// the rules the options carry.
pub(crate) fn descriptor_set(files: &[FileDescriptor]) -> Vec<u8> {
    let mut needed: Vec<FileDescriptor> = Vec::new();
    let mut seen_types = HashSet::new();
    let mut pending: Vec<MessageDescriptor> = all_messages(files);
    let mut option_files: Vec<FileDescriptor> = Vec::new();
    let mut scanned_files = HashSet::new();
    for file in files {
        push_file(&mut needed, file);
    }
    while let Some(message) = pending.pop() {
        if !seen_types.insert(message.full_name().to_owned()) {
            continue;
        }
        let file = message.parent_file();
        push_file(&mut needed, &file);
        // Custom message options this file can use: their declaring files, the option
        // messages they extend and the types of the option values come along.
        if scanned_files.insert(file.name().to_owned()) {
            for extension in option_extensions(&file) {
                let declaring = extension.parent_file();
                if !option_files.iter().any(|f| f.name() == declaring.name()) {
                    option_files.push(declaring.clone());
                    pending.extend(all_messages(std::slice::from_ref(&declaring)));
                    pending.push(extension.containing_message());
                }
            }
        }
        for field in message.fields() {
            match field.kind() {
                Kind::Message(next) => pending.push(next),
                Kind::Enum(enumeration) => push_file(&mut needed, &enumeration.parent_file()),
                _ => {}
            }
        }
    }
    let names: HashSet<String> = needed.iter().map(|f| f.name().to_owned()).collect();
    let mut ordered = Vec::new();
    let mut visited = HashSet::new();
    for file in &needed {
        visit(file, &names, &mut visited, &mut ordered);
    }
    let files: Vec<Value> = ordered
        .iter()
        .map(|file| {
            let dependencies = transitive_imports(file)
                .into_iter()
                .filter(|dependency| names.contains(dependency))
                .collect();
            let keep_extensions = option_files.iter().any(|f| f.name() == file.name());
            Value::Message(stripped(file, dependencies, keep_extensions))
        })
        .collect();
    let mut set = DynamicMessage::new(prost_types::FileDescriptorSet::default().descriptor());
    set.set_field_by_name("file", Value::List(files));
    set.encode_to_vec()
}

/// Extensions of the message, field and oneof options visible from `file` (declared in it or
/// in the files it imports, directly or not).
fn option_extensions(file: &FileDescriptor) -> Vec<prost_reflect::ExtensionDescriptor> {
    let mut visible: HashSet<String> = transitive_imports(file).into_iter().collect();
    visible.insert(file.name().to_owned());
    file.parent_pool()
        .all_extensions()
        .filter(|extension| {
            MESSAGE_OPTIONS.contains(&extension.containing_message().full_name())
                && visible.contains(extension.parent_file().name())
        })
        .collect()
}

/// `file` as a dynamic `FileDescriptorProto` (prost's own type would drop the options'
/// extension fields; a dynamic message keeps them as unknown fields): services, file options,
/// source info and the extensions it declares go, unless `keep_extensions` (a file of custom
/// options). Imports may reach kept files through dropped ones (public imports), so it depends
/// on `dependencies`, every kept file reachable from it.
fn stripped(
    file: &FileDescriptor,
    dependencies: Vec<String>,
    keep_extensions: bool,
) -> DynamicMessage {
    let descriptor = prost_types::FileDescriptorProto::default().descriptor();
    let encoded = file.encode_to_vec();
    // What goes is dropped still encoded: decoding a file's services and source info into
    // dynamic values is most of the work for a file of many methods.
    let kept = without_fields(&encoded, DROPPED_FILE_FIELDS);
    let mut proto = DynamicMessage::decode(descriptor, kept.as_deref().unwrap_or(&encoded))
        // The pool's own encoding always decodes; should it not, lose the options rather than
        // the messages.
        .unwrap_or_else(|_| file.file_descriptor_proto().transcode_to_dynamic());
    proto.set_field_by_name(
        "dependency",
        Value::List(dependencies.into_iter().map(Value::String).collect()),
    );
    for field in [
        "public_dependency",
        "weak_dependency",
        "service",
        "options",
        "source_code_info",
    ] {
        proto.clear_field_by_name(field);
    }
    if !keep_extensions {
        proto.clear_field_by_name("extension");
        if let Some(Value::List(messages)) = proto.get_field_by_name_mut("message_type") {
            messages.iter_mut().for_each(strip_message);
        }
    }
    proto
}

/// `FileDescriptorProto` fields `stripped` clears whatever it keeps: `dependency` (set anew),
/// `service`, `options`, `source_code_info`, `public_dependency`, `weak_dependency`.
const DROPPED_FILE_FIELDS: &[u32] = &[3, 6, 8, 9, 10, 11];

/// The encoded fields of the message `encoded` except those numbered in `dropped`, still
/// encoded; `None` if `encoded` is not a well-formed message.
fn without_fields(encoded: &[u8], dropped: &[u32]) -> Option<Vec<u8>> {
    let mut kept = Vec::with_capacity(encoded.len());
    let mut rest = encoded;
    while !rest.is_empty() {
        let field = rest;
        let (tag, wire_type) = prost::encoding::decode_key(&mut rest).ok()?;
        prost::encoding::skip_field(wire_type, tag, &mut rest, DecodeContext::default()).ok()?;
        if !dropped.contains(&tag) {
            kept.extend_from_slice(&field[..field.len() - rest.len()]);
        }
    }
    Some(kept)
}

/// Nested extensions refer to nothing the runtime needs.
fn strip_message(message: &mut Value) {
    if let Value::Message(message) = message {
        message.clear_field_by_name("extension");
        if let Some(Value::List(nested)) = message.get_field_by_name_mut("nested_type") {
            nested.iter_mut().for_each(strip_message);
        }
    }
}

fn push_file(needed: &mut Vec<FileDescriptor>, file: &FileDescriptor) {
    if !needed.iter().any(|f| f.name() == file.name()) {
        needed.push(file.clone());
    }
}

/// Depth-first over the kept dependencies, so every file follows its imports.
fn visit(
    file: &FileDescriptor,
    keep: &HashSet<String>,
    visited: &mut HashSet<String>,
    ordered: &mut Vec<FileDescriptor>,
) {
    if !visited.insert(file.name().to_owned()) {
        return;
    }
    for dependency in file.dependencies() {
        visit(&dependency, keep, visited, ordered);
    }
    if keep.contains(file.name()) {
        ordered.push(file.clone());
    }
}

fn transitive_imports(file: &FileDescriptor) -> Vec<String> {
    let mut found = Vec::new();
    let mut stack: Vec<FileDescriptor> = file.dependencies().collect();
    while let Some(next) = stack.pop() {
        if !found.contains(&next.name().to_owned()) {
            found.push(next.name().to_owned());
            stack.extend(next.dependencies());
        }
    }
    found
}

/// The pool accessor plus one `ReflectMessage` impl per message.
pub(crate) fn reflect_impls(
    emitter: &Emitter<'_>,
    set: &[u8],
    messages: &[MessageDescriptor],
    out: &mut String,
) {
    out.push_str(
        "/// The descriptors of this package and its imports, for JSON transcoding.\n\
         fn kratos_http_descriptor_pool() -> &'static __kratos::prost_reflect::DescriptorPool {\n    \
             static POOL: __kratos::DescriptorPoolCell = __kratos::DescriptorPoolCell::new();\n    \
             POOL.get(\n        \
                 &[\n",
    );
    // Several short byte strings, not one line of the whole set: grep and editors stay usable.
    for chunk in set.chunks(DESCRIPTOR_CHUNK) {
        let _ = writeln!(out, "            {},", text::byte_string(chunk));
    }
    out.push_str("        ],\n    )\n}\n");
    for message in messages {
        let _ = writeln!(
            out,
            "impl __kratos::ReflectMessage for {} {{\n    \
                 fn descriptor(&self) -> __kratos::prost_reflect::MessageDescriptor {{\n        \
                     static DESCRIPTOR: __kratos::MessageDescriptorCell = __kratos::MessageDescriptorCell::new();\n        \
                     DESCRIPTOR.get(kratos_http_descriptor_pool, {})\n    \
                 }}\n\
             }}",
            emitter.rust_type(message),
            text::string(message.full_name())
        );
    }
}

/// Bytes of the descriptor set per byte-string literal: escaped, one literal fits about one
/// line.
const DESCRIPTOR_CHUNK: usize = 32;

/// Every message of `files` (nested ones too), map entries left out since
/// prost generates no type for them.
pub(crate) fn all_messages(files: &[FileDescriptor]) -> Vec<MessageDescriptor> {
    fn walk(message: MessageDescriptor, out: &mut Vec<MessageDescriptor>) {
        if message.is_map_entry() {
            return;
        }
        for child in message.child_messages() {
            walk(child, out);
        }
        out.push(message);
    }
    let mut out = Vec::new();
    for file in files {
        for message in file.messages() {
            walk(message, &mut out);
        }
    }
    out
}
