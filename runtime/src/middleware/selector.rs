//! Applies middleware to some operations only: by exact operation, by prefix, by regular
//! expression or by a predicate, as Kratos' `selector` does.
//!
//! ```
//! use kratos::middleware::selector::Selector;
//! use kratos::middleware::{Handler, Chain};
//!
//! let noop = |next: Handler| next;
//! let only_greeter = Selector::new(noop)
//!     .prefix("/helloworld.v1.Greeter/")
//!     .path("/admin.v1.Admin/Reset")
//!     .regex(r"^/shop\.v1\.\w+/Get")
//!     .expect("a valid regular expression")
//!     .build();
//! let mut chain = Chain::new();
//! chain.push(only_greeter);
//! ```
//!
//! Order: the server's chain runs in the order middleware were added (the first outermost);
//! a selector sits at its place in that chain and, for matching operations, runs its own
//! middleware there (again first added outermost); for the others it calls the next handler
//! directly.

use std::sync::Arc;

use regex::Regex;

use super::{Chain, Handler, Middleware};
use crate::transport::Context;

type Predicate = Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// Builds a middleware that runs `middleware` only for the operations it selects.
pub struct Selector {
    chain: Chain,
    paths: Vec<String>,
    prefixes: Vec<String>,
    regexes: Vec<Regex>,
    predicates: Vec<Predicate>,
}

impl std::fmt::Debug for Selector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Selector")
            .field("paths", &self.paths)
            .field("prefixes", &self.prefixes)
            .field("regexes", &self.regexes)
            .field("predicates", &self.predicates.len())
            .finish_non_exhaustive()
    }
}

impl Selector {
    /// A selector for `middleware` that matches nothing yet.
    pub fn new(middleware: impl Middleware) -> Self {
        let mut chain = Chain::new();
        chain.push(middleware);
        Self {
            chain,
            paths: Vec::new(),
            prefixes: Vec::new(),
            regexes: Vec::new(),
            predicates: Vec::new(),
        }
    }

    /// Adds another middleware, run inside the ones added before.
    #[must_use]
    pub fn with(mut self, middleware: impl Middleware) -> Self {
        self.chain.push(middleware);
        self
    }

    /// Selects one operation (`/helloworld.v1.Greeter/SayHello`).
    #[must_use]
    pub fn path(mut self, operation: impl Into<String>) -> Self {
        self.paths.push(operation.into());
        self
    }

    /// Selects the operations starting with `prefix` (`/helloworld.v1.Greeter/` for a
    /// service, `/helloworld.v1.` for a package). A trailing `*` is allowed and ignored.
    #[must_use]
    pub fn prefix(mut self, prefix: impl Into<String>) -> Self {
        let mut prefix = prefix.into();
        if prefix.ends_with('*') {
            prefix.pop();
        }
        self.prefixes.push(prefix);
        self
    }

    /// Selects the operations a regular expression matches (anywhere, unless anchored).
    pub fn regex(mut self, pattern: &str) -> Result<Self, regex::Error> {
        self.regexes.push(Regex::new(pattern)?);
        Ok(self)
    }

    /// Selects the operations `predicate` accepts.
    #[must_use]
    pub fn matching(mut self, predicate: impl Fn(&str) -> bool + Send + Sync + 'static) -> Self {
        self.predicates.push(Arc::new(predicate));
        self
    }

    /// The middleware.
    pub fn build(self) -> Selected {
        Selected {
            inner: Arc::new(self),
        }
    }

    fn selects(&self, operation: &str) -> bool {
        self.paths.iter().any(|path| path == operation)
            || self
                .prefixes
                .iter()
                .any(|p| operation.starts_with(p.as_str()))
            || self.regexes.iter().any(|r| r.is_match(operation))
            || self.predicates.iter().any(|p| p(operation))
    }
}

/// The middleware a [`Selector`] builds.
#[derive(Clone, Debug)]
pub struct Selected {
    inner: Arc<Selector>,
}

impl Middleware for Selected {
    fn wrap(&self, next: Handler) -> Handler {
        let selected = self.inner.chain.wrap(Arc::clone(&next));
        let selector = Arc::clone(&self.inner);
        Arc::new(move |ctx: Context, request| {
            if selector.selects(ctx.operation()) {
                selected(ctx, request)
            } else {
                next(ctx, request)
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex;

    use super::*;
    use crate::transport::Kind;

    /// Records its name when it runs.
    fn tag(name: &'static str, seen: &Arc<Mutex<Vec<&'static str>>>) -> impl Middleware {
        let seen = Arc::clone(seen);
        move |next: Handler| -> Handler {
            let seen = Arc::clone(&seen);
            Arc::new(move |ctx, request| {
                seen.lock().unwrap().push(name);
                next(ctx, request)
            })
        }
    }

    async fn call(chain: &Chain, operation: &'static str) {
        let ctx = Context::new(Kind::Http, operation, http::HeaderMap::new());
        let _: u32 = chain
            .call(ctx, 1_u32, |_, n: u32| async move { Ok(n) })
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn selects_by_path_prefix_regex_and_predicate_in_chain_order() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let mut chain = Chain::new();
        chain.push(tag("global", &seen));
        chain.push(
            Selector::new(tag("a", &seen))
                .with(tag("b", &seen))
                .path("/pkg.S/Exact")
                .prefix("/pkg.Prefixed/*")
                .regex(r"^/re\.v\d/")
                .unwrap()
                .matching(|op| op.ends_with("/Pred"))
                .build(),
        );
        chain.push(tag("last", &seen));
        for (operation, expected) in [
            ("/pkg.S/Exact", vec!["global", "a", "b", "last"]),
            ("/pkg.S/Exactly", vec!["global", "last"]),
            ("/pkg.Prefixed/Any", vec!["global", "a", "b", "last"]),
            ("/re.v2/X", vec!["global", "a", "b", "last"]),
            ("/x.re.v2/X", vec!["global", "last"]),
            ("/other.S/Pred", vec!["global", "a", "b", "last"]),
        ] {
            seen.lock().unwrap().clear();
            call(&chain, operation).await;
            assert_eq!(*seen.lock().unwrap(), expected, "{operation}");
        }
    }

    #[test]
    fn a_bad_regex_is_an_error() {
        assert!(Selector::new(|next: Handler| next).regex("(").is_err());
    }
}
