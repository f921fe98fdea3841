//! The `Greeter` API (`api/projectname/v1/greeter.proto`) over the greeter use case.

use kratos::Error;
use kratos::transport::{Context, grpc, http};

use crate::api::projectname::v1 as api;
use crate::biz::greeter::{GreeterRepo, GreeterUsecase};
use crate::data::greeter::MemoryGreeterRepo;

/// Implements `Greeter` once for both transports.
#[derive(Debug, Clone)]
pub struct GreeterService<R> {
    usecase: GreeterUsecase<R>,
}

impl<R: GreeterRepo> GreeterService<R> {
    /// The service over `usecase`.
    pub fn new(usecase: GreeterUsecase<R>) -> Self {
        Self { usecase }
    }
}

impl<R: GreeterRepo> api::GreeterHttpServer for GreeterService<R> {
    async fn say_hello(
        &self,
        _ctx: Context,
        request: api::HelloRequest,
    ) -> Result<api::HelloReply, Error> {
        let greeting = self.usecase.create_greeting(request.name).await?;
        Ok(api::HelloReply {
            message: format!("Hello {}", greeting.name),
        })
    }
}

/// Registers the greeter, over an in-memory repository, on both servers.
pub fn register(
    http: &mut http::Server,
    grpc: &mut grpc::Server,
) -> Result<(), http::RegisterError> {
    let service = GreeterService::new(GreeterUsecase::new(MemoryGreeterRepo::default()));
    api::register_greeter_http_server(http, service.clone())?;
    api::register_greeter_grpc_server(grpc, service);
    Ok(())
}
