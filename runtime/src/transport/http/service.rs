//! The server as a tower `Service`: routing, body limits, timeouts and the
//! answer for every failure.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};
use std::time::Duration;

use bytes::Bytes;
use http::header::{ACCEPT, ALLOW, CONTENT_LENGTH, CONTENT_TYPE};
use http::{HeaderMap, HeaderValue, Method, StatusCode};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};

use super::body::ReplyBody;
use super::router::{Lookup, PathParams, Router};
use super::server::{ErrorEncoder, ResponseEncoder};
use super::{Response, RouteRequest};
use crate::encoding::{self, JsonOptions, ReplyFormat};
use crate::errors::reasons;
use crate::errors::{Error, bounded_message};
use crate::middleware::recovery::recover;
use crate::middleware::{BoxFuture, CallSite, Chain, Message};
use crate::transport::serve::BodyReadTimeout;
use crate::transport::{Context, Deadline, Kind, before};

/// A registered route.
pub(crate) struct Route {
    pub(crate) operation: &'static str,
    pub(crate) handler: RouteHandler,
    /// Its index in `Shared::sites`.
    pub(crate) site: usize,
}

/// A request no route takes: the error to answer, and the headers that go with it.
type Refused = (Error, HeaderMap);

pub(crate) type RouteHandler =
    Arc<dyn Fn(RouteRequest) -> BoxFuture<Result<http::Response<ReplyBody>, Error>> + Send + Sync>;

/// Everything a request needs from the server, shared by all requests.
pub(crate) struct Shared {
    pub(crate) router: Router<Route>,
    /// Each route's place in the middleware chain, indexed by `Route::site`.
    pub(crate) sites: Box<[CallSite]>,
    pub(crate) middleware: Chain,
    /// Whether `middleware` has recovery: then a panic while a request is decoded or its reply
    /// encoded (outside the chain) is recovered too.
    pub(crate) recovers: bool,
    pub(crate) timeout: Option<Duration>,
    pub(crate) body_limit: usize,
    pub(crate) json: JsonOptions,
    pub(crate) response_encoder: Option<ResponseEncoder>,
    pub(crate) error_encoder: Option<ErrorEncoder>,
    /// How often an idle SSE stream sends a heartbeat comment.
    pub(crate) stream_heartbeat: Option<Duration>,
    /// Run on every message of a stream (see `middleware::stream`).
    pub(crate) stream_middleware: Chain,
}

/// The HTTP server as a tower `Service`; clone it freely (it is an `Arc`).
///
/// Mount it in axum with `Router::new().fallback_service(service)` or
/// `nest_service`, or wrap it in any tower layer.
#[derive(Clone)]
pub struct HttpService {
    shared: Arc<Shared>,
}

impl std::fmt::Debug for HttpService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HttpService").finish_non_exhaustive()
    }
}

impl HttpService {
    pub(crate) fn new(shared: Shared) -> Self {
        Self {
            shared: Arc::new(shared),
        }
    }
}

impl<B> tower_service::Service<http::Request<B>> for HttpService
where
    B: http_body::Body<Data = Bytes> + Send + 'static,
    B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
{
    type Response = http::Response<ReplyBody>;
    type Error = Infallible;
    type Future = BoxFuture<Result<http::Response<ReplyBody>, Infallible>>;

    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: http::Request<B>) -> Self::Future {
        // The handler's future boxed as it is: an `async` block around it would hold the
        // request once more, and a larger box costs more to allocate and move.
        Box::pin(Arc::clone(&self.shared).handle(request))
    }
}

impl Shared {
    async fn handle<B>(
        self: Arc<Self>,
        request: http::Request<B>,
    ) -> Result<http::Response<ReplyBody>, Infallible>
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let (mut parts, body) = request.into_parts();
        let header = |name| parts.headers.get(name).and_then(|v| v.to_str().ok());
        let accept = ReplyFormat::negotiate(header(ACCEPT), header(CONTENT_TYPE));

