//! The SQL clients nova recognises by their method calls, in one table.
//!
//! A driver method (`client.query(..)`, `conn.execute(..)`) is a common
//! name on types that have nothing to do with SQL, so a call is taken for a
//! SQL client's only on evidence:
//! - the file names one of the client's crates (a `use`, an `extern crate`
//!   or a path such as `deadpool_postgres::Pool`);
//! - the call has the driver's arity for that method (tokio-postgres
//!   `query(sql, params)` takes two arguments, so `url.query(&pairs)` and
//!   diesel's `.execute(conn)` do not qualify);
//! - the receiver is a value that can hold a client (`client`,
//!   `self.client`, `pool.get().await?`, `tx`), not the result of a query
//!   builder (`sqlx::query(..).execute(..)`).
//!
//! Such a call is a SQL site whatever its first argument: when nova cannot
//! resolve the argument it says so (N006) instead of dropping the call. A
//! prepared statement (`client.query(&stmt, ..)` with `stmt` from
//! `prepare(..)`, a parameter of type `Statement`, a value named `stmt`) is
//! not SQL text: its text was recorded where it was prepared.

use syn::Expr;

/// One client API: the crates that provide it and its methods taking the
/// SQL first, with the number of arguments of each.
pub(super) struct ClientApi {
    pub crates: &'static [&'static str],
    pub methods: &'static [(&'static str, usize)],
    /// When set, the receiver's name must pass it too (`query` is too
    /// common a one-argument method: ClickHouse's needs a receiver named
    /// like ClickHouse, `ch` or `self.clickhouse`).
    pub receiver: Option<fn(&str) -> bool>,
}

/// Every client API whose method calls nova reads. deadpool and bb8 hand
/// out a tokio-postgres client (`pool.get().await?`), so they share its
/// methods.
pub(super) const CLIENT_APIS: &[ClientApi] = &[
    ClientApi {
        crates: &[
            "tokio_postgres",
            "deadpool_postgres",
            "bb8_postgres",
            "postgres",
            "r2d2_postgres",
        ],
        methods: &[
            ("query", 2),
            ("query_one", 2),
            ("query_opt", 2),
            ("query_raw", 2),
            ("query_typed", 2),
            ("query_typed_raw", 2),
            ("execute", 2),
            ("execute_raw", 2),
            ("prepare", 1),
            ("prepare_cached", 1),
            ("prepare_typed", 2),
            ("prepare_typed_cached", 2),
            ("batch_execute", 1),
            ("simple_query", 1),
            ("copy_in", 1),
            ("copy_out", 1),
        ],
        receiver: None,
    },
    ClientApi {
        crates: &["rusqlite", "r2d2_sqlite"],
        methods: &[
            ("execute", 2),
            ("query_row", 3),
            ("prepare", 1),
            ("prepare_cached", 1),
            ("execute_batch", 1),
        ],
        receiver: None,
    },
    ClientApi {
        crates: &["mysql", "mysql_async"],
        methods: &[
            ("query", 1),
            ("query_drop", 1),
            ("query_first", 1),
            ("query_iter", 1),
            ("exec", 2),
            ("exec_drop", 2),
            ("exec_first", 2),
            ("exec_iter", 2),
        ],
        receiver: None,
    },
    ClientApi {
        crates: &["diesel", "diesel_async"],
        methods: &[("batch_execute", 1)],
        receiver: None,
    },
    ClientApi {
        crates: &["sea_orm"],
        methods: &[("execute_unprepared", 1)],
        receiver: None,
    },
    ClientApi {
        crates: &["clickhouse", "clickhouse_rs", "klickhouse"],
        methods: &[("query", 1)],
        receiver: Some(is_clickhouse_name),
    },
];

/// Whether `name` is a crate of some [`CLIENT_APIS`] entry.
pub(super) fn is_client_crate(name: &proc_macro2::Ident) -> bool {
    // (The text once, not the ident's slow `==` with each crate.)
    let name = crate::name::Name::of(name);
    CLIENT_APIS
        .iter()
        .flat_map(|api| api.crates)
        .any(|c| *c == name.as_str())
}

/// True when `method` called with `args` arguments on a receiver named
/// `receiver` has the shape of a method of a client API whose crate
/// `names_crate` says the file names.
pub(super) fn driver_call(
    method: &str,
    args: usize,
    receiver: Option<&str>,
    names_crate: impl Fn(&str) -> bool,
) -> bool {
    CLIENT_APIS.iter().any(|api| {
        api.methods.contains(&(method, args))
            && api.receiver.is_none_or(|named| receiver.is_some_and(named))
            && api.crates.iter().any(|c| names_crate(c))
    })
}

