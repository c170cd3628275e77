//! Unit tests of the public API: exact (table, ops) sets per construct.

use super::*;
use nova_model::OpSet;

/// `table:OPS` per table (ops as CRUD letters), sorted by table.
fn matrix(a: &Analysis) -> Vec<String> {
    let mut out: Vec<(String, OpSet)> = Vec::new();
    for acc in &a.accesses {
        match out.iter_mut().find(|(t, _)| *t == acc.table) {
            Some((_, s)) => s.insert(acc.op),
            None => out.push((acc.table.clone(), [acc.op].into_iter().collect())),
        }
    }
    out.into_iter().map(|(t, s)| format!("{t}:{s}")).collect()
}

fn with(d: Dialect) -> Options {
    Options {
        dialect: d,
        ..Options::default()
    }
}

/// Analyse with PostgreSQL and require the parser path (High confidence).
fn pg(sql: &str) -> Vec<String> {
    let a = analyze(sql, &Options::default());
    assert_eq!(a.error, None, "parser failed on {sql}");
    assert_eq!(a.confidence, Confidence::High, "{sql}");
    matrix(&a)
}

fn dial(sql: &str, d: Dialect) -> Vec<String> {
    let a = analyze(sql, &with(d));
    assert_eq!(a.error, None, "parser failed on {sql} ({d:?})");
    matrix(&a)
}

/// Analyse and require the lexical fallback.
fn lexical(sql: &str, d: Dialect) -> Analysis {
    let a = analyze(sql, &with(d));
    assert!(a.error.is_some(), "expected the fallback for {sql}");
    assert_eq!(a.confidence, Confidence::Low);
    a
}

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

// ---- writes -------------------------------------------------------------

#[test]
fn insert_is_create() {
    assert_eq!(
        pg("INSERT INTO videos (id, title) VALUES ($1, $2)"),
        s(&["videos:C"])
    );
}

#[test]
fn insert_on_conflict_do_update_is_create_update() {
    assert_eq!(
        pg(
            "INSERT INTO likes (u, v) VALUES ($1, $2) ON CONFLICT (u, v) DO UPDATE SET n = likes.n + 1"
        ),
        s(&["likes:CU"])
    );
}

#[test]
fn insert_on_conflict_do_nothing_is_create() {
    assert_eq!(
        pg("INSERT INTO likes (u, v) VALUES ($1, $2) ON CONFLICT DO NOTHING"),
        s(&["likes:C"])
    );
}

#[test]
fn mysql_on_duplicate_key_update_is_create_update() {
    assert_eq!(
        dial(
            "INSERT INTO likes (u, v) VALUES (?, ?) ON DUPLICATE KEY UPDATE n = n + 1",
            Dialect::Mysql
        ),
        s(&["likes:CU"])
    );
}

#[test]
fn mysql_replace_into_is_create_update() {
    assert_eq!(
        dial(
            "REPLACE INTO sessions (id, data) VALUES (?, ?)",
            Dialect::Mysql
        ),
        s(&["sessions:CU"])
    );
    // PostgreSQL has no REPLACE: the fallback gives the same answer.
    let a = lexical(
        "REPLACE INTO sessions (id, data) VALUES ($1, $2)",
        Dialect::Postgres,
    );
    assert_eq!(matrix(&a), s(&["sessions:CU"]));
}

#[test]
fn update_is_update() {
    assert_eq!(
        pg("UPDATE users SET name = $1 WHERE id = $2"),
        s(&["users:U"])
    );
}

#[test]
fn update_reading_itself_in_a_subquery() {
    assert_eq!(
        pg("UPDATE users SET rank = 1 WHERE id IN (SELECT id FROM users WHERE score > 10)"),
        s(&["users:RU"])
    );
}

#[test]
fn update_from_reads_the_from_tables() {
    assert_eq!(
        pg("UPDATE orders o SET total = s.total FROM order_sums s WHERE s.id = o.id"),
        s(&["order_sums:R", "orders:U"])
    );
}

