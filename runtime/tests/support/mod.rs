//! Shared by the runtime's integration tests.

pub(crate) mod etcd;
