//! The built-in middleware run around a typed call, without the chain's type erasure.
//!
//! Recovery, tracing, metrics, logging and validate only act before a call and on its outcome;
//! they need neither the request nor the reply as a [`Message`] (validate reads the typed
//! request through reflection). A chain made of them alone (recovery, if present, first;
//! logging without an `args` summarizer) runs them as [`Step`]s inside the
//! caller's own future: no boxed request or reply, no typed call carried in the context, one
//! boxed future (the call's) rather than one per layer. The outcome is the same as through the
//! erased chain; a chain with any other middleware takes the erased path.

use std::any::Any;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context as TaskContext, Poll};

use super::logging::{Access, Logging};
use super::metrics::{Metrics, Timing};
use super::recovery::{Recovery, recover};
#[cfg(feature = "otel")]
use super::tracing::Tracing;
#[cfg(feature = "validate")]
use super::validate::Validate;
use super::{BoxFuture, Chain};
use crate::app::InstanceInfo;
use crate::errors::Error;
use crate::transport::Context;
use prost_reflect::ReflectMessage;

/// A built-in middleware in its typed form.
#[derive(Clone)]
pub(crate) enum Step {
    /// Panics become `500 UNKNOWN`; only as the first step, which covers the others.
    Recovery,
    /// A span around the call.
    #[cfg(feature = "otel")]
    Tracing(Tracing),
    /// Counted and timed (each site owns a clone: its remembered series are its own).
    Metrics(Metrics),
    /// The access log, without a summarizer for `args`.
    Logging(Logging),
    /// `buf.validate` rules: a violation ends the call before it starts.
    #[cfg(feature = "validate")]
    Validate(Validating),
    /// The app's instance, put in the context (`kratos::app::from_context`).
    Instance(InstanceInfo),
}

/// The validate step: the middleware, and the answer for the request type last seen here.
#[cfg(feature = "validate")]
pub(crate) struct Validating {
    validate: Validate,
    last: std::sync::OnceLock<(std::any::TypeId, bool)>,
}

/// A clone (one per site) starts with nothing remembered.
#[cfg(feature = "validate")]
impl Clone for Validating {
    fn clone(&self) -> Self {
        Self {
            validate: self.validate.clone(),
            last: std::sync::OnceLock::new(),
        }
    }
}

impl Step {
    /// The steps of `middleware`, if it is built-in middleware that has a typed form (a chain:
    /// if all of its members do).
    pub(crate) fn of(middleware: &dyn Any) -> Option<Vec<Step>> {
        if middleware.is::<Recovery>() {
            return Some(vec![Step::Recovery]);
        }
        if let Some(info) = middleware.downcast_ref::<InstanceInfo>() {
            return Some(vec![Step::Instance(info.clone())]);
        }
        #[cfg(feature = "otel")]
        if let Some(tracing) = middleware.downcast_ref::<Tracing>() {
            return Some(vec![Step::Tracing(tracing.clone())]);
        }
        if let Some(metrics) = middleware.downcast_ref::<Metrics>() {
            return Some(vec![Step::Metrics(metrics.clone())]);
        }
        if let Some(logging) = middleware.downcast_ref::<Logging>() {
            return (!logging.reads_requests()).then(|| vec![Step::Logging(logging.clone())]);
        }
        #[cfg(feature = "validate")]
        if let Some(validate) = middleware.downcast_ref::<Validate>() {
            return Some(vec![Step::Validate(Validating {
                validate: validate.clone(),
                last: std::sync::OnceLock::new(),
            })]);
        }
        middleware.downcast_ref::<Chain>().and_then(Chain::steps)
    }

    /// Whether `steps` can run typed: recovery, which must cover all the others, is first.
    pub(crate) fn runnable(steps: &[Step]) -> bool {
        !steps
            .iter()
            .skip(1)
            .any(|step| matches!(step, Step::Recovery))
    }
}

/// What a step left to do when the call ends.
enum Pending {
    #[cfg(feature = "otel")]
    Span(opentelemetry::Context),
    Timing(Timing),
    Access(Access),
}

impl Pending {
    fn finish(&self, outcome: Result<(), &Error>) {
        match self {
            #[cfg(feature = "otel")]
            Pending::Span(otel) => super::tracing::end_span(otel, outcome),
            Pending::Timing(timing) => timing.finish(outcome),
            Pending::Access(access) => access.finish(outcome),
        }
    }
}

