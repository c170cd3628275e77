//! The migration catalog, robustness on garbage and realistic queries,
//! stored functions, long `VALUES` lists.

use super::*;

// ---- catalog ------------------------------------------------------------

fn changes(c: &Catalog) -> Vec<(String, TableEventKind, Option<String>, u32)> {
    c.changes
        .iter()
        .map(|c| (c.table.clone(), c.kind, c.other.clone(), c.line))
        .collect()
}

#[test]
fn catalog_creates_partitions_renames_drops_alters() {
    use TableEventKind::*;
    let sql = "CREATE TABLE users (id bigint primary key);\n\
               CREATE TABLE IF NOT EXISTS public.posts (id bigint);\n\
               CREATE TABLE ev_2024 PARTITION OF ev FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');\n\
               ALTER TABLE posts RENAME TO articles;\n\
               ALTER TABLE users ADD COLUMN email text;\n\
               DROP TABLE IF EXISTS a, analytics.b CASCADE;\n\
               INSERT INTO users VALUES (1);";
    let c = catalog(sql, &Options::default());
    assert_eq!(c.error, None);
    assert_eq!(
        changes(&c),
        vec![
            ("users".into(), Create, None, 1),
            ("posts".into(), Create, None, 2),
            ("ev_2024".into(), CreatePartition, Some("ev".into()), 3),
            ("posts".into(), RenameTo, Some("articles".into()), 4),
            ("articles".into(), RenameFrom, Some("posts".into()), 4),
            ("users".into(), Alter, None, 5),
            ("a".into(), Drop, None, 6),
            ("analytics.b".into(), Drop, None, 6),
        ]
    );
}

#[test]
fn catalog_survives_unparseable_statements_with_correct_lines() {
    use TableEventKind::*;
    let sql = r#"-- migration 0001
CREATE EXTENSION IF NOT EXISTS "uuid-ossp";

CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $$
BEGIN
  NEW.updated_at = now(); -- ; inside the body
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;

DO $$ BEGIN
  CREATE TYPE mood AS ENUM ('a', 'b');
EXCEPTION WHEN duplicate_object THEN null;
END $$;

CREATE TABLE "Accounts" (
  id uuid PRIMARY KEY DEFAULT uuid_generate_v4(),
  updated_at timestamptz
) WITH (fillfactor = 70) TABLESPACE fast WEIRD_VENDOR_OPTION;

CREATE TRIGGER t BEFORE UPDATE ON "Accounts" FOR EACH ROW EXECUTE FUNCTION touch();
COMMENT ON TABLE "Accounts" IS 'x;y';
CREATE TABLE audit_2025 PARTITION OF audit FOR VALUES IN ('x') WEIRD;
ALTER TABLE analytics.old RENAME TO new WEIRD;
CREATE UNLOGGED TABLE IF NOT EXISTS cache (k text);
"#;
    let c = catalog(sql, &Options::default());
    assert_eq!(
        changes(&c),
        vec![
            ("Accounts".into(), Create, None, 16),
            (
                "audit_2025".into(),
                CreatePartition,
                Some("audit".into()),
                23
            ),
            (
                "analytics.old".into(),
                RenameTo,
                Some("analytics.new".into()),
                24
            ),
            (
                "analytics.new".into(),
                RenameFrom,
                Some("analytics.old".into()),
                24
            ),
            ("analytics.old".into(), Alter, None, 24),
            ("cache".into(), Create, None, 25),
        ]
    );
    assert!(
        c.error
            .as_deref()
            .is_some_and(|e| e.starts_with("line 16: ")),
        "{:?}",
        c.error
    );
    // A function body sqlparser cannot read is no catalog error.
    let c = catalog(
        "CREATE FUNCTION f() RETURNS int AS $$ SELECT 1 $$ LANGUAGE sql WEIRD;\nCREATE TABLE t (a int);",
        &Options::default(),
    );
    assert_eq!(c.error, None);
    assert_eq!(changes(&c), vec![("t".into(), Create, None, 2)]);
}

