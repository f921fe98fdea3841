//! TLS on both servers with a certificate made here: HTTP/1.1 and gRPC (HTTP/2) on one TLS
//! port, chosen by ALPN; garbage instead of a ClientHello and a handshake that never comes are
//! cut, and the server keeps serving.
#![cfg(feature = "tls")]

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper_util::rt::{TokioExecutor, TokioIo};
use kratos::transport::{ConnectionSettings, TlsConfig, grpc, http};
use rustls::pki_types::{CertificateDer, ServerName};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;

/// A self-signed certificate for `localhost`: PEM chain, PEM key, and the DER to trust.
fn certificate() -> (String, String, CertificateDer<'static>) {
    let made = rcgen::generate_simple_self_signed(vec!["localhost".to_owned()]).unwrap();
    (
        made.cert.pem(),
        made.key_pair.serialize_pem(),
        made.cert.der().clone(),
    )
}

/// A server on a loopback port that stops when dropped.
struct Running {
    address: SocketAddr,
    _stop: oneshot::Sender<()>,
}

fn hello_server() -> http::Server {
    let mut server = http::Server::new();
    server
        .route("GET", "/hello", "/test.Hello/Hello", |_| async {
            Ok(::http::Response::new(Full::new(Bytes::from_static(
                b"hello",
            ))))
        })
        .unwrap();
    server
}

/// gRPC (its health service) and HTTP (`GET /hello`) on one TLS port.
async fn serve_both(tls: TlsConfig) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let http = hello_server().connection_settings(ConnectionSettings::new().tls(tls));
    tokio::spawn(grpc::serve_with_http(
        listener,
        grpc::Server::new(),
        http,
        async {
            let _ = stopped.await;
        },
    ));
    Running {
        address,
        _stop: stop,
    }
}

/// A TLS client connection trusting `trusted`, offering `alpn`.
async fn connect(
    address: SocketAddr,
    trusted: &CertificateDer<'static>,
    alpn: &[u8],
) -> tokio_rustls::client::TlsStream<TcpStream> {
    let mut roots = rustls::RootCertStore::empty();
    roots.add(trusted.clone()).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.alpn_protocols = vec![alpn.to_vec()];
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let tcp = TcpStream::connect(address).await.unwrap();
    connector
        .connect(ServerName::try_from("localhost").unwrap(), tcp)
        .await
        .unwrap()
}

/// `GET /hello` over HTTP/1.1 on TLS: the response as text.
async fn get_hello(address: SocketAddr, trusted: &CertificateDer<'static>) -> String {
    let mut tls = connect(address, trusted, b"http/1.1").await;
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"http/1.1"[..]));
    tls.write_all(b"GET /hello HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut response = String::new();
    let _ = tls.read_to_string(&mut response).await;
    response
}

/// The gRPC health check over HTTP/2 on TLS: the reply body and `grpc-status`.
async fn health_check(address: SocketAddr, trusted: &CertificateDer<'static>) -> (Bytes, String) {
    let tls = connect(address, trusted, b"h2").await;
    assert_eq!(tls.get_ref().1.alpn_protocol(), Some(&b"h2"[..]));
    let (mut sender, connection) =
        hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(tls))
            .await
            .unwrap();
    tokio::spawn(connection);
    // An empty HealthCheckRequest: the 5-byte gRPC frame header and no bytes.
    let request = ::http::Request::post("https://localhost/grpc.health.v1.Health/Check")
        .header("content-type", "application/grpc")
        .header("te", "trailers")
        .body(Full::new(Bytes::from_static(&[0, 0, 0, 0, 0])))
        .unwrap();
    let response = sender.send_request(request).await.unwrap();
    assert_eq!(response.status(), 200);
    let collected = response.into_body().collect().await.unwrap();
    let status = collected
        .trailers()
        .and_then(|trailers| trailers.get("grpc-status"))
        .map(|value| value.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (collected.to_bytes(), status)
}

#[tokio::test]
async fn one_tls_port_serves_http1_and_grpc_by_alpn() {
    let (chain, key, trusted) = certificate();
    let running = serve_both(TlsConfig::from_pem(chain, key).unwrap()).await;
    let response = get_hello(running.address, &trusted).await;
    assert!(response.starts_with("HTTP/1.1 200 OK\r\n"), "{response}");
    assert!(response.ends_with("hello"), "{response}");
    // SERVING (1): field 1, varint 1, in a 2-byte message.
    let (reply, status) = health_check(running.address, &trusted).await;
    assert_eq!(status, "0");
    assert_eq!(&reply[..], &[0, 0, 0, 0, 2, 8, 1]);
}

