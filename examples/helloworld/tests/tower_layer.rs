//! The HTTP server as a tower `Service`, wrapped in tower layers: they run outside routing and
//! the middleware chain, on every request.

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use kratos::http::{HeaderValue, Request};
use tower::{ServiceBuilder, ServiceExt};

#[tokio::test]
async fn a_tower_layer_wraps_the_generated_routes() {
    let service = ServiceBuilder::new()
        .map_request(|mut request: Request<Full<Bytes>>| {
            // A layer that rewrites the request before routing.
            *request.uri_mut() = "/helloworld/from-layer".parse().unwrap();
            request
        })
        .map_response(
            |mut response: kratos::http::Response<kratos::transport::http::ReplyBody>| {
                response
                    .headers_mut()
                    .insert("x-layer", HeaderValue::from_static("seen"));
                response
            },
        )
        .service(helloworld::http_server().unwrap().into_service());

    let request = Request::get("/helloworld/ignored")
        .body(Full::new(Bytes::new()))
        .unwrap();
    let response = service.oneshot(request).await.unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["x-layer"], "seen");
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(body, r#"{"message":"Hello from-layer"}"#);
}