#[test]
fn catalog_mysql_rename_table() {
    use TableEventKind::*;
    let c = catalog("RENAME TABLE a TO b, c TO d", &with(Dialect::Mysql));
    assert_eq!(
        changes(&c),
        vec![
            ("a".into(), RenameTo, Some("b".into()), 1),
            ("b".into(), RenameFrom, Some("a".into()), 1),
            ("c".into(), RenameTo, Some("d".into()), 1),
            ("d".into(), RenameFrom, Some("c".into()), 1),
        ]
    );
}

#[test]
fn split_statements_public() {
    assert_eq!(
        split_statements("SELECT 1;\n-- c\nSELECT ';'\n;  ;"),
        vec![(1, "SELECT 1"), (3, "SELECT ';'")]
    );
}

// ---- robustness ---------------------------------------------------------

#[test]
fn never_panics_on_garbage() {
    let inputs = [
        "",
        " ",
        ";",
        ";;;",
        "'",
        "\"",
        "`",
        "$$",
        "$a$",
        "$1",
        "?",
        ":",
        "::",
        "@",
        "--",
        "/*",
        "(((",
        ")))",
        "(()",
        "SELECT (",
        "SELECT )",
        "FROM",
        "JOIN",
        "INSERT",
        "INSERT INTO",
        "UPDATE",
        "DELETE",
        "DELETE FROM",
        "TRUNCATE",
        "MERGE",
        "COPY",
        "WITH",
        "WITH x AS",
        "WITH x (",
        "CREATE TABLE",
        "ALTER TABLE",
        "DROP TABLE",
        "RENAME TABLE a TO",
        "CREATE TABLE x PARTITION OF",
        "ALTER TABLE a RENAME TO",
        "MATCH (n:",
        "(n:`",
        "ENGINE =",
        "SELECT * FROM t FINAL",
        "é",
        "ß'ü",
        "SELECT * FROM «t»",
        "日本語 FROM 表",
        "E'\\",
        "x'",
        "\u{0}",
        "SELECT \u{feff}1",
        "FROM a.",
        "FROM .a",
        "FROM \"a\".",
        "SELECT * FROM __nova_hole_",
        "DELETE a, FROM",
        "UPDATE a JOIN b SET a.",
    ];
    for sql in inputs {
        for d in [Dialect::Postgres, Dialect::Mysql, Dialect::Generic] {
            let _ = analyze(sql, &with(d));
            let _ = catalog(sql, &with(d));
        }
        let _ = split_statements(sql);
    }
    // Deep nesting must not overflow the stack.
    let deep = format!("SELECT {}1{}", "(".repeat(5000), ")".repeat(5000));
    let a = analyze(&deep, &Options::default());
    assert!(a.accesses.is_empty());
    let deep = format!("SELECT * FROM t WHERE {}", "NOT ".repeat(5000));
    let _ = analyze(&deep, &Options::default());
}

/// Throughput on 10k mixed statements (run with
/// `cargo test --release -p nova-sql perf_10k -- --ignored --nocapture`).
#[test]
#[ignore]
fn perf_10k() {
    let shapes = [
        "SELECT v.id, v.title, u.name FROM videos v JOIN users u ON u.id = v.author WHERE v.id = $1",
        "INSERT INTO likes (user_id, video_id) VALUES ($1, $2) ON CONFLICT (user_id, video_id) DO NOTHING",
        "UPDATE videos SET views = views + 1 WHERE id = $1 RETURNING views",
        "WITH t AS (SELECT * FROM feed WHERE uid = $1) SELECT * FROM t JOIN posts p ON p.id = t.pid ORDER BY p.ts DESC LIMIT 50",
        "DELETE FROM sessions WHERE expires_at < now()",
        "SELECT * FROM __nova_hole_0__ WHERE id = $1 ORDER BY __nova_hole_1__ __nova_hole_2__",
        "MERGE INTO stock t USING deliveries d ON t.item = d.item WHEN MATCHED THEN UPDATE SET qty = 1",
    ];
    let opts = Options::default();
    let start = std::time::Instant::now();
    let mut n = 0usize;
    for i in 0..10_000 {
        n += analyze(shapes[i % shapes.len()], &opts).accesses.len();
    }
    let el = start.elapsed();
    let mig = "CREATE TABLE a (id int);\nALTER TABLE a ADD COLUMN b int;\nDO $$ BEGIN END $$;\n"
        .repeat(100);
    let start2 = std::time::Instant::now();
    for _ in 0..100 {
        n += catalog(&mig, &opts).changes.len();
    }
    println!(
        "analyze: 10k statements in {el:?} ({:.1} us each); catalog: 100 files x 300 statements in {:?}; {n}",
        el.as_secs_f64() * 1e2,
        start2.elapsed()
    );
}