#[test]
fn delete_is_delete() {
    assert_eq!(
        pg("DELETE FROM sessions WHERE expires < now()"),
        s(&["sessions:D"])
    );
}

#[test]
fn delete_using_reads() {
    assert_eq!(
        pg("DELETE FROM comments c USING posts p WHERE c.post_id = p.id AND p.deleted"),
        s(&["comments:D", "posts:R"])
    );
}

#[test]
fn returning_adds_no_read() {
    assert_eq!(
        pg("DELETE FROM jobs WHERE id = $1 RETURNING id, payload"),
        s(&["jobs:D"])
    );
    assert_eq!(
        pg("INSERT INTO jobs (p) VALUES ($1) RETURNING id"),
        s(&["jobs:C"])
    );
    assert_eq!(pg("UPDATE jobs SET p = $1 RETURNING *"), s(&["jobs:U"]));
}

#[test]
fn truncate_several_tables() {
    assert_eq!(
        pg("TRUNCATE a, public.b RESTART IDENTITY CASCADE"),
        s(&["a:D", "b:D"])
    );
    assert_eq!(pg("TRUNCATE TABLE a, b"), s(&["a:D", "b:D"]));
}

#[test]
fn merge_target_gets_clause_ops_source_is_read() {
    assert_eq!(
        pg("MERGE INTO stock t USING deliveries d ON t.item = d.item \
            WHEN MATCHED AND d.qty = 0 THEN DELETE \
            WHEN MATCHED THEN UPDATE SET qty = t.qty + d.qty \
            WHEN NOT MATCHED THEN INSERT (item, qty) VALUES (d.item, d.qty)"),
        s(&["deliveries:R", "stock:CUD"])
    );
    assert_eq!(
        pg(
            "MERGE INTO stock t USING (SELECT * FROM staged) d ON t.item = d.item \
            WHEN NOT MATCHED THEN INSERT (item) VALUES (d.item)"
        ),
        s(&["staged:R", "stock:C"])
    );
}

#[test]
fn copy_from_is_create_copy_to_is_read() {
    assert_eq!(pg("COPY events FROM STDIN"), s(&["events:C"]));
    assert_eq!(pg("COPY events TO STDOUT"), s(&["events:R"]));
}

// ---- reads --------------------------------------------------------------

#[test]
fn select_from_and_all_join_kinds() {
    assert_eq!(
        pg(
            "SELECT * FROM a JOIN b ON a.id = b.id LEFT JOIN c ON c.id = a.id \
            RIGHT OUTER JOIN d ON d.id = a.id FULL JOIN e ON e.id = a.id \
            CROSS JOIN f INNER JOIN g USING (id), h NATURAL JOIN i"
        ),
        s(&[
            "a:R", "b:R", "c:R", "d:R", "e:R", "f:R", "g:R", "h:R", "i:R"
        ])
    );
}

#[test]
fn subqueries_everywhere() {
    assert_eq!(
        pg(
            "SELECT (SELECT count(*) FROM c1) AS n, x.* FROM (SELECT * FROM f1) x \
            WHERE EXISTS (SELECT 1 FROM w1 WHERE w1.id = x.id) \
            AND x.id IN (SELECT id FROM w2) AND x.v > ANY (SELECT v FROM w3) \
            GROUP BY x.id HAVING count(*) > (SELECT min(n) FROM h1)"
        ),
        s(&["c1:R", "f1:R", "h1:R", "w1:R", "w2:R", "w3:R"])
    );
}

#[test]
fn ctes_are_not_tables_but_their_bodies_are_read() {
    assert_eq!(
        pg(
            "WITH recent AS (SELECT * FROM posts WHERE ts > now() - interval '1 day'), \
            top AS (SELECT * FROM recent ORDER BY score DESC LIMIT 10) \
            SELECT * FROM top JOIN users u ON u.id = top.author"
        ),
        s(&["posts:R", "users:R"])
    );
}

#[test]
fn recursive_cte() {
    assert_eq!(
        pg(
            "WITH RECURSIVE tree AS (SELECT id, parent FROM categories WHERE id = $1 \
            UNION ALL SELECT c.id, c.parent FROM categories c JOIN tree t ON c.parent = t.id) \
            SELECT * FROM tree"
        ),
        s(&["categories:R"])
    );
}

