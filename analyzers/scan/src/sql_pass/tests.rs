//! The SQL pass on small crates: attribution, offline queries, stored
//! functions, test code.

use super::*;
use nova_model::Dialect;

fn file(path: &str, module: &[&str], in_test: bool, src: &str) -> ParsedFile {
    ParsedFile {
        path: path.to_string(),
        module: module.iter().map(|s| s.to_string()).collect(),
        in_test,
        facts: match nova_rust::parse_file(src, in_test) {
            Ok(f) => f,
            Err(e) => panic!("{path}: {e}"),
        },
    }
}

fn krate(package: &str, service: Option<&str>, deps: &[&str], files: Vec<ParsedFile>) -> Crate {
    Crate {
        package: package.to_string(),
        dir: package.to_string(),
        service: service.map(str::to_string),
        local_deps: deps.iter().map(|s| s.to_string()).collect(),
        external_deps: Vec::new(),
        dialect: Dialect::Postgres,
        files,
    }
}

fn triples(out: &SqlPassOutput) -> Vec<(String, String, String)> {
    let mut by: BTreeMap<(String, String), BTreeSet<char>> = BTreeMap::new();
    for a in &out.accesses {
        by.entry((a.service.clone(), a.table.clone()))
            .or_default()
            .insert(a.op.letter());
    }
    by.into_iter()
        .map(|((s, t), ops)| {
            let ops: String = "CRUD".chars().filter(|c| ops.contains(c)).collect();
            (s, t, ops)
        })
        .collect()
}

fn t(s: &str, table: &str, ops: &str) -> (String, String, String) {
    (s.to_string(), table.to_string(), ops.to_string())
}

fn repo() -> Vec<Crate> {
    let shared = krate(
        "shared-db",
        None,
        &[],
        vec![
            file(
                "shared-db/src/lib.rs",
                &[],
                false,
                r#"
pub mod queries;
pub async fn find_user(pool: &PgPool, id: i64) {
    sqlx::query(queries::GET_USER).bind(id).fetch_one(pool).await;
}
pub async fn purge_audit(pool: &PgPool) {
    sqlx::query("DELETE FROM audit_log").execute(pool).await;
}
"#,
            ),
            file(
                "shared-db/src/queries.rs",
                &["queries"],
                false,
                r#"pub const GET_USER: &str = "SELECT * FROM public.users WHERE id = $1";"#,
            ),
        ],
    );
    let identity = krate(
        "identity",
        Some("identity"),
        &["shared-db"],
        vec![
            file(
                "identity/src/main.rs",
                &[],
                false,
                r#"
mod sql { pub const INSERT_USER: &str = "INSERT INTO users (id, name) VALUES ($1, $2)"; }
async fn create(pool: &PgPool, table: &str) {
    sqlx::query(sql::INSERT_USER).execute(pool).await;
    sqlx::query_file!("queries/sessions.sql").execute(pool).await;
    let q = format!("DELETE FROM {} WHERE id = $1", table);
    sqlx::query(&q).execute(pool).await;
    sqlx::query(&self.dynamic).execute(pool).await;
    sqlx::query("SELECT * FROM _sqlx_migrations").fetch_all(pool).await;
    let u = shared_db::find_user(pool, 1).await;
}
#[cfg(test)]
mod tests {
    async fn t(pool: &PgPool) { sqlx::query("DELETE FROM users").execute(pool).await; }
}
"#,
            ),
            file(
                "identity/src/schema.rs",
                &["schema"],
                false,
                "diesel::table! { legacy (id) { id -> Int8, } }",
            ),
        ],
    );
    let feed = krate(
        "feed",
        Some("feed"),
        &["shared-db"],
        vec![file(
            "feed/src/main.rs",
            &[],
            false,
            r#"
async fn timeline(client: &Client, ch: &clickhouse::Client, h: &Handle) {
    h.query(HANDLE_KIND);
    client.query("not sql at all", &[]).await;
    client.query("SELECT p.* FROM posts p JOIN users u ON u.id = p.author_id", &[]).await;
    client.execute("UPDATE posts SET seen = true", &[]).await;
    ch.query("SELECT count() FROM views").fetch_one::<u64>().await;
}
"#,
        )],
    );
    vec![shared, identity, feed]
}

fn read(path: &str) -> Option<String> {
    (path == "identity/queries/sessions.sql")
        .then(|| "INSERT INTO sessions (user_id) VALUES ($1)".to_string())
}

