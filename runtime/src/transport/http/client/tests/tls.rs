//! https through rustls against an in-process TLS server (a std thread with rustls' blocking
//! stream) on 127.0.0.1, with a test CA made for these tests (valid 2000 to 2100).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

use super::support::Book;
use super::*;
use crate::errors::reasons;

/// `CN=kratos-rs test CA`.
const CA: &str = "-----BEGIN CERTIFICATE-----
MIIBbDCCARGgAwIBAgIBATAKBggqhkjOPQQDAjAcMRowGAYDVQQDDBFrcmF0b3Mt
cnMgdGVzdCBDQTAgFw0wMDAxMDEwMDAwMDBaGA8yMTAwMDEwMTAwMDAwMFowHDEa
MBgGA1UEAwwRa3JhdG9zLXJzIHRlc3QgQ0EwWTATBgcqhkjOPQIBBggqhkjOPQMB
BwNCAAT6VzzLzu/sL2/0MjgZUBPgYbtkdNcvMCKjtr7z3lwNNs2sh3IdRqwV2+8Q
mopnkGg927Fo2+Wn6I7vMjHl6mx2o0IwQDAPBgNVHRMBAf8EBTADAQH/MA4GA1Ud
DwEB/wQEAwICBDAdBgNVHQ4EFgQUza+bd9TxxDjgCuRA+i09tac6kEUwCgYIKoZI
zj0EAwIDSQAwRgIhAOcLvQwNGidh2L37eHh/3+TBpvm20Yvq/gFbfB2sWta9AiEA
jcfMrhFnkDRmp5W/yZ1IpZfjRFEHFRv6nABjecvXRDA=
-----END CERTIFICATE-----";

/// `CN=localhost`, SANs `localhost` and `127.0.0.1`, signed by [`CA`].
const LEAF: &str = "-----BEGIN CERTIFICATE-----
MIIBtDCCAVqgAwIBAgIBAjAKBggqhkjOPQQDAjAcMRowGAYDVQQDDBFrcmF0b3Mt
cnMgdGVzdCBDQTAgFw0wMDAxMDEwMDAwMDBaGA8yMTAwMDEwMTAwMDAwMFowFDES
MBAGA1UEAwwJbG9jYWxob3N0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE1C9o
Tkv5AUmxvi9BYo3UENOIOiK1X4AzpGv1Vqo43bgSSaOTS3VJTIZodmcTBh1LYdZR
DJsmqCBAaWBKuVeKMKOBkjCBjzAMBgNVHRMBAf8EAjAAMA4GA1UdDwEB/wQEAwIH
gDATBgNVHSUEDDAKBggrBgEFBQcDATAaBgNVHREEEzARgglsb2NhbGhvc3SHBH8A
AAEwHwYDVR0jBBgwFoAUza+bd9TxxDjgCuRA+i09tac6kEUwHQYDVR0OBBYEFOjE
25xwmV6UbrCiPzrHMFcxPpy8MAoGCCqGSM49BAMCA0gAMEUCIQD6KvwQ1WSHYRVi
mISb5F64Yr907G627W5SC1bhQl9X0AIgV7MDXlJfkgcttEwkKed7kFr09tR6vIZz
EKQUw2574sQ=
-----END CERTIFICATE-----";

/// The key of [`LEAF`] (P-256, PKCS #8).
const LEAF_KEY: &str = "-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgLnE7fjrNTzHOZb38
KnVrD8m0Hjw8RaqUbUhSaEHXMTuhRANCAATUL2hOS/kBSbG+L0FijdQQ04g6IrVf
gDOka/VWqjjduBJJo5NLdUlMhmh2ZxMGHUth1lEMmyaoIEBpYEq5V4ow
-----END PRIVATE KEY-----";

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

/// Answers `connections` TLS connections with a JSON book named `secure`, then stops.
fn tls_server(connections: usize) -> (u16, JoinHandle<()>) {
    let certificates = vec![CertificateDer::from_pem_slice(LEAF.as_bytes()).unwrap()];
    let key = PrivateKeyDer::from_pem_slice(LEAF_KEY.as_bytes()).unwrap();
    let config = Arc::new(
        rustls::ServerConfig::builder_with_provider(provider())
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(certificates, key)
            .unwrap(),
    );
    let listener = TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        for stream in listener.incoming().take(connections) {
            let Ok(stream) = stream else { continue };
            let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
            let _ = stream.set_write_timeout(Some(Duration::from_secs(5)));
            let connection = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
            let mut tls = rustls::StreamOwned::new(connection, stream);
            let mut received = Vec::new();
            let mut buffer = [0_u8; 1024];
            while !received.windows(4).any(|window| window == b"\r\n\r\n") {
                match tls.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(read) => received.extend_from_slice(&buffer[..read]),
                }
            }
            if received.is_empty() {
                continue;
            }
            let body = r#"{"name":"secure"}"#;
            let reply = format!(
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = tls.write_all(reply.as_bytes());
            tls.conn.send_close_notify();
            let _ = tls.flush();
        }
    });
    (port, handle)
}

fn trusting_the_test_ca() -> rustls::ClientConfig {
    let mut roots = rustls::RootCertStore::empty();
    roots
        .add(CertificateDer::from_pem_slice(CA.as_bytes()).unwrap())
        .unwrap();
    rustls::ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth()
}

#[tokio::test]
async fn https_with_a_private_ca() {
    let (port, server) = tls_server(2);
    for host in ["127.0.0.1", "localhost"] {
        let client = Client::builder(&format!("https://{host}:{port}"))
            .tls_config(trusting_the_test_ca())
            .build()
            .unwrap();
        let call = Call::new("/test.Library/GetBook", "GET", "/x", "/x", ());
        let reply: Book = client.invoke(call).await.unwrap();
        assert_eq!(reply.name, "secure", "{host}");
    }
    server.join().unwrap();
}

#[tokio::test]
async fn untrusted_certificates_fail_to_connect() {
    let (port, server) = tls_server(1);
    // The default roots (webpki-roots) do not include the test CA.
    let client = Client::new(&format!("https://127.0.0.1:{port}")).unwrap();
    let call = Call::new("/test.Library/GetBook", "GET", "/x", "/x", ());
    let error = client.invoke::<(), Book>(call).await.unwrap_err();
    assert_eq!(
        (error.code(), error.reason()),
        (503, reasons::TRANSPORT),
        "{error}"
    );
    assert!(
        error.message().contains("cannot connect"),
        "{}",
        error.message()
    );
    assert!(
        error.message().to_lowercase().contains("certificate"),
        "{}",
        error.message()
    );
    server.join().unwrap();
}
