//! The embedded descriptor pool of a generated file and the descriptors of its messages, each
//! decoded or looked up once.

use std::sync::OnceLock;

use prost_reflect::{DescriptorPool, MessageDescriptor};

/// A generated file's descriptor pool, decoded on first use from the descriptor set the
/// generator embedded (wrapped over lines as several byte strings).
pub struct DescriptorPoolCell(OnceLock<DescriptorPool>);

impl DescriptorPoolCell {
    /// An empty cell, for a `static`.
    pub const fn new() -> Self {
        Self(OnceLock::new())
    }

    /// The pool of `chunks`, the descriptor set in pieces.
    ///
    /// # Panics
    ///
    /// When the set does not decode: the generator wrote it from a valid pool, so that means
    /// the generated file was edited.
    #[allow(clippy::expect_used)]
    pub fn get(&self, chunks: &[&[u8]]) -> &DescriptorPool {
        self.0.get_or_init(|| {
            DescriptorPool::decode(chunks.concat().as_slice())
                .expect("the generated descriptor set is valid")
        })
    }
}

impl Default for DescriptorPoolCell {
    fn default() -> Self {
        Self::new()
    }
}

/// One generated message's descriptor, looked up once.
pub struct MessageDescriptorCell(OnceLock<MessageDescriptor>);

impl MessageDescriptorCell {
    /// An empty cell, for a `static`.
    pub const fn new() -> Self {
        Self(OnceLock::new())
    }

    /// The descriptor of `full_name` in `pool`.
    ///
    /// # Panics
    ///
    /// When the pool lacks the message: the generator puts every generated message in it.
    #[allow(clippy::expect_used)]
    pub fn get(&self, pool: fn() -> &'static DescriptorPool, full_name: &str) -> MessageDescriptor {
        self.0
            .get_or_init(|| {
                pool()
                    .get_message_by_name(full_name)
                    .expect("the generated descriptor set names every generated message")
            })
            .clone()
    }
}

impl Default for MessageDescriptorCell {
    fn default() -> Self {
        Self::new()
    }
}
