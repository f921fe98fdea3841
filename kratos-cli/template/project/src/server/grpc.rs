//! The gRPC server.

use kratos::middleware::Chain;
use kratos::transport::grpc::Server;

use crate::conf::EndpointConf;

/// A gRPC server at `conf`'s address and timeout, running `middleware`, serving reflection
/// (grpcurl and other reflection clients call it without the protos).
pub fn new_grpc_server(conf: &EndpointConf, middleware: Chain) -> Server {
    Server::new()
        .address(conf.addr)
        .timeout(Some(conf.timeout))
        .middleware(middleware)
        .reflection(crate::FILE_DESCRIPTOR_SET)
}
