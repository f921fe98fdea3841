//! Presents a body that holds one field's value as an object with that one member, so that
//! prost-reflect decodes it with the field's type (`body: "book"` sends the book, not
//! `{"book": ...}`), without copying the body into a new buffer.

use serde::de::{self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, Visitor};

/// A deserializer that yields `{ name: <value> }`.
pub(crate) struct FieldBody<'n, D> {
    pub(crate) name: &'n str,
    pub(crate) value: D,
}

impl<'de, D> Deserializer<'de> for FieldBody<'_, D>
where
    D: Deserializer<'de>,
{
    type Error = D::Error;

    fn deserialize_any<V>(self, visitor: V) -> Result<V::Value, Self::Error>
    where
        V: Visitor<'de>,
    {
        visitor.visit_map(SingleEntry {
            name: Some(self.name),
            value: Some(self.value),
        })
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf option unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier ignored_any
    }
}

struct SingleEntry<'n, D> {
    name: Option<&'n str>,
    value: Option<D>,
}

impl<'de, D> MapAccess<'de> for SingleEntry<'_, D>
where
    D: Deserializer<'de>,
{
    type Error = D::Error;

    fn next_key_seed<K>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error>
    where
        K: DeserializeSeed<'de>,
    {
        match self.name.take() {
            Some(name) => seed.deserialize(name.into_deserializer()).map(Some),
            None => Ok(None),
        }
    }

    fn next_value_seed<V>(&mut self, seed: V) -> Result<V::Value, Self::Error>
    where
        V: DeserializeSeed<'de>,
    {
        match self.value.take() {
            Some(value) => seed.deserialize(value),
            // MapAccess callers ask for one value per key; only a broken visitor gets here.
            None => Err(de::Error::custom("the body was read twice")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(usize::from(self.name.is_some()))
    }
}
