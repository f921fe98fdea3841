//! The plugin's parameters.

use kratos_codegen::{OutputLayout, Parameters};

/// Options of protoc-gen-kratos-http, parsed from the plugin parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    runtime_crate: String,
    include: bool,
    layout: OutputLayout,
    omitempty: bool,
    omitempty_prefix: String,
    reflect: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            runtime_crate: "::kratos".to_owned(),
            include: true,
            layout: OutputLayout::Nested,
            omitempty: true,
            omitempty_prefix: String::new(),
            reflect: true,
        }
    }
}

impl Options {
    /// Parses the parameter; an unknown key is an error listing the accepted ones.
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
                "omitempty" => options.omitempty = param.flag()?,
                "omitempty_prefix" => {
                    let prefix = param.value().unwrap_or_default();
                    if !prefix.is_empty() && (!prefix.starts_with('/') || prefix.ends_with('/')) {
                        return Err(format!(
                            "parameter omitempty_prefix={prefix}: write it as /segment[/segment...] \
                             with a leading and no trailing /"
                        ));
                    }
                    prefix.clone_into(&mut options.omitempty_prefix);
                }
                "reflect" => options.reflect = param.flag()?,
                _ => {
                    return Err(format!(
                        "unknown parameter {:?}; accepted: runtime_crate=<path>, no_include, \
                         flat_output_dir, omitempty=<bool>, omitempty_prefix=<path>, reflect=<bool>",
                        param.to_string()
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

    /// Kratos' `omitempty`: methods without `(google.api.http)` get no route
    /// (true, the default) or `POST {omitempty_prefix}/{package.Service}/{Method}`.
    pub fn omitempty(&self) -> bool {
        self.omitempty
    }

    /// Prefix of the default route of unannotated methods.
    pub fn omitempty_prefix(&self) -> &str {
        &self.omitempty_prefix
    }

    /// Whether to emit `ReflectMessage` impls (and the descriptor pool) for the
    /// package's messages; turn off when protoc-gen-prost already emits them
    /// (its `prost_reflect` option).
    pub fn reflect(&self) -> bool {
        self.reflect
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_kratos() {
        let options = Options::parse("").unwrap();
        assert!(options.omitempty());
        assert_eq!(options.omitempty_prefix(), "");
        assert_eq!(options.runtime_crate(), "::kratos");
        assert!(options.reflect());
    }

    #[test]
    fn every_parameter() {
        let options =
            Options::parse("omitempty=false,omitempty_prefix=/api,runtime_crate=crate::rt,no_include,reflect=false")
                .unwrap();
        assert!(!options.omitempty());
        assert_eq!(options.omitempty_prefix(), "/api");
        assert_eq!(options.runtime_crate(), "crate::rt");
        assert!(!options.include());
        assert!(!options.reflect());
    }

    #[test]
    fn bad_parameters() {
        assert!(Options::parse("omitempty=maybe").is_err());
        assert!(Options::parse("omitempty_prefix=api/").is_err());
        let err = Options::parse("frob").unwrap_err();
        assert!(err.contains("unknown parameter \"frob\""), "{err}");
    }
}
