//! Resolution of [`SqlExpr`]s to SQL text, across the files of a crate and
//! the local crates it depends on.
//!
//! [`ConstTable`] indexes every string-like `const`/`static` of a set of
//! crates ([`ConstDef`](crate::sql::ConstDef)s with their module paths).
//! [`resolve`] turns an expression into the texts it may have at run time:
//! one per combination of [`SqlExpr::Choice`] variants (capped at
//! [`MAX_TEXTS`]). Parts that cannot be known statically (`format!` holes
//! bound to parameters, unknown expressions, consts not found) become
//! placeholder identifiers ([`crate::hole`]) so that `nova-sql` can still
//! parse the statement and report a placeholder in a table position as an
//! unresolved table.
//!
//! Const lookup for a path `a::b::NAME` used in module `m` of package `p`:
//! 1. the exact module (`crate::`, `self::`, `super::`, relative to `m`,
//!    relative to the crate root, or `dep_crate::..`);
//! 2. otherwise any const of that name in `p` (preferring modules that end
//!    with the written qualifier, then the longest common prefix with `m`);
//! 3. otherwise the same search in the local crates `p` depends on
//!    (transitively).
//!
//! Const cycles (`A = B`, `B = A`) resolve to a placeholder, never loop.

use crate::FastMap;
use crate::sql::{FormatPiece, SqlExpr, parse_format_template};
use crate::unit::Crate;
use std::collections::BTreeMap;

/// Maximum number of alternative texts produced for one expression.
pub const MAX_TEXTS: usize = 16;

/// Maximum const indirections followed.
const MAX_DEPTH: usize = 32;

/// One string-like const/static of a crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConstEntry {
    /// Cargo package defining it.
    pub package: String,
    /// Full module path in the crate (file module + inline modules, plus the
    /// `impl` type for associated consts).
    pub module: Vec<String>,
    pub name: String,
    /// Value, with file paths normalised ([`normalize_paths`]).
    pub value: SqlExpr,
    /// File defining it (relative to the scanned root).
    pub file: String,
    pub line: u32,
}

/// Const name -> package -> indices into [`ConstTable::entries`].
/// (Hashed with a fast fixed hasher: looked up for every const a site names.)
type ByPackage = FastMap<String, FastMap<String, Vec<usize>>>;

/// Const name -> (package, module) -> first index into
/// [`ConstTable::entries`].
type ByModule = FastMap<String, FastMap<(String, Vec<String>), usize>>;

/// Every string-like const of a set of crates, indexed by name.
#[derive(Debug, Clone, Default)]
pub struct ConstTable {
    entries: Vec<ConstEntry>,
    /// name -> package -> indices into `entries` (ascending).
    by_package: ByPackage,
    /// name -> (package, module) -> first index into `entries`.
    by_module: ByModule,
    /// Package -> local packages it depends on, transitively, sorted.
    deps: BTreeMap<String, Vec<String>>,
}

impl ConstTable {
    /// Index the consts of `crates` (give the crates a scan found together:
    /// service crates and the libraries they depend on).
    pub fn new(crates: &[Crate]) -> Self {
        let mut entries = Vec::new();
        for c in crates {
            for f in &c.files {
                for d in &f.facts.consts {
                    let mut module = f.module.clone();
                    module.extend(d.module.iter().cloned());
                    entries.push(ConstEntry {
                        package: c.package.clone(),
                        module,
                        name: d.name.clone(),
                        value: normalize_paths(&d.value, &c.dir, &f.path),
                        file: f.path.clone(),
                        line: d.line,
                    });
                }
            }
        }
        entries.sort_by(|a, b| {
            (&a.package, &a.module, &a.name, &a.file, a.line)
                .cmp(&(&b.package, &b.module, &b.name, &b.file, b.line))
        });
        let mut by_package: ByPackage = FastMap::default();
        let mut by_module: ByModule = FastMap::default();
        // (A name or package is copied only the first time it is met.)
        for (i, e) in entries.iter().enumerate() {
            let packages = match by_package.get_mut(e.name.as_str()) {
                Some(m) => m,
                None => by_package.entry(e.name.clone()).or_default(),
            };
            match packages.get_mut(e.package.as_str()) {
                Some(ix) => ix.push(i),
                None => {
                    packages.insert(e.package.clone(), vec![i]);
                }
            }
            let modules = match by_module.get_mut(e.name.as_str()) {
                Some(m) => m,
                None => by_module.entry(e.name.clone()).or_default(),
            };
            modules
                .entry((e.package.clone(), e.module.clone()))
                .or_insert(i);
        }
        let deps = crate::unit::dependency_closure(crates)
            .into_iter()
            .map(|(k, v)| (k, v.into_iter().collect()))
            .collect();
        ConstTable {
            entries,
            by_package,
            by_module,
            deps,
        }
    }

