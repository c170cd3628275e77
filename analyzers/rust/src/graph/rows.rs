//! Struct literals writing a topic column (`NewOutbox { topic: .., .. }`),
//! recorded in every file: a row an ORM insert may write, built by a plain
//! function or handed to the inserting one from a file that names no ORM
//! (the ORM collector reads only files that do). `nova-link` keeps those
//! whose type is a known ORM model.

use super::shapes::ident_line;
use super::strings::Scope;
use super::walker::Walker;
use super::{ArgSource, RowField, RowLiteral, StrExpr};
use crate::name::Name;

/// Whether a field of this name is a topic column
/// ([`nova_orm::TOPIC_COLUMNS`]).
pub(super) fn topic_column(name: &str) -> bool {
    nova_orm::TOPIC_COLUMNS.contains(&name)
}

/// What `a`, an argument of a known type, is: a struct literal (written
/// in the call, or the initialiser of the local handed in) or a parameter
/// of the calling function, through `&`, parentheses and `.clone()`.
pub(super) fn arg_source(a: &syn::Expr, scope: &Scope<'_>) -> Option<ArgSource> {
    let mut e = a;
    let mut from_local = false;
    loop {
        match e {
            syn::Expr::Reference(r) => e = &r.expr,
            syn::Expr::Paren(p) => e = &p.expr,
            syn::Expr::MethodCall(m) if m.args.is_empty() && m.method == "clone" => e = &m.receiver,
            syn::Expr::Struct(s) => {
                let last = s.path.segments.last()?;
                return Some(ArgSource::Literal(ident_line(&last.ident)));
            }
            syn::Expr::Path(p) if !from_local => {
                let id = Name::of(p.path.get_ident()?);
                if let Some(init) = scope.locals.get(id.as_str()) {
                    from_local = true;
                    e = init;
                    continue;
                }
                return scope.params.get(id.as_str()).map(|i| ArgSource::Param(*i));
            }
            _ => return None,
        }
    }
}

impl<'ast> Walker<'ast, '_> {
    /// A struct literal writing a topic column (the walk tells, one name
    /// test per field of each literal: most write none).
    pub(crate) fn row_literal(&mut self, s: &'ast syn::ExprStruct) {
        let Some(last) = s.path.segments.last() else {
            return;
        };
        let Some(ty) = self.type_name(&Name::of(&last.ident)) else {
            return;
        };
        let mut fields = Vec::new();
        for f in &s.fields {
            let syn::Member::Named(id) = &f.member else {
                continue;
            };
            let column = id.to_string();
            if !topic_column(&column) {
                continue;
            }
            if nova_orm::not_set(&f.expr) {
                continue;
            }
            let (value, line, set) = match nova_orm::set_call(&f.expr) {
                Some((v, line)) => (v, line, true),
                None => (&f.expr, ident_line(id), false),
            };
            let param = match self.param_of(value) {
                Some(StrExpr::Param(p)) => Some(p.index),
                _ => None,
            };
            fields.push(RowField {
                column,
                line,
                text: nova_orm::text_of(value),
                param,
                set,
            });
        }
        let function = self.function();
        let in_test = self.in_test();
        self.out.row_literals.push(RowLiteral {
            ty,
            function,
            in_test,
            line: ident_line(&last.ident),
            fields,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::graph::tests::facts;
    use crate::graph::{ArgSource, RowField, RowLiteral};

    #[test]
    fn struct_literals_writing_a_topic_column_are_recorded_with_their_function() {
        let src = r#"
use crate::models::{NewOutbox, Notice};
pub fn shipped(topic: &str, payload: &[u8]) -> NewOutbox {
    let n = Other { name: "x".into() };
    NewOutbox { topic: topic.to_string(), payload: payload.to_vec() }
}
impl NewOutbox {
    fn new() -> Self {
        Self { destination: Set(TOPIC.into()), kafka_topic: NotSet }
    }
}
"#;
        let field = |column: &str, line, text: &str, param, set| RowField {
            column: column.into(),
            line,
            text: text.into(),
            param,
            set,
        };
        assert_eq!(
            facts(src).row_literals,
            vec![
                RowLiteral {
                    ty: "NewOutbox".into(),
                    function: Some("shipped".into()),
                    in_test: false,
                    line: 5,
                    fields: vec![field("topic", 5, "topic.to_string()", Some(0), false)],
                },
                RowLiteral {
                    ty: "NewOutbox".into(),
                    function: Some("NewOutbox::new".into()),
                    in_test: false,
                    line: 9,
                    fields: vec![field("destination", 9, "TOPIC.into()", None, true)],
                },
            ]
        );
    }

    #[test]
    fn typed_arguments_say_which_literal_or_parameter_they_are() {
        let src = r#"
fn keep(conn: &mut Conn, row: NewOutbox) {
    let a = NewOutbox { topic: "a".into() };
    let b = NewOutbox { topic: "b".into() };
    enqueue(conn, &b);
    enqueue(conn, NewOutbox { topic: "c".into() });
    enqueue(conn, row.clone());
}
"#;
        let f = facts(src);
        let sources: Vec<_> = f
            .str_calls
            .iter()
            .filter(|c| c.callee == "enqueue")
            .map(|c| c.sources.clone())
            .collect();
        assert_eq!(
            sources,
            vec![
                vec![(0, ArgSource::Param(0)), (1, ArgSource::Literal(4))],
                vec![(0, ArgSource::Param(0)), (1, ArgSource::Literal(6))],
                vec![(0, ArgSource::Param(0)), (1, ArgSource::Param(1))],
            ]
        );
    }
}
