//! Parsing and validating `nova.toml`.
//!
//! # Schema
//!
//! Every section is optional; an empty file is a valid configuration. Keys
//! are kebab-case. Unknown keys are errors, and so is every wrongly typed
//! value; each error names `file:line:col` and the dotted key.
//!
//! ```toml
//! [scan]
//! include = ["services/**"]         # globs relative to the root; empty = everything
//! exclude = ["services/legacy/**"]  # globs to skip (on top of .gitignore, target/...)
//! include-tests = false             # count tests/benches/examples in the matrix
//! default-schemas = ["public"]      # schemas stripped from table names
//! dialect = "postgres"              # postgres | mysql | generic
//! ignore-tables = ["_sqlx_migrations"]
//!
//! [services.feed]                   # declares or adjusts a service
//! package = "feed-service"          # Cargo package (defaults to the key)
//! path = "services/feed"            # directory (for services without a package)
//! aliases = ["feed-svc", "FEED"]    # deployment/host names, env-var stems
//! dialect = "postgres"              # postgres | mysql | generic
//! kind = "service"                  # service | gateway | external
//! ignore = false                    # true: treat the package as a library
//!
//! [tables.users]
//! owner = "identity"                # declared owning service
//!
//! [rules]                           # rule id = allow | info | warning | error
//! multi-writer = "error"
//! foreign-read = "allow"
//!
//! [[sync-calls]]                    # level for sync calls between one pair
//! from = "feed"
//! to = "content"
//! level = "error"                   # allow | info | warning | error
//!
//! [[allow]]                         # accept one finding on purpose
//! rule = "multi-writer"             # required, a known rule id
//! service = "feed"                  # optional subject filters
//! table = "posts"
//! to = "content"
//! topic = "content-events"
//! reason = "migrating in Q3"        # required, non-empty
//!
//! [env]                             # env values for static resolution
//! KAFKA_TOPIC_PREFIX = "nova"
//! ```
//!
//! Known rule ids ([`RULE_IDS`]): `multi-writer`, `foreign-write`,
//! `foreign-read`, `unowned-table`, `unknown-table`, `sync-call`,
//! `sync-cycle`, `startup-dependency`, `dual-write`,
//! `consumer-without-dedupe`, `topic-without-consumer`,
//! `topic-without-producer`.
//!
//! Error messages have the form `file:line:col: dotted.key: message`, e.g.
//! `nova.toml:7:1: rules.multi-writr: unknown rule; expected one of …`.
//! Entries of `[[allow]]`/`[[sync-calls]]` are addressed as `allow[0]`
//! (0-based). All errors of a file are reported at once, sorted by position.

use crate::{
    AllowEntry, Config, ConfigSpan, Level, ScanConfig, ServiceConfig, SyncCallRule, TableConfig,
};
use nova_model::{Dialect, ServiceKind};
use std::fmt;
use std::ops::Range;
use std::path::Path;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// Every rule id `[rules]`, `[[allow]]` and `[[sync-calls]]` may name.
pub const RULE_IDS: &[&str] = &[
    "multi-writer",
    "foreign-write",
    "foreign-read",
    "unowned-table",
    "unknown-table",
    "sync-call",
    "sync-cycle",
    "startup-dependency",
    "dual-write",
    "consumer-without-dedupe",
    "topic-without-consumer",
    "topic-without-producer",
];

/// One problem in a config file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigIssue {
    /// 1-based line (0 when the problem has no position).
    pub line: u32,
    /// 1-based column (0 when unknown).
    pub column: u32,
    /// Byte range in the source, for rendering the offending line.
    pub span: Range<usize>,
    /// Dotted key path (`rules.multi-writr`, `allow[0].reason`); empty for
    /// TOML syntax errors.
    pub key: String,
    pub message: String,
}

/// Why a config could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("{file}: cannot read config: {source}")]
    Io {
        file: String,
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid TOML, or does not follow the schema. `issues`
    /// is sorted by position and never empty.
    #[error("{}", render_issues(file, issues))]
    Invalid {
        file: String,
        /// The source text, for rendering snippets.
        source_text: String,
        issues: Vec<ConfigIssue>,
    },
}

