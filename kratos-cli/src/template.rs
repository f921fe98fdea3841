//! The files `kratos new` and `kratos proto add` write, embedded from `template/` (real files,
//! readable and built by `.ci/cli`), and the placeholders in them.

/// The word the project template uses for the project's name: replaced by the package name
/// in `Cargo.toml` and the `Dockerfile`, by the name as a Rust and proto identifier elsewhere.
pub(crate) const PROJECT_NAME: &str = "projectname";

/// [`PROJECT_NAME`] upper-cased, as in the environment prefix `PROJECTNAME_`.
pub(crate) const PROJECT_NAME_UPPER: &str = "PROJECTNAME";

macro_rules! embed {
    ($dir:literal: $($path:literal),* $(,)?) => {
        &[$(($path, include_str!(concat!("../template/", $dir, "/", $path)))),*]
    };
}

/// The project template, by path under `template/project/`.
pub(crate) const PROJECT: &[(&str, &str)] = embed!("project":
    "Cargo.toml.tmpl",
    "Dockerfile",
    "README.md",
    "api/projectname/v1/error_reason.proto",
    "api/projectname/v1/greeter.proto",
    "build.rs",
    "configs/config.yaml",
    "gitignore",
    "src/biz/greeter.rs",
    "src/biz/mod.rs",
    "src/conf/mod.rs",
    "src/data/greeter.rs",
    "src/data/mod.rs",
    "src/lib.rs",
    "src/main.rs",
    "src/server/grpc.rs",
    "src/server/http.rs",
    "src/server/mod.rs",
    "src/service/greeter.rs",
    "src/service/mod.rs",
    "tests/greeter.rs",
);

/// The proto `kratos proto add` writes: a CRUD service with HTTP rules; `{{...}}` are filled
/// in by `proto_add`.
pub(crate) const SERVICE_PROTO: &str = include_str!("../template/proto/service.proto");

/// Where a template file goes in the new project (`gitignore` is `.gitignore`, so that this
/// repository's own ignore rules do not apply to the template).
pub(crate) fn project_path(template_path: &str, ident: &str) -> String {
    let path = match template_path {
        "Cargo.toml.tmpl" => "Cargo.toml",
        "gitignore" => ".gitignore",
        other => other,
    };
    path.replace(PROJECT_NAME, ident)
}

/// Replaces every `{{key}}` in `text`.
pub(crate) fn fill(text: &str, values: &[(&str, &str)]) -> String {
    values.iter().fold(text.to_owned(), |text, (key, value)| {
        text.replace(&format!("{{{{{key}}}}}"), value)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every file under `template/project/` is embedded, so none is silently left out of new
    /// projects.
    #[test]
    fn every_project_template_file_is_embedded() {
        fn walk(dir: &std::path::Path, root: &std::path::Path, found: &mut Vec<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(&path, root, found);
                } else {
                    let relative = path.strip_prefix(root).unwrap();
                    found.push(relative.to_string_lossy().replace('\\', "/"));
                }
            }
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("template/project");
        let mut found = Vec::new();
        walk(&root, &root, &mut found);
        found.sort();
        let embedded: Vec<&str> = PROJECT.iter().map(|(path, _)| *path).collect();
        assert_eq!(found, embedded);
    }

    #[test]
    fn fills_placeholders_and_maps_paths() {
        assert_eq!(
            fill("{{a}}-{{b}}-{{a}}", &[("a", "1"), ("b", "2")]),
            "1-2-1"
        );
        assert_eq!(project_path("gitignore", "shop"), ".gitignore");
        assert_eq!(
            project_path("api/projectname/v1/greeter.proto", "my_shop"),
            "api/my_shop/v1/greeter.proto"
        );
    }
}
