//! Kratos' helloworld service, built with kratos-rs: the `Greeter` API is
//! generated from `api/helloworld/v1/*.proto` by `build.rs`, and [`Greeter`]
//! implements it once; it is served over HTTP and gRPC.

use kratos::errors::Error;
use kratos::transport::Context;

/// The helloworld API, generated from `api/helloworld/v1/*.proto` by `build.rs`.
#[allow(missing_docs, unreachable_pub, clippy::all, clippy::pedantic)]
pub mod api {
    kratos::include_proto!("helloworld.v1");
}

/// The greeter: says hello, and fails with `USER_NOT_FOUND` for the name "error".
#[derive(Debug, Clone, Default)]
pub struct Greeter;

impl api::GreeterHttpServer for Greeter {
    async fn say_hello(
        &self,
        _ctx: Context,
        request: api::HelloRequest,
    ) -> Result<api::HelloReply, Error> {
        if request.name == "error" {
            return Err(api::error_user_not_found(format_args!(
                "user not found: {}",
                request.name
            ))
            .with_metadata([("name", request.name)]));
        }
        Ok(api::HelloReply {
            message: format!("Hello {}", request.name),
        })
    }
}

/// An HTTP server with the greeter registered (no middleware).
pub fn http_server()
-> Result<kratos::transport::http::Server, kratos::transport::http::RegisterError> {
    let mut server = kratos::transport::http::Server::new();
    api::register_greeter_http_server(&mut server, Greeter)?;
    Ok(server)
}

/// A gRPC server with the same greeter registered (no middleware).
pub fn grpc_server() -> kratos::transport::grpc::Server {
    let mut server = kratos::transport::grpc::Server::new();
    api::register_greeter_grpc_server(&mut server, Greeter);
    server
}

/// The example's server chain, on both transports: recovery (outermost), OpenTelemetry tracing
/// (to the global tracer provider: none is installed here, so spans are no-ops), metrics into
/// `registry`, and access logging.
pub fn default_middleware(
    registry: &kratos::middleware::metrics::Registry,
) -> kratos::middleware::Chain {
    use kratos::middleware::{logging, metrics, recovery, tracing};
    let mut chain = kratos::middleware::Chain::new();
    chain.push(recovery::Recovery::new());
    chain.push(tracing::Tracing::server());
    chain.push(metrics::Metrics::server(registry));
    chain.push(logging::Logging::server());
    chain
}

/// The chain the example serves with: [`default_middleware`] plus request validation
/// (`buf.validate` rules in the protos; a violation is `400 VALIDATOR`), innermost, so rejected
/// calls are still logged and counted.
pub fn server_middleware(
    registry: &kratos::middleware::metrics::Registry,
) -> kratos::middleware::Chain {
    let mut chain = default_middleware(registry);
    chain.push(kratos::middleware::validate::Validate::new());
    chain
}

/// Connects to the registry named by a `--registry` flag: `etcd://HOST:PORT`.
pub async fn connect_registry(
    url: &str,
) -> Result<kratos::registry::EtcdRegistry, Box<dyn std::error::Error>> {
    let Some(address) = url.strip_prefix("etcd://") else {
        return Err(format!("unsupported registry {url:?}; expected etcd://HOST:PORT").into());
    };
    Ok(kratos::registry::EtcdRegistry::connect([format!("http://{address}")]).await?)
}
