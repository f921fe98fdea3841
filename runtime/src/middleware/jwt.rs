//! JWT authentication (feature `jwt`), as Kratos' `auth/jwt`: the server middleware reads
//! `Authorization: Bearer <token>`, verifies it with the configured key and algorithm (HS256,
//! RS256 or ES256) and the `exp`/`nbf` claims, and puts the claims into the context; the client
//! middleware signs a token per call. Every rejection is `401` reason `UNAUTHORIZED`, with
//! Kratos' messages: a missing token, a malformed one, an expired one, one signed with another
//! algorithm (also `alg: none`), one with a bad signature.
//!
//! ```
//! use kratos::middleware::jwt::{Jwt, SigningKey, VerifyingKey};
//!
//! let server = kratos::transport::http::Server::new()
//!     .middleware(Jwt::server(VerifyingKey::hs256(b"secret")));
//! let claims = serde_json::json!({"sub": "alice", "exp": 4102444800_u64});
//! let client = kratos::transport::http::Client::builder("http://127.0.0.1:8000")
//!     .middleware(Jwt::client(SigningKey::hs256(b"secret"), claims))
//!     .build();
//! # let _ = (server, client);
//! ```
//! A handler reads the claims with [`claims`]: `jwt::claims::<MyClaims>(&ctx)`.

use std::sync::Arc;

use http::HeaderValue;
use http::header::AUTHORIZATION;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};

use super::{Handler, Message, Middleware};
use crate::errors::Error;
use crate::errors::reasons;
use crate::transport::Context;

fn unauthorized(message: &str) -> Error {
    Error::new(401, reasons::UNAUTHORIZED, message)
}

/// The verified claims of a call, as JSON (read them typed with [`claims`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Claims(pub serde_json::Value);

/// The call's verified claims as `C`, if the call carried a valid token and its claims fit `C`.
pub fn claims<C: serde::de::DeserializeOwned>(ctx: &Context) -> Option<C> {
    let Claims(value) = ctx.extensions().get::<Claims>()?;
    serde_json::from_value(value.clone()).ok()
}

/// A bad key given to a constructor.
#[derive(Debug)]
pub struct KeyError(jsonwebtoken::errors::Error);

impl std::fmt::Display for KeyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "invalid JWT key: {}", self.0)
    }
}

impl std::error::Error for KeyError {}

/// The JWT middleware: [`server`](Self::server) verifies the bearer token of every call,
/// [`client`](Self::client) signs one for every call. Clones share the key.
#[derive(Clone)]
pub struct Jwt {
    side: Side,
}

#[derive(Clone)]
enum Side {
    Server(Arc<Verifier>),
    Client(Arc<Signer>),
}

impl std::fmt::Debug for Jwt {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.side {
            Side::Server(verifier) => f
                .debug_struct("Jwt::server")
                .field("algorithms", &verifier.validation.algorithms)
                .finish_non_exhaustive(),
            Side::Client(signer) => f
                .debug_struct("Jwt::client")
                .field("alg", &signer.header.alg)
                .finish_non_exhaustive(),
        }
    }
}

impl Jwt {
    /// Server side: verifies every call's `Authorization: Bearer` token with `key`.
    pub fn server(key: VerifyingKey) -> Self {
        let mut validation = Validation::new(key.algorithm);
        // Kratos checks exp and nbf when present, and requires no claim.
        validation.required_spec_claims.clear();
        validation.validate_nbf = true;
        Self {
            side: Side::Server(Arc::new(Verifier {
                key: key.key,
                validation,
            })),
        }
    }

    /// Client side: signs `claims` with `key` and sends `Authorization: Bearer <token>` with
    /// every call.
    pub fn client(key: SigningKey, claims: serde_json::Value) -> Self {
        Self {
            side: Side::Client(Arc::new(Signer {
                key: key.key,
                header: Header::new(key.algorithm),
                claims,
            })),
        }
    }
}

/// The key a server verifies tokens with, and its algorithm.
pub struct VerifyingKey {
    key: DecodingKey,
    algorithm: Algorithm,
}

impl std::fmt::Debug for VerifyingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VerifyingKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl VerifyingKey {
    /// HMAC-SHA256 with a shared secret.
    pub fn hs256(secret: &[u8]) -> Self {
        Self {
            key: DecodingKey::from_secret(secret),
            algorithm: Algorithm::HS256,
        }
    }

    /// RSA (PKCS#1 v1.5, SHA-256) with a PEM public key.
    pub fn rs256_pem(public_key: &[u8]) -> Result<Self, KeyError> {
        Ok(Self {
            key: DecodingKey::from_rsa_pem(public_key).map_err(KeyError)?,
            algorithm: Algorithm::RS256,
        })
    }

