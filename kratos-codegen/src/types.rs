//! Rust paths of prost-generated types, as seen from a package's module.

use crate::naming::{rust_field_ident, rust_type_ident};

/// How prost names a proto type in Rust, seen from the module of one package
/// (where protoc-gen-prost and prost-build put that package's code and where
/// our generated files are included).
#[derive(Debug, Clone)]
pub struct RustTypes {
    package: String,
}

impl RustTypes {
    /// Paths as seen from the module of `package`.
    pub fn new(package: &str) -> Self {
        Self {
            package: package.to_owned(),
        }
    }

    /// The Rust type of the message or enum `full_name` (`helloworld.v1.HelloRequest`,
    /// no leading dot), following prost-build's default extern paths: the
    /// well-known types come from `::prost_types`, wrappers become Rust
    /// scalars and `google.protobuf.Empty` becomes `()`.
    pub fn type_path(&self, full_name: &str) -> String {
        if let Some(path) = well_known_path(full_name) {
            return path;
        }
        let mut local = self.package.split('.').filter(|p| !p.is_empty()).peekable();
        let mut parts: Vec<&str> = full_name.split('.').collect();
        let name = parts.pop().unwrap_or_default();
        let mut remote = parts.into_iter().peekable();
        while local.peek().is_some() && local.peek() == remote.peek() {
            local.next();
            remote.next();
        }
        local
            .map(|_| "super".to_owned())
            .chain(remote.map(rust_field_ident))
            .chain(std::iter::once(rust_type_ident(name)))
            .collect::<Vec<_>>()
            .join("::")
    }

    /// The Rust module holding the nested types of message `full_name`
    /// (its oneof enums, nested messages): `hello_request` for `pkg.HelloRequest`.
    pub fn nested_module(&self, full_name: &str) -> String {
        let path = self.type_path(full_name);
        match path.rsplit_once("::") {
            Some((prefix, name)) => format!(
                "{prefix}::{}",
                rust_field_ident(name.trim_start_matches("r#"))
            ),
            None => rust_field_ident(&path),
        }
    }
}

/// prost-build's default mapping of `google.protobuf` types.
fn well_known_path(full_name: &str) -> Option<String> {
    let name = full_name.strip_prefix("google.protobuf.")?;
    let scalar = match name {
        "BoolValue" => "bool",
        "BytesValue" => "::prost::alloc::vec::Vec<u8>",
        "DoubleValue" => "f64",
        "Empty" => "()",
        "FloatValue" => "f32",
        "Int32Value" => "i32",
        "Int64Value" => "i64",
        "StringValue" => "::prost::alloc::string::String",
        "UInt32Value" => "u32",
        "UInt64Value" => "u64",
        _ => return Some(format!("::prost_types::{}", name.replace('.', "::"))),
    };
    Some(scalar.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_package_nested_and_other_packages() {
        let types = RustTypes::new("helloworld.v1");
        assert_eq!(
            types.type_path("helloworld.v1.HelloRequest"),
            "HelloRequest"
        );
        assert_eq!(types.type_path("helloworld.v1.Outer.Inner"), "outer::Inner");
        assert_eq!(types.type_path("helloworld.v2.Thing"), "super::v2::Thing");
        assert_eq!(types.type_path("other.Thing"), "super::super::other::Thing");
        assert_eq!(
            types.type_path("google.protobuf.Timestamp"),
            "::prost_types::Timestamp"
        );
        assert_eq!(types.type_path("google.protobuf.Empty"), "()");
        assert_eq!(types.type_path("google.protobuf.Int64Value"), "i64");
        assert_eq!(
            types.nested_module("helloworld.v1.HelloRequest"),
            "hello_request"
        );
        assert_eq!(
            types.nested_module("helloworld.v1.Outer.Inner"),
            "outer::inner"
        );
        assert_eq!(RustTypes::new("").type_path("Top"), "Top");
    }
}
