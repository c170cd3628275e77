//! Synthetic monorepos for benchmarks and smoke tests.
//!
//! [`generate`] writes a Cargo workspace of `services` services with
//! `files_per_service` Rust files each, plus one shared library crate,
//! migrations, a `.proto` file and Kubernetes manifests. The Rust code looks
//! like real backends: sqlx macros and functions with raw and normal
//! strings, tokio-postgres `client.query`, SQL held in consts and `let`s,
//! `format!` templates, `QueryBuilder`, tonic clients, rdkafka producers,
//! and filler business logic so the files have realistic size (~3–5 KB).
//! Output is deterministic for the same arguments.

use std::fmt::Write as _;
use std::io;
use std::path::Path;

/// What [`generate`] wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SynthStats {
    /// Every file written.
    pub files: u64,
    /// Rust files written.
    pub rust_files: u64,
    pub bytes: u64,
}

/// Tiny deterministic PRNG (xorshift), to vary the code without a
/// dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

const ENTITIES: &[&str] = &[
    "users",
    "posts",
    "comments",
    "media",
    "likes",
    "follows",
    "messages",
    "threads",
    "sessions",
    "orders",
    "payments",
    "invoices",
    "notifications",
    "tags",
    "reports",
];

fn write(root: &Path, rel: &str, text: &str, stats: &mut SynthStats) -> io::Result<()> {
    let p = root.join(rel);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(p, text)?;
    stats.files += 1;
    stats.bytes += text.len() as u64;
    if rel.ends_with(".rs") {
        stats.rust_files += 1;
    }
    Ok(())
}

/// One service whose only source is a generated file of `queries`
/// functions, each running one sqlx query on one of 1,000 tables (about
/// 100 bytes per query: 200,000 queries make a 20 MB file).
pub fn generate_huge_file(root: &Path, queries: usize) -> io::Result<SynthStats> {
    let mut stats = SynthStats::default();
    one_service(root, &mut stats)?;
    let mut code = String::with_capacity(queries * 104);
    for i in 0..queries {
        let _ = writeln!(
            code,
            "pub async fn q{i}(db: &sqlx::PgPool) {{ sqlx::query(\"UPDATE gen_{} SET v = $2 WHERE id = $1\").execute(db).await.ok(); }}",
            i % 1000
        );
    }
    write(root, "svc/src/generated.rs", &code, &mut stats)?;
    write(
        root,
        "svc/src/main.rs",
        "mod generated;\nfn main() {}\n",
        &mut stats,
    )?;
    Ok(stats)
}

/// One service whose only query is one `INSERT` literal of `rows` rows
/// (about 28 bytes per row: 50,000 rows make a 1.4 MB literal).
pub fn generate_huge_literal(root: &Path, rows: usize) -> io::Result<SynthStats> {
    let mut stats = SynthStats::default();
    one_service(root, &mut stats)?;
    let mut sql = String::with_capacity(rows * 28);
    for i in 0..rows {
        if i > 0 {
            sql.push_str(", ");
        }
        let _ = write!(sql, "({i}, 'value number {:05}')", i % 100_000);
    }
    write(
        root,
        "svc/src/main.rs",
        &format!(
            "async fn seed(db: &sqlx::PgPool) {{\n    sqlx::query(\"INSERT INTO big_table (id, v) VALUES {sql}\").execute(db).await.ok();\n}}\nfn main() {{}}\n"
        ),
        &mut stats,
    )?;
    Ok(stats)
}

/// The manifest of the one service of [`generate_huge_file`] and
/// [`generate_huge_literal`].
fn one_service(root: &Path, stats: &mut SynthStats) -> io::Result<()> {
    write(
        root,
        "svc/Cargo.toml",
        "[package]\nname = \"svc\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\nsqlx = \"0.8\"\n",
        stats,
    )
}

