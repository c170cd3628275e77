//! Unit tests: every shape of the crate docs, positive and negative, on
//! small files resolved against their schema.

use crate::*;
use std::collections::BTreeSet;

/// `#[test]` and `#[cfg(test)]` (`nova-rust` gives its own rule).
fn is_test(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("test")
            || (a.path().is_ident("cfg")
                && quote::ToTokens::to_token_stream(&a.meta)
                    .to_string()
                    .contains("test"))
    })
}

fn facts(src: &str) -> FileOrm {
    let file = syn::parse_file(src).unwrap_or_else(|e| panic!("{e}\n{src}"));
    collect(&file, false, is_test)
}

/// Files of one package: (path, module, source).
fn resolve_all(files: &[(&str, &[&str], &str)]) -> (BTreeSet<(String, String)>, Vec<String>) {
    let parsed: Vec<(String, Vec<String>, FileOrm)> = files
        .iter()
        .map(|(p, m, src)| {
            (
                p.to_string(),
                m.iter().map(|s| s.to_string()).collect(),
                facts(src),
            )
        })
        .collect();
    let schema = Schema::new(
        parsed.iter().map(|(p, m, o)| SchemaFile {
            package: "app",
            path: p,
            module: m,
            orm: o,
        }),
        &["public".to_string()],
    );
    let visible = |_: &str| true;
    let mut got = BTreeSet::new();
    let mut errors = Vec::new();
    for (p, m, o) in &parsed {
        for q in &o.queries {
            let module: Vec<String> = m.iter().chain(&q.module).cloned().collect();
            let site = Site {
                package: "app",
                file: p,
                module: &module,
                visible: &visible,
            };
            match schema.resolve(q.orm, &q.target, &site) {
                Ok(tables) => {
                    for t in tables {
                        got.insert((t, q.op.letter().to_string()));
                    }
                }
                Err(e) if q.strict => errors.push(format!("{}:{} {e}", q.line, q.text)),
                Err(_) => {}
            }
        }
        for u in &o.unknown {
            errors.push(format!("{}:{} unknown: {}", u.line, u.text, u.why));
        }
    }
    (got, errors)
}

fn ops(pairs: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    pairs
        .iter()
        .flat_map(|(t, ops)| ops.chars().map(move |o| (t.to_string(), o.to_string())))
        .collect()
}

const SCHEMA: &str = r#"
// @generated automatically by Diesel CLI.
diesel::table! {
    users (id) {
        id -> Int4,
        name -> Text,
    }
}
diesel::table! {
    #[sql_name = "blog_posts"]
    posts (id) {
        id -> Int4,
        user_id -> Int4,
        published -> Bool,
    }
}
table! {
    use diesel::sql_types::*;
    audit.events (id) { id -> Int8, }
}
diesel::joinable!(posts -> users (user_id));
diesel::allow_tables_to_appear_in_same_query!(posts, users);
"#;

#[test]
fn diesel_schema_is_read() {
    let f = facts(SCHEMA);
    let t: Vec<(&str, &str, u32)> = f
        .diesel_tables
        .iter()
        .map(|t| (t.ident.as_str(), t.name.as_str(), t.line))
        .collect();
    assert_eq!(
        t,
        vec![
            ("users", "users", 4),
            ("posts", "blog_posts", 11),
            ("events", "audit.events", 19)
        ]
    );
    assert_eq!(f.diesel_joins.len(), 2);
    assert!(f.queries.is_empty() && f.unknown.is_empty(), "{f:#?}");
}