    /// ECDSA P-256 with a PEM public key.
    pub fn es256_pem(public_key: &[u8]) -> Result<Self, KeyError> {
        Ok(Self {
            key: DecodingKey::from_ec_pem(public_key).map_err(KeyError)?,
            algorithm: Algorithm::ES256,
        })
    }
}

/// The key a client signs tokens with, and its algorithm.
pub struct SigningKey {
    key: EncodingKey,
    algorithm: Algorithm,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("algorithm", &self.algorithm)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// HMAC-SHA256 with a shared secret.
    pub fn hs256(secret: &[u8]) -> Self {
        Self {
            key: EncodingKey::from_secret(secret),
            algorithm: Algorithm::HS256,
        }
    }

    /// RSA with a PEM private key.
    pub fn rs256_pem(private_key: &[u8]) -> Result<Self, KeyError> {
        Ok(Self {
            key: EncodingKey::from_rsa_pem(private_key).map_err(KeyError)?,
            algorithm: Algorithm::RS256,
        })
    }

    /// ECDSA P-256 with a PEM (PKCS#8) private key.
    pub fn es256_pem(private_key: &[u8]) -> Result<Self, KeyError> {
        Ok(Self {
            key: EncodingKey::from_ec_pem(private_key).map_err(KeyError)?,
            algorithm: Algorithm::ES256,
        })
    }
}

/// The server side's key and checks.
struct Verifier {
    key: DecodingKey,
    validation: Validation,
}

impl Verifier {
    fn verify(&self, ctx: &Context) -> Result<Claims, Error> {
        let header = ctx
            .request_headers()
            .get(AUTHORIZATION)
            .ok_or_else(|| unauthorized("JWT token is missing"))?;
        let token = header
            .to_str()
            .ok()
            .and_then(|value| {
                let (scheme, token) = value.split_once(' ')?;
                scheme
                    .eq_ignore_ascii_case("bearer")
                    .then_some(token.trim())
            })
            .filter(|token| !token.is_empty())
            .ok_or_else(|| unauthorized("JWT token is missing"))?;
        // The header names the algorithm; anything but ours (including `none`) is refused
        // before the signature is looked at.
        match jsonwebtoken::decode_header(token) {
            Ok(header) if !self.validation.algorithms.contains(&header.alg) => {
                return Err(unauthorized("Wrong signing method"));
            }
            Ok(_) => {}
            Err(error) => return Err(parse_error(&error)),
        }
        jsonwebtoken::decode::<serde_json::Value>(token, &self.key, &self.validation)
            .map(|data| Claims(data.claims))
            .map_err(|error| match error.kind() {
                ErrorKind::ExpiredSignature => unauthorized("JWT token has expired"),
                ErrorKind::ImmatureSignature => unauthorized("JWT token is not valid yet"),
                ErrorKind::InvalidSignature => unauthorized("Token is invalid"),
                ErrorKind::InvalidAlgorithm => unauthorized("Wrong signing method"),
                _ => parse_error(&error),
            })
    }
}

fn parse_error(error: &jsonwebtoken::errors::Error) -> Error {
    match error.kind() {
        // `alg: none` (or any algorithm jsonwebtoken does not know) fails to parse as a header.
        ErrorKind::Json(_) if error.to_string().contains("unknown variant") => {
            unauthorized("Wrong signing method")
        }
        _ => unauthorized("Fail to parse JWT token"),
    }
}

/// The client side's key, header and claims.
struct Signer {
    key: EncodingKey,
    header: Header,
    claims: serde_json::Value,
}

impl Signer {
    fn authorization(&self) -> Result<HeaderValue, Error> {
        let token = jsonwebtoken::encode(&self.header, &self.claims, &self.key)
            .map_err(|error| unauthorized(&format!("cannot sign the JWT token: {error}")))?;
        HeaderValue::try_from(format!("Bearer {token}"))
            .map_err(|_| unauthorized("the signed JWT token is not a valid header"))
    }
}

impl Middleware for Jwt {
    fn wrap(&self, next: Handler) -> Handler {
        match &self.side {
            Side::Server(verifier) => {
                let verifier = Arc::clone(verifier);
                Arc::new(
                    move |mut ctx: Context, request: Message| match verifier.verify(&ctx) {
                        Ok(claims) => {
                            ctx.extensions_mut().insert(claims);
                            next(ctx, request)
                        }
                        Err(error) => Box::pin(async move { Err(error) }),
                    },
                )
            }
            Side::Client(signer) => {
                let signer = Arc::clone(signer);
                Arc::new(
                    move |mut ctx: Context, request: Message| match signer.authorization() {
                        Ok(value) => {
                            ctx.request_headers_mut().insert(AUTHORIZATION, value);
                            next(ctx, request)
                        }
                        Err(error) => Box::pin(async move { Err(error) }),
                    },
                )
            }
        }
    }
}
