//! The typed model between descriptors and emitted code: error enums and the
//! HTTP code each value resolves to.

use std::collections::BTreeMap;

use kratos_codegen::{Comments, GenerationError, Location, to_snake_case};
use prost_reflect::{DynamicMessage, ExtensionDescriptor, FileDescriptor};

/// Codes Kratos accepts for errors.
const VALID_CODES: std::ops::RangeInclusive<i32> = 1..=600;

/// A top-level enum with at least one value that resolves to an error code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorEnum {
    /// The proto file that declares it.
    pub file: String,
    /// The enum's proto name.
    pub name: String,
    /// The values that get helpers, in declaration order.
    pub values: Vec<ErrorValue>,
}

/// One enum value that gets `error_x` / `is_x` helpers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorValue {
    /// The proto value name, which is also the Kratos error reason.
    pub reason: String,
    /// The snake-case stem of the helper names (`user_not_found`).
    pub rust_name: String,
    /// The HTTP code: the value's `(errors.code)`, else the enum's `(errors.default_code)`.
    pub code: i32,
    /// Doc lines from the proto comments.
    pub doc: Vec<String>,
}

/// Collects the error enums of `file`. Codes outside `1..=600` are errors
/// naming the file, enum and value.
pub fn error_enums(file: &FileDescriptor) -> Result<Vec<ErrorEnum>, Vec<GenerationError>> {
    let pool = file.parent_pool();
    let (Some(default_code_ext), Some(code_ext)) = (
        pool.get_extension_by_name("errors.default_code"),
        pool.get_extension_by_name("errors.code"),
    ) else {
        // errors.proto is not imported anywhere: no enum can carry codes.
        return Ok(Vec::new());
    };

    let mut enums = Vec::new();
    let mut errors = Vec::new();
    for enumeration in file.enums() {
        let location = Location::file(file.name()).enumeration(enumeration.name());
        let default_code = int_option(&enumeration.options(), &default_code_ext);
        if default_code != 0 && !VALID_CODES.contains(&default_code) {
            errors.push(GenerationError::new(
                location.clone(),
                format!(
                    "(errors.default_code) = {default_code} is not an HTTP status code in 1..=600"
                ),
            ));
            continue;
        }
        let mut values = Vec::new();
        for value in enumeration.values() {
            let own_code = int_option(&value.options(), &code_ext);
            let code = if own_code != 0 {
                own_code
            } else {
                default_code
            };
            if code == 0 {
                continue;
            }
            if !VALID_CODES.contains(&code) {
                errors.push(GenerationError::new(
                    location.clone().value(value.name()),
                    format!("(errors.code) = {code} is not an HTTP status code in 1..=600"),
                ));
                continue;
            }
            values.push(ErrorValue {
                reason: value.name().to_owned(),
                rust_name: to_snake_case(value.name()),
                code,
                doc: Comments::for_path(file.file_descriptor_proto(), value.path()).doc_lines(),
            });
        }
        if !values.is_empty() {
            enums.push(ErrorEnum {
                file: file.name().to_owned(),
                name: enumeration.name().to_owned(),
                values,
            });
        }
    }
    if errors.is_empty() {
        Ok(enums)
    } else {
        Err(errors)
    }
}

/// Values whose helpers would share a Rust name within one package
/// (`SYSTEM_ERROR` and `SystemError`, or the same name in two enums).
pub(crate) fn name_clashes(enums: &[ErrorEnum]) -> Vec<GenerationError> {
    let mut seen: BTreeMap<&str, (&ErrorEnum, &ErrorValue)> = BTreeMap::new();
    let mut errors = Vec::new();
    for enumeration in enums {
        for value in &enumeration.values {
            if let Some((first_enum, first_value)) =
                seen.insert(&value.rust_name, (enumeration, value))
            {
                errors.push(GenerationError::new(
                    Location::file(&enumeration.file)
                        .enumeration(&enumeration.name)
                        .value(&value.reason),
                    format!(
                        "error_{name} would be generated twice: {}.{} in {} has the same Rust name; \
                         rename one of the values",
                        first_enum.name,
                        first_value.reason,
                        first_enum.file,
                        name = value.rust_name,
                    ),
                ));
            }
        }
    }
    errors
}

fn int_option(options: &DynamicMessage, extension: &ExtensionDescriptor) -> i32 {
    options
        .get_extension(extension)
        .as_i32()
        .unwrap_or_default()
}