#[test]
fn diesel_tables_named_every_way() {
    let code = r#"
use diesel::prelude::*;
use crate::schema::users;
use crate::schema::posts::dsl::*;

fn a(conn: &mut PgConnection) {
    users::table.filter(users::name.eq("x")).load::<User>(conn);
}
fn b(conn: &mut PgConnection) {
    posts.filter(published.eq(true)).load::<Post>(conn);
}
fn c(conn: &mut PgConnection) {
    crate::schema::events::table.count().get_result::<i64>(conn);
}
"#;
    let (got, errors) = resolve_all(&[
        ("src/schema.rs", &["schema"], SCHEMA),
        ("src/main.rs", &[], code),
    ]);
    assert_eq!(
        got,
        ops(&[("users", "R"), ("blog_posts", "R"), ("audit.events", "R")])
    );
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn diesel_writes_and_reads() {
    let code = r#"
use diesel::prelude::*;
use crate::schema::{users, posts};

pub fn create(conn: &mut PgConnection, new: &NewUser) {
    diesel::insert_into(users::table).values(new).execute(conn);
}
pub fn publish(conn: &mut PgConnection, id: i32) {
    diesel::update(posts::table.find(id)).set(posts::published.eq(true)).execute(conn);
}
pub fn purge(conn: &mut PgConnection) {
    diesel::delete(posts::table.filter(posts::user_id.eq_any(users::table.select(users::id)))).execute(conn);
}
pub fn feed(conn: &mut PgConnection) {
    users::table.inner_join(posts::table).select((users::name, posts::id)).load::<(String, i32)>(conn);
}
"#;
    let (got, errors) = resolve_all(&[
        ("src/schema.rs", &["schema"], SCHEMA),
        ("src/db.rs", &["db"], code),
    ]);
    assert_eq!(got, ops(&[("users", "CR"), ("blog_posts", "RUD")]));
    assert!(errors.is_empty(), "{errors:#?}");
    // The delete's own table is not also read; the subquery's is.
    let f = facts(code);
    let purge: Vec<(String, Op)> = f
        .queries
        .iter()
        .filter(|q| q.function.as_deref() == Some("purge"))
        .map(|q| (q.text.clone(), q.op))
        .collect();
    assert_eq!(purge.len(), 2, "{purge:#?}");
    assert_eq!(purge.iter().filter(|(_, op)| *op == Op::Read).count(), 1);
}

#[test]
fn a_local_named_like_a_table_is_not_a_table() {
    let code = r#"
use diesel::prelude::*;
use crate::schema::users;

fn list(conn: &mut PgConnection) -> usize {
    let users = users::table.load::<User>(conn).unwrap();
    users.iter().filter(|u| u.active).count()
}
fn param(users: Vec<User>) -> usize {
    users.len()
}
fn closure(all: Vec<Vec<User>>) {
    all.iter().map(|users| users.len());
    for users in all {}
}
fn dsl(conn: &mut PgConnection) -> i64 {
    use crate::schema::posts::dsl::*;
    posts.count().get_result(conn).unwrap()
}
fn outside_the_glob(posts: Vec<i32>) -> usize {
    posts.len()
}
"#;
    let f = facts(code);
    let reads: Vec<(u32, &str)> = f
        .queries
        .iter()
        .map(|q| (q.line, q.text.as_str()))
        .collect();
    assert_eq!(
        reads,
        vec![(6, "users::table"), (18, "posts")],
        "{:#?}",
        f.queries
    );
    // The shadowing itself (code rustc would reject, but a scan must not
    // trust): a local hides an imported table.
    let code = r#"
use crate::schema::users::dsl::*;
fn f() {
    let users = vec![1];
    users.len();
}
"#;
    assert!(facts(code).queries.is_empty());
}

#[test]
fn a_model_that_is_never_used_gives_nothing() {
    let code = r#"
use diesel::prelude::*;
#[derive(Queryable, Selectable, Insertable)]
#[diesel(table_name = crate::schema::users)]
pub struct User { pub id: i32 }
"#;
    let f = facts(code);
    assert_eq!(f.diesel_models.len(), 1);
    assert_eq!(f.diesel_models[0].table, vec!["crate", "schema", "users"]);
    assert!(f.queries.is_empty());
}

#[test]
fn diesel_values_of_models() {
    let models = r#"
use diesel::prelude::*;
#[derive(Queryable, Identifiable, AsChangeset)]
#[diesel(table_name = crate::schema::users)]
pub struct User { pub id: i32, pub name: String }
#[derive(Identifiable, Associations)]
#[diesel(belongs_to(User))]
pub struct Post { pub id: i32 }
"#;
    let code = r#"
use diesel::prelude::*;
use crate::models::{User, Post};
use crate::schema::users;

fn rename(conn: &mut PgConnection, user: &User) {
    diesel::update(user).set(users::name.eq("x")).execute(conn);
}
fn save(conn: &mut PgConnection, mut user: User) {
    user.name = "y".into();
    user.save_changes::<User>(conn);
}
fn drop_posts(conn: &mut PgConnection, id: i32) {
    let user = users::table.find(id).first::<User>(conn).unwrap();
    diesel::delete(Post::belonging_to(&user)).execute(conn);
}
fn read_posts(conn: &mut PgConnection, user: &User) {
    Post::belonging_to(user).load::<Post>(conn);
}
fn unknown(conn: &mut PgConnection, thing: Thing) {
    thing.save_changes(conn);
    diesel::delete(make_query()).execute(conn);
}
"#;
    let (got, errors) = resolve_all(&[
        ("src/schema.rs", &["schema"], SCHEMA),
        ("src/models.rs", &["models"], models),
        ("src/main.rs", &[], code),
    ]);
    // `Post` has no table_name: diesel's default, `posts` (the module),
    // whose SQL name is `blog_posts`.
    assert_eq!(got, ops(&[("users", "RU"), ("blog_posts", "RD")]));
    assert_eq!(errors.len(), 2, "{errors:#?}");
    assert!(
        errors[0].contains("`Thing` is not a diesel model"),
        "{errors:#?}"
    );
    assert!(
        errors[1].contains("diesel::delete(make_query())"),
        "{errors:#?}"
    );
}

#[test]
fn diesel_upserts_and_async() {
    let code = r#"
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use crate::schema::users::dsl::*;

async fn upsert(conn: &mut AsyncPgConnection, u: &NewUser<'_>) {
    diesel::insert_into(users)
        .values(u)
        .on_conflict(id)
        .do_update()
        .set(name.eq(excluded(name)))
        .execute(conn)
        .await;
}
async fn replace(conn: &mut AsyncPgConnection, u: &NewUser<'_>) {
    diesel::replace_into(users).values(u).execute(conn).await;
}
"#;
    let (got, errors) = resolve_all(&[
        ("src/schema.rs", &["schema"], SCHEMA),
        ("src/main.rs", &[], code),
    ]);
    assert_eq!(got, ops(&[("users", "CU")]));
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn non_diesel_calls_are_left_alone() {
    let code = r#"
use diesel::prelude::*;
fn f(state: &mut State, cache: &Cache) {
    update(&mut state.counter);
    client::delete(url);
    cache.table.get("x");
    other::table();
    let table = 3;
    table + 1;
}
"#;
    let f = facts(code);
    assert!(f.queries.is_empty(), "{:#?}", f.queries);
    assert!(f.unknown.is_empty(), "{:#?}", f.unknown);
}

const CAKE: &str = r#"
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "cake")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub name: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(has_many = "super::fruit::Entity")]
    Fruit,
}

