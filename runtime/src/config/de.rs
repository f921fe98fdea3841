//! Reads configuration values into serde types, forgiving the way configuration is written:
//! numbers and booleans given as strings (environment variables are all strings) and Go
//! durations (`1s`, `500ms`) for `std::time::Duration`.

use std::fmt;

use serde::de::value::{MapDeserializer, StrDeserializer};
use serde::de::{
    self, DeserializeSeed, EnumAccess, IntoDeserializer, MapAccess, SeqAccess, Unexpected,
    VariantAccess, Visitor,
};
use serde::forward_to_deserialize_any;
use serde_json::Value;

use super::duration::parse_duration;

#[derive(Debug)]
pub(crate) struct DeError(pub(crate) String);

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        Self(message.to_string())
    }
}

/// A deserializer over one configuration value.
pub(crate) struct ValueDeserializer<'a>(pub(crate) &'a Value);

macro_rules! from_number_or_string {
    ($($method:ident => $visit:ident($ty:ty)),* $(,)?) => {$(
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
            match self.0 {
                Value::String(text) => match text.trim().parse::<$ty>() {
                    Ok(number) => visitor.$visit(number),
                    Err(_) => Err(de::Error::invalid_type(Unexpected::Str(text), &visitor)),
                },
                _ => self.deserialize_any(visitor),
            }
        }
    )*};
}

impl<'de> de::Deserializer<'de> for ValueDeserializer<'_> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Null => visitor.visit_unit(),
            Value::Bool(value) => visitor.visit_bool(*value),
            Value::Number(number) => {
                if let Some(value) = number.as_u64() {
                    visitor.visit_u64(value)
                } else if let Some(value) = number.as_i64() {
                    visitor.visit_i64(value)
                } else {
                    visitor.visit_f64(number.as_f64().unwrap_or(f64::NAN))
                }
            }
            Value::String(text) => visitor.visit_str(text),
            Value::Array(items) => {
                let mut seq = Seq(items.iter());
                let value = visitor.visit_seq(&mut seq)?;
                match seq.0.len() {
                    0 => Ok(value),
                    _ => Err(de::Error::invalid_length(items.len(), &"fewer elements")),
                }
            }
            Value::Object(map) => visitor.visit_map(Map {
                entries: map.iter(),
                value: None,
            }),
        }
    }

    from_number_or_string! {
        deserialize_i8 => visit_i8(i8),
        deserialize_i16 => visit_i16(i16),
        deserialize_i32 => visit_i32(i32),
        deserialize_i64 => visit_i64(i64),
        deserialize_i128 => visit_i128(i128),
        deserialize_u8 => visit_u8(u8),
        deserialize_u16 => visit_u16(u16),
        deserialize_u32 => visit_u32(u32),
        deserialize_u64 => visit_u64(u64),
        deserialize_u128 => visit_u128(u128),
        deserialize_f32 => visit_f32(f32),
        deserialize_f64 => visit_f64(f64),
        deserialize_bool => visit_bool(bool),
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Number(number) => visitor.visit_string(number.to_string()),
            Value::Bool(value) => visitor.visit_string(value.to_string()),
            _ => self.deserialize_any(visitor),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        self.deserialize_str(visitor)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        match self.0 {
            Value::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        // `std::time::Duration` asks for the struct `Duration { secs, nanos }`.
        if let (Value::String(text), "Duration", ["secs", "nanos"]) = (self.0, name, fields) {
            let duration = parse_duration(text).map_err(DeError)?;
            let parts = [
                ("secs", duration.as_secs()),
                ("nanos", u64::from(duration.subsec_nanos())),
            ];
            return visitor.visit_map(MapDeserializer::new(parts.into_iter()));
        }
        self.deserialize_any(visitor)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match self.0 {
            Value::String(variant) => visitor.visit_enum(
                IntoDeserializer::<DeError>::into_deserializer(variant.as_str()),
            ),
            Value::Object(map) if map.len() == 1 => {
                let (variant, value) = map.iter().next().ok_or_else(|| DeError(String::new()))?;
                visitor.visit_enum(Variant { variant, value })
            }
            other => Err(de::Error::invalid_type(
                unexpected(other),
                &"an enum variant",
            )),
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        visitor.visit_unit()
    }

    forward_to_deserialize_any! {
        char bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier
    }
}

fn unexpected(value: &Value) -> Unexpected<'_> {
    match value {
        Value::Null => Unexpected::Unit,
        Value::Bool(value) => Unexpected::Bool(*value),
        Value::Number(_) => Unexpected::Other("number"),
        Value::String(text) => Unexpected::Str(text),
        Value::Array(_) => Unexpected::Seq,
        Value::Object(_) => Unexpected::Map,
    }
}

