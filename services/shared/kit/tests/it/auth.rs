//! The bearer-token interceptor.

use nova_auth::{Claims, SigningKey, Verifier};
use nova_kit::{Authenticator, caller};
use tonic::service::Interceptor;
use tonic::{Code, Request};

fn request(authorization: Option<&str>) -> Request<()> {
    let mut request = Request::new(());
    if let Some(value) = authorization {
        request
            .metadata_mut()
            .insert("authorization", value.parse().expect("ascii"));
    }
    request
}

#[test]
fn a_valid_bearer_token_passes_and_the_caller_is_readable() {
    let key = SigningKey::generate("k1");
    let token = key
        .sign(&Claims::new(
            "user-7",
            "nova-identity",
            nova_auth::now_unix(),
            60,
        ))
        .expect("sign");
    let mut auth = Authenticator::new(Verifier::new([key.public_key()]));
    let request = auth
        .call(request(Some(&format!("Bearer {token}"))))
        .expect("accepted");
    assert_eq!(caller(&request).expect("caller").sub, "user-7");
}

#[test]
fn missing_malformed_and_refused_tokens_are_unauthenticated() {
    let key = SigningKey::generate("k1");
    let other = SigningKey::generate("k2");
    let now = nova_auth::now_unix();
    let expired = key
        .sign(&Claims::new("u", "i", now - 120, 60))
        .expect("sign");
    let unknown = other.sign(&Claims::new("u", "i", now, 60)).expect("sign");
    let mut auth = Authenticator::new(Verifier::new([key.public_key()]));
    for (header, reason) in [
        (None, "missing authorization header"),
        (Some("Basic dXNlcg=="), "must be `Bearer <token>`"),
        (Some("Bearer"), "must be `Bearer <token>`"),
        (Some("Bearer not-a-token"), "malformed token"),
        (Some(format!("Bearer {expired}").as_str()), "token expired"),
        (
            Some(format!("Bearer {unknown}").as_str()),
            "unknown signing key `k2`",
        ),
    ] {
        let status = auth.call(request(header)).expect_err("refused");
        assert_eq!(status.code(), Code::Unauthenticated, "{header:?}");
        assert!(
            status.message().contains(reason),
            "{header:?}: {}",
            status.message()
        );
    }
}

#[test]
fn a_request_that_skipped_the_interceptor_has_no_caller() {
    let status = caller(&Request::new(())).expect_err("no caller");
    assert_eq!(status.code(), Code::Unauthenticated);
}
