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

#[test]
fn a_new_service_in_the_example() {
    golden(
        "service_notification_in_example",
        &[Request::Service {
            name: "notification-service".into(),
        }],
    );
}

#[test]
fn a_consumer_in_a_new_service() {
    golden(
        "consumer_in_new_service",
        &[
            Request::Service {
                name: "notification-service".into(),
            },
            crate::support::content_outbox(),
            Request::Consumer {
                service: "notification-service".into(),
                topic: "content-events".into(),
                events: vec!["PostCreated".into()],
                read_model: None,
                group: None,
            },
        ],
    );
}

#[test]
fn a_new_service_in_nova_s_own_workspace() {
    // nova's root manifest and its runtime crates: the new service uses them through
    // `[workspace.dependencies]`.
    let dir = tempfile::tempdir().expect("tempdir");
    let nova = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    std::fs::copy(nova.join("Cargo.toml"), dir.path().join("Cargo.toml")).expect("copy");
    std::fs::create_dir(dir.path().join("services")).expect("mkdir");
    let request = Request::Service {
        name: "notification-service".into(),
    };
    let plan = nova_scaffold::plan(dir.path(), &request, false).expect("plan");
    let manifest = plan
        .files
        .iter()
        .find(|f| f.path == "services/notification-service/Cargo.toml")
        .expect("manifest");
    insta::assert_snapshot!("service_manifest_in_nova", manifest.after);
    let root = plan
        .files
        .iter()
        .find(|f| f.path == "Cargo.toml")
        .expect("root");
    // Only the member is added (nova's manifest changes, so not a snapshot of it).
    let added: Vec<String> = root
        .diff()
        .lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .map(str::to_owned)
        .collect();
    assert_eq!(added, ["+    \"services/notification-service\","]);
}

/// A scratch copy of nova's own workspace: root manifest, lock, `proto/`, `services/`.
fn nova_workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    let nova = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let status = std::process::Command::new("cp")
        .arg("-a")
        .args(["Cargo.toml", "Cargo.lock", "proto", "services"].map(|p| nova.join(p)))
        .arg(dir.path())
        .status()
        .expect("cp");
    assert!(status.success());
    dir
}

fn added_lines(diff: &str) -> Vec<String> {
    diff.lines()
        .filter(|l| l.starts_with('+') && !l.starts_with("+++"))
        .map(str::to_owned)
        .collect()
}

#[test]
fn consumer_into_the_reference_feed_service() {
    let dir = nova_workspace();
    let request = Request::Consumer {
        service: "feed-service".into(),
        topic: "identity-events".into(),
        events: vec!["UserRegistered".into(), "UserProfileUpdated".into()],
        read_model: Some("authors".into()),
        group: None,
    };
    let plan = nova_scaffold::plan(dir.path(), &request, false).expect("plan");
    let file = |p: &str| {
        plan.files
            .iter()
            .find(|f| f.path == p)
            .unwrap_or_else(|| panic!("{p} not in\n{}", plan.summary()))
    };
    // The reference layout: `pub mod nova;` in the library, the start call in `main`
    // after the tracing set-up, the runtime crates from the workspace.
    assert_eq!(
        added_lines(&file("services/feed-service/src/lib.rs").diff()),
        ["+pub mod nova;"]
    );
    let main = file("services/feed-service/src/main.rs");
    assert_eq!(
        added_lines(&main.diff()),
        ["+    feed_service::nova::start().await?;"]
    );
    assert!(
        main.after
            .contains("init_tracing();\n    feed_service::nova::start()")
    );
    assert_eq!(file("Cargo.toml").action, nova_scaffold::Action::Skip);
    for added in added_lines(&file("services/feed-service/Cargo.toml").diff()) {
        assert!(
            added == "+" || added == "+[dev-dependencies]" || added.ends_with(".workspace = true"),
            "{added}"
        );
    }
    // Payloads of proto/events are nova-events' own types.
    let topic = file("services/feed-service/src/nova/identity_events.rs");
    assert!(
        topic
            .after
            .contains("pub use ::nova_events::proto::UserRegistered;")
    );
    assert!(!topic.after.contains("struct UserRegistered"));
    // The read-model migration follows the service's timestamped numbering.
    let migration = plan
        .files
        .iter()
        .find(|f| f.path.ends_with("_nova_read_model_authors.sql"))
        .expect("migration");
    assert!(
        migration
            .path
            .starts_with("services/feed-service/migrations/2"),
        "{}",
        migration.path
    );
    insta::assert_snapshot!(
        "reference_feed_consumer_module",
        file("services/feed-service/src/nova/identity_events_consumer.rs").after
    );
    let name = migration.path.rsplit('/').next().unwrap_or_default();
    insta::assert_snapshot!(
        "reference_feed_wiring",
        file("services/feed-service/src/nova/mod.rs")
            .after
            .replace(name, "<the read-model migration>")
    );
}