fn render_issues(file: &str, issues: &[ConfigIssue]) -> String {
    issues
        .iter()
        .map(|i| i.display(file).to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

impl ConfigIssue {
    /// `file:line:col: key: message`.
    pub fn display<'a>(&'a self, file: &'a str) -> impl fmt::Display + 'a {
        IssueDisplay { issue: self, file }
    }
}

struct IssueDisplay<'a> {
    issue: &'a ConfigIssue,
    file: &'a str,
}

impl fmt::Display for IssueDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let i = self.issue;
        write!(f, "{}", self.file)?;
        if i.line > 0 {
            write!(f, ":{}", i.line)?;
            if i.column > 0 {
                write!(f, ":{}", i.column)?;
            }
        }
        if i.key.is_empty() {
            write!(f, ": {}", i.message)
        } else {
            write!(f, ": {}: {}", i.key, i.message)
        }
    }
}

/// Read and parse the config at `path`. The file name in messages is `path`
/// as given.
pub fn load(path: &Path) -> Result<Config, ConfigError> {
    let file = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|source| ConfigError::Io {
        file: file.clone(),
        source,
    })?;
    match String::from_utf8(bytes) {
        Ok(text) => parse(&text, &file),
        Err(_) => Err(ConfigError::Invalid {
            file,
            source_text: String::new(),
            issues: vec![ConfigIssue {
                line: 0,
                column: 0,
                span: 0..0,
                key: String::new(),
                message: "not valid UTF-8".to_string(),
            }],
        }),
    }
}

/// Parse config text; `file_name` is used in messages and recorded as
/// [`Config::source`].
pub fn parse(src: &str, file_name: &str) -> Result<Config, ConfigError> {
    let mut p = Parser {
        src,
        issues: Vec::new(),
    };
    let config = match DeTable::parse(src) {
        Ok(root) => Some(p.root(root.get_ref(), file_name)),
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim().to_string();
            p.push(span, String::new(), message);
            None
        }
    };
    match config {
        Some(c) if p.issues.is_empty() => Ok(c),
        _ => {
            let mut issues = p.issues;
            issues.sort_by(|a, b| (a.span.start, &a.key).cmp(&(b.span.start, &b.key)));
            Err(ConfigError::Invalid {
                file: file_name.to_string(),
                source_text: src.to_string(),
                issues,
            })
        }
    }
}

type Val<'i> = Spanned<DeValue<'i>>;

struct Parser<'s> {
    src: &'s str,
    issues: Vec<ConfigIssue>,
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

