//! Environment variables as configuration (Kratos' `env.NewSource`).

use serde_json::{Map, Value};

use super::error::ConfigError;
use super::source::{Source, SourceFuture, Updates};
use super::tree::{Layer, insert_dotted};

/// Environment variables whose names start with a prefix, as keys: the prefix is dropped, the
/// rest lowercased, `_` becomes `.` and `__` becomes a literal `_`.
///
/// With the prefix `APP_`: `APP_SERVER_HTTP_ADDR` is `server.http.addr` and
/// `APP_SERVER_READ__TIMEOUT` is `server.read_timeout`. Values are strings; reading them as
/// numbers, booleans or durations works all the same (`APP_SERVER_PORT=8080` into a `u16`).
/// Variables are read at load; the source is not watched.
#[derive(Debug, Clone)]
pub struct EnvSource {
    prefix: String,
}

impl EnvSource {
    /// Variables starting with `prefix` (case-sensitive, as variable names are).
    pub fn new(prefix: impl Into<String>) -> Self {
        Self {
            prefix: prefix.into(),
        }
    }

    fn layer(&self, variables: impl Iterator<Item = (String, String)>) -> Layer {
        let mut variables: Vec<_> = variables
            .filter_map(|(name, value)| Some((key_of(name.strip_prefix(&self.prefix)?)?, value)))
            .collect();
        // Sorted, so `APP_DB=x` and `APP_DB_URL=y` merge the same way every time.
        variables.sort();
        let mut tree = Map::new();
        for (key, value) in variables {
            insert_dotted(&mut tree, &key, Value::String(value));
        }
        Layer::new(format!("env {}", self.prefix), Value::Object(tree))
    }
}

/// The key of a variable name without the prefix, or `None` for one that names no key.
fn key_of(rest: &str) -> Option<String> {
    let key = rest
        .to_lowercase()
        .split("__")
        .map(|part| part.replace('_', "."))
        .collect::<Vec<_>>()
        .join("_");
    (!key.is_empty() && key.split('.').all(|part| !part.is_empty())).then_some(key)
}

impl Source for EnvSource {
    fn load(&self) -> SourceFuture<'_, Vec<Layer>> {
        // Names or values that are not Unicode cannot be configuration keys or strings.
        let layer = self.layer(std::env::vars_os().filter_map(|(name, value)| {
            Some((name.into_string().ok()?, value.into_string().ok()?))
        }));
        Box::pin(async move { Ok::<_, ConfigError>(vec![layer]) })
    }

    fn watch(&self) -> SourceFuture<'_, Option<Updates>> {
        Box::pin(async { Ok(None) })
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn names_become_dotted_keys() {
        assert_eq!(
            key_of("SERVER_HTTP_ADDR").as_deref(),
            Some("server.http.addr")
        );
        assert_eq!(
            key_of("SERVER_READ__TIMEOUT").as_deref(),
            Some("server.read_timeout")
        );
        assert_eq!(key_of("GREETING").as_deref(), Some("greeting"));
        assert_eq!(key_of(""), None);
        assert_eq!(key_of("A__"), Some("a_".to_owned()));
        assert_eq!(key_of("_A"), None);
        assert_eq!(key_of("A__B"), Some("a_b".to_owned()));
    }

    #[test]
    fn only_the_prefix_counts() {
        let source = EnvSource::new("APP_");
        let layer = source.layer(
            [
                ("APP_SERVER_HTTP_ADDR", ":9000"),
                ("APP_SERVER_HTTP_TIMEOUT", "2s"),
                ("OTHER_X", "no"),
                ("APP_", "no key"),
            ]
            .into_iter()
            .map(|(name, value)| (name.to_owned(), value.to_owned())),
        );
        assert_eq!(layer.origin, "env APP_");
        assert_eq!(
            layer.value,
            json!({"server": {"http": {"addr": ":9000", "timeout": "2s"}}})
        );
    }
}
