//! The gRPC benchmark: `Greeter.SayHello` served by the kratos glue (the generated
//! `register_greeter_grpc_server` on `kratos::transport::grpc::Server`, defaults, no
//! middleware) and by a bare tonic implementation of the same method on tonic's own server,
//! driven by `grpc-load` (see `grpc.sh`).

use std::future::Future;

use tokio::net::TcpListener;

use crate::api;
use crate::api::greeter_server::{Greeter as TonicGreeter, GreeterServer};

/// Which implementation of `SayHello` to serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GrpcImplementation {
    /// The generated glue over the `GreeterHttpServer` implementation, on kratos' gRPC server.
    Kratos,
    /// `greeter_server::Greeter` implemented directly, on `tonic::transport::Server`.
    Tonic,
}

impl std::str::FromStr for GrpcImplementation {
    type Err = String;

    fn from_str(name: &str) -> Result<Self, String> {
        match name {
            "kratos" => Ok(Self::Kratos),
            "tonic" => Ok(Self::Tonic),
            other => Err(format!(
                "unknown implementation {other:?} (kratos or tonic)"
            )),
        }
    }
}

/// The baseline: what a tonic user writes by hand.
#[derive(Debug, Clone, Copy, Default)]
pub struct BareGreeter;

#[tonic::async_trait]
impl TonicGreeter for BareGreeter {
    async fn say_hello(
        &self,
        request: tonic::Request<api::HelloRequest>,
    ) -> Result<tonic::Response<api::HelloReply>, tonic::Status> {
        Ok(tonic::Response::new(api::HelloReply {
            message: format!("Hello {}", request.into_inner().name),
        }))
    }
}

/// Serves `SayHello` with `implementation` on `listener` until `signal` completes.
pub async fn serve_grpc(
    implementation: GrpcImplementation,
    listener: TcpListener,
    signal: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    match implementation {
        GrpcImplementation::Kratos => {
            let mut server = kratos::transport::grpc::Server::new();
            api::register_greeter_grpc_server(&mut server, crate::generated::Greeter);
            server.serve_listener(listener, signal).await
        }
        GrpcImplementation::Tonic => tonic::transport::Server::builder()
            .add_service(GreeterServer::new(BareGreeter))
            .serve_with_incoming_shutdown(
                tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true)),
                signal,
            )
            .await
            .map_err(std::io::Error::other),
    }
}
