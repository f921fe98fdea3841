//! Reflection for the package's messages: an embedded descriptor pool and
//! `ReflectMessage` impls, which the runtime's JSON codec (proto3 canonical
//! JSON via prost-reflect) works from.

use std::collections::HashSet;

use proc_macro2::{Literal, TokenStream};
use prost::Message as _;
use prost_reflect::{FileDescriptor, Kind, MessageDescriptor};
use quote::quote;

use super::bind::Binder;

/// The smallest descriptor set that describes every message of `files`:
/// those files and the files defining the types their fields use, with
/// services, options and source info stripped (the runtime only transcodes
/// messages), dependencies first.
pub(crate) fn descriptor_set(files: &[FileDescriptor]) -> Vec<u8> {
    let mut needed: Vec<FileDescriptor> = Vec::new();
    let mut seen_types = HashSet::new();
    let mut pending: Vec<MessageDescriptor> = all_messages(files);
    for file in files {
        push_file(&mut needed, file);
    }
    while let Some(message) = pending.pop() {
        if !seen_types.insert(message.full_name().to_owned()) {
            continue;
        }
        push_file(&mut needed, &message.parent_file());
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
    let set = prost_types::FileDescriptorSet {
        file: ordered
            .iter()
            .map(|file| {
                let mut proto = file.file_descriptor_proto().clone();
                // Imports may reach kept files through dropped ones (public
                // imports), so depend on every kept file reachable from here.
                proto.dependency = transitive_imports(file)
                    .into_iter()
                    .filter(|dependency| names.contains(dependency))
                    .collect();
                proto.public_dependency.clear();
                proto.weak_dependency.clear();
                proto.service.clear();
                proto.extension.clear();
                proto.options = None;
                proto.source_code_info = None;
                for message in &mut proto.message_type {
                    strip_message(message);
                }
                proto
            })
            .collect(),
    };
    set.encode_to_vec()
}

fn push_file(needed: &mut Vec<FileDescriptor>, file: &FileDescriptor) {
    if !needed.iter().any(|f| f.name() == file.name()) {
        needed.push(file.clone());
    }
}

/// Extension ranges and nested extensions refer to nothing the runtime needs.
fn strip_message(message: &mut prost_types::DescriptorProto) {
    message.extension.clear();
    for nested in &mut message.nested_type {
        strip_message(nested);
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
    binder: &Binder<'_>,
    set: &[u8],
    messages: &[MessageDescriptor],
) -> TokenStream {
    let rt = binder.runtime;
    let bytes = Literal::byte_string(set);
    let impls = messages.iter().map(|message| {
        let ty = binder.rust_type(message);
        let full_name = message.full_name();
        quote! {
            impl #rt::encoding::ReflectMessage for #ty {
                fn descriptor(&self) -> #rt::encoding::prost_reflect::MessageDescriptor {
                    static DESCRIPTOR: ::std::sync::OnceLock<#rt::encoding::prost_reflect::MessageDescriptor> =
                        ::std::sync::OnceLock::new();
                    DESCRIPTOR
                        .get_or_init(|| {
                            kratos_http_descriptor_pool()
                                .get_message_by_name(#full_name)
                                .expect("the generated descriptor set names every generated message")
                        })
                        .clone()
                }
            }
        }
    });
    quote! {
        /// The descriptors of this package and its imports, for JSON transcoding.
        fn kratos_http_descriptor_pool() -> &'static #rt::encoding::prost_reflect::DescriptorPool {
            static POOL: ::std::sync::OnceLock<#rt::encoding::prost_reflect::DescriptorPool> =
                ::std::sync::OnceLock::new();
            POOL.get_or_init(|| {
                #rt::encoding::prost_reflect::DescriptorPool::decode(#bytes.as_slice())
                    .expect("the generated descriptor set is valid")
            })
        }

        #(#impls)*
    }
}

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
