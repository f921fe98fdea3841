//! The plugin's parameters.

use kratos_codegen::{OutputLayout, Parameters};

/// Options of protoc-gen-kratos-errors, parsed from the plugin parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    runtime_crate: String,
    include: bool,
    layout: OutputLayout,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            runtime_crate: "::kratos".to_owned(),
            include: true,
            layout: OutputLayout::Nested,
        }
    }
}

impl Options {
    /// Parses `runtime_crate=<path>`, `no_include` and `flat_output_dir`;
    /// anything else is an error that lists what is accepted.
    pub fn parse(parameter: &str) -> Result<Self, String> {
        let mut options = Self::default();
        for param in Parameters::parse(parameter).iter() {
            match param.key() {
                "runtime_crate" => {
                    let path = param.required_value()?;
                    if syn::parse_str::<syn::Path>(path).is_err() {
                        return Err(format!(
                            "parameter runtime_crate={path}: not a Rust path (for example ::kratos)"
                        ));
                    }
                    path.clone_into(&mut options.runtime_crate);
                }
                "no_include" => options.include = !param.flag()?,
                "flat_output_dir" => {
                    options.layout = if param.flag()? {
                        OutputLayout::Flat
                    } else {
                        OutputLayout::Nested
                    };
                }
                _ => {
                    return Err(format!(
                        "unknown parameter {param:?}; accepted: runtime_crate=<path>, no_include, \
                         flat_output_dir",
                        param = param.to_string()
                    ));
                }
            }
        }
        Ok(options)
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let options = Options::parse("").unwrap();
        assert_eq!(options, Options::default());
        assert_eq!(options.runtime_crate(), "::kratos");
        assert!(options.include());
    }

    #[test]
    fn every_parameter() {
        let options = Options::parse("runtime_crate=crate::rt,no_include,flat_output_dir").unwrap();
        assert_eq!(options.runtime_crate(), "crate::rt");
        assert!(!options.include());
        assert_eq!(options.layout(), OutputLayout::Flat);
    }

    #[test]
    fn unknown_and_malformed_parameters_are_errors() {
        let err = Options::parse("runtime=::x").unwrap_err();
        assert!(err.contains("unknown parameter \"runtime=::x\""), "{err}");
        assert!(err.contains("runtime_crate=<path>"), "{err}");
        assert!(Options::parse("runtime_crate=").is_err());
        assert!(Options::parse("runtime_crate=not a path").is_err());
        assert!(Options::parse("no_include=maybe").is_err());
    }
}
