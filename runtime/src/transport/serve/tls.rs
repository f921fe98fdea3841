//! TLS for both servers (feature `tls`): rustls, certificates from PEM, ALPN `h2` and
//! `http/1.1`, and a bounded handshake.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;

/// A server's certificate and key, as Go Kratos' `http.TLSConfig` / `grpc.TLSConfig`: set it
/// with `Server::tls` on either server (or [`ConnectionSettings::tls`](super::ConnectionSettings::tls)),
/// and the server speaks only TLS. ALPN offers `h2` and `http/1.1`, so gRPC and HTTP share one
/// TLS port through [`serve_with_http`](crate::transport::grpc::serve_with_http).
#[derive(Clone)]
pub struct TlsConfig {
    acceptor: TlsAcceptor,
    handshake_timeout: Duration,
}

impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsConfig")
            .field("handshake_timeout", &self.handshake_timeout)
            .finish_non_exhaustive()
    }
}

impl TlsConfig {
    /// Default [`handshake_timeout`](Self::handshake_timeout): 10 s.
    pub const DEFAULT_HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

    /// From PEM text: the certificate chain (leaf first) and the private key (PKCS#8, PKCS#1
    /// or SEC1).
    pub fn from_pem(cert_chain: impl AsRef<[u8]>, key: impl AsRef<[u8]>) -> std::io::Result<Self> {
        let chain = CertificateDer::pem_slice_iter(cert_chain.as_ref())
            .collect::<Result<Vec<_>, _>>()
            .map_err(|err| invalid(format!("cannot read the certificate chain: {err}")))?;
        if chain.is_empty() {
            return Err(invalid(
                "the certificate chain has no certificate".to_owned(),
            ));
        }
        let key = PrivateKeyDer::from_pem_slice(key.as_ref())
            .map_err(|err| invalid(format!("cannot read the private key: {err}")))?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|err| invalid(err.to_string()))?
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .map_err(|err| invalid(format!("the certificate and key do not go together: {err}")))?;
        config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
        Ok(Self::from_rustls(Arc::new(config)))
    }

    /// From PEM files: the certificate chain and the private key; the error names the file.
    pub fn from_pem_files(
        cert_chain: impl AsRef<Path>,
        key: impl AsRef<Path>,
    ) -> std::io::Result<Self> {
        let read = |path: &Path| {
            std::fs::read(path).map_err(|err| {
                std::io::Error::new(err.kind(), format!("{}: {err}", path.display()))
            })
        };
        Self::from_pem(read(cert_chain.as_ref())?, read(key.as_ref())?)
    }

    /// From a rustls configuration built by the caller (client certificates, other ALPN
    /// protocols, another crypto provider), used as it is.
    pub fn from_rustls(config: Arc<rustls::ServerConfig>) -> Self {
        Self {
            acceptor: TlsAcceptor::from(config),
            handshake_timeout: Self::DEFAULT_HANDSHAKE_TIMEOUT,
        }
    }

    /// How long a client may take to complete the TLS handshake; past it, or on anything that
    /// is not a handshake, the connection is closed.
    #[must_use]
    pub fn handshake_timeout(mut self, timeout: Duration) -> Self {
        self.handshake_timeout = timeout;
        self
    }

    /// The handshake on an accepted connection, within the handshake timeout; `None` when it
    /// failed or took too long.
    pub(super) async fn accept<I>(&self, io: I) -> Option<TlsStream<I>>
    where
        I: AsyncRead + AsyncWrite + Unpin,
    {
        tokio::time::timeout(self.handshake_timeout, self.acceptor.accept(io))
            .await
            .ok()?
            .ok()
    }
}

fn invalid(message: String) -> std::io::Error {
    std::io::Error::new(std::io::ErrorKind::InvalidInput, message)
}