        let (result, extra_headers, head) = match self.find(&parts.method, parts.uri.path()) {
            Err(refused) => {
                let (error, headers) = *refused;
                (Err(error), headers, false)
            }
            Ok((route, params, head)) => {
                let headers = std::mem::take(&mut parts.headers);
                let mut ctx = Context::new(Kind::Http, route.operation, headers);
                // The call's clock covers reading the body: a slow upload counts against it.
                let deadline = Deadline::start(&mut ctx, self.timeout);
                let mut timer = std::pin::pin!(deadline.as_ref().map(Deadline::timer));
                let exceeded = || Err(Deadline::exceeded(deadline.as_ref(), route.operation));
                let read = before(timer.as_mut(), self.read_body(ctx.request_headers(), body));
                let result = match read.await {
                    None => exceeded(),
                    Some(Err(error)) => Err(error),
                    Some(Ok(body)) => {
                        let request = RouteRequest::new(
                            ctx.clone(),
                            parts,
                            params,
                            body,
                            accept,
                            Arc::clone(&self),
                            route.site,
                        );
                        let call = Recovering {
                            call: (route.handler)(request),
                            operation: self.recovers.then_some(route.operation),
                        };
                        before(timer.as_mut(), call).await.unwrap_or_else(exceeded)
                    }
                };
                let result = match result {
                    Err(error) if !ctx.entered_chain() && !self.middleware.is_empty() => {
                        // Boxed: a cold path whose future would otherwise widen every call's.
                        let failing = Box::pin(self.fail_through_chain(ctx.clone(), error));
                        Err(failing.await)
                    }
                    result => result,
                };
                (result, ctx.take_reply_headers(), head)
            }
        };
        // The one place a failure becomes the answer.
        let mut response =
            result.unwrap_or_else(|error| self.error_response(&error, accept).map(ReplyBody::from));
        // Most calls set none, and extending by an empty map still builds and drops its iterator.
        if !extra_headers.is_empty() {
            response.headers_mut().extend(extra_headers);
        }
        if head {
            return Ok(without_body(response));
        }
        Ok(response)
    }

    /// The route for `method` and `path`, its path values, and whether it answers HEAD as GET;
    /// else the error to answer, with the headers that go with it (`Allow` on a 405), boxed:
    /// the found route is the path to keep small.
    fn find(
        &self,
        method: &Method,
        path: &str,
    ) -> Result<(&Route, PathParams, bool), Box<Refused>> {
        let mut head = false;
        let lookup = match self.router.lookup(method, path) {
            // HEAD on a GET route is answered as GET, without the body (RFC 9110 9.3.2).
            Lookup::MethodNotAllowed { allow }
                if method == Method::HEAD && allow.contains(&Method::GET) =>
            {
                head = true;
                self.router.lookup(&Method::GET, path)
            }
            lookup => lookup,
        };
        match lookup {
            Lookup::Found(matched) => {
                let route = matched.value;
                Ok((route, matched.into_params(), head))
            }
            Lookup::NotFound => {
                let message = bounded_message(format!("no route for {method} {path}"));
                Err(Box::new((
                    Error::new(404, reasons::NOT_FOUND, message),
                    HeaderMap::new(),
                )))
            }
            Lookup::MethodNotAllowed { allow } => {
                let allowed: Vec<&str> = allow.iter().map(http::Method::as_str).collect();
                let allowed = allowed.join(", ");
                let message = bounded_message(format!(
                    "{method} is not allowed on {path}; allowed: {allowed}"
                ));
                let mut headers = HeaderMap::new();
                if let Ok(value) = HeaderValue::from_str(&allowed) {
                    headers.insert(ALLOW, value);
                }
                Err(Box::new((
                    Error::new(405, reasons::METHOD_NOT_ALLOWED, message),
                    headers,
                )))
            }
            Lookup::BadPath(message) => Err(Box::new((
                Error::new(400, reasons::CODEC, bounded_message(message)),
                HeaderMap::new(),
            ))),
        }
    }

    /// Runs a call that failed before it entered the middleware chain (its body could not be
    /// read, its request not decoded) through the chain, as a call of an empty request that
    /// fails with `error`: the access log, metrics and tracing see every call that reached a
    /// route, and a middleware may still change the error. The answer is the error the chain
    /// returns (`error` itself should a middleware turn the failure into a reply).
    #[cold]
    async fn fail_through_chain(&self, ctx: Context, error: Error) -> Error {
        let fails = error.clone();
        let call = move |_: Context, (): ()| std::future::ready(Err::<(), Error>(fails.clone()));
        match self
            .middleware
            .start(None, ctx, Message::reflective(()), call)
            .await
        {
            Ok(_) => error,
            Err(changed) => changed,
        }
    }

    async fn read_body<B>(&self, headers: &http::HeaderMap, body: B) -> Result<Bytes, Error>
    where
        B: http_body::Body<Data = Bytes> + Send + 'static,
        B::Error: Into<Box<dyn std::error::Error + Send + Sync>>,
    {
        let too_large = || {
            Error::new(
                413,
                reasons::BODY_TOO_LARGE,
                format!(
                    "request body is larger than the limit of {} bytes",
                    self.body_limit
                ),
            )
        };
        // hyper's bodies carry a declared length as an exact size hint; the header is read
        // only for bodies that do not (a service mounted in axum may be given any body).
        let declared = body.size_hint().exact().or_else(|| {
            headers
                .get(CONTENT_LENGTH)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.parse::<u64>().ok())
        });
        if declared.is_some_and(|len| len > self.body_limit as u64) {
            return Err(too_large());
        }
        if body.is_end_stream() {
            return Ok(Bytes::new());
        }
        match Limited::new(body, self.body_limit).collect().await {
            Ok(collected) => Ok(collected.to_bytes()),
            Err(err) if err.downcast_ref::<LengthLimitError>().is_some() => Err(too_large()),
            Err(err) if err.downcast_ref::<BodyReadTimeout>().is_some() => {
                Err(Error::new(408, reasons::REQUEST_TIMEOUT, err.to_string()))
            }
            Err(err) => Err(Error::new(
                400,
                reasons::CODEC,
                format!("cannot read the request body: {err}"),
            )),
        }
    }

    pub(crate) fn error_response(&self, err: &Error, accept: ReplyFormat) -> Response {
        if let Some(encoder) = &self.error_encoder {
            return encoder(err, accept.format());
        }
        let (_, body) = encoding::encode_error(err, accept.format());
        let content_type = accept.content_type();
        let status =
            StatusCode::from_u16(err.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = http::Response::new(Full::new(Bytes::from(body)));
        *response.status_mut() = status;
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(content_type));
        response
    }

    pub(crate) fn reply_response(
        &self,
        accept: ReplyFormat,
        body: Vec<u8>,
    ) -> Result<Response, Error> {
        if let Some(encoder) = &self.response_encoder {
            return encoder(accept.format(), body);
        }
        let mut response = http::Response::new(Full::new(Bytes::from(body)));
        response.headers_mut().insert(
            CONTENT_TYPE,
            HeaderValue::from_static(accept.content_type()),
        );
        Ok(response)
    }
}

