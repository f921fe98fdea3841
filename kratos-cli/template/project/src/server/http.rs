//! The HTTP server.

use kratos::middleware::Chain;
use kratos::transport::http::Server;

use crate::conf::EndpointConf;

/// An HTTP server at `conf`'s address and timeout, running `middleware`.
pub fn new_http_server(conf: &EndpointConf, middleware: Chain) -> Server {
    Server::new()
        .address(conf.addr)
        .timeout(Some(conf.timeout))
        .middleware(middleware)
}
