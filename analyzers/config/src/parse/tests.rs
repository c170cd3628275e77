//! Tests of the span-aware `nova.toml` parser.

use super::*;

fn errors(src: &str) -> Vec<String> {
    match parse(src, "nova.toml") {
        Ok(c) => panic!("expected an error, got {c:?}"),
        Err(ConfigError::Invalid { file, issues, .. }) => issues
            .iter()
            .map(|i| i.display(&file).to_string())
            .collect(),
        Err(e) => panic!("unexpected error {e}"),
    }
}

#[test]
fn empty_file_is_default() {
    let c = parse("", "nova.toml").unwrap();
    assert_eq!(c.scan, ScanConfig::default());
    assert_eq!(c.source.as_deref(), Some("nova.toml"));
}

#[test]
fn full_config_parses() {
    let src = r#"
[scan]
include = ["services/**"]
exclude = ["legacy/**"]
include-tests = true
default-schemas = ["public", "app"]
dialect = "mysql"
ignore-tables = ["schema_migrations"]

[services.feed]
package = "feed-service"
aliases = ["feed-svc"]
kind = "gateway"
dialect = "generic"
ignore = false

[services.billing]
path = "external/billing"
kind = "external"

[tables.users]
owner = "identity"

[rules]
multi-writer = "error"
foreign-read = "allow"
sync-call = "warning"

[[sync-calls]]
from = "feed"
to = "content"
level = "error"

[[allow]]
rule = "multi-writer"
table = "users"
service = "feed"
reason = "migrating in Q3"

[env]
KAFKA_TOPIC_PREFIX = "nova"
"#;
    let c = parse(src, "nova.toml").unwrap();
    assert_eq!(c.scan.include, vec!["services/**"]);
    assert_eq!(c.scan.exclude, vec!["legacy/**"]);
    assert!(c.scan.include_tests);
    assert_eq!(c.scan.default_schemas, vec!["public", "app"]);
    assert_eq!(c.scan.dialect, Dialect::Mysql);
    assert_eq!(c.scan.ignore_tables, vec!["schema_migrations"]);
    let feed = &c.services["feed"];
    assert_eq!(feed.package.as_deref(), Some("feed-service"));
    assert_eq!(feed.aliases, vec!["feed-svc"]);
    assert_eq!(feed.kind, Some(ServiceKind::Gateway));
    assert_eq!(feed.dialect, Some(Dialect::Generic));
    assert_eq!(feed.span.line, 10);
    assert_eq!(
        c.services["billing"].path.as_deref(),
        Some("external/billing")
    );
    assert_eq!(c.tables["users"].owner.as_deref(), Some("identity"));
    assert_eq!(c.tables["users"].span.line, 21);
    assert_eq!(c.rules.len(), 3);
    assert_eq!(c.rules["foreign-read"], Level::Allow);
    assert_eq!(
        c.sync_calls,
        vec![SyncCallRule {
            from: "feed".into(),
            to: "content".into(),
            level: Level::Error,
            span: ConfigSpan {
                file: "nova.toml".into(),
                line: 29
            },
        }]
    );
    assert_eq!(c.allow.len(), 1);
    assert_eq!(c.allow[0].rule, "multi-writer");
    assert_eq!(c.allow[0].table.as_deref(), Some("users"));
    assert_eq!(c.allow[0].reason, "migrating in Q3");
    assert_eq!(c.allow[0].span.line, 34);
    assert_eq!(c.env["KAFKA_TOPIC_PREFIX"], "nova");
}

#[test]
fn unknown_rule_names_line_and_key() {
    let src = "[rules]\nmulti-writer = \"error\"\n\n\n\n\nmulti-writr = \"error\"\n";
    assert_eq!(
        errors(src),
        vec![format!(
            "nova.toml:7:1: rules.multi-writr: unknown rule; expected one of {}",
            RULE_IDS.join(", ")
        )]
    );
}

