//! The connector under the pooled hyper client: plain TCP, plus rustls with the `tls` feature.

use hyper_util::client::legacy::connect::HttpConnector;

/// How connections are made: TCP only without the `tls` feature.
#[cfg(not(feature = "tls"))]
pub(super) type Connector = HttpConnector;

/// How connections are made: TCP, and rustls for `https` URLs.
#[cfg(feature = "tls")]
pub(super) type Connector = hyper_rustls::HttpsConnector<HttpConnector>;

/// TLS settings given to the builder.
#[cfg(feature = "tls")]
pub(super) type TlsConfig = Option<rustls::ClientConfig>;

/// Without the `tls` feature there is nothing to configure.
#[cfg(not(feature = "tls"))]
pub(super) type TlsConfig = ();

fn tcp() -> HttpConnector {
    let mut connector = HttpConnector::new();
    connector.set_nodelay(true);
    connector
}

#[cfg(not(feature = "tls"))]
pub(super) fn connector(_tls: TlsConfig) -> Result<Connector, crate::errors::Error> {
    Ok(tcp())
}

#[cfg(feature = "tls")]
pub(super) fn connector(tls: TlsConfig) -> Result<Connector, crate::errors::Error> {
    let config = match tls {
        Some(config) => config,
        None => default_tls_config()?,
    };
    let mut tcp = tcp();
    // The TLS layer takes `https` URLs; the TCP layer must let them through.
    tcp.enforce_http(false);
    Ok(hyper_rustls::HttpsConnectorBuilder::new()
        .with_tls_config(config)
        .https_or_http()
        .enable_http1()
        .enable_http2()
        .wrap_connector(tcp))
}

/// rustls with the ring provider, trusting Mozilla's root certificates (webpki-roots), so the
/// client behaves the same on every machine and needs no system certificate store.
#[cfg(feature = "tls")]
fn default_tls_config() -> Result<rustls::ClientConfig, crate::errors::Error> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|error| {
            crate::errors::Error::new(
                400,
                crate::errors::reasons::INVALID_CONFIG,
                format!("cannot set up TLS: {error}"),
            )
        })?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(config)
}
