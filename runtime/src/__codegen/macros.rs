//! The `macro_rules!` generated code calls for shapes that repeat per message or method.

/// `impl Trait for Arc<T>` forwarding every method of a generated HTTP service trait, so one
/// implementation registered as `Arc` clones serves HTTP and gRPC:
/// `forward_to_arc!(GreeterHttpServer { say_hello(HelloRequest) -> HelloReply; })`.
#[doc(hidden)]
#[macro_export]
macro_rules! __codegen_forward_to_arc {
    ($service:ident { $($method:ident($input:ty) -> $output:ty;)* }) => {
        #[allow(deprecated)]
        impl<T: $service + ?::core::marker::Sized> $service for ::std::sync::Arc<T> {
            $(
                fn $method(
                    &self,
                    ctx: $crate::__codegen::Context,
                    request: $input,
                ) -> impl ::core::future::Future<Output = $crate::__codegen::Result<$output>>
                       + ::core::marker::Send {
                    T::$method(self, ctx, request)
                }
            )*
        }
    };
}

/// `impl HttpMessage` for messages with a generated JSON codec (`json::JsonMessage`): bodies and
/// replies go through it, protobuf through prost. Extra trait items (a generated
/// `encode_reply_field`) may follow in braces.
#[doc(hidden)]
#[macro_export]
macro_rules! __codegen_http_message {
    ($message:ty $({ $($extra:item)* })?) => {
        impl $crate::__codegen::HttpMessage for $message {
            fn decode_body(
                &mut self,
                format: $crate::__codegen::Format,
                body: &[u8],
                json: &$crate::__codegen::JsonOptions,
            ) -> $crate::__codegen::Result<()> {
                $crate::__codegen::json::decode_body(self, format, body, json)
            }

            fn encode_reply(
                &self,
                format: $crate::__codegen::Format,
                json: &$crate::__codegen::JsonOptions,
            ) -> $crate::__codegen::Result<::std::vec::Vec<u8>> {
                $crate::__codegen::json::encode_reply(self, format, json)
            }

            fn decode_body_field(
                &mut self,
                format: $crate::__codegen::Format,
                body: &[u8],
                field: &str,
                json: &$crate::__codegen::JsonOptions,
            ) -> $crate::__codegen::Result<()> {
                $crate::__codegen::json::decode_body_field(self, format, body, field, json)
            }

            $($($extra)*)?
        }
    };
}
