//! The ORM collector's hooks in the one walk ([`crate::walk`]) read what
//! `nova_orm::collect`'s own traversal of the same hooks reads: no pattern,
//! no signature, no declaration's contents, no called path; macro bodies as
//! expressions, or as statements.

use crate::parse_file;
use nova_orm::FileOrm;

/// Every shape whose nodes the one walk visits differently from the ORM
/// collector's own traversal.
const EDGES: &str = r#"use diesel::prelude::*;
use crate::schema::users::dsl::*;
use crate::schema::{posts, comments};
use sea_orm::entity::prelude::*;

struct Buf { a: [u8; users::table], b: [u8; LEN] }
enum E { A = users::table, B }

fn f(conn: &mut PgConnection, users: i32) {
    match x { posts::table => {}, Some(y) if let Some(z) = y => { z.load(conn); } _ => {} }
    if let Some(p) = posts::table.first::<Post>(conn).ok() && let Ok(c) = comments::table.load::<Comment>(conn) {
        p.save(conn);
    } else if let Some(q) = Some(posts::table) { q.load(conn); } else { users.load(conn); }
    for posts in vec![1, 2] { posts.filter(id.eq(1)).load(conn); }
    posts::table.filter(posts::id.eq(1)).load::<Post>(conn);
    while let Some(comments) = it.next() { comments.load(conn); }
    let cl = |posts: i32| posts::table.count();
    let v = vec![posts::table.count(), users.count()];
    assert!(diesel::insert_into(posts::table).values(&v).execute(conn).is_ok());
    tokio::select! { a = posts::table.load(conn) => {}, }
    my_mac! { let posts = 1; posts::table.load(conn); posts.load(conn); }
    let y = { let posts = 3; posts::table.first(conn) };
    diesel::update(posts::table).set(posts::title.eq("x")).execute(conn);
    posts(1);
    format!("{}", posts::table.count());
    let Post { id, .. } = Post::find(conn);
    if (let Some(comments) = foo) || bar { comments.load(conn); }
}
diesel::table! { things (id) { id -> Int4, } }
println!("{}", posts::table.count());
my_items! { fn g() { posts::table.load(conn); } }
mod inner { use super::*; fn h() { posts::table.load(conn); } #[cfg(test)] mod tests { fn t() { crate::schema::users::table.load(c); } } }
mod outer;
impl Entity { async fn k(db: &DbConn) { Entity::find().all(db).await; cake::Entity::insert(am).exec(db).await; } }
trait T { fn d(&self) { posts::table.load(c); } fn e(&self); }
"#;

fn one_walk(src: &str) -> FileOrm {
    match parse_file(src, false) {
        Ok(facts) => facts.orm,
        Err(e) => panic!("parses: {e}"),
    }
}

fn alone(src: &str) -> FileOrm {
    match syn::parse_file(src) {
        Ok(file) => nova_orm::collect(&file, false, crate::sql::shapes::has_test_attr),
        Err(e) => panic!("parses: {e}"),
    }
}

/// The lines of the table reads found.
fn read_lines(orm: &FileOrm) -> Vec<u32> {
    let mut lines: Vec<u32> = orm
        .queries
        .iter()
        .filter(|q| q.call == "table reference")
        .map(|q| q.line)
        .collect();
    lines.sort();
    lines
}

#[test]
fn the_one_walk_reads_what_the_orm_collector_reads_alone() {
    let orm = one_walk(EDGES);
    assert_eq!(orm, alone(EDGES));
    // Not patterns (10, the `for` and `while` bindings 14 and 16),
    // declarations (6, 7), called paths (24) or SQL/formatting macros (25);
    // statement macros (21), item macros (30) and nested modules are read.
    assert_eq!(
        read_lines(&orm),
        [11, 11, 13, 15, 17, 18, 21, 22, 30, 31, 32, 32, 35]
    );
    let in_test: Vec<u32> = orm
        .queries
        .iter()
        .filter(|q| q.in_test)
        .map(|q| q.line)
        .collect();
    assert_eq!(in_test, [32]);
    let calls: Vec<&str> = orm.queries.iter().map(|q| q.call.as_str()).collect();
    for call in [
        "diesel::insert_into",
        "diesel::update",
        "Entity::find",
        "Entity::insert",
    ] {
        assert!(calls.contains(&call), "{call} in {calls:?}");
    }
    assert_eq!(orm.diesel_tables.len(), 1);
}

#[test]
fn the_one_walk_reads_the_orm_fixtures_as_the_orm_collector_alone() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../cli/tests/fixtures");
    let mut files = 0;
    let mut queries = 0;
    for dir in [
        "orm",
        "diesel-shapes",
        "sea-orm-shapes",
        "orm-tests",
        "orm-outbox",
        "orm-outbox-shapes",
        "orm-outbox-rows",
    ] {
        let mut stack = vec![std::path::PathBuf::from(root).join(dir)];
        while let Some(d) = stack.pop() {
            let Ok(entries) = std::fs::read_dir(&d) else {
                continue;
            };
            for e in entries.flatten() {
                let path = e.path();
                if path.is_dir() {
                    stack.push(path);
                } else if path.extension().is_some_and(|x| x == "rs")
                    && let Ok(src) = std::fs::read_to_string(&path)
                    && nova_orm::mentions_orm(&src)
                {
                    let orm = one_walk(&src);
                    assert_eq!(orm, alone(&src), "{}", path.display());
                    files += 1;
                    queries += orm.queries.len();
                }
            }
        }
    }
    assert!(
        files > 10 && queries > 50,
        "{files} files, {queries} queries"
    );
}

/// A table read in a macro's arguments counts after inserts in other
/// macros: the walk of a macro body forgets what it consumed by address
/// (the address of a freed body's table reference can come back in a
/// later body, which then read no table).
#[test]
fn reads_in_macros_after_inserts_in_macros_all_count() {
    let mut src = String::from(
        "use diesel::prelude::*;\nuse crate::schema::posts;\n\nfn f(conn: &mut PgConnection) {\n",
    );
    for _ in 0..8 {
        src.push_str(
            "    assert!(diesel::insert_into(posts::table).default_values().execute(conn).is_ok());\n",
        );
        src.push_str("    assert!(posts::table.count().get_result::<i64>(conn).is_ok());\n");
    }
    src.push_str("}\n");
    for orm in [one_walk(&src), alone(&src)] {
        let reads = read_lines(&orm);
        assert_eq!(reads.len(), 8, "{reads:?}");
        let inserts = orm
            .queries
            .iter()
            .filter(|q| q.call == "diesel::insert_into");
        assert_eq!(inserts.count(), 8);
    }
}
