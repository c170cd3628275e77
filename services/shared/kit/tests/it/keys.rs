//! Token keys from the environment (each test runs in its own process under nextest).

use nova_auth::{Claims, Jwks, SigningKey};
use nova_kit::keys::{
    JWKS_VAR, PUBLIC_KEYS_VAR, SIGNING_KEYS_VAR, development_signing_key, signing_keys_from_env,
    verifier_from_env,
};

fn set(var: &str, value: &str) {
    // SAFETY: nextest runs each test in its own process; nothing else reads the environment here.
    unsafe { std::env::set_var(var, value) };
}

fn token(key: &SigningKey) -> String {
    key.sign(&Claims::new(
        "u",
        "nova-identity",
        nova_auth::now_unix(),
        60,
    ))
    .expect("sign")
}

#[test]
fn nothing_configured_means_the_development_key_everywhere() {
    let keys = signing_keys_from_env().expect("keys");
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0].kid(), "dev");
    let verifier = verifier_from_env().expect("verifier");
    assert!(verifier.verify(&token(&development_signing_key())).is_ok());
}

#[test]
fn signing_keys_sign_with_the_first_and_verify_with_all() {
    let (a, b) = (SigningKey::generate("a"), SigningKey::generate("b"));
    set(
        SIGNING_KEYS_VAR,
        &format!("a={}, b={}", a.seed_base64(), b.seed_base64()),
    );
    let keys = signing_keys_from_env().expect("keys");
    assert_eq!(
        keys.iter().map(SigningKey::kid).collect::<Vec<_>>(),
        ["a", "b"]
    );
    let verifier = verifier_from_env().expect("verifier");
    assert!(verifier.verify(&token(&a)).is_ok());
    assert!(verifier.verify(&token(&b)).is_ok());
    assert!(
        verifier.verify(&token(&development_signing_key())).is_err(),
        "no dev key once configured"
    );
}

#[test]
fn jwks_wins_over_public_keys_and_bad_values_name_the_variable() {
    let (a, b) = (SigningKey::generate("a"), SigningKey::generate("b"));
    set(JWKS_VAR, &Jwks::from_keys([&a.public_key()]).to_json());
    set(
        PUBLIC_KEYS_VAR,
        &format!("b={}", b.public_key().to_base64()),
    );
    let verifier = verifier_from_env().expect("verifier");
    assert!(verifier.verify(&token(&a)).is_ok());
    assert!(verifier.verify(&token(&b)).is_err());

    set(JWKS_VAR, "");
    let verifier = verifier_from_env().expect("public keys");
    assert!(verifier.verify(&token(&b)).is_ok());

    set(PUBLIC_KEYS_VAR, "b");
    let err = verifier_from_env().expect_err("no =");
    assert_eq!(err.var, PUBLIC_KEYS_VAR);
    set(SIGNING_KEYS_VAR, "a=c2hvcnQ");
    let err = signing_keys_from_env().expect_err("short seed");
    assert_eq!(err.var, SIGNING_KEYS_VAR);
    assert!(err.reason.contains("32 bytes"), "{}", err.reason);
}
