use super::*;
use crate::seed_model::{edge, seed_model};
use nova_config::Config;
use nova_model::{EdgeKind, FunctionFacts, Topic, TopicEndpoint, TopicVia};
use nova_rules::RULES;
use std::collections::BTreeSet;

/// The seed model plus what makes every other rule fire: a synchronous
/// cycle, a dual write, a consumer without dedupe, one-sided topics.
fn every_rule_model() -> Model {
    let mut m = seed_model();
    m.edges.push(edge(
        "feed-service",
        "media-service",
        EdgeKind::Grpc,
        &["ListVideos"],
        "feed-service/src/media.rs",
        12,
        "media.list_videos() -> MediaService/ListVideos",
    ));
    m.edges.push(edge(
        "media-service",
        "feed-service",
        EdgeKind::Http,
        &["GET /api/feed"],
        "media-service/src/feed.rs",
        30,
        "GET http://feed-service/api/feed",
    ));
    m.functions.push(FunctionFacts {
        service: "messaging-service".into(),
        function: "grpc::MessagingGrpc::send_message".into(),
        location: Location::new("messaging-service/src/grpc.rs", 69, 5),
        writes: vec!["messages".into()],
        produces_direct: vec!["messaging-events".into()],
        produces_outbox: vec![],
        consumer_handler: false,
        dedupes: false,
    });
    m.functions.push(FunctionFacts {
        service: "feed-service".into(),
        function: "indexer::Indexer::handle".into(),
        location: Location::new("feed-service/src/indexer.rs", 54, 5),
        writes: vec!["feed_items".into()],
        produces_direct: vec![],
        produces_outbox: vec![],
        consumer_handler: true,
        dedupes: false,
    });
    let ep = |s: &str, file: &str, line| TopicEndpoint {
        service: s.into(),
        via: TopicVia::Direct,
        location: Location::new(file, line, 9),
    };
    m.topics.push(Topic {
        name: "audit-events".into(),
        producers: vec![ep("content-service", "content-service/src/audit.rs", 40)],
        consumers: vec![],
    });
    m.topics.push(Topic {
        name: "legacy-events".into(),
        producers: vec![],
        consumers: vec![ep("feed-service", "feed-service/src/legacy.rs", 7)],
    });
    m
}

/// A plausible line of code at every location the findings name.
fn sources_for(outcome: &AuditOutcome) -> Sources {
    let mut lines: BTreeMap<String, BTreeSet<u32>> = BTreeMap::new();
    for f in &outcome.findings {
        for (l, _) in &f.locations {
            lines.entry(l.file.clone()).or_default().insert(l.line);
        }
    }
    let mut s = Sources::new();
    for (file, wanted) in lines {
        let last = wanted.iter().max().copied().unwrap_or(1);
        let text: Vec<String> = (1..=last)
            .map(|n| {
                if !wanted.contains(&n) {
                    format!("    // line {n}")
                } else if file.ends_with(".sql") {
                    "CREATE TABLE users (id BIGSERIAL PRIMARY KEY, email TEXT NOT NULL);".into()
                } else if file.ends_with(".yaml") {
                    "        - name: wait-for-content-service".into()
                } else {
                    format!(
                        "        let row = sqlx::query(QUERY_{n}).bind(&id).fetch_one(&self.pool).await?;"
                    )
                }
            })
            .collect();
        s.insert(file, text.join("\n"));
    }
    s
}

fn outcome_of(m: &Model) -> AuditOutcome {
    nova_rules::run(m, &Config::default(), None)
}

fn render_at(m: &Model, o: &AuditOutcome, width: usize) -> String {
    let opts = HumanOptions {
        width,
        color: false,
        exit_code: 1,
    };
    render(m, o, &sources_for(o), &opts)
}

#[test]
fn every_rule_fires_in_the_fixture() {
    let m = every_rule_model();
    let o = outcome_of(&m);
    let fired: BTreeSet<&str> = o.findings.iter().map(|f| f.rule).collect();
    let all: BTreeSet<&str> = RULES.iter().map(|r| r.id).collect();
    assert_eq!(fired, all);
}