    /// All entries, sorted by (package, module, name).
    pub fn entries(&self) -> &[ConstEntry] {
        &self.entries
    }

    /// Every const named `name` in `package` and the local crates it
    /// depends on (for `Self::NAME` in a trait's default method: any
    /// implementor's).
    pub fn all_named(&self, name: &str, package: &str) -> Vec<&ConstEntry> {
        let Some(by_package) = self.by_package.get(name) else {
            return Vec::new();
        };
        let deps = self.deps.get(package).map(Vec::as_slice).unwrap_or(&[]);
        let mut found: Vec<usize> = std::iter::once(package)
            .chain(deps.iter().map(String::as_str).filter(|d| *d != package))
            .filter_map(|p| by_package.get(p))
            .flatten()
            .copied()
            .collect();
        found.sort_unstable();
        found.iter().filter_map(|&i| self.entries.get(i)).collect()
    }

    /// Find the const a path designates (see the module docs).
    pub fn lookup(&self, path: &[String], from: &Origin<'_>) -> Option<&ConstEntry> {
        let (name, qualifier) = path.split_last()?;
        let by_package = self.by_package.get(name)?;
        let by_module = self.by_module.get(name)?;
        let deps = self
            .deps
            .get(from.package)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let crate_name = |p: &str| p.replace('-', "_");

        // 1. Exact module paths.
        let mut exact: Vec<(String, Vec<String>)> = Vec::new();
        match qualifier.first().map(String::as_str) {
            Some("crate") => exact.push((from.package.to_string(), qualifier[1..].to_vec())),
            Some("self") => {
                let mut m = from.module.to_vec();
                m.extend(qualifier[1..].iter().cloned());
                exact.push((from.package.to_string(), m));
            }
            Some("super") => {
                let mut m = from.module.to_vec();
                let mut rest = qualifier;
                while let Some(("super", r)) = rest.split_first().map(|(a, r)| (a.as_str(), r)) {
                    m.pop();
                    rest = r;
                }
                m.extend(rest.iter().cloned());
                exact.push((from.package.to_string(), m));
            }
            Some("Self") => {}
            Some(first) => {
                if let Some(dep) = deps.iter().find(|d| crate_name(d) == *first) {
                    exact.push((dep.clone(), qualifier[1..].to_vec()));
                }
                let mut m = from.module.to_vec();
                m.extend(qualifier.iter().cloned());
                exact.push((from.package.to_string(), m));
                exact.push((from.package.to_string(), qualifier.to_vec()));
            }
            None => exact.push((from.package.to_string(), from.module.to_vec())),
        }
        for key in &exact {
            if let Some(&i) = by_module.get(key) {
                return self.entries.get(i);
            }
        }

        // 2./3. By name in the package, then in its dependencies.
        let written: Vec<&String> = qualifier
            .iter()
            .filter(|s| !matches!(s.as_str(), "crate" | "self" | "super" | "Self"))
            .collect();
        let score = |e: &ConstEntry| {
            let suffix = written.len() <= e.module.len()
                && e.module[e.module.len() - written.len()..]
                    .iter()
                    .zip(&written)
                    .all(|(a, b)| a == *b);
            let prefix = e
                .module
                .iter()
                .zip(from.module)
                .take_while(|(a, b)| a == b)
                .count();
            (suffix, prefix)
        };
        for pkg in std::iter::once(from.package).chain(deps.iter().map(String::as_str)) {
            let mut best: Option<(&ConstEntry, (bool, usize))> = None;
            for &i in by_package.get(pkg).into_iter().flatten() {
                let Some(e) = self.entries.get(i) else {
                    continue;
                };
                let s = score(e);
                if best.as_ref().is_none_or(|(_, bs)| s > *bs) {
                    best = Some((e, s));
                }
            }
            if let Some((e, _)) = best {
                return Some(e);
            }
        }
        None
    }
}

