//! `kratos new NAME`: a service in Go Kratos' kratos-layout shape, adapted to Rust.

use std::path::{Path, PathBuf};

use crate::args::KratosSource;
use crate::create::{Created, create_file};
use crate::error::CliError;
use crate::template::{self, PROJECT_NAME, PROJECT_NAME_UPPER};

/// The runtime's package name; projects import it as `kratos`.
pub(crate) const RUNTIME_PACKAGE: &str = "kratos-rs";

/// The protos a new project imports, written under `third_party/` (kratos-build bundles
/// them too; the copies are for editors and buf).
const THIRD_PARTY: &[&str] = &[
    "errors/errors.proto",
    "google/api/annotations.proto",
    "google/api/http.proto",
];

/// Names a project cannot take: its package would depend on a crate of the same name, or
/// its Rust name would not be an identifier.
const RESERVED: &[&str] = &[
    "kratos",
    "kratos_rs",
    "kratos_build",
    "prost",
    "serde",
    "tokio",
    "tonic",
    "tracing_subscriber",
    "test",
    "std",
    "core",
    "alloc",
    "proc_macro",
    "self",
    "super",
    "crate",
    "as",
    "async",
    "await",
    "break",
    "const",
    "continue",
    "dyn",
    "else",
    "enum",
    "extern",
    "false",
    "fn",
    "for",
    "gen",
    "if",
    "impl",
    "in",
    "let",
    "loop",
    "match",
    "mod",
    "move",
    "mut",
    "pub",
    "ref",
    "return",
    "static",
    "struct",
    "trait",
    "true",
    "type",
    "unsafe",
    "use",
    "where",
    "while",
];

/// A valid project name: the package name as given, and the Rust / proto identifier.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ProjectName {
    package: String,
    ident: String,
}

impl ProjectName {
    /// Checks `name`: lower-case ASCII letters, digits, `_` and `-`, starting with a letter
    /// (a Cargo package name that is also, with `-` as `_`, a Rust and proto identifier).
    pub(crate) fn parse(name: &str) -> Result<Self, CliError> {
        let valid = name.starts_with(|c: char| c.is_ascii_lowercase())
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
            && !name.ends_with(['-', '_']);
        if !valid {
            return Err(CliError::new(format!(
                "{name:?} is not a valid project name: use lower-case letters, digits, '_' and \
                 '-', starting with a letter (it names the Cargo package, the Rust crate and the \
                 proto package), such as shop or user-service"
            )));
        }
        let ident = name.replace('-', "_");
        if RESERVED.contains(&ident.as_str()) {
            return Err(CliError::new(format!(
                "{name:?} cannot name a project: it is a Rust keyword or a crate the project \
                 depends on; pick another name, such as {ident}-service"
            )));
        }
        Ok(Self {
            package: name.to_owned(),
            ident,
        })
    }
}

/// Writes the project `name` into `./name`, taking kratos-rs from `source`.
pub(crate) fn new_project(name: &str, source: &KratosSource) -> Result<(), CliError> {
    let name = ProjectName::parse(name)?;
    let root = PathBuf::from(&name.package);
    if root.exists() {
        return Err(CliError::new(format!(
            "{} already exists: remove it, or pick another name",
            root.display()
        )));
    }
    let (runtime, build) = dependency_sources(source)?;
    for (path, text) in template::PROJECT {
        let contents = render(path, text, &name, &runtime, &build);
        write_new(
            &root.join(template::project_path(path, &name.ident)),
            &contents,
        )?;
    }
    for (import, text) in crate::vendor::bundled(THIRD_PARTY) {
        write_new(&root.join(crate::vendor::DEFAULT_DIR).join(import), text)?;
    }
    // The checkout's lock file pins the versions kratos-rs is tested with; cargo drops what
    // the project does not use at its first build.
    if let KratosSource::Path(checkout) = source {
        let lock = checkout.join("Cargo.lock");
        if lock.is_file() {
            std::fs::copy(&lock, root.join("Cargo.lock"))
                .map_err(|error| CliError::io("copy", &lock, &error))?;
        }
    }
    println!(
        "kratos: created {}, a Kratos service (HTTP and gRPC Greeter); next:\n\n    cd {}\n    \
         cargo test\n    cargo run          # or: kratos run\n",
        root.display(),
        root.display()
    );
    Ok(())
}

fn write_new(path: &Path, contents: &str) -> Result<(), CliError> {
    match create_file(path, contents)? {
        Created::Written => Ok(()),
        Created::Exists => Err(CliError::new(format!(
            "{} appeared while the project was being written; nothing was replaced",
            path.display()
        ))),
    }
}

