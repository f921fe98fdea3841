//! The code protoc-gen-kratos-http is to emit for `streaming.v1.Streamer`, written by hand
//! until it does (the plan is docs/streaming.md). Generated code would sit in the package's
//! module beside the messages and tonic's stubs, and name everything with `::`-absolute paths;
//! here `pb::` reaches them. Only the HTTP query binder and path writer differ: the generator
//! emits its usual `bind_query_*` / `write_query_*` functions for the request, written out
//! by hand here.

#![allow(unreachable_pub)] // written as generated code is: public items in a private test module

use std::future::Future;
use std::sync::Arc;

use kratos::errors::Error;
use kratos::transport::http::{
    Call, CallBody, CallOptions, RegisterError, RouteRequest, StreamReply,
};
use kratos::transport::{Context, ReplyStream, RequestStream, Stream};
use streaming_service::pb::{
    CountReply, CountRequest, Number, Total, streamer_client, streamer_server,
};

/// Operation of `Streamer.Count`.
pub const OPERATION_STREAMER_COUNT: &str = "/streaming.v1.Streamer/Count";
/// Operation of `Streamer.Sum`.
pub const OPERATION_STREAMER_SUM: &str = "/streaming.v1.Streamer/Sum";
/// Operation of `Streamer.Echo`.
pub const OPERATION_STREAMER_ECHO: &str = "/streaming.v1.Streamer/Echo";

/// The `Streamer` service, every RPC kind: implement it once, serve it over HTTP (its
/// server-streaming methods with an HTTP rule) and gRPC (all of them).
pub trait StreamerHttpServer: Send + Sync + 'static {
    /// Server streaming: one request, a stream of replies.
    fn count(
        &self,
        ctx: Context,
        request: CountRequest,
    ) -> impl Future<Output = Result<ReplyStream<CountReply>, Error>> + Send;
    /// Client streaming: a stream of requests, one reply.
    fn sum(
        &self,
        ctx: Context,
        requests: RequestStream<Number>,
    ) -> impl Future<Output = Result<Total, Error>> + Send;
    /// Bidirectional streaming.
    fn echo(
        &self,
        ctx: Context,
        requests: RequestStream<Number>,
    ) -> impl Future<Output = Result<ReplyStream<Number>, Error>> + Send;
}

impl<T: StreamerHttpServer + ?Sized> StreamerHttpServer for Arc<T> {
    fn count(
        &self,
        ctx: Context,
        request: CountRequest,
    ) -> impl Future<Output = Result<ReplyStream<CountReply>, Error>> + Send {
        T::count(self, ctx, request)
    }
    fn sum(
        &self,
        ctx: Context,
        requests: RequestStream<Number>,
    ) -> impl Future<Output = Result<Total, Error>> + Send {
        T::sum(self, ctx, requests)
    }
    fn echo(
        &self,
        ctx: Context,
        requests: RequestStream<Number>,
    ) -> impl Future<Output = Result<ReplyStream<Number>, Error>> + Send {
        T::echo(self, ctx, requests)
    }
}

/// Registers the HTTP routes: `GET /v1/count/{name}` -> `count` (streamed). `sum` and `echo`
/// stream requests, which HTTP/1 rules do not carry: they get no route.
pub fn register_streamer_http_server<S: StreamerHttpServer>(
    server: &mut kratos::transport::http::Server,
    service: S,
) -> Result<(), RegisterError> {
    let service = Arc::new(service);
    {
        let service = Arc::clone(&service);
        server.route_stream(
            "GET",
            "/v1/count/{name}",
            OPERATION_STREAMER_COUNT,
            move |request| serve_streamer_count_0(Arc::clone(&service), request),
        )?;
    }
    Ok(())
}

/// `GET /v1/count/{name}`: binds the request, opens `count`'s stream, streams the replies.
async fn serve_streamer_count_0<S: StreamerHttpServer>(
    service: Arc<S>,
    request: RouteRequest,
) -> Result<StreamReply, Error> {
    let mut message = CountRequest::default();
    for pair in request.query_pairs() {
        bind_query_count_request(&mut message, &pair?)?;
    }
    message.name = request.path_value(0).to_owned();
    request
        .invoke_stream(message, move |ctx, message| {
            let service = Arc::clone(&service);
            async move { service.count(ctx, message).await }
        })
        .await
}

/// Stands in for the generated `bind_query_streaming_v1_countrequest`.
fn bind_query_count_request(
    message: &mut CountRequest,
    pair: &kratos::transport::http::binding::QueryPair<'_>,
) -> Result<(), Error> {
    let int = |value: &str| {
        value.parse::<i32>().map_err(|_| {
            Error::new(
                400,
                "CODEC",
                format!("query {}: {value:?} is not an int32", pair.key()),
            )
        })
    };
    match pair.key() {
        "name" => message.name = pair.value().to_owned(),
        "count" => message.count = int(pair.value())?,
        "interval_ms" | "intervalMs" => message.interval_ms = int(pair.value())?,
        "fail_after" | "failAfter" => message.fail_after = int(pair.value())?,
        _ => {}
    }
    Ok(())
}

/// Serves any [`StreamerHttpServer`] over gRPC through tonic's `streamer_server::Streamer`.
pub struct StreamerGrpcService<S> {
    service: Arc<S>,
    handle: kratos::transport::grpc::ServerHandle,
}

impl<S> StreamerGrpcService<S> {
    /// Serves `service` with the settings of the server `handle` comes from.
    pub fn new(service: S, handle: kratos::transport::grpc::ServerHandle) -> Self {
        Self {
            service: Arc::new(service),
            handle,
        }
    }
}

