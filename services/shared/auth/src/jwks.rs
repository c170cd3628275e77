//! The JWKS document (RFC 7517, OKP keys of RFC 8037) publishing public keys.

use serde::{Deserialize, Serialize};

use crate::error::AuthError;
use crate::key::PublicKey;
use crate::token::ALGORITHM;

/// A set of public keys, as served by the issuer (`{"keys":[...]}`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwks {
    /// The keys, newest first by convention.
    pub keys: Vec<Jwk>,
}

/// One public key: `{"kty":"OKP","crv":"Ed25519","kid":...,"x":...,"alg":"EdDSA","use":"sig"}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Jwk {
    /// Key type: `OKP`.
    pub kty: String,
    /// Curve: `Ed25519`.
    pub crv: String,
    /// Key id.
    pub kid: String,
    /// The public key, base64url.
    pub x: String,
    /// Algorithm: `EdDSA`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub alg: Option<String>,
    /// Use: `sig`.
    #[serde(rename = "use", default, skip_serializing_if = "Option::is_none")]
    pub use_: Option<String>,
}

impl Jwks {
    /// The document publishing `keys`.
    pub fn from_keys<'a>(keys: impl IntoIterator<Item = &'a PublicKey>) -> Self {
        Self {
            keys: keys.into_iter().map(Jwk::from).collect(),
        }
    }

    /// Parses a JWKS JSON document.
    pub fn from_json(json: &str) -> Result<Self, AuthError> {
        serde_json::from_str(json).map_err(|e| AuthError::InvalidKey(format!("JWKS document: {e}")))
    }

    /// The document as JSON.
    pub fn to_json(&self) -> String {
        // Serialising plain strings cannot fail.
        serde_json::to_string(self).unwrap_or_else(|_| String::from("{\"keys\":[]}"))
    }

    /// The public keys, refusing any key that is not an Ed25519 signing key.
    pub fn public_keys(&self) -> Result<Vec<PublicKey>, AuthError> {
        self.keys.iter().map(PublicKey::try_from).collect()
    }
}

impl From<&PublicKey> for Jwk {
    fn from(key: &PublicKey) -> Self {
        Self {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            kid: key.kid().to_owned(),
            x: key.to_base64(),
            alg: Some(ALGORITHM.into()),
            use_: Some("sig".into()),
        }
    }
}

impl TryFrom<&Jwk> for PublicKey {
    type Error = AuthError;

    fn try_from(jwk: &Jwk) -> Result<Self, AuthError> {
        if jwk.kty != "OKP" || jwk.crv != "Ed25519" {
            return Err(AuthError::InvalidKey(format!(
                "key `{}` is {}/{}, expected OKP/Ed25519",
                jwk.kid, jwk.kty, jwk.crv
            )));
        }
        if let Some(alg) = &jwk.alg
            && alg != ALGORITHM
        {
            return Err(AuthError::InvalidKey(format!(
                "key `{}` is for `{alg}`",
                jwk.kid
            )));
        }
        PublicKey::from_base64(jwk.kid.clone(), &jwk.x)
    }
}
