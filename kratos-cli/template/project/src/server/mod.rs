//! The HTTP and gRPC servers, configured from [`crate::conf`], with every service of
//! [`crate::service`] registered and the same middleware on both.

pub mod grpc;
pub mod http;

use kratos::middleware::Chain;
use kratos::middleware::logging::Logging;
use kratos::middleware::recovery::Recovery;

use crate::conf::ServerConf;

/// Both servers, ready for `kratos::App`.
pub struct Servers {
    /// The HTTP server.
    pub http: kratos::transport::http::Server,
    /// The gRPC server.
    pub grpc: kratos::transport::grpc::Server,
}

/// The servers `conf` describes, with every service registered.
pub fn new_servers(conf: &ServerConf) -> Result<Servers, kratos::transport::http::RegisterError> {
    let middleware = middleware();
    let mut http = http::new_http_server(&conf.http, middleware.clone());
    let mut grpc = grpc::new_grpc_server(&conf.grpc, middleware);
    crate::service::register(&mut http, &mut grpc)?;
    Ok(Servers { http, grpc })
}

/// The middleware of both servers: recovery (a panic is a 500, the server keeps serving),
/// then an access log line per call (`tracing`, target `kratos::access`).
pub fn middleware() -> Chain {
    let mut chain = Chain::new();
    chain.push(Recovery::new());
    chain.push(Logging::server());
    chain
}
