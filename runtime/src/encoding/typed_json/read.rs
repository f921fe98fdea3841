//! Reading the members of a JSON object into a message's fields.

use std::borrow::BorrowMut;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::JsonMessage;
use super::kinds::{JsonKind, MapKey};
use crate::encoding::JsonOptions;
use crate::encoding::nesting::Level;

/// A JSON object key, borrowed from the body when it has no escapes.
#[derive(Debug)]
pub enum Key<'de> {
    /// Borrowed from the input.
    Borrowed(&'de str),
    /// Unescaped into a new string.
    Owned(String),
}

impl Key<'_> {
    /// The key's text.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Borrowed(key) => key,
            Self::Owned(key) => key,
        }
    }
}

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;

        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a field name")
            }

            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key::Borrowed(v))
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v.to_owned()))
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key::Owned(v))
            }
        }

        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Which fields (and oneofs) one JSON object has named so far.
#[derive(Debug, Default)]
struct Seen {
    first: u64,
    rest: Vec<u64>,
}

impl Seen {
    /// Marks `slot`; false when it was marked already.
    fn mark(&mut self, slot: usize) -> bool {
        let bit = 1_u64 << (slot % 64);
        let word = match slot / 64 {
            0 => &mut self.first,
            n => {
                if self.rest.len() < n {
                    self.rest.resize(n, 0);
                }
                &mut self.rest[n - 1]
            }
        };
        let fresh = *word & bit == 0;
        *word |= bit;
        fresh
    }
}

/// The members of one JSON object, read by a message's generated `merge_json_fields`.
///
/// Each field has a slot number (its index in the message), each oneof one more after them.
/// A key naming a field twice (by either of its names), or a second member of a oneof, is an
/// error here: the reflective codec then decides (last value wins, or the oneof error).
pub struct ObjectReader<'a, 'de, A> {
    map: A,
    options: &'a JsonOptions,
    seen: Seen,
    _input: PhantomData<&'de ()>,
}

impl<A> fmt::Debug for ObjectReader<'_, '_, A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ObjectReader").finish_non_exhaustive()
    }
}

impl<'a, 'de, A: MapAccess<'de>> ObjectReader<'a, 'de, A> {
    pub(super) fn new(map: A, options: &'a JsonOptions) -> Self {
        Self {
            map,
            options,
            seen: Seen::default(),
            _input: PhantomData,
        }
    }

    /// The next member's key.
    pub fn next_key(&mut self) -> Result<Option<Key<'de>>, A::Error> {
        self.map.next_key()
    }

    fn mark(&mut self, slot: usize) -> Result<(), A::Error> {
        if self.seen.mark(slot) {
            Ok(())
        } else {
            Err(de::Error::custom("field given twice"))
        }
    }

    fn value<K: JsonKind>(&mut self, kind: &K) -> Result<Option<K::Value>, A::Error> {
        self.map.next_value_seed(Nullable {
            kind,
            options: self.options,
        })
    }

    /// A field without presence: the value replaces the field's; `null` leaves it.
    pub fn implicit<K: JsonKind>(
        &mut self,
        slot: usize,
        kind: &K,
        target: &mut K::Value,
    ) -> Result<(), A::Error> {
        self.mark(slot)?;
        if let Some(value) = self.value(kind)? {
            *target = value;
        }
        Ok(())
    }

    /// A field prost keeps as an `Option` (proto3 `optional`, wrappers, well-known types).
    pub fn optional<K: JsonKind>(
        &mut self,
        slot: usize,
        kind: &K,
        target: &mut Option<K::Value>,
    ) -> Result<(), A::Error> {
        self.mark(slot)?;
        if let Some(value) = self.value(kind)? {
            *target = Some(value);
        }
        Ok(())
    }

    /// A message field (`Option<M>` or `Option<Box<M>>`): the object is merged into it.
    pub fn message<M, B>(&mut self, slot: usize, target: &mut Option<B>) -> Result<(), A::Error>
    where
        M: JsonMessage,
        B: BorrowMut<M> + Default,
    {
        self.mark(slot)?;
        self.map.next_value_seed(MergeField {
            target,
            options: self.options,
            _message: PhantomData,
        })
    }

    /// A repeated field: the array's elements are appended.
    pub fn repeated<K: JsonKind>(
        &mut self,
        slot: usize,
        kind: &K,
        target: &mut Vec<K::Value>,
    ) -> Result<(), A::Error> {
        self.mark(slot)?;
        self.map.next_value_seed(ListSeed {
            kind,
            target,
            options: self.options,
        })
    }

    /// A map field (`HashMap` or `BTreeMap`): the object's entries are inserted.
    pub fn map<KK, VK, C>(
        &mut self,
        slot: usize,
        key_kind: &KK,
        value_kind: &VK,
        target: &mut C,
    ) -> Result<(), A::Error>
    where
        KK: MapKey,
        VK: JsonKind,
        C: Extend<(KK::Value, VK::Value)>,
    {
        self.mark(slot)?;
        self.map.next_value_seed(MapSeed {
            key_kind,
            value_kind,
            target,
            options: self.options,
        })
    }

    /// A member of a oneof: its value, if not `null`, for the caller to store in the oneof.
    pub fn oneof<K: JsonKind>(
        &mut self,
        slot: usize,
        oneof_slot: usize,
        kind: &K,
    ) -> Result<Option<K::Value>, A::Error> {
        self.mark(slot)?;
        let value = self.value(kind)?;
        if value.is_some() && !self.seen.mark(oneof_slot) {
            return Err(de::Error::custom("two members of one oneof"));
        }
        Ok(value)
    }

    /// A member that names no field: skipped, unless unknown fields are denied.
    pub fn skip(&mut self) -> Result<(), A::Error> {
        if self.options.denies_unknown_fields() {
            return Err(de::Error::custom("unknown field"));
        }
        self.map.next_value::<IgnoredAny>().map(|_| ())
    }
}