pin_project_lite::pin_project! {
    /// A route's call that, for an `operation` (a chain with recovery), answers a panic as
    /// recovery does: `500 UNKNOWN`.
    struct Recovering<F> {
        #[pin]
        call: F,
        operation: Option<&'static str>,
    }
}

impl<F: Future<Output = Result<http::Response<ReplyBody>, Error>>> Future for Recovering<F> {
    type Output = F::Output;

    fn poll(self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let Some(operation) = *this.operation else {
            return this.call.poll(cx);
        };
        let call = this.call;
        recover(operation, || call.poll(cx)).unwrap_or_else(|error| Poll::Ready(Err(error)))
    }
}

/// The answer to HEAD: the GET response's head, its body's length if known, no body (a
/// stream's handler is dropped unpolled).
fn without_body(response: http::Response<ReplyBody>) -> http::Response<ReplyBody> {
    let (mut parts, body) = response.into_parts();
    if let Some(length) = http_body::Body::size_hint(&body).exact() {
        parts
            .headers
            .insert(CONTENT_LENGTH, HeaderValue::from(length));
    }
    http::Response::from_parts(parts, ReplyBody::empty())
}

#[cfg(test)]
mod tests {
    use tower_service::Service as _;

    use super::*;
    use crate::middleware::Handler;
    use crate::transport::http::Server;

