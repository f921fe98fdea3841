//! The parameters every kratos-rs plugin takes about its output, and the
//! files it writes for one package.

use crate::{GeneratedFile, OutputLayout, Parameter, package_file_stem};

/// `runtime_crate=<path>`, `no_include` and `flat_output_dir`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputOptions {
    runtime_crate: String,
    include: bool,
    layout: OutputLayout,
}

impl Default for OutputOptions {
    fn default() -> Self {
        Self {
            runtime_crate: "::kratos".to_owned(),
            include: true,
            layout: OutputLayout::Nested,
        }
    }
}

impl OutputOptions {
    /// How these parameters are written, for "unknown parameter" messages.
    pub const ACCEPTED: &'static str = "runtime_crate=<path>, no_include, flat_output_dir";

    /// Takes `param` if it is one of these options: `Ok(true)` when consumed,
    /// `Ok(false)` when it is someone else's, `Err` when its value is bad.
    pub fn apply(&mut self, param: &Parameter) -> Result<bool, String> {
        match param.key() {
            "runtime_crate" => {
                let path = param.required_value()?;
                if syn::parse_str::<syn::Path>(path).is_err() {
                    return Err(format!(
                        "parameter runtime_crate={path}: not a Rust path (for example ::kratos)"
                    ));
                }
                path.clone_into(&mut self.runtime_crate);
            }
            "no_include" => self.include = !param.flag()?,
            "flat_output_dir" => {
                self.layout = if param.flag()? {
                    OutputLayout::Flat
                } else {
                    OutputLayout::Nested
                };
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Path of the runtime crate in generated code, such as `::kratos`.
    pub fn runtime_crate(&self) -> &str {
        &self.runtime_crate
    }

    /// Whether to include the generated file from the prost module file.
    pub fn include(&self) -> bool {
        self.include
    }

    /// Where output files go.
    pub fn layout(&self) -> OutputLayout {
        self.layout
    }

    /// The files for one package: `<package>.<suffix>.rs` with `content`, and
    /// (unless `no_include`) its `include!` inserted into prost's
    /// `<package>.rs` at the `module` insertion point, as protoc-gen-tonic does.
    pub fn package_files(
        &self,
        package: &str,
        suffix: &str,
        content: String,
    ) -> Vec<GeneratedFile> {
        let stem = package_file_stem(package);
        let file_name = format!("{stem}.{suffix}.rs");
        let mut files = Vec::with_capacity(2);
        if self.include {
            files.push(GeneratedFile {
                name: self.layout.path(package, &format!("{stem}.rs")),
                content: format!("include!(\"{file_name}\");\n"),
                insertion_point: Some("module".to_owned()),
            });
        }
        files.push(GeneratedFile {
            name: self.layout.path(package, &file_name),
            content,
            insertion_point: None,
        });
        files
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Parameters;

    fn parse(text: &str) -> Result<OutputOptions, String> {
        let mut options = OutputOptions::default();
        for param in Parameters::parse(text).iter() {
            if !options.apply(param)? {
                return Err(format!("not ours: {param}"));
            }
        }
        Ok(options)
    }

    #[test]
    fn defaults_and_every_parameter() {
        assert_eq!(parse("").unwrap().runtime_crate(), "::kratos");
        let options = parse("runtime_crate=crate::rt,no_include,flat_output_dir").unwrap();
        assert_eq!(options.runtime_crate(), "crate::rt");
        assert!(!options.include());
        assert_eq!(options.layout(), OutputLayout::Flat);
        assert!(parse("runtime_crate=").is_err());
        assert!(parse("runtime_crate=not a path").is_err());
        assert!(parse("no_include=maybe").is_err());
        assert_eq!(parse("other").unwrap_err(), "not ours: other");
    }

    #[test]
    fn package_files_insert_an_include() {
        let files = OutputOptions::default().package_files("a.b", "kratos_x", "code".into());
        assert_eq!(files[0].name, "a/b/a.b.rs");
        assert_eq!(files[0].content, "include!(\"a.b.kratos_x.rs\");\n");
        assert_eq!(files[1].name, "a/b/a.b.kratos_x.rs");
        let files = parse("no_include")
            .unwrap()
            .package_files("", "kratos_x", "code".into());
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].name, "_.kratos_x.rs");
    }
}
