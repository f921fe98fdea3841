//! The gRPC glue of a service (`grpc=true`): any implementation of the
//! service trait served through tonic's generated server, and a client whose
//! methods return `kratos::Error`s. tonic's own code (modules `xxx_server` and
//! `xxx_client`) comes from tonic-prost-build or protoc-gen-tonic into the same
//! module.

use kratos_codegen::to_snake_case;
use proc_macro2::TokenStream;
use prost_reflect::MethodDescriptor;
use quote::{format_ident, quote};

use super::Emitter;
use super::bind::format_ident_raw;
use super::service::operation_const;
use crate::model::Service;

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

    let unary = service.methods.iter().map(|method| {
        let name = format_ident_raw(&method.rust_name);
        let input = emitter.rust_type(&method.input);
        let output = emitter.rust_type(&method.output);
        let operation = operation_const(service, method);
        quote! {
            async fn #name(
                &self,
                request: ::tonic::Request<#input>,
            ) -> #rt::Result<::tonic::Response<#output>, ::tonic::Status> {
                let service = #rt::Arc::clone(&self.service);
                self.handle
                    .unary(#operation, request, move |ctx, message| {
                        let service = #rt::Arc::clone(&service);
                        async move { service.#name(ctx, message).await }
                    })
                    .await
            }
        }
    });
    let streaming = service
        .descriptor
        .methods()
        .filter(|m| m.is_client_streaming() || m.is_server_streaming())
        .map(|method| streaming_stub(emitter, &method));

    let client_methods = service.methods.iter().map(|method| {
        let name = format_ident_raw(&method.rust_name);
        let input = emitter.rust_type(&method.input);
        let output = emitter.rust_type(&method.output);
        let operation = operation_const(service, method);
        let doc = format!(" Calls `{}` over gRPC.", method.name);
        let deprecated = method.deprecated.then(|| quote!(#[deprecated]));
        quote! {
            #[doc = #doc]
            #deprecated
            pub async fn #name(
                &self,
                request: #input,
            ) -> #rt::Result<#output> {
                self.client
                    .unary(#operation, request, |channel, request| async move {
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
            #(#streaming)*
            #(#unary)*
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

/// A streaming method answers `UNIMPLEMENTED` (the service trait has no
/// streaming methods yet).
fn streaming_stub(emitter: &Emitter<'_>, method: &MethodDescriptor) -> TokenStream {
    let name = format_ident_raw(&kratos_codegen::rust_field_ident(method.name()));
    let rt = emitter.runtime;
    let input = emitter.rust_type(&method.input());
    let output = emitter.rust_type(&method.output());
    let message = format!(
        "{} is a streaming method, which kratos-rs does not serve yet",
        method.full_name()
    );
    let request = if method.is_client_streaming() {
        quote!(::tonic::Request<::tonic::Streaming<#input>>)
    } else {
        quote!(::tonic::Request<#input>)
    };
    if method.is_server_streaming() {
        let stream = format_ident!("{}Stream", method.name());
        quote! {
            type #stream = ::core::pin::Pin<::std::boxed::Box<
                dyn ::tonic::codegen::tokio_stream::Stream<
                    Item = #rt::Result<#output, ::tonic::Status>,
                > + #rt::Send + 'static,
            >>;

            async fn #name(
                &self,
                _request: #request,
            ) -> #rt::Result<::tonic::Response<Self::#stream>, ::tonic::Status> {
                #rt::Err(::tonic::Status::unimplemented(#message))
            }
        }
    } else {
        quote! {
            async fn #name(
                &self,
                _request: #request,
            ) -> #rt::Result<::tonic::Response<#output>, ::tonic::Status> {
                #rt::Err(::tonic::Status::unimplemented(#message))
            }
        }
    }
}
