//! Writing one field's value on its own (`response_body: "field"`).

use std::fmt;

use serde::ser::{Error as _, Serialize};

use super::JsonMessage;
use super::kinds::{JsonKind, MapKey, Message};
use super::write::{List, Map, One};
use crate::encoding::JsonOptions;
use crate::encoding::json::ProtoJsonFormatter;

/// Writes the value of the one field a `response_body` names, as the reflective codec's
/// `encode_json_field` does: unpopulated values are written too, an unset message field as its
/// default message, and any other unset field (`optional`, oneof member, well-known type) as
/// `null`.
pub struct ValueWriter<'a> {
    out: &'a mut Vec<u8>,
    options: &'a JsonOptions,
}

impl fmt::Debug for ValueWriter<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ValueWriter").finish_non_exhaustive()
    }
}

impl<'a> ValueWriter<'a> {
    pub(super) fn new(out: &'a mut Vec<u8>, options: &'a JsonOptions) -> Self {
        Self { out, options }
    }

    fn write(self, value: &impl Serialize) -> Result<(), serde_json::Error> {
        value.serialize(&mut serde_json::Serializer::with_formatter(
            self.out,
            ProtoJsonFormatter,
        ))
    }

    /// A field without presence.
    pub fn implicit<K: JsonKind>(
        self,
        kind: &K,
        value: &K::Value,
    ) -> Result<(), serde_json::Error> {
        let options = self.options;
        self.write(&One {
            kind,
            value,
            options,
        })
    }

    /// A field with presence that is not a message (`optional`, wrapper, well-known type,
    /// oneof member): `null` when unset.
    pub fn optional<K: JsonKind>(
        self,
        kind: &K,
        value: Option<&K::Value>,
    ) -> Result<(), serde_json::Error> {
        match value {
            Some(value) => self.implicit(kind, value),
            None => self.write(&()),
        }
    }

    /// A message field (or a oneof member holding a message): its default message when unset.
    pub fn message<M: JsonMessage>(self, value: Option<&M>) -> Result<(), serde_json::Error> {
        match value {
            Some(value) => self.implicit(&Message::<M>::new(), value),
            None => self.implicit(&Message::<M>::new(), &M::default()),
        }
    }

    /// A repeated field.
    pub fn repeated<K: JsonKind>(
        self,
        kind: &K,
        values: &[K::Value],
    ) -> Result<(), serde_json::Error> {
        let options = self.options;
        self.write(&List {
            kind,
            values,
            options,
        })
    }

    /// A map field.
    pub fn map<'m, KK, VK, C>(
        self,
        key_kind: &KK,
        value_kind: &VK,
        entries: &'m C,
    ) -> Result<(), serde_json::Error>
    where
        KK: MapKey,
        VK: JsonKind,
        KK::Value: 'm,
        VK::Value: 'm,
        &'m C: IntoIterator<Item = (&'m KK::Value, &'m VK::Value)>,
    {
        let options = self.options;
        self.write(&Map {
            key_kind,
            value_kind,
            entries,
            options,
        })
    }

    /// A field this writer was not generated for: the caller falls back to the reflective codec.
    pub fn unknown(self) -> Result<(), serde_json::Error> {
        Err(serde_json::Error::custom(
            "no generated writer for this field",
        ))
    }
}
