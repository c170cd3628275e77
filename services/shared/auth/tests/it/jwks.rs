//! The JWKS document: what identity-service publishes and the others read.

use nova_auth::{AuthError, Claims, Jwks, SigningKey, Verifier};

#[test]
fn jwks_round_trips_and_builds_a_verifier() {
    let a = SigningKey::from_seed("a", [7; 32]);
    let b = SigningKey::from_seed("b", [9; 32]);
    let jwks = Jwks::from_keys([&a.public_key(), &b.public_key()]);
    let json = jwks.to_json();
    insta::assert_snapshot!(json);
    let parsed = Jwks::from_json(&json).expect("parse");
    assert_eq!(parsed, jwks);
    let verifier = Verifier::from_jwks(&parsed).expect("verifier");
    let token = b.sign(&Claims::new("u", "i", 100, 60)).expect("sign");
    assert_eq!(
        verifier.verify_at(&token, 120).map(|c| c.sub),
        Ok("u".to_owned())
    );
}

#[test]
fn jwks_with_a_non_ed25519_key_is_refused() {
    let json = r#"{"keys":[{"kty":"RSA","crv":"","kid":"r","x":"","alg":"RS256"}]}"#;
    let jwks = Jwks::from_json(json).expect("parse");
    assert!(matches!(
        Verifier::from_jwks(&jwks),
        Err(AuthError::InvalidKey(_))
    ));
    assert!(matches!(
        Jwks::from_json("{"),
        Err(AuthError::InvalidKey(_))
    ));
}
