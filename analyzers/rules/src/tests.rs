//! Unit tests of the rules against the seed-like model.

#[path = "../../graph/src/tests/seed_model.rs"]
mod seed_model;

use super::*;
use nova_config::{ConfigSpan, SyncCallRule};
use seed_model::{chain_model, seed_model};

fn fingerprints(findings: &[Finding]) -> Vec<(String, Severity)> {
    findings
        .iter()
        .map(|f| (f.fingerprint.clone(), f.severity))
        .collect()
}

fn fp(s: &str, sev: Severity) -> (String, Severity) {
    (s.to_string(), sev)
}

#[test]
fn seed_findings_exact() {
    use Severity::*;
    let found = audit(&seed_model(), &Config::default());
    assert_eq!(
        fingerprints(&found),
        vec![
            fp(
                "foreign-write|service=messaging-service|table=users|to=identity-service",
                Error
            ),
            fp("multi-writer|table=users", Error),
            fp(
                "consumer-without-dedupe|service=messaging-service|function=consumer::on_user_created",
                Warning
            ),
            fp(
                "dual-write|service=feed-service|topic=analytics-events|function=views::record_view",
                Warning
            ),
            fp(
                "foreign-read|service=feed-service|table=posts|to=content-service",
                Warning
            ),
            fp(
                "foreign-read|service=media-service|table=posts|to=content-service",
                Warning
            ),
            fp(
                "foreign-read|service=messaging-service|table=users|to=identity-service",
                Warning
            ),
            fp(
                "foreign-read|service=realtime-chat-service|table=messages|to=messaging-service",
                Warning
            ),
            fp(
                "startup-dependency|service=feed-service|to=content-service",
                Warning
            ),
            fp(
                "startup-dependency|service=media-service|to=content-service",
                Warning
            ),
            fp(
                "startup-dependency|service=messaging-service|to=identity-service",
                Warning
            ),
            fp(
                "sync-call|service=feed-service|to=content-service|kind=grpc",
                Warning
            ),
            fp(
                "sync-call|service=media-service|to=content-service|kind=grpc",
                Warning
            ),
            fp(
                "sync-call|service=messaging-service|to=identity-service|kind=grpc",
                Warning
            ),
            fp(
                "sync-call|service=realtime-chat-service|to=identity-service|kind=grpc",
                Warning
            ),
            fp(
                "sync-call|service=realtime-chat-service|to=messaging-service|kind=grpc",
                Warning
            ),
            fp("unknown-table|table=audit_log", Warning),
            fp("unknown-table|table=feed_items", Warning),
            fp("unknown-table|table=messages", Warning),
            fp("unowned-table|table=audit_log", Warning),
            fp("topic-without-consumer|topic=analytics-events", Info),
            fp("topic-without-producer|topic=orphan-events", Info),
        ]
    );
}

#[test]
fn multi_writer_message_and_locations() {
    let found = audit(&seed_model(), &Config::default());
    let Some(f) = found.iter().find(|f| f.rule == "multi-writer") else {
        panic!("no multi-writer finding");
    };
    assert_eq!(
        f.message,
        "table `users` is written by 2 services: identity-service (CRUD), messaging-service (RU)"
    );
    let locs: Vec<(String, &str)> = f
        .locations
        .iter()
        .map(|(l, label)| (l.to_string(), label.as_str()))
        .collect();
    assert_eq!(
        locs,
        vec![
            (
                "identity-service/src/users.rs:10".to_string(),
                "identity-service inserts"
            ),
            (
                "identity-service/src/users.rs:12".to_string(),
                "identity-service updates"
            ),
            (
                "identity-service/src/users.rs:13".to_string(),
                "identity-service deletes"
            ),
            (
                "libs/db-common/src/users.rs:12".to_string(),
                "messaging-service updates (SQL in library db-common)"
            ),
            (
                "messaging-service/src/main.rs:40".to_string(),
                "messaging-service calls db-common here"
            ),
        ]
    );
    let fw = found
        .iter()
        .find(|f| f.rule == "foreign-write")
        .map(|f| f.message.as_str());
    assert_eq!(
        fw,
        Some(
            "messaging-service writes `users` (U), owned by identity-service (its migration creates the table)"
        )
    );
}

