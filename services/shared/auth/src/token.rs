//! The JWS header and claims, and their encoding.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use crate::error::AuthError;

/// The only algorithm issued and accepted.
pub const ALGORITHM: &str = "EdDSA";

/// The JOSE header of a token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Header {
    /// Signature algorithm; always [`ALGORITHM`] for tokens we issue.
    pub alg: String,
    /// Token type (`JWT`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub typ: Option<String>,
    /// Id of the signing key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kid: Option<String>,
}

impl Header {
    /// The header of a token signed by key `kid`.
    pub fn eddsa(kid: &str) -> Self {
        Self {
            alg: ALGORITHM.to_owned(),
            typ: Some("JWT".to_owned()),
            kid: Some(kid.to_owned()),
        }
    }
}

/// What an access token says.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// Subject: the user id.
    pub sub: String,
    /// Issuer (e.g. `nova-identity`).
    pub iss: String,
    /// Issued at, seconds since the Unix epoch.
    pub iat: i64,
    /// Expires at, seconds since the Unix epoch.
    pub exp: i64,
}

impl Claims {
    /// Claims for `sub`, issued by `iss` at `iat`, valid for `ttl_secs`.
    pub fn new(sub: impl Into<String>, iss: impl Into<String>, iat: i64, ttl_secs: i64) -> Self {
        Self {
            sub: sub.into(),
            iss: iss.into(),
            iat,
            exp: iat.saturating_add(ttl_secs),
        }
    }
}

/// `base64url(header) . base64url(claims)`: the bytes that are signed.
pub(crate) fn signing_input(header: &Header, claims: &Claims) -> Result<String, AuthError> {
    let header = serde_json::to_vec(header).map_err(|e| AuthError::Malformed(e.to_string()))?;
    let claims = serde_json::to_vec(claims).map_err(|e| AuthError::Malformed(e.to_string()))?;
    Ok(format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(claims)
    ))
}

/// A token split into its parts, header and claims decoded, signature not yet checked.
pub(crate) struct Parsed<'a> {
    pub header: Header,
    pub claims_json: Vec<u8>,
    pub signing_input: &'a str,
    pub signature: Vec<u8>,
}

pub(crate) fn parse(token: &str) -> Result<Parsed<'_>, AuthError> {
    let token = token.trim();
    let mut parts = token.splitn(3, '.');
    let (Some(h), Some(c), Some(s)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(AuthError::Malformed(
            "expected three dot-separated parts".into(),
        ));
    };
    if s.contains('.') {
        return Err(AuthError::Malformed(
            "expected three dot-separated parts".into(),
        ));
    }
    let decode = |part: &str, what: &str| {
        URL_SAFE_NO_PAD
            .decode(part)
            .map_err(|e| AuthError::Malformed(format!("{what} is not base64url: {e}")))
    };
    let header_json = decode(h, "header")?;
    let header: Header = serde_json::from_slice(&header_json)
        .map_err(|e| AuthError::Malformed(format!("header: {e}")))?;
    let claims_json = decode(c, "claims")?;
    let signature = decode(s, "signature")?;
    Ok(Parsed {
        header,
        claims_json,
        signing_input: &token[..h.len() + 1 + c.len()],
        signature,
    })
}
