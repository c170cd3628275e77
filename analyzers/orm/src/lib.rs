//! diesel and SeaORM, read without running anything.
//!
//! Two halves, both pure functions:
//!
//! - **Per file** ([`collect`]): one `syn` walk of a file that mentions an
//!   ORM ([`mentions_orm`]) records
//!   - schema facts: diesel `table!` blocks, `joinable!` /
//!     `allow_tables_to_appear_in_same_query!`, structs with
//!     `#[diesel(table_name = ..)]` (or the derives that default it); SeaORM
//!     entities (`#[sea_orm(table_name = ..)]` on `DeriveEntityModel`, or
//!     `impl EntityName`), their `Relation`s, `Linked` impls, `Entity`
//!     aliases (`use super::cake::Entity as Cake`) and the `Iden` enums of
//!     migrations;
//!   - [`Query`]s recognised from call shapes (`insert_into(t::table)`,
//!     `t::table.filter(..)`, `Entity::find()`, `active_model.save(db)`...)
//!     with the names as written, expanded through the file's imports;
//!   - SeaORM migration steps ([`MigrationStep`]: `Table::create().table(X::Table)`);
//!   - [`Unknown`]s: calls that are clearly ORM calls but whose table cannot
//!     be told statically (reported as N007 with the call);
//!   - [`TopicWrite`]s: inserts that write a topic column
//!     ([`TOPIC_COLUMNS`]), with each value as written and where
//!     (`topic.eq(v)`, `Set(v)`, a struct field), for `nova-link`'s outbox
//!     recognition to take the value `nova-rust`'s graph walk made of it.
//!
//!   Locals shadow tables (`let users = ..` is not the `users` table); the
//!   type of a local (annotation, struct literal, the query or function that
//!   produced it) gives the model a method such as `save` runs on.
//! - **Across files** ([`Schema`]): the declarations of a set of crates,
//!   indexed; [`Schema::resolve`] turns a query's names into tables.
//!
//! Nothing here reads files or knows about services: `nova-rust` calls
//! [`collect`] on each parsed file, `nova-scan` builds the [`Schema`] and
//! attributes the resolved accesses like SQL accesses.

mod diesel;
mod hooks;
mod names;
mod resolve;
mod rows;
mod schema;
mod sea;
mod types;
mod walk;
mod written;

#[cfg(test)]
mod tests;

use nova_model::{Op, TableEventKind};
use serde::{Deserialize, Serialize};

pub use names::text_of;
pub use resolve::{Declared, Resolved, Schema, SchemaFile, Site, TableChange};
pub use rows::{BuiltBy, RowBuilder};
pub use walk::{IsTest, Walk as Collector};
pub use written::{Rename, TOPIC_COLUMNS, TopicWrite, ValueShape, WrittenValue, not_set, set_call};

/// Which ORM a fact belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Orm {
    Diesel,
    SeaOrm,
}

impl Orm {
    /// The access source this ORM's queries carry.
    pub fn source(self) -> nova_model::AccessSource {
        match self {
            Orm::Diesel => nova_model::AccessSource::Diesel,
            Orm::SeaOrm => nova_model::AccessSource::SeaOrm,
        }
    }

    /// Its name in messages.
    pub fn name(self) -> &'static str {
        match self {
            Orm::Diesel => "diesel",
            Orm::SeaOrm => "sea-orm",
        }
    }
}

/// What a query or migration names, as written (the first segment expanded
/// through the file's imports); [`Schema::resolve`] turns it into a table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Target {
    /// A diesel table module: `schema::users` for `schema::users::table`,
    /// `crate::schema::users` for `users` imported from
    /// `crate::schema::users::dsl::*`. The last segment is the `table!` name.
    DieselTable(Vec<String>),
    /// A type: a diesel model (`User`, `models::NewUser`) or a SeaORM
    /// `Entity` / `Model` / `ActiveModel` or an alias of one (`Cake`,
    /// `cake::ActiveModel`). The last segment is the type name.
    Type(Vec<String>),
    /// A SeaORM relation variant (`cake::Relation::Fruit`): the path of the
    /// variant; `rev` when the relation is walked backwards (`.rev()`,
    /// `join_rev`), which joins the entity that declares it.
    Relation { path: Vec<String>, rev: bool },
    /// A SeaORM `Linked` struct (`find_linked(links::CakeToFilling)`).
    Link(Vec<String>),
    /// A SeaORM migration `Iden` enum (`Post` of `Post::Table`).
    Iden(Vec<String>),
    /// A table named by a string (`Alias::new("posts")`).
    Named(String),
}

