//! OpenTelemetry tracing (feature `otel`), as Kratos' `tracing` middleware: the server
//! middleware continues the caller's trace from the W3C `traceparent`/`tracestate` request
//! headers (gRPC metadata on gRPC) and runs the handler in a span named by the operation (kind
//! Server); the client middleware runs the call in a Client span, child of the current call's
//! span, and sends `traceparent` on. A failed call marks its span with status Error and the
//! `kratos.code`/`kratos.reason` attributes. The handler reads the ids with [`trace_id`] and
//! [`span_id`] (the logging middleware's fields).
//!
//! ```
//! use kratos::middleware::tracing::Tracing;
//!
//! // Spans go to the global tracer provider: with none installed they cost next to nothing.
//! let server = kratos::transport::http::Server::new().middleware(Tracing::server());
//! # let _ = server;
//! ```

use std::borrow::Cow;
use std::sync::Arc;

use http::{HeaderMap, HeaderName, HeaderValue};
use opentelemetry::global::BoxedTracer;
use opentelemetry::propagation::{Extractor, Injector, TextMapPropagator};
use opentelemetry::trace::{
    FutureExt as _, SamplingDecision, SamplingResult, Span as _, SpanKind, Status, TraceContextExt,
    TraceState, Tracer as _, TracerProvider,
};
use opentelemetry::{Context as OtelContext, KeyValue};
use opentelemetry_sdk::propagation::TraceContextPropagator;

use super::{Handler, Message, Middleware};
use crate::errors::Error;
use crate::transport::Context;

/// The ids of the span a call runs in, in the context's extensions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Ids {
    pub(crate) trace: opentelemetry::trace::TraceId,
    pub(crate) span: opentelemetry::trace::SpanId,
}

/// The ids of the call's span, if it is in a trace.
pub(crate) fn ids(ctx: &Context) -> Option<Ids> {
    ctx.extensions().get::<Ids>().copied()
}

/// The call's trace id (32 hex digits), when the tracing middleware ran.
pub fn trace_id(ctx: &Context) -> Option<String> {
    ctx.extensions()
        .get::<Ids>()
        .map(|ids| ids.trace.to_string())
}

/// The call's span id (16 hex digits), when the tracing middleware ran.
pub fn span_id(ctx: &Context) -> Option<String> {
    ctx.extensions()
        .get::<Ids>()
        .map(|ids| ids.span.to_string())
}

struct Headers<'a>(&'a HeaderMap);

impl Extractor for Headers<'_> {
    fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).and_then(|v| v.to_str().ok())
    }

    fn keys(&self) -> Vec<&str> {
        self.0.keys().map(HeaderName::as_str).collect()
    }
}

struct HeadersMut<'a>(&'a mut HeaderMap);

impl Injector for HeadersMut<'_> {
    fn set(&mut self, key: &str, value: String) {
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(key), HeaderValue::try_from(value)) {
            self.0.insert(name, value);
        }
    }
}

/// The tracing middleware.
#[derive(Clone)]
pub struct Tracing {
    tracer: Arc<BoxedTracer>,
    kind: SpanKind,
    /// The tracer is the no-op one (no SDK provider): see [`is_noop`].
    noop: bool,
}

impl std::fmt::Debug for Tracing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tracing")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

impl Tracing {
    fn new(tracer: BoxedTracer, kind: SpanKind) -> Self {
        Self {
            noop: is_noop(&tracer),
            tracer: Arc::new(tracer),
            kind,
        }
    }

    /// For a server's chain, with the global tracer provider.
    pub fn server() -> Self {
        Self::new(opentelemetry::global::tracer("kratos"), SpanKind::Server)
    }

    /// For a client's chain, with the global tracer provider.
    pub fn client() -> Self {
        Self {
            kind: SpanKind::Client,
            ..Self::server()
        }
    }

    /// Uses `provider` instead of the global one.
    #[must_use]
    pub fn with_provider<P>(self, provider: &P) -> Self
    where
        P: TracerProvider,
        P::Tracer: opentelemetry::trace::Tracer + Send + Sync + 'static,
        <P::Tracer as opentelemetry::trace::Tracer>::Span: Send + Sync + 'static,
    {
        Self::new(
            BoxedTracer::new(Box::new(provider.tracer("kratos"))),
            self.kind,
        )
    }
}

