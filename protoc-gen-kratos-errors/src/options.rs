//! The plugin's parameters: only the output options every kratos-rs plugin takes.

use kratos_codegen::{OutputOptions, Parameters};

/// Options of protoc-gen-kratos-errors, parsed from the plugin parameter.
pub type Options = OutputOptions;

/// Parses `runtime_crate=<path>`, `no_include` and `flat_output_dir`;
/// anything else is an error that lists what is accepted.
pub fn parse_options(parameter: &str) -> Result<Options, String> {
    let mut options = Options::default();
    for param in Parameters::parse(parameter).iter() {
        if !options.apply(param)? {
            return Err(format!(
                "unknown parameter {:?}; accepted: {}",
                param.to_string(),
                OutputOptions::ACCEPTED
            ));
        }
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_and_malformed_parameters_are_errors() {
        assert_eq!(parse_options("").unwrap(), Options::default());
        let err = parse_options("runtime=::x").unwrap_err();
        assert!(err.contains("unknown parameter \"runtime=::x\""), "{err}");
        assert!(err.contains("runtime_crate=<path>"), "{err}");
        assert!(parse_options("runtime_crate=").is_err());
        assert!(parse_options("no_include=maybe").is_err());
    }
}
