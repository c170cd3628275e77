//! Never destroy a person's work: re-runs, conflicts, anchors, atomicity, names.

use nova_scaffold::{Action, Request, ScaffoldError};

use crate::support::{content_outbox, feed_consumer, run, scratch, tree};

#[test]
fn a_second_run_writes_nothing() {
    let dir = scratch();
    run(dir.path(), &content_outbox());
    run(dir.path(), &feed_consumer());
    let after_first = tree(dir.path());
    for request in [content_outbox(), feed_consumer()] {
        let plan = nova_scaffold::plan(dir.path(), &request, false).expect("plan");
        assert!(!plan.changes_anything(), "{}", plan.summary());
        assert!(
            plan.files
                .iter()
                .all(|f| matches!(f.action, Action::Identical | Action::Skip)),
            "{}",
            plan.summary()
        );
        nova_scaffold::write(dir.path(), &plan).expect("write");
    }
    assert_eq!(tree(dir.path()), after_first);
}

#[test]
fn the_first_run_creates_injects_and_locks() {
    let dir = scratch();
    let plan = run(dir.path(), &content_outbox());
    let action = |p: &str| {
        plan.files
            .iter()
            .find(|f| f.path == p)
            .map(|f| f.action)
            .unwrap_or_else(|| panic!("{p} not in {}", plan.summary()))
    };
    assert_eq!(
        action("services/content-service/src/nova/mod.rs"),
        Action::Create
    );
    assert_eq!(
        action("services/content-service/src/main.rs"),
        Action::Inject
    );
    assert_eq!(
        action("services/content-service/Cargo.toml"),
        Action::Inject
    );
    assert_eq!(action("Cargo.toml"), Action::Inject);
    assert_eq!(action(".nova/scaffold.lock"), Action::Create);
    let main = std::fs::read_to_string(dir.path().join("services/content-service/src/main.rs"))
        .expect("main.rs");
    assert_eq!(main.matches("mod nova;").count(), 1);
    assert_eq!(main.matches("nova::start().await?;").count(), 1);
    // The root manifest keeps its comments.
    let root = std::fs::read_to_string(dir.path().join("Cargo.toml")).expect("Cargo.toml");
    assert!(root.starts_with("# The built-in nova example"), "{root}");
}

#[test]
fn an_edited_generated_file_is_a_conflict_and_kept() {
    let dir = scratch();
    run(dir.path(), &content_outbox());
    run(dir.path(), &feed_consumer());
    let handlers = dir
        .path()
        .join("services/feed-service/src/nova/content_events_consumer.rs");
    let edited = std::fs::read_to_string(&handlers).expect("read") + "\n// my own code\n";
    std::fs::write(&handlers, &edited).expect("edit");
    let before = tree(dir.path());

    let plan = run(dir.path(), &feed_consumer());
    let conflict: Vec<&str> = plan.conflicts().map(|f| f.path.as_str()).collect();
    assert_eq!(
        conflict,
        ["services/feed-service/src/nova/content_events_consumer.rs"]
    );
    assert_eq!(tree(dir.path()), before, "nothing else changed either");

    // A re-run still keeps it; --force regenerates it.
    let plan = nova_scaffold::plan(dir.path(), &feed_consumer(), true).expect("plan");
    nova_scaffold::write(dir.path(), &plan).expect("write");
    let regenerated = std::fs::read_to_string(&handlers).expect("read");
    assert!(!regenerated.contains("my own code"));
    let plan = nova_scaffold::plan(dir.path(), &feed_consumer(), false).expect("plan");
    assert!(!plan.changes_anything() && plan.conflicts().count() == 0);
}

