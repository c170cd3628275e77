use super::*;
use crate::{FileFacts, parse_file};
use nova_model::StoreKind;

fn facts(src: &str) -> FileFacts {
    match parse_file(src, false) {
        Ok(f) => f,
        Err(e) => panic!("parse error: {e}"),
    }
}

fn lit(s: &str) -> SqlExpr {
    SqlExpr::Lit(s.to_string())
}

fn unk(s: &str) -> SqlExpr {
    SqlExpr::Unknown(s.to_string())
}

fn konst(p: &[&str]) -> SqlExpr {
    SqlExpr::Const(p.iter().map(|s| s.to_string()).collect())
}

/// (expr, line, api) of every site.
fn sites(src: &str) -> Vec<(SqlExpr, u32, String)> {
    facts(src)
        .sql_sites
        .into_iter()
        .map(|s| (s.expr, s.line, s.api))
        .collect()
}

fn exprs(src: &str) -> Vec<SqlExpr> {
    facts(src).sql_sites.into_iter().map(|s| s.expr).collect()
}

#[test]
fn sqlx_macros_all_shapes() {
    let src = r##"
async fn f(pool: &PgPool, id: i64) {
    sqlx::query!("SELECT * FROM users WHERE id = $1", id).fetch_one(pool).await;
    let u = query_as!(User,
        r#"SELECT id, name FROM "users" WHERE id = $1"#, id)
        .fetch_one(pool).await;
    sqlx::query_scalar!(
        "SELECT count(*) FROM posts"
    );
    sqlx::query_unchecked!("DELETE FROM sessions");
    sqlx::query_file!("queries/get_user.sql", id);
    sqlx::query_file_as!(User, "queries/list.sql");
    sqlx::query_as_unchecked!(User, "UPDATE users SET x = 1");
}
"##;
    let s = sites(src);
    assert_eq!(
        s,
        vec![
            (
                lit("SELECT * FROM users WHERE id = $1"),
                3,
                "sqlx::query!".to_string()
            ),
            (
                lit(r#"SELECT id, name FROM "users" WHERE id = $1"#),
                4,
                "sqlx::query_as!".to_string()
            ),
            (
                lit("SELECT count(*) FROM posts"),
                7,
                "sqlx::query_scalar!".to_string()
            ),
            (
                lit("DELETE FROM sessions"),
                10,
                "sqlx::query_unchecked!".to_string()
            ),
            (
                SqlExpr::File("queries/get_user.sql".into()),
                11,
                "sqlx::query_file!".to_string()
            ),
            (
                SqlExpr::File("queries/list.sql".into()),
                12,
                "sqlx::query_file_as!".to_string()
            ),
            (
                lit("UPDATE users SET x = 1"),
                13,
                "sqlx::query_as_unchecked!".to_string()
            ),
        ]
    );
    let f = facts(src);
    assert_eq!(f.sql_sites[0].column, 5);
    assert_eq!(f.sql_sites[0].function.as_deref(), Some("f"));
    assert!(!f.sql_sites[0].in_test);
}

#[test]
fn sqlx_functions_and_imports() {
    let src = r#"
use sqlx::{query, query_as};
async fn f(pool: &PgPool) {
    sqlx::query("INSERT INTO a (x) VALUES ($1)").bind(1).execute(pool).await;
    query_as::<_, User>("SELECT * FROM b").fetch_all(pool).await;
    sqlx::query_as::<Postgres, User>(
        "SELECT * FROM c",
    );
    query(&sql_param).execute(pool).await;
    sqlx::query_scalar("SELECT 1 FROM d");
    sqlx::query_with("SELECT * FROM e", args);
    sqlx::raw_sql("TRUNCATE f");
    sqlx::query(AssertSqlSafe(format!("SELECT * FROM {}", t)));
}
"#;
    assert_eq!(
        sites(src),
        vec![
            (
                lit("INSERT INTO a (x) VALUES ($1)"),
                4,
                "sqlx::query".to_string()
            ),
            (lit("SELECT * FROM b"), 5, "sqlx::query_as".to_string()),
            (lit("SELECT * FROM c"), 6, "sqlx::query_as".to_string()),
            (unk("&sql_param"), 9, "sqlx::query".to_string()),
            (lit("SELECT 1 FROM d"), 10, "sqlx::query_scalar".to_string()),
            (lit("SELECT * FROM e"), 11, "sqlx::query_with".to_string()),
            (lit("TRUNCATE f"), 12, "sqlx::raw_sql".to_string()),
            (
                SqlExpr::Format {
                    template: "SELECT * FROM {}".into(),
                    args: vec![unk("t")]
                },
                13,
                "sqlx::query".to_string()
            ),
        ]
    );
    // `.execute(pool)` on the sqlx query object is never a site.
}

#[test]
fn query_builder_push_chain() {
    let src = r#"
async fn insert(pool: &PgPool, rows: &[Row], name: &str) {
    let mut qb = QueryBuilder::<Postgres>::new("INSERT INTO users (id, name) ");
    qb.push_values(rows, |mut b, r| {
        b.push_bind(r.id).push_bind(&r.name);
    });
    qb.build().execute(pool).await;

    let mut q = sqlx::QueryBuilder::new("SELECT * FROM posts WHERE author = ");
    q.push_bind(name).push(" AND deleted = false");
    q.push(format!(" ORDER BY {}", order));
    let mut sep = q.separated(", ");
    sep.push("a");
    sep.push("b");
}
"#;
    let f = facts(src);
    assert_eq!(f.sql_sites.len(), 2);
    assert_eq!(f.sql_sites[0].line, 3);
    assert_eq!(f.sql_sites[0].api, "sqlx::QueryBuilder");
    assert_eq!(
        f.sql_sites[0].expr,
        SqlExpr::Concat(vec![
            lit("INSERT INTO users (id, name) VALUES ("),
            SqlExpr::Bind,
            lit(", "),
            SqlExpr::Bind,
            lit(")"),
        ])
    );
    assert_eq!(
        f.sql_sites[1].expr,
        SqlExpr::Concat(vec![
            lit("SELECT * FROM posts WHERE author = "),
            SqlExpr::Bind,
            lit(" AND deleted = false"),
            SqlExpr::Format {
                template: " ORDER BY {}".into(),
                args: vec![unk("order")],
            },
            lit("a, b"),
        ])
    );
}

#[test]
fn tokio_postgres_methods_and_false_positives() {
    let src = r#"
const LIST: &str = "SELECT * FROM items";
async fn f(client: &Client, pool: &PgPool, sql: &str) {
    client.query("SELECT * FROM a WHERE id = $1", &[&id]).await?;
    let row = client
        .query_one(LIST, &[])
        .await?;
    let q = "UPDATE b SET x = 1";
    client.execute(q, &[]).await?;
    client.execute(&format!("DELETE FROM {}", table), &[]).await?;
    let stmt = client.prepare("SELECT * FROM c").await?;
    client.query(&stmt, &[]).await?;
    client.batch_execute("CREATE TEMP TABLE t (x int)").await?;
    client.simple_query("SELECT 1").await?;
    client.query_opt(sql, &[&id]).await?;
    sqlx::query("SELECT * FROM d").execute(&pool).await?;
    some_query.execute(pool).await?;
    url.query(&[("a", "b")]);
    conn.execute(crate::sql::DELETE_ALL, params![]);
}
"#;
    let s = sites(src);
    let got: Vec<(SqlExpr, u32)> = s.iter().map(|(e, l, _)| (e.clone(), *l)).collect();
    assert_eq!(
        got,
        vec![
            (lit("SELECT * FROM a WHERE id = $1"), 4),
            (konst(&["LIST"]), 6),
            (lit("UPDATE b SET x = 1"), 9),
            (
                SqlExpr::Format {
                    template: "DELETE FROM {}".into(),
                    args: vec![unk("table")]
                },
                10
            ),
            (lit("SELECT * FROM c"), 11),
            (lit("CREATE TEMP TABLE t (x int)"), 13),
            (lit("SELECT 1"), 14),
            (unk("sql"), 15),
            (lit("SELECT * FROM d"), 16),
            (konst(&["crate", "sql", "DELETE_ALL"]), 19),
        ]
    );
    assert_eq!(s[0].2, "db::query");
    let inferred: Vec<bool> = facts(src).sql_sites.iter().map(|s| s.inferred).collect();
    assert_eq!(
        inferred,
        vec![true, true, true, true, true, true, true, true, false, true]
    );
    let src2 =
        "use tokio_postgres::Client;\nfn g(c: &Client) { c.execute(\"DELETE FROM x\", &[]); }";
    assert_eq!(sites(src2)[0].2, "tokio_postgres::execute");
}

#[test]
fn a_client_call_is_a_site_whatever_its_argument() {
    // tokio-postgres named by a `use`: every call with the driver's shape on
    // a client-like receiver is a site, resolved or not; prepared
    // statements are not SQL text, and non-client calls stay out.
    let src = r#"
use tokio_postgres::{Client, Statement};
const ID: i64 = 1;
async fn f(client: &Client, pool: &deadpool_postgres::Pool, table: &str, s: &Statement) {
    client.query(&std::env::var("SQL").unwrap(), &[]).await?;
    client.query_opt(MISSING_SQL, &[]).await?;
    client.execute(concat!(env!("PREFIX"), "x"), &[]).await?;
    let built = build_sql(table);
    client.query_one(&built, &[]).await?;
    pool.get().await?.batch_execute(&built).await?;
    let conn = pool.get().await?;
    conn.simple_query(built.as_str()).await?;
    let stmt = client.prepare("SELECT * FROM c").await?;
    client.query(&stmt, &[]).await?;
    client.execute(s, &[]).await?;
    client.query_raw(&self.stmts.insert, params).await?;
    let other: Statement = make();
    client.query(&other, &[]).await?;
    url.query(&pairs);
    sqlx::query("SELECT 1").execute(&pool).await?;
    build().execute(&pool, &[]).await?;
}
"#;
    let got: Vec<(SqlExpr, u32, String, bool)> = facts(src)
        .sql_sites
        .into_iter()
        .map(|s| (s.expr, s.line, s.api, s.inferred))
        .collect();
    let pg = |m: &str| format!("tokio_postgres::{m}");
    assert_eq!(
        got,
        vec![
            (
                unk("&std::env::var(\"SQL\").unwrap()"),
                5,
                pg("query"),
                false
            ),
            (konst(&["MISSING_SQL"]), 6, pg("query_opt"), false),
            (
                SqlExpr::Concat(vec![unk("env!(\"PREFIX\")"), lit("x")]),
                7,
                pg("execute"),
                false
            ),
            (unk("&built"), 9, pg("query_one"), false),
            (unk("&built"), 10, pg("batch_execute"), false),
            (unk("built.as_str()"), 12, pg("simple_query"), false),
            (lit("SELECT * FROM c"), 13, pg("prepare"), false),
            (lit("SELECT 1"), 20, "sqlx::query".into(), false),
        ]
    );
    // Without a client crate in the file, only SQL-like names count.
    let src = "fn g(c: &Conn, sql: &str) { c.execute(std::env::var(\"X\").unwrap(), &[]); c.query(sql, &[]); }";
    assert_eq!(exprs(src), vec![unk("sql")]);
    // A client crate named only in a path is evidence too.
    let src = "async fn g(pool: &bb8::Pool<bb8_postgres::PostgresConnectionManager<NoTls>>) {\n\
               let conn = pool.get().await?;\n conn.execute(&sql_of(), &[]).await?; }";
    assert_eq!(exprs(src), vec![unk("&sql_of()")]);
}

#[test]
fn helper_callers_are_taken_where_the_walk_met_them() {
    // The calls are kept during the walk and evaluated after it: a caller
    // before or after the helper, nested in another call, in an `impl`
    // inside a `mod` (`Self::` names that `impl`'s type), in a free
    // function after an `impl` (no `Self` there), each in the walk's order.
    // Not taken: calls inside a macro's arguments, calls in `#[test]`
    // functions outside a test module, the caller's own locals, calls
    // with too few arguments.
    let src = r#"
const FIRST: &str = "SELECT 1 FROM first_t";
fn early(c: &Client) { wrap(c.run(c, FIRST)); }
mod inner {
    impl Repo {
        const OWN: &'static str = "SELECT 1 FROM own_t";
        fn by_self(&self, c: &Client) { c.run(c, Self::OWN); }
    }
}
fn free(c: &Client) { c.run(c, Self::ORPHAN); }
fn in_macro(c: &Client) { tokio::join!(c.run(c, "SELECT 1 FROM macro_t")); }
#[test]
fn tested(c: &Client) { c.run(c, "SELECT 1 FROM test_t"); }
fn local(c: &Client) { let q = "SELECT 1 FROM local_t"; c.run(c, q); c.run(c); }
impl Client {
    fn run(&self, c: &Client, sql: &str) { c.query(sql, &[]); }
}
fn late(c: &Client) { Client::run(c, c, concat!("SELECT 1 ", "FROM late_t")); }
"#;
    assert_eq!(
        exprs(src),
        vec![SqlExpr::Choice(vec![
            konst(&["FIRST"]),
            konst(&["Repo", "OWN"]),
            konst(&["Self", "ORPHAN"]),
            lit("SELECT 1 FROM late_t"),
        ])]
    );
}

#[test]
fn sql_passed_to_a_helper_as_a_parameter() {
    // The helper's site takes the texts its callers in the file pass, by
    // position (`self` not counted; counted in a `Self::f(self, ..)` call).
    // Callers in test code and arguments that are not static are ignored.
    let src = r#"
const STREAM: &str = "SELECT * FROM events";
impl Store {
    const ALL: &'static str = "SELECT * FROM aggregates";
    async fn one(&self) { self.stream_query(STREAM, params).await }
    async fn all(&self) { Self::stream_query(self, Self::ALL, params).await }
    async fn dynamic(&self, q: &str) { self.stream_query(q, params).await }
    async fn stream_query(&self, query: &str, params: Params<'_>) {
        self.client.query_raw(query, slice_iter(params)).await
    }
}
async fn run(pool: &PgPool, sql: &str) {
    sqlx::query(sql).execute(pool).await;
}
async fn cleanup(pool: &PgPool) {
    run(pool, "DELETE FROM sessions").await;
    run(pool, &format!("DELETE FROM {}", "tokens")).await;
}
async fn unused(pool: &PgPool, sql: String) {
    sqlx::query(&sql).execute(pool).await;
}
#[cfg(test)]
mod tests {
    async fn t(pool: &PgPool) { super::run(pool, "DELETE FROM fixtures").await; }
}
"#;
    assert_eq!(
        exprs(src),
        vec![
            SqlExpr::Choice(vec![konst(&["STREAM"]), konst(&["Store", "ALL"])]),
            SqlExpr::Choice(vec![
                lit("DELETE FROM sessions"),
                SqlExpr::Format {
                    template: "DELETE FROM {}".into(),
                    args: vec![lit("tokens")]
                },
            ]),
            unk("&sql"),
        ]
    );
}

#[test]
fn lets_if_match_and_string_building() {
    let src = r#"
fn f(active: bool, kind: Kind, extra: &str) {
    let q = if active { "SELECT * FROM a" } else { "SELECT * FROM b" };
    sqlx::query(q);
    let m = match kind {
        Kind::One => "DELETE FROM one",
        Kind::Two => "DELETE FROM two",
        _ => unreachable!(),
    };
    sqlx::query(m);
    let mut sql = String::from("SELECT * FROM c WHERE 1 = 1");
    if active {
        sql.push_str(" AND active");
    }
    sql += " LIMIT 10";
    sqlx::query(&sql);
    let s2 = "SELECT * FROM ".to_string() + "d";
    sqlx::query(s2.as_str());
    let s3 = concat!("SELECT * ", "FROM e");
    sqlx::query(&*s3);
    let table = "f";
    let s4 = format!("SELECT * FROM {table} WHERE x = {}", extra);
    sqlx::query(&s4);
    let s5 = format!("SELECT * FROM {t} JOIN {0}", "g", t = TABLE);
    sqlx::query(&s5);
    let s6: String;
    s6 = "SELECT * FROM h".into();
    sqlx::query(&s6);
}
"#;
    assert_eq!(
        exprs(src),
        vec![
            SqlExpr::Choice(vec![lit("SELECT * FROM a"), lit("SELECT * FROM b")]),
            SqlExpr::Choice(vec![lit("DELETE FROM one"), lit("DELETE FROM two")]),
            lit("SELECT * FROM c WHERE 1 = 1 AND active LIMIT 10"),
            lit("SELECT * FROM d"),
            lit("SELECT * FROM e"),
            SqlExpr::Format {
                template: "SELECT * FROM {} WHERE x = {}".into(),
                args: vec![lit("f"), unk("extra")],
            },
            SqlExpr::Format {
                template: "SELECT * FROM {} JOIN {}".into(),
                args: vec![konst(&["TABLE"]), lit("g")],
            },
            lit("SELECT * FROM h"),
        ]
    );
}

#[test]
fn consts_statics_and_associated_consts() {
    let src = r#"
pub const GET: &str = "SELECT * FROM users WHERE id = $1";
static LIST: &str = r"SELECT * FROM users";
const NOT_SQL: i32 = 3;
const JOINED: &str = concat!("SELECT * FROM ", "x");
static LAZY: Lazy<String> = Lazy::new(|| format!("SELECT * FROM {}", TABLE));
mod queries {
    pub const DEL: &str = "DELETE FROM users";
}
struct Repo;
impl Repo {
    const FIND: &'static str = "SELECT 1 FROM repo";
    fn find(&self) { sqlx::query(Self::FIND); sqlx::query(queries::DEL); }
}
"#;
    let f = facts(src);
    let consts: Vec<(String, Vec<String>, SqlExpr, u32)> = f
        .consts
        .iter()
        .map(|c| (c.name.clone(), c.module.clone(), c.value.clone(), c.line))
        .collect();
    assert_eq!(
        consts,
        vec![
            (
                "GET".into(),
                vec![],
                lit("SELECT * FROM users WHERE id = $1"),
                2
            ),
            ("LIST".into(), vec![], lit("SELECT * FROM users"), 3),
            ("JOINED".into(), vec![], lit("SELECT * FROM x"), 5),
            (
                "LAZY".into(),
                vec![],
                SqlExpr::Format {
                    template: "SELECT * FROM {}".into(),
                    args: vec![konst(&["TABLE"])]
                },
                6
            ),
            (
                "DEL".into(),
                vec!["queries".into()],
                lit("DELETE FROM users"),
                8
            ),
            (
                "FIND".into(),
                vec!["Repo".into()],
                lit("SELECT 1 FROM repo"),
                12
            ),
        ]
    );
    assert_eq!(
        exprs(src),
        vec![konst(&["Repo", "FIND"]), konst(&["queries", "DEL"])]
    );
    assert_eq!(f.sql_sites[0].function.as_deref(), Some("Repo::find"));
}

#[test]
fn function_local_consts_shadow_module_consts() {
    let src = r#"
const SQL: &str = "SELECT * FROM module_level";
fn a(c: &Client) {
    const SQL: &str = "SELECT * FROM in_a";
    c.query(SQL, &[]);
}
fn b(c: &Client) {
    static SQL: &str = "DELETE FROM in_b";
    c.execute(SQL, &[]);
}
fn d(c: &Client) { c.query(SQL, &[]); }
"#;
    assert_eq!(
        exprs(src),
        vec![
            lit("SELECT * FROM in_a"),
            lit("DELETE FROM in_b"),
            konst(&["SQL"])
        ]
    );
    let consts: Vec<String> = facts(src)
        .consts
        .iter()
        .map(|c| c.value.display())
        .collect();
    assert_eq!(consts, vec!["\"SELECT * FROM module_level\""]);
}

#[test]
fn stores_clickhouse_and_cypher() {
    let src = r#"
use neo4rs::{query, Graph};
async fn f(graph: &Graph, state: &State, client: &Client) {
    graph.run(query("MATCH (u:User) RETURN u")).await;
    graph.execute(neo4rs::query("MERGE (p:Post {id: $id})")).await;
    state.ch.query("SELECT count() FROM events").fetch_one::<u64>().await;
    let clickhouse = make();
    clickhouse.query("INSERT INTO metrics VALUES (?)").execute().await;
}
"#;
    let f = facts(src);
    let got: Vec<(SqlExpr, Option<StoreKind>, String)> = f
        .sql_sites
        .iter()
        .map(|s| (s.expr.clone(), s.store, s.api.clone()))
        .collect();
    assert_eq!(
        got,
        vec![
            (
                lit("MATCH (u:User) RETURN u"),
                Some(StoreKind::Cypher),
                "neo4rs::query".into()
            ),
            (
                lit("MERGE (p:Post {id: $id})"),
                Some(StoreKind::Cypher),
                "neo4rs::query".into()
            ),
            (
                lit("SELECT count() FROM events"),
                Some(StoreKind::ClickHouse),
                "clickhouse::query".into()
            ),
            (
                lit("INSERT INTO metrics VALUES (?)"),
                Some(StoreKind::ClickHouse),
                "clickhouse::query".into()
            ),
        ]
    );
    // A file that only uses the clickhouse crate: `.query` is ClickHouse.
    let src2 = "use clickhouse::Client;\nasync fn g(c: &Client) { c.query(\"SELECT 1 FROM t\").fetch_all().await; }";
    assert_eq!(facts(src2).sql_sites[0].store, Some(StoreKind::ClickHouse));
    // neo4rs through a glob import.
    let src3 = "use neo4rs::*;\nasync fn g(graph: &Graph) { graph.run(query(\"MATCH (n) RETURN n\")).await; }";
    assert_eq!(facts(src3).sql_sites[0].store, Some(StoreKind::Cypher));
}

#[test]
fn orm_raw_sql_is_a_site() {
    let src = r#"
use diesel::prelude::*;
use diesel::sql_query;
fn a(conn: &mut PgConnection) {
    sql_query("SELECT * FROM users WHERE id = $1").load::<User>(conn);
    diesel::sql_query("DELETE FROM sessions").execute(conn);
}
async fn b(db: &DatabaseConnection) {
    let st = Statement::from_sql_and_values(DbBackend::Postgres, "SELECT * FROM cake", []);
    sea_orm::Statement::from_string(db.get_database_backend(), "UPDATE cake SET n = 1");
    db.execute_unprepared("TRUNCATE fruit").await;
}
fn c() {
    reports::sql_query("not diesel's");
}
"#;
    let s = sites(src);
    let got: Vec<(u32, &str)> = s.iter().map(|(_, l, api)| (*l, api.as_str())).collect();
    assert_eq!(
        got,
        vec![
            (5, "diesel::sql_query"),
            (6, "diesel::sql_query"),
            (9, "sea_orm::Statement"),
            (10, "sea_orm::Statement"),
            (11, "diesel::execute_unprepared"),
        ]
    );
    assert_eq!(s[2].0, lit("SELECT * FROM cake"));
    // The ORM facts are nova_orm's: none here but the file is read.
    let f = facts(src);
    assert!(f.orm.queries.is_empty());
}

#[test]
fn text_location_of_sites() {
    let src = r#"
async fn f(pool: &PgPool, client: &Client, t: &str) {
    sqlx::query_as!(
        Row,
        "SELECT * FROM a"
    );
    sqlx::query("SELECT * FROM b");
    let sql = format!("SELECT * FROM {} WHERE id = $1", t);
    sqlx::query(&sql).fetch_all(pool).await;
    client
        .query_one(
            "SELECT * FROM c",
            &[],
        );
    let s = "SELECT * FROM d";
    sqlx::query(s.as_str());
    sqlx::query(queries::LIST);
}
"#;
    let got: Vec<(u32, Option<(u32, u32)>)> = facts(src)
        .sql_sites
        .iter()
        .map(|s| (s.line, s.text_at))
        .collect();
    assert_eq!(
        got,
        vec![
            // The literal on the line after the macro.
            (3, Some((5, 9))),
            // Same line as the call: the literal's column.
            (7, Some((7, 17))),
            // The local's initialiser.
            (9, Some((8, 15))),
            (11, Some((12, 13))),
            (16, Some((15, 13))),
            // A const: located by resolution; the path is the argument.
            (17, Some((17, 17))),
        ]
    );
}

#[test]
fn test_code_is_marked() {
    let src = r#"
fn prod() { sqlx::query("SELECT * FROM a"); }
#[cfg(test)]
mod tests {
    fn helper() { sqlx::query("SELECT * FROM b"); }
}
#[tokio::test]
async fn t1() { sqlx::query("SELECT * FROM c"); }
#[sqlx::test]
async fn t2(pool: PgPool) { sqlx::query("SELECT * FROM d"); }
#[test]
fn t3() { sqlx::query("SELECT * FROM e"); }
#[cfg(not(test))]
fn t4() { sqlx::query("SELECT * FROM f"); }
"#;
    let f = facts(src);
    let got: Vec<(String, bool)> = f
        .sql_sites
        .iter()
        .map(|s| (s.function.clone().unwrap_or_default(), s.in_test))
        .collect();
    assert_eq!(
        got,
        vec![
            ("prod".into(), false),
            ("tests::helper".into(), true),
            ("t1".into(), true),
            ("t2".into(), true),
            ("t3".into(), true),
            ("t4".into(), false),
        ]
    );
    let in_file =
        parse_file("fn x() { sqlx::query(\"SELECT 1\"); }", true).map(|f| f.sql_sites[0].in_test);
    assert_eq!(in_file, Ok(true));
}

#[test]
fn functions_and_calls() {
    let src = r#"
pub async fn handler(repo: &Repo) {
    let u = repo.find_user(1).await;
    db::audit::log(u);
    repo.find_user(2).await;
}
pub struct Repo;
impl Repo {
    pub async fn find_user(&self, id: i64) -> User {
        sqlx::query_as!(User, "SELECT * FROM users WHERE id = $1", id).fetch_one(&self.pool).await
    }
    fn private(&self) { tokio::join!(helper(), other()); }
}
impl Display for Repo { fn fmt(&self, f: &mut Formatter) -> Result { Ok(()) } }
"#;
    let f = facts(src);
    type Row = (String, String, bool, Vec<(String, u32)>);
    let got: Vec<Row> = f
        .functions
        .iter()
        .map(|i| (i.path.clone(), i.name.clone(), i.is_pub, i.calls.clone()))
        .collect();
    let calls = |v: &[(&str, u32)]| {
        v.iter()
            .map(|(n, l)| (n.to_string(), *l))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        got,
        vec![
            (
                "handler".into(),
                "handler".into(),
                true,
                calls(&[("find_user", 3), ("log", 4)])
            ),
            (
                "Repo::find_user".into(),
                "find_user".into(),
                true,
                calls(&[("fetch_one", 10)])
            ),
            (
                "Repo::private".into(),
                "private".into(),
                false,
                calls(&[("helper", 12), ("other", 12)])
            ),
            ("Repo::fmt".into(), "fmt".into(), true, calls(&[("Ok", 14)])),
        ]
    );
    assert_eq!(f.sql_sites[0].function.as_deref(), Some("Repo::find_user"));
}

#[test]
fn sites_inside_other_macros_and_closures() {
    let src = r#"
async fn f(pool: &PgPool) {
    let (a, b) = tokio::try_join!(
        sqlx::query!("SELECT * FROM a").fetch_one(pool),
        sqlx::query("SELECT * FROM b").fetch_one(pool),
    )?;
    let h = tokio::spawn(async move { sqlx::query("DELETE FROM c").execute(&pool).await });
    assert!(sqlx::query_scalar!("SELECT count(*) FROM d").fetch_one(pool).await.is_ok());
}
"#;
    assert_eq!(
        exprs(src),
        vec![
            lit("SELECT * FROM a"),
            lit("SELECT * FROM b"),
            lit("DELETE FROM c"),
            lit("SELECT count(*) FROM d"),
        ]
    );
}

#[test]
fn format_template_parsing() {
    assert_eq!(
        parse_format_template("a {} b {0} {name:>5} {{x}}"),
        vec![
            FormatPiece::Text("a ".into()),
            FormatPiece::Hole(None),
            FormatPiece::Text(" b ".into()),
            FormatPiece::Hole(Some("0".into())),
            FormatPiece::Text(" ".into()),
            FormatPiece::Hole(Some("name".into())),
            FormatPiece::Text(" {x}".into()),
        ]
    );
    assert_eq!(
        parse_format_template("unclosed {"),
        vec![FormatPiece::Text("unclosed {".into())]
    );
    let f = facts(r#"fn f() { sqlx::query(&format!("SELECT '{{}}' FROM t")); }"#);
    assert_eq!(f.sql_sites[0].expr, lit("SELECT '{}' FROM t"));
}

#[test]
fn parse_file_never_panics() {
    let long_nest = format!(
        "fn f() {{ let x = {}1{}; }}",
        "(".repeat(5000),
        ")".repeat(5000)
    );
    let max_nest = format!(
        "fn f() {{ let x = {}1{}; }}",
        "(".repeat(500),
        ")".repeat(500)
    );
    let chain = format!("fn f() {{ x{}; }}", ".a()".repeat(500));
    let plus = format!(
        "fn f() {{ let s = \"a\"{}; sqlx::query(&s); }}",
        " + \"b\"".repeat(3000)
    );
    let unary = format!("fn f() {{ let x = {}y; }}", "!".repeat(3000));
    let refs = format!(
        "fn f() {{ sqlx::query({}\"SELECT 1\"); }}",
        "&".repeat(3000)
    );
    let inputs = [
        "",
        "fn",
        "fn f() { sqlx::query!( }",
        "fn f() { sqlx::query!(); query_as!(T); sqlx::query_file!(x); }",
        "fn f() { qb.push(); QueryBuilder::new(); client.query(); format!(); }",
        "table! {}",
        "diesel::table! { . }",
        "#[diesel(table_name = )] struct X;",
        "\u{0}\u{feff}fn f(){}",
        "const A: &str = B; const B: &str = A; fn f() { sqlx::query(A); }",
        "fn f() { let s = format!(\"{} {} {}\", a); sqlx::query(&s); }",
        "fn f() { let s = format!(\"{5} {x}\"); sqlx::query(&s); }",
        long_nest.as_str(),
        max_nest.as_str(),
        chain.as_str(),
        plus.as_str(),
        unary.as_str(),
        refs.as_str(),
    ];
    for input in inputs {
        let _ = parse_file(input, false);
    }
    let f = facts("fn f() { let s = format!(\"{} {} {}\", a); sqlx::query(&s); }");
    assert_eq!(
        f.sql_sites[0].expr,
        SqlExpr::Format {
            template: "{} {} {}".into(),
            args: vec![unk("a"), unk("?"), unk("?")]
        }
    );
}

/// The text of an expression written directly (names, fields, method calls
/// without arguments, behind `&`) is the text its tokens render, tidied.
#[test]
fn expression_text_without_tokens_is_the_rendered_text() {
    use quote::ToTokens;
    let sources = [
        "w",
        "&w",
        "&&w",
        "&mut w",
        "& mut w",
        "&w.to_lowercase()",
        "self.pool",
        "&self.pool",
        "&*self.pool",
        "x.0",
        "x.0.1",
        "r#type",
        "r#type.r#match()",
        "Self::SQL",
        "crate::sql::LIST",
        "::std::x",
        "a::b.c().d",
        "a.b::<T>()",
        "Vec::<u8>::new",
        "a.b(c)",
        "a.b().await",
        "(a).b()",
        "<T as X>::Y",
        "&(a + b)",
        "&[1, 2]",
        "f(x)",
        "\"lit\"",
        "&'a'",
        "x.as_str ( )",
    ];
    for src in sources {
        let e: syn::Expr = match syn::parse_str(src) {
            Ok(e) => e,
            Err(err) => panic!("{src}: {err}"),
        };
        let rendered = shapes::tidy_text(e.to_token_stream().to_string());
        assert_eq!(shapes::expr_text(&e), rendered, "{src}");
    }
    // Macro arguments built from their tokens render the same way.
    let m: syn::ExprMacro =
        match syn::parse_str("log!(&w.to_lowercase(), self.x.0, w, &mut a.b, &&c)") {
            Ok(m) => m,
            Err(err) => panic!("{err}"),
        };
    let args = crate::macros::parse_args(&m.mac).unwrap_or_default();
    assert_eq!(args.len(), 5);
    for e in &args {
        let rendered = shapes::tidy_text(e.to_token_stream().to_string());
        assert_eq!(shapes::expr_text(e), rendered);
    }
}

#[test]
fn prepared_statements_by_call_and_type() {
    let call = |src: &str| match syn::parse_str::<syn::Expr>(src) {
        Ok(e) => super::clients::is_prepare_call(&e),
        Err(err) => panic!("{src}: {err}"),
    };
    assert!(call("client.prepare(\"SELECT 1\").await?"));
    assert!(call("client.prepare_cached(SQL).await.unwrap()"));
    assert!(call("(conn.prep(q)).expect(\"prepared\")"));
    assert!(!call("client.query(SQL, &[]).await?"));
    assert!(!call("stmt.unwrap()"));
    assert!(!call("client.r#prepare(SQL)"));
    let ty = |src: &str| match syn::parse_str::<syn::Type>(src) {
        Ok(t) => super::clients::is_statement_type(&t),
        Err(err) => panic!("{src}: {err}"),
    };
    assert!(ty("&Statement"));
    assert!(ty("Arc<CachedStatement<'_>>"));
    assert!(ty("Stmt"));
    assert!(!ty("&str"));
    assert!(!ty("Vec<String>"));
}

/// A function's calls: each name once, with the line of its first call,
/// sorted by name, for a few names and for many.
#[test]
fn called_names_with_their_first_line() {
    for count in [3usize, 24, 25, 40] {
        let mut src = String::from("fn f() {\n");
        for i in (0..count).rev() {
            src.push_str(&format!("    c{i:02}(x.m{i:02}());\n"));
        }
        for i in 0..count {
            src.push_str(&format!("    c{i:02}(1);\n"));
        }
        src.push_str("}\n");
        let got = facts(&src).functions.remove(0).calls;
        let mut want: Vec<(String, u32)> = Vec::new();
        for i in 0..count {
            let line = (count - i + 1) as u32;
            want.push((format!("c{i:02}"), line));
            want.push((format!("m{i:02}"), line));
        }
        want.sort();
        assert_eq!(got, want, "{count} names");
    }
}