struct Seq<'a>(std::slice::Iter<'a, Value>);

impl<'de> SeqAccess<'de> for Seq<'_> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        self.0
            .next()
            .map(|value| seed.deserialize(ValueDeserializer(value)))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

struct Map<'a> {
    entries: serde_json::map::Iter<'a>,
    value: Option<&'a Value>,
}

impl<'de> MapAccess<'de> for Map<'_> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        let Some((key, value)) = self.entries.next() else {
            return Ok(None);
        };
        self.value = Some(value);
        let key: StrDeserializer<'_, DeError> = key.as_str().into_deserializer();
        seed.deserialize(key).map(Some)
    }

    fn next_value_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<T::Value, DeError> {
        let value = self
            .value
            .take()
            .ok_or_else(|| DeError("a map value was asked for before its key".to_owned()))?;
        seed.deserialize(ValueDeserializer(value))
    }
}

struct Variant<'a> {
    variant: &'a str,
    value: &'a Value,
}

impl<'de, 'a> EnumAccess<'de> for Variant<'a> {
    type Error = DeError;
    type Variant = ValueDeserializer<'a>;

    fn variant_seed<T: DeserializeSeed<'de>>(
        self,
        seed: T,
    ) -> Result<(T::Value, Self::Variant), DeError> {
        let name: StrDeserializer<'_, DeError> = self.variant.into_deserializer();
        Ok((seed.deserialize(name)?, ValueDeserializer(self.value)))
    }
}

impl<'de> VariantAccess<'de> for ValueDeserializer<'_> {
    type Error = DeError;

    fn unit_variant(self) -> Result<(), DeError> {
        match self.0 {
            Value::Null => Ok(()),
            other => Err(de::Error::invalid_type(
                unexpected(other),
                &"a unit variant",
            )),
        }
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value, DeError> {
        seed.deserialize(self)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_seq(self, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        de::Deserializer::deserialize_map(self, visitor)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::time::Duration;

    use serde::Deserialize;
    use serde_json::json;

    use super::*;

    #[allow(clippy::needless_pass_by_value)] // Tests read better with `json!` inline.
    fn read<T: for<'de> Deserialize<'de>>(value: Value) -> Result<T, DeError> {
        T::deserialize(ValueDeserializer(&value))
    }

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(rename_all = "lowercase")]
    enum Mode {
        Fast,
        Slow(u32),
    }

    #[derive(Debug, Deserialize, PartialEq)]
    struct Server {
        port: u16,
        debug: bool,
        ratio: f64,
        name: String,
        timeout: Duration,
        idle: Option<Duration>,
        tags: Vec<String>,
        modes: Vec<Mode>,
        extra: BTreeMap<String, i64>,
    }

    #[test]
    fn strings_stand_for_numbers_bools_and_durations() {
        let server: Server = read(json!({
            "port": "8080", "debug": "true", "ratio": "0.5", "name": 7,
            "timeout": "1m30s", "idle": null, "tags": ["a"],
            "modes": ["fast", {"slow": "3"}], "extra": {"x": "-2"}, "unknown": 1,
        }))
        .unwrap();
        assert_eq!(
            server,
            Server {
                port: 8080,
                debug: true,
                ratio: 0.5,
                name: "7".to_owned(),
                timeout: Duration::from_secs(90),
                idle: None,
                tags: vec!["a".to_owned()],
                modes: vec![Mode::Fast, Mode::Slow(3)],
                extra: BTreeMap::from([("x".to_owned(), -2)]),
            }
        );
    }

    #[test]
    fn mistakes_say_what_was_expected() {
        let error = read::<u16>(json!("eighty")).unwrap_err();
        assert_eq!(error.0, "invalid type: string \"eighty\", expected u16");
        let error = read::<u8>(json!(300)).unwrap_err();
        assert!(error.0.contains("expected u8"), "{}", error.0);
        let error = read::<Duration>(json!("5 minutes")).unwrap_err();
        assert!(error.0.contains("like 1s, 500ms or 1m30s"), "{}", error.0);
        let error = read::<Vec<u8>>(json!({"a": 1})).unwrap_err();
        assert!(error.0.contains("expected a sequence"), "{}", error.0);
        let error = read::<(u8,)>(json!([1, 2])).unwrap_err();
        assert!(error.0.contains("invalid length"), "{}", error.0);
    }
}
