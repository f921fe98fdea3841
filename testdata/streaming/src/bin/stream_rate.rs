//! Streamed messages per second over gRPC: `Count` replies streamed through the kratos glue
//! (the generated `StreamerGrpcService`, with an empty chain) or through a bare
//! tonic implementation, on the same kratos gRPC server and tonic client over loopback, in
//! one current-thread runtime (so `valgrind --tool=callgrind` counts the same work each run).
//!
//! `stream_rate kratos|kratos-recovery|tonic [messages]` prints
//! `<variant> <messages> <seconds> <messages/s>`; `kratos-recovery` adds the recovery middleware,
//! so the stream opens inside the chain's call (docs/streaming.md, "Measured").

use std::pin::Pin;
use std::time::Instant;

use kratos::errors::Error;
use kratos::transport::{Context, ReplyStream, RequestStream, Stream};
use streaming_service::pb::{
    CountReply, CountRequest, Number, Total, streamer_client::StreamerClient, streamer_server,
};

/// `count` replies at once, through the kratos glue.
struct Glued;

impl streaming_service::pb::StreamerHttpServer for Glued {
    async fn count(
        &self,
        _ctx: Context,
        request: CountRequest,
    ) -> Result<ReplyStream<CountReply>, Error> {
        Ok(ReplyStream::iter(replies(&request).map(Ok)))
    }
    async fn sum(&self, _ctx: Context, _requests: RequestStream<Number>) -> Result<Total, Error> {
        Err(Error::new(501, "UNIMPLEMENTED", "not measured"))
    }
    async fn echo(
        &self,
        _ctx: Context,
        _requests: RequestStream<Number>,
    ) -> Result<ReplyStream<Number>, Error> {
        Err(Error::new(501, "UNIMPLEMENTED", "not measured"))
    }
}

/// The same replies through tonic's trait directly.
struct Bare;

type BareStream<T> = Pin<Box<dyn Stream<Item = Result<T, tonic::Status>> + Send>>;

#[tonic::async_trait]
impl streamer_server::Streamer for Bare {
    type CountStream = BareStream<CountReply>;
    async fn count(
        &self,
        request: tonic::Request<CountRequest>,
    ) -> Result<tonic::Response<Self::CountStream>, tonic::Status> {
        let replies = replies(request.get_ref()).map(Ok);
        Ok(tonic::Response::new(Box::pin(Iter(replies))))
    }
    async fn sum(
        &self,
        _request: tonic::Request<tonic::Streaming<Number>>,
    ) -> Result<tonic::Response<Total>, tonic::Status> {
        Err(tonic::Status::unimplemented("not measured"))
    }
    type EchoStream = BareStream<Number>;
    async fn echo(
        &self,
        _request: tonic::Request<tonic::Streaming<Number>>,
    ) -> Result<tonic::Response<Self::EchoStream>, tonic::Status> {
        Err(tonic::Status::unimplemented("not measured"))
    }
}

/// An iterator as an always-ready stream.
struct Iter<I>(I);

impl<I: Iterator + Unpin> Stream for Iter<I> {
    type Item = I::Item;
    fn poll_next(
        mut self: Pin<&mut Self>,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<I::Item>> {
        std::task::Poll::Ready(self.0.next())
    }
}

fn replies(request: &CountRequest) -> impl Iterator<Item = CountReply> + Send + Unpin + use<> {
    let name = request.name.clone();
    (0..request.count).map(move |index| CountReply {
        name: name.clone(),
        index,
    })
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let variant = args.next().unwrap_or_else(|| "kratos".to_owned());
    let messages: i32 = args.next().map_or(Ok(100_000), |n| n.parse())?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let mut server = kratos::transport::grpc::Server::new().timeout(None);
        match variant.as_str() {
            "kratos" => streaming_service::pb::register_streamer_grpc_server(&mut server, Glued),
            "kratos-recovery" => {
                server = server.middleware(kratos::middleware::recovery::Recovery::new());
                streaming_service::pb::register_streamer_grpc_server(&mut server, Glued);
            }
            "tonic" => {
                server.add_service(streamer_server::StreamerServer::new(Bare));
            }
            other => {
                return Err(
                    format!("unknown variant {other:?}: kratos, kratos-recovery or tonic").into(),
                );
            }
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let address = listener.local_addr()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(server.serve_listener(listener, async move {
            let _ = stopped.await;
        }));
        let channel = tonic::transport::Endpoint::from_shared(format!("http://{address}"))?
            .connect()
            .await?;
        let mut client = StreamerClient::new(channel);
        let request = CountRequest {
            name: "kratos".into(),
            count: messages,
            ..CountRequest::default()
        };
        let started = Instant::now();
        let mut stream = client.count(request).await?.into_inner();
        let mut received = 0;
        while let Some(reply) = stream.message().await? {
            received += 1;
            std::hint::black_box(reply);
        }
        let seconds = started.elapsed().as_secs_f64();
        assert_eq!(received, messages, "every message arrived");
        println!(
            "{variant} {received} {seconds:.3} {:.0}",
            f64::from(received) / seconds
        );
        let _ = stop.send(());
        serving.await??;
        Ok(())
    })
}