impl Parser<'_> {
    fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.src.len());
        let before = self.src.get(..offset).unwrap_or("");
        let line = before.matches('\n').count() as u32 + 1;
        let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        let column = before
            .get(line_start..)
            .map(|s| s.chars().count())
            .unwrap_or(0) as u32
            + 1;
        (line, column)
    }

    fn push(&mut self, span: Range<usize>, key: String, message: impl Into<String>) {
        let (line, column) = self.line_col(span.start);
        self.issues.push(ConfigIssue {
            line,
            column,
            span,
            key,
            message: message.into(),
        });
    }

    fn config_span(&self, file: &str, span: &Range<usize>) -> ConfigSpan {
        ConfigSpan {
            file: file.to_string(),
            line: self.line_col(span.start).0,
        }
    }

    fn unknown(&mut self, key: &Spanned<std::borrow::Cow<'_, str>>, path: String, known: &[&str]) {
        self.push(
            key.span(),
            path,
            format!("unknown key; expected one of {}", known.join(", ")),
        );
    }

    fn table<'a, 'i>(&mut self, v: &'a Val<'i>, path: &str) -> Option<&'a DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                self.push(
                    v.span(),
                    path.to_string(),
                    format!("expected a table, found {}", type_name(other)),
                );
                None
            }
        }
    }

    fn string(&mut self, v: &Val<'_>, path: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            other => {
                self.push(
                    v.span(),
                    path.to_string(),
                    format!("expected a string, found {}", type_name(other)),
                );
                None
            }
        }
    }

    fn boolean(&mut self, v: &Val<'_>, path: &str) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                self.push(
                    v.span(),
                    path.to_string(),
                    format!("expected a boolean, found {}", type_name(other)),
                );
                None
            }
        }
    }

    fn strings(&mut self, v: &Val<'_>, path: &str) -> Option<Vec<String>> {
        match v.get_ref() {
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    if let Some(s) = self.string(item, &format!("{path}[{i}]")) {
                        out.push(s);
                    }
                }
                Some(out)
            }
            other => {
                self.push(
                    v.span(),
                    path.to_string(),
                    format!("expected an array of strings, found {}", type_name(other)),
                );
                None
            }
        }
    }

    fn globs(&mut self, v: &Val<'_>, path: &str) -> Option<Vec<String>> {
        let DeValue::Array(items) = v.get_ref() else {
            return self.strings(v, path);
        };
        let mut out = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let key = format!("{path}[{i}]");
            if let Some(s) = self.string(item, &key) {
                match globset::Glob::new(&s) {
                    Ok(_) => out.push(s),
                    Err(e) => {
                        let kind = e.kind().to_string();
                        self.push(item.span(), key, format!("invalid glob `{s}`: {kind}"));
                    }
                }
            }
        }
        Some(out)
    }

    fn choice<T: Copy>(
        &mut self,
        v: &Val<'_>,
        path: &str,
        what: &str,
        options: &[(&str, T)],
    ) -> Option<T> {
        let s = self.string(v, path)?;
        if let Some((_, t)) = options.iter().find(|(name, _)| *name == s) {
            return Some(*t);
        }
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        self.push(
            v.span(),
            path.to_string(),
            format!("unknown {what} `{s}`; expected one of {}", names.join(", ")),
        );
        None
    }

    fn level(&mut self, v: &Val<'_>, path: &str) -> Option<Level> {
        self.choice(
            v,
            path,
            "level",
            &[
                ("allow", Level::Allow),
                ("info", Level::Info),
                ("warning", Level::Warning),
                ("error", Level::Error),
            ],
        )
    }

    fn dialect(&mut self, v: &Val<'_>, path: &str) -> Option<Dialect> {
        self.choice(
            v,
            path,
            "dialect",
            &[
                ("postgres", Dialect::Postgres),
                ("mysql", Dialect::Mysql),
                ("generic", Dialect::Generic),
            ],
        )
    }

    fn rule_id(&mut self, v: &Val<'_>, path: &str) -> Option<String> {
        let s = self.string(v, path)?;
        if RULE_IDS.contains(&s.as_str()) {
            Some(s)
        } else {
            self.push(
                v.span(),
                path.to_string(),
                format!(
                    "unknown rule `{s}`; expected one of {}",
                    RULE_IDS.join(", ")
                ),
            );
            None
        }
    }

    fn root(&mut self, root: &DeTable<'_>, file: &str) -> Config {
        const KEYS: &[&str] = &[
            "scan",
            "services",
            "tables",
            "rules",
            "sync-calls",
            "allow",
            "env",
        ];
        let mut config = Config {
            source: Some(file.to_string()),
            ..Config::default()
        };
        for (k, v) in root.iter() {
            let key = k.get_ref().as_ref();
            match key {
                "scan" => {
                    if let Some(t) = self.table(v, key) {
                        config.scan = self.scan(t);
                    }
                }
                "services" => {
                    if let Some(t) = self.table(v, key) {
                        for (name, sv) in t.iter() {
                            let path = join(key, name.get_ref());
                            if let Some(st) = self.table(sv, &path) {
                                let span = self.config_span(file, &name.span());
                                let svc = self.service(st, &path, span);
                                config.services.insert(name.get_ref().to_string(), svc);
                            }
                        }
                    }
                }
                "tables" => {
                    if let Some(t) = self.table(v, key) {
                        for (name, tv) in t.iter() {
                            let path = join(key, name.get_ref());
                            if let Some(tt) = self.table(tv, &path) {
                                let span = self.config_span(file, &name.span());
                                let tc = self.table_config(tt, &path, span);
                                config.tables.insert(name.get_ref().to_string(), tc);
                            }
                        }
                    }
                }
                "rules" => {
                    if let Some(t) = self.table(v, key) {
                        for (rule, lv) in t.iter() {
                            let path = join(key, rule.get_ref());
                            if !RULE_IDS.contains(&rule.get_ref().as_ref()) {
                                self.push(
                                    rule.span(),
                                    path,
                                    format!(
                                        "unknown rule; expected one of {}",
                                        RULE_IDS.join(", ")
                                    ),
                                );
                                continue;
                            }
                            if let Some(level) = self.level(lv, &path) {
                                config.rules.insert(rule.get_ref().to_string(), level);
                            }
                        }
                    }
                }
                "sync-calls" => {
                    for (i, entry) in self.array_of_tables(v, key) {
                        let path = format!("{key}[{i}]");
                        if let Some(rule) = self.sync_call(entry, &path, file) {
                            config.sync_calls.push(rule);
                        }
                    }
                }
                "allow" => {
                    for (i, entry) in self.array_of_tables(v, key) {
                        let path = format!("{key}[{i}]");
                        if let Some(a) = self.allow(entry, &path, file) {
                            config.allow.push(a);
                        }
                    }
                }
                "env" => {
                    if let Some(t) = self.table(v, key) {
                        for (name, ev) in t.iter() {
                            let path = join(key, name.get_ref());
                            if let Some(s) = self.string(ev, &path) {
                                config.env.insert(name.get_ref().to_string(), s);
                            }
                        }
                    }
                }
                _ => self.unknown(k, key.to_string(), KEYS),
            }
        }
        config
    }

    fn array_of_tables<'a, 'i>(&mut self, v: &'a Val<'i>, path: &str) -> Vec<(usize, &'a Val<'i>)> {
        match v.get_ref() {
            DeValue::Array(items) => {
                let mut out = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    if self.table(item, &format!("{path}[{i}]")).is_some() {
                        out.push((i, item));
                    }
                }
                out
            }
            other => {
                self.push(
                    v.span(),
                    path.to_string(),
                    format!(
                        "expected an array of tables (`[[{path}]]`), found {}",
                        type_name(other)
                    ),
                );
                Vec::new()
            }
        }
    }

    fn scan(&mut self, t: &DeTable<'_>) -> ScanConfig {
        const KEYS: &[&str] = &[
            "include",
            "exclude",
            "include-tests",
            "default-schemas",
            "dialect",
            "ignore-tables",
        ];
        let mut scan = ScanConfig::default();
        for (k, v) in t.iter() {
            let key = k.get_ref().as_ref();
            let path = join("scan", key);
            match key {
                "include" => {
                    if let Some(g) = self.globs(v, &path) {
                        scan.include = g;
                    }
                }
                "exclude" => {
                    if let Some(g) = self.globs(v, &path) {
                        scan.exclude = g;
                    }
                }
                "include-tests" => {
                    if let Some(b) = self.boolean(v, &path) {
                        scan.include_tests = b;
                    }
                }
                "default-schemas" => {
                    if let Some(s) = self.strings(v, &path) {
                        scan.default_schemas = s;
                    }
                }
                "dialect" => {
                    if let Some(d) = self.dialect(v, &path) {
                        scan.dialect = d;
                    }
                }
                "ignore-tables" => {
                    if let Some(s) = self.strings(v, &path) {
                        scan.ignore_tables = s;
                    }
                }
                _ => self.unknown(k, path, KEYS),
            }
        }
        scan
    }

    fn service(&mut self, t: &DeTable<'_>, prefix: &str, span: ConfigSpan) -> ServiceConfig {
        const KEYS: &[&str] = &["package", "path", "aliases", "dialect", "kind", "ignore"];
        let mut svc = ServiceConfig {
            span,
            ..ServiceConfig::default()
        };
        for (k, v) in t.iter() {
            let key = k.get_ref().as_ref();
            let path = join(prefix, key);
            match key {
                "package" => svc.package = self.string(v, &path),
                "path" => svc.path = self.string(v, &path),
                "aliases" => svc.aliases = self.strings(v, &path).unwrap_or_default(),
                "dialect" => svc.dialect = self.dialect(v, &path),
                "kind" => {
                    svc.kind = self.choice(
                        v,
                        &path,
                        "kind",
                        &[
                            ("service", ServiceKind::Service),
                            ("gateway", ServiceKind::Gateway),
                            ("external", ServiceKind::External),
                        ],
                    )
                }
                "ignore" => svc.ignore = self.boolean(v, &path).unwrap_or(false),
                _ => self.unknown(k, path, KEYS),
            }
        }
        svc
    }

    fn table_config(&mut self, t: &DeTable<'_>, prefix: &str, span: ConfigSpan) -> TableConfig {
        const KEYS: &[&str] = &["owner"];
        let mut tc = TableConfig {
            span,
            ..TableConfig::default()
        };
        for (k, v) in t.iter() {
            let key = k.get_ref().as_ref();
            let path = join(prefix, key);
            match key {
                "owner" => tc.owner = self.string(v, &path),
                _ => self.unknown(k, path, KEYS),
            }
        }
        tc
    }

    fn sync_call(&mut self, entry: &Val<'_>, prefix: &str, file: &str) -> Option<SyncCallRule> {
        const KEYS: &[&str] = &["from", "to", "level"];
        let DeValue::Table(t) = entry.get_ref() else {
            return None;
        };
        let (mut from, mut to, mut level) = (None, None, None);
        let mut ok = true;
        for (k, v) in t.iter() {
            let key = k.get_ref().as_ref();
            let path = join(prefix, key);
            match key {
                "from" => from = self.string(v, &path),
                "to" => to = self.string(v, &path),
                "level" => level = self.level(v, &path),
                _ => {
                    ok = false;
                    self.unknown(k, path, KEYS)
                }
            }
        }
        let span = entry.span();
        for (name, missing) in [
            ("from", from.is_none() && !t_has(t, "from")),
            ("to", to.is_none() && !t_has(t, "to")),
            ("level", level.is_none() && !t_has(t, "level")),
        ] {
            if missing {
                ok = false;
                self.push(
                    span.clone(),
                    prefix.to_string(),
                    format!("missing key `{name}`"),
                );
            }
        }
        if !ok {
            return None;
        }
        Some(SyncCallRule {
            from: from?,
            to: to?,
            level: level?,
            span: self.config_span(file, &span),
        })
    }

    fn allow(&mut self, entry: &Val<'_>, prefix: &str, file: &str) -> Option<AllowEntry> {
        const KEYS: &[&str] = &["rule", "service", "table", "to", "topic", "reason"];
        let DeValue::Table(t) = entry.get_ref() else {
            return None;
        };
        let span = entry.span();
        let mut a = AllowEntry {
            rule: String::new(),
            service: None,
            table: None,
            to: None,
            topic: None,
            reason: String::new(),
            span: self.config_span(file, &span),
        };
        let mut ok = true;
        let (mut rule, mut reason) = (None, None);
        for (k, v) in t.iter() {
            let key = k.get_ref().as_ref();
            let path = join(prefix, key);
            match key {
                "rule" => rule = Some(self.rule_id(v, &path)),
                "service" => a.service = self.string(v, &path),
                "table" => a.table = self.string(v, &path),
                "to" => a.to = self.string(v, &path),
                "topic" => a.topic = self.string(v, &path),
                "reason" => {
                    let r = self.string(v, &path);
                    if let Some(text) = &r
                        && text.trim().is_empty()
                    {
                        self.push(v.span(), path, "reason must not be empty");
                        ok = false;
                    }
                    reason = Some(r);
                }
                _ => {
                    ok = false;
                    self.unknown(k, path, KEYS)
                }
            }
        }
        match rule {
            Some(Some(r)) => a.rule = r,
            Some(None) => ok = false,
            None => {
                ok = false;
                self.push(span.clone(), prefix.to_string(), "missing key `rule`");
            }
        }
        match reason {
            Some(Some(r)) => a.reason = r,
            Some(None) => ok = false,
            None => {
                ok = false;
                self.push(
                    span,
                    prefix.to_string(),
                    "missing key `reason`: every allow entry must say why",
                );
            }
        }
        ok.then_some(a)
    }
}

fn t_has(t: &DeTable<'_>, key: &str) -> bool {
    t.iter().any(|(k, _)| k.get_ref() == key)
}

#[cfg(test)]
mod tests;
