//! diesel and SeaORM on fixture crates: every query shape of issue 13,
//! positive and negative, read into the same matrix as SQL, with the
//! source marked and N007 only for calls nova cannot resolve.

use crate::support::*;
use serde_json::Value;
use std::collections::BTreeSet;

fn row(t: &str, op: &str, at: &str, source: &str) -> (String, String, String, String) {
    (t.into(), op.into(), at.into(), source.into())
}

#[test]
fn diesel_shapes_are_read_exactly() {
    let m = scan(&fixture("diesel-shapes"), &[]);
    assert_eq!(
        access_set(&m),
        triples(&[
            ("diesel-svc", "audit.sessions", "CR"),
            ("diesel-svc", "blog_posts", "CRU"),
            ("diesel-svc", "comments", "RD"),
            ("diesel-svc", "users", "CRUD"),
        ])
    );
    let want: BTreeSet<_> = [
        // insert_into(users::table)
        row("users", "C", "src/db.rs:8", "diesel"),
        // crate::schema::users::table.find(id)
        row("users", "R", "src/db.rs:12", "diesel"),
        // update(user): the model's table
        row("users", "U", "src/db.rs:16", "diesel"),
        // user.save_changes(conn), `user: User`
        row("users", "U", "src/db.rs:21", "diesel"),
        // delete(users::table.filter(..)): D only, not also R
        row("users", "D", "src/db.rs:25", "diesel"),
        // users::table.inner_join(posts::table): both read
        row("users", "R", "src/db.rs:29", "diesel"),
        row("blog_posts", "R", "src/db.rs:29", "diesel"),
        // Post::belonging_to(user)
        row("blog_posts", "R", "src/db.rs:33", "diesel"),
        // delete(Comment::belonging_to(user)): Comment's default table
        row("comments", "D", "src/db.rs:37", "diesel"),
        // insert_into(..).on_conflict(..).do_update(): C and U
        row("blog_posts", "C", "src/db.rs:41", "diesel"),
        row("blog_posts", "U", "src/db.rs:44", "diesel"),
        // diesel::sql_query("..."): SQL, through the SQL parser
        row("audit.sessions", "R", "src/db.rs:50", "sql"),
        // `use crate::schema::comments::dsl::*` then `comments`
        row("comments", "R", "src/dsl_style.rs:7", "diesel"),
        // `use crate::schema::users::dsl::users` inside the function
        row("users", "R", "src/dsl_style.rs:12", "diesel"),
        row("comments", "D", "src/dsl_style.rs:16", "diesel"),
        // diesel-async: the same builders, awaited
        row("blog_posts", "U", "src/async_db.rs:7", "diesel"),
        row("audit.sessions", "C", "src/async_db.rs:14", "diesel"),
        // `let posts = posts::table...`: the local `posts` is no table
        row("blog_posts", "R", "src/async_db.rs:21", "diesel"),
    ]
    .into_iter()
    .collect();
    assert_eq!(located(&m, "diesel-svc", "source"), want);
    // Exactly one call nova cannot resolve, named with its place.
    let orm = diags(&m, "orm-not-analysed");
    assert_eq!(orm.len(), 1, "{orm:#?}");
    assert_eq!(diag_at(orm[0]), "src/db.rs:54");
    assert!(
        diag_text(orm[0]).contains("diesel::delete(build_filter(q))"),
        "{orm:#?}"
    );
    // The migrations create every declared table (`tags` is declared and
    // created but never used: no access); `down.sql` drops nothing.
    assert!(diags(&m, "orm-schema-drift").is_empty());
    assert!(diags(&m, "table-not-in-catalog").is_empty());
}

#[test]
fn diesel_access_carries_the_call() {
    let m = scan(&fixture("diesel-shapes"), &[]);
    let create = accesses_of(&m, "diesel-svc", "users")
        .into_iter()
        .find(|a| a["op"] == "C")
        .cloned()
        .unwrap_or_default();
    assert_eq!(create["orm_call"], "diesel::insert_into");
    assert_eq!(create["function"], "db::create");
    assert_eq!(create["confidence"], "high");
    let sql = accesses_of(&m, "diesel-svc", "audit.sessions")
        .into_iter()
        .find(|a| a["op"] == "R")
        .cloned()
        .unwrap_or_default();
    assert_eq!(sql["source"], "sql");
    assert!(sql.get("orm_call").is_none_or(Value::is_null));
}

