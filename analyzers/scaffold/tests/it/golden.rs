//! Input tree → output tree: the exact change each command makes to the example,
//! as the `--dry-run` report and unified diff.

use nova_scaffold::Request;

use crate::support::{content_outbox, feed_consumer, run, scratch};

fn golden(name: &str, steps: &[Request]) {
    let dir = scratch();
    let (last, before) = steps.split_last().expect("a step");
    for step in before {
        run(dir.path(), step);
    }
    let plan = nova_scaffold::plan(dir.path(), last, false).expect("plan");
    insta::assert_snapshot!(name, format!("{}\n{}", plan.summary(), plan.diff()));
}

#[test]
fn outbox_in_content_service() {
    golden("outbox_content_service", &[content_outbox()]);
}

#[test]
fn consumer_with_read_model_in_feed_service() {
    golden(
        "consumer_feed_service_read_model",
        &[content_outbox(), feed_consumer()],
    );
}

#[test]
fn consumer_without_read_model_and_a_group() {
    golden(
        "consumer_content_service_group",
        &[
            Request::Outbox {
                service: "media-service".into(),
                topic: "media-events".into(),
                events: vec!["MediaAttached".into()],
                aggregate: None,
            },
            Request::Consumer {
                service: "content-service".into(),
                topic: "media-events".into(),
                events: vec![],
                read_model: None,
                group: Some("content-media".into()),
            },
        ],
    );
}

#[test]
fn a_second_outbox_in_a_service_with_a_consumer() {
    // realtime-chat-service has no database and no migrations: both are created.
    golden(
        "realtime_chat_consumer_then_outbox",
        &[
            Request::Outbox {
                service: "messaging-service".into(),
                topic: "messaging-events".into(),
                events: vec![
                    "MessageCreated".into(),
                    "MessageUpdated".into(),
                    "MessageDeleted".into(),
                ],
                aggregate: Some("message".into()),
            },
            Request::Consumer {
                service: "realtime-chat-service".into(),
                topic: "messaging-events".into(),
                events: vec![
                    "MessageCreated".into(),
                    "MessageUpdated".into(),
                    "MessageDeleted".into(),
                ],
                read_model: Some("messages".into()),
                group: None,
            },
            Request::Outbox {
                service: "realtime-chat-service".into(),
                topic: "realtime-chat-events".into(),
                events: vec!["MessageSent".into()],
                aggregate: None,
            },
        ],
    );
}

#[test]
fn jwt_verify_in_messaging_service() {
    golden(
        "jwt_verify_messaging_service",
        &[Request::JwtVerify {
            service: "messaging-service".into(),
        }],
    );
}

#[test]
fn an_outbox_after_jwt_verify_adds_the_start_call() {
    golden(
        "outbox_after_jwt_verify",
        &[
            Request::JwtVerify {
                service: "messaging-service".into(),
            },
            Request::Outbox {
                service: "messaging-service".into(),
                topic: "messaging-events".into(),
                events: vec!["MessageSent".into()],
                aggregate: Some("conversation".into()),
            },
        ],
    );
}
