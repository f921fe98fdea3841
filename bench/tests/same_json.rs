//! Keeps the benchmark honest: the generated routes and the hand-written axum
//! baseline give the same answers (status, content type and JSON body, byte
//! for byte) to the requests wrk sends, and to a few more; and the kratos
//! service can be mounted inside an axum `Router`.

use std::net::SocketAddr;

use bytes::Bytes;
use http::{Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use kratos_bench::{Implementation, serve};
use tokio::sync::oneshot;
use tower::ServiceExt;

/// The body `run.sh` posts.
const WRK_ORDER: &str = include_str!("../wrk/order.json");

struct Answer {
    status: StatusCode,
    content_type: Option<String>,
    body: Bytes,
}

impl Answer {
    fn json(&self) -> serde_json::Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|err| panic!("not JSON ({err}): {:?}", self.body))
    }
}

/// A server of one implementation on an ephemeral loopback port.
struct Running {
    address: SocketAddr,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Running {
    async fn start(implementation: Implementation) -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let address = listener.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(serve(implementation, listener, async {
            let _ = stopped.await;
        }));
        Self {
            address,
            stop: Some(stop),
            task,
        }
    }

    async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        self.task.await.unwrap().unwrap();
    }
}

async fn call(address: SocketAddr, method: Method, path: &str, body: Option<&str>) -> Answer {
    let client = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    let mut request = Request::builder()
        .method(method)
        .uri(format!("http://{address}{path}"));
    if body.is_some() {
        request = request.header("content-type", "application/json");
    }
    let request = request
        .body(Full::new(Bytes::from(body.unwrap_or_default().to_owned())))
        .unwrap();
    let response = client.request(request).await.unwrap();
    let status = response.status();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|value| value.to_str().unwrap().to_owned());
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer {
        status,
        content_type,
        body,
    }
}

/// Sends the same request to both and checks the answers agree; returns kratos'.
async fn same_answer(
    kratos: &Running,
    axum: &Running,
    method: Method,
    path: &str,
    body: Option<&str>,
) -> Answer {
    let generated = call(kratos.address, method.clone(), path, body).await;
    let handwritten = call(axum.address, method.clone(), path, body).await;
    let what = format!("{method} {path} {body:?}");
    assert_eq!(generated.status, StatusCode::OK, "{what}: kratos");
    assert_eq!(handwritten.status, StatusCode::OK, "{what}: axum");
    assert_eq!(generated.content_type, handwritten.content_type, "{what}");
    assert_eq!(
        generated.body, handwritten.body,
        "{what}: the bodies differ byte for byte"
    );
    assert_eq!(generated.json(), handwritten.json(), "{what}");
    generated
}

#[tokio::test]
async fn both_implementations_answer_alike() {
    let kratos = Running::start(Implementation::Kratos).await;
    let axum = Running::start(Implementation::Axum).await;

    // The GET route, as wrk calls it, and with a percent-encoded name.
    let hello = same_answer(&kratos, &axum, Method::GET, "/helloworld/kratos", None).await;
    assert_eq!(hello.body, r#"{"message":"Hello kratos"}"#);
    assert_eq!(hello.content_type.as_deref(), Some("application/json"));
    let spaced = same_answer(&kratos, &axum, Method::GET, "/helloworld/a%20b", None).await;
    assert_eq!(spaced.json()["message"], "Hello a b");

    // The POST route with wrk's body: the order comes back unchanged.
    let order = same_answer(&kratos, &axum, Method::POST, "/v1/orders", Some(WRK_ORDER)).await;
    assert_eq!(order.body, WRK_ORDER.trim_end());

    // Every field at its default: all are written (the unset message is left out by both).
    let empty = same_answer(&kratos, &axum, Method::POST, "/v1/orders", Some("{}")).await;
    assert_eq!(
        empty.body,
        r#"{"id":"","customer":"","amountCents":"0","createdUnix":"0","tags":[],"itemIds":[],"status":"STATUS_UNSPECIFIED","note":"","paid":false}"#
    );

    // int64 given as JSON numbers is read by both, and written back as strings.
    let numbers = same_answer(
        &kratos,
        &axum,
        Method::POST,
        "/v1/orders",
        Some(r#"{"amountCents":-5,"itemIds":[9007199254740993,"-1"],"status":"STATUS_SHIPPED","address":{}}"#),
    )
    .await;
    let numbers = numbers.json();
    assert_eq!(numbers["amountCents"], "-5");
    assert_eq!(
        numbers["itemIds"],
        serde_json::json!(["9007199254740993", "-1"])
    );
    assert_eq!(
        numbers["address"],
        serde_json::json!({"street": "", "city": ""})
    );

    kratos.stop().await;
    axum.stop().await;
}

/// The wrk body decodes to the order the benchmark means to send.
#[test]
fn the_wrk_body_is_a_full_order() {
    let order: kratos_bench::handwritten::Order = serde_json::from_str(WRK_ORDER).unwrap();
    assert_eq!(order.tags.len(), 3);
    assert_eq!(order.item_ids, [1001, 1002, 1003, 1004]);
    assert_eq!(order.amount_cents, 129_900);
    assert_eq!(order.status, kratos_bench::handwritten::Status::Paid);
    assert!(order.paid && order.address.is_some() && !order.note.is_empty());
}

async fn oneshot_text(
    router: &axum::Router,
    method: Method,
    path: &str,
    body: &str,
) -> (StatusCode, String) {
    let mut request = Request::builder().method(method).uri(path);
    if !body.is_empty() {
        request = request.header("content-type", "application/json");
    }
    let request = request
        .body(axum::body::Body::from(body.to_owned()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(body.to_vec()).unwrap())
}

#[tokio::test]
async fn kratos_service_mounts_in_an_axum_router() {
    // As the fallback beside native axum routes.
    let service = kratos_bench::generated::http_server()
        .unwrap()
        .into_service();
    let router = axum::Router::new()
        .route("/healthz", axum::routing::get(|| async { "ok" }))
        .fallback_service(service);
    assert_eq!(
        oneshot_text(&router, Method::GET, "/healthz", "").await,
        (StatusCode::OK, "ok".to_owned())
    );
    assert_eq!(
        oneshot_text(&router, Method::GET, "/helloworld/axum", "").await,
        (StatusCode::OK, r#"{"message":"Hello axum"}"#.to_owned())
    );
    let (status, body) = oneshot_text(&router, Method::POST, "/v1/orders", WRK_ORDER).await;
    assert_eq!(
        (status, body.as_str()),
        (StatusCode::OK, WRK_ORDER.trim_end())
    );
    // kratos answers what it does not route with its own 404.
    let (status, body) = oneshot_text(&router, Method::GET, "/nowhere", "").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(body.contains(r#""reason":"NOT_FOUND""#), "{body}");

    // Nested under a prefix (axum strips it before kratos routes).
    let service = kratos_bench::generated::http_server()
        .unwrap()
        .into_service();
    let router = axum::Router::new().nest_service("/api", service);
    assert_eq!(
        oneshot_text(&router, Method::GET, "/api/helloworld/nested", "").await,
        (StatusCode::OK, r#"{"message":"Hello nested"}"#.to_owned())
    );

    // And served for real through axum::serve.
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let served = tokio::spawn(
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .into_future(),
    );
    let answer = call(address, Method::GET, "/api/helloworld/served", None).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, r#"{"message":"Hello served"}"#);
    let _ = stop.send(());
    served.await.unwrap().unwrap();
}