#[test]
fn realistic_postgres_queries_parse() {
    let cases: &[(&str, &[&str])] = &[
        (
            r#"SELECT id AS "id!", name AS "name?: String", tags FROM users WHERE email ILIKE $1 AND data @> $2::jsonb AND id = ANY($3) ORDER BY created_at DESC LIMIT $4 OFFSET $5"#,
            &["users:R"],
        ),
        (
            "SELECT DISTINCT ON (p.author) p.*, count(*) FILTER (WHERE c.spam) AS spam, \
             array_agg(c.id ORDER BY c.ts) FROM posts p LEFT JOIN LATERAL \
             (SELECT * FROM comments c WHERE c.post = p.id LIMIT 3) c ON true \
             WHERE p.ts > now() - interval '7 days' GROUP BY p.id",
            &["comments:R", "posts:R"],
        ),
        (
            "INSERT INTO outbox (id, topic, payload) VALUES ($1, $2, $3) \
             ON CONFLICT ON CONSTRAINT outbox_pkey DO UPDATE SET payload = EXCLUDED.payload",
            &["outbox:CU"],
        ),
        (
            "UPDATE outbox SET sent_at = now() WHERE id IN (SELECT id FROM outbox \
             WHERE sent_at IS NULL ORDER BY id LIMIT 100 FOR UPDATE SKIP LOCKED) RETURNING id, payload",
            &["outbox:RU"],
        ),
        (
            "SELECT x.n FROM unnest($1::text[]) WITH ORDINALITY AS x(n, i) JOIN tags t ON t.name = x.n",
            &["tags:R"],
        ),
        (
            "INSERT INTO processed_events (event_id, consumer) VALUES ($1, $2) ON CONFLICT DO NOTHING",
            &["processed_events:C"],
        ),
    ];
    for (sql, want) in cases {
        assert_eq!(pg(sql), s(want), "{sql}");
    }
}

// ---- stored functions ---------------------------------------------------

/// `name kind line: table:OPS… -> calls` per function change.
fn functions(c: &Catalog) -> Vec<String> {
    c.functions
        .iter()
        .map(|f| {
            let a = Analysis {
                accesses: f.accesses.clone(),
                ..Analysis::default()
            };
            format!(
                "{} {:?} {}: {} -> {}",
                f.name,
                f.kind,
                f.line,
                matrix(&a).join(" "),
                f.calls.join(" ")
            )
        })
        .collect()
}

