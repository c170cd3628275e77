//! feed-service keeps serving with content-service stopped; after the restart
//! nothing is missing.

use nova_api::content::CreatePostRequest;

use crate::common::{Stack, Svc, authed};

#[tokio::test]
async fn the_feed_serves_while_content_is_down_and_catches_up_after() {
    let mut stack = Stack::start().await;
    let (_, token) = stack.user("erin", "Erin").await;
    let first = stack
        .content()
        .create_post(authed(
            CreatePostRequest {
                title: "one".into(),
                body: "before".into(),
            },
            &token,
        ))
        .await
        .expect("post one")
        .into_inner();
    stack
        .wait_for_feed(&token, "post one", |items| {
            items.iter().any(|i| i.post_id == first.post_id)
        })
        .await;

    // A post committed just before the stop: its event may still be in the outbox.
    let second = stack
        .content()
        .create_post(authed(
            CreatePostRequest {
                title: "two".into(),
                body: "at the stop".into(),
            },
            &token,
        ))
        .await
        .expect("post two")
        .into_inner();
    stack.stop_service(Svc::Content).await;

    // content-service is down: the feed still answers from its read model.
    let items = stack
        .wait_for_feed(&token, "post one while content is down", |items| {
            items.iter().any(|i| i.post_id == first.post_id)
        })
        .await;
    assert!(!items.is_empty());
    let down = stack
        .content()
        .create_post(authed(
            CreatePostRequest {
                title: "x".into(),
                body: "y".into(),
            },
            &token,
        ))
        .await
        .expect_err("content is down");
    assert_eq!(down.code(), tonic::Code::Unavailable, "{down:?}");

    stack.start_service(Svc::Content).await;
    let third = stack
        .content()
        .create_post(authed(
            CreatePostRequest {
                title: "three".into(),
                body: "after".into(),
            },
            &token,
        ))
        .await
        .expect("post three")
        .into_inner();
    let items = stack
        .wait_for_feed(&token, "all three posts", |items| items.len() == 3)
        .await;
    let ids: Vec<&str> = items.iter().map(|i| i.post_id.as_str()).collect();
    assert_eq!(
        ids,
        [
            third.post_id.as_str(),
            second.post_id.as_str(),
            first.post_id.as_str()
        ]
    );

    stack.cleanup().await;
}
