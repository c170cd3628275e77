//! Macro bodies, parsed once per file and shared by the collectors.
//!
//! `syn` keeps a macro's body as tokens. Both collectors look inside the
//! bodies whose tokens are comma-separated expressions (`sqlx::query!(..)`,
//! `format!(..)`, `tokio::join!(..)`, `info!(.., call())`, outbox macros), so
//! [`MacroArgs::of_file`] parses every macro of a file once, recursively into
//! the arguments of macros, and the collectors look the result up.

use crate::FastMap as HashMap;
use syn::Expr;
use syn::parse::Parser;
use syn::punctuated::Punctuated;
use syn::visit::Visit;

/// A macro, by the line and column where its path starts.
type MacroKey = (usize, usize);

fn macro_key(mac: &syn::Macro) -> MacroKey {
    let p = crate::span::macro_first(mac).start();
    (p.line, p.column)
}

/// Parse a macro body as comma-separated expressions.
pub(crate) fn parse_args(mac: &syn::Macro) -> Option<Vec<Expr>> {
    let parser = Punctuated::<Expr, syn::Token![,]>::parse_terminated;
    parser
        .parse2(mac.tokens.clone())
        .ok()
        .map(|p| p.into_iter().collect())
}

/// The parsed arguments of every macro of one file. A body that is not a
/// list of expressions (`json!({..})`, `tokio::select!`) is recorded as
/// `None`, so it is not parsed a second time.
#[derive(Debug, Default)]
pub(crate) struct MacroArgs {
    parsed: HashMap<MacroKey, Option<Vec<Expr>>>,
}

impl MacroArgs {
    /// Parse every macro of `file`, and the macros inside their arguments.
    pub(crate) fn of_file(file: &syn::File) -> Self {
        let mut finder = Finder::default();
        finder.visit_file(file);
        let mut queue = finder.found;
        let mut parsed = HashMap::with_capacity_and_hasher(queue.len(), Default::default());
        while let Some((key, args)) = queue.pop() {
            if let Some(exprs) = &args {
                let mut inner = Finder::default();
                for e in exprs {
                    inner.visit_expr(e);
                }
                queue.extend(inner.found);
            }
            parsed.insert(key, args);
        }
        MacroArgs { parsed }
    }

    /// The arguments of `mac` when it was parsed with the file and its body is
    /// a list of expressions.
    pub(crate) fn get(&self, mac: &syn::Macro) -> Option<&[Expr]> {
        self.parsed.get(&macro_key(mac)).and_then(|a| a.as_deref())
    }

    /// The arguments of `mac`: looked up, or parsed now for a macro the file
    /// walk did not see (one inside a block-bodied macro, or a tree built
    /// outside [`MacroArgs::of_file`]).
    pub(crate) fn args<'a>(&'a self, mac: &syn::Macro) -> Option<Args<'a>> {
        match self.parsed.get(&macro_key(mac)) {
            Some(Some(v)) => Some(Args::Shared(v)),
            Some(None) => None,
            None => parse_args(mac).map(Args::Own),
        }
    }
}

/// Arguments of one macro: the file's parse, or a parse of its own.
pub(crate) enum Args<'a> {
    Shared(&'a [Expr]),
    Own(Vec<Expr>),
}

impl std::ops::Deref for Args<'_> {
    type Target = [Expr];
    fn deref(&self) -> &[Expr] {
        match self {
            Args::Shared(a) => a,
            Args::Own(v) => v,
        }
    }
}

/// Collects the macros of a tree with their parsed arguments (it does not
/// descend into macro bodies: [`MacroArgs::of_file`] does, from the parsed
/// arguments).
#[derive(Default)]
struct Finder {
    found: Vec<(MacroKey, Option<Vec<Expr>>)>,
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.found.push((macro_key(mac), parse_args(mac)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_nested_macros_once_and_remembers_failures() {
        let file: syn::File = syn::parse_str(
            r#"fn f() {
                info!("{}", format!("SELECT {}", concat!("a", "b")));
                let v = json!({"a": 1});
            }"#,
        )
        .unwrap();
        let m = MacroArgs::of_file(&file);
        // info!, format!, concat! parsed; json! recorded as not a list.
        assert_eq!(m.parsed.len(), 4);
        assert_eq!(m.parsed.values().filter(|v| v.is_none()).count(), 1);
    }
}
