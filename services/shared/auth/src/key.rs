//! Ed25519 key pairs named by a key id.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;

use crate::error::AuthError;
use crate::token::{self, Claims, Header};

/// The issuer's private key, with its key id (`kid`).
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    key: ed25519_dalek::SigningKey,
}

impl std::fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

impl SigningKey {
    /// A fresh random key.
    pub fn generate(kid: impl Into<String>) -> Self {
        let seed: [u8; 32] = rand::random();
        Self::from_seed(kid, seed)
    }

    /// The key whose 32-byte Ed25519 seed is `seed`.
    pub fn from_seed(kid: impl Into<String>, seed: [u8; 32]) -> Self {
        Self {
            kid: kid.into(),
            key: ed25519_dalek::SigningKey::from_bytes(&seed),
        }
    }

    /// Reads a seed written by [`SigningKey::seed_base64`] (base64url, 32 bytes).
    pub fn from_base64(kid: impl Into<String>, seed: &str) -> Result<Self, AuthError> {
        Ok(Self::from_seed(
            kid,
            decode_32(seed.trim(), "signing key seed")?,
        ))
    }

    /// The seed as base64url without padding (for configuration).
    pub fn seed_base64(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.key.to_bytes())
    }

    /// The key id put in the header of every token this key signs.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public half, to publish and to verify with.
    pub fn public_key(&self) -> PublicKey {
        PublicKey {
            kid: self.kid.clone(),
            key: self.key.verifying_key(),
        }
    }

    /// Signs `claims` into a compact JWS with header `{"alg":"EdDSA","typ":"JWT","kid":...}`.
    pub fn sign(&self, claims: &Claims) -> Result<String, AuthError> {
        let header = Header::eddsa(&self.kid);
        let signing_input = token::signing_input(&header, claims)?;
        use ed25519_dalek::Signer as _;
        let signature = self.key.sign(signing_input.as_bytes());
        Ok(format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        ))
    }
}

/// A public key with its key id: what a [`crate::Verifier`] checks with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublicKey {
    kid: String,
    key: ed25519_dalek::VerifyingKey,
}

impl PublicKey {
    /// Reads a public key given as base64url (32 bytes, the JWK `x`).
    pub fn from_base64(kid: impl Into<String>, x: &str) -> Result<Self, AuthError> {
        let bytes = decode_32(x.trim(), "public key")?;
        let key = ed25519_dalek::VerifyingKey::from_bytes(&bytes)
            .map_err(|e| AuthError::InvalidKey(format!("public key: {e}")))?;
        Ok(Self {
            kid: kid.into(),
            key,
        })
    }

    /// The key id.
    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The key as base64url without padding (the JWK `x`).
    pub fn to_base64(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.key.to_bytes())
    }

    pub(crate) fn verifying_key(&self) -> &ed25519_dalek::VerifyingKey {
        &self.key
    }
}

fn decode_32(text: &str, what: &str) -> Result<[u8; 32], AuthError> {
    let bytes = URL_SAFE_NO_PAD
        .decode(text.trim_end_matches('='))
        .map_err(|e| AuthError::InvalidKey(format!("{what} is not base64url: {e}")))?;
    <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| AuthError::InvalidKey(format!("{what} must be 32 bytes, got {}", bytes.len())))
}