impl Related<super::fruit::Entity> for Entity {
    fn to() -> RelationDef { Relation::Fruit.def() }
}

impl ActiveModelBehavior for ActiveModel {}
"#;

const FRUIT: &str = r#"
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "fruit", schema_name = "public")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub cake_id: Option<i32>,
}

#[derive(Copy, Clone, Debug, EnumIter)]
pub enum Relation { Cake }

impl RelationTrait for Relation {
    fn def(&self) -> RelationDef {
        match self {
            Self::Cake => Entity::belongs_to(super::cake::Entity)
                .from(Column::CakeId)
                .to(super::cake::Column::Id)
                .into(),
        }
    }
}
impl ActiveModelBehavior for ActiveModel {}
"#;

const FILLING: &str = r#"
use sea_orm::entity::prelude::*;

#[derive(Copy, Clone, Default, Debug, DeriveEntity)]
pub struct Entity;

impl EntityName for Entity {
    fn table_name(&self) -> &str {
        "filling"
    }
}
"#;

const PRELUDE: &str = r#"
pub use super::cake::Entity as Cake;
pub use super::fruit::Entity as Fruit;
pub use super::filling::Entity as Filling;
"#;

fn sea_files(code: &'static str) -> Vec<(&'static str, &'static [&'static str], &'static str)> {
    vec![
        ("src/entities/cake.rs", &["entities", "cake"], CAKE),
        ("src/entities/fruit.rs", &["entities", "fruit"], FRUIT),
        ("src/entities/filling.rs", &["entities", "filling"], FILLING),
        ("src/entities/prelude.rs", &["entities", "prelude"], PRELUDE),
        ("src/main.rs", &[], code),
    ]
}

