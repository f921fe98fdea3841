//! The reasons of the errors the runtime raises itself, in one place: match on these
//! (`err.reason() == reasons::CODEC`) rather than on string literals. Each constant says the
//! code it comes with and where it is raised. Reasons from `errors.proto` are the generated
//! `error_*`/`is_*` functions' business, not this module's.

/// A request body, path variable or query parameter that could not be decoded (400), or a
/// reply the server could not encode (500); the HTTP client's undecodable reply (500).
pub const CODEC: &str = "CODEC";
/// No route matches the request's path (404).
pub const NOT_FOUND: &str = "NOT_FOUND";
/// A route matches the path but not the method (405, with `Allow`).
pub const METHOD_NOT_ALLOWED: &str = "METHOD_NOT_ALLOWED";
/// A request body over the server's limit (413), or a reply body over the HTTP client's (500).
pub const BODY_TOO_LARGE: &str = "BODY_TOO_LARGE";
/// A request body that did not arrive within the server's body-read timeout (408).
pub const REQUEST_TIMEOUT: &str = "REQUEST_TIMEOUT";
/// A call that did not finish within its time limit (504), on either transport.
pub const TIMEOUT: &str = "TIMEOUT";
/// A method with no implementation yet (501, gRPC `UNIMPLEMENTED`): [`super::unimplemented()`],
/// returned by the stubs `kratos proto server` writes.
pub const UNIMPLEMENTED: &str = "UNIMPLEMENTED";
/// A handler that panicked, caught by the recovery middleware (500).
pub const UNKNOWN: &str = "UNKNOWN";
/// A call dropped by the BBR rate limiter (429).
pub const RATELIMIT: &str = "RATELIMIT";
/// A call refused by the client-side circuit breaker (503).
pub const CIRCUITBREAKER: &str = "CIRCUITBREAKER";
/// A missing, malformed or invalid bearer token, from the jwt middleware (401).
pub const UNAUTHORIZED: &str = "UNAUTHORIZED";
/// A request that breaks its `buf.validate` rules, from the validate middleware (400).
pub const VALIDATOR: &str = "VALIDATOR";
/// An app that failed to start or stopped on a failure (500).
pub const APP: &str = "APP";
/// A registry that could not be reached or answered with an error (503).
pub const REGISTRY: &str = "REGISTRY";
/// A call with no instance to go to (503), as Kratos' `no_available_node`.
pub const NO_AVAILABLE_NODE: &str = "NO_AVAILABLE_NODE";
/// An HTTP client connection that could not be made or failed mid-call (503).
pub const TRANSPORT: &str = "TRANSPORT";
/// An HTTP client call that cannot be sent: bad method, path or header (400).
pub const INVALID_REQUEST: &str = "INVALID_REQUEST";
/// A bad HTTP client base URL or builder setting (400).
pub const INVALID_CONFIG: &str = "INVALID_CONFIG";
/// A path field whose value does not fit its variable's pattern, refused by a generated HTTP
/// client before anything is sent (400).
pub const INVALID_PATH_VALUE: &str = "INVALID_PATH_VALUE";
/// A gRPC client endpoint that is not a valid URI (400) or cannot be dialled (500).
pub const CLIENT_ENDPOINT: &str = "CLIENT_ENDPOINT";
