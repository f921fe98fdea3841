//! `kratos proto add api/x/v1/x.proto`: a proto with a CRUD service and its HTTP rules.

use std::path::{Component, Path};

use heck::{ToSnakeCase, ToUpperCamelCase};

use crate::create::{Created, create_file};
use crate::error::CliError;
use crate::template::{SERVICE_PROTO, fill};

/// What a proto's path says about it: `api/shop/v1/shop.proto` is package `shop.v1`, service
/// `Shop`, resources at `/v1/shops`.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ProtoPath {
    /// The proto package: the directories, without a leading `api/` (the include root).
    pub(crate) package: String,
    /// The service: the file name in UpperCamelCase.
    pub(crate) service: String,
    /// The directory, `/`-separated, as Go's `go_package` names it.
    dir: String,
    /// The file name in snake case: one resource.
    resource: String,
}

impl ProtoPath {
    pub(crate) fn parse(path: &Path) -> Result<Self, CliError> {
        let expected = "expected a path such as api/shop/v1/shop.proto (directories: the proto \
                        package; file name: the service)";
        let mut parts = Vec::new();
        for component in path.components() {
            match component {
                Component::Normal(part) => parts.push(part.to_str().ok_or_else(|| {
                    CliError::new(format!("{} is not UTF-8; {expected}", path.display()))
                })?),
                Component::CurDir => {}
                _ => {
                    return Err(CliError::new(format!(
                        "{}: give a relative path inside the project; {expected}",
                        path.display()
                    )));
                }
            }
        }
        let file = parts.pop().unwrap_or_default();
        let Some(stem) = file.strip_suffix(".proto") else {
            return Err(CliError::new(format!(
                "{} is not a .proto file; {expected}",
                path.display()
            )));
        };
        let dir = parts.join("/");
        if parts.first() == Some(&"api") {
            parts.remove(0);
        }
        if parts.is_empty() {
            return Err(CliError::new(format!(
                "{} has no package directory; {expected}",
                path.display()
            )));
        }
        if let Some(bad) = parts
            .iter()
            .chain([&stem])
            .find(|part| !is_proto_ident(part))
        {
            return Err(CliError::new(format!(
                "{}: {bad:?} is not a proto identifier (letters, digits and '_', not starting \
                 with a digit); {expected}",
                path.display()
            )));
        }
        Ok(Self {
            package: parts.join("."),
            service: stem.to_upper_camel_case(),
            dir,
            resource: stem.to_snake_case(),
        })
    }

    /// The collection's HTTP path: `/v1/shops` when the package ends in a version, else
    /// `/shops`.
    fn collection(&self) -> String {
        let version = self.package.rsplit('.').next().filter(|last| {
            last.starts_with('v') && last[1..].starts_with(|c: char| c.is_ascii_digit())
        });
        match version {
            Some(version) => format!("/{version}/{}", plural(&self.resource)),
            None => format!("/{}", plural(&self.resource)),
        }
    }

    /// The proto text, `module` naming the Go module in `go_package`.
    pub(crate) fn render(&self, module: &str) -> String {
        let last = self.package.rsplit('.').next().unwrap_or_default();
        let go_package = format!("{module}/{};{last}", self.dir);
        fill(
            SERVICE_PROTO,
            &[
                ("package", &self.package),
                ("go_package", &go_package),
                ("java_package", &self.package),
                ("Service", &self.service),
                ("collection", &self.collection()),
                ("resources", &plural(&self.resource)),
                ("resource", &self.resource),
            ],
        )
    }
}