#[tokio::test]
async fn the_grpc_server_alone_serves_tls() {
    let (chain, key, trusted) = certificate();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (_stop, stopped) = oneshot::channel::<()>();
    let server = grpc::Server::new().tls(TlsConfig::from_pem(chain, key).unwrap());
    tokio::spawn(server.serve_listener(listener, async {
        let _ = stopped.await;
    }));
    assert_eq!(health_check(address, &trusted).await.1, "0");
}

#[tokio::test]
async fn garbage_instead_of_a_client_hello_is_closed_and_the_server_keeps_serving() {
    let (chain, key, trusted) = certificate();
    let running = serve_both(TlsConfig::from_pem(chain, key).unwrap()).await;
    let garbage: [&[u8]; 3] = [
        b"GET /hello HTTP/1.1\r\nHost: localhost\r\n\r\n",
        &[0x16, 0x03, 0x01, 0xff, 0xff, 0x00, 0x00, 0x00],
        &[0xAB; 4096],
    ];
    for bytes in garbage {
        let mut stream = TcpStream::connect(running.address).await.unwrap();
        let _ = stream.write_all(bytes).await;
        let mut sink = Vec::new();
        let closed =
            tokio::time::timeout(Duration::from_secs(2), stream.read_to_end(&mut sink)).await;
        assert!(closed.is_ok(), "still open after {bytes:?}");
    }
    assert!(
        get_hello(running.address, &trusted)
            .await
            .ends_with("hello")
    );
}

#[tokio::test]
async fn a_handshake_that_never_comes_is_cut_at_the_handshake_timeout() {
    let (chain, key, trusted) = certificate();
    let tls = TlsConfig::from_pem(chain, key)
        .unwrap()
        .handshake_timeout(Duration::from_millis(300));
    let running = serve_both(tls).await;
    // One sends nothing; one sends the first bytes of a ClientHello record and stops.
    let silent = TcpStream::connect(running.address).await.unwrap();
    let mut partial = TcpStream::connect(running.address).await.unwrap();
    partial.write_all(&[0x16, 0x03, 0x01, 0x02]).await.unwrap();
    let start = Instant::now();
    for mut stream in [silent, partial] {
        let mut sink = Vec::new();
        let closed =
            tokio::time::timeout(Duration::from_secs(3), stream.read_to_end(&mut sink)).await;
        assert!(
            closed.is_ok(),
            "a stalled handshake was still open after 3 s"
        );
    }
    assert!(start.elapsed() >= Duration::from_millis(200));
    assert!(
        get_hello(running.address, &trusted)
            .await
            .ends_with("hello")
    );
}

#[tokio::test]
async fn certificates_load_from_files_and_bad_ones_say_what_is_wrong() {
    let (chain, key, trusted) = certificate();
    let dir = std::env::temp_dir().join(format!("kratos-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (chain_path, key_path) = (dir.join("chain.pem"), dir.join("key.pem"));
    std::fs::write(&chain_path, &chain).unwrap();
    std::fs::write(&key_path, &key).unwrap();
    let tls = TlsConfig::from_pem_files(&chain_path, &key_path).unwrap();
    let missing = TlsConfig::from_pem_files(dir.join("nope.pem"), &key_path).unwrap_err();
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(missing.to_string().contains("nope.pem"), "{missing}");
    let no_chain = TlsConfig::from_pem("not a certificate", &key).unwrap_err();
    assert!(
        no_chain.to_string().contains("no certificate"),
        "{no_chain}"
    );
    let no_key = TlsConfig::from_pem(&chain, "not a key").unwrap_err();
    assert!(no_key.to_string().contains("private key"), "{no_key}");

    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = listener.local_addr().unwrap();
    let (_stop, stopped) = oneshot::channel::<()>();
    tokio::spawn(hello_server().tls(tls).serve_listener(listener, async {
        let _ = stopped.await;
    }));
    assert!(get_hello(address, &trusted).await.ends_with("hello"));
}