#[test]
fn sea_orm_shapes_are_read_exactly() {
    let m = scan(&fixture("sea-orm-shapes"), &[]);
    assert_eq!(
        access_set(&m),
        triples(&[
            ("shop-api", "cake", "CRUD"),
            ("shop-api", "cake_filling", "CRD"),
            ("shop-api", "filling", "R"),
            ("shop-api", "fruit", "CRUD"),
        ])
    );
    let f = "shop-api/src/bakery.rs";
    let at = |line: u32| format!("{f}:{line}");
    let want: BTreeSet<_> = [
        // Cake::find() (alias from the generated prelude)
        row("cake", "R", &at(7), "sea-orm"),
        // find_with_related(Fruit)
        row("cake", "R", &at(8), "sea-orm"),
        row("fruit", "R", &at(8), "sea-orm"),
        // fruit::Entity::find().find_also_related(Cake)
        row("fruit", "R", &at(9), "sea-orm"),
        row("cake", "R", &at(9), "sea-orm"),
        // find_linked(cake::CakeToFilling): every entity of the link
        row("filling", "R", &at(10), "sea-orm"),
        row("cake_filling", "R", &at(10), "sea-orm"),
        row("cake", "R", &at(10), "sea-orm"),
        // Fruit::find().join(.., fruit::Relation::Cake.def())
        row("fruit", "R", &at(11), "sea-orm"),
        row("cake", "R", &at(12), "sea-orm"),
        // cake::ActiveModel { .. }.insert(db)
        row("cake", "C", &at(24), "sea-orm"),
        // Fruit::insert_many(..), CakeFilling::insert(..)
        row("fruit", "C", &at(25), "sea-orm"),
        row("cake_filling", "C", &at(32), "sea-orm"),
        // Cake::find_by_id(..), then the model turned active and updated
        row("cake", "R", &at(42), "sea-orm"),
        row("cake", "U", &at(47), "sea-orm"),
        // Fruit::update_many()
        row("fruit", "U", &at(48), "sea-orm"),
        // am.save(db): insert or update, both
        row("fruit", "C", &at(57), "sea-orm"),
        row("fruit", "U", &at(57), "sea-orm"),
        // delete_many, delete_by_id, model.delete(db)
        row("cake_filling", "D", &at(62), "sea-orm"),
        row("fruit", "D", &at(66), "sea-orm"),
        row("cake", "R", &at(67), "sea-orm"),
        row("cake", "D", &at(68), "sea-orm"),
    ]
    .into_iter()
    .collect();
    assert_eq!(located(&m, "shop-api", "source"), want);
    // `save` is marked: low confidence, the call says what it may be.
    for a in accesses_of(&m, "shop-api", "fruit")
        .into_iter()
        .filter(|a| a["location"]["line"] == 57)
    {
        assert_eq!(a["confidence"], "low", "{a:#}");
        assert_eq!(a["orm_call"], "ActiveModel::save (insert or update)");
    }
    // Only the save on a value of unknown entity is reported.
    let orm = diags(&m, "orm-not-analysed");
    assert_eq!(orm.len(), 1, "{orm:#?}");
    assert_eq!(diag_at(orm[0]), at(75));
    assert!(diag_text(orm[0]).contains("thing.save(db)"), "{orm:#?}");
}

#[test]
fn sea_orm_migrations_build_the_catalog() {
    let m = scan(&fixture("sea-orm-shapes"), &[]);
    let migrations: BTreeSet<(String, String, String)> = m["migrations"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|x| {
            (
                x["file"].as_str().unwrap_or_default().to_string(),
                x["service"].as_str().unwrap_or_default().to_string(),
                x["tool"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let mig = |f: &str| {
        (
            format!("migration/src/{f}.rs"),
            "shop-api".to_string(),
            "sea-orm".to_string(),
        )
    };
    assert_eq!(
        migrations,
        [
            mig("m20220101_000001_create_table"),
            mig("m20220301_000001_create_review")
        ]
        .into_iter()
        .collect()
    );
    // Every table is created (and not dropped: `down` undoes, it is not
    // part of the schema), `review` included though nothing queries it.
    assert_eq!(
        catalog(&m),
        set(&["cake", "cake_filling", "filling", "fruit", "review"])
    );
    let cake = m["tables"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| t["name"] == "cake")
        .cloned()
        .unwrap_or_default();
    assert_eq!(
        cake["events"][0]["location"]["file"],
        "migration/src/m20220101_000001_create_table.rs"
    );
    assert_eq!(cake["events"][0]["location"]["line"], 12);
    assert!(diags(&m, "table-not-in-catalog").is_empty());
    assert!(diags(&m, "orm-schema-drift").is_empty());
}

/// Declarations alone (a `table!`, a model, an entity) give no access and,
/// unlike before, no diagnostic either.
#[test]
fn orm_declarations_alone_give_nothing() {
    let m = scan(&fixture("orm"), &[]);
    assert_eq!(access_set(&m), triples(&[("orm-svc", "flags", "R")]));
    assert!(diags(&m, "orm-not-analysed").is_empty());
}

/// ORM queries in test code follow the SQL rule: out unless asked for.
#[test]
fn orm_queries_in_tests_follow_include_tests() {
    let m = scan(&fixture("orm-tests"), &[]);
    assert_eq!(access_set(&m), triples(&[("orm-test-svc", "widgets", "R")]));
    let m = scan(&fixture("orm-tests"), &["--include-tests"]);
    assert_eq!(
        access_set(&m),
        triples(&[("orm-test-svc", "widgets", "CRD")])
    );
}
