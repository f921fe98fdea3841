//! Greetings kept in memory.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use kratos::Error;

use crate::biz::greeter::{GreeterRepo, Greeting};

/// Counts the greetings per name, in memory (replace it with a database-backed repository).
#[derive(Debug, Clone, Default)]
pub struct MemoryGreeterRepo {
    greeted: Arc<Mutex<HashMap<String, u64>>>,
}

impl MemoryGreeterRepo {
    /// How many times `name` was greeted.
    pub fn count(&self, name: &str) -> u64 {
        let greeted = self.greeted.lock().unwrap_or_else(PoisonError::into_inner);
        greeted.get(name).copied().unwrap_or(0)
    }
}

impl GreeterRepo for MemoryGreeterRepo {
    async fn save(&self, greeting: Greeting) -> Result<Greeting, Error> {
        let mut greeted = self.greeted.lock().unwrap_or_else(PoisonError::into_inner);
        *greeted.entry(greeting.name.clone()).or_default() += 1;
        Ok(greeting)
    }
}
