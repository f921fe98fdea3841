//! `kratos proto vendor [DIR]`: the protos kratos-rs APIs import, written for buf and editors.

use std::path::Path;

use kratos_codegen::protoc::BUNDLED_PROTOS;

use crate::create::{Created, create_file};
use crate::error::CliError;

/// Where the protos go when no directory is given (kratos-layout's name).
pub(crate) const DEFAULT_DIR: &str = "third_party";

/// Writes every bundled proto (`errors/errors.proto`, `google/api/{annotations,http}.proto`,
/// `buf/validate/validate.proto`) under `dir`, by import path; files that exist are kept.
pub(crate) fn vendor_protos(dir: &Path) -> Result<(), CliError> {
    for (import, text) in BUNDLED_PROTOS {
        let path = dir.join(import);
        match create_file(&path, text)? {
            Created::Written => println!("kratos: wrote {}", path.display()),
            Created::Exists => println!("kratos: {} exists, kept", path.display()),
        }
    }
    println!(
        "kratos: for buf, make {} a module of its own beside your API's (buf.yaml `modules:`) \
         and generate only your API (buf.gen.yaml `inputs: [directory: api]`), so no Rust is \
         generated for these protos",
        dir.display()
    );
    Ok(())
}

/// The bundled protos whose import path is in `imports`, for `kratos new`.
pub(crate) fn bundled(imports: &[&str]) -> Vec<(&'static str, &'static str)> {
    BUNDLED_PROTOS
        .iter()
        .filter(|(import, _)| imports.contains(import))
        .copied()
        .collect()
}
