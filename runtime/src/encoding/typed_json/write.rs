//! Writing a message's fields as the members of a JSON object.

use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};

use super::kinds::{JsonKind, MapKey};
use crate::encoding::JsonOptions;

/// The members of one JSON object, written by a message's generated `write_json_fields` in
/// field-number order. Each method takes the field's JSON and proto names; which one is
/// written follows [`JsonOptions::use_proto_names`].
pub struct FieldWriter<'a, S> {
    map: &'a mut S,
    options: &'a JsonOptions,
}

impl<S> fmt::Debug for FieldWriter<'_, S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FieldWriter").finish_non_exhaustive()
    }
}

impl<'a, S: SerializeMap> FieldWriter<'a, S> {
    pub(crate) fn new(map: &'a mut S, options: &'a JsonOptions) -> Self {
        Self { map, options }
    }

    fn entry(&mut self, json: &str, proto: &str, value: &impl Serialize) -> Result<(), S::Error> {
        let name = if self.options.uses_proto_names() {
            proto
        } else {
            json
        };
        self.map.serialize_entry(name, value)
    }

    /// A field without presence: written unless it holds its default and unpopulated fields
    /// are not written.
    pub fn implicit<K: JsonKind>(
        &mut self,
        json: &str,
        proto: &str,
        kind: &K,
        value: &K::Value,
    ) -> Result<(), S::Error> {
        if !self.options.emits_unpopulated() && kind.is_default(value) {
            return Ok(());
        }
        let options = self.options;
        self.entry(
            json,
            proto,
            &One {
                kind,
                value,
                options,
            },
        )
    }

    /// A field with presence (message, `optional`, wrapper, oneof member): written when set.
    pub fn optional<K: JsonKind>(
        &mut self,
        json: &str,
        proto: &str,
        kind: &K,
        value: Option<&K::Value>,
    ) -> Result<(), S::Error> {
        let Some(value) = value else {
            return Ok(());
        };
        let options = self.options;
        self.entry(
            json,
            proto,
            &One {
                kind,
                value,
                options,
            },
        )
    }

    /// A repeated field: written when not empty, or when unpopulated fields are written.
    pub fn repeated<K: JsonKind>(
        &mut self,
        json: &str,
        proto: &str,
        kind: &K,
        values: &[K::Value],
    ) -> Result<(), S::Error> {
        if values.is_empty() && !self.options.emits_unpopulated() {
            return Ok(());
        }
        let options = self.options;
        self.entry(
            json,
            proto,
            &List {
                kind,
                values,
                options,
            },
        )
    }

    /// A map field (`HashMap` or `BTreeMap`): written when not empty, or when unpopulated
    /// fields are written.
    pub fn map<'m, KK, VK, C>(
        &mut self,
        json: &str,
        proto: &str,
        key_kind: &KK,
        value_kind: &VK,
        entries: &'m C,
    ) -> Result<(), S::Error>
    where
        KK: MapKey,
        VK: JsonKind,
        KK::Value: 'm,
        VK::Value: 'm,
        &'m C: IntoIterator<Item = (&'m KK::Value, &'m VK::Value)>,
    {
        if entries.into_iter().next().is_none() && !self.options.emits_unpopulated() {
            return Ok(());
        }
        let options = self.options;
        self.entry(
            json,
            proto,
            &Map {
                key_kind,
                value_kind,
                entries,
                options,
            },
        )
    }
}

pub(super) struct One<'a, K: JsonKind> {
    pub(super) kind: &'a K,
    pub(super) value: &'a K::Value,
    pub(super) options: &'a JsonOptions,
}

impl<K: JsonKind> Serialize for One<'_, K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.kind.write(self.value, serializer, self.options)
    }
}

pub(super) struct List<'a, K: JsonKind> {
    pub(super) kind: &'a K,
    pub(super) values: &'a [K::Value],
    pub(super) options: &'a JsonOptions,
}

impl<K: JsonKind> Serialize for List<'_, K> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.values.iter().map(|value| One {
            kind: self.kind,
            value,
            options: self.options,
        }))
    }
}

pub(super) struct Map<'a, 'm, KK, VK, C> {
    pub(super) key_kind: &'a KK,
    pub(super) value_kind: &'a VK,
    pub(super) entries: &'m C,
    pub(super) options: &'a JsonOptions,
}

struct Key<'a, KK: MapKey> {
    kind: &'a KK,
    value: &'a KK::Value,
}

impl<KK: MapKey> Serialize for Key<'_, KK> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.kind.write_key(self.value, serializer)
    }
}

impl<'m, KK, VK, C> Serialize for Map<'_, 'm, KK, VK, C>
where
    KK: MapKey,
    VK: JsonKind,
    KK::Value: 'm,
    VK::Value: 'm,
    &'m C: IntoIterator<Item = (&'m KK::Value, &'m VK::Value)>,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.entries.into_iter().map(|(key, value)| {
            (
                Key {
                    kind: self.key_kind,
                    value: key,
                },
                One {
                    kind: self.value_kind,
                    value,
                    options: self.options,
                },
            )
        }))
    }
}
