//! Access tokens for the nova reference services.
//!
//! A token is a compact JWS (`header.claims.signature`, base64url without
//! padding) signed with Ed25519 (`alg: EdDSA`); the header names the signing
//! key (`kid`). The issuer (identity-service) holds a [`SigningKey`]; it
//! publishes the public halves as a [`Jwks`] document, and every other service
//! builds a [`Verifier`] from those public keys and checks tokens locally,
//! without calling the issuer.
//!
//! Key rotation = several keys: the issuer signs with its newest key and
//! publishes every key still accepted; a [`Verifier`] accepts a token signed by
//! any of its keys, chosen by `kid`.
//!
//! Rejected: malformed tokens, any `alg` other than `EdDSA` (including
//! `none`), unknown `kid`, bad signatures (tampered or signed by another key),
//! expired tokens, tokens issued in the future, and (when set) a wrong issuer.
//!
//! ```
//! use nova_auth::{Claims, SigningKey, Verifier};
//! let key = SigningKey::generate("k1");
//! let token = key.sign(&Claims::new("user-1", "nova-identity", 1_000, 900)).unwrap();
//! let verifier = Verifier::new([key.public_key()]);
//! let claims = verifier.verify_at(&token, 1_100).unwrap();
//! assert_eq!(claims.sub, "user-1");
//! ```

mod error;
mod jwks;
mod key;
mod token;
mod verifier;

pub use error::AuthError;
pub use jwks::{Jwk, Jwks};
pub use key::{PublicKey, SigningKey};
pub use token::{ALGORITHM, Claims, Header};
pub use verifier::Verifier;

/// Seconds since the Unix epoch, now (the clock tokens are checked against).
pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}