fn is_proto_ident(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// English plural of a snake-case noun, good enough for a URL (`shop` -> `shops`,
/// `address` -> `addresses`, `category` -> `categories`).
fn plural(noun: &str) -> String {
    if noun.ends_with(['s', 'x', 'z']) || noun.ends_with("ch") || noun.ends_with("sh") {
        format!("{noun}es")
    } else if let Some(stem) = noun
        .strip_suffix('y')
        .filter(|stem| !stem.ends_with(['a', 'e', 'i', 'o', 'u']))
    {
        format!("{stem}ies")
    } else {
        format!("{noun}s")
    }
}

/// Writes the proto at `path`; an existing file is an error, and left as it is.
pub(crate) fn add_proto(path: &Path) -> Result<(), CliError> {
    let proto = ProtoPath::parse(path)?;
    let module = cargo_package_name().unwrap_or_else(|| proto.package.replace('.', "/"));
    match create_file(path, &proto.render(&module))? {
        Created::Written => {}
        Created::Exists => {
            return Err(CliError::new(format!(
                "{} exists; kratos proto add never replaces a file: pick another path or \
                 remove it first",
                path.display()
            )));
        }
    }
    println!(
        "kratos: wrote {}: service {}.{} (Create/Update/Delete/Get/List{} over HTTP and gRPC)",
        path.display(),
        proto.package,
        proto.service,
        proto.service
    );
    let include = format!("include_proto!(\"{}\")", proto.package);
    let lib = std::fs::read_to_string("src/lib.rs").unwrap_or_default();
    if !lib.is_empty() && !lib.contains(&include) {
        println!(
            "kratos: package {} is new: add a module in src/lib.rs's `api` that holds \
             `kratos::{include};`",
            proto.package
        );
    }
    println!(
        "kratos: build.rs compiles it at the next build; a stub: kratos proto server {} -t src/service",
        path.display()
    );
    Ok(())
}

/// The `name` of `./Cargo.toml`'s package, if there is one.
fn cargo_package_name() -> Option<String> {
    let manifest = std::fs::read_to_string("Cargo.toml").ok()?;
    let mut in_package = false;
    for line in manifest.lines().map(str::trim) {
        if line.starts_with('[') {
            in_package = line == "[package]";
        } else if in_package && let Some(value) = line.strip_prefix("name") {
            let value = value.trim_start().strip_prefix('=')?.trim();
            return Some(value.trim_matches('"').to_owned());
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_path_gives_package_service_and_routes() {
        let proto = ProtoPath::parse(Path::new("api/shop/v1/shop.proto")).unwrap();
        assert_eq!(proto.package, "shop.v1");
        assert_eq!(proto.service, "Shop");
        assert_eq!(proto.collection(), "/v1/shops");
        let text = proto.render("shop");
        assert!(text.contains("package shop.v1;"), "{text}");
        assert!(
            text.contains("option go_package = \"shop/api/shop/v1;v1\";"),
            "{text}"
        );
        assert!(
            text.contains("rpc GetShop (GetShopRequest) returns (GetShopReply)"),
            "{text}"
        );
        assert!(text.contains("get: \"/v1/shops/{id}\""), "{text}");
        assert!(text.contains("repeated ShopInfo shops = 1;"), "{text}");
        assert!(!text.contains("{{"), "{text}");

        let proto = ProtoPath::parse(Path::new("./billing/user_address.proto")).unwrap();
        assert_eq!(proto.package, "billing");
        assert_eq!(proto.service, "UserAddress");
        assert_eq!(proto.collection(), "/user_addresses");
    }

    #[test]
    fn paths_that_cannot_name_a_proto_say_why() {
        for (path, expected) in [
            ("api/shop/v1/shop.txt", "is not a .proto file"),
            ("api/shop.proto", "has no package directory"),
            ("shop.proto", "has no package directory"),
            (
                "api/my-shop/v1/shop.proto",
                "\"my-shop\" is not a proto identifier",
            ),
            (
                "api/shop/v1/1shop.proto",
                "\"1shop\" is not a proto identifier",
            ),
            ("/abs/shop/v1/shop.proto", "give a relative path"),
            ("api/../shop/v1/shop.proto", "give a relative path"),
        ] {
            let error = ProtoPath::parse(Path::new(path)).unwrap_err().to_string();
            assert!(error.contains(expected), "{path}: {error}");
        }
    }

    #[test]
    fn plurals() {
        for (one, many) in [
            ("shop", "shops"),
            ("address", "addresses"),
            ("category", "categories"),
            ("day", "days"),
            ("box", "boxes"),
            ("batch", "batches"),
        ] {
            assert_eq!(plural(one), many);
        }
    }
}
