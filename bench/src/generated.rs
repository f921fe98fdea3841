//! The endpoints as kratos-rs users write them: implement the generated
//! service traits, register them on a `kratos::transport::http::Server`.

use kratos::errors::Error;
use kratos::transport::Context;
use kratos::transport::http::{RegisterError, Server};

use crate::api;

/// `Greeter`: says hello.
#[derive(Debug, Clone, Copy, Default)]
pub struct Greeter;

impl api::GreeterHttpServer for Greeter {
    async fn say_hello(
        &self,
        _ctx: Context,
        request: api::HelloRequest,
    ) -> Result<api::HelloReply, Error> {
        Ok(api::HelloReply {
            message: format!("Hello {}", request.name),
        })
    }
}

/// `Orders`: echoes the order it is given.
#[derive(Debug, Clone, Copy, Default)]
pub struct Orders;

impl api::OrdersHttpServer for Orders {
    async fn create_order(&self, _ctx: Context, request: api::Order) -> Result<api::Order, Error> {
        Ok(request)
    }
}

/// A server with Kratos' defaults and both services registered.
pub fn http_server() -> Result<Server, RegisterError> {
    let mut server = Server::new();
    api::register_greeter_http_server(&mut server, Greeter)?;
    api::register_orders_http_server(&mut server, Orders)?;
    Ok(server)
}