/// Write a synthetic monorepo under `root` (which should be empty).
pub fn generate(root: &Path, services: usize, files_per_service: usize) -> io::Result<SynthStats> {
    let mut stats = SynthStats::default();
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let names: Vec<String> = (0..services).map(|i| format!("svc{i:03}")).collect();

    let mut members = String::from("[workspace]\nresolver = \"3\"\nmembers = [\"libs/shared-db\"");
    for n in &names {
        let _ = write!(members, ", \"services/{n}\"");
    }
    members.push_str("]\n\n[workspace.dependencies]\nshared-db = { path = \"libs/shared-db\" }\nsqlx = \"0.8\"\ntokio = \"1\"\n");
    write(root, "Cargo.toml", &members, &mut stats)?;

    // Shared library with SQL that runs in every service using it.
    write(
        root,
        "libs/shared-db/Cargo.toml",
        "[package]\nname = \"shared-db\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\nsqlx.workspace = true\n",
        &mut stats,
    )?;
    write(root, "libs/shared-db/src/lib.rs", &shared_lib(), &mut stats)?;
    write(root, "proto/platform.proto", &proto(&names), &mut stats)?;

    for (si, name) in names.iter().enumerate() {
        let dir = format!("services/{name}");
        let peer = &names[(si + 1) % names.len()];
        write(
            root,
            &format!("{dir}/Cargo.toml"),
            &format!(
                "[package]\nname = \"{name}\"\nversion = \"0.1.0\"\nedition = \"2024\"\n\n[dependencies]\nshared-db.workspace = true\nsqlx.workspace = true\ntokio.workspace = true\ntokio-postgres = \"0.7\"\nrdkafka = \"0.38\"\ntonic = \"0.14\"\n"
            ),
            &mut stats,
        )?;
        let own = ENTITIES[si % ENTITIES.len()];
        write(
            root,
            &format!("{dir}/migrations/20240101000000_init.sql"),
            &format!(
                "CREATE TABLE {name}_{own} (\n    id BIGSERIAL PRIMARY KEY,\n    owner_id BIGINT NOT NULL,\n    body TEXT NOT NULL,\n    created_at TIMESTAMPTZ NOT NULL DEFAULT now()\n);\n\nCREATE INDEX {name}_{own}_owner ON {name}_{own} (owner_id);\n\nCREATE TABLE {name}_audit (id BIGSERIAL PRIMARY KEY, event TEXT NOT NULL);\n"
            ),
            &mut stats,
        )?;
        write(
            root,
            &format!("deploy/{name}.yaml"),
            &format!(
                "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  template:\n    spec:\n      containers:\n        - name: {name}\n          image: example/{name}:1\n          env:\n            - name: {peer_up}_URL\n              value: http://{peer}:8080\n            - name: KAFKA_BROKERS\n              value: kafka:9092\n",
                peer_up = peer.to_uppercase()
            ),
            &mut stats,
        )?;
        let mods: Vec<String> = (1..files_per_service.max(1))
            .map(|i| format!("m{i:03}"))
            .collect();
        let mut main = String::new();
        for m in &mods {
            let _ = writeln!(main, "mod {m};");
        }
        let _ = write!(
            main,
            "\nuse std::env;\n\n#[tokio::main]\nasync fn main() -> Result<(), Box<dyn std::error::Error>> {{\n    let url = env::var(\"{peer_up}_URL\").unwrap_or_else(|_| \"http://{peer}:8080\".to_string());\n    let mut client = PlatformServiceClient::connect(url).await?;\n    let reply = client.get_item(GetItemRequest {{ id: 1 }}).await?;\n    println!(\"{{:?}}\", reply);\n    let pool = sqlx::PgPool::connect(&env::var(\"DATABASE_URL\")?).await?;\n    shared_db::touch_session(&pool, 1).await?;\n    Ok(())\n}}\n",
            peer_up = peer.to_uppercase()
        );
        write(root, &format!("{dir}/src/main.rs"), &main, &mut stats)?;
        for (fi, m) in mods.iter().enumerate() {
            let code = module(&mut rng, name, own, fi);
            write(root, &format!("{dir}/src/{m}.rs"), &code, &mut stats)?;
        }
    }
    Ok(stats)
}