#[test]
fn unknown_keys_everywhere() {
    let src = "colour = 1\n[scan]\nincludes = []\n[services.a]\npackge = \"x\"\n[tables.t]\nowners = \"a\"\n";
    assert_eq!(
        errors(src),
        vec![
            "nova.toml:1:1: colour: unknown key; expected one of scan, services, tables, rules, sync-calls, allow, env".to_string(),
            "nova.toml:3:1: scan.includes: unknown key; expected one of include, exclude, include-tests, default-schemas, dialect, ignore-tables".to_string(),
            "nova.toml:5:1: services.a.packge: unknown key; expected one of package, path, aliases, dialect, kind, ignore".to_string(),
            "nova.toml:7:1: tables.t.owners: unknown key; expected one of owner".to_string(),
        ]
    );
}

#[test]
fn bad_level() {
    let src = "[rules]\nsync-call = \"fatal\"\n";
    assert_eq!(
        errors(src),
        vec![
            "nova.toml:2:13: rules.sync-call: unknown level `fatal`; expected one of allow, info, warning, error"
        ]
    );
}

#[test]
fn bad_dialect_and_kind() {
    let src = "[scan]\ndialect = \"oracle\"\n[services.x]\nkind = \"daemon\"\n";
    assert_eq!(
        errors(src),
        vec![
            "nova.toml:2:11: scan.dialect: unknown dialect `oracle`; expected one of postgres, mysql, generic",
            "nova.toml:4:8: services.x.kind: unknown kind `daemon`; expected one of service, gateway, external",
        ]
    );
}

#[test]
fn allow_without_reason() {
    let src = "[[allow]]\nrule = \"multi-writer\"\ntable = \"users\"\n";
    let errs = errors(src);
    assert_eq!(errs.len(), 1, "{errs:?}");
    assert!(
        errs[0].starts_with("nova.toml:")
            && errs[0].contains(": allow[0]: missing key `reason`: every allow entry must say why"),
        "{errs:?}"
    );
}

#[test]
fn allow_with_empty_reason_and_unknown_rule() {
    let src = "[[allow]]\nrule = \"nope\"\nreason = \"  \"\n";
    assert_eq!(
        errors(src),
        vec![
            format!(
                "nova.toml:2:8: allow[0].rule: unknown rule `nope`; expected one of {}",
                RULE_IDS.join(", ")
            ),
            "nova.toml:3:10: allow[0].reason: reason must not be empty".to_string(),
        ]
    );
}

#[test]
fn wrong_types() {
    let src = "[scan]\ninclude-tests = \"yes\"\ninclude = \"src\"\nexclude = [1]\n[env]\nX = 3\n";
    assert_eq!(
        errors(src),
        vec![
            "nova.toml:2:17: scan.include-tests: expected a boolean, found a string",
            "nova.toml:3:11: scan.include: expected an array of strings, found a string",
            "nova.toml:4:12: scan.exclude[0]: expected a string, found an integer",
            "nova.toml:6:5: env.X: expected a string, found an integer",
        ]
    );
}

#[test]
fn bad_glob() {
    let src = "[scan]\nexclude = [\"ok/**\", \"bad/[\"]\n";
    let errs = errors(src);
    assert_eq!(errs.len(), 1);
    assert!(
        errs[0].starts_with("nova.toml:2:21: scan.exclude[1]: invalid glob `bad/[`: "),
        "{errs:?}"
    );
}

#[test]
fn sync_call_missing_keys() {
    let src = "[[sync-calls]]\nfrom = \"a\"\n";
    let errs = errors(src);
    assert_eq!(errs.len(), 2, "{errs:?}");
    assert_eq!(
        errs,
        vec![
            "nova.toml:1:1: sync-calls[0]: missing key `to`",
            "nova.toml:1:1: sync-calls[0]: missing key `level`",
        ]
    );
}

#[test]
fn syntax_error_has_position() {
    let errs = errors("[scan\n");
    assert_eq!(errs.len(), 1);
    assert!(errs[0].starts_with("nova.toml:1:"), "{errs:?}");
}

#[test]
fn section_must_be_table() {
    assert_eq!(
        errors("rules = 3\n"),
        vec!["nova.toml:1:9: rules: expected a table, found an integer"]
    );
}

#[test]
fn load_missing_file_is_io() {
    let err = load(Path::new("/nonexistent/nova.toml")).unwrap_err();
    assert!(matches!(err, ConfigError::Io { .. }));
    assert!(
        err.to_string()
            .starts_with("/nonexistent/nova.toml: cannot read config")
    );
}