/// Methods that hand out the client they are called on, or one from a
/// pool (`pool.get().await?`, `state.db.lock()`, `conn.transaction()`).
const CLIENT_GETTERS: &[&str] = &[
    "get",
    "get_owned",
    "get_ref",
    "get_mut",
    "lock",
    "read",
    "write",
    "borrow",
    "borrow_mut",
    "as_ref",
    "as_mut",
    "deref",
    "deref_mut",
    "clone",
    "unwrap",
    "expect",
    "client",
    "conn",
    "connection",
    "transaction",
    "build_transaction",
    "savepoint",
    "start",
];

/// Whether a receiver can hold a client: a name, a field, or a chain of
/// [`CLIENT_GETTERS`] on one (through `&`, `.await` and `?`).
pub(super) fn client_receiver(e: &Expr) -> bool {
    match e {
        Expr::Reference(r) => client_receiver(&r.expr),
        Expr::Paren(p) => client_receiver(&p.expr),
        Expr::Group(g) => client_receiver(&g.expr),
        Expr::Await(a) => client_receiver(&a.base),
        Expr::Try(t) => client_receiver(&t.expr),
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => client_receiver(&u.expr),
        Expr::Path(p) => p.qself.is_none() && p.path.get_ident().is_some(),
        Expr::Field(f) => client_receiver(&f.base),
        Expr::MethodCall(m) => {
            CLIENT_GETTERS.iter().any(|g| m.method == g) && client_receiver(&m.receiver)
        }
        _ => false,
    }
}

/// Methods whose result is a prepared statement.
pub(super) const PREPARE_METHODS: &[&str] = &[
    "prepare",
    "prepare_cached",
    "prepare_typed",
    "prepare_typed_cached",
    "prep",
];

/// Whether `e` (an initialiser) is a call of a [`PREPARE_METHODS`] method,
/// through `.await`, `?`, `.unwrap()` and `.expect(..)`.
pub(super) fn is_prepare_call(e: &Expr) -> bool {
    match e {
        Expr::Await(a) => is_prepare_call(&a.base),
        Expr::Try(t) => is_prepare_call(&t.expr),
        Expr::Paren(p) => is_prepare_call(&p.expr),
        // (The method's text once: an ident's `==` with a `&str` renders it.)
        Expr::MethodCall(m) => match crate::name::Name::of(&m.method).as_str() {
            "unwrap" | "expect" => is_prepare_call(&m.receiver),
            method => PREPARE_METHODS.contains(&method),
        },
        _ => false,
    }
}

/// Whether a type is a prepared statement's (`Statement`, `&Statement`,
/// `CachedStatement<'_>`, `Arc<Statement>`, `Stmt`).
pub(super) fn is_statement_type(t: &syn::Type) -> bool {
    match t {
        syn::Type::Reference(r) => is_statement_type(&r.elem),
        syn::Type::Paren(p) => is_statement_type(&p.elem),
        syn::Type::Group(g) => is_statement_type(&g.elem),
        syn::Type::Path(p) => p.path.segments.last().is_some_and(|s| {
            let name = crate::name::Name::of(&s.ident);
            let name = name.as_str();
            if name.ends_with("Statement") || name.ends_with("Stmt") {
                return true;
            }
            match &s.arguments {
                syn::PathArguments::AngleBracketed(a) => a.args.iter().any(|arg| match arg {
                    syn::GenericArgument::Type(t) => is_statement_type(t),
                    _ => false,
                }),
                _ => false,
            }
        }),
        _ => false,
    }
}

/// Whether a name says it holds a prepared statement (`stmt`,
/// `insert_statement`, `self.stmts.insert`), not SQL text (`sql_statement`).
pub(super) fn names_a_statement(text: &str) -> bool {
    let t = text.to_ascii_lowercase();
    (t.contains("stmt") || t.contains("statement")) && !t.contains("sql")
}

/// A receiver named like a ClickHouse client (`ch`, `ch_pool`,
/// `clickhouse`, `click_house_client`).
pub(super) fn is_clickhouse_name(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "ch"
        || n.starts_with("ch_")
        || n.ends_with("_ch")
        || n.contains("clickhouse")
        || n.contains("click_house")
}
