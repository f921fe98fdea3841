//! The checks every generated query binder makes before it assigns a value.

use std::borrow::Cow;

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

/// The longest field path a query key may name through recursive message
/// types, in dotted parts (`child.child.name` is 3). A longer key that goes
/// through a recursive type is a `400` with reason `CODEC`; keys through
/// non-recursive types are bounded by the types themselves.
pub const MAX_QUERY_DEPTH: usize = 100;

/// Checks `pair` against the leaf at proto path `path` (dotted as `dotted`) below the fields
/// `at` that the callers have walked. `Ok(None)` when the pair is to be skipped (under an
/// `exclude`d path, or an empty value that keeps the default); `Ok(Some(name))` when it is to be
/// assigned, `name` being the whole dotted path (`at` and `dotted`) for messages; a 400 `CODEC` error
/// for a singular field given twice or a map written without `[key]` (or a non-map with one).
pub fn check_leaf<'d>(
    pair: &QueryPair<'_>,
    exclude: &[&[&str]],
    at: &[&str],
    path: &[&str],
    dotted: &'d str,
    seen: &mut SeenFields,
    shape: LeafShape,
) -> Result<Option<Cow<'d, str>>, Error> {
    let full_path = || at.iter().chain(path);
    if exclude.iter().any(|prefix| {
        prefix.len() <= at.len() + path.len() && full_path().zip(*prefix).all(|(a, b)| a == b)
    }) {
        return Ok(None);
    }
    let name = field_name(at, dotted);
    match (shape, pair.map_key()) {
        (LeafShape::Map, None) => Err(codec_error(format!(
            "query parameter \"{name}\" is a map; write {name}[key]=value"
        ))),
        (LeafShape::Map, Some(_)) | (LeafShape::Repeated, None) => Ok(Some(name)),
        (_, Some(_)) => Err(codec_error(format!(
            "query parameter \"{name}\" is not a map; write {name}=value"
        ))),
        (
            LeafShape::Singular {
                index,
                empty_is_default,
            },
            None,
        ) => {
            // Below a recursive type the same field recurs at many paths:
            // those are told apart by their full name, not their index.
            if at.is_empty() {
                seen.field(index, &name)?;
            } else {
                seen.nested_field(&name)?;
            }
            // `a=` in a query leaves a number at its default; an empty path value is parsed,
            // and refused, as any other (`GET /v1/books/` is not book 0).
            let default = empty_is_default && pair.value().is_empty() && !pair.is_path_value();
            Ok((!default).then_some(name))
        }
    }
}

/// The dotted proto path of field `dotted` below the fields `at`, for
/// messages: borrowed when `at` is empty.
fn field_name<'a>(at: &[&str], dotted: &'a str) -> Cow<'a, str> {
    match at {
        [] => Cow::Borrowed(dotted),
        _ => Cow::Owned(format!("{}.{dotted}", at.join("."))),
    }
}

/// The fields walked once a key goes on from `at` through `steps` into the
/// binder of a recursive type; a `400` with reason `CODEC` when the key is
/// longer than [`MAX_QUERY_DEPTH`] parts.
pub fn descend(
    pair: &QueryPair<'_>,
    at: &[&'static str],
    steps: &[&'static str],
) -> Result<Vec<&'static str>, Error> {
    let parts = pair.path().count();
    if parts > MAX_QUERY_DEPTH {
        return Err(codec_error(format!(
            "query parameter {} names a field {parts} levels deep; the limit is {MAX_QUERY_DEPTH}",
            super::quoted(pair.name())
        )));
    }
    Ok(at.iter().chain(steps).copied().collect())
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
        check_leaf(&pair, exclude, &[], &["a", "b"], "a.b", seen, shape).map(|name| name.is_some())
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
    fn below_a_recursive_type_the_whole_path_counts() {
        let pair = QueryPairs::new("c.c.a.b=1").next().unwrap().unwrap();
        let mut seen = SeenFields::new();
        let at: &[&str] = &["c", "c"];
        assert_eq!(field_name(at, "a.b"), "c.c.a.b");
        assert_eq!(field_name(&[], "a.b"), "a.b");
        let mut check = |exclude: &[&[&str]], at: &[&str]| {
            check_leaf(&pair, exclude, at, &["a", "b"], "a.b", &mut seen, NUMBER)
        };
        // exclusions compare with the whole path
        assert_eq!(check(&[&["c", "c", "a"]], at).unwrap(), None);
        assert_eq!(
            check(&[&["a"], &["c", "a"]], at).unwrap().as_deref(),
            Some("c.c.a.b")
        );
        // the same field at another depth is another field; at the same depth it is twice
        assert_eq!(check(&[], &["c"]).unwrap().as_deref(), Some("c.a.b"));
        let twice = check(&[], at).unwrap_err();
        assert!(
            twice.message().contains("\"c.c.a.b\" given twice"),
            "{}",
            twice.message()
        );
    }

    #[test]
    fn descending_is_bounded() {
        let deep = vec!["c"; MAX_QUERY_DEPTH].join(".");
        let pair = QueryPairs::new(&deep).next().unwrap().unwrap();
        assert_eq!(
            descend(&pair, &["c"], &["c", "d"]).unwrap(),
            ["c", "c", "d"]
        );
        let deeper = format!("{deep}.x");
        let pair = QueryPairs::new(&deeper).next().unwrap().unwrap();
        let error = descend(&pair, &[], &["c"]).unwrap_err();
        assert_eq!((error.code(), error.reason()), (400, "CODEC"));
        assert!(
            error.message().contains("limit is 100"),
            "{}",
            error.message()
        );
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
