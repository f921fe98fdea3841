//! Rust names for proto names.

use heck::{ToSnakeCase, ToUpperCamelCase};

/// Rust snake case of a proto name: `SYSTEM_ERROR`, `System_Error` and
/// `SystemError` all give `system_error`.
pub fn to_snake_case(name: &str) -> String {
    name.to_snake_case()
}

/// A snake-case Rust identifier for a proto name, escaped exactly as prost
/// escapes field and module names (`r#type`, `self_`, `_3d`), so generated code
/// can name prost's fields and modules.
pub fn rust_field_ident(name: &str) -> String {
    sanitize_identifier(&to_snake_case(name))
}

/// An UpperCamel Rust type or variant identifier for a proto name, escaped as
/// prost escapes them.
pub fn rust_type_ident(name: &str) -> String {
    sanitize_identifier(&name.to_upper_camel_case())
}

fn sanitize_identifier(ident: &str) -> String {
    match ident {
        // These cannot be raw identifiers.
        "_" | "super" | "self" | "Self" | "extern" | "crate" => format!("{ident}_"),
        _ if ident.starts_with(|c: char| c.is_ascii_digit()) => format!("_{ident}"),
        _ if is_keyword(ident) => format!("r#{ident}"),
        _ => ident.to_owned(),
    }
}

fn is_keyword(ident: &str) -> bool {
    matches!(
        ident,
        "as" | "break"
            | "const"
            | "continue"
            | "else"
            | "enum"
            | "false"
            | "fn"
            | "for"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "pub"
            | "ref"
            | "return"
            | "static"
            | "struct"
            | "trait"
            | "true"
            | "type"
            | "unsafe"
            | "use"
            | "where"
            | "while"
            | "dyn"
            | "abstract"
            | "become"
            | "box"
            | "do"
            | "final"
            | "macro"
            | "override"
            | "priv"
            | "typeof"
            | "unsized"
            | "virtual"
            | "yield"
            | "async"
            | "await"
            | "try"
            | "gen"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_spellings_of_a_value_name_agree() {
        for name in ["SYSTEM_ERROR", "System_Error", "SystemError", "systemError"] {
            assert_eq!(to_snake_case(name), "system_error", "{name}");
        }
        assert_eq!(to_snake_case("USER_NOT_FOUND"), "user_not_found");
        assert_eq!(to_snake_case("HTTPError"), "http_error");
        assert_eq!(to_snake_case("V2_GONE"), "v2_gone");
    }

    #[test]
    fn keywords_are_escaped() {
        assert_eq!(rust_field_ident("type"), "r#type");
        assert_eq!(rust_field_ident("self"), "self_");
        assert_eq!(rust_field_ident("UserId"), "user_id");
        assert_eq!(rust_field_ident("3d"), "_3d");
        assert_eq!(rust_type_ident("hello_request"), "HelloRequest");
        assert_eq!(rust_type_ident("Self"), "Self_");
    }
}
