//! One HTTP binding of an RPC as a `const`, shared by the route the server registers and the
//! call the client makes, and the binding of a request onto its message from it.

use crate::errors::Error;
use crate::transport::http::CallBody;
use crate::transport::http::binding::{QueryPair, QueryWriter, SeenFields};

/// A generated query binder: assigns one query (or form) pair to the message, below the fields
/// `at` and skipping keys under `exclude`.
pub type BindQueryFn<M> =
    fn(&mut M, &QueryPair<'_>, &[&'static str], &[&[&str]], &mut SeenFields) -> Result<(), Error>;

/// A generated query writer: every populated field of the message not under `exclude`, keys
/// prefixed with the `&str`.
pub type WriteQueryFn<M> =
    fn(&M, &mut QueryWriter, &str, &[&'static str], &[&[&str]]) -> Result<(), Error>;

/// A generated path writer: the template expanded from the message's fields, percent-encoded.
pub type WritePathFn<M> = fn(&M) -> Result<String, Error>;

/// One HTTP binding of an RPC whose request message is `M`: the rule, and the generated
/// functions that move the message's fields into and out of the URL.
pub struct Route<M: 'static> {
    /// The gRPC full method name.
    pub operation: &'static str,
    /// The HTTP method; `*` for a custom rule of kind `*` (any method; clients send `POST`).
    pub method: &'static str,
    /// The path template.
    pub template: &'static str,
    /// The rule's `body`: `""` for none, `"*"` for the whole message, else a top-level field.
    pub body: &'static str,
    /// The rule's `response_body`: `""` for the whole reply, else a top-level field.
    pub response_body: &'static str,
    /// The fields (proto-name paths) the path variables bind, in template order, then the
    /// body's: the query may not carry them.
    pub exclude: &'static [&'static [&'static str]],
    /// Binds a query or form pair, and each path variable's value as a pair keyed by its
    /// field; `None` for a message without fields to bind.
    pub bind_query: Option<BindQueryFn<M>>,
    /// Writes the fields the path and body do not carry into the query; `None` when there are
    /// none (`body: "*"`, an empty message) or for bindings after the first.
    pub write_query: Option<WriteQueryFn<M>>,
    /// The expanded path, percent-encoded; `None` when it is the template itself (or for
    /// bindings after the first, which the client does not call).
    pub write_path: Option<WritePathFn<M>>,
}

impl<M> Route<M> {
    /// Every field empty or `None`: generated routes give what they set and take the rest
    /// from here (`..Route::DEFAULT`).
    pub const DEFAULT: Self = Self {
        operation: "",
        method: "",
        template: "",
        body: "",
        response_body: "",
        exclude: &[],
        bind_query: None,
        write_query: None,
        write_path: None,
    };

    /// The rule's `body` as the client sends it.
    pub(crate) fn call_body(&self) -> CallBody {
        match self.body {
            "" => CallBody::None,
            "*" => CallBody::Whole,
            field => CallBody::Field(field),
        }
    }

    /// The rule's `response_body`, `None` for the whole reply.
    pub(crate) fn response_field(&self) -> Option<&'static str> {
        Some(self.response_body).filter(|field| !field.is_empty())
    }
}
