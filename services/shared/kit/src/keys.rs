//! Token keys from the environment, shared by the issuer and the verifiers.
//!
//! - `NOVA_AUTH_SIGNING_KEYS` = `kid=seed[,kid=seed...]` (seed: base64url of
//!   32 bytes; the first key signs, all are published): the issuer's keys.
//! - `NOVA_AUTH_JWKS` = a JWKS JSON document, or `NOVA_AUTH_PUBLIC_KEYS` =
//!   `kid=x[,kid=x...]`: the keys a verifying service accepts. When neither
//!   is set, the public halves of `NOVA_AUTH_SIGNING_KEYS` are used.
//! - When no key is configured at all, the **development key** (`kid` `dev`,
//!   a fixed, public seed) is used with a warning, so that the stack runs on a
//!   fresh machine with no setup. Never run anything exposed with it.

use nova_auth::{Jwks, PublicKey, SigningKey, Verifier};

use crate::config::{ConfigError, env_string};

/// Variable with the issuer's signing keys.
pub const SIGNING_KEYS_VAR: &str = "NOVA_AUTH_SIGNING_KEYS";
/// Variable with a JWKS document of accepted keys.
pub const JWKS_VAR: &str = "NOVA_AUTH_JWKS";
/// Variable with accepted public keys as `kid=x` pairs.
pub const PUBLIC_KEYS_VAR: &str = "NOVA_AUTH_PUBLIC_KEYS";

/// The development signing key: `kid` `dev`, fixed seed. For local runs only.
pub fn development_signing_key() -> SigningKey {
    SigningKey::from_seed("dev", *b"nova-development-key-not-secret!")
}

/// The issuer's signing keys (first signs), or the development key.
pub fn signing_keys_from_env() -> Result<Vec<SigningKey>, ConfigError> {
    let Some(value) = env_string(SIGNING_KEYS_VAR) else {
        tracing::warn!("{SIGNING_KEYS_VAR} is not set: using the development signing key");
        return Ok(vec![development_signing_key()]);
    };
    pairs(SIGNING_KEYS_VAR, &value)?
        .into_iter()
        .map(|(kid, seed)| {
            SigningKey::from_base64(kid, seed).map_err(|e| bad(SIGNING_KEYS_VAR, &value, e))
        })
        .collect()
}

/// The verifier of a service that checks tokens (see the module docs for the
/// variables, in order of precedence).
pub fn verifier_from_env() -> Result<Verifier, ConfigError> {
    if let Some(json) = env_string(JWKS_VAR) {
        let jwks = Jwks::from_json(&json).map_err(|e| bad(JWKS_VAR, &json, e))?;
        return Verifier::from_jwks(&jwks).map_err(|e| bad(JWKS_VAR, &json, e));
    }
    if let Some(value) = env_string(PUBLIC_KEYS_VAR) {
        let keys = pairs(PUBLIC_KEYS_VAR, &value)?
            .into_iter()
            .map(|(kid, x)| {
                PublicKey::from_base64(kid, x).map_err(|e| bad(PUBLIC_KEYS_VAR, &value, e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        return Ok(Verifier::new(keys));
    }
    Ok(Verifier::new(
        signing_keys_from_env()?.iter().map(SigningKey::public_key),
    ))
}

fn pairs<'a>(var: &str, value: &'a str) -> Result<Vec<(&'a str, &'a str)>, ConfigError> {
    value
        .split(',')
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(|pair| {
            pair.split_once('=')
                .map(|(k, v)| (k.trim(), v.trim()))
                .filter(|(k, v)| !k.is_empty() && !v.is_empty())
                .ok_or_else(|| bad(var, value, "expected kid=key[,kid=key...]"))
        })
        .collect()
}

fn bad(var: &str, value: &str, reason: impl std::fmt::Display) -> ConfigError {
    ConfigError {
        var: var.to_owned(),
        value: value.to_owned(),
        reason: reason.to_string(),
    }
}