/// One recognised ORM query: one operation on what [`Target`] names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Query {
    pub orm: Orm,
    pub op: Op,
    pub target: Target,
    /// The API, short and stable (`diesel::insert_into`, `table reference`,
    /// `Entity::find`, `ActiveModel::save`).
    pub call: String,
    /// 1-based line and column of the call (or of the table reference).
    pub line: u32,
    pub column: u32,
    /// Enclosing function, relative to the file (`mod::Type::method`), as
    /// `nova_rust::sql::FnInfo::path`.
    pub function: Option<String>,
    /// Inline `mod` path of the site inside the file, outermost first.
    pub module: Vec<String>,
    pub in_test: bool,
    /// SeaORM `save`: an insert or an update, recorded as both.
    pub either: bool,
    /// When the target does not resolve: report the call (N007) rather
    /// than drop it (the shape alone proves an ORM call).
    pub strict: bool,
    /// The call as written (whitespace folded, shortened), for diagnostics.
    pub text: String,
}

/// A call that is an ORM call whose table cannot be told statically.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unknown {
    pub orm: Orm,
    pub line: u32,
    pub column: u32,
    pub function: Option<String>,
    pub in_test: bool,
    /// The call as written.
    pub text: String,
    /// Why it is not understood.
    pub why: String,
    /// A SeaORM model method on an active model a helper built (`let am =
    /// build(..); am.insert(db)`): the method (`insert`, `save`, `update`,
    /// `delete`) and the helper, whose declared model
    /// ([`RowBuilder::model`]) the SQL pass resolves the table from
    /// before reporting the call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub built: Option<(String, BuiltBy)>,
}

/// A diesel `table!` declaration.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DieselTable {
    /// The module `table!` declares (`users`).
    pub ident: String,
    /// The SQL name: `#[sql_name = ..]` or the ident, with its schema
    /// (`auth.users`) when one is written.
    pub name: String,
    /// Inline `mod` path of the declaration inside the file.
    pub module: Vec<String>,
    pub line: u32,
    /// Columns declared with `#[sql_name = ".."]`: (ident, SQL name).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renamed: Vec<(String, String)>,
}

/// A diesel model: a struct with `#[diesel(table_name = ..)]`, or with a
/// derive that defaults it (`Insertable`, `AsChangeset`, `Identifiable`,
/// `Selectable`, `Associations`: the struct name in snake case plus `s`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DieselModel {
    pub name: String,
    /// The table module path as written (`crate::schema::users`, `users`).
    pub table: Vec<String>,
    pub module: Vec<String>,
    pub line: u32,
    /// Fields written into a column of another name (`#[diesel(column_name
    /// = topic)]`): (field, column).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renamed: Vec<(String, String)>,
}

/// `joinable!(a -> b (col))` or `allow_tables_to_appear_in_same_query!(a,
/// b, ..)`: schema, not a query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DieselJoin {
    pub tables: Vec<String>,
    pub line: u32,
}

/// A SeaORM entity: the module that declares it and its table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeaEntity {
    /// The table (`schema_name.table_name` when a schema is given).
    pub table: String,
    pub module: Vec<String>,
    pub line: u32,
}

/// A variant of a SeaORM `Relation` enum and the entity it leads to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeaRelation {
    /// Inline module of the enum.
    pub module: Vec<String>,
    pub variant: String,
    /// The related entity's path as written (`super::fruit::Entity`).
    pub target: Vec<String>,
}

/// A SeaORM `impl Linked for X`: the entities and relations its `link()`
/// goes through.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeaLink {
    pub name: String,
    pub module: Vec<String>,
    pub targets: Vec<Target>,
}

/// `use ..::cake::Entity as Cake`: `Cake` names the entity of `cake`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeaAlias {
    pub name: String,
    /// The aliased path as written (`super::cake::Entity`).
    pub path: Vec<String>,
    pub module: Vec<String>,
}

/// A migration `Iden` enum (`#[derive(DeriveIden)] enum Post { Table, .. }`)
/// and the table its `Table` variant names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SeaIden {
    pub name: String,
    pub table: String,
    pub module: Vec<String>,
}

