//! The plugin's parameters.

use kratos_codegen::{OutputOptions, Parameters};

/// Options of protoc-gen-kratos-http, parsed from the plugin parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    output: OutputOptions,
    omitempty: bool,
    omitempty_prefix: String,
    reflect: bool,
    grpc: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            output: OutputOptions::default(),
            omitempty: true,
            omitempty_prefix: String::new(),
            reflect: true,
            grpc: false,
        }
    }
}

impl Options {
    /// Parses the parameter; an unknown key is an error listing the accepted ones.
    pub fn parse(parameter: &str) -> Result<Self, String> {
        let mut options = Self::default();
        for param in Parameters::parse(parameter).iter() {
            if options.output.apply(param)? {
                continue;
            }
            match param.key() {
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
                "grpc" => options.grpc = param.flag()?,
                _ => {
                    return Err(format!(
                        "unknown parameter {:?}; accepted: {}, omitempty=<bool>, \
                         omitempty_prefix=<path>, reflect=<bool>, grpc=<bool>",
                        param.to_string(),
                        OutputOptions::ACCEPTED
                    ));
                }
            }
        }
        Ok(options)
    }

    /// Output options shared with the other kratos-rs plugins.
    pub fn output(&self) -> &OutputOptions {
        &self.output
    }

    /// Path of the runtime crate in generated code, such as `::kratos`.
    pub fn runtime_crate(&self) -> &str {
        self.output.runtime_crate()
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

    /// Whether to emit the gRPC glue (`XxxGrpcService`, `register_xxx_grpc_server`,
    /// `XxxGrpcClient`) over tonic's generated code, which must be in the same module
    /// (tonic-prost-build or protoc-gen-tonic). Methods without an HTTP rule then join the
    /// service trait too (served over gRPC only).
    pub fn grpc(&self) -> bool {
        self.grpc
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
        assert!(!options.grpc());
    }

    #[test]
    fn every_parameter() {
        let options = Options::parse(
            "omitempty=false,omitempty_prefix=/api,runtime_crate=crate::rt,no_include,reflect=false,grpc=true",
        )
        .unwrap();
        assert!(options.grpc());
        assert!(!options.omitempty());
        assert_eq!(options.omitempty_prefix(), "/api");
        assert_eq!(options.runtime_crate(), "crate::rt");
        assert!(!options.output().include());
        assert!(!options.reflect());
    }

    #[test]
    fn bad_parameters() {
        assert!(Options::parse("omitempty=maybe").is_err());
        assert!(Options::parse("omitempty_prefix=api/").is_err());
        let err = Options::parse("frob").unwrap_err();
        assert!(err.contains("unknown parameter \"frob\""), "{err}");
        assert!(err.contains("flat_output_dir"), "{err}");
    }
}
