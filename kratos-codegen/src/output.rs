//! Where generated files go, matching protoc-gen-prost's layout so that our
//! files sit beside (and are included from) the prost module file.

use crate::naming::rust_field_ident;

/// The stem of a package's module file: the package name, or `_` for files
/// without a package (as prost-build names them).
pub fn package_file_stem(package: &str) -> &str {
    if package.is_empty() { "_" } else { package }
}

/// How output files are laid out under the plugin's `out` directory.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OutputLayout {
    /// `helloworld/v1/helloworld.v1.rs`: protoc-gen-prost's default.
    #[default]
    Nested,
    /// `helloworld.v1.rs`: protoc-gen-prost's `flat_output_dir`, and build scripts.
    Flat,
}

impl OutputLayout {
    /// The output path of `file_name` for `package`.
    pub fn path(self, package: &str, file_name: &str) -> String {
        match self {
            Self::Flat => file_name.to_owned(),
            Self::Nested => {
                let mut path = String::new();
                for part in package.split('.').filter(|p| !p.is_empty()) {
                    path.push_str(&rust_field_ident(part));
                    path.push('/');
                }
                path.push_str(file_name);
                path
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_mirrors_the_package() {
        assert_eq!(
            OutputLayout::Nested.path("helloworld.v1", "helloworld.v1.rs"),
            "helloworld/v1/helloworld.v1.rs"
        );
        assert_eq!(OutputLayout::Nested.path("", "_.rs"), "_.rs");
        assert_eq!(OutputLayout::Flat.path("a.b", "a.b.rs"), "a.b.rs");
        assert_eq!(package_file_stem(""), "_");
    }
}