/// Runs `f`; with `recovering`, a panic in it becomes recovery's `500 UNKNOWN`.
fn guarded<T>(recovering: bool, operation: &str, f: impl FnOnce() -> T) -> Result<T, Error> {
    if recovering {
        recover(operation, f)
    } else {
        Ok(f())
    }
}

/// Starts `call` with `steps` around it, in order (the first outermost), as the erased chain
/// would run the same middleware: the steps' work before the call happens now, the rest in the
/// returned future. Not `async`, and the call's future is boxed: the request and reply are not
/// copied through futures of their own, and the futures around this one stay small.
pub(crate) fn start<Req, Rep, F, Fut>(
    steps: &[Step],
    mut ctx: Context,
    request: Req,
    call: F,
) -> Result<Running<Rep>, Error>
where
    Req: ReflectMessage + 'static,
    Rep: Send + 'static,
    F: FnOnce(Context, Req) -> Fut,
    Fut: Future<Output = Result<Rep, Error>> + Send + 'static,
{
    let operation = ctx.operation();
    let recovering = matches!(steps.first(), Some(Step::Recovery));
    guarded(recovering, operation, || {
        let mut pending = Vec::with_capacity(steps.len());
        // A step that refuses the call: the steps before it (outside it) see its error, those
        // after it do not run, as in the erased chain.
        let refused = steps
            .iter()
            .try_for_each(|step| {
                match step {
                    Step::Recovery => {}
                    Step::Instance(info) => info.attach(&mut ctx),
                    #[cfg(feature = "otel")]
                    Step::Tracing(tracing) => {
                        pending.extend(tracing.begin(&mut ctx).map(Pending::Span));
                    }
                    Step::Metrics(metrics) => {
                        pending.push(Pending::Timing(metrics.begin(&mut ctx)));
                    }
                    // A logging step has no summarizer to read the request (see `Step::of`).
                    Step::Logging(logging) => {
                        pending.push(Pending::Access(logging.begin(&mut ctx, None)));
                    }
                    #[cfg(feature = "validate")]
                    Step::Validate(Validating { validate, last }) => {
                        validate.check_typed(last, &request)?;
                    }
                }
                Ok(())
            })
            .err();
        // The call runs in the innermost span's context, as through the tracing middleware.
        #[cfg(feature = "otel")]
        let otel = pending.iter().rev().find_map(|pending| match pending {
            Pending::Span(otel) => Some(otel.clone()),
            _ => None,
        });
        // The call's future is made in that context too (the erased chain makes it while
        // polling within the span), for a call that reads the context when called.
        #[cfg(feature = "otel")]
        let attached = otel.as_ref().map(|otel| otel.clone().attach());
        let future: BoxFuture<Result<Rep, Error>> = match refused {
            Some(error) => Box::pin(std::future::ready(Err(error))),
            None => Box::pin(call(ctx, request)),
        };
        #[cfg(feature = "otel")]
        drop(attached);
        Running {
            future,
            pending,
            #[cfg(feature = "otel")]
            otel,
            recovering,
            operation,
        }
    })
}

/// A call [`start`]ed with its steps: finishes them when it ends.
pub(crate) struct Running<Rep> {
    future: BoxFuture<Result<Rep, Error>>,
    pending: Vec<Pending>,
    #[cfg(feature = "otel")]
    otel: Option<opentelemetry::Context>,
    recovering: bool,
    operation: &'static str,
}

impl<Rep> Future for Running<Rep> {
    type Output = Result<Rep, Error>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = &mut *self;
        // Attached until this returns: the call runs in the span's context, and the steps
        // finish in it, as the erased chain's layers inside tracing do.
        #[cfg(feature = "otel")]
        let _attached = this.otel.as_ref().map(|otel| otel.clone().attach());
        // A panic while the call runs ends it with recovery's error, past the other steps
        // (they sit inside recovery): as through the erased chain, they do not see it.
        let result = match guarded(this.recovering, this.operation, || {
            this.future.as_mut().poll(cx)
        }) {
            Ok(Poll::Pending) => return Poll::Pending,
            Ok(Poll::Ready(result)) => result,
            Err(error) => return Poll::Ready(Err(error)),
        };
        let outcome = result.as_ref().map(|_| ());
        let pending = &this.pending;
        Poll::Ready(
            guarded(this.recovering, this.operation, || {
                for pending in pending.iter().rev() {
                    pending.finish(outcome);
                }
            })
            .and(result),
        )
    }
}
