//! The JSON shape of each kind of protobuf value.

use std::fmt;
use std::marker::PhantomData;
use std::str::FromStr;

use base64::Engine as _;
use base64::display::Base64Display;
use base64::prelude::BASE64_STANDARD;
use prost_reflect::{DynamicMessage, ReflectMessage};
use serde::de::{self, Deserializer, Visitor};
use serde::ser::{self, SerializeMap as _, Serializer};

use super::JsonMessage;
use super::read::MergeVisitor;
use super::write::FieldWriter;
use crate::encoding::JsonOptions;
use crate::encoding::nesting::{Level, levels, to_dynamic};

/// How values of one protobuf kind are written to and read from JSON.
///
/// `read` sees a non-null value; what `null` means is [`JsonKind::null_value`]'s answer.
pub trait JsonKind {
    /// The Rust type prost uses for the kind.
    type Value;

    /// Whether `value` is the kind's default (fields without presence skip it unless
    /// unpopulated fields are written).
    fn is_default(&self, value: &Self::Value) -> bool;

    /// Writes `value`.
    fn write<S: Serializer>(
        &self,
        value: &Self::Value,
        serializer: S,
        options: &JsonOptions,
    ) -> Result<S::Ok, S::Error>;

    /// Reads a non-null value.
    fn read<'de, D: Deserializer<'de>>(
        &self,
        deserializer: D,
        options: &JsonOptions,
    ) -> Result<Self::Value, D::Error>;

    /// What a JSON `null` stands for: nothing (the field keeps its value) for every kind but
    /// `google.protobuf.Value` and `NullValue`.
    fn null_value(&self) -> Option<Self::Value> {
        None
    }
}

/// How map keys of one kind are written (always as JSON strings) and parsed.
pub trait MapKey {
    /// The Rust type prost uses for the key.
    type Value;

    /// Writes `value` as an object key.
    fn write_key<S: Serializer>(
        &self,
        value: &Self::Value,
        serializer: S,
    ) -> Result<S::Ok, S::Error>;

    /// Parses an object key; `None` when it is not a valid key of this kind.
    fn parse_key(&self, key: &str) -> Option<Self::Value>;
}

/// Integers read from JSON numbers or decimal strings; 64-bit ones are written as strings.
macro_rules! integer_kind {
    ($(#[$doc:meta])* $name:ident, $ty:ty, $expecting:literal, |$v:ident, $s:ident| $write:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, Default)]
        pub struct $name;

        impl JsonKind for $name {
            type Value = $ty;

            fn is_default(&self, value: &$ty) -> bool {
                *value == 0
            }

            fn write<S: Serializer>(
                &self,
                $v: &$ty,
                $s: S,
                _options: &JsonOptions,
            ) -> Result<S::Ok, S::Error> {
                $write
            }

            fn read<'de, D: Deserializer<'de>>(
                &self,
                deserializer: D,
                _options: &JsonOptions,
            ) -> Result<$ty, D::Error> {
                struct IntegerVisitor;

                impl Visitor<'_> for IntegerVisitor {
                    type Value = $ty;

                    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                        f.write_str($expecting)
                    }

                    fn visit_i64<E: de::Error>(self, v: i64) -> Result<$ty, E> {
                        <$ty>::try_from(v).map_err(E::custom)
                    }

                    fn visit_u64<E: de::Error>(self, v: u64) -> Result<$ty, E> {
                        <$ty>::try_from(v).map_err(E::custom)
                    }

                    fn visit_str<E: de::Error>(self, v: &str) -> Result<$ty, E> {
                        v.parse().map_err(E::custom)
                    }
                }

                deserializer.deserialize_any(IntegerVisitor)
            }
        }

        impl MapKey for $name {
            type Value = $ty;

            fn write_key<S: Serializer>(&self, value: &$ty, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(value)
            }

            fn parse_key(&self, key: &str) -> Option<$ty> {
                <$ty>::from_str(key).ok()
            }
        }
    };
}