/// Whether `tracer` only makes no-op spans: a span it builds with no parent has no ids. An SDK
/// tracer gives even a dropped span ids, so the probe (dropped by its own sampling decision,
/// hence never exported) tells the two apart. A tracer is bound to its provider when made, so
/// the answer holds for the tracer's life.
fn is_noop(tracer: &BoxedTracer) -> bool {
    let probe = tracer
        .span_builder("kratos.probe")
        .with_sampling_result(SamplingResult {
            decision: SamplingDecision::Drop,
            attributes: Vec::new(),
            trace_state: TraceState::default(),
        });
    let span = tracer.build_with_context(probe, &OtelContext::new());
    !span.is_recording() && !span.span_context().is_valid()
}

/// The W3C header that carries the caller's trace.
const TRACEPARENT: HeaderName = HeaderName::from_static("traceparent");

/// One propagator for every call (it holds no state).
static PROPAGATOR: std::sync::LazyLock<TraceContextPropagator> =
    std::sync::LazyLock::new(TraceContextPropagator::new);

impl Middleware for Tracing {
    fn wrap(&self, next: Handler) -> Handler {
        let tracing = self.clone();
        Arc::new(move |mut ctx: Context, request: Message| {
            let Some(otel) = tracing.begin(&mut ctx) else {
                return next(ctx, request);
            };
            let reply = next(ctx, request).with_context(otel.clone());
            Box::pin(async move {
                let result = reply.await;
                end_span(&otel, result.as_ref().map(|_| ()));
                result
            })
        })
    }
}

impl Tracing {
    /// Before the call: the context (with its span) to run it in, or `None` when there is no
    /// span to make. Puts the span's ids in `ctx`; a client's span also goes on in its headers.
    pub(crate) fn begin(&self, ctx: &mut Context) -> Option<OtelContext> {
        let incoming =
            self.kind == SpanKind::Server && ctx.request_headers().contains_key(TRACEPARENT);
        // No SDK and no trace to continue (no `traceparent`, no span around the call): there
        // is nothing to record or pass on, so nothing is built.
        if self.noop && !incoming && !OtelContext::map_current(TraceContextExt::has_active_span) {
            return None;
        }
        self.span(incoming, ctx)
    }

    /// The span part of [`begin`](Self::begin). Out of line: with no SDK and no trace to
    /// continue, a call's path stays the few lines above.
    #[inline(never)]
    fn span(&self, incoming: bool, ctx: &mut Context) -> Option<OtelContext> {
        // Without `traceparent` the propagator would find nothing: skip its work.
        let parent = if incoming {
            PROPAGATOR.extract(&Headers(ctx.request_headers()))
        } else {
            OtelContext::current()
        };
        let mut span = self.tracer.build_with_context(
            self.tracer
                .span_builder(Cow::Borrowed(ctx.operation()))
                .with_kind(self.kind.clone()),
            &parent,
        );
        let span_context = span.span_context().clone();
        if !span.is_recording() && !span_context.is_valid() {
            // No tracer provider and no incoming trace: nothing to record or pass on.
            return None;
        }
        if span.is_recording() {
            span.set_attribute(KeyValue::new("kratos.transport", ctx.kind().as_str()));
            span.set_attribute(KeyValue::new("kratos.operation", ctx.operation()));
        }
        let otel = parent.with_span(span);
        // With no tracer provider spans are no-ops with invalid ids: say nothing.
        if span_context.is_valid() {
            ctx.extensions_mut().insert(Ids {
                trace: span_context.trace_id(),
                span: span_context.span_id(),
            });
        }
        if self.kind == SpanKind::Client {
            PROPAGATOR.inject_context(&otel, &mut HeadersMut(ctx.request_headers_mut()));
        }
        Some(otel)
    }
}

/// Ends the call's span, marked with the error if it failed.
pub(crate) fn end_span(otel: &OtelContext, outcome: Result<(), &Error>) {
    let span = otel.span();
    if let Err(error) = outcome {
        span.set_attribute(KeyValue::new("kratos.code", i64::from(error.code())));
        span.set_attribute(KeyValue::new("kratos.reason", error.reason().to_owned()));
        span.set_status(Status::error(error.message().to_owned()));
    }
    span.end();
}