#[tonic::async_trait]
impl<S: StreamerHttpServer> streamer_server::Streamer for StreamerGrpcService<S> {
    type CountStream = kratos::transport::grpc::ServerStream<CountReply>;

    async fn count(
        &self,
        request: tonic::Request<CountRequest>,
    ) -> Result<tonic::Response<Self::CountStream>, tonic::Status> {
        let service = Arc::clone(&self.service);
        self.handle
            .server_streaming(OPERATION_STREAMER_COUNT, request, move |ctx, message| {
                let service = Arc::clone(&service);
                async move { service.count(ctx, message).await }
            })
            .await
    }

    async fn sum(
        &self,
        request: tonic::Request<tonic::Streaming<Number>>,
    ) -> Result<tonic::Response<Total>, tonic::Status> {
        let service = Arc::clone(&self.service);
        self.handle
            .client_streaming(OPERATION_STREAMER_SUM, request, move |ctx, requests| {
                let service = Arc::clone(&service);
                async move { service.sum(ctx, requests).await }
            })
            .await
    }

    type EchoStream = kratos::transport::grpc::ServerStream<Number>;

    async fn echo(
        &self,
        request: tonic::Request<tonic::Streaming<Number>>,
    ) -> Result<tonic::Response<Self::EchoStream>, tonic::Status> {
        let service = Arc::clone(&self.service);
        self.handle
            .bidi_streaming(OPERATION_STREAMER_ECHO, request, move |ctx, requests| {
                let service = Arc::clone(&service);
                async move { service.echo(ctx, requests).await }
            })
            .await
    }
}

/// Registers `service` on `server` as the gRPC service `streaming.v1.Streamer`.
pub fn register_streamer_grpc_server<S: StreamerHttpServer>(
    server: &mut kratos::transport::grpc::Server,
    service: S,
) {
    let handle = server.handle();
    server.add_service(streamer_server::StreamerServer::new(
        StreamerGrpcService::new(service, handle),
    ));
}

/// Calls `Streamer` over gRPC; errors come back as `kratos::Error`s, mid-stream included.
#[derive(Debug, Clone)]
pub struct StreamerGrpcClient {
    client: kratos::transport::grpc::Client,
}

impl StreamerGrpcClient {
    /// A client sending its calls through `client`.
    pub fn new(client: kratos::transport::grpc::Client) -> Self {
        Self { client }
    }

    /// Calls `Count` over gRPC: the replies as they come.
    pub async fn count(&self, request: CountRequest) -> Result<ReplyStream<CountReply>, Error> {
        self.client
            .server_streaming(
                OPERATION_STREAMER_COUNT,
                request,
                |channel, request| async move {
                    streamer_client::StreamerClient::new(channel)
                        .count(request)
                        .await
                },
            )
            .await
    }

    /// Calls `Sum` over gRPC, sending `requests` as they come.
    pub async fn sum(
        &self,
        requests: impl Stream<Item = Number> + Send + 'static,
    ) -> Result<Total, Error> {
        self.client
            .client_streaming(
                OPERATION_STREAMER_SUM,
                requests,
                |channel, requests| async move {
                    streamer_client::StreamerClient::new(channel)
                        .sum(requests)
                        .await
                },
            )
            .await
    }

    /// Calls `Echo` over gRPC: `requests` go out as they come, the replies come back as they
    /// are sent.
    pub async fn echo(
        &self,
        requests: impl Stream<Item = Number> + Send + 'static,
    ) -> Result<ReplyStream<Number>, Error> {
        self.client
            .bidi_streaming(
                OPERATION_STREAMER_ECHO,
                requests,
                |channel, requests| async move {
                    streamer_client::StreamerClient::new(channel)
                        .echo(requests)
                        .await
                },
            )
            .await
    }
}

/// Calls `Streamer` over HTTP: its server-streaming methods with an HTTP rule.
#[derive(Debug, Clone)]
pub struct StreamerHttpClient {
    client: kratos::transport::http::Client,
}

impl StreamerHttpClient {
    /// A client sending its calls through `client`.
    pub fn new(client: kratos::transport::http::Client) -> Self {
        Self { client }
    }

    /// `GET /v1/count/{name}`: the replies as the server streams them.
    pub async fn count(&self, request: CountRequest) -> Result<ReplyStream<CountReply>, Error> {
        self.count_with(request, CallOptions::default()).await
    }

    /// [`Self::count`] with per-call options (a header `Accept: text/event-stream` asks for
    /// SSE instead of NDJSON).
    pub async fn count_with(
        &self,
        request: CountRequest,
        options: CallOptions,
    ) -> Result<ReplyStream<CountReply>, Error> {
        let mut path = String::from("/v1/count/");
        kratos::transport::http::binding::push_path_segment(&mut path, &request.name);
        // Stands in for the generated `write_query_streaming_v1_countrequest`.
        let mut query = kratos::transport::http::binding::QueryWriter::new();
        query.push_i32("count", request.count);
        query.push_i32("intervalMs", request.interval_ms);
        query.push_i32("failAfter", request.fail_after);
        query.append_to(&mut path);
        self.client
            .invoke_stream(Call {
                operation: OPERATION_STREAMER_COUNT,
                method: "GET",
                path_template: "/v1/count/{name}",
                path_and_query: path,
                request,
                body: CallBody::None,
                response_body: None,
                options,
            })
            .await
    }
}