integer_kind!(
    /// `int32`, `sint32`, `sfixed32`: a JSON number.
    Int32, i32, "a 32-bit signed integer", |value, serializer| serializer.serialize_i32(*value)
);
integer_kind!(
    /// `uint32`, `fixed32`: a JSON number.
    UInt32, u32, "a 32-bit unsigned integer", |value, serializer| serializer.serialize_u32(*value)
);
integer_kind!(
    /// `int64`, `sint64`, `sfixed64`: a decimal string (numbers are read too).
    Int64, i64, "a 64-bit signed integer", |value, serializer| serializer.collect_str(value)
);
integer_kind!(
    /// `uint64`, `fixed64`: a decimal string (numbers are read too).
    UInt64, u64, "a 64-bit unsigned integer", |value, serializer| serializer.collect_str(value)
);

/// Writes a non-finite float as the strings the spec uses.
fn write_float<S: Serializer>(value: f64, serializer: S) -> Result<S::Ok, S::Error> {
    if value == f64::INFINITY {
        serializer.serialize_str("Infinity")
    } else if value == f64::NEG_INFINITY {
        serializer.serialize_str("-Infinity")
    } else {
        serializer.serialize_str("NaN")
    }
}

/// A float written as a string: a decimal (Rust's float syntax, as prost-reflect reads it) or
/// one of the spec's names for the non-finite values.
fn parse_float<F: FromStr + From<f32>, E: de::Error>(text: &str) -> Result<F, E>
where
    F::Err: fmt::Display,
{
    match text.parse() {
        Ok(value) => Ok(value),
        Err(_) if text == "Infinity" => Ok(F::from(f32::INFINITY)),
        Err(_) if text == "-Infinity" => Ok(F::from(f32::NEG_INFINITY)),
        Err(_) if text == "NaN" => Ok(F::from(f32::NAN)),
        Err(error) => Err(E::custom(error)),
    }
}

/// `double`: a JSON number, `"NaN"`, `"Infinity"` or `"-Infinity"` when not finite.
#[derive(Debug, Clone, Copy, Default)]
pub struct Double;

impl JsonKind for Double {
    type Value = f64;

    // -0.0 is not the default: Go writes it (its sign is a value).
    fn is_default(&self, value: &f64) -> bool {
        value.to_bits() == 0
    }

    fn write<S: Serializer>(
        &self,
        value: &f64,
        serializer: S,
        _options: &JsonOptions,
    ) -> Result<S::Ok, S::Error> {
        if value.is_finite() {
            serializer.serialize_f64(*value)
        } else {
            write_float(*value, serializer)
        }
    }

    fn read<'de, D: Deserializer<'de>>(
        &self,
        deserializer: D,
        _options: &JsonOptions,
    ) -> Result<f64, D::Error> {
        struct DoubleVisitor;

        impl Visitor<'_> for DoubleVisitor {
            type Value = f64;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }

            fn visit_f64<E: de::Error>(self, v: f64) -> Result<f64, E> {
                Ok(v)
            }

            #[allow(clippy::cast_precision_loss)]
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<f64, E> {
                Ok(v as f64)
            }

            #[allow(clippy::cast_precision_loss)]
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<f64, E> {
                Ok(v as f64)
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<f64, E> {
                parse_float(v)
            }
        }

        deserializer.deserialize_any(DoubleVisitor)
    }
}

/// `float`: as [`Double`], range-checked.
#[derive(Debug, Clone, Copy, Default)]
pub struct Float;

impl JsonKind for Float {
    type Value = f32;

    fn is_default(&self, value: &f32) -> bool {
        value.to_bits() == 0
    }

    fn write<S: Serializer>(
        &self,
        value: &f32,
        serializer: S,
        _options: &JsonOptions,
    ) -> Result<S::Ok, S::Error> {
        if value.is_finite() {
            serializer.serialize_f32(*value)
        } else {
            write_float(f64::from(*value), serializer)
        }
    }

