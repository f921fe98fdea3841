//! Request validation (feature `validate`), as Kratos' `validate` middleware: the request is
//! checked against the `buf.validate` rules in its proto (standard rules and CEL, evaluated by
//! [prost-protovalidate](https://docs.rs/prost-protovalidate)) before the handler runs. A
//! violation answers `400` reason `VALIDATOR`; the message lists the violations as
//! `field.path: what is wrong [rule]` (or `field.path: does not satisfy rule` for rules without
//! a text), and the metadata maps each field path to its rule ids
//! (`"name": "string.min_len"`; a message-level rule is under the key `""`). Both stop after
//! [`Validate::max_violations`] (100 by default) and count the rest (`and 99900 more
//! violations`; metadata `more_violations`), and the message is cut at
//! [`MAX_REQUEST_ERROR_MESSAGE`](crate::errors::MAX_REQUEST_ERROR_MESSAGE) bytes.
//!
//! The rules come from the descriptors protoc-gen-kratos-http embeds for the generated
//! messages, so import `buf/validate/validate.proto` (kratos-build puts it on the include path)
//! and annotate fields:
//!
//! ```proto
//! message HelloRequest {
//!   string name = 1 [(buf.validate.field).string = {min_len: 1, max_len: 64}];
//! }
//! ```
//!
//! ```
//! use kratos::middleware::validate::Validate;
//!
//! let server = kratos::transport::http::Server::new().middleware(Validate::new());
//! # let _ = server;
//! ```
//!
//! The HTTP and gRPC servers hand generated requests to middleware as reflective messages
//! ([`Message::to_dynamic`]); other messages (a hand-built chain's, a client's) pass unchecked.
//! A request type with no rule anywhere (itself, its oneofs, its fields, the messages it holds)
//! is let through after a check cached per type, without being copied.
//! Rules that cannot be evaluated (a CEL expression that does not compile, say) are a server
//! bug, answered `500` reason `VALIDATOR` naming the message.

use std::any::TypeId;
use std::collections::{BTreeMap, HashSet};
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock, PoisonError, RwLock};

use prost_protovalidate::{Error as ValidateError, ValidationError, Validator};
use prost_reflect::{DynamicMessage, ExtensionDescriptor, Kind, MessageDescriptor, ReflectMessage};

use super::{FnvMap, Handler, Message, Middleware};
use crate::errors::reasons;
use crate::errors::{Error, bounded_message, truncated};
use crate::transport::Context;

/// The default of [`Validate::max_violations`].
pub const DEFAULT_MAX_VIOLATIONS: usize = 100;

/// The longest field path an error repeats, in bytes (a map key is client text).
const FIELD_PATH_LIMIT: usize = 256;

/// The validate middleware; one [`Validator`] caches the compiled rules of every message it
/// has seen, so build it once per server.
#[derive(Clone)]
pub struct Validate {
    validator: Arc<Validator>,
    max_violations: usize,
    /// Whether each reflective message type seen carries rules, its own or those of the
    /// messages it holds: a type without any is let through without copying the request into a
    /// dynamic message.
    has_rules: Arc<RwLock<FnvMap<TypeId, bool>>>,
}

impl Default for Validate {
    fn default() -> Self {
        Self::with_validator(Validator::default())
    }
}

impl std::fmt::Debug for Validate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Validate").finish_non_exhaustive()
    }
}

impl Validate {
    /// A validator with prost-protovalidate's defaults (every violation reported).
    pub fn new() -> Self {
        Self::default()
    }

    /// Uses `validator` (for its options: fail fast, extra descriptors, a clock for CEL's
    /// `now`).
    pub fn with_validator(validator: Validator) -> Self {
        Self {
            validator: Arc::new(validator),
            max_violations: DEFAULT_MAX_VIOLATIONS,
            has_rules: Arc::default(),
        }
    }

    /// How many violations an error lists, in its message and its metadata (default
    /// [`DEFAULT_MAX_VIOLATIONS`], 100); the rest are counted (`and 99900 more violations`,
    /// metadata `more_violations`), so a request breaking a rule 100 000 times gets a small
    /// answer. The message is also cut at [`crate::errors::MAX_REQUEST_ERROR_MESSAGE`] bytes.
    #[must_use]
    pub fn max_violations(mut self, max: usize) -> Self {
        self.max_violations = max;
        self
    }

    /// Checks `message`: `Ok` when it is valid, its type has no rules, or it is not reflective.
    ///
    /// # Errors
    ///
    /// `400 VALIDATOR` for a violation, `500 VALIDATOR` for rules that cannot be evaluated.
    pub fn check(&self, message: &Message) -> Result<(), Error> {
        self.check_remembering(&OnceLock::new(), message)
    }

    /// [`check`](Self::check), with `last` remembering the answer for the request type last
    /// seen (each wrapped handler has one): a call of that type skips the shared map.
    fn check_remembering(
        &self,
        last: &OnceLock<(TypeId, bool)>,
        message: &Message,
    ) -> Result<(), Error> {
        if self.has_rules(last, message.value_type(), || message.descriptor()) {
            self.evaluate(message)
        } else {
            Ok(())
        }
    }

