//! The error as an HTTP body: `{"code":..,"reason":..,"message":..,"metadata":{..}}`.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::Error;

/// The body as written; borrows so encoding an error copies nothing but bytes.
/// Field order is the wire order Kratos clients see.
#[derive(Serialize)]
struct BodyOut<'a> {
    code: i32,
    reason: &'a str,
    message: &'a str,
    metadata: &'a BTreeMap<String, String>,
}

/// The body as read: a JSON object whose fields are all optional and may be
/// `null`, as Go Kratos' protojson decoding of `errors.Status` allows.
/// Written by hand because serde's derive would also take a JSON array.
#[derive(Default)]
struct BodyIn {
    code: i32,
    reason: String,
    message: String,
    metadata: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum Field {
    Code,
    Reason,
    Message,
    Metadata,
    #[serde(other)]
    Unknown,
}

impl<'de> Deserialize<'de> for BodyIn {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(BodyVisitor)
    }
}

struct BodyVisitor;

impl<'de> Visitor<'de> for BodyVisitor {
    type Value = BodyIn;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Kratos error object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<BodyIn, A::Error> {
        let mut body = BodyIn::default();
        while let Some(field) = map.next_key()? {
            match field {
                Field::Code => body.code = value_or_default(&mut map)?,
                Field::Reason => body.reason = value_or_default(&mut map)?,
                Field::Message => body.message = value_or_default(&mut map)?,
                Field::Metadata => body.metadata = value_or_default(&mut map)?,
                Field::Unknown => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(body)
    }
}

/// The next value, with `null` read as the default.
fn value_or_default<'de, A, T>(map: &mut A) -> Result<T, A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de> + Default,
{
    Ok(map.next_value::<Option<T>>()?.unwrap_or_default())
}

impl Error {
    /// The Kratos HTTP error body, e.g.
    /// `{"code":404,"reason":"USER_NOT_FOUND","message":"...","metadata":{}}`.
    ///
    /// `metadata` is always present (`{}` when empty) and its keys are sorted.
    pub fn to_json(&self) -> Vec<u8> {
        let body = BodyOut {
            code: self.code,
            reason: &self.reason,
            message: &self.message,
            metadata: &self.metadata,
        };
        // Only strings, an integer and a string-keyed map: serde_json cannot fail here.
        serde_json::to_vec(&body).unwrap_or_default()
    }

    /// Reads a Kratos HTTP error body. Missing or `null` fields take their
    /// defaults (code 0, empty strings, no metadata); unknown fields are
    /// ignored; anything that is not such a JSON object is an error.
    pub fn from_json(body: &[u8]) -> Result<Error, serde_json::Error> {
        let body: BodyIn = serde_json::from_slice(body)?;
        Ok(Error {
            metadata: body.metadata,
            ..Error::new(body.code, body.reason, body.message)
        })
    }

    /// The HTTP status to answer with: the code when it is a valid status
    /// (100..=599), else 500.
    pub fn http_status(&self) -> u16 {
        u16::try_from(self.code)
            .ok()
            .filter(|code| (100..=599).contains(code))
            .unwrap_or(500)
    }
}