/// Reads a JSON object into `target` through its generated code.
pub(super) struct MergeVisitor<'a, M> {
    pub(super) target: &'a mut M,
    pub(super) options: &'a JsonOptions,
}

impl<'de, M: JsonMessage> Visitor<'de> for MergeVisitor<'_, M> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        // Past the nesting limit the reflective codec takes over and says so.
        let _level = Level::enter().ok_or_else(too_deep)?;
        let mut object = ObjectReader::new(map, self.options);
        self.target.merge_json_fields(&mut object)
    }
}

/// The generated reader's answer past [`crate::encoding::MAX_NESTING`].
fn too_deep<E: de::Error>() -> E {
    E::custom("nested too deep")
}

/// A value of `kind`, or what `null` stands for.
struct Nullable<'a, K> {
    kind: &'a K,
    options: &'a JsonOptions,
}

impl<'de, K: JsonKind> DeserializeSeed<'de> for Nullable<'_, K> {
    type Value = Option<K::Value>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, K: JsonKind> Visitor<'de> for Nullable<'_, K> {
    type Value = Option<K::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.kind.null_value())
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(self.kind.null_value())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.kind.read(deserializer, self.options).map(Some)
    }
}

/// A value of `kind` that may not be `null` (unless `null` stands for one): list elements and
/// map values.
fn required<E: de::Error, V>(value: Option<V>) -> Result<V, E> {
    value.ok_or_else(|| E::custom("null is not a value here"))
}

struct MergeField<'a, M, B> {
    target: &'a mut Option<B>,
    options: &'a JsonOptions,
    _message: PhantomData<fn() -> M>,
}

impl<'de, M, B> DeserializeSeed<'de> for MergeField<'_, M, B>
where
    M: JsonMessage,
    B: BorrowMut<M> + Default,
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, M, B> Visitor<'de> for MergeField<'_, M, B>
where
    M: JsonMessage,
    B: BorrowMut<M> + Default,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        let target: &mut M = self.target.get_or_insert_with(B::default).borrow_mut();
        deserializer.deserialize_map(MergeVisitor {
            target,
            options: self.options,
        })
    }
}

struct ListSeed<'a, K: JsonKind> {
    kind: &'a K,
    target: &'a mut Vec<K::Value>,
    options: &'a JsonOptions,
}

impl<'de, K: JsonKind> DeserializeSeed<'de> for ListSeed<'_, K> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, K: JsonKind> Visitor<'de> for ListSeed<'_, K> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON array or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        while let Some(value) = seq.next_element_seed(Nullable {
            kind: self.kind,
            options: self.options,
        })? {
            self.target.push(required(value)?);
        }
        Ok(())
    }
}

struct MapSeed<'a, KK, VK, C> {
    key_kind: &'a KK,
    value_kind: &'a VK,
    target: &'a mut C,
    options: &'a JsonOptions,
}

impl<'de, KK, VK, C> DeserializeSeed<'de> for MapSeed<'_, KK, VK, C>
where
    KK: MapKey,
    VK: JsonKind,
    C: Extend<(KK::Value, VK::Value)>,
{
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_option(self)
    }
}

impl<'de, KK, VK, C> Visitor<'de> for MapSeed<'_, KK, VK, C>
where
    KK: MapKey,
    VK: JsonKind,
    C: Extend<(KK::Value, VK::Value)>,
{
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object or null")
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        // Each entry is a message of its own in protobuf, one level below the map's message.
        let _level = Level::enter().ok_or_else(too_deep)?;
        while let Some(key) = map.next_key::<Key<'de>>()? {
            let key = self
                .key_kind
                .parse_key(key.as_str())
                .ok_or_else(|| de::Error::custom("invalid map key"))?;
            let value = map.next_value_seed(Nullable {
                kind: self.value_kind,
                options: self.options,
            })?;
            self.target.extend([(key, required(value)?)]);
        }
        Ok(())
    }
}