    /// Checks a typed request (the typed steps' form of this middleware); `last` as in
    /// [`check_remembering`](Self::check_remembering).
    pub(crate) fn check_typed<R: ReflectMessage + 'static>(
        &self,
        last: &OnceLock<(TypeId, bool)>,
        request: &R,
    ) -> Result<(), Error> {
        if self.has_rules(last, TypeId::of::<R>(), || Some(request.descriptor())) {
            self.evaluate_dynamic(&crate::encoding::nesting::to_dynamic(request)?)
        } else {
            Ok(())
        }
    }

    /// Whether messages of the type `key` carry rules: found in `last`, else in the map kept per
    /// type, else from `descriptor`, then remembered in both. A message that is not reflective
    /// (`descriptor` gives `None`) has none, and that is remembered nowhere: the same type may
    /// come reflective another time.
    fn has_rules(
        &self,
        last: &OnceLock<(TypeId, bool)>,
        key: TypeId,
        descriptor: impl FnOnce() -> Option<MessageDescriptor>,
    ) -> bool {
        if let Some((known, has_rules)) = last.get()
            && *known == key
        {
            return *has_rules;
        }
        let known = self
            .has_rules
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&key)
            .copied();
        let found = match known {
            Some(found) => found,
            None => {
                let Some(descriptor) = descriptor() else {
                    return false;
                };
                let found = carries_rules(&descriptor);
                self.has_rules
                    .write()
                    .unwrap_or_else(PoisonError::into_inner)
                    .insert(key, found);
                found
            }
        };
        let _ = last.set((key, found));
        found
    }

    /// Runs the rules over a reflective `message`.
    fn evaluate(&self, message: &Message) -> Result<(), Error> {
        match message.try_to_dynamic() {
            Some(dynamic) => self.evaluate_dynamic(&dynamic?),
            None => Ok(()),
        }
    }

    /// Runs the rules over `dynamic`.
    fn evaluate_dynamic(&self, dynamic: &DynamicMessage) -> Result<(), Error> {
        match self.validator.validate(dynamic) {
            Ok(()) => Ok(()),
            Err(ValidateError::Validation(violations)) => {
                Err(bad_request(&violations, self.max_violations))
            }
            Err(error) => Err(Error::new(
                500,
                reasons::VALIDATOR,
                format!(
                    "the validation rules of {} cannot be evaluated: {error}",
                    dynamic.descriptor().full_name()
                ),
            )
            .with_cause(error)),
        }
    }
}

/// Whether `descriptor` or any message it holds (fields, repeated, map values, recursively)
/// has a `buf.validate` option on itself, a oneof or a field: the places protovalidate reads
/// rules from. The options are read with the message's own pool, which knows the extensions
/// when the proto imported validate.proto (protoc-gen-kratos-http keeps them).
fn carries_rules(descriptor: &MessageDescriptor) -> bool {
    let pool = descriptor.parent_pool();
    let extensions: Vec<ExtensionDescriptor> = [
        "buf.validate.message",
        "buf.validate.oneof",
        "buf.validate.field",
    ]
    .iter()
    .filter_map(|name| pool.get_extension_by_name(name))
    .collect();
    if extensions.is_empty() {
        return false;
    }
    let carries = |options: DynamicMessage| extensions.iter().any(|ext| options.has_extension(ext));
    let mut seen = HashSet::new();
    let mut pending = vec![descriptor.clone()];
    while let Some(message) = pending.pop() {
        if !seen.insert(message.full_name().to_owned()) {
            continue;
        }
        if carries(message.options()) || message.oneofs().any(|oneof| carries(oneof.options())) {
            return true;
        }
        for field in message.fields() {
            if carries(field.options()) {
                return true;
            }
            if let Kind::Message(held) = field.kind() {
                pending.push(held);
            }
        }
    }
    false
}

/// `400 VALIDATOR`: the first `max` violations in the message, field path to rule ids in the
/// metadata, and how many more there were.
fn bad_request(violations: &ValidationError, max: usize) -> Error {
    let mut message = String::from("invalid request:");
    let mut rules: BTreeMap<String, String> = BTreeMap::new();
    let all = violations.violations();
    for (index, violation) in all.iter().take(max).enumerate() {
        let field = truncated(&violation.field_path(), FIELD_PATH_LIMIT).into_owned();
        let rule = match violation.rule_id() {
            "" => violation.rule_path(),
            id => id.to_owned(),
        };
        message.push_str(if index == 0 { " " } else { "; " });
        if !field.is_empty() {
            message.push_str(&field);
            message.push_str(": ");
        }
        // Some rules come without a text (a required oneof, formats, CEL message rules): the
        // rule id says what was broken.
        let _ = match violation.message() {
            "" => write!(message, "does not satisfy {rule}"),
            text => write!(message, "{text} [{rule}]"),
        };
        let ids = rules.entry(field).or_default();
        if !ids.is_empty() {
            ids.push(',');
        }
        ids.push_str(&rule);
    }
    // Cut the list, not the count after it.
    let mut message = bounded_message(message);
    let more = all.len().saturating_sub(max);
    if more > 0 {
        let _ = write!(message, "; and {more} more violations");
        rules.insert("more_violations".to_owned(), more.to_string());
    }
    Error::new(400, reasons::VALIDATOR, message).with_metadata(rules)
}

impl Middleware for Validate {
    fn wrap(&self, next: Handler) -> Handler {
        let validate = self.clone();
        // A wrapped handler usually sees one request type (one per route): its answer is
        // remembered, so a call learns it without the shared map's lock.
        let last: OnceLock<(TypeId, bool)> = OnceLock::new();
        Arc::new(move |ctx: Context, request: Message| {
            match validate.check_remembering(&last, &request) {
                Ok(()) => next(ctx, request),
                Err(error) => Box::pin(std::future::ready(Err(error))),
            }
        })
    }
}
