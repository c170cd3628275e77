//! Macro bodies, parsed once per file and shared by the collectors.
//!
//! `syn` keeps a macro's body as tokens. Both collectors look inside the
//! bodies whose tokens are comma-separated expressions (`sqlx::query!(..)`,
//! `format!(..)`, `tokio::join!(..)`, `info!(.., call())`, outbox macros), so
//! [`MacroArgs::from_found`] parses every macro of a file once, recursively into
//! the arguments of macros, and the collectors look the result up.

use crate::FastMap as HashMap;
use proc_macro2::{Delimiter, Ident, Spacing, TokenStream, TokenTree};
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
    // Read during the walk and dropped with the file's tree, whether built
    // by hand or by the parser.
    nova_alloc::trees(|| {
        if let Some(args) = simple_args(&mac.tokens) {
            return Some(args);
        }
        let parser = Punctuated::<Expr, syn::Token![,]>::parse_terminated;
        parser
            .parse2(mac.tokens.clone())
            .ok()
            .map(|p| p.into_iter().collect())
    })
}

/// Words that are not plain names in an expression.
fn is_keyword(s: &str) -> bool {
    matches!(
        s,
        "_" | "Self"
            | "abstract"
            | "as"
            | "async"
            | "await"
            | "become"
            | "box"
            | "break"
            | "const"
            | "continue"
            | "crate"
            | "do"
            | "dyn"
            | "else"
            | "enum"
            | "extern"
            | "false"
            | "final"
            | "fn"
            | "for"
            | "gen"
            | "if"
            | "impl"
            | "in"
            | "let"
            | "loop"
            | "macro"
            | "match"
            | "mod"
            | "move"
            | "mut"
            | "override"
            | "priv"
            | "pub"
            | "ref"
            | "return"
            | "static"
            | "struct"
            | "super"
            | "trait"
            | "true"
            | "try"
            | "type"
            | "typeof"
            | "union"
            | "unsafe"
            | "unsized"
            | "use"
            | "virtual"
            | "where"
            | "while"
            | "yield"
    )
}

/// A plain name: an ident that is no keyword. (Its text is matched, not
/// the ident compared with each keyword: an ident's `==` is slow.)
fn name_ok(i: &Ident) -> bool {
    !is_keyword(crate::name::Name::of(i).as_str())
}

fn punct(t: &TokenTree, c: char) -> Option<&proc_macro2::Punct> {
    match t {
        TokenTree::Punct(p) if p.as_char() == c && p.spacing() == Spacing::Alone => Some(p),
        _ => None,
    }
}

fn path_expr(i: Ident) -> Expr {
    Expr::Path(syn::ExprPath {
        attrs: Vec::new(),
        qself: None,
        path: syn::Path::from(i),
    })
}

/// A parenthesised argument list (the tokens inside `( )`).
fn paren(t: Option<&TokenTree>) -> Option<&proc_macro2::Group> {
    match t {
        Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Parenthesis => Some(g),
        _ => None,
    }
}

