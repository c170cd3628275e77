//! The story: register → login → post → the feed shows it with the author's
//! name, all through events; edits by the author flow through, edits by
//! anyone else are refused.

use nova_api::content::{
    CreatePostRequest, DeletePostRequest, GetPostRequest, ListPostsRequest, UpdatePostRequest,
};
use nova_api::identity::UpdateProfileRequest;
use nova_api::media::UploadRequest;
use tonic::Code;

use crate::common::{Stack, authed};

#[tokio::test]
async fn a_post_reaches_the_feed_with_its_author_name_and_edits_follow() {
    let stack = Stack::start().await;
    let (alice_id, alice) = stack.user("alice", "Alice Liddell").await;
    let (_, bob) = stack.user("bob", "").await;
    let mut content = stack.content();

    let post = content
        .create_post(authed(
            CreatePostRequest {
                title: "Hello".into(),
                body: "First post".into(),
            },
            &alice,
        ))
        .await
        .expect("create post")
        .into_inner();
    assert_eq!(
        post.author_id, alice_id,
        "the author is the token's subject"
    );
    assert_eq!(post.revision, 1);

    // alice registers media for her post: media-service → media-events →
    // content-service attaches it (PostUpdated) → content-events → feed.
    let media = stack
        .media()
        .upload(authed(
            UploadRequest {
                content_type: "image/png".into(),
                data: b"\x89PNG fake".to_vec(),
                post_id: post.post_id.clone(),
            },
            &alice,
        ))
        .await
        .expect("upload")
        .into_inner();
    assert_eq!(media.owner_id, alice_id);
    assert_eq!(
        std::fs::read(stack.media_dir().join(&media.storage_key)).expect("stored object"),
        b"\x89PNG fake"
    );

    let items = stack
        .wait_for_feed(&bob, "alice's post with her name and media", |items| {
            items.iter().any(|i| {
                i.post_id == post.post_id
                    && i.author_name == "Alice Liddell"
                    && i.media_ids == [media.media_id.clone()]
            })
        })
        .await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0].title, "Hello");
    assert_eq!(items[0].revision, 2, "attaching the media is revision 2");

    // bob may read but not edit or delete alice's post.
    let got = content
        .get_post(authed(
            GetPostRequest {
                post_id: post.post_id.clone(),
            },
            &bob,
        ))
        .await
        .expect("get post")
        .into_inner();
    assert_eq!(got.title, "Hello");
    let edit = content
        .update_post(authed(
            UpdatePostRequest {
                post_id: post.post_id.clone(),
                title: "Mine".into(),
                body: "now".into(),
            },
            &bob,
        ))
        .await
        .expect_err("bob edits alice's post");
    assert_eq!(edit.code(), Code::PermissionDenied, "{edit:?}");
    let delete = content
        .delete_post(authed(
            DeletePostRequest {
                post_id: post.post_id.clone(),
            },
            &bob,
        ))
        .await
        .expect_err("bob deletes alice's post");
    assert_eq!(delete.code(), Code::PermissionDenied, "{delete:?}");

    // alice's edit flows to the feed (revision 3); a second post comes first.
    let edited = content
        .update_post(authed(
            UpdatePostRequest {
                post_id: post.post_id.clone(),
                title: "Hello, edited".into(),
                body: "Second try".into(),
            },
            &alice,
        ))
        .await
        .expect("alice edits")
        .into_inner();
    assert_eq!(edited.revision, 3);
    assert_eq!(edited.media_ids, std::slice::from_ref(&media.media_id));
    let second = content
        .create_post(authed(
            CreatePostRequest {
                title: "Later".into(),
                body: "Newer post".into(),
            },
            &bob,
        ))
        .await
        .expect("bob posts")
        .into_inner();
    let items = stack
        .wait_for_feed(&alice, "the edit and bob's post with his name", |items| {
            // (Bob's `UserRegistered` comes on its own topic, with no order
            // against his post's.)
            items.len() == 2
                && items
                    .iter()
                    .any(|i| i.title == "Hello, edited" && i.revision == 3)
                && items.iter().any(|i| i.author_name == "bob")
        })
        .await;
    assert_eq!(items[0].post_id, second.post_id, "newest first");
    assert_eq!(
        items[0].author_name, "bob",
        "username when there is no display name"
    );

    // Cursor pagination over content's own list.
    let page1 = content
        .list_posts(authed(
            ListPostsRequest {
                author_id: String::new(),
                page_size: 1,
                page_token: String::new(),
            },
            &alice,
        ))
        .await
        .expect("list")
        .into_inner();
    assert_eq!(page1.posts.len(), 1);
    assert_eq!(page1.posts[0].post_id, second.post_id);
    let page2 = content
        .list_posts(authed(
            ListPostsRequest {
                author_id: String::new(),
                page_size: 1,
                page_token: page1.next_page_token,
            },
            &alice,
        ))
        .await
        .expect("list page 2")
        .into_inner();
    assert_eq!(page2.posts[0].post_id, post.post_id);
    assert!(page2.next_page_token.is_empty(), "last page");

    // Deleting removes it from the feed.
    content
        .delete_post(authed(
            DeletePostRequest {
                post_id: post.post_id.clone(),
            },
            &alice,
        ))
        .await
        .expect("alice deletes");
    stack
        .wait_for_feed(&alice, "the deletion", |items| {
            items.len() == 1 && items[0].post_id == second.post_id
        })
        .await;

    // A profile change reaches the feed through identity-events.
    stack
        .identity()
        .update_profile(authed(
            UpdateProfileRequest {
                display_name: "Robert".into(),
                bio: "likes posts".into(),
            },
            &bob,
        ))
        .await
        .expect("bob renames himself");
    stack
        .wait_for_feed(&alice, "bob's new name", |items| {
            items.len() == 1 && items[0].author_name == "Robert"
        })
        .await;

    stack.cleanup().await;
}
