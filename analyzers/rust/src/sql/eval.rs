//! The SQL walk's evaluation: an expression to [`SqlExpr`] through the
//! function's bindings and the file's consts, and the sites it records.

use super::clients;
use super::collector::*;
use super::format::{FormatPiece, escape, parse_format_template};
use super::shapes::*;
use super::{ConstDef, FnInfo, SqlExpr, SqlSite};
use crate::FastMap as HashMap;
use crate::name::Name;
use nova_model::StoreKind;
use proc_macro2::Span;
use syn::{Attribute, BinOp, Expr, Lit, Pat};

impl Collector<'_> {
    pub(super) fn in_test(&self) -> bool {
        self.in_test_file || self.test_depth > 0
    }

    pub(super) fn current_fn(&self) -> Option<String> {
        self.fns.last().map(|f| f.path.clone())
    }

    /// Where the text of a SQL argument is: the initialiser of the local it
    /// names (through `&`, `.as_str()`...), else the argument itself.
    pub(super) fn text_at(&self, e: &Expr) -> (u32, u32) {
        match strip_refs(e) {
            Expr::MethodCall(m) if STR_WRAPPERS.contains(&Name::of(&m.method).as_str()) => {
                self.text_at(&m.receiver)
            }
            Expr::Path(p) if p.qself.is_none() => {
                match p.path.get_ident().and_then(|i| self.lookup(&Name::of(i))) {
                    Some(Binding::Str { at, .. }) => *at,
                    _ => expr_at(e),
                }
            }
            _ => expr_at(e),
        }
    }

    /// Record a site whose SQL text is the argument `arg` (see
    /// [`SqlSite::text_at`]).
    pub(super) fn push_site_for(
        &mut self,
        expr: SqlExpr,
        span: Span,
        arg: &Expr,
        api: String,
        store: Option<StoreKind>,
    ) {
        let at = self.text_at(arg);
        let param = match &expr {
            SqlExpr::Unknown(_) => self.param_of(arg),
            _ => None,
        };
        self.push_site(expr, span, api, store);
        if let Some((function, index, has_self)) = param {
            self.param_sites.push(ParamSite {
                site: self.out.sql_sites.len() - 1,
                function,
                index,
                has_self,
            });
        }
        if let Some(site) = self.out.sql_sites.last_mut()
            && at != (site.line, site.column)
        {
            site.text_at = Some(at);
        }
    }

    pub(super) fn push_site(
        &mut self,
        expr: SqlExpr,
        span: Span,
        api: String,
        store: Option<StoreKind>,
    ) {
        let (line, column) = line_col(span);
        self.out.sql_sites.push(SqlSite {
            expr,
            line,
            column,
            text_at: None,
            function: self.current_fn(),
            module: self.modules.clone(),
            in_test: self.in_test(),
            api,
            store,
            inferred: false,
        });
    }

    /// `(function name, parameter index, has self)` when `arg` names a
    /// parameter of the current function (not shadowed by a local).
    pub(super) fn param_of(&self, arg: &Expr) -> Option<(String, usize, bool)> {
        let ident = match strip_refs(arg) {
            Expr::MethodCall(m) if STR_WRAPPERS.contains(&Name::of(&m.method).as_str()) => {
                return self.param_of(&m.receiver);
            }
            Expr::Path(p) if p.qself.is_none() => Name::of(p.path.get_ident()?),
            _ => return None,
        };
        if self.lookup(&ident).is_some() {
            return None;
        }
        let ctx = self.fns.last()?;
        let index = ctx.params.iter().position(|p| *p == *ident)?;
        let name = ctx
            .path
            .rsplit("::")
            .next()
            .unwrap_or(&ctx.path)
            .to_string();
        Some((name, index, ctx.has_self))
    }

    pub(super) fn record_call(&mut self, name: &str, span: Span) {
        // Most calls repeat a name already seen: copy it only when new.
        if let Some(ctx) = self.fns.last_mut() {
            ctx.calls.record(name, || line_col(span).0);
        }
    }

    pub(super) fn item_path(&self, name: &str) -> String {
        let mut parts: Vec<&str> = self.modules.iter().map(String::as_str).collect();
        if let Some(t) = self.self_types.last() {
            parts.push(t);
        }
        parts.push(name);
        parts.join("::")
    }

    pub(super) fn lookup(&self, name: &str) -> Option<&Binding> {
        self.scopes.iter().rev().find_map(|s| s.get(name))
    }

    pub(super) fn lookup_mut(&mut self, name: &str) -> Option<&mut Binding> {
        self.scopes.iter_mut().rev().find_map(|s| s.get_mut(name))
    }

    pub(super) fn bind(&mut self, name: String, b: Binding) {
        if self.scopes.is_empty() {
            self.scopes.push(HashMap::default());
        }
        if let Some(s) = self.scopes.last_mut() {
            s.insert(name, b);
        }
    }

    /// Enter a function: fresh locals, a new [`FnInfo`]; the walk then
    /// visits its body (not its signature) and calls [`Self::leave_fn`].
    pub(crate) fn enter_fn(
        &mut self,
        sig: &syn::Signature,
        is_pub: bool,
        attrs: &[Attribute],
    ) -> FnEntry {
        let name = &sig.ident.to_string();
        let span = sig.ident.span();
        let test = has_test_attr(attrs);
        if test {
            self.test_depth += 1;
        }
        let path = self.item_path(name);
        let info = self.out.functions.len();
        self.out.functions.push(FnInfo {
            path: path.clone(),
            name: name.to_string(),
            line: line_col(span).0,
            in_test: self.in_test(),
            is_pub,
            calls: Vec::new(),
        });
        let mut params = Vec::new();
        let mut statement_params = Vec::new();
        let mut has_self = false;
        for input in &sig.inputs {
            match input {
                syn::FnArg::Receiver(_) => has_self = true,
                syn::FnArg::Typed(t) => {
                    let name = match &*t.pat {
                        Pat::Ident(i) => i.ident.to_string(),
                        _ => String::new(),
                    };
                    if clients::is_statement_type(&t.ty) {
                        statement_params.push(name.clone());
                    }
                    params.push(name);
                }
            }
        }
        self.fns.push(FnCtx {
            info,
            path,
            calls: CallNames::default(),
            params,
            statement_params,
            has_self,
        });
        FnEntry::new(info, test, std::mem::take(&mut self.scopes))
    }

    /// Leave the function [`Self::enter_fn`] entered.
    pub(crate) fn leave_fn(&mut self, entry: FnEntry) {
        let (test, scopes, types) = entry.into_parts();
        self.scopes = scopes;
        if let Some(ctx) = self.fns.pop()
            && let Some(info) = self.out.functions.get_mut(ctx.info)
        {
            info.calls = ctx.calls.into_sorted();
        }
        if test {
            self.test_depth -= 1;
        }
        if let Some(types) = types {
            self.self_types = types;
        }
    }

    pub(super) fn push_const(
        &mut self,
        name: &syn::Ident,
        expr: &Expr,
        extra_module: Option<&str>,
    ) {
        if !self.fns.is_empty() && extra_module.is_none() {
            // Function-local items are bound as locals (`bind_local_item`).
            return;
        }
        let saved = std::mem::take(&mut self.scopes);
        let value = self.eval(expr);
        self.scopes = saved;
        if let Some(value) = value {
            let mut module = self.modules.clone();
            if let Some(m) = extra_module {
                module.push(m.to_string());
            }
            self.out.consts.push(ConstDef {
                name: name.to_string(),
                module,
                value,
                line: line_col(name.span()).0,
            });
        }
    }

    /// A `const`/`static` declared inside a function body is visible only
    /// there: bind it like a local so that two functions each declaring
    /// `const SQL` resolve to their own text.
    pub(super) fn bind_local_item(&mut self, name: &syn::Ident, expr: &Expr) {
        if self.fns.is_empty() {
            return;
        }
        let value_expr = expr;
        let saved = std::mem::take(&mut self.scopes);
        let value = self.eval(expr);
        self.scopes = saved;
        if let Some(expr) = value {
            self.bind(
                name.to_string(),
                Binding::Str {
                    expr,
                    assigned: false,
                    at: expr_at(value_expr),
                },
            );
        }
    }

    // ---- evaluation of string-like expressions ----

    pub(super) fn eval(&self, e: &Expr) -> Option<SqlExpr> {
        self.eval_at(e, 0)
    }

    pub(super) fn eval_or_unknown(&self, e: &Expr) -> SqlExpr {
        self.eval(e)
            .unwrap_or_else(|| SqlExpr::Unknown(expr_text(e)))
    }

    pub(super) fn eval_at(&self, e: &Expr, depth: usize) -> Option<SqlExpr> {
        if depth > MAX_EVAL_DEPTH {
            return None;
        }
        let d = depth + 1;
        match e {
            Expr::Lit(l) => match &l.lit {
                Lit::Str(s) => Some(SqlExpr::Lit(crate::lit_value(s))),
                _ => None,
            },
            Expr::Reference(r) => self.eval_at(&r.expr, d),
            Expr::Paren(p) => self.eval_at(&p.expr, d),
            Expr::Group(g) => self.eval_at(&g.expr, d),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.eval_at(&u.expr, d),
            Expr::MethodCall(m) => {
                let name = Name::of(&m.method);
                if STR_WRAPPERS.contains(&name.as_str()) && m.args.is_empty() {
                    self.eval_at(&m.receiver, d)
                } else {
                    None
                }
            }
            Expr::Call(c) => self.eval_call(c, d),
            Expr::Macro(m) => self.eval_macro(&m.mac, d),
            Expr::Binary(b) if matches!(b.op, BinOp::Add(_)) => {
                let l = self.eval_at(&b.left, d);
                let r = self.eval_at(&b.right, d);
                if l.is_none() && r.is_none() {
                    return None;
                }
                let l = l.unwrap_or_else(|| SqlExpr::Unknown(expr_text(&b.left)));
                let r = r.unwrap_or_else(|| SqlExpr::Unknown(expr_text(&b.right)));
                Some(concat(vec![l, r]))
            }
            Expr::If(i) => {
                let (_, else_branch) = i.else_branch.as_ref()?;
                let then = block_tail(&i.then_branch);
                let then_v = then.and_then(|t| self.eval_at(t, d));
                let else_v = self.eval_at(else_branch, d);
                if then_v.is_none() && else_v.is_none() {
                    return None;
                }
                let mut parts = Vec::new();
                match (then_v, then) {
                    (Some(v), _) => parts.push(v),
                    (None, Some(t)) if !diverges(t) => parts.push(SqlExpr::Unknown(expr_text(t))),
                    _ => {}
                }
                match else_v {
                    Some(v) => parts.push(v),
                    None if !diverges(else_branch) => {
                        parts.push(SqlExpr::Unknown(expr_text(else_branch.as_ref())))
                    }
                    None => {}
                }
                Some(choice(parts))
            }
            Expr::Match(m) => {
                let arms: Vec<(&Expr, Option<SqlExpr>)> = m
                    .arms
                    .iter()
                    .filter(|arm| !diverges(&arm.body))
                    .map(|arm| (&*arm.body, self.eval_at(&arm.body, d)))
                    .collect();
                if arms.iter().all(|(_, v)| v.is_none()) {
                    return None;
                }
                let parts = arms
                    .into_iter()
                    .map(|(body, v)| v.unwrap_or_else(|| SqlExpr::Unknown(expr_text(body))))
                    .collect();
                Some(choice(parts))
            }
            Expr::Block(b) => self.eval_at(block_tail(&b.block)?, d),
            Expr::Unsafe(b) => self.eval_at(block_tail(&b.block)?, d),
            Expr::Path(p) => {
                if p.qself.is_some() {
                    return None;
                }
                // (The segments' strings only for a const.)
                let segs = &p.path.segments;
                if segs.len() == 1 {
                    let name = Name::of(&segs[0].ident);
                    match self.lookup(&name) {
                        Some(Binding::Str { expr, .. }) => Some(expr.clone()),
                        Some(_) => None,
                        None if is_screaming(&name) => {
                            Some(SqlExpr::Const(vec![name.as_str().to_string()]))
                        }
                        None => None,
                    }
                } else if segs
                    .last()
                    .is_some_and(|s| is_screaming(&Name::of(&s.ident)))
                {
                    Some(SqlExpr::Const(self.replace_self(path_segments(&p.path))))
                } else {
                    None
                }
            }
            Expr::Index(i) if matches!(&*i.index, Expr::Range(_)) => self.eval_at(&i.expr, d),
            Expr::Closure(c) => self.eval_at(&c.body, d),
            _ => None,
        }
    }

    /// `Self::X` inside `impl T` is `T::X`; inside a trait declaration
    /// `Self` stays (any implementor).
    pub(super) fn replace_self(&self, mut segs: Vec<String>) -> Vec<String> {
        if segs.first().is_some_and(|s| s == "Self")
            && !self.trait_decl.last().copied().unwrap_or(false)
            && let Some(t) = self.self_types.last()
        {
            segs[0] = t.clone();
        }
        segs
    }

    pub(super) fn eval_call(&self, c: &syn::ExprCall, d: usize) -> Option<SqlExpr> {
        let Expr::Path(p) = &*c.func else {
            return None;
        };
        let segs = path_segments(&p.path);
        let last = segs.last()?.as_str();
        let owner = segs.len().checked_sub(2).and_then(|i| segs.get(i));
        let owner = owner.map(String::as_str);
        match (owner, last) {
            (Some("String" | "Cow" | "Box" | "Arc" | "Rc" | "str"), "from")
            | (Some("String"), "from_str")
            | (Some("Cow"), "Borrowed" | "Owned")
            | (None, "Borrowed" | "Owned") => self.eval_at(c.args.first()?, d),
            (Some("String"), "new" | "with_capacity") => Some(SqlExpr::Concat(Vec::new())),
            (Some("Lazy" | "LazyLock" | "LazyCell"), "new") => self.eval_at(c.args.first()?, d),
            // sqlx 0.9 `AssertSqlSafe(..)` wrapper.
            (_, "AssertSqlSafe") if c.args.len() == 1 => self.eval_at(c.args.first()?, d),
            _ => None,
        }
    }

    pub(super) fn eval_macro(&self, mac: &syn::Macro, d: usize) -> Option<SqlExpr> {
        let name = mac.path.segments.last()?.ident.to_string();
        match name.as_str() {
            "format" | "formatcp" | "format_args" | "formatdoc" | "const_format" => {
                let args = self.macros.args(mac)?;
                self.eval_format(&args, name == "formatdoc", d)
            }
            "concat" | "concatcp" | "const_concat" => {
                let args = self.macros.args(mac)?;
                let parts = args
                    .iter()
                    .map(|a| match a {
                        Expr::Lit(l) => match &l.lit {
                            Lit::Str(s) => SqlExpr::Lit(crate::lit_value(s)),
                            Lit::Int(i) => SqlExpr::Lit(i.base10_digits().to_string()),
                            Lit::Float(f) => SqlExpr::Lit(f.base10_digits().to_string()),
                            Lit::Bool(b) => SqlExpr::Lit(b.value.to_string()),
                            Lit::Char(c) => SqlExpr::Lit(c.value().to_string()),
                            _ => SqlExpr::Unknown(expr_text(a)),
                        },
                        other => self
                            .eval_at(other, d)
                            .unwrap_or_else(|| SqlExpr::Unknown(expr_text(other))),
                    })
                    .collect();
                Some(concat(parts))
            }
            "include_str" => {
                let args = self.macros.args(mac)?;
                match args.first()? {
                    Expr::Lit(l) => match &l.lit {
                        Lit::Str(s) => Some(SqlExpr::Include(s.value())),
                        _ => None,
                    },
                    _ => None,
                }
            }
            "indoc" | "sql" => {
                let args = self.macros.args(mac)?;
                match self.eval_at(args.first()?, d)? {
                    SqlExpr::Lit(s) => Some(SqlExpr::Lit(dedent(&s))),
                    other => Some(other),
                }
            }
            _ => None,
        }
    }

    /// Build a normalised [`SqlExpr::Format`] from `format!` arguments.
    pub(super) fn eval_format(
        &self,
        args: &[Expr],
        dedent_template: bool,
        d: usize,
    ) -> Option<SqlExpr> {
        let (first, rest) = args.split_first()?;
        let template = match self.eval_at(first, d)? {
            SqlExpr::Lit(s) => s,
            _ => return None,
        };
        let template = if dedent_template {
            dedent(&template)
        } else {
            template
        };
        let mut positional = Vec::new();
        let mut named: HashMap<String, &Expr> = HashMap::default();
        for a in rest {
            if let Expr::Assign(asg) = a
                && let Expr::Path(p) = &*asg.left
                && let Some(id) = p.path.get_ident()
            {
                named.insert(id.to_string(), &asg.right);
                continue;
            }
            positional.push(a);
        }
        let mut next = 0usize;
        let mut out_template = String::new();
        let mut out_args = Vec::new();
        for piece in parse_format_template(&template) {
            match piece {
                FormatPiece::Text(t) => out_template.push_str(&escape(&t)),
                FormatPiece::Hole(arg) => {
                    let value = match arg {
                        None => {
                            let v = positional.get(next).map(|e| self.eval_or_unknown_at(e, d));
                            next += 1;
                            v
                        }
                        Some(a) if a.chars().all(|c| c.is_ascii_digit()) => a
                            .parse::<usize>()
                            .ok()
                            .and_then(|i| positional.get(i))
                            .map(|e| self.eval_or_unknown_at(e, d)),
                        Some(a) => match named.get(a.as_str()) {
                            Some(e) => Some(self.eval_or_unknown_at(e, d)),
                            None => Some(self.eval_captured(&a)),
                        },
                    };
                    out_template.push_str("{}");
                    out_args.push(value.unwrap_or_else(|| SqlExpr::Unknown("?".to_string())));
                }
            }
        }
        if out_args.is_empty() {
            // No holes: plain text (unescape the normalised template).
            let text = parse_format_template(&out_template)
                .into_iter()
                .map(|p| match p {
                    FormatPiece::Text(t) => t,
                    FormatPiece::Hole(_) => String::new(),
                })
                .collect();
            return Some(SqlExpr::Lit(text));
        }
        Some(SqlExpr::Format {
            template: out_template,
            args: out_args,
        })
    }

    pub(super) fn eval_or_unknown_at(&self, e: &Expr, d: usize) -> SqlExpr {
        self.eval_at(e, d)
            .unwrap_or_else(|| SqlExpr::Unknown(expr_text(e)))
    }

    /// A `{name}` captured from the scope.
    pub(super) fn eval_captured(&self, name: &str) -> SqlExpr {
        match self.lookup(name) {
            Some(Binding::Str { expr, .. }) => expr.clone(),
            Some(_) => SqlExpr::Unknown(name.to_string()),
            None if is_screaming(name) => SqlExpr::Const(vec![name.to_string()]),
            None => SqlExpr::Unknown(name.to_string()),
        }
    }

    // ---- sites ----

    /// Record the site of a sqlx macro with arguments `args`; the index
    /// of its SQL argument (the walk visits the others).
    pub(super) fn sqlx_macro(&mut self, mac: &syn::Macro, name: &str, args: &[Expr]) -> usize {
        let sql_idx = usize::from(name.contains("_as"));
        let expr = match args.get(sql_idx) {
            Some(a) if name.starts_with("query_file") => match self.eval(a) {
                Some(SqlExpr::Lit(p)) => SqlExpr::File(p),
                _ => SqlExpr::Unknown(expr_text(a)),
            },
            Some(a) => self.eval_or_unknown(a),
            None => SqlExpr::Unknown(mac.tokens.to_string()),
        };
        match args.get(sql_idx) {
            Some(a) => self.push_site_for(
                expr,
                first_span(&mac.path),
                a,
                format!("sqlx::{name}!"),
                None,
            ),
            None => self.push_site(expr, first_span(&mac.path), format!("sqlx::{name}!"), None),
        }
        sql_idx
    }

    /// Apply a `QueryBuilder` method to the builder bound to the root of
    /// `receiver`.
    pub(super) fn builder_method(&mut self, m: &syn::ExprMethodCall) {
        let method = m.method.to_string();
        let mut root = &*m.receiver;
        loop {
            match root {
                Expr::MethodCall(inner)
                    if BUILDER_METHODS.contains(&Name::of(&inner.method).as_str()) =>
                {
                    root = &inner.receiver
                }
                Expr::Reference(r) => root = &r.expr,
                Expr::Paren(p) => root = &p.expr,
                _ => break,
            }
        }
        let Expr::Path(p) = root else { return };
        let Some(ident) = p.path.get_ident() else {
            return;
        };
        let Some(Binding::Builder { site, sep, first }) = self.lookup(&Name::of(ident)).cloned()
        else {
            return;
        };
        let mut parts = Vec::new();
        let mut unseparated = false;
        match method.as_str() {
            "push" | "push_unseparated" => {
                unseparated = method == "push_unseparated";
                if let Some(a) = m.args.first() {
                    parts.push(self.eval_or_unknown(a));
                }
            }
            "push_bind" | "push_bind_unseparated" => {
                unseparated = method == "push_bind_unseparated";
                parts.push(SqlExpr::Bind);
            }
            "push_values" | "push_tuples" => {
                let binds = m.args.iter().nth(1).map(count_binds).unwrap_or(1).max(1);
                let mut row = vec![SqlExpr::Lit(if method == "push_values" {
                    "VALUES (".to_string()
                } else {
                    "(".to_string()
                })];
                for i in 0..binds {
                    if i > 0 {
                        row.push(SqlExpr::Lit(", ".to_string()));
                    }
                    row.push(SqlExpr::Bind);
                }
                row.push(SqlExpr::Lit(")".to_string()));
                parts.extend(row);
            }
            _ => return,
        }
        if let (Some(sep_text), false, false) = (&sep, first, unseparated) {
            parts.insert(0, SqlExpr::Lit(sep_text.clone()));
        }
        if sep.is_some()
            && !unseparated
            && let Some(Binding::Builder { first, .. }) = self.lookup_mut(&Name::of(ident))
        {
            *first = false;
        }
        if let Some(s) = self.out.sql_sites.get_mut(site) {
            let old = std::mem::replace(&mut s.expr, SqlExpr::Concat(Vec::new()));
            let mut all = vec![old];
            all.extend(parts);
            s.expr = concat(all);
        }
    }

    /// `let sep = qb.separated(", ")`: bind `sep` to the same site.
    pub(super) fn separated_binding(&self, init: &Expr) -> Option<Binding> {
        let Expr::MethodCall(m) = strip_refs(init) else {
            return None;
        };
        if m.method != "separated" {
            return None;
        }
        let Expr::Path(p) = strip_refs(&m.receiver) else {
            return None;
        };
        let site = match self.lookup(&Name::of(p.path.get_ident()?))? {
            Binding::Builder { site, .. } => *site,
            _ => return None,
        };
        let sep = match m.args.first().and_then(|a| self.eval(a)) {
            Some(SqlExpr::Lit(s)) => s,
            _ => ", ".to_string(),
        };
        Some(Binding::Builder {
            site,
            sep: Some(sep),
            first: true,
        })
    }

    /// The API and SQL argument of an ORM's raw-SQL call: diesel
    /// `sql_query(sql)`, SeaORM `Statement::from_string(backend, sql)` /
    /// `Statement::from_sql_and_values(backend, sql, values)`.
    pub(super) fn orm_raw_sql<'c>(
        &self,
        segs: &[String],
        c: &'c syn::ExprCall,
    ) -> Option<(&'static str, &'c Expr)> {
        match segs {
            [.., last] if last == "sql_query" => {
                let diesel = match segs {
                    [_] => self.imports.name_from("sql_query", "diesel"),
                    [first, ..] => first == "diesel",
                    [] => false,
                };
                diesel.then(|| c.args.first().map(|a| ("diesel::sql_query", a)))?
            }
            [.., ty, f]
                if ty == "Statement" && (f == "from_string" || f == "from_sql_and_values") =>
            {
                c.args.iter().nth(1).map(|a| ("sea_orm::Statement", a))
            }
            _ => None,
        }
    }

    pub(super) fn sql_method(&mut self, m: &syn::ExprMethodCall, method: &str) {
        let Some(first) = m.args.first() else { return };
        let recv = receiver_name(&m.receiver);
        let ch = recv.as_deref().is_some_and(is_clickhouse_name)
            || (method == "query" && m.args.len() == 1 && self.imports.clickhouse_only());
        // The call has a SQL client's shape (`clients`): whatever its first
        // argument, it is a site, reported (N006) when it cannot be resolved.
        let client = clients::driver_call(method, m.args.len(), recv.as_deref(), |c| {
            self.imports.names_crate(c)
        }) && clients::client_receiver(&m.receiver);
        let expr = match self.eval(first) {
            Some(e) => e,
            None if self.is_statement(first) => return,
            None => {
                // A parameter or field named like SQL, with tokio-postgres
                // style params (`&[..]`) as second argument.
                let name = receiver_name(first)
                    .unwrap_or_default()
                    .to_ascii_lowercase();
                let unbound = match strip_refs(first) {
                    Expr::Path(p) => p
                        .path
                        .get_ident()
                        .is_some_and(|i| self.lookup(&Name::of(i)).is_none()),
                    Expr::Field(_) => true,
                    _ => false,
                };
                let params = m.args.iter().nth(1).is_some_and(|a| {
                    matches!(strip_refs(a), Expr::Array(_))
                        || matches!(a, Expr::Reference(r) if matches!(&*r.expr, Expr::Array(_)))
                });
                // A parameter of the function holding SQL is resolved from
                // the calls to the function (`super::params`).
                let param = self.param_of(first).is_some();
                let named_sql = unbound
                    && (params || param)
                    && (name.contains("sql") || name.contains("query"));
                if client || named_sql {
                    SqlExpr::Unknown(expr_text(first))
                } else {
                    return;
                }
            }
        };
        let (api, store) = if ch {
            (format!("clickhouse::{method}"), Some(StoreKind::ClickHouse))
        } else {
            (format!("{}::{method}", self.imports.relational_api()), None)
        };
        self.push_site_for(expr, m.method.span(), first, api, store);
        if let Some(site) = self.out.sql_sites.last_mut() {
            site.inferred = !client;
        }
    }

    /// Whether an argument that is not SQL text is a prepared statement: a
    /// local bound to `prepare(..)`'s result or typed as one, a parameter
    /// of a statement type, or a value named like one (`stmt`).
    pub(super) fn is_statement(&self, arg: &Expr) -> bool {
        let arg = match strip_refs(arg) {
            Expr::MethodCall(m) if STR_WRAPPERS.contains(&Name::of(&m.method).as_str()) => {
                strip_refs(&m.receiver)
            }
            other => other,
        };
        if let Expr::Path(p) = arg
            && let Some(ident) = p.path.get_ident()
        {
            let name = Name::of(ident);
            match self.lookup(&name) {
                Some(Binding::Statement) => return true,
                Some(_) => {}
                None => {
                    if self
                        .fns
                        .last()
                        .is_some_and(|f| f.statement_params.iter().any(|p| *p == *name))
                    {
                        return true;
                    }
                }
            }
        }
        matches!(arg, Expr::Path(_) | Expr::Field(_)) && clients::names_a_statement(&expr_text(arg))
    }
}