#[test]
fn non_recursive_cte_body_sees_the_real_table_of_the_same_name() {
    assert_eq!(
        pg("WITH users AS (SELECT * FROM users WHERE active) SELECT * FROM users"),
        s(&["users:R"])
    );
    assert_eq!(
        pg("WITH x AS (SELECT 1) SELECT * FROM x"),
        Vec::<String>::new()
    );
}

#[test]
fn data_modifying_ctes() {
    assert_eq!(
        pg(
            "WITH moved AS (DELETE FROM queue WHERE id = $1 RETURNING *) \
            INSERT INTO archive SELECT * FROM moved"
        ),
        s(&["archive:C", "queue:D"])
    );
    assert_eq!(
        pg(
            "WITH u AS (UPDATE accounts SET b = b - 1 WHERE id = $1 RETURNING id) \
            SELECT * FROM u JOIN ledger l ON l.id = u.id"
        ),
        s(&["accounts:U", "ledger:R"])
    );
    assert_eq!(
        pg("WITH i AS (INSERT INTO logs (m) VALUES ($1) RETURNING id) SELECT id FROM i"),
        s(&["logs:C"])
    );
}

#[test]
fn set_operations() {
    assert_eq!(
        pg(
            "SELECT id FROM a UNION SELECT id FROM b INTERSECT SELECT id FROM c EXCEPT SELECT id FROM d"
        ),
        s(&["a:R", "b:R", "c:R", "d:R"])
    );
}

#[test]
fn insert_select_reads_the_source() {
    assert_eq!(
        pg("INSERT INTO archive (id) SELECT id FROM orders o JOIN old_ids x ON x.id = o.id"),
        s(&["archive:C", "old_ids:R", "orders:R"])
    );
}

#[test]
fn select_for_update_is_read() {
    assert_eq!(
        pg("SELECT * FROM jobs WHERE id = $1 FOR UPDATE SKIP LOCKED"),
        s(&["jobs:R"])
    );
    assert_eq!(pg("SELECT * FROM jobs j FOR UPDATE OF j"), s(&["jobs:R"]));
}

#[test]
fn aliases_and_table_functions_are_not_tables() {
    assert_eq!(
        pg(
            "SELECT g, u.x FROM generate_series(1, 10) g, unnest($1::int[]) AS u(x) \
            JOIN items it ON it.id = u.x"
        ),
        s(&["items:R"])
    );
}

#[test]
fn schema_normalisation_and_case() {
    assert_eq!(
        pg(
            "SELECT * FROM public.Videos v JOIN analytics.Events e ON e.v = v.id \
            JOIN \"Mixed\" m ON true JOIN \"public\".\"Q\" q ON true"
        ),
        s(&["Mixed:R", "Q:R", "analytics.events:R", "videos:R"])
    );
    let o = Options {
        default_schemas: vec!["app".into()],
        ..Options::default()
    };
    assert_eq!(
        matrix(&analyze("SELECT * FROM app.t, public.u", &o)),
        s(&["public.u:R", "t:R"])
    );
}

#[test]
fn multiple_statements_are_all_analysed() {
    let a = analyze(
        "INSERT INTO a VALUES (1); UPDATE b SET x = 1; SELECT * FROM c;",
        &Options::default(),
    );
    assert_eq!(a.statements, 3);
    assert_eq!(matrix(&a), s(&["a:C", "b:U", "c:R"]));
}

