//! Reading a server-streaming call: the replies of an SSE or NDJSON response as a
//! [`ReplyStream`].

use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context as TaskContext, Poll};

use bytes::Bytes;
use futures_core::Stream;
use http::HeaderValue;
use http::header::{ACCEPT, CONTENT_TYPE};
use http_body::Body as _;
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;

use super::stream_frames::{Event, FrameReader, Framing};
use super::{Call, CallBody, CallOptions, Client, reply};
use crate::encoding::{Format, HttpMessage, JsonOptions};
use crate::errors::Error;
use crate::errors::reasons;
use crate::transport::{Context, Kind, ReplyStream};

impl Client {
    /// Opens a server-streaming call; generated client methods of `stream` replies call this.
    /// It asks for NDJSON (a call header can ask for `text/event-stream` instead; both are
    /// read) and returns once the reply's head has come, within the call's timeout; the
    /// replies then come as the server sends them, until it ends the stream or sends its error
    /// (the last item). Each event is limited to the client's body limit. The client's chain
    /// runs once around the opening. Drop the stream to end the call.
    ///
    /// Bodies go as JSON; a `discovery:///` target is not supported for streams yet.
    pub async fn invoke_stream<Req, Rep>(&self, call: Call<Req>) -> Result<ReplyStream<Rep>, Error>
    where
        Req: HttpMessage + Send + 'static,
        Rep: HttpMessage + Default + Send + 'static,
    {
        let Call {
            operation,
            method,
            path_and_query,
            request,
            body,
            options,
            ..
        } = call;
        let CallOptions {
            headers: call_headers,
            timeout,
            invalid,
            ..
        } = options;
        if let Some(error) = invalid {
            return Err(error);
        }
        let inner = Arc::clone(&self.inner);
        if inner.resolver.is_some() {
            return Err(Error::new(
                400,
                reasons::INVALID_CONFIG,
                format!("{operation}: streams from a discovery:/// target are not supported yet"),
            ));
        }
        let method = super::http_method(operation, method)?;
        let uri = inner.base.join(&path_and_query)?;
        let mut headers = super::merge_headers(&inner.headers, call_headers);
        if !headers.contains_key(ACCEPT) {
            headers.insert(ACCEPT, HeaderValue::from_static("application/x-ndjson"));
        }
        let limit = match timeout {
            Some(std::time::Duration::ZERO) => None,
            Some(timeout) => Some(timeout),
            None => inner.timeout,
        };
        let ctx = Context::new(Kind::Http, operation, headers);
        inner
            .middleware
            .clone()
            .call(ctx, request, move |ctx, request: Req| {
                let inner = Arc::clone(&inner);
                let method = method.clone();
                let uri = uri.clone();
                async move {
                    let bytes = match body {
                        CallBody::None => Vec::new(),
                        CallBody::Whole => request.encode_reply(Format::Json, &inner.json)?,
                        CallBody::Field(field) => {
                            request.encode_reply_field(Format::Json, field, &inner.json)?
                        }
                    };
                    let mut http_request = http::Request::new(Full::new(Bytes::from(bytes)));
                    *http_request.method_mut() = method;
                    *http_request.uri_mut() = uri;
                    *http_request.headers_mut() = ctx.request_headers().clone();
                    if !matches!(body, CallBody::None) {
                        http_request.headers_mut().insert(
                            CONTENT_TYPE,
                            HeaderValue::from_static(Format::Json.content_type()),
                        );
                    }
                    let sent = inner.http.request(http_request);
                    let response = match limit {
                        Some(limit) => tokio::time::timeout(limit, sent)
                            .await
                            .map_err(|elapsed| reply::timeout_error(operation, limit, elapsed))?,
                        None => sent.await,
                    }
                    .map_err(|error| {
                        reply::transport_error(
                            &format!("{operation}: opening the stream failed"),
                            error,
                        )
                    })?;
                    let (parts, body) = response.into_parts();
                    *ctx.reply_headers() = parts.headers.clone();
                    let content_type = parts
                        .headers
                        .get(CONTENT_TYPE)
                        .and_then(|value| value.to_str().ok());
                    if !parts.status.is_success() {
                        let format = reply::reply_format(content_type);
                        let body = Limited::new(body, inner.body_limit)
                            .collect()
                            .await
                            .map(|collected| collected.to_bytes())
                            .unwrap_or_default();
                        return Err(reply::decode_error(parts.status, format, &body));
                    }
                    Ok(ReplyStream::new(Replies::<Rep> {
                        operation,
                        body,
                        reader: FrameReader::new(Framing::of(content_type), inner.body_limit),
                        json: inner.json.clone(),
                        done: false,
                        reply: std::marker::PhantomData,
                    }))
                }
            })
            .await
    }
}

/// The replies in a streamed response body.
struct Replies<Rep> {
    operation: &'static str,
    body: Incoming,
    reader: FrameReader,
    json: JsonOptions,
    done: bool,
    reply: std::marker::PhantomData<fn() -> Rep>,
}

impl<Rep: HttpMessage + Default> Replies<Rep> {
    fn decode(&self, event: Result<Event, Error>) -> Result<Rep, Error> {
        match event? {
            Event::Reply(json) => {
                let mut reply = Rep::default();
                reply.decode_body(Format::Json, &json, &self.json)?;
                Ok(reply)
            }
            Event::Failed(error) => Err(error),
        }
    }
}

impl<Rep: HttpMessage + Default> Stream for Replies<Rep> {
    type Item = Result<Rep, Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut TaskContext<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            if this.done {
                return Poll::Ready(None);
            }
            if let Some(event) = this.reader.next_event() {
                let reply = this.decode(event);
                // An error is the stream's last item.
                this.done = reply.is_err();
                return Poll::Ready(Some(reply));
            }
            match std::task::ready!(Pin::new(&mut this.body).poll_frame(cx)) {
                Some(Ok(frame)) => {
                    if let Some(data) = frame.data_ref() {
                        this.reader.push(data);
                    }
                }
                Some(Err(error)) => {
                    this.done = true;
                    let what = format!("{}: reading the stream failed", this.operation);
                    return Poll::Ready(Some(Err(reply::transport_error(&what, error))));
                }
                None => {
                    this.done = true;
                    if this.reader.has_partial() {
                        let what = format!("{}: the stream ended inside an event", this.operation);
                        return Poll::Ready(Some(Err(Error::new(503, reasons::TRANSPORT, what))));
                    }
                    return Poll::Ready(None);
                }
            }
        }
    }
}