#[test]
fn catalog_records_functions_procedures_and_drops() {
    let sql = r#"CREATE TABLE mq_msgs (id uuid primary key, payload text);
CREATE OR REPLACE FUNCTION public.mq_insert(new_id uuid, p text DEFAULT 'x') RETURNS VOID AS $$
DECLARE
    n int;
BEGIN
    INSERT INTO mq_msgs (id, payload) VALUES (new_id, p)
        ON CONFLICT (id) DO UPDATE SET payload = EXCLUDED.payload;
    IF NOT EXISTS (SELECT 1 FROM mq_payloads WHERE id = new_id) THEN
        UPDATE mq_stats SET inserted = inserted + 1;
    END IF;
    PERFORM pg_notify('mq', new_id::text);
    PERFORM mq_touch(new_id);
END;
$$ LANGUAGE plpgsql;
CREATE FUNCTION "Count_Msgs"() RETURNS bigint
    LANGUAGE sql STABLE
    AS 'SELECT count(*) FROM mq_msgs WHERE payload <> ''done''';
CREATE FUNCTION mq_poll(n int) RETURNS SETOF mq_msgs AS $body$
    DELETE FROM mq_msgs WHERE id IN (SELECT id FROM mq_msgs LIMIT n) RETURNING *;
$body$ LANGUAGE sql;
CREATE PROCEDURE archive_orders(cutoff date)
LANGUAGE plpgsql
AS $$
BEGIN
    INSERT INTO orders_archive SELECT * FROM orders WHERE placed < cutoff;
    DELETE FROM orders WHERE placed < cutoff;
    CALL archive_orders(cutoff);
END;
$$;
CREATE FUNCTION py_fn() RETURNS int AS $$ return 1 $$ LANGUAGE plpython3u;
DROP FUNCTION IF EXISTS mq_poll(int), public.py_fn CASCADE;
DROP PROCEDURE archive_orders;
CREATE TABLE after_functions (id int);
"#;
    let c = catalog(sql, &Options::default());
    assert_eq!(c.error, None);
    assert_eq!(
        functions(&c),
        vec![
            "mq_insert Create 2: mq_msgs:CU mq_payloads:R mq_stats:U -> mq_touch pg_notify",
            "Count_Msgs Create 15: mq_msgs:R -> count",
            "mq_poll Create 18: mq_msgs:RD -> ",
            "archive_orders Create 21: orders:RD orders_archive:C -> ",
            "py_fn Create 30:  -> ",
            "mq_poll Drop 31:  -> ",
            "py_fn Drop 31:  -> ",
            "archive_orders Drop 32:  -> ",
        ]
    );
    // Table changes are unaffected, before and after the functions.
    assert_eq!(
        changes(&c),
        vec![
            ("mq_msgs".into(), TableEventKind::Create, None, 1),
            ("after_functions".into(), TableEventKind::Create, None, 33),
        ]
    );
}

#[test]
fn analyze_reports_called_functions() {
    let calls = |sql: &str| analyze(sql, &Options::default()).calls;
    assert_eq!(calls("SELECT mq_insert($1, $2)"), s(&["mq_insert"]));
    assert_eq!(
        calls("SELECT * FROM public.mq_poll($1, 1) p JOIN users u ON u.id = p.uid"),
        s(&["mq_poll"])
    );
    assert_eq!(calls("CALL archive_orders($1)"), s(&["archive_orders"]));
    assert_eq!(
        calls("SELECT count(*), lower(name) FROM users WHERE id = ANY(app.ids($1))"),
        s(&["app.ids", "count", "lower"])
    );
    assert_eq!(
        calls("INSERT INTO users (id, name) VALUES ($1, gen_name($2))"),
        s(&["gen_name"])
    );
    assert!(calls("SELECT id FROM users").is_empty());
    // The lexical fallback finds calls too (not the INSERT target's columns).
    let a = analyze(
        "INSERT INTO users (id) VALUES (mq_insert($1)) ON CONFLICT DO NOTHING ^^",
        &Options::default(),
    );
    assert!(a.error.is_some());
    assert_eq!(a.calls, s(&["mq_insert"]));
    assert_eq!(matrix(&a), s(&["users:C"]));
    let a = analyze("SELECT * FROM Other.Poll($1) ^^", &Options::default());
    assert!(a.error.is_some());
    assert_eq!(a.calls, s(&["other.poll"]));
    assert!(a.accesses.is_empty());
}

#[test]
fn a_long_values_list_is_read_by_its_first_row() {
    let rows: Vec<String> = (0..2_000)
        .map(|i| format!("({i}, 'v), (x{i}', (SELECT 1))"))
        .collect();
    let sql = format!(
        "INSERT INTO big (id, v, w) VALUES {} ON CONFLICT (id) DO UPDATE SET v = (SELECT v FROM other)",
        rows.join(", ")
    );
    assert!(sql.len() > super::LONG_STATEMENT);
    let a = analyze(&sql, &Options::default());
    assert_eq!(a.error, None);
    assert_eq!(
        a.accesses,
        vec![
            TableAccess {
                table: "big".into(),
                op: Op::Create
            },
            TableAccess {
                table: "big".into(),
                op: Op::Update
            },
            TableAccess {
                table: "other".into(),
                op: Op::Read
            },
        ]
    );
    // The same statement, short: the same accesses.
    let short = format!(
        "INSERT INTO big (id, v, w) VALUES {} ON CONFLICT (id) DO UPDATE SET v = (SELECT v FROM other)",
        rows[0]
    );
    assert_eq!(analyze(&short, &Options::default()).accesses, a.accesses);
}
