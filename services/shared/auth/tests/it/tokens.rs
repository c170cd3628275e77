//! Signing and verifying: every refusal the services rely on.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nova_auth::{AuthError, Claims, SigningKey, Verifier};

const NOW: i64 = 1_800_000_000;

fn claims() -> Claims {
    Claims::new("user-1", "nova-identity", NOW, 900)
}

fn b64(json: &str) -> String {
    URL_SAFE_NO_PAD.encode(json)
}

#[test]
fn a_signed_token_verifies_and_carries_its_claims() {
    let key = SigningKey::generate("k1");
    let token = key.sign(&claims()).expect("sign");
    let verifier = Verifier::new([key.public_key()]).with_issuer("nova-identity");
    assert_eq!(verifier.verify_at(&token, NOW + 10), Ok(claims()));
    let header = token.split('.').next().expect("header");
    let header = String::from_utf8(URL_SAFE_NO_PAD.decode(header).expect("b64")).expect("utf8");
    assert_eq!(header, r#"{"alg":"EdDSA","typ":"JWT","kid":"k1"}"#);
}

#[test]
fn an_expired_token_is_refused() {
    let key = SigningKey::generate("k1");
    let token = key.sign(&claims()).expect("sign");
    let verifier = Verifier::new([key.public_key()]);
    assert_eq!(
        verifier.verify_at(&token, NOW + 900),
        Err(AuthError::Expired)
    );
    assert!(
        verifier
            .clone()
            .with_leeway(30)
            .verify_at(&token, NOW + 920)
            .is_ok()
    );
}

#[test]
fn a_token_from_the_future_is_refused() {
    let key = SigningKey::generate("k1");
    let token = key.sign(&claims()).expect("sign");
    let verifier = Verifier::new([key.public_key()]);
    assert_eq!(
        verifier.verify_at(&token, NOW - 60),
        Err(AuthError::NotYetValid)
    );
}

#[test]
fn tampered_claims_are_refused() {
    let key = SigningKey::generate("k1");
    let token = key.sign(&claims()).expect("sign");
    let parts: Vec<&str> = token.split('.').collect();
    let forged = b64(&format!(
        r#"{{"sub":"admin","iss":"nova-identity","iat":{NOW},"exp":{}}}"#,
        NOW + 900
    ));
    let tampered = format!("{}.{forged}.{}", parts[0], parts[2]);
    let verifier = Verifier::new([key.public_key()]);
    assert_eq!(
        verifier.verify_at(&tampered, NOW),
        Err(AuthError::BadSignature)
    );
}

#[test]
fn a_token_signed_by_another_key_with_the_same_kid_is_refused() {
    let key = SigningKey::generate("k1");
    let impostor = SigningKey::generate("k1");
    let token = impostor.sign(&claims()).expect("sign");
    let verifier = Verifier::new([key.public_key()]);
    assert_eq!(
        verifier.verify_at(&token, NOW),
        Err(AuthError::BadSignature)
    );
}

#[test]
fn an_unknown_kid_is_refused() {
    let key = SigningKey::generate("k1");
    let other = SigningKey::generate("k9");
    let token = other.sign(&claims()).expect("sign");
    let verifier = Verifier::new([key.public_key()]);
    assert_eq!(
        verifier.verify_at(&token, NOW),
        Err(AuthError::UnknownKid("k9".into()))
    );
}

#[test]
fn alg_none_and_other_algorithms_are_refused() {
    let key = SigningKey::generate("k1");
    let verifier = Verifier::new([key.public_key()]);
    let body = b64(&format!(
        r#"{{"sub":"user-1","iss":"nova-identity","iat":{NOW},"exp":{}}}"#,
        NOW + 900
    ));
    let none = format!("{}.{body}.", b64(r#"{"alg":"none","kid":"k1"}"#));
    assert_eq!(
        verifier.verify_at(&none, NOW),
        Err(AuthError::UnsupportedAlgorithm("none".into()))
    );
    let hs = format!("{}.{body}.c2ln", b64(r#"{"alg":"HS256","kid":"k1"}"#));
    assert_eq!(
        verifier.verify_at(&hs, NOW),
        Err(AuthError::UnsupportedAlgorithm("HS256".into()))
    );
}

#[test]
fn a_missing_kid_is_refused() {
    let key = SigningKey::generate("k1");
    let token = key.sign(&claims()).expect("sign");
    let rest = token.split_once('.').expect("dot").1;
    let no_kid = format!("{}.{rest}", b64(r#"{"alg":"EdDSA"}"#));
    let verifier = Verifier::new([key.public_key()]);
    assert_eq!(verifier.verify_at(&no_kid, NOW), Err(AuthError::MissingKid));
}

#[test]
fn malformed_tokens_are_refused_without_panicking() {
    let verifier = Verifier::new([SigningKey::generate("k1").public_key()]);
    for token in ["", "abc", "a.b", "a.b.c.d", "!!.??.**", "e30.e30.e30"] {
        assert!(
            matches!(verifier.verify_at(token, NOW), Err(AuthError::Malformed(_))),
            "{token:?} -> {:?}",
            verifier.verify_at(token, NOW)
        );
    }
}

#[test]
fn a_wrong_issuer_is_refused() {
    let key = SigningKey::generate("k1");
    let token = key
        .sign(&Claims::new("u", "someone-else", NOW, 60))
        .expect("sign");
    let verifier = Verifier::new([key.public_key()]).with_issuer("nova-identity");
    assert_eq!(
        verifier.verify_at(&token, NOW),
        Err(AuthError::WrongIssuer("someone-else".into()))
    );
}

#[test]
fn rotation_accepts_old_and_new_keys_until_the_old_is_dropped() {
    let old = SigningKey::generate("2026-01");
    let new = SigningKey::generate("2026-02");
    let old_token = old.sign(&claims()).expect("sign");
    let new_token = new.sign(&claims()).expect("sign");
    let mut verifier = Verifier::new([old.public_key()]);
    verifier.add_key(new.public_key());
    assert!(verifier.verify_at(&old_token, NOW).is_ok());
    assert!(verifier.verify_at(&new_token, NOW).is_ok());
    let after = Verifier::new([new.public_key()]);
    assert_eq!(
        after.verify_at(&old_token, NOW),
        Err(AuthError::UnknownKid("2026-01".into()))
    );
}

#[test]
fn a_key_survives_its_configuration_form() {
    let key = SigningKey::generate("k1");
    let again = SigningKey::from_base64("k1", &key.seed_base64()).expect("seed");
    assert_eq!(again.public_key(), key.public_key());
    assert!(matches!(
        SigningKey::from_base64("k1", "c2hvcnQ"),
        Err(AuthError::InvalidKey(_))
    ));
    assert!(matches!(
        SigningKey::from_base64("k1", "not base64!"),
        Err(AuthError::InvalidKey(_))
    ));
}
