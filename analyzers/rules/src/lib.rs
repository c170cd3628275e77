//! Rules: findings from the model (ownership, sync calls, cycles, dual
//! writes...) and baselines.
//!
//! Every rule is a pure function of [`nova_model::Model`]; the
//! [`nova_config::Config`] only sets levels (`[rules]`, `[[sync-calls]]`)
//! and accepts findings on purpose (`[[allow]]`, each with a reason).
//!
//! | rule | default | what |
//! |------|---------|------|
//! | `multi-writer` | error | a table is created/updated/deleted by more than one service |
//! | `foreign-write` | error | a service writes a table owned by another |
//! | `foreign-read` | warning | a service reads a table owned by another |
//! | `unowned-table` | warning | a table is accessed but has no owner |
//! | `unknown-table` | warning | a table is accessed but no migration creates it (only when the repo has migrations) |
//! | `sync-call` | warning | a grpc/http call between services, except from a gateway (per pair: `[[sync-calls]]`) |
//! | `sync-cycle` | error | services that depend on each other synchronously (grpc/http/startup) |
//! | `startup-dependency` | warning | a service waits for another at start-up (init container, `depends_on`) |
//! | `dual-write` | warning | one function writes the database and produces to Kafka directly |
//! | `consumer-without-dedupe` | warning | a Kafka consumer handler writes without recording processed event ids |
//! | `topic-without-consumer` | info | a topic is produced but never consumed |
//! | `topic-without-producer` | info | a topic is consumed but never produced |
//!
//! `dual-write` defaults to *warning*, not error: the static evidence (a
//! write and a direct produce in the same function) is strong, but whether
//! the two are meant to be atomic needs a person; teams that want it to
//! fail CI set `[rules] dual-write = "error"`.
//!
//! Table ownership (see [`ownership::owner`]): declared in `nova.toml`, else
//! the only writer, else the service whose migration creates the table,
//! else (for partitions) the owner of the parent, else none.
//!
//! Scan diagnostics are never turned into findings; renderers show them
//! separately.

mod baseline;
mod checks;
pub mod ownership;

pub use baseline::{
    BASELINE_VERSION, Baseline, BaselineEntry, BaselineError, BaselineOutcome, apply,
};

use nova_config::{AllowEntry, Config, Level};
use nova_model::{Location, Model, Severity};
use serde::Serialize;

/// Static description of a rule (also used for SARIF `rules[]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleInfo {
    /// Stable id, e.g. `multi-writer`.
    pub id: &'static str,
    /// Level when `nova.toml` says nothing.
    pub default_level: Level,
    /// One line.
    pub short: &'static str,
    /// One paragraph.
    pub full: &'static str,
    /// How to fix or accept it.
    pub help: &'static str,
}

/// Every rule, in documentation order.
pub const RULES: &[RuleInfo] = &[
    RuleInfo {
        id: "multi-writer",
        default_level: Level::Error,
        short: "A table is written by more than one service.",
        full: "More than one service creates, updates or deletes rows of the same table. With several writers no service owns the table's invariants, and the table's schema is an implicit API between them (single-writer rule).",
        help: "Pick one owner (declare it in nova.toml under [tables.NAME] owner = \"...\") and route the other services' writes through that owner's API or events.",
    },
    RuleInfo {
        id: "foreign-write",
        default_level: Level::Error,
        short: "A service writes a table owned by another service.",
        full: "The table has an owner (declared in nova.toml, its only writer, or the service whose migration creates it) and another service creates, updates or deletes its rows directly.",
        help: "Send a command to the owner (an event it consumes, or its API) instead of writing its table.",
    },
    RuleInfo {
        id: "foreign-read",
        default_level: Level::Warning,
        short: "A service reads a table owned by another service.",
        full: "Reading another service's table couples both services to its schema and to one shared database.",
        help: "Keep a local read model fed by the owner's events, or read through the owner's API.",
    },
    RuleInfo {
        id: "unowned-table",
        default_level: Level::Warning,
        short: "A table is accessed but has no owner.",
        full: "No service writes the table, no service's migration creates it, and nova.toml declares no owner.",
        help: "Declare the owner in nova.toml: [tables.NAME] owner = \"service\".",
    },
    RuleInfo {
        id: "unknown-table",
        default_level: Level::Warning,
        short: "A table is accessed but no migration creates it.",
        full: "The repository has migrations, yet none of them creates this table: a typo, a table managed elsewhere, or a missing migration.",
        help: "Add the migration, fix the name, or list the table in [scan] ignore-tables.",
    },
    RuleInfo {
        id: "sync-call",
        default_level: Level::Warning,
        short: "A service calls another service synchronously.",
        full: "A gRPC or HTTP call between services: the caller is only available when the callee is, and latencies add up along the chain.",
        help: "Replace it with an event-fed read model, an event, or local token verification (see `nova plan`); or accept the pair with [[sync-calls]] from/to/level.",
    },
    RuleInfo {
        id: "sync-cycle",
        default_level: Level::Error,
        short: "Services depend on each other synchronously in a cycle.",
        full: "A cycle of gRPC/HTTP calls or start-up dependencies: none of these services can be deployed, started or fail independently.",
        help: "Break the cycle by replacing at least one of its synchronous edges with an event.",
    },
    RuleInfo {
        id: "startup-dependency",
        default_level: Level::Warning,
        short: "A service waits for another service at start-up.",
        full: "An init container or depends_on makes a service's start-up wait for another service, so one outage blocks every deployment downstream.",
        help: "Remove the init container / depends_on and make the service tolerate the other being down (retries, events).",
    },
    RuleInfo {
        id: "dual-write",
        default_level: Level::Warning,
        short: "A function writes the database and produces to Kafka directly.",
        full: "The database write and the Kafka produce are not atomic: a crash between them loses the event or publishes one for a rolled-back write.",
        help: "Enqueue the event in a transactional outbox in the same transaction (nova scaffold outbox).",
    },
    RuleInfo {
        id: "consumer-without-dedupe",
        default_level: Level::Warning,
        short: "A Kafka consumer writes without deduplicating events.",
        full: "Kafka delivers at least once; a handler that writes without recording processed event ids applies a redelivered event twice.",
        help: "Record processed event ids in the same transaction (idempotent consumer, nova scaffold consumer).",
    },
    RuleInfo {
        id: "topic-without-consumer",
        default_level: Level::Info,
        short: "A topic is produced but never consumed.",
        full: "No service in the scanned tree consumes this topic.",
        help: "Remove the producer, or check the consumer lives outside the scanned tree.",
    },
    RuleInfo {
        id: "topic-without-producer",
        default_level: Level::Info,
        short: "A topic is consumed but never produced.",
        full: "No service in the scanned tree produces to this topic.",
        help: "Check the topic name (prefixes, env vars) or the producer lives outside the scanned tree.",
    },
];

