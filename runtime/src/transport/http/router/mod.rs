//! Route matching for `google.api.http` templates: the server's route table.
//!
//! [`Router`] maps `(method, path template)` pairs to values and looks up the
//! value for a request's method and raw path, binding the template's variables,
//! by the rules in the [`transport::http`](super#route-matching) docs. A malformed escape
//! or a value that is not UTF-8 once decoded gives [`Lookup::BadPath`]; a route registered
//! with [`MethodFilter::Any`] (the HttpRule custom kind `*`) accepts every method; a path
//! that matches only under other methods gives [`Lookup::MethodNotAllowed`]. `HEAD` is not
//! mapped to `GET` here (the server does that).
//!
//! ```
//! use http::Method;
//! use kratos::transport::http::router::{Lookup, PathTemplate, Router};
//!
//! let mut router = Router::new();
//! let books = PathTemplate::parse("/v1/{name=shelves/*/books/*}")?;
//! router.insert(Method::GET, &books, "get book")?;
//!
//! let Lookup::Found(found) = router.lookup(&Method::GET, "/v1/shelves/1/books/a%20b") else {
//!     panic!("no match");
//! };
//! assert_eq!(*found.value, "get book");
//! assert_eq!(found.params().get(0), Some("shelves/1/books/a b"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod decode;
mod params;
mod trie;

use std::fmt;
use std::ops::ControlFlow;
use std::str::FromStr;

use http::Method;

pub use kratos_path_template::{PathTemplate, Variable};
pub use params::{PathParams, PathParamsIter};

/// Which request methods a route accepts.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MethodFilter {
    /// Exactly this method: `get`, `post`, ... or a `custom` kind such as `HEAD`.
    Exact(Method),
    /// Any method: the HttpRule `custom` kind `"*"`.
    Any,
}

impl MethodFilter {
    /// Whether a request with `method` is accepted.
    pub fn matches(&self, method: &Method) -> bool {
        match self {
            MethodFilter::Exact(exact) => exact == method,
            MethodFilter::Any => true,
        }
    }
}

impl From<Method> for MethodFilter {
    fn from(method: Method) -> Self {
        MethodFilter::Exact(method)
    }
}

impl FromStr for MethodFilter {
    type Err = http::method::InvalidMethod;

    /// Parses an HttpRule method: `*` is [`MethodFilter::Any`], anything else
    /// an HTTP method token (case-sensitive, as HTTP methods are).
    fn from_str(kind: &str) -> Result<Self, Self::Err> {
        match kind {
            "*" => Ok(MethodFilter::Any),
            method => Method::from_bytes(method.as_bytes()).map(MethodFilter::Exact),
        }
    }
}

impl fmt::Display for MethodFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MethodFilter::Exact(method) => f.write_str(method.as_str()),
            MethodFilter::Any => f.write_str("*"),
        }
    }
}

/// Routes from `(method, path template)` to values of type `T`.
///
/// See the [module documentation](self) for the matching rules.
#[derive(Debug)]
pub struct Router<T> {
    root: trie::Node,
    /// Indexed by the ids the trie holds: `insert` pushes a route and gives the trie its index,
    /// and nothing is ever removed, so every id the trie returns indexes a route.
    routes: Vec<Route<T>>,
    /// Every verb some template uses, sorted: only these are split off a
    /// request path.
    verbs: Vec<Box<str>>,
}

#[derive(Debug)]
struct Route<T> {
    method: MethodFilter,
    template: PathTemplate,
    value: T,
}

impl<T> Default for Router<T> {
    fn default() -> Self {
        Self {
            root: trie::Node::default(),
            routes: Vec::new(),
            verbs: Vec::new(),
        }
    }
}

impl<T> Router<T> {
    /// An empty router.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of routes.
    pub fn len(&self) -> usize {
        self.routes.len()
    }

    /// Whether no route has been inserted.
    pub fn is_empty(&self) -> bool {
        self.routes.is_empty()
    }

    /// Adds a route: requests with a method accepted by `method` whose path
    /// matches `template` get `value`. `method` is a [`MethodFilter`] or an
    /// [`http::Method`].
    ///
    /// # Errors
    ///
    /// A [`RouteError`] if a route with the same method filter already
    /// matches exactly the same paths: the same canonical template, or one
    /// that differs only in variable names (`/v1/{id}` and `/v1/{name}`).
    /// One of the two could never be reached.
    pub fn insert(
        &mut self,
        method: impl Into<MethodFilter>,
        template: &PathTemplate,
        value: T,
    ) -> Result<(), RouteError> {
        let method = method.into();
        let id = self.routes.len();
        let Ok(routes) = self.root.routes_mut(template.segments()) else {
            return Err(RouteError::new(format!(
                "cannot route {method} {template}: only literal segments may follow \"**\""
            )));
        };
        let existing = routes
            .iter()
            .map(|&other| &self.routes[other])
            .find(|other| other.method == method && other.template.verb() == template.verb());
        if let Some(other) = existing {
            return Err(RouteError::duplicate(other, &method, template));
        }
        routes.push(id);
        if let Some(verb) = template.verb()
            && let Err(at) = self
                .verbs
                .binary_search_by(|known| known.as_ref().cmp(verb))
        {
            self.verbs.insert(at, verb.into());
        }
        self.routes.push(Route {
            method,
            template: template.clone(),
            value,
        });
        Ok(())
    }

