//! The merged key/value tree: JSON values addressed by dotted keys, and which source set each.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde_json::{Map, Value};

/// One source's contribution: a tree of values and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    /// Names the source, as errors show it (`file configs/config.yaml`, `env APP_`).
    pub origin: String,
    /// The values: an object at the top.
    pub value: Value,
}

impl Layer {
    /// A layer of `value` from `origin`.
    pub fn new(origin: impl Into<String>, value: Value) -> Self {
        Self {
            origin: origin.into(),
            value,
        }
    }
}

/// Layers merged in order (later ones win key by key; arrays and scalars are replaced whole),
/// with the origin of every leaf.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Tree {
    pub(crate) value: Value,
    origins: BTreeMap<String, Arc<str>>,
}

impl Tree {
    pub(crate) fn merge<'a>(layers: impl IntoIterator<Item = &'a Layer>) -> Self {
        let mut tree = Self {
            value: Value::Object(Map::new()),
            origins: BTreeMap::new(),
        };
        for layer in layers {
            let origin: Arc<str> = Arc::from(layer.origin.as_str());
            merge_value(
                &mut tree.value,
                &layer.value,
                "",
                &origin,
                &mut tree.origins,
            );
        }
        tree
    }

    /// The value at a dotted key (`server.http.addr`); the empty key is the whole tree.
    pub(crate) fn get(&self, key: &str) -> Option<&Value> {
        lookup(&self.value, key)
    }

    /// The source that set `key`, or the nearest enclosing key that has one.
    pub(crate) fn origin(&self, key: &str) -> Option<&str> {
        let mut key = key;
        loop {
            if let Some(origin) = self.origins.get(key) {
                return Some(origin);
            }
            // The first leaf under `key`, for a key naming a sub-tree.
            let prefix = format!("{key}.");
            if let Some((_, origin)) = self
                .origins
                .range(prefix.clone()..)
                .next()
                .filter(|(leaf, _)| leaf.starts_with(&prefix))
            {
                return Some(origin);
            }
            key = &key[..key.rfind(['.', '['])?];
        }
    }

    #[cfg(test)]
    pub(crate) fn leaves(&self) -> impl Iterator<Item = (&String, &Arc<str>)> {
        self.origins.iter()
    }
}

pub(crate) fn lookup<'a>(value: &'a Value, key: &str) -> Option<&'a Value> {
    if key.is_empty() {
        return Some(value);
    }
    key.split('.')
        .try_fold(value, |node, part| node.as_object()?.get(part))
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

fn merge_value(
    into: &mut Value,
    from: &Value,
    path: &str,
    origin: &Arc<str>,
    origins: &mut BTreeMap<String, Arc<str>>,
) {
    match (into, from) {
        (Value::Object(into), Value::Object(from)) => {
            for (key, value) in from {
                let child_path = join(path, key);
                let slot = into.entry(key.clone()).or_insert(Value::Null);
                if !(slot.is_object() && value.is_object()) {
                    forget_under(origins, &child_path);
                    // An object is merged into an empty one so each leaf records its origin.
                    *slot = match value {
                        Value::Object(_) => Value::Object(Map::new()),
                        _ => Value::Null,
                    };
                }
                merge_value(slot, value, &child_path, origin, origins);
            }
        }
        (into, from) => {
            *into = from.clone();
            origins.insert(path.to_owned(), origin.clone());
        }
    }
}

fn forget_under(origins: &mut BTreeMap<String, Arc<str>>, path: &str) {
    let prefix = format!("{path}.");
    origins.retain(|key, _| key != path && !key.starts_with(&prefix));
}

/// Sets `key` (dotted) in `tree`, making objects on the way and replacing what was there.
pub(crate) fn insert_dotted(tree: &mut Map<String, Value>, key: &str, value: Value) {
    let mut parts = key.split('.').peekable();
    let mut node = tree;
    while let Some(part) = parts.next() {
        if parts.peek().is_none() {
            node.insert(part.to_owned(), value);
            return;
        }
        let child = node
            .entry(part.to_owned())
            .or_insert_with(|| Value::Object(Map::new()));
        if !child.is_object() {
            *child = Value::Object(Map::new());
        }
        let Value::Object(child) = child else {
            return;
        };
        node = child;
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn later_layers_win_key_by_key() {
        let base = Layer::new(
            "file a",
            json!({"server": {"http": {"addr": ":8000", "timeout": "1s"}}, "list": [1, 2]}),
        );
        let over = Layer::new(
            "env APP_",
            json!({"server": {"http": {"addr": ":9000"}}, "list": [3]}),
        );
        let tree = Tree::merge([&base, &over]);
        assert_eq!(
            tree.value,
            json!({"server": {"http": {"addr": ":9000", "timeout": "1s"}}, "list": [3]})
        );
        assert_eq!(tree.origin("server.http.addr"), Some("env APP_"));
        assert_eq!(tree.origin("server.http.timeout"), Some("file a"));
        assert_eq!(tree.origin("list[0]"), Some("env APP_"));
        assert_eq!(tree.origin("server"), Some("env APP_"));
        assert_eq!(tree.get("server.http.timeout"), Some(&json!("1s")));
        assert_eq!(tree.get("server.nope"), None);
    }

    #[test]
    fn a_scalar_replacing_a_subtree_forgets_its_leaves() {
        let base = Layer::new("a", json!({"db": {"url": "x"}}));
        let over = Layer::new("b", json!({"db": "off"}));
        let tree = Tree::merge([&base, &over]);
        assert_eq!(tree.value, json!({"db": "off"}));
        assert_eq!(tree.leaves().count(), 1);
    }

    #[test]
    fn dotted_insert_builds_objects() {
        let mut map = Map::new();
        insert_dotted(&mut map, "server.http.addr", json!(":1"));
        insert_dotted(&mut map, "server.grpc", json!("x"));
        assert_eq!(
            Value::Object(map),
            json!({"server": {"http": {"addr": ":1"}, "grpc": "x"}})
        );
    }
}