#[cfg(test)]
mod tests {
    use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};

    use super::*;
    use crate::middleware::Chain;
    use crate::transport::Kind;

    #[tokio::test]
    async fn server_span_continues_the_callers_trace_and_client_spans_propagate() {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();

        let mut server = Chain::new();
        server.push(Tracing::server().with_provider(&provider));
        let mut client = Chain::new();
        client.push(Tracing::client().with_provider(&provider));
        let client = Arc::new(client);

        let mut headers = HeaderMap::new();
        let caller_trace = "4bf92f3577b34da6a3ce929d0e0e4736";
        headers.insert(
            "traceparent",
            format!("00-{caller_trace}-00f067aa0ba902b7-01")
                .parse()
                .unwrap(),
        );
        let ctx = Context::new(Kind::Grpc, "/a.B/C", headers);
        let (seen_trace, sent) = server
            .call(ctx, (), move |ctx, ()| {
                let client = Arc::clone(&client);
                async move {
                    let trace = trace_id(&ctx).unwrap();
                    let outgoing = Context::new(Kind::Http, "/d.E/F", HeaderMap::new());
                    let sent = client
                        .call(outgoing, (), |ctx, ()| async move {
                            Ok(ctx.request_headers().clone())
                        })
                        .await?;
                    Ok((trace, sent))
                }
            })
            .await
            .unwrap();
        assert_eq!(seen_trace, caller_trace);
        let traceparent = sent["traceparent"].to_str().unwrap().to_owned();
        assert!(
            traceparent.starts_with(&format!("00-{caller_trace}-")),
            "{traceparent}"
        );

        let spans = exporter.get_finished_spans().unwrap();
        let server_span = spans
            .iter()
            .find(|s| s.name == "/a.B/C")
            .expect("server span");
        let client_span = spans
            .iter()
            .find(|s| s.name == "/d.E/F")
            .expect("client span");
        assert_eq!(server_span.span_kind, SpanKind::Server);
        assert_eq!(server_span.parent_span_id.to_string(), "00f067aa0ba902b7");
        assert_eq!(client_span.span_kind, SpanKind::Client);
        assert_eq!(
            client_span.parent_span_id,
            server_span.span_context.span_id()
        );
        assert_eq!(
            client_span.span_context.trace_id().to_string(),
            caller_trace
        );
        // The client sent its own span id as the parent of the next hop.
        assert!(traceparent.contains(&client_span.span_context.span_id().to_string()));
    }

    #[tokio::test]
    async fn a_failed_call_marks_its_span() {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        let mut chain = Chain::new();
        chain.push(Tracing::server().with_provider(&provider));
        let ctx = Context::new(Kind::Http, "/a.B/Fail", HeaderMap::new());
        let _ = chain
            .call(ctx, (), |_, ()| async move {
                Err::<(), _>(crate::errors::not_found("USER_NOT_FOUND", "gone"))
            })
            .await;
        let spans = exporter.get_finished_spans().unwrap();
        let span = &spans[0];
        assert_eq!(span.status, Status::error("gone"));
        assert!(
            span.attributes
                .contains(&KeyValue::new("kratos.code", 404_i64))
        );
        assert!(
            span.attributes
                .contains(&KeyValue::new("kratos.reason", "USER_NOT_FOUND"))
        );
        assert!(span.parent_span_id == opentelemetry::trace::SpanId::INVALID);
    }

    /// Without an SDK provider, a call with no trace to continue costs nothing, and one with a
    /// `traceparent` still carries the caller's ids (the no-op tracer propagates them). The
    /// probe tells the no-op tracer from an SDK one and exports nothing.
    #[tokio::test]
    async fn without_an_sdk_the_callers_trace_still_passes_through() {
        let exporter = InMemorySpanExporter::default();
        let provider = SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        let sdk = Tracing::server().with_provider(&provider);
        let noop =
            Tracing::server().with_provider(&opentelemetry::trace::noop::NoopTracerProvider::new());
        assert!(!sdk.noop);
        assert!(noop.noop);
        assert!(
            exporter.get_finished_spans().unwrap().is_empty(),
            "the probe was exported"
        );

        let mut chain = Chain::new();
        chain.push(noop);
        let seen = |headers: HeaderMap| {
            let ctx = Context::new(Kind::Http, "/a.B/C", headers);
            chain.call(ctx, (), |ctx, ()| async move {
                Ok((trace_id(&ctx), span_id(&ctx)))
            })
        };
        assert_eq!(seen(HeaderMap::new()).await.unwrap(), (None, None));

        let mut headers = HeaderMap::new();
        headers.insert(
            "traceparent",
            "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
                .parse()
                .unwrap(),
        );
        assert_eq!(
            seen(headers).await.unwrap(),
            (
                Some("4bf92f3577b34da6a3ce929d0e0e4736".to_owned()),
                Some("00f067aa0ba902b7".to_owned())
            )
        );
    }
}