/// A table change in a SeaORM migration (`Table::create().table(X::Table)`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MigrationStep {
    /// `Create`, `Drop`, `Alter` or `RenameTo` (with `other` the new name).
    pub kind: TableEventKind,
    pub target: Target,
    pub other: Option<Target>,
    pub line: u32,
    pub module: Vec<String>,
    /// Enclosing function (`Migration::up`); steps of a `down` undo the
    /// migration and are not part of the schema it builds.
    pub function: Option<String>,
    pub in_test: bool,
}

/// Everything ORM-related found in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileOrm {
    pub diesel_tables: Vec<DieselTable>,
    pub diesel_models: Vec<DieselModel>,
    pub diesel_joins: Vec<DieselJoin>,
    pub entities: Vec<SeaEntity>,
    pub relations: Vec<SeaRelation>,
    pub links: Vec<SeaLink>,
    pub aliases: Vec<SeaAlias>,
    pub idens: Vec<SeaIden>,
    pub queries: Vec<Query>,
    pub migrations: Vec<MigrationStep>,
    pub unknown: Vec<Unknown>,
    /// Inserts writing a topic column, with the values written (see
    /// [`TopicWrite`]).
    #[serde(default)]
    pub topic_writes: Vec<TopicWrite>,
    /// Functions returning a row that writes a topic column, for the
    /// inserts of rows they build ([`BuiltBy`]).
    #[serde(default)]
    pub row_builders: Vec<RowBuilder>,
}

impl FileOrm {
    /// Add the facts of the next piece of the same file (a huge file is
    /// parsed in pieces by `nova_rust`).
    pub fn append(&mut self, other: FileOrm) {
        let FileOrm {
            diesel_tables,
            diesel_models,
            diesel_joins,
            entities,
            relations,
            links,
            aliases,
            idens,
            queries,
            migrations,
            unknown,
            topic_writes,
            row_builders,
        } = other;
        self.diesel_tables.extend(diesel_tables);
        self.diesel_models.extend(diesel_models);
        self.diesel_joins.extend(diesel_joins);
        self.entities.extend(entities);
        self.relations.extend(relations);
        self.links.extend(links);
        self.aliases.extend(aliases);
        self.idens.extend(idens);
        self.queries.extend(queries);
        self.migrations.extend(migrations);
        self.unknown.extend(unknown);
        self.topic_writes.extend(topic_writes);
        self.row_builders.extend(row_builders);
    }

    /// Whether nothing was found.
    pub fn is_empty(&self) -> bool {
        self == &FileOrm::default()
    }

    /// Whether the file declares schema (tables, models, entities,
    /// relations, links, aliases, idens).
    pub fn has_schema(&self) -> bool {
        !(self.diesel_tables.is_empty()
            && self.diesel_models.is_empty()
            && self.entities.is_empty()
            && self.relations.is_empty()
            && self.links.is_empty()
            && self.aliases.is_empty()
            && self.idens.is_empty())
    }
}

/// Whether `source` may hold ORM facts, by its text: a cheap test that
/// spares the walk to files that cannot have any. An ORM file names its
/// crate (`use diesel::prelude::*`, `use sea_orm::..`, `sea_query`), the
/// diesel schema module in a path (`crate::schema::users`, `use
/// schema::*`), a `table!`, or a SeaORM entity (`Entity`, as in the
/// generated `prelude.rs`).
pub fn mentions_orm(source: &str) -> bool {
    const WORDS: [&str; 6] = [
        "diesel",
        "sea_orm",
        "sea_query",
        "schema::",
        "table!",
        "Entity",
    ];
    WORDS
        .iter()
        .any(|w| memchr::memmem::find(source.as_bytes(), w.as_bytes()).is_some())
}

/// Walk one parsed file and collect its ORM facts. `in_test_file` is true
/// for files under `tests/`, `benches/`, `examples/`; `is_test` tells
/// whether an item's attributes make it test code (`#[cfg(test)]`,
/// `#[test]`: the caller's rule, so that SQL and ORM queries agree).
pub fn collect(file: &syn::File, in_test_file: bool, is_test: IsTest) -> FileOrm {
    use syn::visit::Visit;
    let mut out = FileOrm::default();
    Collector::new(file, in_test_file, is_test, &mut out).visit_file(file);
    out
}