/// One argument made of a literal or a name, followed by fields, method
/// calls and calls whose own arguments have the same shapes (`id`,
/// `self.table`, `name.len()`, `check(x, "y").unwrap()`), possibly behind a
/// `&`; built as `syn` would parse it, from its tokens (moved into the
/// tree, not copied). `None` for anything else.
fn simple_expr(t: impl Iterator<Item = TokenTree>) -> Option<Expr> {
    let mut t = t.peekable();
    let and = match t.peek().and_then(|f| punct(f, '&')) {
        Some(p) => {
            let span = p.span();
            t.next();
            Some(span)
        }
        None => None,
    };
    let mut e = match t.next()? {
        TokenTree::Literal(l) => Expr::Lit(syn::ExprLit {
            attrs: Vec::new(),
            lit: syn::Lit::new(l),
        }),
        first => path_expr(owned_name(first)?),
    };
    while let Some(tok) = t.next() {
        if let Some(g) = paren(Some(&tok)) {
            // `f(..)`: a call of what came before.
            e = Expr::Call(syn::ExprCall {
                attrs: Vec::new(),
                func: Box::new(e),
                paren_token: syn::token::Paren(g.delim_span()),
                args: simple_list(&g.stream())?,
            });
            continue;
        }
        let dot = punct(&tok, '.')?.span();
        let member = owned_name(t.next()?)?;
        match t.next_if(|n| paren(Some(n)).is_some()) {
            Some(TokenTree::Group(g)) => {
                e = Expr::MethodCall(syn::ExprMethodCall {
                    attrs: Vec::new(),
                    receiver: Box::new(e),
                    dot_token: syn::Token![.](dot),
                    method: member,
                    turbofish: None,
                    paren_token: syn::token::Paren(g.delim_span()),
                    args: simple_list(&g.stream())?,
                });
            }
            _ => {
                e = Expr::Field(syn::ExprField {
                    attrs: Vec::new(),
                    base: Box::new(e),
                    dot_token: syn::Token![.](dot),
                    member: syn::Member::Named(member),
                });
            }
        }
    }
    Some(match and {
        Some(span) => Expr::Reference(syn::ExprReference {
            attrs: Vec::new(),
            and_token: syn::Token![&](span),
            mutability: None,
            expr: Box::new(e),
        }),
        None => e,
    })
}

/// The token when it is a plain name (an ident that is no keyword).
fn owned_name(t: TokenTree) -> Option<Ident> {
    match t {
        TokenTree::Ident(i) if name_ok(&i) => Some(i),
        _ => None,
    }
}

/// Comma-separated [`simple_expr`]s, with their commas (a trailing one
/// included, as `syn` keeps it). `None` if any argument has another shape.
fn simple_list(tokens: &TokenStream) -> Option<Punctuated<Expr, syn::Token![,]>> {
    let mut out = Punctuated::new();
    let mut cur: Vec<TokenTree> = Vec::with_capacity(4);
    for t in tokens.clone() {
        if let Some(comma) = punct(&t, ',') {
            out.push_value(simple_expr(cur.drain(..))?);
            out.push_punct(syn::Token![,](comma.span()));
        } else if cur.len() == 16 {
            return None;
        } else {
            cur.push(t);
        }
    }
    if !cur.is_empty() {
        out.push_value(simple_expr(cur.drain(..))?);
    }
    Some(out)
}

/// The arguments of a body whose arguments all have a shape of
/// [`simple_expr`] (most `format!`, `query!`, log and assert macros), built
/// without running the parser: the same trees, at a fraction of the cost.
/// `None` for any other body.
fn simple_args(tokens: &TokenStream) -> Option<Vec<Expr>> {
    simple_list(tokens).map(|p| p.into_iter().collect())
}

/// The parsed arguments of every macro of one file. A body that is not a
/// list of expressions (`json!({..})`, `tokio::select!`) is recorded as
/// `None`, so it is not parsed a second time.
#[derive(Debug, Default)]
pub(crate) struct MacroArgs {
    parsed: HashMap<MacroKey, Option<Vec<Expr>>>,
}

impl MacroArgs {
    /// Parse every macro of `file`, and the macros inside their arguments
    /// (the scan does it in `walk`'s pre-walk, with the imports).
    #[cfg(test)]
    pub(crate) fn of_file(file: &syn::File) -> Self {
        let mut finder = Finder::default();
        finder.visit_file(file);
        MacroArgs::from_found(finder)
    }

