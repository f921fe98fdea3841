//! Configuration text into a tree, by format: JSON always, YAML and TOML behind features.

use serde_json::Value;

use super::error::ConfigError;

/// A configuration file format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Format {
    /// JSON (`.json`).
    Json,
    /// YAML (`.yaml`, `.yml`; feature `yaml`).
    Yaml,
    /// TOML (`.toml`; feature `toml`).
    Toml,
}

impl Format {
    /// The format of a file or key named `name`, by its extension.
    pub fn from_name(name: &str) -> Option<Self> {
        let (_, extension) = name.rsplit_once('.')?;
        match extension.to_ascii_lowercase().as_str() {
            "json" => Some(Self::Json),
            "yaml" | "yml" => Some(Self::Yaml),
            "toml" => Some(Self::Toml),
            _ => None,
        }
    }

    /// Parses `text` into a tree; its top must be a mapping (an empty document is an empty one).
    /// Errors carry `origin` and the line of a syntax error.
    pub fn parse(self, text: &[u8], origin: &str) -> Result<Value, ConfigError> {
        let value = match self {
            Self::Json => parse_json(text),
            Self::Yaml => parse_yaml(text),
            Self::Toml => parse_toml(text),
        }
        .map_err(|error| error.with_origin(origin))?;
        match value {
            Value::Object(_) => Ok(value),
            Value::Null => Ok(Value::Object(serde_json::Map::new())),
            _ => Err(ConfigError::new(format!(
                "expected a mapping of keys at the top, found {}",
                kind(&value)
            ))
            .with_origin(origin)),
        }
    }
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn parse_json(text: &[u8]) -> Result<Value, ConfigError> {
    if text.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    serde_json::from_slice(text).map_err(|error| {
        let mut message = error.to_string();
        // serde_json appends " at line L column C"; the line is reported on its own.
        if let Some(at) = message.rfind(" at line ") {
            message.truncate(at);
        }
        ConfigError::new(format!("JSON syntax: {message}, column {}", error.column()))
            .with_line(error.line())
    })
}

#[cfg(feature = "yaml")]
fn parse_yaml(text: &[u8]) -> Result<Value, ConfigError> {
    serde_yaml_ng::from_slice(text).map_err(|error| {
        let mut message = error.to_string();
        if let Some(at) = message.rfind(" at line ") {
            message.truncate(at);
        }
        match error.location() {
            Some(location) => ConfigError::new(format!(
                "YAML syntax: {message}, column {}",
                location.column()
            ))
            .with_line(location.line()),
            None => ConfigError::new(format!("YAML: {message}")),
        }
    })
}

#[cfg(not(feature = "yaml"))]
fn parse_yaml(_: &[u8]) -> Result<Value, ConfigError> {
    Err(ConfigError::new(
        "YAML needs the `yaml` feature of the kratos crate",
    ))
}

#[cfg(feature = "toml")]
fn parse_toml(text: &[u8]) -> Result<Value, ConfigError> {
    let text = std::str::from_utf8(text)
        .map_err(|error| ConfigError::new(format!("TOML is not UTF-8: {error}")))?;
    toml::from_str(text).map_err(|error| {
        let message = format!("TOML syntax: {}", error.message());
        match error.span() {
            Some(span) => {
                let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
                ConfigError::new(message).with_line(line)
            }
            None => ConfigError::new(message),
        }
    })
}

#[cfg(not(feature = "toml"))]
fn parse_toml(_: &[u8]) -> Result<Value, ConfigError> {
    Err(ConfigError::new(
        "TOML needs the `toml` feature of the kratos crate",
    ))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn formats_by_extension() {
        assert_eq!(Format::from_name("configs/config.YAML"), Some(Format::Yaml));
        assert_eq!(Format::from_name("a.yml"), Some(Format::Yaml));
        assert_eq!(Format::from_name("/config/app.json"), Some(Format::Json));
        assert_eq!(Format::from_name("c.toml"), Some(Format::Toml));
        assert_eq!(Format::from_name("README"), None);
        assert_eq!(Format::from_name("x.bak"), None);
    }

    #[test]
    fn json_errors_have_their_line() {
        let error = Format::Json
            .parse(b"{\n  \"a\": 1,\n  \"b\": ]\n}", "file c.json")
            .unwrap_err();
        assert_eq!(error.line(), Some(3));
        assert_eq!(error.origin(), Some("file c.json"));
        assert!(error.message().starts_with("JSON syntax: "), "{error}");
    }

    #[test]
    fn the_top_must_be_a_mapping() {
        let error = Format::Json.parse(b"[1]", "file c.json").unwrap_err();
        assert_eq!(
            error.message(),
            "expected a mapping of keys at the top, found a list"
        );
        assert_eq!(Format::Json.parse(b"  \n", "x").unwrap(), json!({}));
    }

    #[cfg(feature = "yaml")]
    #[test]
    fn yaml_errors_have_their_line() {
        let text = b"server:\n  http:\n    addr: [1, 2\n    timeout: 1s\n";
        let error = Format::Yaml.parse(text, "file c.yaml").unwrap_err();
        assert!(error.line().is_some_and(|line| line >= 3), "{error}");
        assert!(error.message().starts_with("YAML syntax: "), "{error}");
        let parsed = Format::Yaml
            .parse(b"a:\n  b: 1s\n  c: [1, 2]\n", "x")
            .unwrap();
        assert_eq!(parsed, json!({"a": {"b": "1s", "c": [1, 2]}}));
        assert_eq!(Format::Yaml.parse(b"", "x").unwrap(), json!({}));
    }

    #[cfg(feature = "toml")]
    #[test]
    fn toml_errors_have_their_line() {
        let error = Format::Toml
            .parse(b"[server]\naddr = \"x\"\nport = = 1\n", "file c.toml")
            .unwrap_err();
        assert_eq!(error.line(), Some(3), "{error}");
        let parsed = Format::Toml
            .parse(b"[server.http]\naddr = \":8000\"\n", "x")
            .unwrap();
        assert_eq!(parsed, json!({"server": {"http": {"addr": ":8000"}}}));
    }

    #[cfg(not(feature = "yaml"))]
    #[test]
    fn yaml_without_the_feature_says_which_feature() {
        let error = Format::Yaml.parse(b"a: 1", "file c.yaml").unwrap_err();
        assert!(error.message().contains("`yaml` feature"), "{error}");
    }
}
