//! `{}` as an empty `google.protobuf.Any`, as protojson reads it.
//!
//! protojson reads an empty object where an `Any` goes as an `Any` with no type and no value;
//! prost-reflect 0.16 insists on `@type`. When a strict decode fails that way, each `{}` in an
//! `Any` position of the tree is replaced with a stand-in that names a type the pool surely has
//! (the message being decoded, packed empty), and once decoded, each stand-in is emptied.

use prost_reflect::{
    DynamicMessage, FieldDescriptor, Kind, MapKey, MessageDescriptor, ReflectMessage, Value,
};
use serde_json::{Map, Value as Json};

use super::unknown::find_field;

/// One step from a message to an `Any` inside it.
#[derive(Debug, Clone)]
enum Step {
    Field(FieldDescriptor),
    Index(usize),
    Key(MapKey),
}

/// Where the stand-ins went: paths from the decoded message.
#[derive(Debug, Default)]
pub(super) struct EmptyAnys(Vec<Vec<Step>>);

impl EmptyAnys {
    /// Replaces every `{}` in an `Any` position of `value` (a `root` object) with a stand-in.
    pub(super) fn mark(root: &MessageDescriptor, value: &mut Json) -> Self {
        let mut found = Self::default();
        if root.full_name().starts_with("google.protobuf.") {
            return found;
        }
        let stand_in = Json::Object(Map::from_iter([(
            "@type".to_owned(),
            Json::String(format!("type.googleapis.com/{}", root.full_name())),
        )]));
        found.walk(root, value, &mut Vec::new(), &stand_in);
        found
    }

    fn walk(
        &mut self,
        message: &MessageDescriptor,
        value: &mut Json,
        path: &mut Vec<Step>,
        stand_in: &Json,
    ) {
        let Json::Object(object) = value else {
            return;
        };
        for (key, member) in object.iter_mut() {
            let Some(field) = find_field(message, key) else {
                continue;
            };
            let Kind::Message(target) = field.kind() else {
                continue;
            };
            path.push(Step::Field(field.clone()));
            if field.is_map() {
                let value_field = target.map_entry_value_field();
                let key_field = target.map_entry_key_field();
                if let (Kind::Message(value_type), Json::Object(entries)) =
                    (value_field.kind(), member)
                {
                    for (key, entry) in entries.iter_mut() {
                        let Some(key) = map_key(&key_field, key) else {
                            continue;
                        };
                        path.push(Step::Key(key));
                        self.element(&value_type, entry, path, stand_in);
                        path.pop();
                    }
                }
            } else if field.is_list() {
                if let Json::Array(elements) = member {
                    for (index, element) in elements.iter_mut().enumerate() {
                        path.push(Step::Index(index));
                        self.element(&target, element, path, stand_in);
                        path.pop();
                    }
                }
            } else {
                self.element(&target, member, path, stand_in);
            }
            path.pop();
        }
    }

    fn element(
        &mut self,
        message: &MessageDescriptor,
        value: &mut Json,
        path: &mut Vec<Step>,
        stand_in: &Json,
    ) {
        match message.full_name() {
            "google.protobuf.Any" => {
                if value.as_object().is_some_and(Map::is_empty) {
                    *value = stand_in.clone();
                    self.0.push(path.clone());
                }
            }
            name if name.starts_with("google.protobuf.") => {}
            _ => self.walk(message, value, path, stand_in),
        }
    }

    /// Empties every stand-in in `decoded`.
    pub(super) fn restore(self, decoded: &mut DynamicMessage) {
        for path in self.0 {
            if let Some(Value::Message(any)) = slot(decoded, &path) {
                *any = DynamicMessage::new(any.descriptor());
            }
        }
    }
}

/// The value at `path` in `message`.
fn slot<'m>(message: &'m mut DynamicMessage, path: &[Step]) -> Option<&'m mut Value> {
    let (Step::Field(first), rest) = path.split_first()? else {
        return None;
    };
    let mut value = message.get_field_mut(first);
    for step in rest {
        value = match (step, value) {
            (Step::Field(field), Value::Message(message)) => message.get_field_mut(field),
            (Step::Index(index), Value::List(list)) => list.get_mut(*index)?,
            (Step::Key(key), Value::Map(map)) => map.get_mut(key)?,
            _ => return None,
        };
    }
    Some(value)
}

/// A JSON object key as the map key of `key_field`'s kind.
fn map_key(key_field: &FieldDescriptor, key: &str) -> Option<MapKey> {
    Some(match key_field.kind() {
        Kind::String => MapKey::String(key.to_owned()),
        Kind::Bool => MapKey::Bool(key.parse().ok()?),
        Kind::Int32 | Kind::Sint32 | Kind::Sfixed32 => MapKey::I32(key.parse().ok()?),
        Kind::Int64 | Kind::Sint64 | Kind::Sfixed64 => MapKey::I64(key.parse().ok()?),
        Kind::Uint32 | Kind::Fixed32 => MapKey::U32(key.parse().ok()?),
        Kind::Uint64 | Kind::Fixed64 => MapKey::U64(key.parse().ok()?),
        _ => return None,
    })
}