/// The rule with this id.
pub fn rule(id: &str) -> Option<&'static RuleInfo> {
    RULES.iter().find(|r| r.id == id)
}

/// What a finding is about; `[[allow]]` entries match on these fields.
#[derive(Debug, Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Subject {
    pub service: Option<String>,
    pub table: Option<String>,
    /// The other side of a call/edge, or the owner of a foreign table.
    pub to: Option<String>,
    pub topic: Option<String>,
    /// The function, for dual-write and consumer-without-dedupe.
    pub function: Option<String>,
}

/// One rule violation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Rule id (see [`RULES`]).
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    /// Evidence, most relevant first, each with a label.
    pub locations: Vec<(Location, String)>,
    /// How to fix it.
    pub hint: String,
    pub subject: Subject,
    /// Stable identity: rule + subject (+ edge kind), never a line number.
    pub fingerprint: String,
}

/// A finding accepted by an `[[allow]]` entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Allowed {
    pub finding: Finding,
    /// The entry's reason.
    pub reason: String,
}

/// Findings after levels and `[[allow]]` entries, before any baseline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Evaluation {
    /// Findings to report, sorted (errors first, then rule, fingerprint).
    pub findings: Vec<Finding>,
    /// Findings suppressed by an `[[allow]]` entry.
    pub allowed: Vec<Allowed>,
    /// `[[allow]]` entries that matched nothing (stale config).
    pub unused_allows: Vec<AllowEntry>,
}

/// Everything `nova audit` reports.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AuditOutcome {
    /// Findings not in the baseline (these fail the build).
    pub findings: Vec<Finding>,
    /// Findings matched by the baseline.
    pub baselined: Vec<Finding>,
    /// Baseline entries no finding matched any more.
    pub stale: Vec<BaselineEntry>,
    /// Baseline entries no finding matched, which SQL nova could not
    /// resolve (N006) may still carry: kept, neither stale nor failing
    /// `--strict-baseline` (see [`unresolved_sql_may_hide`]).
    #[serde(default)]
    pub unconfirmed: Vec<BaselineEntry>,
    /// Findings suppressed by `[[allow]]`.
    pub allowed: Vec<Allowed>,
    /// `[[allow]]` entries that matched nothing.
    pub unused_allows: Vec<AllowEntry>,
}

impl AuditOutcome {
    /// Number of new findings at `severity`.
    pub fn count(&self, severity: Severity) -> usize {
        self.findings
            .iter()
            .filter(|f| f.severity == severity)
            .count()
    }

    /// True when a new finding is at `threshold` or above.
    pub fn fails(&self, threshold: Severity) -> bool {
        self.findings.iter().any(|f| f.severity >= threshold)
    }

    /// `3 errors, 2 warnings, 1 info (1 baselined, 0 stale, 2 allowed)`.
    pub fn summary(&self) -> String {
        let plural = |n: usize, word: &str| {
            if n == 1 {
                format!("{n} {word}")
            } else {
                format!("{n} {word}s")
            }
        };
        let infos = self.count(Severity::Info);
        format!(
            "{}, {}, {} ({} baselined, {} stale, {} allowed)",
            plural(self.count(Severity::Error), "error"),
            plural(self.count(Severity::Warning), "warning"),
            if infos == 1 {
                "1 info".to_string()
            } else {
                format!("{infos} infos")
            },
            self.baselined.len(),
            self.stale.len(),
            self.allowed.len()
        )
    }
}

