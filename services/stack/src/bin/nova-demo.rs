//! `nova-demo`: walks the reference story against a running stack
//! (`scripts/stack.sh`) and prints each step. Addresses: the services'
//! `*_LISTEN` variables, else their defaults.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use nova_api::chat::SubscribeRequest;
use nova_api::chat::realtime_chat_service_client::RealtimeChatServiceClient;
use nova_api::content::content_service_client::ContentServiceClient;
use nova_api::content::{CreatePostRequest, UpdatePostRequest};
use nova_api::feed::GetFeedRequest;
use nova_api::feed::feed_service_client::FeedServiceClient;
use nova_api::identity::identity_service_client::IdentityServiceClient;
use nova_api::identity::{LoginRequest, RegisterRequest};
use nova_api::media::UploadRequest;
use nova_api::media::media_service_client::MediaServiceClient;
use nova_api::messaging::messaging_service_client::MessagingServiceClient;
use nova_api::messaging::{CreateConversationRequest, SendMessageRequest};
use nova_kit::config::env_or;
use tonic::transport::{Channel, Endpoint};

fn channel(var: &str, default_port: u16) -> anyhow::Result<Channel> {
    let addr: SocketAddr = env_or(var, SocketAddr::from(([127, 0, 0, 1], default_port)))?;
    Ok(Endpoint::from_shared(format!("http://{addr}"))?
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .connect_lazy())
}

fn authed<T>(message: T, token: &str) -> anyhow::Result<tonic::Request<T>> {
    let mut request = tonic::Request::new(message);
    request
        .metadata_mut()
        .insert("authorization", format!("Bearer {token}").parse()?);
    Ok(request)
}

fn step(n: u32, text: &str) {
    println!("{n:>2}. {text}");
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let mut identity = IdentityServiceClient::new(channel("IDENTITY_LISTEN", 50061)?);
    let mut content = ContentServiceClient::new(channel("CONTENT_LISTEN", 50062)?);
    let mut feed = FeedServiceClient::new(channel("FEED_LISTEN", 50063)?);
    let mut media = MediaServiceClient::new(channel("MEDIA_LISTEN", 50064)?);
    let mut messaging = MessagingServiceClient::new(channel("MESSAGING_LISTEN", 50065)?);
    let mut chat = RealtimeChatServiceClient::new(channel("CHAT_LISTEN", 50066)?);
    // Unique names, so the demo can run again against the same databases.
    let run = uuid::Uuid::new_v4().simple().to_string();
    let run = &run[..8];
    let password = "correct horse battery";

    let mut users = Vec::new();
    for (name, display) in [("alice", "Alice Liddell"), ("bob", "Bob")] {
        let username = format!("{name}-{run}");
        let user = identity
            .register(RegisterRequest {
                username: username.clone(),
                email: format!("{username}@example.test"),
                password: password.into(),
                display_name: display.into(),
            })
            .await
            .context("identity-service Register (is scripts/stack.sh running?)")?
            .into_inner()
            .user
            .context("no user in the answer")?;
        let tokens = identity
            .login(LoginRequest {
                username: username.clone(),
                password: password.into(),
            })
            .await
            .context("Login")?
            .into_inner();
        users.push((user.user_id, tokens.access_token));
    }
    let (alice_id, alice) = users[0].clone();
    let (bob_id, bob) = users[1].clone();
    step(
        1,
        &format!(
            "identity: registered alice-{run} ({alice_id}) and bob-{run} ({bob_id}); both logged in (EdDSA access tokens)"
        ),
    );

    let post = content
        .create_post(authed(
            CreatePostRequest {
                title: "Hello from the demo".into(),
                body: format!("run {run}"),
            },
            &alice,
        )?)
        .await
        .context("CreatePost")?
        .into_inner();
    step(
        2,
        &format!(
            "content: alice created post {} (author from her verified token)",
            post.post_id
        ),
    );

    let uploaded = media
        .upload(authed(
            UploadRequest {
                content_type: "text/plain".into(),
                data: b"a picture, honestly".to_vec(),
                post_id: post.post_id.clone(),
            },
            &alice,
        )?)
        .await
        .context("Upload")?
        .into_inner();
    step(
        3,
        &format!(
            "media: alice uploaded {} ({} bytes) for the post -> media.MediaUploaded",
            uploaded.media_id, uploaded.size_bytes
        ),
    );

    let started = Instant::now();
    let item = loop {
        let page = feed
            .get_feed(authed(
                GetFeedRequest {
                    page_size: 50,
                    page_token: String::new(),
                },
                &bob,
            )?)
            .await
            .context("GetFeed")?
            .into_inner();
        if let Some(item) = page
            .items
            .into_iter()
            .find(|i| i.post_id == post.post_id && !i.media_ids.is_empty())
        {
            break item;
        }
        if started.elapsed() > Duration::from_secs(60) {
            bail!("the post did not reach the feed with its media within 60 s");
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    step(
        4,
        &format!(
            "feed: bob sees \"{}\" by {} with media {:?} after {} ms, all through events (content -> content-events, media -> media-events -> content -> content-events, identity -> identity-events)",
            item.title,
            item.author_name,
            item.media_ids,
            started.elapsed().as_millis()
        ),
    );

    let denied = content
        .update_post(authed(
            UpdatePostRequest {
                post_id: post.post_id.clone(),
                title: "mine now".into(),
                body: "bob was here".into(),
            },
            &bob,
        )?)
        .await
        .err()
        .context("bob could edit alice's post")?;
    step(
        5,
        &format!(
            "content: bob editing alice's post -> {:?}: {}",
            denied.code(),
            denied.message()
        ),
    );

    let refused = feed
        .get_feed(authed(
            GetFeedRequest::default(),
            "eyJhbGciOiJub25lIn0.e30.",
        )?)
        .await
        .err()
        .context("an alg:none token was accepted")?;
    step(
        6,
        &format!(
            "feed: an `alg: none` token -> {:?}: {}",
            refused.code(),
            refused.message()
        ),
    );

    let mut stream = chat
        .subscribe(authed(SubscribeRequest::default(), &bob)?)
        .await
        .context("Subscribe")?
        .into_inner();
    let conversation = messaging
        .create_conversation(authed(
            CreateConversationRequest {
                participant_ids: vec![bob_id.clone()],
            },
            &alice,
        )?)
        .await
        .context("CreateConversation")?
        .into_inner();
    let sent = messaging
        .send_message(authed(
            SendMessageRequest {
                conversation_id: conversation.conversation_id.clone(),
                body: "hi bob".into(),
            },
            &alice,
        )?)
        .await
        .context("SendMessage")?
        .into_inner();
    step(
        7,
        &format!(
            "messaging: alice sent \"hi bob\" ({}) -> messaging.MessageSent",
            sent.message_id
        ),
    );
    let received = tokio::time::timeout(Duration::from_secs(60), stream.message())
        .await
        .context("no message on bob's stream within 60 s")??
        .context("bob's stream ended")?;
    step(
        8,
        &format!(
            "realtime-chat: bob's open stream received \"{}\" from {}",
            received.body, received.sender_id
        ),
    );
    println!("demo complete");
    Ok(())
}
