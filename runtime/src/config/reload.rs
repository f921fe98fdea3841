//! Applies the sources' new loads: debounced, all or nothing, the last good tree kept.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, watch};

use super::error::ConfigError;
use super::placeholder::resolve;
use super::tree::{Layer, Tree};

/// One source's new load, by the source's position.
pub(crate) type Update = (usize, Result<Vec<Layer>, ConfigError>);

/// Merges the sources' layers in order and resolves the placeholders.
pub(crate) fn build(layers: &[Vec<Layer>]) -> Result<Tree, ConfigError> {
    let mut tree = Tree::merge(layers.iter().flatten());
    resolve(&mut tree)?;
    Ok(tree)
}

/// Runs until `updates` ends: each burst of updates (those arriving within `debounce` of the
/// first) becomes one new tree; a load or build that fails is logged and changes nothing.
pub(crate) async fn reload(
    mut updates: mpsc::Receiver<Update>,
    mut layers: Vec<Vec<Layer>>,
    current: watch::Sender<Arc<Tree>>,
    debounce: Duration,
) {
    while let Some(first) = updates.recv().await {
        let mut burst = vec![first];
        let deadline = tokio::time::Instant::now() + debounce;
        while let Ok(Some(next)) = tokio::time::timeout_at(deadline, updates.recv()).await {
            burst.push(next);
        }
        let mut candidate = layers.clone();
        for (index, update) in burst {
            match update {
                Ok(loaded) => candidate[index] = loaded,
                Err(error) => tracing::warn!(
                    %error,
                    "config: a source failed to load again; its last good values stay in effect"
                ),
            }
        }
        match build(&candidate) {
            Ok(tree) => {
                layers = candidate;
                current.send_if_modified(|now| {
                    let changed = **now != tree;
                    if changed {
                        *now = Arc::new(tree);
                    }
                    changed
                });
            }
            Err(error) => tracing::warn!(
                %error,
                "config: the changed configuration is invalid; the last good one stays in effect"
            ),
        }
    }
}
