//! Generates the API from every `.proto` under `api/`: prost messages, error helpers
//! (`errors.proto`), HTTP routes and client (`google.api.http`), and gRPC, with kratos-build's
//! vendored protoc, so nothing needs to be installed. `third_party/` holds the imported protos
//! for editors and buf; kratos-build bundles the same ones.

use std::io;
use std::path::{Path, PathBuf};

fn main() -> io::Result<()> {
    let mut protos = Vec::new();
    find_protos(Path::new("api"), &mut protos)?;
    protos.sort();
    kratos_build::configure()
        .grpc(true)
        .compile(&protos, &["api", "third_party"])
}

/// Collects every `.proto` file under `dir`, so a proto added with `kratos proto add` is
/// compiled without editing this file.
fn find_protos(dir: &Path, protos: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            find_protos(&path, protos)?;
        } else if path
            .extension()
            .is_some_and(|extension| extension == "proto")
        {
            protos.push(path);
        }
    }
    Ok(())
}