fn shared_lib() -> String {
    "//! Shared database helpers used by every service.\n\nuse sqlx::PgPool;\n\npub const TOUCH_SESSION: &str = \"UPDATE sessions SET last_seen = now() WHERE id = $1\";\n\n/// Mark a session as seen.\npub async fn touch_session(pool: &PgPool, id: i64) -> Result<(), sqlx::Error> {\n    sqlx::query(TOUCH_SESSION).bind(id).execute(pool).await?;\n    Ok(())\n}\n\n/// Load a user.\npub async fn load_user(pool: &PgPool, id: i64) -> Result<Option<(i64, String)>, sqlx::Error> {\n    sqlx::query_as::<_, (i64, String)>(r#\"SELECT id, name FROM users WHERE id = $1\"#)\n        .bind(id)\n        .fetch_optional(pool)\n        .await\n}\n".to_string()
}

fn proto(names: &[String]) -> String {
    let mut s = String::from(
        "syntax = \"proto3\";\npackage platform.v1;\n\nmessage GetItemRequest { int64 id = 1; }\nmessage GetItemReply { int64 id = 1; string body = 2; }\n\nservice PlatformService {\n  rpc GetItem(GetItemRequest) returns (GetItemReply);\n}\n",
    );
    for n in names.iter().take(3) {
        let _ = writeln!(s, "// implemented by {n}");
    }
    s
}

/// One module of a service: a repository struct with several query styles,
/// a Kafka producer and filler logic.
fn module(rng: &mut Rng, svc: &str, own: &str, fi: usize) -> String {
    let table = format!("{svc}_{own}");
    // A column of this file's own, so that the SQL texts of a monorepo are
    // as varied as real ones (repeated texts would flatter any cache).
    let attr = format!("attr_{fi}");
    let other = rng.pick(ENTITIES);
    let col = rng.pick(&["body", "owner_id", "created_at", "id"]);
    let topic = rng.pick(&[
        "content-events",
        "media-events",
        "user-events",
        "audit-events",
    ]);
    let mut s = String::new();
    let _ = write!(
        s,
        r####"//! Repository and handlers #{fi} of {svc}.

use sqlx::{{PgPool, QueryBuilder, Postgres}};
use rdkafka::producer::{{FutureProducer, FutureRecord}};
use std::time::Duration;

const LIST_SQL: &str = "SELECT id, owner_id, body, {attr} FROM {table} WHERE owner_id = $1 ORDER BY id DESC LIMIT $2";
const TOPIC: &str = "{topic}";

/// A row of `{table}`.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct Row{fi} {{
    pub id: i64,
    pub owner_id: i64,
    pub body: String,
}}

/// Data access for `{table}`.
pub struct Repo{fi} {{
    pool: PgPool,
    producer: FutureProducer,
}}

impl Repo{fi} {{
    pub async fn list(&self, owner: i64, limit: i64) -> Result<Vec<Row{fi}>, sqlx::Error> {{
        sqlx::query_as::<_, Row{fi}>(LIST_SQL)
            .bind(owner)
            .bind(limit)
            .fetch_all(&self.pool)
            .await
    }}

    pub async fn get(&self, id: i64) -> Result<Option<Row{fi}>, sqlx::Error> {{
        let row = sqlx::query_as!(
            Row{fi},
            r#"SELECT id, owner_id, body, {attr}
               FROM {table}
               WHERE id = $1"#,
            id
        )
        .fetch_optional(&self.pool)
        .await?;
        Ok(row)
    }}

    pub async fn create(&self, owner: i64, body: &str) -> Result<i64, sqlx::Error> {{
        let rec = sqlx::query!(
            "INSERT INTO {table} (owner_id, body, {attr}) VALUES ($1, $2, $3) RETURNING id",
            owner,
            body,
            {fi}i64
        )
        .fetch_one(&self.pool)
        .await?;
        self.publish(rec.id).await;
        Ok(rec.id)
    }}