#[test]
fn services_libraries_and_exact_accesses() {
    let crates = repo();
    let config = Config::default();
    let out = sql_pass(&crates, &config, &read);
    assert_eq!(
        triples(&out),
        vec![
            t("feed", "posts", "RU"),
            t("feed", "users", "R"),
            t("identity", "sessions", "C"),
            t("identity", "users", "CR"),
        ]
    );
    // The library read is attributed through the call.
    let lib: Vec<&Access> = out
        .accesses
        .iter()
        .filter(|a| a.via_library.is_some())
        .collect();
    assert_eq!(lib.len(), 1);
    assert_eq!(lib[0].service, "identity");
    assert_eq!(lib[0].table, "users");
    // The location is where the SQL text is: the const's definition.
    assert_eq!(
        lib[0].location,
        Location::new("shared-db/src/queries.rs", 1, 0)
    );
    assert_eq!(
        lib[0].call_site,
        Some(Location::new("identity/src/main.rs", 10, 0))
    );
    assert_eq!(lib[0].function.as_deref(), Some("find_user"));
    // Store queries are kept apart.
    assert_eq!(out.store_queries.len(), 1);
    assert_eq!(out.store_queries[0].service, "feed");
    assert_eq!(out.store_queries[0].store, StoreKind::ClickHouse);

    let codes: Vec<(DiagCode, String)> = out
        .diagnostics
        .iter()
        .map(|d| {
            (
                d.code,
                d.location
                    .as_ref()
                    .map(|l| l.to_string())
                    .unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        vec![
            (
                // The `let q = format!(..)` line, where the text is.
                DiagCode::UnresolvedTable,
                "identity/src/main.rs:6:13".to_string()
            ),
            (
                DiagCode::UnresolvedSql,
                "identity/src/main.rs:8:5".to_string()
            ),
            (
                DiagCode::UnresolvedTarget,
                "shared-db/src/lib.rs:7:5".to_string()
            ),
        ]
    );
    let unresolved_table = &out.diagnostics[0];
    assert_eq!(
        unresolved_table.snippet.as_deref(),
        Some("DELETE FROM {} WHERE id = $1")
    );
    assert!(out.statements >= 7);
}

#[test]
fn tests_included_on_request_and_ignored_tables() {
    let crates = repo();
    let mut config = Config::default();
    config.scan.include_tests = true;
    config.scan.ignore_tables.push("posts".to_string());
    let out = sql_pass(&crates, &config, &read);
    assert_eq!(
        triples(&out),
        vec![
            t("feed", "users", "R"),
            t("identity", "sessions", "C"),
            t("identity", "users", "CRD"),
        ]
    );
    let test_access: Vec<&Access> = out.accesses.iter().filter(|a| a.in_test).collect();
    assert_eq!(test_access.len(), 1);
    assert_eq!(test_access[0].op, Op::Delete);
}

#[test]
fn offline_queries_only_when_not_in_source() {
    let crates = repo();
    let config = Config::default();
    let files = vec![
        (
            "identity/.sqlx/query-1.json".to_string(),
            r#"{"query": "INSERT INTO users (id, name)\n VALUES ($1, $2)", "describe": {}}"#
                .to_string(),
        ),
        (
            "identity/.sqlx/query-2.json".to_string(),
            r#"{"query": "UPDATE profiles SET bio = $1", "describe": {}}"#.to_string(),
        ),
        ("identity/.sqlx/query-3.json".to_string(), "{".to_string()),
    ];
    let out = sql_pass_with_offline(&crates, &config, &read, &files, &StoredFunctions::new());
    let offline: Vec<(String, String, Op, String)> = out
        .accesses
        .iter()
        .filter(|a| a.location.file.contains(".sqlx"))
        .map(|a| {
            (
                a.service.clone(),
                a.table.clone(),
                a.op,
                a.location.to_string(),
            )
        })
        .collect();
    assert_eq!(
        offline,
        vec![(
            "identity".to_string(),
            "profiles".to_string(),
            Op::Update,
            "identity/.sqlx/query-2.json:1".to_string()
        )]
    );
    assert!(
        out.diagnostics
            .iter()
            .any(|d| d.code == DiagCode::ManifestSyntax
                && d.location == Some(Location::new("identity/.sqlx/query-3.json", 1, 0)))
    );
}

#[test]
fn stored_function_calls_add_the_body_accesses_with_low_confidence() {
    let cat = nova_sql::catalog(
        "CREATE FUNCTION touch(x int) RETURNS void AS $$ BEGIN UPDATE users SET seen = now(); \
             PERFORM log_it(x); END $$ LANGUAGE plpgsql;\n\
             CREATE FUNCTION log_it(x int) RETURNS void AS $$ INSERT INTO audit_log VALUES (x) $$ LANGUAGE sql;",
        &nova_sql::Options::default(),
    );
    let functions: StoredFunctions = cat
        .functions
        .into_iter()
        .map(|f| (f.name.clone(), f))
        .collect();
    let crates = vec![krate(
        "svc",
        Some("svc"),
        &[],
        vec![file(
            "svc/src/main.rs",
            &[],
            false,
            r#"
async fn f(pool: &PgPool) {
    sqlx::query("UPDATE users SET name = $1 WHERE touch($2) IS NULL").execute(pool).await;
    sqlx::query("SELECT upper($1), missing_fn($1)").execute(pool).await;
}
"#,
        )],
    )];
    let out = sql_pass_with_offline(&crates, &Config::default(), &read, &[], &functions);
    assert_eq!(
        triples(&out),
        vec![t("svc", "audit_log", "C"), t("svc", "users", "U")]
    );
    let conf = |table: &str| {
        out.accesses
            .iter()
            .find(|a| a.table == table)
            .map(|a| (a.confidence, a.location.line))
    };
    // The direct update keeps its confidence; the body's insert is low.
    assert_eq!(conf("users"), Some((Confidence::High, 3)));
    assert_eq!(conf("audit_log"), Some((Confidence::Low, 3)));
    // Without the catalog, the call adds nothing.
    let out = sql_pass(&crates, &Config::default(), &read);
    assert_eq!(triples(&out), vec![t("svc", "users", "U")]);
}

#[test]
fn batches_keep_order_and_end_small() {
    for n in [
        0,
        1,
        TAIL_BATCH,
        TAIL_BATCH + 1,
        SITE_BATCH,
        2 * SITE_BATCH + 1,
        80_000,
    ] {
        let sites: Vec<usize> = (0..n).collect();
        let cut = batches(&sites);
        // Every site once, in order.
        let joined: Vec<usize> = cut.iter().flat_map(|b| b.iter().copied()).collect();
        assert_eq!(joined, sites, "{n} sites");
        assert!(cut.iter().all(|b| !b.is_empty() && b.len() <= SITE_BATCH));
        if let Some(last) = cut.last() {
            assert!(
                last.len() <= TAIL_BATCH,
                "{n} sites: last batch {}",
                last.len()
            );
        }
    }
}