/// Where an expression is resolved from.
#[derive(Debug, Clone, Copy)]
pub struct Origin<'a> {
    /// Cargo package of the code.
    pub package: &'a str,
    /// Full module path (file module + inline modules).
    pub module: &'a [String],
}

/// The texts an expression may have.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Resolved {
    /// One text per combination of choices (at most [`MAX_TEXTS`]), sorted
    /// by first appearance. Empty when nothing at all could be resolved.
    pub texts: Vec<String>,
    /// The first text that contains placeholders, when there is one.
    pub template: Option<String>,
    /// True when some text contains a placeholder ([`crate::hole`]).
    pub holes_in_text: bool,
    /// Source text of every part that could not be resolved (unknown
    /// expressions, consts not found, files not read), deduplicated.
    pub unknown: Vec<String>,
    /// True when choices were dropped because of [`MAX_TEXTS`].
    pub truncated: bool,
    /// Where the text is, when the expression is (a chain of) consts or a
    /// SQL file found elsewhere: the innermost const's definition (column
    /// 0) or line 1 of the file read. `None` when the text is at the site
    /// itself, or is built from several parts.
    pub text_location: Option<nova_model::Location>,
}

/// Resolve `expr` without reading files ([`SqlExpr::File`] stays unknown).
pub fn resolve(expr: &SqlExpr, consts: &ConstTable, from: &Origin<'_>) -> Resolved {
    resolve_with(expr, consts, from, &|_| None)
}

/// Resolve `expr`, reading [`SqlExpr::File`] paths (relative to the scanned
/// root) with `read_file`.
pub fn resolve_with(
    expr: &SqlExpr,
    consts: &ConstTable,
    from: &Origin<'_>,
    read_file: &dyn Fn(&str) -> Option<String>,
) -> Resolved {
    let mut r = Resolver {
        consts,
        read_file,
        holes: 0,
        binds: 0,
        unknown: Vec::new(),
        visiting: Vec::new(),
        truncated: false,
        chain: true,
        text_location: None,
    };
    let texts = r.alts(expr, from.package, from.module, 0);
    let holes_in_text = r.holes > 0;
    let mut out = Resolved {
        texts: Vec::new(),
        template: None,
        holes_in_text,
        unknown: r.unknown,
        truncated: r.truncated,
        text_location: r.text_location,
    };
    for t in texts {
        if holes_in_text && out.template.is_none() && t.contains(crate::HOLE_PREFIX) {
            out.template = Some(t.clone());
        }
        if blank_but_holes(&t) {
            continue;
        }
        if !out.texts.contains(&t) {
            out.texts.push(t);
        }
    }
    out
}

/// Remove every placeholder from a text.
#[cfg(test)]
fn strip_holes(t: &str) -> String {
    replace_holes(t, "")
}

/// Whether a text is blank once its placeholders are removed (checked
/// without building that text).
fn blank_but_holes(t: &str) -> bool {
    outside_holes(t).all(|part| part.trim().is_empty())
}

/// A text as the user wrote it: every placeholder ([`crate::hole`]) shown
/// as a `{}` hole (for diagnostics).
pub fn holes_as_braces(t: &str) -> String {
    replace_holes(t, "{}")
}

/// Replace every placeholder of a text with `with`.
fn replace_holes(t: &str, with: &str) -> String {
    let mut out = String::new();
    for (k, part) in outside_holes(t).enumerate() {
        if k > 0 {
            out.push_str(with);
        }
        out.push_str(part);
    }
    out
}