#[test]
fn sea_entities_are_read() {
    let f = facts(CAKE);
    assert_eq!(f.entities.len(), 1);
    assert_eq!(f.entities[0].table, "cake");
    assert_eq!(f.entities[0].line, 5);
    assert_eq!(f.relations.len(), 1);
    assert!(f.queries.is_empty(), "{:#?}", f.queries);
    let f = facts(FRUIT);
    assert_eq!(f.entities[0].table, "public.fruit");
    assert_eq!(f.relations[0].variant, "Cake");
    assert_eq!(f.relations[0].target, vec!["super", "cake", "Entity"]);
    assert_eq!(facts(FILLING).entities[0].table, "filling");
    assert_eq!(facts(PRELUDE).aliases.len(), 3);
}

#[test]
fn sea_finds_and_related() {
    let code = r#"
use sea_orm::*;
use crate::entities::{prelude::*, cake, fruit};

async fn reads(db: &DatabaseConnection) -> Result<(), DbErr> {
    let cakes = Cake::find().all(db).await?;
    let one = cake::Entity::find_by_id(1).one(db).await?;
    let pairs = Cake::find().find_also_related(Fruit).all(db).await?;
    let joined = fruit::Entity::find()
        .join(JoinType::InnerJoin, fruit::Relation::Cake.def())
        .all(db)
        .await?;
    Ok(())
}
"#;
    let (got, errors) = resolve_all(&sea_files(code));
    assert_eq!(got, ops(&[("cake", "R"), ("fruit", "R")]));
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn sea_writes() {
    let code = r#"
use sea_orm::{entity::*, query::*, DatabaseConnection};
use crate::entities::{cake, fruit, prelude::Filling};

async fn writes(db: &DatabaseConnection) -> Result<(), DbErr> {
    let apple = fruit::ActiveModel { name: Set("Apple".into()), ..Default::default() };
    let apple = apple.insert(db).await?;
    cake::Entity::insert_many(vec![]).exec(db).await?;
    let mut pear: fruit::ActiveModel = apple.into();
    pear.update(db).await?;
    Filling::update_many().col_expr(cake::Column::Name, Expr::value("x")).exec(db).await?;
    Filling::delete_by_id(3).exec(db).await?;
    let c = cake::Entity::find_by_id(1).one(db).await?.unwrap();
    c.delete(db).await?;
    Ok(())
}
"#;
    let (got, errors) = resolve_all(&sea_files(code));
    assert_eq!(
        got,
        ops(&[("fruit", "CU"), ("cake", "CRD"), ("filling", "UD")])
    );
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn sea_save_is_both_and_marked() {
    let code = r#"
use sea_orm::ActiveModelTrait;
use crate::entities::cake;

async fn upsert(db: &DbConn, am: cake::ActiveModel) {
    am.save(db).await.unwrap();
}
async fn unknown(db: &DbConn) {
    let thing = make_one();
    thing.save(db).await.unwrap();
    let mut seen = Vec::new();
    seen.insert(0, 3);
    let mut set = HashSet::new();
    set.insert(3);
}
"#;
    let f = facts(code);
    let save: Vec<(Op, bool)> = f
        .queries
        .iter()
        .filter(|q| q.strict)
        .map(|q| (q.op, q.either))
        .collect();
    assert_eq!(save, vec![(Op::Create, true), (Op::Update, true)]);
    assert_eq!(f.unknown.len(), 1, "{:#?}", f.unknown);
    assert_eq!(f.unknown[0].text, "thing.save(db)");
    let (got, _) = resolve_all(&sea_files(code));
    assert_eq!(got, ops(&[("cake", "CU")]));
}

#[test]
fn sea_migrations() {
    let code = r#"
use sea_orm_migration::prelude::*;

pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Post::Table)
                    .if_not_exists()
                    .col(ColumnDef::new(Post::Id).integer().not_null().primary_key())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(Table::create().table(BakeryChef::Table).to_owned())
            .await?;
        manager
            .create_table(Table::create().table(Alias::new("audit_log")).to_owned())
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table(Post::Table).to_owned()).await
    }
}

