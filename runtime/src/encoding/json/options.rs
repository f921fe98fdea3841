//! JSON codec settings.

use prost_reflect::{DeserializeOptions, SerializeOptions};

/// How messages are written to and read from JSON.
///
/// The default is what Go Kratos does: lowerCamelCase field names, fields without presence
/// written even when they hold their default value, 64-bit integers as strings (the proto3 JSON
/// spec), enums by name; on input both proto and JSON names are accepted and unknown fields are
/// ignored.
///
/// ```
/// use kratos::encoding::JsonOptions;
///
/// let options = JsonOptions::default().use_proto_names(true).emit_unpopulated(false);
/// # let _ = options;
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct JsonOptions {
    use_proto_names: bool,
    emit_unpopulated: bool,
    enums_as_numbers: bool,
    deny_unknown_fields: bool,
}

impl Default for JsonOptions {
    fn default() -> Self {
        Self {
            use_proto_names: false,
            emit_unpopulated: true,
            enums_as_numbers: false,
            deny_unknown_fields: false,
        }
    }
}

impl JsonOptions {
    /// Writes proto field names (`display_name`) instead of lowerCamelCase (`displayName`).
    /// Input accepts both either way.
    pub const fn use_proto_names(mut self, yes: bool) -> Self {
        self.use_proto_names = yes;
        self
    }

    /// Writes fields without presence (proto3 scalars, repeated fields, maps) even when they hold
    /// their default value (on by default, as in Go Kratos). Unset message, `optional` and oneof
    /// fields are never written.
    pub const fn emit_unpopulated(mut self, yes: bool) -> Self {
        self.emit_unpopulated = yes;
        self
    }

    /// Writes enum values as numbers instead of names. Input accepts both either way.
    pub const fn enums_as_numbers(mut self, yes: bool) -> Self {
        self.enums_as_numbers = yes;
        self
    }

    /// Rejects JSON members that name no field (off by default: unknown fields are ignored).
    pub const fn deny_unknown_fields(mut self, yes: bool) -> Self {
        self.deny_unknown_fields = yes;
        self
    }

    /// Whether unknown fields are rejected.
    pub(crate) const fn denies_unknown_fields(&self) -> bool {
        self.deny_unknown_fields
    }

    /// Whether proto names are written (needed to find a field in serialized output).
    pub(crate) const fn uses_proto_names(&self) -> bool {
        self.use_proto_names
    }

    /// Whether fields without presence are written when they hold their default.
    pub(crate) const fn emits_unpopulated(&self) -> bool {
        self.emit_unpopulated
    }

    /// Whether enums are written as numbers.
    pub(crate) const fn writes_enum_numbers(&self) -> bool {
        self.enums_as_numbers
    }

    pub(crate) const fn serialize_options(&self) -> SerializeOptions {
        SerializeOptions::new()
            .stringify_64_bit_integers(true)
            .use_proto_field_name(self.use_proto_names)
            .skip_default_fields(!self.emit_unpopulated)
            .use_enum_numbers(self.enums_as_numbers)
    }

    /// Decoding is always strict about unknown names: ignoring unknown fields is done by
    /// `unknown::strip_unknown_fields`, because prost-reflect's lenient mode would also drop
    /// unknown *enum names* without a word.
    pub(crate) const fn strict_deserialize_options() -> DeserializeOptions {
        DeserializeOptions::new().deny_unknown_fields(true)
    }
}