#[test]
fn declared_owner_wins() {
    let mut m = seed_model();
    if let Some(t) = m.tables.iter_mut().find(|t| t.name == "users") {
        t.declared_owner = Some("messaging-service".into());
    }
    let o = ownership::owner(&m, "users");
    assert_eq!(
        o,
        Some(ownership::Owner {
            service: "messaging-service".into(),
            basis: ownership::OwnerBasis::Declared
        })
    );
    let found = audit(&m, &Config::default());
    assert!(found.iter().any(|f| f.fingerprint
        == "foreign-write|service=identity-service|table=users|to=messaging-service"));
}

#[test]
fn levels_pairs_and_allows() {
    let m = seed_model();
    let mut c = Config::default();
    c.rules.insert("foreign-read".into(), Level::Allow);
    c.rules.insert("dual-write".into(), Level::Error);
    c.sync_calls.push(SyncCallRule {
        from: "feed-service".into(),
        to: "content-service".into(),
        level: Level::Error,
        span: ConfigSpan::default(),
    });
    c.sync_calls.push(SyncCallRule {
        from: "graphql-gateway".into(),
        to: "*".into(),
        level: Level::Allow,
        span: ConfigSpan::default(),
    });
    c.allow.push(AllowEntry {
        rule: "unknown-table".into(),
        service: None,
        table: Some("audit_log".into()),
        to: None,
        topic: None,
        reason: "managed by the DBA".into(),
        span: ConfigSpan::default(),
    });
    c.allow.push(AllowEntry {
        rule: "multi-writer".into(),
        service: None,
        table: Some("nope".into()),
        to: None,
        topic: None,
        reason: "stale".into(),
        span: ConfigSpan::default(),
    });
    let ev = evaluate(&m, &c);
    assert!(ev.findings.iter().all(|f| f.rule != "foreign-read"));
    assert!(
        ev.findings
            .iter()
            .all(|f| f.subject.service.as_deref() != Some("graphql-gateway"))
    );
    let sev = |fp: &str| {
        ev.findings
            .iter()
            .find(|f| f.fingerprint == fp)
            .map(|f| f.severity)
    };
    assert_eq!(
        sev("sync-call|service=feed-service|to=content-service|kind=grpc"),
        Some(Severity::Error)
    );
    assert_eq!(
        sev("sync-call|service=media-service|to=content-service|kind=grpc"),
        Some(Severity::Warning)
    );
    assert_eq!(
        sev("dual-write|service=feed-service|topic=analytics-events|function=views::record_view"),
        Some(Severity::Error)
    );
    assert_eq!(sev("unknown-table|table=audit_log"), None);
    assert_eq!(ev.allowed.len(), 1);
    assert_eq!(ev.allowed[0].reason, "managed by the DBA");
    assert_eq!(ev.unused_allows.len(), 1);
    assert_eq!(ev.unused_allows[0].reason, "stale");
}

#[test]
fn sync_cycle_finding() {
    let found = audit(
        &chain_model(&[("a", "b"), ("b", "a"), ("b", "c")]),
        &Config::default(),
    );
    let cycles: Vec<(&str, &str)> = found
        .iter()
        .filter(|f| f.rule == "sync-cycle")
        .map(|f| (f.fingerprint.as_str(), f.message.as_str()))
        .collect();
    assert_eq!(
        cycles,
        vec![(
            "sync-cycle|service=a|members=a,b",
            "synchronous cycle between a, b: a → b (grpc), b → a (grpc)"
        )]
    );
    assert_eq!(found[0].rule, "sync-cycle");
}

