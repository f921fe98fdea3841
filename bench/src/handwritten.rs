//! The baseline: the same two endpoints hand-written in plain axum + serde,
//! producing the same proto3 JSON as the generated routes (lowerCamelCase
//! names, int64 as strings, the enum by name, every field present).

use axum::Json;
use axum::Router;
use axum::extract::Path;
use axum::routing::{get, post};
use serde::{Deserialize, Serialize};

/// The reply of `GET /helloworld/{name}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct HelloReply {
    /// `"Hello " + name`.
    pub message: String,
}

/// The body and reply of `POST /v1/orders`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Order {
    /// Order id.
    pub id: String,
    /// Customer id.
    pub customer: String,
    /// Amount in cents (a JSON string, as proto3 writes int64).
    #[serde(with = "int64")]
    pub amount_cents: i64,
    /// Creation time, Unix seconds (a JSON string).
    #[serde(with = "int64")]
    pub created_unix: i64,
    /// Free-form tags.
    pub tags: Vec<String>,
    /// Item ids (JSON strings).
    #[serde(with = "int64::list")]
    pub item_ids: Vec<i64>,
    /// Delivery address; left out of the JSON when unset, as prost-reflect does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<Address>,
    /// Order state, by name.
    pub status: Status,
    /// A note.
    pub note: String,
    /// Whether it is paid.
    pub paid: bool,
}

/// Where an order goes.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct Address {
    /// Street line.
    pub street: String,
    /// City.
    pub city: String,
}

/// The state of an order, written by its proto name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Status {
    /// Not set.
    #[default]
    #[serde(rename = "STATUS_UNSPECIFIED")]
    Unspecified,
    /// Awaiting payment.
    #[serde(rename = "STATUS_PENDING")]
    Pending,
    /// Paid.
    #[serde(rename = "STATUS_PAID")]
    Paid,
    /// Shipped.
    #[serde(rename = "STATUS_SHIPPED")]
    Shipped,
}

/// `GET /helloworld/{name}`.
async fn say_hello(Path(name): Path<String>) -> Json<HelloReply> {
    Json(HelloReply {
        message: format!("Hello {name}"),
    })
}

/// `POST /v1/orders`: echoes the order.
async fn create_order(Json(order): Json<Order>) -> Json<Order> {
    Json(order)
}

/// The router with both endpoints.
pub fn router() -> Router {
    Router::new()
        .route("/helloworld/{name}", get(say_hello))
        .route("/v1/orders", post(create_order))
}

/// int64 as proto3 JSON: written as a string, read from a string or a number.
mod int64 {
    use std::fmt;

    use serde::de::{self, Deserializer, SeqAccess, Visitor};
    use serde::ser::Serializer;

    pub(super) fn serialize<S: Serializer>(value: &i64, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(value)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<i64, D::Error> {
        deserializer.deserialize_any(Int64Visitor)
    }

    struct Int64Visitor;

    impl Visitor<'_> for Int64Visitor {
        type Value = i64;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an int64 as a string or a number")
        }

        fn visit_i64<E: de::Error>(self, value: i64) -> Result<i64, E> {
            Ok(value)
        }

        fn visit_u64<E: de::Error>(self, value: u64) -> Result<i64, E> {
            i64::try_from(value).map_err(|_| E::custom("int64 out of range"))
        }

        fn visit_str<E: de::Error>(self, value: &str) -> Result<i64, E> {
            value.parse().map_err(E::custom)
        }
    }

    /// `repeated int64`.
    pub(super) mod list {
        use super::*;

        struct Item(i64);

        impl serde::Serialize for Item {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.collect_str(&self.0)
            }
        }

        impl<'de> serde::Deserialize<'de> for Item {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_any(Int64Visitor).map(Item)
            }
        }

        pub(in super::super) fn serialize<S: Serializer>(
            values: &[i64],
            serializer: S,
        ) -> Result<S::Ok, S::Error> {
            serializer.collect_seq(values.iter().map(|value| Item(*value)))
        }

        pub(in super::super) fn deserialize<'de, D: Deserializer<'de>>(
            deserializer: D,
        ) -> Result<Vec<i64>, D::Error> {
            struct ListVisitor;

            impl<'de> Visitor<'de> for ListVisitor {
                type Value = Vec<i64>;

                fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                    f.write_str("a list of int64")
                }

                fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<i64>, A::Error> {
                    let mut values = Vec::with_capacity(seq.size_hint().unwrap_or(0));
                    while let Some(Item(value)) = seq.next_element()? {
                        values.push(value);
                    }
                    Ok(values)
                }
            }

            deserializer.deserialize_seq(ListVisitor)
        }
    }
}
