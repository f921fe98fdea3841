//! The repositories behind [`crate::biz`]'s traits: storage, caches, other services.

pub mod greeter;
