//! Why a key or a token was refused.

/// Errors of key parsing, signing and verification.
///
/// The messages are safe to send to a client (they say why a token was
/// refused, never anything secret).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum AuthError {
    /// The token is not three base64url parts with JSON header and claims.
    #[error("malformed token: {0}")]
    Malformed(String),
    /// The header names an algorithm other than `EdDSA` (e.g. `none`).
    #[error("unsupported token algorithm `{0}` (only EdDSA is accepted)")]
    UnsupportedAlgorithm(String),
    /// The header has no `kid`.
    #[error("token header has no key id (`kid`)")]
    MissingKid,
    /// No key with the token's `kid` is known to the verifier.
    #[error("unknown signing key `{0}`")]
    UnknownKid(String),
    /// The signature does not match the header and claims under the key.
    #[error("invalid token signature")]
    BadSignature,
    /// `exp` is in the past.
    #[error("token expired")]
    Expired,
    /// `iat` is in the future (beyond the leeway).
    #[error("token issued in the future")]
    NotYetValid,
    /// `iss` is not the issuer the verifier expects.
    #[error("token issuer `{0}` is not accepted")]
    WrongIssuer(String),
    /// A key in configuration or in a JWKS document could not be read.
    #[error("invalid key: {0}")]
    InvalidKey(String),
}
