//! SQL sites: where SQL text reaches a database. OWNED BY the SQL-extraction
//! work; this skeleton fixes the shapes other crates rely on.

use serde::{Deserialize, Serialize};

/// SQL text as written in code, before resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum SqlExpr {
    /// A string literal (normal or raw).
    Lit(String),
    /// A path to a const/static/let binding not resolvable in the function
    /// (e.g. `crate::sql::GET_USER`, `queries::LIST`), resolved later.
    Const(Vec<String>),
    /// `format!("...{}...", args)`: the template and one expr per hole.
    Format { template: String, args: Vec<SqlExpr> },
    /// `concat!(..)`, `QueryBuilder::new(..)` + `push(..)`, `a + b`.
    Concat(Vec<SqlExpr>),
    /// One of several texts (`if`/`match` between literals).
    Choice(Vec<SqlExpr>),
    /// Not resolvable statically; the source text of the expression.
    Unknown(String),
}

/// One place where SQL reaches a database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SqlSite {
    pub expr: SqlExpr,
    pub line: u32,
    pub column: u32,
    /// Enclosing function path (`module::fn`, `Type::method`).
    pub function: Option<String>,
    pub in_test: bool,
    /// The API that runs it, e.g. `sqlx::query!`, `tokio_postgres::query`.
    pub api: String,
    /// Set when the receiver/API says the store is not relational.
    pub store: Option<nova_model::StoreKind>,
}

/// A named string definition usable by SQL sites elsewhere in the crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstDef {
    pub name: String,
    /// Module path inside the file (inline `mod` blocks), outermost first.
    pub module: Vec<String>,
    pub value: SqlExpr,
    pub line: u32,
}

/// A function and what it calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FnInfo {
    pub path: String,
    pub name: String,
    pub line: u32,
    pub in_test: bool,
    pub is_pub: bool,
    /// Called function/method names (last path segment), with the line of
    /// the first call.
    pub calls: Vec<(String, u32)>,
}

/// ORM kinds nova detects but does not analyse yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Orm {
    Diesel,
    SeaOrm,
}

/// A diesel `table!` or sea-orm `table_name` use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrmUse {
    pub orm: Orm,
    pub table: Option<String>,
    pub line: u32,
}

/// Walk `file` and push SQL sites, consts, functions and ORM uses.
pub fn collect(_file: &syn::File, _in_test_file: bool, _out: &mut super::FileFacts) {}
