//! The plugin's parameters.

use kratos_codegen::Parameters;

/// Where the document(s) go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutputMode {
    /// One document for every file to generate, at this path (`openapi.json` by default).
    Merged(String),
    /// One `<dir>/<stem>.openapi.json` beside each proto file that has HTTP routes.
    SourceRelative,
}

/// Options of protoc-gen-kratos-openapi, parsed from the plugin parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    output: OutputMode,
    title: Option<String>,
    version: String,
    description: Option<String>,
    omitempty: bool,
    omitempty_prefix: String,
    proto_names: bool,
    enums_as_numbers: bool,
    fq_schema_naming: bool,
    default_response: bool,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            output: OutputMode::Merged("openapi.json".to_owned()),
            title: None,
            version: "0.0.1".to_owned(),
            description: None,
            omitempty: true,
            omitempty_prefix: String::new(),
            proto_names: false,
            enums_as_numbers: false,
            fq_schema_naming: false,
            default_response: true,
        }
    }
}

const ACCEPTED: &str = "output=<file.json>, output_mode=merged|source_relative, title=<text>, \
                        version=<text>, description=<text>, omitempty=<bool>, \
                        omitempty_prefix=<path>, naming=json|proto, enum_type=string|integer, \
                        fq_schema_naming=<bool>, default_response=<bool>";

impl Options {
    /// Parses the parameter; an unknown key or a bad value is an error saying what is accepted.
    pub fn parse(parameter: &str) -> Result<Self, String> {
        let mut options = Self::default();
        let mut output_file = None;
        let mut source_relative = false;
        for param in Parameters::parse(parameter).iter() {
            match param.key() {
                "output" => {
                    let file = param.required_value()?;
                    if !file.ends_with(".json") || file.starts_with('/') || file.contains("..") {
                        return Err(format!(
                            "parameter output={file}: give a relative path ending in .json, \
                             such as openapi.json or api/openapi.json"
                        ));
                    }
                    output_file = Some(file.to_owned());
                }
                "output_mode" => match param.required_value()? {
                    "merged" => source_relative = false,
                    "source_relative" => source_relative = true,
                    other => {
                        return Err(format!(
                            "parameter output_mode={other}: accepted values are merged and source_relative"
                        ));
                    }
                },
                "title" => options.title = Some(param.required_value()?.to_owned()),
                "version" => param.required_value()?.clone_into(&mut options.version),
                "description" => options.description = Some(param.required_value()?.to_owned()),
                "omitempty" => options.omitempty = param.flag()?,
                "omitempty_prefix" => {
                    // The HTTP plugin's rule for the prefix, so both read it alike.
                    protoc_gen_kratos_http::Options::parse(&param.to_string())?;
                    param
                        .value()
                        .unwrap_or_default()
                        .clone_into(&mut options.omitempty_prefix);
                }
                "naming" => {
                    options.proto_names = match param.required_value()? {
                        "json" => false,
                        "proto" => true,
                        other => {
                            return Err(format!(
                                "parameter naming={other}: accepted values are json (lowerCamelCase, \
                                 the runtime's default) and proto (JsonOptions::use_proto_names)"
                            ));
                        }
                    }
                }
                "enum_type" => {
                    options.enums_as_numbers = match param.required_value()? {
                        "string" => false,
                        "integer" => true,
                        other => {
                            return Err(format!(
                                "parameter enum_type={other}: accepted values are string (the \
                                 runtime's default) and integer (JsonOptions::enums_as_numbers)"
                            ));
                        }
                    }
                }
                "fq_schema_naming" => options.fq_schema_naming = param.flag()?,
                "default_response" => options.default_response = param.flag()?,
                _ => {
                    return Err(format!(
                        "unknown parameter {:?}; accepted: {ACCEPTED}",
                        param.to_string()
                    ));
                }
            }
        }
        options.output = match (source_relative, output_file) {
            (false, file) => OutputMode::Merged(file.unwrap_or_else(|| "openapi.json".to_owned())),
            (true, None) => OutputMode::SourceRelative,
            (true, Some(file)) => {
                return Err(format!(
                    "parameter output={file} names one merged document, but output_mode=source_relative \
                     writes one per proto file; drop one of them"
                ));
            }
        };
        Ok(options)
    }