#[test]
fn a_moved_start_call_and_wiring_edits_survive() {
    let dir = scratch();
    run(dir.path(), &content_outbox());
    let main_rs = dir.path().join("services/content-service/src/main.rs");
    let main = std::fs::read_to_string(&main_rs).expect("read");
    // The person moves the call after the migrations and comments it.
    let moved = main.replace("    nova::start().await?;\n", "").replace(
        "    sqlx::migrate!(\"./migrations\").run(&pool).await?;\n",
        "    sqlx::migrate!(\"./migrations\").run(&pool).await?;\n    // events\n    nova::start().await?;\n",
    );
    assert_ne!(moved, main);
    std::fs::write(&main_rs, &moved).expect("write");
    let plan = run(dir.path(), &content_outbox());
    assert!(!plan.changes_anything(), "{}", plan.summary());
    assert_eq!(std::fs::read_to_string(&main_rs).expect("read"), moved);
}

#[test]
fn a_missing_anchor_fails_with_instructions_and_writes_nothing() {
    let dir = scratch();
    let main_rs = dir.path().join("services/content-service/src/main.rs");
    // A synchronous main: no place for `nova::start().await?`.
    std::fs::write(
        &main_rs,
        "mod grpc;\n\nfn main() {\n    grpc::serve();\n}\n",
    )
    .expect("write");
    let before = tree(dir.path());
    let e = nova_scaffold::plan(dir.path(), &content_outbox(), false).unwrap_err();
    assert!(matches!(e, ScaffoldError::MissingAnchor { .. }), "{e}");
    let msg = e.to_string();
    assert!(
        msg.contains("services/content-service/src/main.rs"),
        "{msg}"
    );
    assert!(msg.contains("nova::start().await?;"), "{msg}");
    assert!(msg.contains("nothing was written"), "{msg}");
    assert_eq!(tree(dir.path()), before);
}

#[test]
fn a_failed_write_leaves_the_tree_as_it_was() {
    let dir = scratch();
    run(dir.path(), &content_outbox());
    // `tests` is a file where the consumer's test directory must go: writing fails
    // after other files were staged.
    std::fs::write(dir.path().join("services/feed-service/tests"), "not a dir").expect("write");
    let before = tree(dir.path());
    let plan = nova_scaffold::plan(dir.path(), &feed_consumer(), false).expect("plan");
    let e = nova_scaffold::write(dir.path(), &plan).unwrap_err();
    assert!(matches!(e, ScaffoldError::Write { .. }), "{e}");
    assert_eq!(tree(dir.path()), before);
    assert!(!dir.path().join("services/feed-service/src/nova").exists());
}

#[test]
fn unknown_names_list_what_exists() {
    let dir = scratch();
    let e = nova_scaffold::plan(
        dir.path(),
        &Request::Outbox {
            service: "billing-service".into(),
            topic: "billing-events".into(),
            events: vec!["InvoicePaid".into()],
            aggregate: None,
        },
        false,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown service `billing-service`; the services are: content-service, feed-service, \
         identity-service, media-service, messaging-service, realtime-chat-service, search-service"
    );
    let e = nova_scaffold::plan(dir.path(), &feed_consumer(), false).unwrap_err();
    assert!(
        e.to_string().starts_with(
            "unknown topic `content-events`: no `nova scaffold outbox` has declared it"
        ),
        "{e}"
    );
    run(dir.path(), &content_outbox());
    let e = nova_scaffold::plan(
        dir.path(),
        &Request::Consumer {
            service: "feed-service".into(),
            topic: "content-events".into(),
            events: vec!["PostLiked".into()],
            read_model: None,
            group: None,
        },
        false,
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "unknown event `PostLiked` on topic `content-events`; its events are: PostCreated, PostUpdated, PostDeleted"
    );
}

#[test]
fn bad_names_are_refused_before_anything_is_read() {
    let dir = scratch();
    let before = tree(dir.path());
    let cases = [
        Request::Outbox {
            service: "content-service".into(),
            topic: "Content Events".into(),
            events: vec!["PostCreated".into()],
            aggregate: None,
        },
        Request::Outbox {
            service: "content-service".into(),
            topic: "content-events".into(),
            events: vec!["post_created".into()],
            aggregate: None,
        },
        Request::Consumer {
            service: "feed-service".into(),
            topic: "content-events".into(),
            events: vec![],
            read_model: Some("drop table".into()),
            group: None,
        },
    ];
    for request in cases {
        let e = nova_scaffold::plan(dir.path(), &request, false).unwrap_err();
        assert!(matches!(e, ScaffoldError::InvalidName { .. }), "{e}");
    }
    assert_eq!(tree(dir.path()), before);
}