    fn read<'de, D: Deserializer<'de>>(
        &self,
        deserializer: D,
        _options: &JsonOptions,
    ) -> Result<f32, D::Error> {
        struct FloatVisitor;

        impl Visitor<'_> for FloatVisitor {
            type Value = f32;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a number")
            }

            // A number that rounds to a finite `f32` is taken. (prost-reflect 0.16 compares
            // against `f32::MAX` before rounding, so it cannot read back the
            // `3.4028235e38` it writes for `f32::MAX`; here that reads as `f32::MAX`.)
            #[allow(clippy::cast_possible_truncation)]
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<f32, E> {
                let narrowed = v as f32;
                if narrowed.is_finite() {
                    Ok(narrowed)
                } else {
                    Err(E::custom("float value out of range"))
                }
            }

            #[allow(clippy::cast_precision_loss)]
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<f32, E> {
                Ok(v as f32)
            }

            #[allow(clippy::cast_precision_loss)]
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<f32, E> {
                Ok(v as f32)
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<f32, E> {
                parse_float(v)
            }
        }

        deserializer.deserialize_any(FloatVisitor)
    }
}

/// `bool`: `true` or `false`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Bool;

impl JsonKind for Bool {
    type Value = bool;

    fn is_default(&self, value: &bool) -> bool {
        !*value
    }

    fn write<S: Serializer>(
        &self,
        value: &bool,
        serializer: S,
        _options: &JsonOptions,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_bool(*value)
    }

    fn read<'de, D: Deserializer<'de>>(
        &self,
        deserializer: D,
        _options: &JsonOptions,
    ) -> Result<bool, D::Error> {
        struct BoolVisitor;

        impl Visitor<'_> for BoolVisitor {
            type Value = bool;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a boolean")
            }

            fn visit_bool<E: de::Error>(self, v: bool) -> Result<bool, E> {
                Ok(v)
            }
        }

        deserializer.deserialize_any(BoolVisitor)
    }
}

impl MapKey for Bool {
    type Value = bool;

    fn write_key<S: Serializer>(&self, value: &bool, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    fn parse_key(&self, key: &str) -> Option<bool> {
        bool::from_str(key).ok()
    }
}

/// `string`: a JSON string.
#[derive(Debug, Clone, Copy, Default)]
pub struct Str;

impl JsonKind for Str {
    type Value = String;

    fn is_default(&self, value: &String) -> bool {
        value.is_empty()
    }

    fn write<S: Serializer>(
        &self,
        value: &String,
        serializer: S,
        _options: &JsonOptions,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(value)
    }

    fn read<'de, D: Deserializer<'de>>(
        &self,
        deserializer: D,
        _options: &JsonOptions,
    ) -> Result<String, D::Error> {
        struct StringVisitor;

        impl Visitor<'_> for StringVisitor {
            type Value = String;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a string")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<String, E> {
                Ok(v.to_owned())
            }

            fn visit_string<E: de::Error>(self, v: String) -> Result<String, E> {
                Ok(v)
            }
        }

        deserializer.deserialize_string(StringVisitor)
    }
}

impl MapKey for Str {
    type Value = String;

    fn write_key<S: Serializer>(&self, value: &String, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(value)
    }

    fn parse_key(&self, key: &str) -> Option<String> {
        Some(key.to_owned())
    }
}

/// `bytes`: standard base64 with padding out; standard or URL-safe, padded or not, in.
///
/// `B` is the Rust type prost was configured to use (`Vec<u8>` or `bytes::Bytes`).
pub struct Bytes<B>(PhantomData<fn() -> B>);

impl<B> Bytes<B> {
    /// The kind.
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

impl<B> Default for Bytes<B> {
    fn default() -> Self {
        Self::new()
    }
}

impl<B> fmt::Debug for Bytes<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Bytes")
    }
}

impl<B: AsRef<[u8]> + From<Vec<u8>>> JsonKind for Bytes<B> {
    type Value = B;

    fn is_default(&self, value: &B) -> bool {
        value.as_ref().is_empty()
    }

