//! The business logic: use cases, and the repository traits they need (implemented in
//! [`crate::data`]), so the logic does not depend on storage.

pub mod greeter;
