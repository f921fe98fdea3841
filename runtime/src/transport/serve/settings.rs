//! How a server treats connections: timeouts, limits and the stop deadline.

use std::time::Duration;

/// Connection-level settings shared by the HTTP and gRPC servers (and
/// [`serve_with_http`](crate::transport::grpc::serve_with_http)): what protects a server from
/// slow, idle or too many clients, and how long a graceful stop may take.
///
/// ```
/// use std::time::Duration;
/// use kratos::transport::ConnectionSettings;
///
/// let settings = ConnectionSettings::new()
///     .idle_timeout(Some(Duration::from_secs(30)))
///     .max_connections(2_000);
/// let server = kratos::transport::http::Server::new().connection_settings(settings);
/// ```
#[derive(Debug, Clone)]
pub struct ConnectionSettings {
    pub(crate) header_read_timeout: Option<Duration>,
    pub(crate) idle_timeout: Option<Duration>,
    pub(crate) body_read_timeout: Option<Duration>,
    pub(crate) send_timeout: Option<Duration>,
    pub(crate) max_connections: usize,
    pub(crate) max_h2_streams: Option<u32>,
    pub(crate) h2_keep_alive_interval: Option<Duration>,
    pub(crate) h2_keep_alive_timeout: Duration,
    pub(crate) tcp_keep_alive: Option<Duration>,
    pub(crate) stop_timeout: Duration,
    #[cfg(feature = "tls")]
    pub(crate) tls: Option<super::TlsConfig>,
}

impl Default for ConnectionSettings {
    fn default() -> Self {
        Self::new()
    }
}