    /// The macros `finder` found in a file's tree, and those inside their
    /// arguments.
    pub(crate) fn from_found(finder: Finder) -> Self {
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

    /// What the file's parse says of `mac`: `None` when it was not seen,
    /// `Some(None)` when its body is not a list of expressions.
    pub(crate) fn lookup(&self, mac: &syn::Macro) -> Option<Option<&[Expr]>> {
        self.parsed.get(&macro_key(mac)).map(|a| a.as_deref())
    }

    /// The arguments of `mac`: looked up, or parsed now for a macro the file
    /// walk did not see (one inside a block-bodied macro, or a tree built
    /// outside the pre-walk).
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
/// descend into macro bodies: [`MacroArgs::from_found`] does, from the parsed
/// arguments).
#[derive(Default)]
pub(crate) struct Finder {
    found: Vec<(MacroKey, Option<Vec<Expr>>)>,
}

impl Finder {
    /// Record `mac` with its parsed arguments.
    pub(crate) fn record(&mut self, mac: &syn::Macro) {
        self.found.push((macro_key(mac), parse_args(mac)));
    }
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        self.record(mac);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The bodies built without the parser are exactly what the parser
    /// builds, and every other body goes to the parser.
    #[test]
    fn simple_bodies_match_the_parser() {
        let bodies = [
            r#""SELECT 1""#,
            r#""SELECT {} FROM t", table"#,
            r#""a {} {}", self.table, &id,"#,
            r#""x", &self.pool, 1u8, 2.5, b"raw", 'c', r"raw""#,
            "",
            "x",
            "true",
            "false",
            "_",
            "self",
            "Self",
            "x.await",
            "x.0",
            "&&x",
            "&mut x",
            "a..b",
            "a.b.c",
            "x, -1",
            "x,-1",
            ", x",
            "x,, y",
            "a = 1",
            "r#type, r#type.r#match",
            "crate",
            "super",
            "f(x)",
            "async",
            "a.b()",
            "a.b(x)",
            "a.b().c.d()",
            "&t.trim().to_string(), x.len()",
            "x.len() > 3",
            "a.b::<T>()",
            "a.b[0]",
            "a.b().await",
            "a.b(),",
            "1.x",
            r#"validate_0("S", 10).unwrap(), "S""#,
            "f(x)(y)",
            "f(x,)",
            "f(,)",
            "f(a.b(c, &d.e()), 2)",
            r#""s".to_string(), x.get(0).cloned()"#,
            "1.5.max(x)",
            "f(x).await",
            "f::<T>(x)",
            "a.b(|x| x)",
            "f(-1)",
            "&f(x)",
        ];
        let parser = Punctuated::<Expr, syn::Token![,]>::parse_terminated;
        let mut fast = 0;
        for body in bodies {
            let tokens: TokenStream = body.parse().expect("tokens");
            let full = parser
                .parse2(tokens.clone())
                .ok()
                .map(|p| p.into_iter().collect::<Vec<_>>());
            if let Some(simple) = simple_args(&tokens) {
                fast += 1;
                assert_eq!(Some(simple), full, "{body}");
            }
        }
        assert_eq!(fast, 23, "bodies built without the parser");
    }

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

    /// `name_ok` rejects exactly the identifiers equal to a keyword (the
    /// rule it replaced compared the identifier with each one).
    #[test]
    fn names_are_identifiers_other_than_keywords() {
        const KEYWORDS: [&str; 53] = [
            "_", "Self", "abstract", "as", "async", "await", "become", "box", "break", "const",
            "continue", "crate", "do", "dyn", "else", "enum", "extern", "false", "final", "fn",
            "for", "gen", "if", "impl", "in", "let", "loop", "macro", "match", "mod", "move",
            "mut", "override", "priv", "pub", "ref", "return", "static", "struct", "super",
            "trait", "true", "try", "type", "typeof", "union", "unsafe", "unsized", "use",
            "virtual", "where", "while", "yield",
        ];
        let words = KEYWORDS.iter().map(|k| k.to_string()).chain(
            [
                "self",
                "x",
                "Type",
                "types",
                "abstracts",
                "r#type",
                "r#fn",
                "r#x",
                "a_name_longer_than_sixteen_bytes",
                "é",
                "_x",
            ]
            .map(String::from),
        );
        for w in words {
            let t = w.parse::<TokenStream>().expect("tokens").into_iter().next();
            let Some(t) = t else { panic!("{w}") };
            let TokenTree::Ident(i) = &t else {
                panic!("{w} is not an identifier")
            };
            let old = !KEYWORDS.iter().any(|k| i == k);
            assert_eq!(name_ok(i), old, "{w}");
        }
    }
}