#[test]
fn ddl_gives_no_crud_but_is_reported() {
    let a = analyze(
        "CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN x int;\nDROP TABLE old",
        &Options::default(),
    );
    assert!(a.accesses.is_empty());
    assert_eq!(a.confidence, Confidence::High);
    let ddl: Vec<(String, TableEventKind, u32)> = a
        .ddl
        .iter()
        .map(|c| (c.table.clone(), c.kind, c.line))
        .collect();
    assert_eq!(
        ddl,
        vec![
            ("t".into(), TableEventKind::Create, 1),
            ("t".into(), TableEventKind::Alter, 2),
            ("old".into(), TableEventKind::Drop, 3),
        ]
    );
    // CREATE TABLE AS reads its query.
    assert_eq!(
        pg("CREATE TABLE snap AS SELECT * FROM live"),
        s(&["live:R"])
    );
    // Session statements touch nothing.
    assert_eq!(
        pg("BEGIN; SET search_path TO app; COMMIT"),
        Vec::<String>::new()
    );
}

// ---- placeholders & dialects --------------------------------------------

#[test]
fn placeholders_parse() {
    for sql in [
        "SELECT * FROM t WHERE a = $1",
        "SELECT * FROM t WHERE a = ? AND b = ?",
        "SELECT * FROM t WHERE a = :name",
        "SELECT * FROM t WHERE a = @p1",
    ] {
        for d in [Dialect::Postgres, Dialect::Mysql, Dialect::Generic] {
            if d == Dialect::Mysql && sql.contains('$') {
                continue;
            }
            assert_eq!(dial(sql, d), s(&["t:R"]), "{sql} {d:?}");
        }
    }
}

#[test]
fn mysql_dialect() {
    let m = |q| dial(q, Dialect::Mysql);
    assert_eq!(
        m("SELECT * FROM `Users` u JOIN orders o ON o.u = u.id"),
        s(&["Users:R", "orders:R"])
    );
    assert_eq!(
        m("UPDATE a JOIN b ON a.id = b.id SET a.x = b.x, b.seen = 1 WHERE a.y = ?"),
        s(&["a:U", "b:RU"])
    );
    assert_eq!(
        m("DELETE u FROM users u JOIN bans b ON b.uid = u.id"),
        s(&["bans:R", "users:D"])
    );
    assert_eq!(m("SELECT 'it\\'s' FROM t # comment"), s(&["t:R"]));
    assert_eq!(m("INSERT IGNORE INTO t (a) VALUES (?)"), s(&["t:C"]));
}

#[test]
fn generic_dialect() {
    let g = |q| dial(q, Dialect::Generic);
    assert_eq!(g("SELECT * FROM a WHERE x = ?"), s(&["a:R"]));
    assert_eq!(
        g("INSERT INTO a SELECT * FROM b UNION SELECT * FROM c"),
        s(&["a:C", "b:R", "c:R"])
    );
    assert_eq!(g("REPLACE INTO a VALUES (1)"), s(&["a:CU"]));
}

// ---- holes --------------------------------------------------------------

#[test]
fn hole_in_table_position_is_unresolved() {
    let a = analyze(
        "SELECT * FROM __nova_hole_0__ JOIN users u ON u.id = x.u WHERE id = __nova_hole_1__",
        &Options::default(),
    );
    assert_eq!(matrix(&a), s(&["users:R"]));
    assert_eq!(a.unresolved, s(&["__nova_hole_0__"]));
    assert_eq!(a.confidence, Confidence::Low);
    assert_eq!(a.error, None);
}

#[test]
fn hole_glued_to_text_is_unresolved() {
    let a = analyze(
        "INSERT INTO __nova_hole_0___events (a) SELECT a FROM user___nova_hole_1__",
        &Options::default(),
    );
    assert!(a.accesses.is_empty());
    assert_eq!(
        a.unresolved,
        s(&["__nova_hole_0___events", "user___nova_hole_1__"])
    );
    let a = analyze("SELECT * FROM __nova_hole_0__.users", &Options::default());
    assert_eq!(a.unresolved, s(&["__nova_hole_0__.users"]));
}

#[test]
fn hole_as_column_or_value_is_harmless() {
    let a = analyze(
        "SELECT __nova_hole_0__ FROM videos WHERE __nova_hole_1__ = $1 LIMIT __nova_hole_2__",
        &Options::default(),
    );
    assert_eq!(matrix(&a), s(&["videos:R"]));
    assert!(a.unresolved.is_empty());
    assert_eq!(a.confidence, Confidence::High);
}