    pub async fn update_column(&self, id: i64, value: &str) -> Result<(), sqlx::Error> {{
        let sql = format!("UPDATE {table} SET {{}} = $1, {attr} = {attr} + 1 WHERE id = $2", "{col}");
        sqlx::query(&sql).bind(value).bind(id).execute(&self.pool).await?;
        Ok(())
    }}

    pub async fn delete(&self, id: i64, hard: bool) -> Result<(), sqlx::Error> {{
        let q = if hard {{
            "DELETE FROM {table} WHERE id = $1 AND {attr} IS NOT NULL"
        }} else {{
            "UPDATE {table} SET body = '', {attr} = NULL WHERE id = $1"
        }};
        sqlx::query(q).bind(id).execute(&self.pool).await?;
        Ok(())
    }}

    pub async fn search(&self, ids: &[i64]) -> Result<Vec<Row{fi}>, sqlx::Error> {{
        let mut qb: QueryBuilder<Postgres> = QueryBuilder::new("SELECT id, owner_id, body, {attr} FROM {table} WHERE id IN (");
        let mut sep = qb.separated(", ");
        for id in ids {{
            sep.push_bind(*id);
        }}
        qb.push(")");
        qb.build_query_as::<Row{fi}>().fetch_all(&self.pool).await
    }}

    pub async fn foreign_read(&self, id: i64) -> Result<i64, sqlx::Error> {{
        let n: i64 = sqlx::query_scalar("SELECT count(*) FROM {other} WHERE id = $1 AND {attr} > 0")
            .bind(id)
            .fetch_one(&self.pool)
            .await?;
        Ok(n)
    }}

    async fn publish(&self, id: i64) {{
        let payload = format!("{{{{\"id\":{{}}}}}}", id);
        let key = id.to_string();
        let record = FutureRecord::to(TOPIC).payload(&payload).key(&key);
        let _ = self.producer.send(record, Duration::from_secs(1)).await;
    }}
}}

pub async fn legacy_count(client: &tokio_postgres::Client) -> Result<i64, tokio_postgres::Error> {{
    let rows = client.query("SELECT count(*) FROM {table}_audit WHERE event <> '{attr}'", &[]).await?;
    Ok(rows.first().map(|r| r.get::<_, i64>(0)).unwrap_or(0))
}}
"####
    );
    // Filler business logic without SQL, like real handler code.
    for k in 0..(3 + (rng.next() % 4) as usize) {
        let _ = write!(
            s,
            r#"
/// Validation step {k}.
pub fn validate_{k}(input: &str, limit: usize) -> Result<String, String> {{
    let trimmed = input.trim();
    if trimmed.is_empty() {{
        return Err("empty input".to_string());
    }}
    if trimmed.len() > limit {{
        return Err(format!("too long: {{}} > {{}}", trimmed.len(), limit));
    }}
    let words: Vec<&str> = trimmed.split_whitespace().collect();
    let mut out = String::with_capacity(trimmed.len());
    for (i, w) in words.iter().enumerate() {{
        if i > 0 {{
            out.push(' ');
        }}
        match w.len() {{
            0 => {{}}
            1..=3 => out.push_str(&w.to_lowercase()),
            _ => out.push_str(w),
        }}
    }}
    Ok(out)
}}
"#
        );
    }
    let _ = write!(
        s,
        "\n#[cfg(test)]\nmod tests {{\n    use super::*;\n\n    #[test]\n    fn validates() {{\n        assert!(validate_0(\"\", 10).is_err());\n        assert_eq!(validate_0(\"a B\", 10).unwrap(), \"a B\");\n    }}\n}}\n"
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generates_parseable_rust() {
        let dir = tempfile::tempdir().unwrap();
        let stats = generate(dir.path(), 2, 3).unwrap();
        assert_eq!(stats.rust_files, 2 * 3 + 1);
        for entry in [
            "services/svc000/src/m001.rs",
            "services/svc001/src/main.rs",
            "libs/shared-db/src/lib.rs",
        ] {
            let text = std::fs::read_to_string(dir.path().join(entry)).unwrap();
            syn::parse_file(&text).unwrap_or_else(|e| panic!("{entry}: {e}"));
        }
    }
}
