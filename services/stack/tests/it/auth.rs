//! Token refusals, field-naming InvalidArgument, AlreadyExists.

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use nova_api::content::CreatePostRequest;
use nova_api::feed::GetFeedRequest;
use nova_api::identity::{
    GetJwksRequest, GetMeRequest, LoginRequest, RefreshRequest, RegisterRequest,
};
use nova_auth::{Claims, Jwks, SigningKey};
use tonic::Code;

use tonic_health::pb::HealthCheckRequest;
use tonic_health::pb::health_check_response::ServingStatus;
use tonic_health::pb::health_client::HealthClient;
use tonic_reflection::pb::v1::ServerReflectionRequest;
use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;

use crate::common::{ISSUER, Stack, Svc, authed};

fn b64(json: &str) -> String {
    URL_SAFE_NO_PAD.encode(json)
}

#[tokio::test]
async fn bad_tokens_are_unauthenticated_and_bad_input_names_the_field() {
    let stack = Stack::start().await;
    let (user_id, token) = stack.user("carol", "Carol").await;
    let now = nova_auth::now_unix();

    let expired = stack
        .key
        .sign(&Claims::new(&user_id, ISSUER, now - 3600, 60))
        .expect("sign");
    let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
    parts[1] = b64(&format!(
        r#"{{"sub":"someone-else","iss":"{ISSUER}","iat":{now},"exp":{}}}"#,
        now + 600
    ));
    let tampered = parts.join(".");
    let wrong_key = SigningKey::generate(stack.key.kid())
        .sign(&Claims::new(&user_id, ISSUER, now, 600))
        .expect("sign");
    let unknown_kid = SigningKey::generate("rotated-away")
        .sign(&Claims::new(&user_id, ISSUER, now, 600))
        .expect("sign");
    let alg_none = format!(
        "{}.{}.",
        b64(&format!(r#"{{"alg":"none","kid":"{}"}}"#, stack.key.kid())),
        b64(&format!(
            r#"{{"sub":"{user_id}","iss":"{ISSUER}","iat":{now},"exp":{}}}"#,
            now + 600
        ))
    );

    let mut content = stack.content();
    let mut feed = stack.feed();
    let mut identity = stack.identity();
    for (what, bad) in [
        ("expired", expired.as_str()),
        ("tampered", tampered.as_str()),
        ("wrong key", wrong_key.as_str()),
        ("unknown kid", unknown_kid.as_str()),
        ("alg none", alg_none.as_str()),
        ("garbage", "not.a.token"),
    ] {
        let post = CreatePostRequest {
            title: "t".into(),
            body: "b".into(),
        };
        let status = content
            .create_post(authed(post, bad))
            .await
            .expect_err(what);
        assert_eq!(
            status.code(),
            Code::Unauthenticated,
            "content, {what}: {status:?}"
        );
        let status = feed
            .get_feed(authed(GetFeedRequest::default(), bad))
            .await
            .expect_err(what);
        assert_eq!(
            status.code(),
            Code::Unauthenticated,
            "feed, {what}: {status:?}"
        );
        let status = identity
            .get_me(authed(GetMeRequest {}, bad))
            .await
            .expect_err(what);
        assert_eq!(
            status.code(),
            Code::Unauthenticated,
            "identity, {what}: {status:?}"
        );
    }
    let missing = content
        .create_post(tonic::Request::new(CreatePostRequest {
            title: "t".into(),
            body: "b".into(),
        }))
        .await
        .expect_err("no token");
    assert_eq!(missing.code(), Code::Unauthenticated);

    // The good token works everywhere; the JWKS identity publishes verifies it.
    let me = identity
        .get_me(authed(GetMeRequest {}, &token))
        .await
        .expect("me")
        .into_inner();
    assert_eq!(me.user_id, user_id);
    let jwks = identity
        .get_jwks(GetJwksRequest {})
        .await
        .expect("jwks")
        .into_inner()
        .jwks_json;
    let verifier = nova_auth::Verifier::from_jwks(&Jwks::from_json(&jwks).expect("jwks json"))
        .expect("verifier");
    assert_eq!(verifier.verify(&token).expect("verifies").sub, user_id);

    // InvalidArgument names the field.
    for (request, field) in [
        (
            CreatePostRequest {
                title: "  ".into(),
                body: "b".into(),
            },
            "title",
        ),
        (
            CreatePostRequest {
                title: "t".into(),
                body: String::new(),
            },
            "body",
        ),
        (
            CreatePostRequest {
                title: "x".repeat(201),
                body: "b".into(),
            },
            "title",
        ),
    ] {
        let status = content
            .create_post(authed(request, &token))
            .await
            .expect_err(field);
        assert_eq!(status.code(), Code::InvalidArgument, "{status:?}");
        assert!(
            status.message().contains(&format!("`{field}`")),
            "{field}: {}",
            status.message()
        );
    }
    let bad_id = content
        .get_post(authed(
            nova_api::content::GetPostRequest {
                post_id: "nope".into(),
            },
            &token,
        ))
        .await
        .expect_err("bad id");
    assert_eq!(bad_id.code(), Code::InvalidArgument);
    assert!(
        bad_id.message().contains("`post_id`"),
        "{}",
        bad_id.message()
    );
    let missing_post = content
        .get_post(authed(
            nova_api::content::GetPostRequest {
                post_id: uuid::Uuid::now_v7().to_string(),
            },
            &token,
        ))
        .await
        .expect_err("unknown post");
    assert_eq!(missing_post.code(), Code::NotFound);

    let register = |username: &str, email: &str, password: &str| RegisterRequest {
        username: username.into(),
        email: email.into(),
        password: password.into(),
        display_name: String::new(),
    };
    for (request, field, code) in [
        (
            register("Bad Name", "x@example.test", "long enough pw"),
            "username",
            Code::InvalidArgument,
        ),
        (
            register("dave", "not-an-email", "long enough pw"),
            "email",
            Code::InvalidArgument,
        ),
        (
            register("dave", "dave@example.test", "short"),
            "password",
            Code::InvalidArgument,
        ),
        (
            register("carol", "other@example.test", "long enough pw"),
            "username",
            Code::AlreadyExists,
        ),
        (
            register("carol2", "carol@example.test", "long enough pw"),
            "email",
            Code::AlreadyExists,
        ),
    ] {
        let status = identity.register(request).await.expect_err(field);
        assert_eq!(status.code(), code, "{status:?}");
        assert!(
            status.message().contains(&format!("`{field}`")),
            "{field}: {}",
            status.message()
        );
    }

    // Wrong password: Unauthenticated; refresh tokens are single use.
    let wrong = identity
        .login(LoginRequest {
            username: "carol".into(),
            password: "wrong password".into(),
        })
        .await
        .expect_err("wrong password");
    assert_eq!(wrong.code(), Code::Unauthenticated);
    let tokens = identity
        .login(LoginRequest {
            username: "carol".into(),
            password: "correct horse battery".into(),
        })
        .await
        .expect("login")
        .into_inner();
    let refreshed = identity
        .refresh(RefreshRequest {
            refresh_token: tokens.refresh_token.clone(),
        })
        .await
        .expect("refresh")
        .into_inner();
    assert!(verifier.verify(&refreshed.access_token).is_ok());
    let reused = identity
        .refresh(RefreshRequest {
            refresh_token: tokens.refresh_token,
        })
        .await
        .expect_err("refresh token reused");
    assert_eq!(reused.code(), Code::Unauthenticated);

    // Every service answers grpc.health.v1: SERVING overall and for its own service name.
    for (svc, name) in [
        (Svc::Identity, "nova.identity.v1.IdentityService"),
        (Svc::Content, "nova.content.v1.ContentService"),
        (Svc::Feed, "nova.feed.v1.FeedService"),
        (Svc::Media, "nova.media.v1.MediaService"),
        (Svc::Messaging, "nova.messaging.v1.MessagingService"),
        (Svc::Chat, "nova.chat.v1.RealtimeChatService"),
    ] {
        let mut health = HealthClient::new(stack.channel(svc));
        for service in ["", name] {
            let reply = health
                .check(HealthCheckRequest {
                    service: service.into(),
                })
                .await
                .unwrap_or_else(|e| panic!("{svc:?} health {service:?}: {e}"));
            assert_eq!(
                reply.into_inner().status(),
                ServingStatus::Serving,
                "{svc:?} {service:?}"
            );
        }
        // ...and gRPC reflection lists its service.
        let mut reflection = ServerReflectionClient::new(stack.channel(svc));
        let request = ServerReflectionRequest {
            host: String::new(),
            message_request: Some(MessageRequest::ListServices(String::new())),
        };
        let mut replies = reflection
            .server_reflection_info(tokio_stream::iter([request]))
            .await
            .unwrap_or_else(|e| panic!("{svc:?} reflection: {e}"))
            .into_inner();
        let reply = replies
            .message()
            .await
            .expect("reflection reply")
            .expect("one reply");
        let Some(MessageResponse::ListServicesResponse(list)) = reply.message_response else {
            panic!("{svc:?}: unexpected reflection reply {reply:?}");
        };
        let names: Vec<String> = list.service.into_iter().map(|s| s.name).collect();
        assert!(
            names.iter().any(|n| n == name),
            "{svc:?} reflection lists {names:?}"
        );
    }

    stack.cleanup().await;
}
