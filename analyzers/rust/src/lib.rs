//! Facts from Rust source, found by walking the `syn` AST (never regular
//! expressions).
//!
//! [`parse_file`] parses one file once and runs every collector over the
//! tree. The result, [`FileFacts`], is plain data: resolution across files
//! (constants defined in another module, SQL in a library called by a
//! service, names tied to services) happens later, in `nova-scan` and
//! `nova-link`, so this crate stays a pure per-file function that the scan can
//! run on many files in parallel.

pub mod attribution;
pub mod graph;
mod macros;
mod name;
mod nesting;
pub mod offline;
#[cfg(test)]
mod orm_walk_tests;
pub mod pieces;
pub mod resolve;
mod span;
pub mod sql;
mod tidy;
pub mod unit;
mod walk;

/// Prefix of the placeholder identifier that stands for a `format!` hole in
/// resolved SQL text: hole `i` becomes `__nova_hole_{i}__`. `nova-sql`
/// reports a placeholder in a table position as an unresolved table.
pub const HOLE_PREFIX: &str = "__nova_hole_";

/// The placeholder for hole `i`.
pub fn hole(i: usize) -> String {
    format!("{HOLE_PREFIX}{i}__")
}

use serde::{Deserialize, Serialize};

/// Maps and sets private to one file's walk (names, node addresses): a
/// fast, fixed hasher instead of SipHash; the keys come from the scanned
/// code and nothing outlives the walk.
pub(crate) type FastMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::FixedState>;
/// See [`FastMap`].
pub(crate) type FastSet<T> = std::collections::HashSet<T, foldhash::fast::FixedState>;

/// Everything nova extracts from one Rust file.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FileFacts {
    /// SQL texts that reach a database, unresolved (see [`sql::SqlExpr`]).
    pub sql_sites: Vec<sql::SqlSite>,
    /// `const`/`static`/top-level string definitions, for cross-module lookup.
    pub consts: Vec<sql::ConstDef>,
    /// Functions and the names they call (for library attribution).
    pub functions: Vec<sql::FnInfo>,
    /// diesel and SeaORM schema facts and queries (`nova_orm`), for files
    /// that mention an ORM.
    pub orm: nova_orm::FileOrm,
    /// gRPC, HTTP and Kafka facts.
    pub graph: graph::GraphFacts,
}

impl FileFacts {
    /// The names `g` calls, with the line of the first call, sorted by
    /// name: those of the same function's [`sql::FnInfo`] (the one walk
    /// records both; empty if the SQL collector did not see `g`).
    pub fn calls_of(&self, g: &graph::GraphFn) -> &[(String, u32)] {
        g.info
            .and_then(|i| self.functions.get(i))
            .map(|f| f.calls.as_slice())
            .unwrap_or(&[])
    }

    /// Add the facts of the next piece of the same file
    /// ([`pieces`]); [`FileFacts::finish_pieces`] once all are in.
    pub(crate) fn append(&mut self, other: FileFacts) {
        let FileFacts {
            sql_sites,
            consts,
            functions,
            orm,
            graph,
        } = other;
        // The graph functions' indices into `functions` were the piece's.
        let offset = self.functions.len();
        let mut graph = graph;
        for g in &mut graph.functions {
            g.info = g.info.map(|i| i + offset);
        }
        self.sql_sites.extend(sql_sites);
        self.consts.extend(consts);
        self.functions.extend(functions);
        self.orm.append(orm);
        self.graph.append(graph);
    }

    /// Reserve room for `factor` times the facts held now.
    pub(crate) fn reserve_scaled(&mut self, factor: f64) {
        reserve_scaled(&mut self.sql_sites, factor);
        reserve_scaled(&mut self.consts, factor);
        reserve_scaled(&mut self.functions, factor);
        self.graph.reserve_scaled(factor);
    }

    /// Order the appended graph facts as one walk would.
    pub(crate) fn finish_pieces(&mut self) {
        graph::finish(&mut self.graph);
    }
}