    fn write<S: Serializer>(
        &self,
        value: &B,
        serializer: S,
        _options: &JsonOptions,
    ) -> Result<S::Ok, S::Error> {
        serializer.collect_str(&Base64Display::new(value.as_ref(), &BASE64_STANDARD))
    }

    fn read<'de, D: Deserializer<'de>>(
        &self,
        deserializer: D,
        _options: &JsonOptions,
    ) -> Result<B, D::Error> {
        struct BytesVisitor<B>(PhantomData<fn() -> B>);

        impl<B: From<Vec<u8>>> Visitor<'_> for BytesVisitor<B> {
            type Value = B;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a base64 string")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<B, E> {
                decode_base64(v).map(B::from).map_err(E::custom)
            }
        }

        deserializer.deserialize_str(BytesVisitor(PhantomData))
    }
}

/// Standard base64, or URL-safe when the text uses `-` or `_`; padding optional.
fn decode_base64(text: &str) -> Result<Vec<u8>, base64::DecodeError> {
    use base64::alphabet;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};

    const CONFIG: GeneralPurposeConfig = GeneralPurposeConfig::new()
        .with_decode_allow_trailing_bits(true)
        .with_decode_padding_mode(DecodePaddingMode::Indifferent);
    const STANDARD: GeneralPurpose = GeneralPurpose::new(&alphabet::STANDARD, CONFIG);
    const URL_SAFE: GeneralPurpose = GeneralPurpose::new(&alphabet::URL_SAFE, CONFIG);

    match STANDARD.decode(text) {
        Err(base64::DecodeError::InvalidByte(_, b'-' | b'_')) => URL_SAFE.decode(text),
        decoded => decoded,
    }
}

/// An enum field (prost's `i32`): the value's name, or its number when unknown or when
/// [`JsonOptions::enums_as_numbers`] is on; names and numbers are both read.
#[derive(Clone, Copy)]
pub struct Enum {
    from_name: fn(&str) -> Option<i32>,
    name_of: fn(i32) -> Option<&'static str>,
}

impl Enum {
    /// The kind of one enum type, from its prost lookups (generated code passes
    /// `|name| E::from_str_name(name).map(|e| e as i32)` and
    /// `|number| E::try_from(number).ok().map(|e| e.as_str_name())`).
    pub const fn new(
        from_name: fn(&str) -> Option<i32>,
        name_of: fn(i32) -> Option<&'static str>,
    ) -> Self {
        Self { from_name, name_of }
    }
}

impl fmt::Debug for Enum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Enum")
    }
}

impl JsonKind for Enum {
    type Value = i32;

    fn is_default(&self, value: &i32) -> bool {
        *value == 0
    }

    fn write<S: Serializer>(
        &self,
        value: &i32,
        serializer: S,
        options: &JsonOptions,
    ) -> Result<S::Ok, S::Error> {
        match (self.name_of)(*value) {
            Some(name) if !options.writes_enum_numbers() => serializer.serialize_str(name),
            _ => serializer.serialize_i32(*value),
        }
    }

    fn read<'de, D: Deserializer<'de>>(
        &self,
        deserializer: D,
        _options: &JsonOptions,
    ) -> Result<i32, D::Error> {
        struct EnumVisitor(fn(&str) -> Option<i32>);

        impl Visitor<'_> for EnumVisitor {
            type Value = i32;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an enum name or number")
            }

            fn visit_str<E: de::Error>(self, v: &str) -> Result<i32, E> {
                (self.0)(v).ok_or_else(|| E::custom("unknown enum value name"))
            }

            fn visit_i64<E: de::Error>(self, v: i64) -> Result<i32, E> {
                i32::try_from(v).map_err(E::custom)
            }

            fn visit_u64<E: de::Error>(self, v: u64) -> Result<i32, E> {
                i32::try_from(v).map_err(E::custom)
            }
        }

        deserializer.deserialize_any(EnumVisitor(self.from_name))
    }
}

/// A `google.protobuf.NullValue` field: always `null`.
#[derive(Debug, Clone, Copy, Default)]
pub struct NullValue;

