//! A message sent through messaging-service reaches a connected
//! realtime-chat client, through messaging-events; outsiders get nothing and
//! may not send.

use std::time::Duration;

use nova_api::chat::SubscribeRequest;
use nova_api::messaging::{CreateConversationRequest, ListMessagesRequest, SendMessageRequest};
use tonic::Code;

use crate::common::{Stack, Svc, authed};

#[tokio::test]
async fn a_sent_message_reaches_the_connected_recipient() {
    let stack = Stack::start().await;
    let (frank_id, frank) = stack.user("frank", "Frank").await;
    let (grace_id, grace) = stack.user("grace", "Grace").await;
    let (_, mallory) = stack.user("mallory", "").await;

    let mut grace_stream = stack
        .chat()
        .subscribe(authed(SubscribeRequest::default(), &grace))
        .await
        .expect("grace subscribes")
        .into_inner();
    let mut mallory_stream = stack
        .chat()
        .subscribe(authed(SubscribeRequest::default(), &mallory))
        .await
        .expect("mallory subscribes")
        .into_inner();
    let refused = stack
        .chat()
        .subscribe(authed(SubscribeRequest::default(), "not-a-token"))
        .await
        .expect_err("bad token");
    assert_eq!(refused.code(), Code::Unauthenticated);

    let mut messaging = stack.messaging();
    let conversation = messaging
        .create_conversation(authed(
            CreateConversationRequest {
                participant_ids: vec![grace_id.clone()],
            },
            &frank,
        ))
        .await
        .expect("conversation")
        .into_inner();
    let mut expected = vec![frank_id.clone(), grace_id.clone()];
    expected.sort();
    assert_eq!(conversation.participant_ids, expected);
    let sent = messaging
        .send_message(authed(
            SendMessageRequest {
                conversation_id: conversation.conversation_id.clone(),
                body: "hi grace".into(),
            },
            &frank,
        ))
        .await
        .expect("send")
        .into_inner();

    let received = tokio::time::timeout(Duration::from_secs(60), grace_stream.message())
        .await
        .expect("message within 60 s")
        .expect("stream ok")
        .expect("stream open");
    assert_eq!(received.message_id, sent.message_id);
    assert_eq!(received.body, "hi grace");
    assert_eq!(received.sender_id, frank_id);
    assert_eq!(received.recipient_ids, [grace_id]);

    // mallory is not a participant: may not send or read, and is not told.
    let denied = messaging
        .send_message(authed(
            SendMessageRequest {
                conversation_id: conversation.conversation_id.clone(),
                body: "me too".into(),
            },
            &mallory,
        ))
        .await
        .expect_err("outsider sends");
    assert_eq!(denied.code(), Code::PermissionDenied);
    let denied = messaging
        .list_messages(authed(
            ListMessagesRequest {
                conversation_id: conversation.conversation_id.clone(),
                page_size: 0,
                page_token: String::new(),
            },
            &mallory,
        ))
        .await
        .expect_err("outsider reads");
    assert_eq!(denied.code(), Code::PermissionDenied);
    let empty = messaging
        .send_message(authed(
            SendMessageRequest {
                conversation_id: conversation.conversation_id.clone(),
                body: "  ".into(),
            },
            &frank,
        ))
        .await
        .expect_err("empty body");
    assert_eq!(empty.code(), Code::InvalidArgument);
    assert!(empty.message().contains("`body`"), "{}", empty.message());
    let nothing = tokio::time::timeout(Duration::from_millis(500), mallory_stream.message()).await;
    assert!(nothing.is_err(), "mallory received {nothing:?}");

    let history = messaging
        .list_messages(authed(
            ListMessagesRequest {
                conversation_id: conversation.conversation_id.clone(),
                page_size: 0,
                page_token: String::new(),
            },
            &grace,
        ))
        .await
        .expect("history")
        .into_inner();
    assert_eq!(history.messages.len(), 1);

    // grace hangs up; two messages arrive meanwhile; she reconnects after the
    // last one she saw and gets both, then live ones, each once.
    drop(grace_stream);
    let mut missed = Vec::new();
    for body in ["while you were away", "and another"] {
        let m = messaging
            .send_message(authed(
                SendMessageRequest {
                    conversation_id: conversation.conversation_id.clone(),
                    body: body.into(),
                },
                &frank,
            ))
            .await
            .expect("send while away")
            .into_inner();
        missed.push(m.message_id);
    }
    // Both are in realtime-chat's database once its consumer has applied them.
    for _ in 0..600 {
        let stored: i64 = sqlx::query_scalar("SELECT count(*) FROM chat_messages")
            .fetch_one(stack.db(Svc::Chat))
            .await
            .expect("count");
        if stored == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let mut grace_stream = stack
        .chat()
        .subscribe(authed(
            SubscribeRequest {
                after_message_id: sent.message_id.clone(),
            },
            &grace,
        ))
        .await
        .expect("grace resubscribes")
        .into_inner();
    let live = messaging
        .send_message(authed(
            SendMessageRequest {
                conversation_id: conversation.conversation_id.clone(),
                body: "welcome back".into(),
            },
            &frank,
        ))
        .await
        .expect("send live")
        .into_inner();
    missed.push(live.message_id);
    let mut got = Vec::new();
    while got.len() < 3 {
        let m = tokio::time::timeout(Duration::from_secs(60), grace_stream.message())
            .await
            .expect("message within 60 s")
            .expect("stream ok")
            .expect("stream open");
        got.push(m.message_id);
    }
    assert_eq!(got, missed, "caught up, then live, each once");
    let extra = tokio::time::timeout(Duration::from_millis(500), grace_stream.message()).await;
    assert!(extra.is_err(), "nothing more: {extra:?}");
    let bad = stack
        .chat()
        .subscribe(authed(
            SubscribeRequest {
                after_message_id: "nope".into(),
            },
            &grace,
        ))
        .await
        .expect_err("bad after_message_id");
    assert_eq!(bad.code(), Code::InvalidArgument);

    drop(grace_stream);
    drop(mallory_stream);
    stack.cleanup().await;
}