/// Reserve room in `v` for `factor` times its length.
pub(crate) fn reserve_scaled<T>(v: &mut Vec<T>, factor: f64) {
    let want = (v.len() as f64 * factor).ceil() as usize;
    v.reserve_exact(want.saturating_sub(v.len()));
}

/// The value of a string literal: `syn::LitStr::value`, without its
/// character-by-character unescaping when the literal is a plain `"…"` with
/// no escape and no carriage return (most SQL and names are).
pub(crate) fn lit_value(s: &syn::LitStr) -> String {
    let mut repr = s.token().to_string();
    match repr.strip_prefix('"').and_then(|r| r.strip_suffix('"')) {
        Some(inner) if !inner.contains(['\\', '"', '\r']) => {
            // The rendering itself, less its quotes: no second string.
            repr.pop();
            repr.remove(0);
            repr
        }
        _ => s.value(),
    }
}

/// A Rust file that does not parse.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: u32,
    pub column: u32,
    pub message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.column, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Parse one Rust file and collect every fact from it.
///
/// `in_test_file` is true for files under `tests/`, `benches/` or
/// `examples/`; items under `#[cfg(test)]` or `#[test]` are marked as test
/// code by the collectors themselves.
pub fn parse_file(source: &str, in_test_file: bool) -> Result<FileFacts, ParseError> {
    if let Some(err) = nesting::too_deep(source) {
        return Err(err);
    }
    // syn and the collectors recurse on the tree: run them on a thread with
    // a large (lazily committed) stack so that long method chains or deep
    // expressions cannot overflow the caller's stack, and so that a bug in a
    // collector becomes an error for this file instead of a crash. Bracket
    // depth alone does not bound the recursion (a chain of 3,000 calls or
    // `a + b + ..` has depth 1), so every file goes there; the thread is
    // kept per calling thread (spawning one per file cost 45% to 140% of
    // the parse time in release builds). A thread that already has such a
    // stack ([`mark_parse_stack`]) parses in place.
    if HAS_PARSE_STACK.with(std::cell::Cell::get) {
        return parse_guarded(source, in_test_file);
    }
    let on_worker = PARSE_WORKER
        .try_with(|slot| {
            let mut slot = slot.try_borrow_mut().ok()?;
            if slot.is_none() {
                *slot = ParseWorker::spawn();
            }
            let done = slot.as_ref()?.parse(source, in_test_file);
            if done.is_none() {
                // The worker is gone: start a new one next time.
                *slot = None;
            }
            done
        })
        .ok()
        .flatten();
    match on_worker {
        Some(done) => done,
        // No thread available: parse on the current one.
        None => parse_guarded(source, in_test_file),
    }
}

/// What a [`ParseWorker`] is asked: the source, `in_test_file`, and where to
/// send the result.
type ParseJob = (
    String,
    bool,
    std::sync::mpsc::SyncSender<Result<FileFacts, ParseError>>,
);

/// A thread with a [`PARSE_STACK`] stack that parses the files of one
/// calling thread; it ends when that thread does (its job sender is
/// dropped).
struct ParseWorker {
    jobs: std::sync::mpsc::Sender<ParseJob>,
}

impl ParseWorker {
    fn spawn() -> Option<ParseWorker> {
        let (jobs, rx) = std::sync::mpsc::channel::<ParseJob>();
        std::thread::Builder::new()
            .name("nova-parse".into())
            .stack_size(PARSE_STACK)
            .spawn(move || {
                for (source, in_test_file, reply) in rx {
                    let _ = reply.send(parse_guarded(&source, in_test_file));
                }
            })
            .ok()?;
        Some(ParseWorker { jobs })
    }

    /// Parse on the worker; `None` when the worker is gone.
    fn parse(&self, source: &str, in_test_file: bool) -> Option<Result<FileFacts, ParseError>> {
        let (reply, done) = std::sync::mpsc::sync_channel(1);
        self.jobs
            .send((source.to_string(), in_test_file, reply))
            .ok()?;
        done.recv().ok()
    }
}

thread_local! {
    /// The parse worker of the current thread, started on first use.
    static PARSE_WORKER: std::cell::RefCell<Option<ParseWorker>> =
        const { std::cell::RefCell::new(None) };
}