#[test]
fn holes_in_odd_places_use_the_fallback() {
    let a = lexical(
        "SELECT * FROM videos v JOIN __nova_hole_3__ x ON true ORDER BY __nova_hole_0__ __nova_hole_1__",
        Dialect::Postgres,
    );
    assert_eq!(matrix(&a), s(&["videos:R"]));
    assert_eq!(a.unresolved, s(&["__nova_hole_3__"]));
}

// ---- fallback -----------------------------------------------------------

#[test]
fn fallback_basic_statements() {
    let p = Dialect::Postgres;
    // Truncated text (the parser fails; the tables are still found).
    let a = lexical(
        "SELECT a.x FROM a JOIN public.b ON a.id = b.id WHERE a.x IN (SELECT x FROM c",
        p,
    );
    assert_eq!(matrix(&a), s(&["a:R", "b:R", "c:R"]));
    let a = lexical(
        "INSERT INTO t (a, b) VALUES ($1, $2) ON CONFLICT (a) DO UPDATE SET b = EXCLUDED.b WHERE",
        p,
    );
    assert_eq!(matrix(&a), s(&["t:CU"]));
    let a = lexical(
        "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING RETURNING",
        p,
    );
    assert_eq!(matrix(&a), s(&["t:C"]));
    let a = lexical("UPDATE ONLY u SET x = 1 FROM v WHERE v.id = u.id AND", p);
    assert_eq!(matrix(&a), s(&["u:U", "v:R"]));
    let a = lexical("DELETE FROM d USING e WHERE d.id = e.id AND", p);
    assert_eq!(matrix(&a), s(&["d:D", "e:R"]));
    let a = lexical("TRUNCATE TABLE ONLY a, b, WHAT ((", p);
    assert_eq!(matrix(&a), s(&["a:D", "b:D", "what:D"]));
}

#[test]
fn fallback_merge_ctes_and_subqueries() {
    let p = Dialect::Postgres;
    let a = lexical(
        "MERGE INTO stock t USING deliveries d ON t.item = d.item \
         WHEN MATCHED THEN UPDATE SET qty = 1 WHEN NOT MATCHED THEN INSERT VALUES (1) garbage (",
        p,
    );
    assert_eq!(matrix(&a), s(&["deliveries:R", "stock:CU"]));
    let a = lexical(
        "WITH x AS (SELECT * FROM src), y (c) AS MATERIALIZED (SELECT c FROM x) \
         SELECT * FROM (SELECT * FROM y) q, other o LEFT JOIN z ON ((",
        p,
    );
    assert_eq!(matrix(&a), s(&["other:R", "src:R", "z:R"]));
}

#[test]
fn fallback_ignores_non_table_from_and_update() {
    let p = Dialect::Postgres;
    let a = lexical(
        "SELECT EXTRACT(year FROM ts), substring(s FROM 2), a IS DISTINCT FROM b \
         FROM t, generate_series(1, 3) g FOR NO KEY UPDATE ((",
        p,
    );
    assert_eq!(matrix(&a), s(&["t:R"]));
    let a = lexical("SELECT * FROM t FOR UPDATE garbage ((", p);
    assert_eq!(matrix(&a), s(&["t:R"]));
}

#[test]
fn fallback_mysql_multi_delete_and_duplicate_key() {
    let g = Dialect::Generic;
    let a = lexical("DELETE u FROM users u JOIN bans b ON b.uid = u.id", g);
    assert_eq!(matrix(&a), s(&["bans:R", "users:D"]));
    // Another statement's read of the deleted table stays.
    let a = lexical(
        "SELECT * FROM users; DELETE u FROM users u JOIN bans b ON b.uid = u.id",
        g,
    );
    assert_eq!(matrix(&a), s(&["bans:R", "users:RD"]));
    let a = lexical(
        "INSERT INTO t SET a = 1 ON DUPLICATE KEY UPDATE a = 2 ((",
        Dialect::Mysql,
    );
    assert_eq!(matrix(&a), s(&["t:CU"]));
}