/// One snapshot per rule: its first finding alone, at 80 columns.
#[test]
fn snapshot_per_rule() {
    let m = every_rule_model();
    let o = outcome_of(&m);
    for rule in RULES {
        let Some(f) = o.findings.iter().find(|f| f.rule == rule.id) else {
            panic!("no finding for {}", rule.id);
        };
        let one = AuditOutcome {
            findings: vec![f.clone()],
            ..AuditOutcome::default()
        };
        let mut quiet = m.clone();
        quiet.diagnostics.clear();
        insta::assert_snapshot!(format!("rule_{}", rule.id), render_at(&quiet, &one, 80));
    }
}

/// The multi-writer finding names every writer and the library call site.
#[test]
fn multi_location_finding() {
    let m = every_rule_model();
    let o = outcome_of(&m);
    let f = o
        .findings
        .iter()
        .find(|f| f.rule == "multi-writer")
        .cloned()
        .unwrap_or_else(|| panic!("multi-writer"));
    let one = AuditOutcome {
        findings: vec![f],
        ..AuditOutcome::default()
    };
    let text = render_at(&m, &one, 100);
    for needle in [
        "error[multi-writer]: table `users` is written by 2 services",
        "┌─ identity-service/src/users.rs:10",
        "identity-service inserts",
        "┌─ libs/db-common/src/users.rs:12",
        "messaging-service updates (SQL in library db-common)",
        "┌─ messaging-service/src/main.rs:40",
        "messaging-service calls db-common here",
        "= note: `users` is owned by identity-service",
        "= help: make identity-service the only writer",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    insta::assert_snapshot!("multi_writer_100_columns", text);
}

/// Nothing is wider than the terminal, and nothing the findings name is
/// split across lines.
#[test]
fn no_identifier_is_broken_at_80_columns() {
    let m = every_rule_model();
    let o = outcome_of(&m);
    for width in [80, 60, 120] {
        let text = render_at(&m, &o, width);
        for line in text.lines() {
            // Only a single word wider than the room may overflow.
            let words = line
                .trim_end_matches(" \\")
                .split(['│', '=', ' '])
                .filter(|w| !w.is_empty())
                .count();
            assert!(
                crate::text::width(line) <= width || words == 1,
                "{} columns > {width}: {line:?}",
                crate::text::width(line)
            );
        }
        let mut names: BTreeSet<String> = BTreeSet::new();
        for f in &o.findings {
            for (l, _) in &f.locations {
                // The file whole, its line in the gutter or in a note.
                names.insert(l.file.clone());
                assert!(
                    text.contains(&format!("{} │", l.line)) || text.contains(&l.to_string()),
                    "{l} not shown at {width}:\n{text}"
                );
            }
            let s = &f.subject;
            for v in [&s.service, &s.table, &s.to, &s.topic, &s.function]
                .into_iter()
                .flatten()
            {
                names.insert(v.clone());
            }
        }
        for n in &names {
            assert!(
                text.contains(n.as_str()),
                "{n:?} is not whole at {width}:\n{text}"
            );
        }
    }
}

#[test]
fn missing_sources_keep_the_location() {
    let m = every_rule_model();
    let o = outcome_of(&m);
    let text = render(&m, &o, &Sources::new(), &HumanOptions::default());
    assert!(text.contains("= note: at libs/db-common/src/users.rs:12: messaging-service updates"));
    assert!(!text.contains('┌'));
}

#[test]
fn summary_line_and_colour() {
    let m = every_rule_model();
    let o = outcome_of(&m);
    let plain = render_at(&m, &o, 100);
    let last = plain.lines().last().unwrap_or_default();
    assert_eq!(last, summary(&o, 1));
    assert!(last.ends_with("; exit 1"), "{last}");
    assert!(!plain.contains('\u{1b}'));
    let opts = HumanOptions {
        width: 100,
        color: true,
        exit_code: 1,
    };
    assert!(render(&m, &o, &sources_for(&o), &opts).contains('\u{1b}'));
    let mut o2 = AuditOutcome::default();
    assert_eq!(summary(&o2, 0), "0 errors, 0 warnings; exit 0");
    o2.baselined = o.findings.clone();
    assert_eq!(
        summary(&o2, 0),
        format!(
            "0 errors, 0 warnings, {} baselined; exit 0",
            o.findings.len()
        )
    );
}