/// Stack of the parsing thread. A caller that runs many parses on its own
/// threads (a thread pool) can give them this stack and call
/// [`mark_parse_stack`] on each, so that [`parse_file`] parses in place
/// instead of handing each file to a helper thread.
pub const PARSE_STACK: usize = 256 * 1024 * 1024;

thread_local! {
    /// Set by [`mark_parse_stack`].
    static HAS_PARSE_STACK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Declare that the current thread was started with a stack of at least
/// [`PARSE_STACK`] bytes (e.g. from a thread pool's start handler).
pub fn mark_parse_stack() {
    HAS_PARSE_STACK.with(|f| f.set(true));
}

/// [`parse_file_inner`] with a panic turned into an error for this file, and
/// the thread's span source map freed afterwards.
fn parse_guarded(source: &str, in_test_file: bool) -> Result<FileFacts, ParseError> {
    let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        parse_file_inner(source, in_test_file)
    }))
    .unwrap_or_else(|_| {
        Err(ParseError {
            line: 0,
            column: 0,
            message: "internal error while analysing this file".to_string(),
        })
    });
    // With `span-locations`, proc-macro2 keeps every parsed file in a
    // thread-local source map; the facts hold plain line/column numbers, so
    // free it (memory stays flat).
    proc_macro2::extra::invalidate_current_thread_spans();
    done
}

/// Deepest token-tree nesting accepted by [`parse_file`] (brackets in
/// literals and comments do not count: `nesting`).
pub const MAX_NESTING: usize = 512;

fn parse_file_inner(source: &str, in_test_file: bool) -> Result<FileFacts, ParseError> {
    if source.len() > pieces::SPLIT_ABOVE
        && let Some(facts) = pieces::parse(source, in_test_file, pieces::PIECE)
    {
        return Ok(facts);
    }
    parse_whole(source, in_test_file)
}

/// Parse `source` in one piece and collect every fact from it.
fn parse_whole(source: &str, in_test_file: bool) -> Result<FileFacts, ParseError> {
    // The tree is dropped at the end of this function; the facts stay.
    let file = nova_alloc::trees(|| syn::parse_file(source)).map_err(|e| {
        let start = e.span().start();
        ParseError {
            line: start.line as u32,
            column: start.column as u32 + 1,
            message: e.to_string(),
        }
    })?;
    // The ORM facts come from the same walk, in a file that names an ORM.
    let mentions_orm = nova_orm::mentions_orm(source);
    let walk = || {
        let mut facts = FileFacts::default();
        walk::walk_file_with_orm(&file, in_test_file, mentions_orm, &mut facts);
        facts
    };
    // The walk's own values (some two thousand per file, nearly all dropped
    // before it ends) are cut from the trees' arena like the tree, and so
    // are the facts it builds as it goes. The facts are then copied out to
    // the main heap, packed and at their exact lengths, and the rest goes
    // with the tree. (Not for a large source: its tree and walk outgrow the
    // chunks a thread keeps, so the walk's values would take fresh pages
    // rather than reuse the heap's, and a tree may fill the thread's arena.)
    if source.len() > WALK_IN_ARENA_MAX {
        return Ok(walk());
    }
    Ok(nova_alloc::trees(walk).clone())
}

/// The largest source whose walk runs in the trees' arena (see
/// [`parse_whole`]): most files; a split file's pieces ([`pieces::PIECE`])
/// are larger.
const WALK_IN_ARENA_MAX: usize = 64 * 1024;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literal_values_match_syn() {
        for src in [
            r#""SELECT * FROM t""#,
            r#""a \"b\" c""#,
            r#""line\nbreak""#,
            r#""tab\tand \u{e9}""#,
            r##"r#"raw "quoted""#"##,
            r#"r"raw""#,
            r#""é and ü""#,
            r#""suffixed"x"#,
            r#""""#,
            "\"multi\nline\"",
            "\"crlf\r\nline\"",
        ] {
            let lit: syn::LitStr = syn::parse_str(src).expect("a string literal");
            assert_eq!(lit_value(&lit), lit.value(), "{src}");
        }
    }
}
