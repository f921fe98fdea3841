//! The gRPC glue of a service (`grpc=true`): any implementation of the
//! service trait served through tonic's generated server, and a client whose
//! methods return `kratos::Error`s. tonic's own code (modules `xxx_server` and
//! `xxx_client`) comes from tonic-prost-build or protoc-gen-tonic into the same
//! module.

use kratos_codegen::to_snake_case;
use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use super::Emitter;
use super::bind::format_ident_raw;
use super::service::operation_const;
use crate::model::{Method, MethodKind, Service};

/// `XxxGrpcService`, `register_xxx_grpc_server` and `XxxGrpcClient`.
pub(crate) fn grpc(emitter: &Emitter<'_>, service: &Service) -> TokenStream {
    let rt = emitter.runtime;
    let snake = to_snake_case(&service.name);
    let trait_name = format_ident!("{}HttpServer", service.name);
    let glue = format_ident!("{}GrpcService", service.name);
    let client = format_ident!("{}GrpcClient", service.name);
    let register = format_ident!("register_{}_grpc_server", snake);
    let server_module = format_ident!("{}_server", snake);
    let client_module = format_ident!("{}_client", snake);
    let tonic_trait = format_ident!("{}", service.name);
    let tonic_server = format_ident!("{}Server", service.name);
    let tonic_client = format_ident!("{}Client", service.name);

    let server_methods = service
        .methods
        .iter()
        .map(|method| server_method(emitter, service, method));
    let client_methods = service.methods.iter().map(|method| {
        let name = format_ident_raw(&method.rust_name);
        let (input, output) = emitter.handler_types(method);
        let operation = operation_const(service, method);
        let deprecated = method.deprecated.then(|| quote!(#[deprecated]));
        let (doc, call, requests) = match method.kind {
            MethodKind::Unary => (
                " Calls `{}` over gRPC.",
                quote!(unary),
                quote!(request: #input),
            ),
            MethodKind::ServerStreaming => (
                " Calls `{}` over gRPC: the replies as they come; drop the stream to cancel.",
                quote!(server_streaming),
                quote!(request: #input),
            ),
            MethodKind::ClientStreaming => {
                let input = emitter.rust_type(&method.input);
                (
                    " Calls `{}` over gRPC, sending `requests` as they come.",
                    quote!(client_streaming),
                    quote!(requests: impl #rt::Stream<Item = #input> + #rt::Send + 'static),
                )
            }
            MethodKind::BidiStreaming => {
                let input = emitter.rust_type(&method.input);
                (
                    " Calls `{}` over gRPC: `requests` go out as they come, the replies come \
                     back as they are sent; drop the stream to cancel.",
                    quote!(bidi_streaming),
                    quote!(requests: impl #rt::Stream<Item = #input> + #rt::Send + 'static),
                )
            }
        };
        let doc = doc.replace("{}", &method.name);
        let argument = if method.kind.streams_requests() {
            quote!(requests)
        } else {
            quote!(request)
        };
        quote! {
            #[doc = #doc]
            #deprecated
            pub async fn #name(&self, #requests) -> #rt::Result<#output> {
                self.client
                    .#call(#operation, #argument, |channel, request| async move {
                        #client_module::#tonic_client::new(channel).#name(request).await
                    })
                    .await
            }
        }
    });

    let glue_doc = format!(
        " Serves any [`{trait_name}`] over gRPC through tonic's `{server_module}::{tonic_trait}`, \
         with the same context and middleware as over HTTP."
    );
    let register_doc = format!(
        " Registers `service` on `server` as the gRPC service `{}`.",
        service.descriptor.full_name()
    );
    let client_doc = format!(
        " Calls the `{}` service over gRPC; errors come back as `kratos::Error`s.",
        service.name
    );
    quote! {
        #[doc = #glue_doc]
        pub struct #glue<S> {
            service: #rt::Arc<S>,
            handle: #rt::ServerHandle,
        }

        impl<S> #glue<S> {
            /// Serves `service` with the settings (middleware, timeout) of the server `handle`
            /// comes from.
            pub fn new(service: S, handle: #rt::ServerHandle) -> Self {
                Self { service: #rt::Arc::new(service), handle }
            }
        }

        #[allow(deprecated)]
        #[::tonic::async_trait]
        impl<S: #trait_name> #server_module::#tonic_trait for #glue<S> {
            #(#server_methods)*
        }

        #[doc = #register_doc]
        pub fn #register<S: #trait_name>(
            server: &mut #rt::GrpcServer,
            service: S,
        ) {
            let handle = server.handle();
            server.add_service(#server_module::#tonic_server::new(#glue::new(service, handle)));
        }

        #[doc = #client_doc]
        #[derive(Debug, Clone)]
        pub struct #client {
            client: #rt::GrpcClient,
        }

        #[allow(deprecated)]
        impl #client {
            /// A client sending its calls through `client`.
            pub fn new(client: #rt::GrpcClient) -> Self {
                Self { client }
            }

            /// The underlying gRPC client.
            pub fn inner(&self) -> &#rt::GrpcClient {
                &self.client
            }

            #(#client_methods)*
        }
    }
}

/// One method of tonic's server trait, calling the service trait through the handle's glue
/// for its kind.
fn server_method(emitter: &Emitter<'_>, service: &Service, method: &Method) -> TokenStream {
    let rt = emitter.runtime;
    let name = format_ident_raw(&method.rust_name);
    let input = emitter.rust_type(&method.input);
    let output = emitter.rust_type(&method.output);
    let operation = operation_const(service, method);
    let glue = match method.kind {
        MethodKind::Unary => quote!(unary),
        MethodKind::ServerStreaming => quote!(server_streaming),
        MethodKind::ClientStreaming => quote!(client_streaming),
        MethodKind::BidiStreaming => quote!(bidi_streaming),
    };
    let request = if method.kind.streams_requests() {
        quote!(::tonic::Request<::tonic::Streaming<#input>>)
    } else {
        quote!(::tonic::Request<#input>)
    };
    let (stream_type, reply) = if method.kind.streams_replies() {
        let stream = format_ident!("{}Stream", method.name);
        (
            Some(quote!(type #stream = #rt::ServerStream<#output>;)),
            quote!(Self::#stream),
        )
    } else {
        (None, output)
    };
    quote! {
        #stream_type
        async fn #name(
            &self,
            request: #request,
        ) -> #rt::Result<::tonic::Response<#reply>, ::tonic::Status> {
            let service = #rt::Arc::clone(&self.service);
            self.handle
                .#glue(#operation, request, move |ctx, message| {
                    let service = #rt::Arc::clone(&service);
                    async move { service.#name(ctx, message).await }
                })
                .await
        }
    }
}