#[test]
fn baseline_round_trip_and_apply() {
    let m = seed_model();
    let all = audit(&m, &Config::default());
    let mut b = Baseline::from_findings(&all[..3]);
    b.entries.push(BaselineEntry {
        fingerprint: "multi-writer|table=gone".into(),
        rule: "multi-writer".into(),
        message: "fixed".into(),
    });
    let text = b.to_json();
    let back = match Baseline::from_json(&text, std::path::Path::new("b.json")) {
        Ok(b) => b,
        Err(e) => panic!("{e}"),
    };
    assert_eq!(back.entries.len(), 4);
    let out = apply(all.clone(), &back);
    assert_eq!(out.baselined.len(), 3);
    assert_eq!(out.new.len(), all.len() - 3);
    assert_eq!(out.stale.len(), 1);
    assert_eq!(out.stale[0].fingerprint, "multi-writer|table=gone");
    let outcome = run(&m, &Config::default(), Some(&back));
    assert_eq!(
        outcome.summary(),
        "0 errors, 17 warnings, 2 infos (3 baselined, 1 stale, 0 allowed)"
    );
    assert!(outcome.fails(Severity::Warning));
    assert!(!outcome.fails(Severity::Error));
}

#[test]
fn fingerprints_ignore_line_shifts() {
    let m = seed_model();
    let mut shifted = m.clone();
    for a in &mut shifted.accesses {
        a.location.line += 7;
    }
    let a: Vec<String> = audit(&m, &Config::default())
        .into_iter()
        .map(|f| f.fingerprint)
        .collect();
    let b: Vec<String> = audit(&shifted, &Config::default())
        .into_iter()
        .map(|f| f.fingerprint)
        .collect();
    assert_eq!(a, b);
}

#[test]
fn baseline_errors_name_the_file() {
    let p = std::path::Path::new("nova-baseline.json");
    let e = Baseline::from_json("{\n  \"version\": 1,\n  \"entries\": [x]\n}", p);
    match e {
        Err(BaselineError::Json { line, .. }) => assert_eq!(line, 3),
        other => panic!("unexpected {other:?}"),
    }
    let e = Baseline::from_json("{\"version\": 9, \"entries\": []}", p);
    let msg = e.map(|_| String::new()).unwrap_or_else(|e| e.to_string());
    assert_eq!(
        msg,
        "nova-baseline.json: unsupported baseline version 9 (this nova reads version 1)"
    );
    let e = Baseline::read(std::path::Path::new("/nonexistent/nova-baseline.json"));
    let msg = e.map(|_| String::new()).unwrap_or_else(|e| e.to_string());
    assert!(
        msg.starts_with("/nonexistent/nova-baseline.json: "),
        "{msg}"
    );
}

#[test]
fn ownership_index_agrees_and_partitions_inherit() {
    let mut m = seed_model();
    let mut part = seed_model::table("posts_2024", None);
    part.partition_of = Some("posts".into());
    m.tables.push(part);
    m.accesses.push(seed_model::access(
        "feed-service",
        "posts_2024",
        nova_model::Op::Read,
        "feed-service/src/feed.rs",
        60,
    ));
    let index = ownership::Ownership::new(&m);
    let names: Vec<&str> = index.tables().collect();
    assert_eq!(
        names,
        vec![
            "audit_log",
            "feed_items",
            "messages",
            "posts",
            "posts_2024",
            "sessions",
            "users"
        ]
    );
    for t in names {
        assert_eq!(index.owner(t).cloned(), ownership::owner(&m, t), "{t}");
        assert_eq!(index.writers(t), ownership::writers(&m, t), "{t}");
    }
    assert_eq!(
        index
            .owner("posts_2024")
            .map(|o| (o.service.as_str(), o.basis)),
        Some(("content-service", ownership::OwnerBasis::PartitionParent))
    );
    let found = audit(&m, &Config::default());
    assert!(found.iter().any(|f| f.fingerprint
        == "foreign-read|service=feed-service|table=posts_2024|to=content-service"));
    assert!(
        !found
            .iter()
            .any(|f| f.fingerprint == "unowned-table|table=posts_2024")
    );
}

#[test]
fn no_migrations_no_unknown_table() {
    let mut m = seed_model();
    m.migrations.clear();
    let found = audit(&m, &Config::default());
    assert!(found.iter().all(|f| f.rule != "unknown-table"));
}
