//! The checks every generated query binder makes before it assigns a value.

use super::{QueryPair, SeenFields};
use crate::encoding::codec_error;
use crate::errors::Error;

/// The shape of the field a query key names, as the generator knows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeafShape {
    /// A singular field, with its index for "given twice" detection; an empty
    /// value (`a=`) leaves it at its default when `empty_is_default` (numbers,
    /// bools and enums without presence, as Kratos does).
    Singular {
        /// Index of the field among the binder's singular leaves.
        index: usize,
        /// Whether `a=` keeps the default instead of being parsed.
        empty_is_default: bool,
    },
    /// A repeated field: every occurrence appends.
    Repeated,
    /// A map field: written `name[key]=value`.
    Map,
}

/// Checks `pair` against the leaf at proto path `path` (dotted as `name`):
/// `Ok(false)` when the pair is to be skipped (under an `exclude`d path, or an
/// empty value that keeps the default), `Ok(true)` when it is to be assigned,
/// and a 400 `CODEC` error for a singular field given twice or a map written
/// without `[key]` (or a non-map with one).
pub fn check_leaf(
    pair: &QueryPair<'_>,
    exclude: &[&[&str]],
    path: &[&str],
    name: &str,
    seen: &mut SeenFields,
    shape: LeafShape,
) -> Result<bool, Error> {
    if exclude.iter().any(|prefix| path.starts_with(prefix)) {
        return Ok(false);
    }
    match (shape, pair.map_key()) {
        (LeafShape::Map, None) => Err(codec_error(format!(
            "query parameter \"{name}\" is a map; write {name}[key]=value"
        ))),
        (LeafShape::Map, Some(_)) => Ok(true),
        (_, Some(_)) => Err(codec_error(format!(
            "query parameter \"{name}\" is not a map; write {name}=value"
        ))),
        (LeafShape::Repeated, None) => Ok(true),
        (
            LeafShape::Singular {
                index,
                empty_is_default,
            },
            None,
        ) => {
            seen.field(index, name)?;
            Ok(!(empty_is_default && pair.value().is_empty()))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transport::http::binding::QueryPairs;

    fn check(
        query: &str,
        exclude: &[&[&str]],
        shape: LeafShape,
        seen: &mut SeenFields,
    ) -> Result<bool, Error> {
        let pair = QueryPairs::new(query).next().unwrap().unwrap();
        check_leaf(&pair, exclude, &["a", "b"], "a.b", seen, shape)
    }

    const NUMBER: LeafShape = LeafShape::Singular {
        index: 3,
        empty_is_default: true,
    };
    const TEXT: LeafShape = LeafShape::Singular {
        index: 4,
        empty_is_default: false,
    };

    #[test]
    fn excluded_paths_are_skipped() {
        let mut seen = SeenFields::new();
        assert!(!check("a.b=1", &[&["a"]], NUMBER, &mut seen).unwrap());
        assert!(!check("a.b=1", &[&["a", "b"]], LeafShape::Repeated, &mut seen).unwrap());
        assert!(check("a.b=1", &[&["a", "c"]], NUMBER, &mut seen).unwrap());
    }

    #[test]
    fn singular_fields_once_and_empty_numbers_keep_the_default() {
        let mut seen = SeenFields::new();
        assert!(!check("a.b=", &[], NUMBER, &mut seen).unwrap());
        let twice = check("a.b=2", &[], NUMBER, &mut seen).unwrap_err();
        assert_eq!((twice.code(), twice.reason()), (400, "CODEC"));
        assert!(twice.message().contains("a.b"), "{}", twice.message());
        assert!(check("a.b=", &[], TEXT, &mut seen).unwrap());
        let mut seen = SeenFields::new();
        assert!(check("a.b=1", &[], LeafShape::Repeated, &mut seen).unwrap());
        assert!(check("a.b=1", &[], LeafShape::Repeated, &mut seen).unwrap());
    }

    #[test]
    fn map_keys_only_on_maps() {
        let mut seen = SeenFields::new();
        assert!(check("a.b[k]=1", &[], LeafShape::Map, &mut seen).unwrap());
        let missing = check("a.b=1", &[], LeafShape::Map, &mut seen).unwrap_err();
        assert!(
            missing.message().contains("a.b[key]=value"),
            "{}",
            missing.message()
        );
        let extra = check("a.b[k]=1", &[], NUMBER, &mut seen).unwrap_err();
        assert!(
            extra.message().contains("is not a map"),
            "{}",
            extra.message()
        );
    }
}