/// The parts of a text between its placeholders, in order (one more than
/// there are placeholders).
fn outside_holes(t: &str) -> impl Iterator<Item = &str> {
    let mut rest = Some(t);
    std::iter::from_fn(move || {
        let r = rest?;
        match r.find(crate::HOLE_PREFIX) {
            Some(i) => {
                let after = &r[i + crate::HOLE_PREFIX.len()..];
                let digits = after.chars().take_while(char::is_ascii_digit).count();
                rest = Some(
                    after[digits..]
                        .strip_prefix("__")
                        .unwrap_or(&after[digits..]),
                );
                Some(&r[..i])
            }
            None => {
                rest = None;
                Some(r)
            }
        }
    })
}

struct Resolver<'a> {
    consts: &'a ConstTable,
    read_file: &'a dyn Fn(&str) -> Option<String>,
    holes: usize,
    binds: usize,
    unknown: Vec<String>,
    visiting: Vec<(String, Vec<String>, String)>,
    truncated: bool,
    /// True while the expression seen so far is a plain chain of consts
    /// (the text is wholly where the last one points).
    chain: bool,
    text_location: Option<nova_model::Location>,
}

impl Resolver<'_> {
    fn hole(&mut self, what: String) -> Vec<String> {
        if !self.unknown.contains(&what) {
            self.unknown.push(what);
        }
        let h = crate::hole(self.holes);
        self.holes += 1;
        vec![h]
    }

    fn alts(&mut self, e: &SqlExpr, pkg: &str, module: &[String], depth: usize) -> Vec<String> {
        if depth > MAX_DEPTH {
            return self.hole(e.display());
        }
        match e {
            SqlExpr::Lit(s) => vec![s.clone()],
            SqlExpr::Bind => {
                self.binds += 1;
                vec![format!("${}", self.binds)]
            }
            SqlExpr::Unknown(t) => self.hole(t.clone()),
            SqlExpr::Include(p) => self.hole(format!("include_str!({p:?})")),
            SqlExpr::File(p) => match (self.read_file)(p) {
                Some(t) => {
                    if self.chain {
                        self.text_location = Some(nova_model::Location::new(p.clone(), 1, 0));
                    }
                    vec![t]
                }
                None => self.hole(format!("file:{p}")),
            },
            SqlExpr::Const(path) if path.len() == 2 && path[0] == "Self" => {
                // One text per implementor: no single location.
                self.chain = false;
                // A trait default method: one text per implementor.
                let entries: Vec<ConstEntry> = self
                    .consts
                    .all_named(&path[1], pkg)
                    .into_iter()
                    .cloned()
                    .collect();
                if entries.is_empty() {
                    return self.hole(path.join("::"));
                }
                let mut out: Vec<String> = Vec::new();
                for entry in entries {
                    let key = (
                        entry.package.clone(),
                        entry.module.clone(),
                        entry.name.clone(),
                    );
                    if self.visiting.contains(&key) {
                        continue;
                    }
                    self.visiting.push(key);
                    for t in self.alts(&entry.value, &entry.package, &entry.module, depth + 1) {
                        if out.len() >= MAX_TEXTS {
                            self.truncated = true;
                            break;
                        }
                        if !out.contains(&t) {
                            out.push(t);
                        }
                    }
                    self.visiting.pop();
                }
                if out.is_empty() {
                    return self.hole(path.join("::"));
                }
                out
            }
            SqlExpr::Const(path) => {
                let origin = Origin {
                    package: pkg,
                    module,
                };
                let Some(entry) = self.consts.lookup(path, &origin) else {
                    return self.hole(path.join("::"));
                };
                let key = (
                    entry.package.clone(),
                    entry.module.clone(),
                    entry.name.clone(),
                );
                if self.visiting.contains(&key) {
                    return self.hole(path.join("::"));
                }
                self.visiting.push(key);
                if self.chain {
                    self.text_location =
                        Some(nova_model::Location::new(entry.file.clone(), entry.line, 0));
                }
                let pkg = entry.package.clone();
                let module = entry.module.clone();
                let out = self.alts(&entry.value, &pkg, &module, depth + 1);
                self.visiting.pop();
                out
            }
            SqlExpr::Concat(parts) => {
                self.chain = false;
                let mut acc = vec![String::new()];
                for p in parts {
                    let next = self.alts(p, pkg, module, depth + 1);
                    acc = self.product(acc, &next);
                }
                acc
            }
            SqlExpr::Choice(parts) => {
                self.chain = false;
                let mut out: Vec<String> = Vec::new();
                for p in parts {
                    for t in self.alts(p, pkg, module, depth + 1) {
                        if out.len() >= MAX_TEXTS {
                            self.truncated = true;
                            break;
                        }
                        if !out.contains(&t) {
                            out.push(t);
                        }
                    }
                }
                if out.is_empty() {
                    out.push(String::new());
                }
                out
            }
            SqlExpr::Format { template, args } => {
                self.chain = false;
                let mut acc = vec![String::new()];
                let mut i = 0usize;
                for piece in parse_format_template(template) {
                    let next = match piece {
                        FormatPiece::Text(t) => vec![t],
                        FormatPiece::Hole(_) => {
                            let arg = args.get(i);
                            i += 1;
                            match arg {
                                Some(a) => self.alts(a, pkg, module, depth + 1),
                                None => self.hole(format!("{template:?} hole {i}")),
                            }
                        }
                    };
                    acc = self.product(acc, &next);
                }
                acc
            }
        }
    }

    fn product(&mut self, acc: Vec<String>, next: &[String]) -> Vec<String> {
        let mut out = Vec::with_capacity(acc.len() * next.len().max(1));
        'outer: for a in &acc {
            for n in next {
                if out.len() >= MAX_TEXTS {
                    self.truncated = true;
                    break 'outer;
                }
                out.push(format!("{a}{n}"));
            }
        }
        out
    }
}

