//! For test doubles of the greeter that only change `SayHello`: `example_streams!()` in their
//! `impl GreeterHttpServer` serves the streaming methods as the example's greeter does.

macro_rules! example_streams {
    () => {
        async fn say_hello_stream(
            &self,
            ctx: ::kratos::transport::Context,
            request: ::helloworld::api::HelloStreamRequest,
        ) -> ::core::result::Result<
            ::kratos::transport::ReplyStream<::helloworld::api::HelloReply>,
            ::kratos::errors::Error,
        > {
            let greeter = ::helloworld::Greeter::default();
            ::helloworld::api::GreeterHttpServer::say_hello_stream(&greeter, ctx, request).await
        }

        async fn chat(
            &self,
            ctx: ::kratos::transport::Context,
            requests: ::kratos::transport::RequestStream<::helloworld::api::ChatMessage>,
        ) -> ::core::result::Result<
            ::kratos::transport::ReplyStream<::helloworld::api::ChatMessage>,
            ::kratos::errors::Error,
        > {
            let greeter = ::helloworld::Greeter::default();
            ::helloworld::api::GreeterHttpServer::chat(&greeter, ctx, requests).await
        }
    };
}