    /// `GET path` through `server`: status and body.
    async fn get(server: &mut HttpService, path: &str) -> (u16, String) {
        let request = http::Request::get(path)
            .body(Full::new(Bytes::new()))
            .unwrap();
        let response = server.call(request).await.unwrap();
        let status = response.status().as_u16();
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, String::from_utf8(body.to_vec()).unwrap())
    }

    fn text(body: String) -> Result<Response, Error> {
        Ok(http::Response::new(Full::new(Bytes::from(body))))
    }

    #[tokio::test]
    async fn a_route_that_makes_two_kinds_of_call_runs_each_to_its_own_endpoint() {
        // The route's call site remembers the wrapped handler of the first kind of call; the
        // other kind must not be run through it (its endpoint would not be found: 500).
        let mut server = Server::new().middleware(|next: Handler| next);
        server
            .route("GET", "/say/{how}", "/test.Say/Say", |request| async move {
                let reply = if request.path_value(0) == "loud" {
                    request
                        .invoke(String::from("hi"), |_, text: String| async move {
                            Ok(text.to_uppercase())
                        })
                        .await?
                } else {
                    request
                        .invoke(String::from("HI"), |_, text: String| async move {
                            Ok(text.to_lowercase())
                        })
                        .await?
                };
                text(reply)
            })
            .unwrap();
        let mut service = server.into_service();
        for _ in 0..2 {
            assert_eq!(get(&mut service, "/say/loud").await, (200, "HI".into()));
            assert_eq!(get(&mut service, "/say/soft").await, (200, "hi".into()));
        }
    }

    /// `method path` through `service`: status, `Content-Length` and body.
    async fn call(
        service: &mut HttpService,
        method: http::Method,
        path: &str,
    ) -> (u16, Option<String>, String) {
        let request = http::Request::builder()
            .method(method)
            .uri(path)
            .body(Full::new(Bytes::new()))
            .unwrap();
        let response = service.call(request).await.unwrap();
        let status = response.status().as_u16();
        let length = response
            .headers()
            .get(CONTENT_LENGTH)
            .map(|value| value.to_str().unwrap().to_owned());
        let body = response.into_body().collect().await.unwrap().to_bytes();
        (status, length, String::from_utf8(body.to_vec()).unwrap())
    }

    #[tokio::test]
    async fn head_on_a_get_route_answers_as_get_without_the_body() {
        let mut server = Server::new();
        server
            .route(
                "GET",
                "/hello/{name}",
                "/test.Hello/Get",
                |request| async move { text(format!("hello {}", request.path_value(0))) },
            )
            .unwrap();
        server
            .route("POST", "/only-post", "/test.Hello/Post", |_| async move {
                text(String::from("posted"))
            })
            .unwrap();
        let mut service = server.into_service();
        assert_eq!(
            call(&mut service, http::Method::HEAD, "/hello/you").await,
            (200, Some("9".to_owned()), String::new())
        );
        // Only GET routes answer HEAD.
        let (status, _, _) = call(&mut service, http::Method::HEAD, "/only-post").await;
        assert_eq!(status, 405);
        let (status, _, _) = call(&mut service, http::Method::HEAD, "/nowhere").await;
        assert_eq!(status, 404);
    }

    use crate::middleware::logging::tests::LOGGING;

    #[tokio::test]
    async fn with_recovery_a_panic_while_decoding_is_500_and_counted() {
        let _logging = LOGGING.lock().await;
        let registry = crate::middleware::metrics::Registry::new();
        let mut server = Server::new()
            .middleware(crate::middleware::recovery::Recovery::new())
            .middleware(crate::middleware::metrics::Metrics::server(&registry));
        // Panics where a generated route decodes its request, before the chain.
        server
            .route("GET", "/decode", "/test.Decode/Decode", |_| async move {
                panic!("the decoder broke")
            })
            .unwrap();
        let mut service = server.into_service();
        let (status, body) = get(&mut service, "/decode").await;
        assert_eq!(status, 500, "{body}");
        assert!(body.contains(r#""reason":"UNKNOWN""#), "{body}");
        let metrics = registry.render();
        assert!(
            metrics.contains(r#"operation="/test.Decode/Decode",code="500",reason="UNKNOWN"} 1"#),
            "{metrics}"
        );
    }

    /// Whether two clones of a call's context, asked a moment apart, report the same start.
    async fn one_start(mut server: Server) -> bool {
        server
            .route("GET", "/start", "/test.Start/Start", |request| async move {
                let first = request.context().clone().record_start();
                tokio::time::sleep(Duration::from_millis(5)).await;
                let second = request.context().clone().record_start();
                text(format!("{}", first == second))
            })
            .unwrap();
        let (status, same) = get(&mut server.into_service(), "/start").await;
        assert_eq!(status, 200);
        same == "true"
    }

    #[tokio::test]
    async fn the_timeout_clock_read_is_the_calls_start() {
        // The transport set the start (had it not, each clone would read the clock when first
        // asked) ...
        assert!(one_start(Server::new()).await);
        // ... but with no timeout it does not read the clock for one: the first to ask does.
        assert!(!one_start(Server::new().timeout(None)).await);
    }
}

/// The built-in middleware run typed (see `middleware::typed`) must behave as through the erased
/// chain: the same answers, metrics, access log and spans.
#[cfg(test)]
mod typed_steps {
    use tower_service::Service as _;

    use super::*;
    use crate::middleware::logging::tests::Lines;
    use crate::middleware::metrics::{Metrics, Registry};
    use crate::middleware::{Handler, logging::Logging, recovery::Recovery};
    use crate::transport::http::Server;

    use crate::middleware::logging::tests::LOGGING;

    /// What one path showed for the four calls.
    #[derive(Debug, PartialEq)]
    struct Seen {
        answers: Vec<(u16, String)>,
        metrics: String,
        log: Vec<String>,
        spans: Vec<String>,
        typed: bool,
    }

    /// Serves `/call/{how}` through the four built-in middleware (plus a no-op closure when
    /// `erased`, which keeps the chain from running typed) and calls it four ways.
    async fn run(erased: bool) -> Seen {
        let registry = Registry::new();
        #[cfg(feature = "otel")]
        let exporter = opentelemetry_sdk::trace::InMemorySpanExporter::default();
        #[cfg(feature = "otel")]
        let provider = opentelemetry_sdk::trace::SdkTracerProvider::builder()
            .with_simple_exporter(exporter.clone())
            .build();
        let mut server = Server::new().middleware(Recovery::new());
        #[cfg(feature = "otel")]
        {
            server = server
                .middleware(crate::middleware::tracing::Tracing::server().with_provider(&provider));
        }
        server = server
            .middleware(Metrics::server(&registry))
            .middleware(Logging::server());
        if erased {
            server = server.middleware(|next: Handler| next);
        }
        server
            .route(
                "GET",
                "/call/{how}",
                "/test.Calls/Call",
                |request| async move {
                    let how = request.path_value(0).to_owned();
                    let reply = request
                        .invoke(how, |_, how: String| {
                            if how == "eager" {
                                panic!("before the call's future");
                            }
                            async move {
                                match how.as_str() {
                                    "fail" => Err(Error::new(404, "GONE", "it is gone")),
                                    "panic" => panic!("in the call's future"),
                                    _ => Ok(format!("did {how}")),
                                }
                            }
                        })
                        .await?;
                    Ok(http::Response::new(Full::new(Bytes::from(reply))))
                },
            )
            .unwrap();
        let mut service = server.into_service();
        let lines = Lines::default();
        let writer = lines.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .without_time()
            .with_max_level(tracing::Level::INFO)
            .finish();
        let _guard = tracing::subscriber::set_default(subscriber);
        tracing::callsite::rebuild_interest_cache();
        let mut answers = Vec::new();
        for how in ["ok", "fail", "panic", "eager"] {
            let request = http::Request::get(format!("/call/{how}"))
                .body(Full::new(Bytes::new()))
                .unwrap();
            let response = service.call(request).await.unwrap();
            let status = response.status().as_u16();
            let body = response.into_body().collect().await.unwrap().to_bytes();
            answers.push((status, String::from_utf8(body.to_vec()).unwrap()));
        }
        // Latencies and trace ids differ from run to run; the rest must not.
        let varying = ["latency=", "trace_id=", "span_id="];
        let log = String::from_utf8(lines.0.lock().unwrap().clone())
            .unwrap()
            .lines()
            .map(|line| {
                line.split(' ')
                    .filter(|word| !varying.iter().any(|prefix| word.starts_with(prefix)))
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        let metrics = registry
            .render()
            .lines()
            .filter(|line| !line.contains("_sum"))
            .collect::<Vec<_>>()
            .join("\n");
        #[cfg(feature = "otel")]
        let spans = exporter
            .get_finished_spans()
            .unwrap()
            .iter()
            .map(|span| {
                let mut attributes: Vec<String> = span
                    .attributes
                    .iter()
                    .map(|kv| format!("{}={}", kv.key, kv.value))
                    .collect();
                attributes.sort();
                format!("{} {:?} {:?}", span.name, span.status, attributes)
            })
            .collect();
        #[cfg(not(feature = "otel"))]
        let spans = Vec::new();
        let typed = matches!(service.shared.sites[0].runs_typed(), Some(true));
        Seen {
            answers,
            metrics,
            log,
            spans,
            typed,
        }
    }

    /// Whether `server`'s one route ran its chain typed, after one call.
    async fn ran_typed(mut server: Server) -> bool {
        server
            .route("GET", "/one", "/test.One/One", |request| async move {
                let reply = request
                    .invoke(String::new(), |_, text: String| async move { Ok(text) })
                    .await?;
                Ok(http::Response::new(Full::new(Bytes::from(reply))))
            })
            .unwrap();
        let mut service = server.into_service();
        let request = http::Request::get("/one")
            .body(Full::new(Bytes::new()))
            .unwrap();
        assert_eq!(service.call(request).await.unwrap().status(), 200);
        service.shared.sites[0].runs_typed().unwrap()
    }

    #[tokio::test]
    async fn only_built_in_middleware_run_typed() {
        let _logging = LOGGING.lock().await;
        let registry = Registry::new();
        let metrics = || Metrics::server(&registry);
        assert!(
            ran_typed(
                Server::new()
                    .middleware(Recovery::new())
                    .middleware(metrics())
            )
            .await
        );
        // Packaged in a chain, too.
        let mut chain = crate::middleware::Chain::new();
        chain.push(Recovery::new());
        chain.push(Logging::server());
        assert!(ran_typed(Server::new().middleware(chain).middleware(metrics())).await);
        #[cfg(feature = "validate")]
        assert!(
            ran_typed(
                Server::new()
                    .middleware(Recovery::new())
                    .middleware(crate::middleware::validate::Validate::new())
            )
            .await
        );
        // Recovery must cover the others; a summarizer reads the request; anything else is
        // not built in.
        assert!(
            !ran_typed(
                Server::new()
                    .middleware(metrics())
                    .middleware(Recovery::new())
            )
            .await
        );
        let summarized = Logging::server().args(|_| Some("args".to_owned()));
        assert!(!ran_typed(Server::new().middleware(summarized)).await);
        let selected = crate::middleware::selector::Selector::new(metrics())
            .prefix("/test.")
            .build();
        assert!(!ran_typed(Server::new().middleware(selected)).await);
    }

    #[tokio::test]
    async fn run_as_through_the_erased_chain() {
        let _logging = LOGGING.lock().await;
        let typed = run(false).await;
        let erased = run(true).await;
        assert!(typed.typed && !erased.typed, "one path each");
        assert_eq!(
            typed.answers,
            [
                (200, "did ok".to_owned()),
                (
                    404,
                    r#"{"code":404,"reason":"GONE","message":"it is gone","metadata":{}}"#
                        .to_owned()
                ),
                (
                    500,
                    r#"{"code":500,"reason":"UNKNOWN","message":"internal error","metadata":{}}"#
                        .to_owned()
                ),
                (
                    500,
                    r#"{"code":500,"reason":"UNKNOWN","message":"internal error","metadata":{}}"#
                        .to_owned()
                ),
            ]
        );
        // Both calls that returned were counted and logged, the panics were not (recovery sits
        // outside the others), and the log names the failure.
        assert!(
            typed.metrics.contains(r#"code="404",reason="GONE"} 1"#),
            "{}",
            typed.metrics
        );
        assert!(
            typed.metrics.contains(r#"code="0",reason=""} 1"#),
            "{}",
            typed.metrics
        );
        assert!(
            typed
                .log
                .iter()
                .any(|line| line.contains("reason=\"GONE\"")),
            "{:?}",
            typed.log
        );
        // Every call had its span; a panicked call's ends when it is dropped, unmarked.
        #[cfg(feature = "otel")]
        assert_eq!(typed.spans.len(), 4, "{:?}", typed.spans);
        let Seen {
            answers,
            metrics,
            log,
            spans,
            ..
        } = erased;
        assert_eq!(typed.answers, answers);
        assert_eq!(typed.metrics, metrics);
        assert_eq!(typed.log, log);
        assert_eq!(typed.spans, spans);
    }
}