#[derive(DeriveIden)]
enum Post {
    Table,
    Id,
}

#[derive(Iden)]
enum BakeryChef {
    #[iden = "chefs"]
    Table,
}
"#;
    let f = facts(code);
    let steps: Vec<(TableEventKind, u32)> = f.migrations.iter().map(|m| (m.kind, m.line)).collect();
    assert_eq!(
        steps,
        vec![
            (TableEventKind::Create, 12),
            (TableEventKind::Create, 19),
            (TableEventKind::Create, 22),
            (TableEventKind::Drop, 27)
        ]
    );
    let schema = Schema::new(
        [SchemaFile {
            package: "migration",
            path: "m1.rs",
            module: &[],
            orm: &f,
        }],
        &[],
    );
    let file = SchemaFile {
        package: "migration",
        path: "m1.rs",
        module: &[],
        orm: &f,
    };
    let (changes, failed) = schema.migrations(&file, &|_| true);
    let tables: Vec<&str> = changes.iter().map(|c| c.table.as_str()).collect();
    // The `down` of the migration is not part of the schema.
    assert_eq!(tables, vec!["post", "chefs", "audit_log"]);
    assert!(failed.is_empty());
}

#[test]
fn sea_relations_links_and_loaders() {
    let link = r#"
use sea_orm::entity::prelude::*;
pub struct CakeToFruit;
impl Linked for CakeToFruit {
    type FromEntity = super::cake::Entity;
    type ToEntity = super::fruit::Entity;
    fn link(&self) -> Vec<RelationDef> {
        vec![super::cake::Relation::Fruit.def()]
    }
}
"#;
    let code = r#"
use sea_orm::*;
use crate::entities::{cake, fruit, links, prelude::*};

async fn reads(db: &DatabaseConnection, c: cake::Model) -> Result<(), DbErr> {
    c.find_related(Fruit).all(db).await?;
    Cake::find().find_linked(links::CakeToFruit).all(db).await?;
    let cakes = Cake::find().all(db).await?;
    cakes.load_many(Fruit, db).await?;
    Fruit::find()
        .join_rev(JoinType::InnerJoin, cake::Relation::Fruit.def())
        .all(db)
        .await?;
    Cake::find().join(JoinType::LeftJoin, <cake::Entity as Related<fruit::Entity>>::to()).all(db).await?;
    Ok(())
}
"#;
    let mut files = sea_files(code);
    files.push(("src/entities/links.rs", &["entities", "links"], link));
    let (got, errors) = resolve_all(&files);
    assert_eq!(got, ops(&[("cake", "R"), ("fruit", "R")]));
    assert!(errors.is_empty(), "{errors:#?}");
    let f = facts(link);
    assert_eq!(f.links.len(), 1);
    // ToEntity, then both ends of the relation.
    assert_eq!(f.links[0].targets.len(), 3, "{:#?}", f.links);
}

#[test]
fn sea_upserts_and_unknown_entities() {
    let code = r#"
use sea_orm::{sea_query::OnConflict, *};
use crate::entities::{cake, prelude::*};

async fn upsert(db: &DbConn, am: cake::ActiveModel) -> Result<(), DbErr> {
    Cake::insert(am)
        .on_conflict(OnConflict::column(cake::Column::Id).update_column(cake::Column::Name).to_owned())
        .exec(db)
        .await?;
    Ok(())
}
async fn ignore(db: &DbConn, am: cake::ActiveModel) -> Result<(), DbErr> {
    Cake::insert(am)
        .on_conflict(OnConflict::column(cake::Column::Id).do_nothing().to_owned())
        .exec(db)
        .await?;
    Ok(())
}
async fn not_an_entity(db: &DbConn) {
    other::Entity::find().all(db).await;
}
"#;
    let (got, errors) = resolve_all(&sea_files(code));
    assert_eq!(got, ops(&[("cake", "CU")]));
    // `other::Entity` is an entity by its shape but none the scan found.
    assert_eq!(errors.len(), 1, "{errors:#?}");
    assert!(errors[0].contains("other::Entity"), "{errors:#?}");
}

