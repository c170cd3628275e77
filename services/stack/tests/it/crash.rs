//! feed-service killed mid-stream and restarted: no event lost, none applied
//! twice. The read model's per-author post count is incremented once per
//! applied PostCreated (not idempotent by itself), so a redelivered event that
//! slipped past deduplication would show up in it.

use std::time::Duration;

use nova_api::content::CreatePostRequest;

use crate::common::{Stack, Svc, authed};

const POSTS: usize = 90;

#[tokio::test]
async fn a_killed_feed_consumer_loses_nothing_and_applies_nothing_twice() {
    nova_kit::init_tracing();
    let mut stack = Stack::start().await;
    let (user_id, token) = stack.user("heidi", "Heidi").await;

    // Posts keep coming from three clients while the feed is killed and restarted.
    let mut writers = Vec::new();
    for w in 0..3 {
        let (mut content, token) = (stack.content(), token.clone());
        writers.push(tokio::spawn(async move {
            for i in 0..POSTS / 3 {
                let post = CreatePostRequest {
                    title: format!("w{w} #{i}"),
                    body: "burst".into(),
                };
                content
                    .create_post(authed(post, &token))
                    .await
                    .expect("create post");
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }));
    }

    let feed_db = stack.db(Svc::Feed).clone();
    let count = |pool: sqlx::PgPool| async move {
        sqlx::query_scalar::<_, i64>("SELECT count(*) FROM feed_posts")
            .fetch_one(&pool)
            .await
            .unwrap_or(0)
    };
    let mut applied = 0;
    for _ in 0..600 {
        applied = count(feed_db.clone()).await;
        if applied >= 10 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        applied >= 10,
        "the feed applied {applied} posts before the kill"
    );
    stack.kill_service(Svc::Feed).await;
    eprintln!("feed killed after applying {applied} of {POSTS} posts");
    tokio::time::sleep(Duration::from_millis(300)).await;
    stack.start_service(Svc::Feed).await;

    for writer in writers {
        writer.await.expect("writer");
    }
    // Every post, and the author's name: `UserRegistered` comes on its own
    // topic (identity-events), with no order against the posts'.
    let items = stack
        .wait_for_feed(&token, "every post with its author's name", |items| {
            items.len() == POSTS && items.iter().all(|i| i.author_name == "Heidi")
        })
        .await;
    let posts: i64 = count(feed_db.clone()).await;
    assert_eq!(posts, POSTS as i64, "each post once in the read model");
    let counted: i64 = sqlx::query_scalar("SELECT post_count FROM feed_authors WHERE user_id = $1")
        .bind(&user_id)
        .fetch_one(&feed_db)
        .await
        .expect("author row");
    assert_eq!(
        counted, POSTS as i64,
        "each PostCreated applied exactly once"
    );
    assert!(
        items.iter().all(|i| i.author_post_count == POSTS as u64),
        "each post shows its author's count once per post"
    );

    stack.cleanup().await;
}