fn render(path: &str, text: &str, name: &ProjectName, runtime: &str, build: &str) -> String {
    let text = template::fill(
        text,
        &[("kratos_source", runtime), ("kratos_build_source", build)],
    );
    let text = text.replace(PROJECT_NAME_UPPER, &name.ident.to_ascii_uppercase());
    // The package (and binary) name where Cargo reads it; the identifier everywhere else.
    match path {
        "Cargo.toml.tmpl" | "Dockerfile" => text.replace(PROJECT_NAME, &name.package),
        _ => text.replace(PROJECT_NAME, &name.ident),
    }
}

/// The dependency specifications (inside `{ }`) of the runtime and of kratos-build.
fn dependency_sources(source: &KratosSource) -> Result<(String, String), CliError> {
    let runtime_package = format!("package = \"{RUNTIME_PACKAGE}\"");
    match source {
        KratosSource::Path(checkout) => {
            let checkout = checkout.canonicalize().map_err(|error| {
                CliError::new(format!(
                    "--kratos-path {}: {error}; give the root of a kratos-rs checkout",
                    checkout.display()
                ))
            })?;
            for member in ["runtime", "kratos-build"] {
                if !checkout.join(member).join("Cargo.toml").is_file() {
                    return Err(CliError::new(format!(
                        "--kratos-path {}: no {member}/Cargo.toml there; give the root of a \
                         kratos-rs checkout (the directory holding runtime/ and kratos-build/)",
                        checkout.display()
                    )));
                }
            }
            let path = |member: &str| toml_string(&checkout.join(member).to_string_lossy());
            Ok((
                format!("{runtime_package}, path = {}", path("runtime")),
                format!("path = {}", path("kratos-build")),
            ))
        }
        KratosSource::Git { url, rev } => {
            let mut git = format!("git = {}", toml_string(url));
            if let Some(rev) = rev {
                git.push_str(&format!(", rev = {}", toml_string(rev)));
            }
            Ok((format!("{runtime_package}, {git}"), git))
        }
    }
}

/// `text` as a TOML basic string.
fn toml_string(text: &str) -> String {
    let mut quoted = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => quoted.push_str("\\\""),
            '\\' => quoted.push_str("\\\\"),
            c if c.is_control() => quoted.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => quoted.push(c),
        }
    }
    quoted.push('"');
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_that_cannot_be_a_project_say_why() {
        for (name, expected) in [
            ("Shop", "not a valid project name"),
            ("1shop", "not a valid project name"),
            ("shop!", "not a valid project name"),
            ("shop-", "not a valid project name"),
            ("", "not a valid project name"),
            ("tokio", "crate the project depends on"),
            ("kratos", "crate the project depends on"),
            ("type", "Rust keyword"),
        ] {
            let error = ProjectName::parse(name).unwrap_err().to_string();
            assert!(error.contains(expected), "{name:?}: {error}");
        }
        assert_eq!(
            ProjectName::parse("user-service").unwrap(),
            ProjectName {
                package: "user-service".into(),
                ident: "user_service".into()
            }
        );
    }

    #[test]
    fn cargo_toml_names_the_package_and_code_the_identifier() {
        let name = ProjectName::parse("user-service").unwrap();
        let cargo = render(
            "Cargo.toml.tmpl",
            "name = \"projectname\"\nkratos = { {{kratos_source}} }",
            &name,
            "path = \"/k/runtime\"",
            "",
        );
        assert_eq!(
            cargo,
            "name = \"user-service\"\nkratos = { path = \"/k/runtime\" }"
        );
        let code = render(
            "src/main.rs",
            "projectname::conf PROJECTNAME_",
            &name,
            "",
            "",
        );
        assert_eq!(code, "user_service::conf USER_SERVICE_");
    }

    #[test]
    fn git_sources_quote_their_values() {
        let (runtime, build) = dependency_sources(&KratosSource::Git {
            url: "https://example.com/a\"b".into(),
            rev: Some("v1".into()),
        })
        .unwrap();
        assert_eq!(
            runtime,
            "package = \"kratos-rs\", git = \"https://example.com/a\\\"b\", rev = \"v1\""
        );
        assert_eq!(build, "git = \"https://example.com/a\\\"b\", rev = \"v1\"");
    }

    #[test]
    fn a_path_that_is_not_a_checkout_is_refused() {
        let error = dependency_sources(&KratosSource::Path(std::env::temp_dir()))
            .unwrap_err()
            .to_string();
        assert!(error.contains("no runtime/Cargo.toml there"), "{error}");
    }
}
