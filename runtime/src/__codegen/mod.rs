//! What generated code names, under one path. Every generated file starts with
//! `use ::kratos::__codegen as __kratos;` and names the runtime only through it, so the code
//! stays short and the documented API holds only what a service author uses. Not a stable
//! API: it changes with the generators, which are released with this crate.

mod client;
mod macros;
mod messages;
mod route;
mod routes;

pub use core::default::Default;
pub use core::future::Future;
pub use core::marker::{Send, Sync};
pub use core::option::Option::{self, None, Some};
pub use core::result::Result::{Err, Ok};
pub use std::string::String;
pub use std::sync::Arc;
pub use std::vec::Vec;

pub use crate::encoding::typed_json as json;
pub use crate::encoding::{Format, HttpMessage, JsonOptions, ReflectMessage, prost_reflect};
pub use crate::errors::Error;
pub use crate::transport::grpc::{
    Client as GrpcClient, ProstCodec, Server as GrpcServer, ServerHandle, ServerStream,
};
pub use crate::transport::http::binding::*;
pub use crate::transport::http::{
    CallOptions, Client as HttpClient, RegisterError, ReplyFuture, RouteRequest,
    Server as HttpServer,
};
pub use crate::transport::{Context, ReplyStream, RequestStream, Stream};
pub use crate::{
    __codegen_forward_to_arc as forward_to_arc, __codegen_http_message as http_message,
};
pub use client::{call, call_stream, push_pattern, push_variable, start_path};
pub use messages::{DescriptorPoolCell, MessageDescriptorCell};
pub use route::{BindQueryFn, Route, WritePathFn, WriteQueryFn};
pub use routes::{Reply, Routes, ServiceMethod};

/// The result of everything generated code calls: a Kratos error on failure.
pub type Result<T, E = Error> = core::result::Result<T, E>;
