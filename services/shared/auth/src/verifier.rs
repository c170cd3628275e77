//! Local token verification against a set of public keys.

use std::collections::HashMap;

use crate::error::AuthError;
use crate::jwks::Jwks;
use crate::key::PublicKey;
use crate::token::{self, ALGORITHM, Claims};

/// Checks tokens against known public keys (several, for rotation).
#[derive(Clone, Debug, Default)]
pub struct Verifier {
    keys: HashMap<String, PublicKey>,
    issuer: Option<String>,
    leeway_secs: i64,
}

impl Verifier {
    /// A verifier accepting tokens signed by any of `keys` (by `kid`).
    pub fn new(keys: impl IntoIterator<Item = PublicKey>) -> Self {
        Self {
            keys: keys.into_iter().map(|k| (k.kid().to_owned(), k)).collect(),
            issuer: None,
            leeway_secs: 0,
        }
    }

    /// A verifier for the keys of a JWKS document.
    pub fn from_jwks(jwks: &Jwks) -> Result<Self, AuthError> {
        Ok(Self::new(jwks.public_keys()?))
    }

    /// Also require `iss == issuer`.
    #[must_use]
    pub fn with_issuer(mut self, issuer: impl Into<String>) -> Self {
        self.issuer = Some(issuer.into());
        self
    }

    /// Tolerate clocks that differ by up to `secs` seconds.
    #[must_use]
    pub fn with_leeway(mut self, secs: i64) -> Self {
        self.leeway_secs = secs.max(0);
        self
    }

    /// Adds (or replaces) a key: rotation without a restart.
    pub fn add_key(&mut self, key: PublicKey) {
        self.keys.insert(key.kid().to_owned(), key);
    }

    /// The key ids accepted.
    pub fn kids(&self) -> impl Iterator<Item = &str> {
        self.keys.keys().map(String::as_str)
    }

    /// Verifies `token` now.
    pub fn verify(&self, token: &str) -> Result<Claims, AuthError> {
        self.verify_at(token, crate::now_unix())
    }

    /// Verifies `token` as of `now` (seconds since the Unix epoch).
    pub fn verify_at(&self, token: &str, now: i64) -> Result<Claims, AuthError> {
        let parsed = token::parse(token)?;
        if parsed.header.alg != ALGORITHM {
            return Err(AuthError::UnsupportedAlgorithm(parsed.header.alg));
        }
        let kid = parsed.header.kid.as_deref().ok_or(AuthError::MissingKid)?;
        let key = self
            .keys
            .get(kid)
            .ok_or_else(|| AuthError::UnknownKid(kid.to_owned()))?;
        let signature = ed25519_dalek::Signature::from_slice(&parsed.signature)
            .map_err(|_| AuthError::BadSignature)?;
        key.verifying_key()
            .verify_strict(parsed.signing_input.as_bytes(), &signature)
            .map_err(|_| AuthError::BadSignature)?;
        let claims: Claims = serde_json::from_slice(&parsed.claims_json)
            .map_err(|e| AuthError::Malformed(format!("claims: {e}")))?;
        if now >= claims.exp.saturating_add(self.leeway_secs) {
            return Err(AuthError::Expired);
        }
        if claims.iat > now.saturating_add(self.leeway_secs) {
            return Err(AuthError::NotYetValid);
        }
        if let Some(issuer) = &self.issuer
            && &claims.iss != issuer
        {
            return Err(AuthError::WrongIssuer(claims.iss));
        }
        Ok(claims)
    }
}