/// Rewrite [`SqlExpr::File`] (relative to the crate directory `crate_dir`)
/// and [`SqlExpr::Include`] (relative to the directory of `file`) into
/// [`SqlExpr::File`] paths relative to the scanned root.
pub fn normalize_paths(expr: &SqlExpr, crate_dir: &str, file: &str) -> SqlExpr {
    match expr {
        SqlExpr::File(p) => SqlExpr::File(join_path(crate_dir, p)),
        SqlExpr::Include(p) => {
            let dir = file.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
            SqlExpr::File(join_path(dir, p))
        }
        SqlExpr::Format { template, args } => SqlExpr::Format {
            template: template.clone(),
            args: args
                .iter()
                .map(|a| normalize_paths(a, crate_dir, file))
                .collect(),
        },
        SqlExpr::Concat(parts) => SqlExpr::Concat(
            parts
                .iter()
                .map(|a| normalize_paths(a, crate_dir, file))
                .collect(),
        ),
        SqlExpr::Choice(parts) => SqlExpr::Choice(
            parts
                .iter()
                .map(|a| normalize_paths(a, crate_dir, file))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// [`normalize_paths`], borrowing `expr` when it names no file (most SQL
/// does not: no copy of its text is made then).
pub fn paths_normalized<'e>(
    expr: &'e SqlExpr,
    crate_dir: &str,
    file: &str,
) -> std::borrow::Cow<'e, SqlExpr> {
    if names_file(expr) {
        std::borrow::Cow::Owned(normalize_paths(expr, crate_dir, file))
    } else {
        std::borrow::Cow::Borrowed(expr)
    }
}

/// Whether `expr` holds a [`SqlExpr::File`] or [`SqlExpr::Include`].
fn names_file(expr: &SqlExpr) -> bool {
    match expr {
        SqlExpr::File(_) | SqlExpr::Include(_) => true,
        SqlExpr::Format { args: parts, .. } | SqlExpr::Concat(parts) | SqlExpr::Choice(parts) => {
            parts.iter().any(names_file)
        }
        _ => false,
    }
}

/// Join `base` and `rel` with `/`, folding `.` and `..`.
pub fn join_path(base: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    let rel = rel.replace('\\', "/");
    let absolute = rel.starts_with('/');
    let joined: Vec<&str> = if absolute {
        rel.split('/').collect()
    } else {
        base.split('/').chain(rel.split('/')).collect()
    };
    for seg in joined {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::unit::ParsedFile;
    use nova_model::Dialect;

    fn file(path: &str, module: &[&str], src: &str) -> ParsedFile {
        ParsedFile {
            path: path.to_string(),
            module: module.iter().map(|s| s.to_string()).collect(),
            in_test: false,
            facts: crate::parse_file(src, false).unwrap_or_default(),
        }
    }

    fn krate(package: &str, deps: &[&str], files: Vec<ParsedFile>) -> Crate {
        Crate {
            package: package.to_string(),
            dir: package.to_string(),
            service: None,
            local_deps: deps.iter().map(|s| s.to_string()).collect(),
            external_deps: Vec::new(),
            dialect: Dialect::Postgres,
            files,
        }
    }

    fn texts(expr: &SqlExpr, table: &ConstTable, pkg: &str, module: &[&str]) -> Resolved {
        let module: Vec<String> = module.iter().map(|s| s.to_string()).collect();
        resolve(
            expr,
            table,
            &Origin {
                package: pkg,
                module: &module,
            },
        )
    }

    fn c(path: &[&str]) -> SqlExpr {
        SqlExpr::Const(path.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn text_location_is_the_innermost_const_or_the_file() {
        let app = krate(
            "app",
            &[],
            vec![
                file(
                    "app/src/queries.rs",
                    &["queries"],
                    "\npub const LIST: &str = \"SELECT * FROM tags\";\npub const ALIAS: &str = LIST;",
                ),
                file(
                    "app/src/main.rs",
                    &[],
                    "const FILE: &str = include_str!(\"q.sql\");",
                ),
            ],
        );
        let table = ConstTable::new(&[app]);
        let at = |r: &Resolved| r.text_location.as_ref().map(|l| (l.file.clone(), l.line));
        let loc = |f: &str, l: u32| Some((f.to_string(), l));
        // A const, and a const naming another const: where the text is.
        assert_eq!(
            at(&texts(&c(&["queries", "LIST"]), &table, "app", &[])),
            loc("app/src/queries.rs", 2)
        );
        assert_eq!(
            at(&texts(&c(&["queries", "ALIAS"]), &table, "app", &[])),
            loc("app/src/queries.rs", 2)
        );
        // Several parts: no single place.
        let concat = SqlExpr::Concat(vec![c(&["queries", "LIST"]), SqlExpr::Lit(" x".into())]);
        assert_eq!(at(&texts(&concat, &table, "app", &[])), None);
        // A literal is at the site; a const not found has no location.
        assert_eq!(
            at(&texts(&SqlExpr::Lit("SELECT 1".into()), &table, "app", &[])),
            None
        );
        assert_eq!(at(&texts(&c(&["NOPE"]), &table, "app", &[])), None);
        // A file read: its first line; a file not read: none.
        let read = |p: &str| (p == "app/src/q.sql").then(|| "SELECT * FROM q".to_string());
        let origin = Origin {
            package: "app",
            module: &[],
        };
        let r = resolve_with(&c(&["FILE"]), &table, &origin, &read);
        assert_eq!(r.texts, vec!["SELECT * FROM q".to_string()]);
        assert_eq!(at(&r), loc("app/src/q.sql", 1));
        let r = resolve_with(&SqlExpr::File("missing.sql".into()), &table, &origin, &read);
        assert_eq!(at(&r), None);
    }

    #[test]
    fn holes_are_shown_as_braces() {
        let t = format!(
            "SELECT * FROM {} WHERE id = $1 AND {}",
            crate::hole(0),
            crate::hole(12)
        );
        assert_eq!(holes_as_braces(&t), "SELECT * FROM {} WHERE id = $1 AND {}");
        assert_eq!(strip_holes(&t), "SELECT * FROM  WHERE id = $1 AND ");
    }

    #[test]
    fn cross_module_consts_and_dependencies() {
        let app = krate(
            "app",
            &["db-queries"],
            vec![
                file(
                    "app/src/sql.rs",
                    &["sql"],
                    r#"pub const GET_USER: &str = "SELECT * FROM users WHERE id = $1";
                       pub mod inner { pub const LIST: &str = "SELECT * FROM inner_list"; }"#,
                ),
                file(
                    "app/src/repo.rs",
                    &["repo"],
                    r#"const LIST: &str = "SELECT * FROM repo_list";
                       struct Q; impl Q { const ONE: &'static str = "SELECT 1 FROM q_one"; }"#,
                ),
            ],
        );
        let lib = krate(
            "db-queries",
            &[],
            vec![file(
                "lib/src/lib.rs",
                &[],
                r#"pub const SHARED: &str = concat!("SELECT * FROM ", "shared");"#,
            )],
        );
        let table = ConstTable::new(&[app, lib]);
        let r = texts(&c(&["crate", "sql", "GET_USER"]), &table, "app", &["repo"]);
        assert_eq!(r.texts, vec!["SELECT * FROM users WHERE id = $1"]);
        assert!(!r.holes_in_text);
        // Bare name: same module first.
        let r = texts(&c(&["LIST"]), &table, "app", &["repo"]);
        assert_eq!(r.texts, vec!["SELECT * FROM repo_list"]);
        // Qualified relative path.
        let r = texts(&c(&["sql", "inner", "LIST"]), &table, "app", &[]);
        assert_eq!(r.texts, vec!["SELECT * FROM inner_list"]);
        // super::
        let r = texts(&c(&["super", "sql", "GET_USER"]), &table, "app", &["repo"]);
        assert_eq!(r.texts, vec!["SELECT * FROM users WHERE id = $1"]);
        // Associated const through Self and through the type.
        let r = texts(&c(&["Self", "ONE"]), &table, "app", &["repo"]);
        assert_eq!(r.texts, vec!["SELECT 1 FROM q_one"]);
        let r = texts(&c(&["Q", "ONE"]), &table, "app", &["repo"]);
        assert_eq!(r.texts, vec!["SELECT 1 FROM q_one"]);
        // Dependency crate, by crate path and by bare name.
        let r = texts(&c(&["db_queries", "SHARED"]), &table, "app", &[]);
        assert_eq!(r.texts, vec!["SELECT * FROM shared"]);
        let r = texts(&c(&["SHARED"]), &table, "app", &["repo"]);
        assert_eq!(r.texts, vec!["SELECT * FROM shared"]);
        // Not visible from the library (no reverse dependency).
        let r = texts(&c(&["GET_USER"]), &table, "db-queries", &[]);
        assert!(r.texts.is_empty());
        assert_eq!(r.unknown, vec!["GET_USER"]);
    }

    #[test]
    fn self_consts_in_impls_and_trait_defaults() {
        let src = r#"
trait Table {
    const TABLE: &'static str;
    fn all() { sqlx::query(&format!("SELECT * FROM {}", Self::TABLE)); }
}
struct Users;
impl Table for Users { const TABLE: &'static str = "users"; }
struct Posts;
impl Table for Posts { const TABLE: &'static str = "posts"; }
impl Posts { fn mine() { sqlx::query(&format!("DELETE FROM {}", Self::TABLE)); } }
"#;
        let app = krate("app", &[], vec![file("app/src/lib.rs", &[], src)]);
        let sites: Vec<SqlExpr> = app.files[0]
            .facts
            .sql_sites
            .iter()
            .map(|s| s.expr.clone())
            .collect();
        let table = ConstTable::new(&[app]);
        let r = texts(&sites[0], &table, "app", &[]);
        assert_eq!(r.texts, vec!["SELECT * FROM posts", "SELECT * FROM users"]);
        let r = texts(&sites[1], &table, "app", &[]);
        assert_eq!(r.texts, vec!["DELETE FROM posts"]);
    }

    #[test]
    fn format_holes_choices_and_cycles() {
        let app = krate(
            "app",
            &[],
            vec![file(
                "app/src/lib.rs",
                &[],
                r#"const TABLE: &str = "videos";
                   const A: &str = B;
                   const B: &str = A;"#,
            )],
        );
        let table = ConstTable::new(&[app]);
        let expr = SqlExpr::Format {
            template: "SELECT * FROM {} WHERE {} = $1".into(),
            args: vec![c(&["TABLE"]), SqlExpr::Unknown("col".into())],
        };
        let r = texts(&expr, &table, "app", &[]);
        assert_eq!(
            r.texts,
            vec!["SELECT * FROM videos WHERE __nova_hole_0__ = $1"]
        );
        assert!(r.holes_in_text);
        assert_eq!(r.template.as_deref(), Some(r.texts[0].as_str()));
        assert_eq!(r.unknown, vec!["col"]);

        let expr = SqlExpr::Format {
            template: "DELETE FROM {} WHERE id = $1".into(),
            args: vec![SqlExpr::Unknown("table".into())],
        };
        let r = texts(&expr, &table, "app", &[]);
        assert_eq!(r.texts, vec!["DELETE FROM __nova_hole_0__ WHERE id = $1"]);

        let expr = SqlExpr::Concat(vec![
            SqlExpr::Choice(vec![
                SqlExpr::Lit("SELECT a".into()),
                SqlExpr::Lit("SELECT b".into()),
            ]),
            SqlExpr::Lit(" FROM t WHERE x = ".into()),
            SqlExpr::Bind,
        ]);
        let r = texts(&expr, &table, "app", &[]);
        assert_eq!(
            r.texts,
            vec![
                "SELECT a FROM t WHERE x = $1",
                "SELECT b FROM t WHERE x = $1"
            ]
        );

        // Cycle: terminates, reported unknown.
        let r = texts(&c(&["A"]), &table, "app", &[]);
        assert!(r.texts.is_empty());
        assert_eq!(r.unknown, vec!["A"]);

        // Whole expression unknown.
        let r = texts(&SqlExpr::Unknown("self.sql".into()), &table, "app", &[]);
        assert!(r.texts.is_empty());
        assert_eq!(r.unknown, vec!["self.sql"]);

        // Cap on combinations.
        let many = SqlExpr::Choice((0..10).map(|i| SqlExpr::Lit(format!("t{i}"))).collect());
        let r = texts(
            &SqlExpr::Concat(vec![many.clone(), many]),
            &table,
            "app",
            &[],
        );
        assert_eq!(r.texts.len(), MAX_TEXTS);
        assert!(r.truncated);
    }

    #[test]
    fn files_are_read_relative_to_crate_and_file() {
        let e = normalize_paths(
            &SqlExpr::File("queries/get.sql".into()),
            "svc",
            "svc/src/a.rs",
        );
        assert_eq!(e, SqlExpr::File("svc/queries/get.sql".into()));
        let e = normalize_paths(
            &SqlExpr::Include("../sql/x.sql".into()),
            "svc",
            "svc/src/db/a.rs",
        );
        assert_eq!(e, SqlExpr::File("svc/src/sql/x.sql".into()));
        let table = ConstTable::default();
        let module: Vec<String> = Vec::new();
        let origin = Origin {
            package: "svc",
            module: &module,
        };
        let reader = |p: &str| (p == "svc/queries/get.sql").then(|| "SELECT * FROM f".to_string());
        let r = resolve_with(
            &SqlExpr::File("svc/queries/get.sql".into()),
            &table,
            &origin,
            &reader,
        );
        assert_eq!(r.texts, vec!["SELECT * FROM f"]);
        let r = resolve_with(
            &SqlExpr::File("svc/missing.sql".into()),
            &table,
            &origin,
            &reader,
        );
        assert!(r.texts.is_empty());
        assert_eq!(r.unknown, vec!["file:svc/missing.sql"]);
    }
}