impl JsonKind for NullValue {
    type Value = i32;

    fn is_default(&self, value: &i32) -> bool {
        *value == 0
    }

    fn write<S: Serializer>(
        &self,
        _value: &i32,
        serializer: S,
        _options: &JsonOptions,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_none()
    }

    fn read<'de, D: Deserializer<'de>>(
        &self,
        _deserializer: D,
        _options: &JsonOptions,
    ) -> Result<i32, D::Error> {
        // Only `null` is a NullValue; anything else goes to the reflective codec.
        Err(de::Error::custom("expected null"))
    }

    fn null_value(&self) -> Option<i32> {
        Some(0)
    }
}

/// A message with a generated codec: a JSON object.
pub struct Message<M>(PhantomData<fn() -> M>);

impl<M> Message<M> {
    /// The kind.
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

impl<M> Default for Message<M> {
    fn default() -> Self {
        Self::new()
    }
}

impl<M> fmt::Debug for Message<M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Message")
    }
}

impl<M: JsonMessage> JsonKind for Message<M> {
    type Value = M;

    /// Messages have presence: a set one is always written.
    fn is_default(&self, _value: &M) -> bool {
        false
    }

    fn write<S: Serializer>(
        &self,
        value: &M,
        serializer: S,
        options: &JsonOptions,
    ) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        value.write_json_fields(&mut FieldWriter::new(&mut map, options))?;
        map.end()
    }

    fn read<'de, D: Deserializer<'de>>(
        &self,
        deserializer: D,
        options: &JsonOptions,
    ) -> Result<M, D::Error> {
        let mut message = M::default();
        deserializer.deserialize_map(MergeVisitor {
            target: &mut message,
            options,
        })?;
        Ok(message)
    }
}

/// A well-known type (Timestamp, Duration, FieldMask, Struct, Value, ListValue, Empty, the
/// wrappers), written and read by prost-reflect so its spec form is the reflective codec's.
///
/// `T` is the Rust type prost maps it to (`prost_types::Timestamp`, `i64` for `Int64Value`,
/// `()` for `Empty`, ...).
pub struct WellKnown<T>(PhantomData<fn() -> T>);

impl<T> WellKnown<T> {
    /// The kind.
    pub const fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T> Default for WellKnown<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> fmt::Debug for WellKnown<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("WellKnown")
    }
}

impl<T: ReflectMessage + Default> JsonKind for WellKnown<T> {
    type Value = T;

    /// Well-known types are messages: a set one is always written.
    fn is_default(&self, _value: &T) -> bool {
        false
    }

    fn write<S: Serializer>(
        &self,
        value: &T,
        serializer: S,
        options: &JsonOptions,
    ) -> Result<S::Ok, S::Error> {
        // A value too deep to transcode fails here; the reflective encoder then reports it.
        to_dynamic(value)
            .map_err(|error| ser::Error::custom(error.message()))?
            .serialize_with_options(serializer, &options.serialize_options())
    }

    fn read<'de, D: Deserializer<'de>>(
        &self,
        deserializer: D,
        _options: &JsonOptions,
    ) -> Result<T, D::Error> {
        let dynamic = DynamicMessage::deserialize_with_options(
            T::default().descriptor(),
            deserializer,
            &JsonOptions::strict_deserialize_options(),
        )?;
        // The value must fit below the message it is read into, not just below itself.
        let left = Level::remaining();
        if levels(&dynamic, left) > left {
            return Err(de::Error::custom("nested too deep"));
        }
        dynamic.transcode_to().map_err(de::Error::custom)
    }

    fn null_value(&self) -> Option<T> {
        let descriptor = T::default().descriptor();
        if descriptor.full_name() != "google.protobuf.Value" {
            return None;
        }
        let null = prost_types::Value {
            kind: Some(prost_types::value::Kind::NullValue(0)),
        };
        DynamicMessage::decode(descriptor, prost::Message::encode_to_vec(&null).as_slice())
            .ok()?
            .transcode_to()
            .ok()
    }
}
