//! Greeting someone: the `Greeter` use case.

use std::future::Future;

use kratos::Error;

use crate::api::projectname::v1 as api;

/// A greeting, as the business logic sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Greeting {
    /// Who is greeted.
    pub name: String,
}

/// Where greetings are kept; [`crate::data::greeter::MemoryGreeterRepo`] implements it.
pub trait GreeterRepo: Send + Sync + 'static {
    /// Stores `greeting`; returns it as stored.
    fn save(&self, greeting: Greeting) -> impl Future<Output = Result<Greeting, Error>> + Send;
}

/// The `Greeter` use case over a repository.
#[derive(Debug, Clone)]
pub struct GreeterUsecase<R> {
    repo: R,
}

impl<R: GreeterRepo> GreeterUsecase<R> {
    /// A use case storing its greetings in `repo`.
    pub fn new(repo: R) -> Self {
        Self { repo }
    }

    /// Greets `name`: stores the greeting, or fails with `USER_NOT_FOUND` (404) for the name
    /// "error", to show an error from `api/projectname/v1/error_reason.proto`.
    pub async fn create_greeting(&self, name: String) -> Result<Greeting, Error> {
        if name == "error" {
            return Err(api::error_user_not_found(format_args!(
                "user not found: {name}"
            )));
        }
        self.repo.save(Greeting { name }).await
    }
}