#[test]
fn fallback_skips_strings_and_comments() {
    let a = lexical(
        "SELECT 'FROM fake' /* JOIN fake2 */ -- JOIN fake3\n, $$ FROM fake4 $$ FROM real_t WHERE ((",
        Dialect::Postgres,
    );
    assert_eq!(matrix(&a), s(&["real_t:R"]));
}

#[test]
fn one_bad_statement_does_not_hide_the_others() {
    let a = analyze(
        "INSERT INTO a VALUES (1); SELECT FROM WHERE b ((; DELETE FROM c",
        &Options::default(),
    );
    assert_eq!(a.statements, 3);
    assert_eq!(matrix(&a), s(&["a:C", "c:D"]));
    assert_eq!(a.confidence, Confidence::Low);
    assert!(
        a.error
            .as_deref()
            .is_some_and(|e| e.starts_with("statement at line 1: ")),
        "{:?}",
        a.error
    );
}

#[test]
fn with_update_and_with_insert() {
    assert_eq!(
        pg("WITH s AS (SELECT id, sum(v) AS v FROM items GROUP BY id) \
            UPDATE totals t SET v = s.v FROM s WHERE s.id = t.id"),
        s(&["items:R", "totals:U"])
    );
    assert_eq!(
        pg("WITH s AS (SELECT * FROM staging) INSERT INTO target SELECT * FROM s"),
        s(&["staging:R", "target:C"])
    );
}

#[test]
fn prepared_statements_are_analysed() {
    assert_eq!(
        pg("PREPARE q (int) AS SELECT * FROM t WHERE id = $1"),
        s(&["t:R"])
    );
}

// ---- stores -------------------------------------------------------------

#[test]
fn cypher_is_kept_apart() {
    let a = analyze(
        "MATCH (u:User {id: $id})-[:FOLLOWS]->(f:User:Active) RETURN f",
        &Options::default(),
    );
    assert_eq!(a.store, Some(StoreKind::Cypher));
    assert!(a.accesses.is_empty());
    assert_eq!(a.objects, s(&["Active", "User"]));
    let a = analyze("MERGE (p:Post {id: $1}) SET p.t = $2", &Options::default());
    assert_eq!(
        (a.store, a.objects),
        (Some(StoreKind::Cypher), s(&["Post"]))
    );
    let a = analyze("CREATE (n:Tag {name: 'x'})", &Options::default());
    assert_eq!((a.store, a.objects), (Some(StoreKind::Cypher), s(&["Tag"])));
    // MySQL full-text MATCH is SQL.
    let a = analyze(
        "SELECT * FROM posts WHERE MATCH (title) AGAINST (?)",
        &with(Dialect::Mysql),
    );
    assert_eq!(a.store, None);
    assert_eq!(matrix(&a), s(&["posts:R"]));
}

#[test]
fn clickhouse_is_kept_apart() {
    for sql in [
        "CREATE TABLE ev (a UInt8) ENGINE = ReplacingMergeTree ORDER BY a",
        "SELECT * FROM ev FINAL WHERE a = 1",
        "SELECT a FROM ev ARRAY JOIN tags AS t",
        "INSERT INTO ev FORMAT JSONEachRow",
        "SELECT a FROM ev PREWHERE a = 1",
    ] {
        let a = analyze(sql, &Options::default());
        assert_eq!(a.store, Some(StoreKind::ClickHouse), "{sql}");
        assert!(a.accesses.is_empty(), "{sql}");
        assert_eq!(a.objects, s(&["ev"]), "{sql}");
    }
    // Not ClickHouse: a column named final, format() the function, MySQL engines.
    for sql in [
        "SELECT final FROM scores",
        "SELECT format('%s', a) FROM t",
        "CREATE TABLE t (a int) ENGINE=InnoDB",
        "COPY t TO STDOUT WITH (FORMAT csv, HEADER)",
        "SELECT * FROM posts WHERE MATCH (title) AGAINST (?)",
    ] {
        assert_eq!(analyze(sql, &with(Dialect::Mysql)).store, None, "{sql}");
    }
}

mod catalog;
