//! Catching a singular field given twice, or two members of one oneof, in one query string.

use std::collections::BTreeSet;

use super::quoted;
use crate::encoding::codec_error;
use crate::errors::Error;

/// Which singular fields and oneofs a query string has set so far.
///
/// Generated code numbers the singular query-bindable fields of a request `0..n` (a compile-time
/// constant per field) and calls [`SeenFields::field`] before storing each; for oneof members it
/// also calls [`SeenFields::oneof`]. Repeated and map fields are not tracked: giving them many
/// times is how they are written.
///
/// No allocation for the first 128 fields and the first few oneofs set.
///
/// ```
/// use kratos::transport::http::binding::SeenFields;
///
/// let mut seen = SeenFields::new();
/// seen.field(0, "name")?;
/// assert!(seen.field(0, "name").is_err()); // 400: field "name" given twice
/// seen.oneof("kind", "email")?;
/// assert!(seen.oneof("kind", "phone").is_err()); // 400: both members of oneof "kind"
/// # Ok::<(), kratos::errors::Error>(())
/// ```
#[derive(Clone, Debug, Default)]
pub struct SeenFields {
    first: u128,
    more: Vec<u64>,
    oneofs: Vec<(&'static str, &'static str)>,
    // `None` until the first: every request drops two of these, mostly empty, and even an
    // empty `BTreeSet` walks its (absent) tree when dropped.
    nested: Option<BTreeSet<String>>,
}

impl SeenFields {
    /// Nothing seen yet.
    pub const fn new() -> Self {
        Self {
            first: 0,
            more: Vec::new(),
            oneofs: Vec::new(),
            nested: None,
        }
    }

    /// Records singular field number `index` (named `name` in errors, e.g. `page.size`). A second
    /// time is a `400` with reason `CODEC`, even with the same value, as in grpc-gateway.
    pub fn field(&mut self, index: usize, name: &str) -> Result<(), Error> {
        let already = if index < 128 {
            let mask = 1_u128 << index;
            let seen = self.first & mask != 0;
            self.first |= mask;
            seen
        } else {
            let index = index - 128;
            let (word, bit) = (index / 64, index % 64);
            if self.more.len() <= word {
                self.more.resize(word + 1, 0);
            }
            let mask = 1_u64 << bit;
            let seen = self.more[word] & mask != 0;
            self.more[word] |= mask;
            seen
        };
        if already {
            return Err(codec_error(format!(
                "field {} given twice; give it once",
                quoted(name)
            )));
        }
        Ok(())
    }

    /// Records the singular field at the full proto path `name` (`child.child.id`), for fields
    /// below a recursive message type, which have no fixed index. A second time is a `400` with
    /// reason `CODEC`.
    pub fn nested_field(&mut self, name: &str) -> Result<(), Error> {
        if !self.nested.get_or_insert_default().insert(name.to_owned()) {
            return Err(codec_error(format!(
                "field {} given twice; give it once",
                quoted(name)
            )));
        }
        Ok(())
    }

    /// Records that `member` of oneof `oneof` was set (names as the client would know them, e.g.
    /// `kind` and `email`, or qualified for nested messages: `contact.kind`). Another member of
    /// the same oneof is a `400` with reason `CODEC`; the same member again is "given twice".
    pub fn oneof(&mut self, oneof: &'static str, member: &'static str) -> Result<(), Error> {
        match self.oneofs.iter().find(|(name, _)| *name == oneof) {
            None => {
                self.oneofs.push((oneof, member));
                Ok(())
            }
            Some((_, set)) if *set == member => Err(codec_error(format!(
                "field {} given twice; give it once",
                quoted(member)
            ))),
            Some((_, set)) => Err(codec_error(format!(
                "{} and {} are members of oneof {}; give one",
                quoted(set),
                quoted(member),
                quoted(oneof)
            ))),
        }
    }
}