    /// Finds the route for a request.
    ///
    /// `raw_path` is the path of the request URI as received, still
    /// percent-encoded and without the query (`http::Uri::path`).
    pub fn lookup<'r>(&'r self, method: &Method, raw_path: &str) -> Lookup<'r, T> {
        let Some((path, verb)) = self.split_path(raw_path) else {
            return Lookup::NotFound;
        };
        let segments = (!path.is_empty()).then_some(path);
        let found = self.root.walk(
            segments,
            &mut |ids| match self.endpoint(ids, verb, method) {
                Some(route) => ControlFlow::Break(route),
                None => ControlFlow::Continue(()),
            },
        );
        if let ControlFlow::Break(route) = found {
            return match params::bind(&route.template, path) {
                Ok(params) => Lookup::Found(RouteMatch {
                    value: &route.value,
                    template: &route.template,
                    params,
                }),
                Err(message) => Lookup::BadPath(message),
            };
        }
        // Only now, off the hot path: which methods would have matched?
        let mut allow = Vec::new();
        let _ = self.root.walk(segments, &mut |ids| {
            let matching = ids.iter().map(|&id| &self.routes[id]);
            for route in matching.filter(|route| route.template.verb() == verb) {
                if let MethodFilter::Exact(method) = &route.method {
                    allow.push(method.clone());
                }
            }
            ControlFlow::<()>::Continue(())
        });
        if allow.is_empty() {
            return Lookup::NotFound;
        }
        allow.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        allow.dedup();
        Lookup::MethodNotAllowed { allow }
    }

    /// Splits a raw request path into the segments' text (no leading or
    /// trailing `/`) and the verb, if the last segment ends in a registered one.
    fn split_path<'p>(&self, raw_path: &'p str) -> Option<(&'p str, Option<&'p str>)> {
        let path = raw_path.strip_prefix('/')?.trim_end_matches('/');
        // Most servers register no verb: then there is nothing to look for.
        if self.verbs.is_empty() {
            return Some((path, None));
        }
        // Byte loops rather than `rfind`: segments are short, and the `str` search sets up a
        // memchr per call. `/` and `:` are one byte, so the cuts fall on character boundaries.
        let last_start = path
            .bytes()
            .rposition(|b| b == b'/')
            .map_or(0, |slash| slash + 1);
        let last = &path[last_start..];
        if let Some(colon) = last.bytes().rposition(|b| b == b':') {
            let verb = &last[colon + 1..];
            if self
                .verbs
                .binary_search_by(|known| known.as_ref().cmp(verb))
                .is_ok()
            {
                // A last segment that is only `:verb` is an empty segment, and
                // trailing empty segments are dropped: `/:v` is zero segments,
                // which a `**` before the verb matches.
                let segments = path[..last_start + colon].trim_end_matches('/');
                return Some((segments, Some(verb)));
            }
        }
        Some((path, None))
    }

    /// The route among `ids` (all matching the path) for this verb and
    /// method: an exact method first, then `Any`.
    fn endpoint(&self, ids: &[usize], verb: Option<&str>, method: &Method) -> Option<&Route<T>> {
        let candidates = ids
            .iter()
            .map(|&id| &self.routes[id])
            .filter(|route| route.template.verb() == verb);
        let mut any = None;
        for route in candidates {
            match &route.method {
                MethodFilter::Exact(exact) if exact == method => return Some(route),
                MethodFilter::Exact(_) => {}
                MethodFilter::Any => any = any.or(Some(route)),
            }
        }
        any
    }
}

/// The result of [`Router::lookup`].
#[derive(Debug)]
pub enum Lookup<'r, T> {
    /// A route matched.
    Found(RouteMatch<'r, T>),
    /// The path matches, but only routes for other methods: answer 405 with
    /// an `Allow` header listing `allow` (sorted, without duplicates).
    MethodNotAllowed {
        /// The methods that would have matched.
        allow: Vec<Method>,
    },
    /// No route matches the path: answer 404.
    NotFound,
    /// A route matched, but a bound value cannot be decoded (a malformed
    /// percent escape, or bytes that are not UTF-8): answer 400. The message
    /// names the variable and what is wrong with it.
    BadPath(String),
}

/// A matched route and the values bound from the path.
#[derive(Debug)]
pub struct RouteMatch<'r, T> {
    /// The value the route was registered with.
    pub value: &'r T,
    template: &'r PathTemplate,
    params: PathParams,
}

impl<'r, T> RouteMatch<'r, T> {
    /// The values of the template's variables, in template order.
    pub fn params(&self) -> &PathParams {
        &self.params
    }

    /// Takes the values out of the match.
    pub fn into_params(self) -> PathParams {
        self.params
    }

    /// The template that matched.
    pub fn template(&self) -> &'r PathTemplate {
        self.template
    }

    /// Each variable of the template with its value, in template order.
    pub fn bindings(&self) -> impl Iterator<Item = (&'r Variable, &str)> + '_ {
        self.template.variables().iter().zip(&self.params)
    }
}

/// A route that cannot be added to a [`Router`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteError {
    message: String,
}

impl RouteError {
    fn new(message: String) -> Self {
        Self { message }
    }

    fn duplicate<T>(existing: &Route<T>, method: &MethodFilter, template: &PathTemplate) -> Self {
        let message = if existing.template.canonical() == template.canonical() {
            format!(
                "duplicate route {method} {}: it is already registered",
                template.canonical()
            )
        } else {
            format!(
                "route {method} {} conflicts with {} {}: they match exactly the same requests",
                template.canonical(),
                existing.method,
                existing.template.canonical()
            )
        };
        Self::new(message)
    }
}

impl fmt::Display for RouteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for RouteError {}

#[cfg(test)]
mod tests;