    /// Where the document(s) go.
    pub fn output(&self) -> &OutputMode {
        &self.output
    }

    /// `info.title`; by default the service's name when the document has one service.
    pub fn title(&self) -> Option<&str> {
        self.title.as_deref()
    }

    /// `info.version` (`0.0.1` by default, as gnostic's protoc-gen-openapi).
    pub fn version(&self) -> &str {
        &self.version
    }

    /// `info.description`; by default the service's comment when the document has one service.
    pub fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }

    /// As protoc-gen-kratos-http's: methods without `(google.api.http)` are left out (true,
    /// the default) or documented at `POST {omitempty_prefix}/{package.Service}/{Method}`.
    pub fn omitempty(&self) -> bool {
        self.omitempty
    }

    /// Prefix of the default route of unannotated methods.
    pub fn omitempty_prefix(&self) -> &str {
        &self.omitempty_prefix
    }

    /// Whether schemas use proto field names (`naming=proto`) instead of lowerCamelCase JSON names.
    pub fn proto_names(&self) -> bool {
        self.proto_names
    }

    /// Whether enums are documented as numbers (`enum_type=integer`) instead of value names.
    pub fn enums_as_numbers(&self) -> bool {
        self.enums_as_numbers
    }

    /// Whether schema names and operation ids are fully qualified (`library.v1.Book`).
    pub fn fq_schema_naming(&self) -> bool {
        self.fq_schema_naming
    }

    /// Whether every operation gets the Kratos error body as its `default` response.
    pub fn default_response(&self) -> bool {
        self.default_response
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let options = Options::parse("").unwrap();
        assert_eq!(options.output(), &OutputMode::Merged("openapi.json".into()));
        assert!(options.omitempty());
        assert!(!options.proto_names());
        assert!(!options.enums_as_numbers());
        assert!(!options.fq_schema_naming());
        assert!(options.default_response());
        assert_eq!(options.version(), "0.0.1");
        assert_eq!(options.title(), None);
    }

    #[test]
    fn every_parameter() {
        let options = Options::parse(
            "output=api/doc.json,title=Shop,version=1.2.3,description=The shop,omitempty=false,\
             omitempty_prefix=/api,naming=proto,enum_type=integer,fq_schema_naming=true,\
             default_response=false",
        )
        .unwrap();
        assert_eq!(options.output(), &OutputMode::Merged("api/doc.json".into()));
        assert_eq!(options.title(), Some("Shop"));
        assert_eq!(options.version(), "1.2.3");
        assert_eq!(options.description(), Some("The shop"));
        assert!(!options.omitempty());
        assert_eq!(options.omitempty_prefix(), "/api");
        assert!(options.proto_names());
        assert!(options.enums_as_numbers());
        assert!(options.fq_schema_naming());
        assert!(!options.default_response());
        let options = Options::parse("output_mode=source_relative").unwrap();
        assert_eq!(options.output(), &OutputMode::SourceRelative);
    }

    #[test]
    fn bad_parameters() {
        for (parameter, expected) in [
            ("frob", "unknown parameter \"frob\""),
            ("output=doc.yaml", "ending in .json"),
            ("output=../doc.json", "relative path"),
            ("naming=snake", "naming=snake"),
            ("enum_type=number", "enum_type=number"),
            ("output_mode=flat", "merged and source_relative"),
            ("output_mode=source_relative,output=a.json", "drop one"),
            ("omitempty_prefix=api/", "leading and no trailing"),
            ("default_response=perhaps", "default_response"),
        ] {
            let err = Options::parse(parameter).unwrap_err();
            assert!(err.contains(expected), "{parameter}: {err}");
        }
    }
}
