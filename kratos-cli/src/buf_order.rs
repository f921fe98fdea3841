//! The one buf.gen.yaml mistake the kratos plugins cannot report themselves: listing one before
//! protoc-gen-prost. They insert `include!("x.kratos_http.rs")` into the file protoc-gen-prost
//! writes (its `module` insertion point, as protoc-gen-tonic does), and buf applies plugins'
//! outputs in list order, so the file is not there yet and buf fails with
//! `read shop/v1/shop.v1.rs: file does not exist`. Each plugin only sees the protos and its own
//! options, never the other plugins or their output, so the check lives here, where
//! buf.gen.yaml can be read.

/// One plugin entry of a buf.gen.yaml, in list order.
#[derive(Debug, PartialEq, Eq)]
struct PluginEntry {
    name: String,
    out: String,
    no_include: bool,
}

/// The plugins of a buf.gen.yaml (v1 `plugin:`/`name:`, v2 `local:`/`remote:`), read line by
/// line: enough for the entries buf's documentation writes, not a YAML parser.
fn plugin_entries(yaml: &str) -> Vec<PluginEntry> {
    let mut entries: Vec<PluginEntry> = Vec::new();
    for line in yaml.lines() {
        let line = line.split(" #").next().unwrap_or_default().trim();
        let (starts_entry, item) = match line.strip_prefix("- ") {
            Some(item) => (true, item.trim()),
            None => (false, line),
        };
        let Some((key, value)) = item.split_once(':') else {
            continue;
        };
        let value = value.trim().trim_matches(['"', '\'']).to_owned();
        match key.trim() {
            "local" | "remote" | "plugin" | "name" | "protoc_builtin" if starts_entry => {
                entries.push(PluginEntry {
                    name: value,
                    out: String::new(),
                    no_include: false,
                });
            }
            "out" => {
                if let Some(entry) = entries.last_mut() {
                    entry.out = value;
                }
            }
            "opt" => {
                if let Some(entry) = entries.last_mut() {
                    entry.no_include |= value.contains("no_include");
                }
            }
            _ => {}
        }
    }
    entries
}

fn is_prost(name: &str) -> bool {
    let base = name.rsplit('/').next().unwrap_or(name);
    base == "protoc-gen-prost" || base == "prost" || base.ends_with("-prost")
}

fn is_kratos_inserting(entry: &PluginEntry) -> bool {
    let base = entry.name.rsplit('/').next().unwrap_or(&entry.name);
    !entry.no_include && matches!(base, "protoc-gen-kratos-http" | "protoc-gen-kratos-errors")
}

/// Why `yaml` makes buf fail, if a kratos plugin comes before the protoc-gen-prost writing to
/// the same `out`.
pub(crate) fn order_problem(yaml: &str) -> Option<String> {
    let entries = plugin_entries(yaml);
    entries.iter().enumerate().find_map(|(index, kratos)| {
        if !is_kratos_inserting(kratos) {
            return None;
        }
        let prost_later = entries[index + 1..]
            .iter()
            .any(|entry| is_prost(&entry.name) && entry.out == kratos.out);
        prost_later.then(|| {
            format!(
                "buf.gen.yaml lists {} before protoc-gen-prost (both out: {}): list \
                 protoc-gen-prost before protoc-gen-kratos-*. The kratos plugins insert an \
                 include into the file protoc-gen-prost writes, and buf applies the plugins in \
                 list order (otherwise buf fails with \"read PACKAGE.rs: file does not exist\")",
                kratos.name, kratos.out
            )
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kratos_plugin_before_prost_in_the_same_out_is_reported() {
        let wrong = "version: v2\nplugins:\n  - local: protoc-gen-kratos-http\n    out: src/gen\n    \
                     opt: grpc=true\n  - local: protoc-gen-prost # messages\n    out: src/gen\n";
        let problem = order_problem(wrong).unwrap();
        assert!(
            problem.contains("list protoc-gen-prost before protoc-gen-kratos-*"),
            "{problem}"
        );
        assert!(problem.contains("protoc-gen-kratos-http"), "{problem}");

        let right = "version: v2\nplugins:\n  - local: protoc-gen-prost\n    out: src/gen\n  \
                     - local: protoc-gen-kratos-errors\n    out: src/gen\n";
        assert_eq!(order_problem(right), None);
        let remote_v1 = "version: v1\nplugins:\n  - name: kratos-errors\n    out: gen\n  \
                         - plugin: buf.build/community/neoeinstein-prost\n    out: gen\n  \
                         - plugin: protoc-gen-kratos-errors\n    out: gen\n";
        assert_eq!(order_problem(remote_v1), None);
        let v1_wrong = "version: v1\nplugins:\n  - plugin: protoc-gen-kratos-errors\n    out: gen\n  \
                        - plugin: buf.build/community/neoeinstein-prost\n    out: gen\n";
        assert!(order_problem(v1_wrong).is_some());
    }

    #[test]
    fn other_outs_and_no_include_are_not_reported() {
        let other_out = "plugins:\n  - local: protoc-gen-kratos-http\n    out: a\n  \
                         - local: protoc-gen-prost\n    out: b\n";
        assert_eq!(order_problem(other_out), None);
        let no_include = "plugins:\n  - local: protoc-gen-kratos-http\n    out: a\n    \
                          opt: no_include\n  - local: protoc-gen-prost\n    out: a\n";
        assert_eq!(order_problem(no_include), None);
    }
}
