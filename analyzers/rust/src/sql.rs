//! SQL sites: where SQL text reaches a database, found by walking the `syn`
//! AST of one file.
//!
//! The file's one walk ([`crate::walk`]) calls the SQL collector's hooks
//! (`collector`), which record, per file:
//! - [`SqlSite`]s: sqlx macros (`query!`, `query_as!`, `query_file!`...),
//!   sqlx functions (`query`, `query_as::<_, T>`, `query_scalar`,
//!   `query_with`, `raw_sql`), `QueryBuilder::new` + `push*` chains,
//!   tokio-postgres/deadpool/bb8/rusqlite style method calls (`.query`,
//!   `.execute`, `.prepare`, `.batch_execute`...) whose first argument is
//!   string-like, ClickHouse `.query(..)` and neo4rs `query(..)`;
//! - [`ConstDef`]s: every string-like `const`/`static` (module level, inline
//!   modules, `impl` associated consts); consts declared inside a function
//!   body are only visible there and are inlined like locals;
//! - [`FnInfo`]s: every function and method with the names it calls.
//!
//! diesel and SeaORM are read by `nova_orm` (see [`crate::FileFacts::orm`]);
//! their raw SQL (`diesel::sql_query`, SeaORM `Statement::from_string`,
//! `execute_unprepared`) is a SQL site here.
//!
//! The SQL argument is kept as an unresolved [`SqlExpr`]: locals bound to
//! string expressions in the same function are inlined, everything else
//! (consts of other modules, `format!` holes) is resolved later by
//! [`crate::resolve`].
//!
//! Function paths (`SqlSite::function`, `FnInfo::path`) are relative to the
//! file: inline `mod` names, then the `impl` self type, then the function
//! name (`tests::Repo::find`). Callers prepend the file's module path
//! (`ParsedFile::module`).

use serde::{Deserialize, Serialize};

mod clients;
pub(crate) mod collector;
mod eval;
mod format;
mod params;
pub(crate) mod shapes;
pub(crate) use params::Callers;
#[cfg(test)]
mod tests;

pub use format::{FormatPiece, parse_format_template};

/// SQL text as written in code, before resolution.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SqlExpr {
    /// A string literal (normal or raw).
    Lit(String),
    /// A path to a const/static/let binding not resolvable in the function
    /// (e.g. `crate::sql::GET_USER`, `queries::LIST`), resolved later.
    Const(Vec<String>),
    /// `format!("...{}...", args)`: the template and one expr per hole.
    ///
    /// The template is normalised by the collector: every hole is written
    /// `{}` (format specs, positions and names removed; `{{`/`}}` kept
    /// escaped) and `args` holds one expression per hole, in order, with
    /// positional, named and captured (`{table}`) arguments already matched.
    Format {
        template: String,
        args: Vec<SqlExpr>,
    },
    /// `concat!(..)`, `QueryBuilder::new(..)` + `push(..)`, `a + b`.
    Concat(Vec<SqlExpr>),
    /// One of several texts (`if`/`match` between literals).
    Choice(Vec<SqlExpr>),
    /// Not resolvable statically; the source text of the expression.
    Unknown(String),
    /// A SQL file named by `query_file!("path.sql")` (and the other
    /// `query_file*!` macros): the path is relative to the crate directory.
    /// After [`crate::resolve::normalize_paths`] it is relative to the
    /// scanned root.
    File(String),
    /// `include_str!("path")`: the path is relative to the directory of the
    /// file that contains it (normalised to [`SqlExpr::File`] by
    /// [`crate::resolve::normalize_paths`]).
    Include(String),
    /// A bind placeholder (`QueryBuilder::push_bind`): resolved as `$n`.
    Bind,
}

impl SqlExpr {
    /// A short human-readable rendering (for diagnostics).
    pub fn display(&self) -> String {
        match self {
            SqlExpr::Lit(s) => format!("{s:?}"),
            SqlExpr::Const(p) => p.join("::"),
            SqlExpr::Format { template, args } => {
                let args: Vec<String> = args.iter().map(SqlExpr::display).collect();
                if args.is_empty() {
                    format!("format!({template:?})")
                } else {
                    format!("format!({template:?}, {})", args.join(", "))
                }
            }
            SqlExpr::Concat(parts) => {
                let parts: Vec<String> = parts.iter().map(SqlExpr::display).collect();
                parts.join(" + ")
            }
            SqlExpr::Choice(parts) => {
                let parts: Vec<String> = parts.iter().map(SqlExpr::display).collect();
                format!("one of [{}]", parts.join(", "))
            }
            SqlExpr::Unknown(s) => s.clone(),
            SqlExpr::File(p) => format!("file:{p}"),
            SqlExpr::Include(p) => format!("include_str!({p:?})"),
            SqlExpr::Bind => "$?".to_string(),
        }
    }
}

/// One place where SQL reaches a database.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SqlSite {
    pub expr: SqlExpr,
    /// 1-based line of the call (the macro/function path or the method name).
    pub line: u32,
    /// 1-based column of the same token.
    pub column: u32,
    /// 1-based (line, column) of the SQL text in this file, when it is not
    /// at the call: the string literal or `format!` argument (often on the
    /// line after the call), or the initialiser of the local the call uses.
    /// A const defined elsewhere or a `query_file!` file is located by
    /// resolution ([`crate::resolve::Resolved::text_location`]) instead.
    #[serde(default)]
    pub text_at: Option<(u32, u32)>,
    /// Enclosing function path (`module::fn`, `Type::method`), relative to
    /// the file (see the module docs).
    pub function: Option<String>,
    /// Inline `mod` path of the site inside the file, outermost first (for
    /// const lookup from the right module).
    #[serde(default)]
    pub module: Vec<String>,
    pub in_test: bool,
    /// The API that runs it, e.g. `sqlx::query!`, `tokio_postgres::query`.
    pub api: String,
    /// Set when the receiver/API says the store is not relational.
    pub store: Option<nova_model::StoreKind>,
    /// True when the site was recognised only because a driver-style method
    /// (`.query`, `.execute`...) got a string-like first argument, not
    /// because the API itself is a SQL API (sqlx, `QueryBuilder`, neo4rs).
    /// Such a site whose text cannot be resolved is probably not SQL.
    #[serde(default)]
    pub inferred: bool,
}

/// A named string definition usable by SQL sites elsewhere in the crate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConstDef {
    pub name: String,
    /// Module path inside the file (inline `mod` blocks), outermost first.
    /// Associated consts add the `impl` self type as a last segment.
    pub module: Vec<String>,
    pub value: SqlExpr,
    pub line: u32,
}

/// A function and what it calls.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FnInfo {
    /// Path relative to the file (`mod::Type::method`).
    pub path: String,
    pub name: String,
    pub line: u32,
    pub in_test: bool,
    /// `pub`, `pub(crate)`..., or a method of a trait impl.
    pub is_pub: bool,
    /// Called function/method names (last path segment), with the line of
    /// the first call, sorted by name. The graph facts share this list
    /// (see [`crate::FileFacts::calls_of`]).
    pub calls: Vec<(String, u32)>,
}

/// After the walk: the sites whose SQL is a parameter, from the calls in
/// the file the walk kept (`callers`).
pub(crate) fn finish_walk(c: &mut collector::Collector<'_>, callers: &Callers<'_>) {
    if !c.param_sites.is_empty() {
        params::resolve(c, callers);
    }
}