/// The level of `rule` under `config` (ignoring per-pair sync-call levels).
pub fn level(config: &Config, rule: &str) -> Level {
    config
        .rules
        .get(rule)
        .copied()
        .or_else(|| self::rule(rule).map(|r| r.default_level))
        .unwrap_or(Level::Warning)
}

fn name_matches(pattern: &str, name: Option<&str>) -> bool {
    pattern == "*" || name == Some(pattern)
}

/// The level of one finding: `[[sync-calls]]` pairs override the rule level
/// for `sync-call` findings (first matching entry wins; `*` matches any
/// service).
fn finding_level(config: &Config, f: &Finding) -> Level {
    if f.rule == "sync-call"
        && let Some(pair) = config.sync_calls.iter().find(|p| {
            name_matches(&p.from, f.subject.service.as_deref())
                && name_matches(&p.to, f.subject.to.as_deref())
        })
    {
        return pair.level;
    }
    level(config, f.rule)
}

/// True when `entry` accepts `f`: same rule, and every field the entry sets
/// equals the finding's subject field.
pub fn allows(entry: &AllowEntry, f: &Finding) -> bool {
    let field = |want: &Option<String>, have: &Option<String>| match want {
        None => true,
        Some(w) => name_matches(w, have.as_deref()),
    };
    entry.rule == f.rule
        && field(&entry.service, &f.subject.service)
        && field(&entry.table, &f.subject.table)
        && field(&entry.to, &f.subject.to)
        && field(&entry.topic, &f.subject.topic)
}

/// Every finding with its level applied, `allow`-level rules dropped and
/// `[[allow]]` entries applied.
pub fn evaluate(model: &Model, config: &Config) -> Evaluation {
    let mut used = vec![false; config.allow.len()];
    let mut findings = Vec::new();
    let mut allowed = Vec::new();
    for mut f in checks::all(model) {
        let Some(severity) = finding_level(config, &f).severity() else {
            continue;
        };
        f.severity = severity;
        match config.allow.iter().position(|e| allows(e, &f)) {
            Some(i) => {
                used[i] = true;
                allowed.push(Allowed {
                    reason: config.allow[i].reason.clone(),
                    finding: f,
                });
            }
            None => findings.push(f),
        }
    }
    sort(&mut findings);
    allowed.sort_by(|a, b| order(&a.finding, &b.finding));
    let unused_allows = config
        .allow
        .iter()
        .zip(used)
        .filter(|(_, u)| !u)
        .map(|(e, _)| e.clone())
        .collect();
    Evaluation {
        findings,
        allowed,
        unused_allows,
    }
}

/// The findings `nova audit` reports for `model` under `config`, sorted
/// (errors first, then by rule and fingerprint). Findings accepted by an
/// `[[allow]]` entry are left out; see [`evaluate`] to get them too.
pub fn audit(model: &Model, config: &Config) -> Vec<Finding> {
    evaluate(model, config).findings
}

/// The full audit: findings, `[[allow]]` entries applied, then the baseline.
pub fn run(model: &Model, config: &Config, baseline: Option<&Baseline>) -> AuditOutcome {
    let ev = evaluate(model, config);
    let (findings, baselined, stale) = match baseline {
        Some(b) => {
            let o = apply(ev.findings, b);
            (o.new, o.baselined, o.stale)
        }
        None => (ev.findings, Vec::new(), Vec::new()),
    };
    let (unconfirmed, stale) = stale
        .into_iter()
        .partition(|e| unresolved_sql_may_hide(model, e));
    AuditOutcome {
        findings,
        baselined,
        stale,
        unconfirmed,
        allowed: ev.allowed,
        unused_allows: ev.unused_allows,
    }
}

/// Whether SQL nova could not resolve (an N006 diagnostic) may carry the
/// finding of baseline entry `e`, so that its absence does not prove it
/// fixed: an N006 in library code (any service may run it), or in a
/// service the entry names (in its fingerprint or message).
pub fn unresolved_sql_may_hide(model: &Model, e: &BaselineEntry) -> bool {
    model
        .diagnostics
        .iter()
        .filter(|d| d.code == nova_model::DiagCode::UnresolvedSql)
        .any(|d| match &d.service {
            None => true,
            Some(s) => names_word(&e.fingerprint, s) || names_word(&e.message, s),
        })
}

/// Whether `word` occurs in `text` as a whole name (not inside a longer
/// identifier such as `users-svc2`).
fn names_word(text: &str, word: &str) -> bool {
    let part = |c: char| c.is_alphanumeric() || c == '_' || c == '-';
    text.match_indices(word).any(|(i, _)| {
        !text[..i].chars().next_back().is_some_and(part)
            && !text[i + word.len()..].chars().next().is_some_and(part)
    })
}

fn order(a: &Finding, b: &Finding) -> std::cmp::Ordering {
    b.severity
        .cmp(&a.severity)
        .then_with(|| a.rule.cmp(b.rule))
        .then_with(|| a.fingerprint.cmp(&b.fingerprint))
}

/// Sort findings: errors first, then by rule id and fingerprint.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(order);
}

#[cfg(test)]
mod tests;
