//! `${NAME}` and `${NAME:default}` in string values, resolved against the merged configuration
//! (NAME as a dotted key) and then the environment (NAME as a variable).

use serde_json::Value;

use super::error::ConfigError;
use super::tree::{Tree, lookup};

/// How deep a placeholder may lead to another (`a: ${b}`, `b: ${c}`...): deeper is a cycle.
const MAX_DEPTH: usize = 8;

/// Resolves every placeholder in `tree`. A string that is exactly one placeholder takes the
/// referenced value with its type (`port: ${PORT:8000}` is a number when the default is used);
/// placeholders inside a longer string are replaced by their text.
pub(crate) fn resolve(tree: &mut Tree) -> Result<(), ConfigError> {
    let mut value = tree.value.clone();
    Resolver { tree }.resolve_all(&mut value, "")?;
    tree.value = value;
    Ok(())
}

/// Reads the tree as merged, before any resolution, so the order of keys does not matter.
struct Resolver<'a> {
    tree: &'a Tree,
}

impl Resolver<'_> {
    fn resolve_all(&self, value: &mut Value, key: &str) -> Result<(), ConfigError> {
        match value {
            Value::Object(map) => {
                for (child, value) in map.iter_mut() {
                    let child_key = if key.is_empty() {
                        child.clone()
                    } else {
                        format!("{key}.{child}")
                    };
                    self.resolve_all(value, &child_key)?;
                }
            }
            Value::Array(items) => {
                for (index, value) in items.iter_mut().enumerate() {
                    self.resolve_all(value, &format!("{key}[{index}]"))?;
                }
            }
            Value::String(text) if text.contains("${") => {
                *value = self.resolve_string(text, 0).map_err(|message| {
                    let error = ConfigError::new(message).with_key(key);
                    match self.tree.origin(key) {
                        Some(origin) => error.with_origin(origin),
                        None => error,
                    }
                })?;
            }
            _ => {}
        }
        Ok(())
    }

    fn resolve_string(&self, text: &str, depth: usize) -> Result<Value, String> {
        if depth > MAX_DEPTH {
            return Err(format!(
                "placeholders nest deeper than {MAX_DEPTH} levels (a cycle?) at {text:?}"
            ));
        }
        if let Some((name, default)) = whole_placeholder(text) {
            return self.lookup(name, default, depth);
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("${") {
            let Some(length) = rest[start..].find('}') else {
                break;
            };
            out.push_str(&rest[..start]);
            let (name, default) = split_default(&rest[start + 2..start + length]);
            match self.lookup(name, default, depth)? {
                Value::String(text) => out.push_str(&text),
                Value::Null => {}
                other => out.push_str(&other.to_string()),
            }
            rest = &rest[start + length + 1..];
        }
        out.push_str(rest);
        Ok(Value::String(out))
    }

    fn lookup(&self, name: &str, default: Option<&str>, depth: usize) -> Result<Value, String> {
        if let Some(found) = lookup(&self.tree.value, name).filter(|found| !found.is_object()) {
            return match found {
                Value::String(text) if text.contains("${") => self.resolve_string(text, depth + 1),
                found => Ok(found.clone()),
            };
        }
        if let Ok(variable) = std::env::var(name) {
            return Ok(Value::String(variable));
        }
        match default {
            Some(default) => self.resolve_string(default, depth + 1),
            None => Err(format!(
                "placeholder ${{{name}}} has no value: {name} is neither a configuration key nor \
                 an environment variable, and there is no default (write ${{{name}:default}})"
            )),
        }
    }
}

/// `${NAME}` or `${NAME:default}` filling the whole string.
fn whole_placeholder(text: &str) -> Option<(&str, Option<&str>)> {
    let inner = text.strip_prefix("${")?.strip_suffix('}')?;
    (!inner.contains('}')).then(|| split_default(inner))
}

fn split_default(inner: &str) -> (&str, Option<&str>) {
    match inner.split_once(':') {
        Some((name, default)) => (name.trim(), Some(default)),
        None => (inner.trim(), None),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::config::tree::Layer;

    fn resolved(value: Value) -> Result<Value, ConfigError> {
        let mut tree = Tree::merge([&Layer::new("file test.yaml", value)]);
        resolve(&mut tree).map(|()| tree.value)
    }

    #[test]
    fn keys_then_defaults() {
        let value = json!({
            "port": 8000,
            "addr": "0.0.0.0:${port}",
            "copy": "${port}",
            "name": "${service.name:helloworld}",
            "typed": "${missing.key:1s}",
            "chain": "${addr}",
            "list": ["${port}"],
            "unclosed": "${port",
        });
        assert_eq!(
            resolved(value).unwrap(),
            json!({
                "port": 8000,
                "addr": "0.0.0.0:8000",
                "copy": 8000,
                "name": "helloworld",
                "typed": "1s",
                "chain": "0.0.0.0:8000",
                "list": [8000],
                "unclosed": "${port",
            })
        );
    }

    #[test]
    fn the_environment_answers_names_that_are_not_keys() {
        // PATH is set in every test environment; no key is named so.
        let path = std::env::var("PATH").unwrap();
        assert_eq!(
            resolved(json!({"p": "${PATH:none}"})).unwrap(),
            json!({"p": path})
        );
    }

    #[test]
    fn no_value_and_no_default_names_the_key_and_source() {
        let error =
            resolved(json!({"db": {"url": "mysql://${KRATOS_TEST_UNSET_NAME}/x"}})).unwrap_err();
        assert_eq!(error.key(), Some("db.url"));
        assert_eq!(error.origin(), Some("file test.yaml"));
        assert!(
            error.message().contains("${KRATOS_TEST_UNSET_NAME}"),
            "{error}"
        );
        assert!(error.to_string().contains("no default"), "{error}");
    }

    #[test]
    fn cycles_end() {
        let error = resolved(json!({"a": "${b}", "b": "${a}"})).unwrap_err();
        assert!(error.message().contains("deeper"), "{error}");
    }
}