#[test]
fn sea_migration_forms() {
    let code = r#"
use sea_orm_migration::prelude::*;
use sea_orm::Schema;
pub struct Migration;
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let schema = Schema::new(manager.get_database_backend());
        manager.create_table(schema.create_table_from_entity(crate::entities::cake::Entity)).await?;
        manager.rename_table(Table::rename().table(Old::Table, Alias::new("new_name")).to_owned()).await?;
        manager.alter_table(Table::alter().table(Post::Table).add_column(ColumnDef::new(Post::Slug).string()).to_owned()).await
    }
}
#[derive(DeriveIden)]
enum Old {
    #[sea_orm(iden = "legacy_posts")]
    Table,
}
#[derive(DeriveIden)]
enum Post { Table, Slug }
"#;
    let mut files = sea_files("");
    files.push(("migration/src/m1.rs", &["m1"], code));
    let parsed: Vec<(Vec<String>, FileOrm)> = files
        .iter()
        .map(|(_, m, src)| (m.iter().map(|s| s.to_string()).collect(), facts(src)))
        .collect();
    let schema = Schema::new(
        files
            .iter()
            .zip(&parsed)
            .map(|((p, _, _), (m, o))| SchemaFile {
                package: "app",
                path: p,
                module: m,
                orm: o,
            }),
        &[],
    );
    let (m1_module, m1) = parsed.last().expect("m1");
    let file = SchemaFile {
        package: "app",
        path: "migration/src/m1.rs",
        module: m1_module,
        orm: m1,
    };
    let (changes, failed) = schema.migrations(&file, &|_| true);
    let got: Vec<(TableEventKind, String, Option<String>)> = changes
        .into_iter()
        .map(|c| (c.kind, c.table, c.other))
        .collect();
    assert_eq!(
        got,
        vec![
            (TableEventKind::Create, "cake".into(), None),
            (
                TableEventKind::RenameTo,
                "legacy_posts".into(),
                Some("new_name".into())
            ),
            (TableEventKind::Alter, "post".into(), None),
        ]
    );
    assert!(failed.is_empty(), "{failed:#?}");
}

#[test]
fn custom_sql_types_are_not_models() {
    let code = r#"
#[derive(diesel::sql_types::SqlType)]
#[diesel(postgres_type(name = "listing_type_enum"))]
pub struct ListingTypeEnum;
#[derive(AsExpression, FromSqlRow)]
#[diesel(sql_type = Text)]
enum Kind { A }
#[derive(Debug)]
struct Plain;
"#;
    let f = facts(code);
    assert!(f.is_empty(), "{f:#?}");
}

#[test]
fn only_files_that_name_an_orm_are_walked() {
    assert!(mentions_orm("use diesel::prelude::*;"));
    assert!(mentions_orm("pub use super::cake::Entity as Cake;"));
    assert!(mentions_orm("table! { users (id) { id -> Int4, } }"));
    assert!(mentions_orm("use crate::schema::users;"));
    assert!(!mentions_orm("fn main() { sqlx::query(\"SELECT 1\"); }"));
    // A word in prose is not a path.
    assert!(!mentions_orm(
        "/// Validates the JSON schema of the request."
    ));
    // Each word anywhere in the text, case-sensitive, overlaps included.
    assert!(mentions_orm("x.sea_orm_y"));
    assert!(mentions_orm("let q = sea_query::Query::select();"));
    assert!(mentions_orm("fn f() {}\n// diesel"));
    assert!(mentions_orm("schema:schema::"));
    assert!(mentions_orm("EntityEntity"));
    assert!(!mentions_orm(
        "entity table diesl sea-orm schema:: "[..16].trim()
    ));
    assert!(!mentions_orm("Entit y table ! Diesel SEA_ORM"));
    assert!(!mentions_orm(""));
}