impl ConnectionSettings {
    /// Default [`header_read_timeout`](Self::header_read_timeout): 30 s (hyper's own).
    pub const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);
    /// Default [`idle_timeout`](Self::idle_timeout): 60 s.
    pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
    /// Default [`body_read_timeout`](Self::body_read_timeout): 30 s.
    pub const DEFAULT_BODY_READ_TIMEOUT: Duration = Duration::from_secs(30);
    /// Default [`send_timeout`](Self::send_timeout): 30 s.
    pub const DEFAULT_SEND_TIMEOUT: Duration = Duration::from_secs(30);
    /// Default [`max_connections`](Self::max_connections): 10 000.
    pub const DEFAULT_MAX_CONNECTIONS: usize = 10_000;
    /// Default [`max_h2_streams`](Self::max_h2_streams): 200 (hyper's own).
    pub const DEFAULT_MAX_H2_STREAMS: u32 = 200;
    /// Default [`h2_keep_alive`](Self::h2_keep_alive) interval: a ping every 60 s.
    pub const DEFAULT_H2_KEEP_ALIVE_INTERVAL: Duration = Duration::from_secs(60);
    /// Default [`h2_keep_alive`](Self::h2_keep_alive) timeout: 20 s (hyper's and gRPC's).
    pub const DEFAULT_H2_KEEP_ALIVE_TIMEOUT: Duration = Duration::from_secs(20);
    /// Default [`tcp_keep_alive`](Self::tcp_keep_alive): probes after 15 s idle (Go's default
    /// for accepted connections, so Go Kratos').
    pub const DEFAULT_TCP_KEEP_ALIVE: Duration = Duration::from_secs(15);
    /// Default [`stop_timeout`](Self::stop_timeout): 10 s (Go Kratos' `StopTimeout`).
    pub const DEFAULT_STOP_TIMEOUT: Duration = Duration::from_secs(10);

    /// The defaults listed on the `DEFAULT_*` constants.
    pub fn new() -> Self {
        Self {
            header_read_timeout: Some(Self::DEFAULT_HEADER_READ_TIMEOUT),
            idle_timeout: Some(Self::DEFAULT_IDLE_TIMEOUT),
            body_read_timeout: Some(Self::DEFAULT_BODY_READ_TIMEOUT),
            send_timeout: Some(Self::DEFAULT_SEND_TIMEOUT),
            max_connections: Self::DEFAULT_MAX_CONNECTIONS,
            max_h2_streams: Some(Self::DEFAULT_MAX_H2_STREAMS),
            h2_keep_alive_interval: Some(Self::DEFAULT_H2_KEEP_ALIVE_INTERVAL),
            h2_keep_alive_timeout: Self::DEFAULT_H2_KEEP_ALIVE_TIMEOUT,
            tcp_keep_alive: Some(Self::DEFAULT_TCP_KEEP_ALIVE),
            stop_timeout: Self::DEFAULT_STOP_TIMEOUT,
            #[cfg(feature = "tls")]
            tls: None,
        }
    }

    /// HTTP/1: how long a client may take to send a request's headers; past it the
    /// connection is closed. The clock starts when the connection opens or its last call
    /// ends (as hyper's own header timeout), so it also bounds how long a kept-alive HTTP/1
    /// connection may sit between requests. `None` for no limit; default 30 s. The end of a
    /// call is taken from a clock the server reads every 50 ms, not on every call, so this
    /// timeout and the idle timeout may run up to 50 ms longer than set (shorter only when the
    /// server is too busy to read that clock on time).
    #[must_use]
    pub fn header_read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.header_read_timeout = timeout;
        self
    }

    /// How long a connection may have no call in progress (a kept-alive HTTP/1 connection
    /// between requests, an HTTP/2 connection with no open stream, a connection that never
    /// sent anything) before it is closed gracefully; one still open another idle timeout later
    /// (an HTTP/2 client that does not answer the closing PING) is dropped. `None` for no
    /// limit; default 60 s. Measured as the header read timeout is (to within 50 ms).
    #[must_use]
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.idle_timeout = timeout;
        self
    }

    /// The longest wait for the next piece of a request body, as nginx's
    /// `client_body_timeout`; past it the read fails (HTTP routes answer 408). `None` for no
    /// limit; default 30 s. On HTTP routes the call timeout also bounds the whole read.
    #[must_use]
    pub fn body_read_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.body_read_timeout = timeout;
        self
    }

    /// The longest a write may wait for the client to take data, as nginx's `send_timeout`;
    /// past it the connection is closed, so a client that never reads its responses cannot
    /// hold a connection and its buffers. `None` for no limit; default 30 s.
    #[must_use]
    pub fn send_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.send_timeout = timeout;
        self
    }

    /// How many connections are served at once; at the limit the server stops accepting and
    /// the next clients wait in the listen backlog until a connection closes. Keep it below
    /// the process's open-file limit. At least 1; default 10 000.
    #[must_use]
    pub fn max_connections(mut self, max: usize) -> Self {
        self.max_connections = max.max(1);
        self
    }

    /// HTTP/2: how many streams (calls) one connection may have open at once
    /// (`SETTINGS_MAX_CONCURRENT_STREAMS`). `None` for no limit; default 200.
    #[must_use]
    pub fn max_h2_streams(mut self, max: Option<u32>) -> Self {
        self.max_h2_streams = max;
        self
    }

    /// HTTP/2: send a PING every `interval` and close the connection when the answer takes
    /// longer than `timeout`, so dead peers are found during long calls. `None` sends no
    /// pings; default every 60 s, 20 s to answer.
    #[must_use]
    pub fn h2_keep_alive(mut self, interval: Option<Duration>, timeout: Duration) -> Self {
        self.h2_keep_alive_interval = interval;
        self.h2_keep_alive_timeout = timeout;
        self
    }

    /// TCP keep-alive on accepted connections: probes start after this long without traffic.
    /// `None` leaves the operating system's setting; default 15 s.
    #[must_use]
    pub fn tcp_keep_alive(mut self, idle: Option<Duration>) -> Self {
        self.tcp_keep_alive = idle;
        self
    }

    /// How long a graceful stop may take: after the shutdown signal the server stops
    /// accepting, closes idle connections and lets calls in progress finish; what is still
    /// open after this long is closed, and the server returns. Default 10 s.
    #[must_use]
    pub fn stop_timeout(mut self, timeout: Duration) -> Self {
        self.stop_timeout = timeout;
        self
    }

    /// Serve TLS only, with this certificate (default: plain TCP).
    #[cfg(feature = "tls")]
    #[must_use]
    pub fn tls(mut self, config: super::TlsConfig) -> Self {
        self.tls = Some(config);
        self
    }
}