#[test]
fn a_dry_run_plan_shows_a_diff_and_writes_nothing() {
    let dir = scratch();
    let before = tree(dir.path());
    let plan = nova_scaffold::plan(dir.path(), &content_outbox(), false).expect("plan");
    let diff = plan.diff();
    assert!(
        diff.contains("+++ b/services/content-service/src/nova/mod.rs"),
        "{diff}"
    );
    assert!(diff.contains("+mod nova;"), "{diff}");
    assert_eq!(tree(dir.path()), before);
}

#[test]
fn a_new_service_s_files_are_the_person_s_after_creation() {
    let dir = scratch();
    let service = Request::Service {
        name: "notification-service".into(),
    };
    run(dir.path(), &service);
    run(dir.path(), &content_outbox());
    run(
        dir.path(),
        &Request::Consumer {
            service: "notification-service".into(),
            topic: "content-events".into(),
            events: vec![],
            read_model: None,
            group: None,
        },
    );
    let before = tree(dir.path());
    let plan = run(dir.path(), &service);
    assert!(!plan.changes_anything(), "{}", plan.summary());
    assert_eq!(plan.conflicts().count(), 0, "{}", plan.summary());
    assert_eq!(tree(dir.path()), before);
    // An existing service of the workspace is refused.
    let e = nova_scaffold::plan(
        dir.path(),
        &Request::Service {
            name: "feed-service".into(),
        },
        false,
    )
    .unwrap_err();
    assert!(e.to_string().contains("already exists"), "{e}");
}

#[test]
fn a_later_command_for_the_same_topic_adds_events_and_removes_none() {
    let dir = scratch();
    let outbox = |events: &[&str]| Request::Outbox {
        service: "messaging-service".into(),
        topic: "messaging-events".into(),
        events: events.iter().map(|e| (*e).to_owned()).collect(),
        aggregate: None,
    };
    // `nova audit` prints both, for two findings.
    run(dir.path(), &outbox(&["UserUpdated"]));
    run(dir.path(), &outbox(&["MessageCreated", "MessageDeleted"]));
    let module = std::fs::read_to_string(
        dir.path()
            .join("services/messaging-service/src/nova/messaging_events.rs"),
    )
    .expect("module");
    for f in [
        "enqueue_user_updated",
        "enqueue_message_created",
        "enqueue_message_deleted",
    ] {
        assert!(module.contains(f), "{f} missing");
    }
    // Running the first again changes nothing.
    let plan = nova_scaffold::plan(dir.path(), &outbox(&["UserUpdated"]), false).expect("plan");
    assert!(!plan.changes_anything(), "{}", plan.summary());
}

#[test]
fn a_person_s_file_that_does_not_parse_is_reported_at_its_line() {
    let dir = scratch();
    let main_rs = dir.path().join("services/content-service/src/main.rs");
    std::fs::write(&main_rs, "mod grpc;\n\nasync fn main( {\n}\n").expect("write");
    std::fs::write(
        dir.path().join("services/feed-service/Cargo.toml"),
        "[package\n",
    )
    .expect("write");
    let before = tree(dir.path());
    let e = nova_scaffold::plan(dir.path(), &content_outbox(), false).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("services/feed-service/Cargo.toml:1: "),
        "{e}"
    );
    std::fs::write(
        dir.path().join("services/feed-service/Cargo.toml"),
        std::fs::read(crate::support::example().join("services/feed-service/Cargo.toml"))
            .expect("read"),
    )
    .expect("write");
    let e = nova_scaffold::plan(dir.path(), &content_outbox(), false).unwrap_err();
    assert!(
        e.to_string()
            .starts_with("services/content-service/src/main.rs:3: "),
        "{e}"
    );
    let mut after = tree(dir.path());
    after.insert(
        "services/feed-service/Cargo.toml".into(),
        b"[package\n".to_vec(),
    );
    assert_eq!(after, before);
}
