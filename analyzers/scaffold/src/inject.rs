//! Minimal edits to files a person owns: one `mod` line and one call line in the crate
//! root (located with `syn`), dependencies in `Cargo.toml` (with `toml_edit`, keeping
//! formatting and comments). Each edit is skipped when its result is already there.

use syn::spanned::Spanned;

use crate::ScaffoldError;

/// The module the generated wiring lives in.
pub const MODULE: &str = "nova";
/// The call that starts the generated wiring.
pub const CALL: &str = "nova::start().await?;";

fn parse(file: &str, text: &str) -> Result<syn::File, ScaffoldError> {
    syn::parse_file(text).map_err(|e| ScaffoldError::Parse {
        file: file.to_owned(),
        line: e.span().start().line,
        detail: e.to_string(),
    })
}

fn insert_line(text: &str, after_line: usize, line: &str) -> String {
    let mut out = String::with_capacity(text.len() + line.len() + 1);
    let mut inserted = false;
    for (i, l) in text.split_inclusive('\n').enumerate() {
        if i == after_line && !inserted {
            out.push_str(line);
            out.push('\n');
            inserted = true;
        }
        out.push_str(l);
    }
    if !inserted {
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// Adds `mod nova;` (`pub mod` in a library) after the last `mod x;` (else the last
/// `use`, else before the first item). Unchanged when the module is declared.
pub fn mod_line(file: &str, text: &str, library: bool) -> Result<String, ScaffoldError> {
    mod_decl(file, text, MODULE, library, false)
}

/// Adds `mod <name>;` to a test binary's `main.rs` (appended when it has no items yet).
pub fn test_mod_line(file: &str, text: &str, name: &str) -> Result<String, ScaffoldError> {
    mod_decl(file, text, name, false, true)
}

fn mod_decl(
    file: &str,
    text: &str,
    name: &str,
    public: bool,
    append_if_empty: bool,
) -> Result<String, ScaffoldError> {
    let ast = parse(file, text)?;
    let declared = ast
        .items
        .iter()
        .any(|i| matches!(i, syn::Item::Mod(m) if m.ident == name));
    if declared {
        return Ok(text.to_owned());
    }
    let last_mod = ast
        .items
        .iter()
        .rfind(|i| matches!(i, syn::Item::Mod(m) if m.content.is_none()));
    let last_use = ast.items.iter().rfind(|i| matches!(i, syn::Item::Use(_)));
    let decl = if public {
        format!("pub mod {name};")
    } else {
        format!("mod {name};")
    };
    let at = match (last_mod, last_use) {
        (Some(item), _) | (None, Some(item)) => item.span().end().line,
        (None, None) => match ast.items.first() {
            Some(first) => first_line(first).saturating_sub(1),
            None if append_if_empty => usize::MAX,
            None => {
                return Err(ScaffoldError::MissingAnchor {
                    file: file.to_owned(),
                    what: "declare the generated module (the file has no items)".to_owned(),
                    instructions: format!("  in {file}, at the top level:\n    {decl}"),
                });
            }
        },
    };
    Ok(insert_line(text, at, &decl))
}

fn first_line(item: &syn::Item) -> usize {
    let attrs: &[syn::Attribute] = match item {
        syn::Item::Fn(f) => &f.attrs,
        syn::Item::Mod(m) => &m.attrs,
        syn::Item::Struct(s) => &s.attrs,
        syn::Item::Use(u) => &u.attrs,
        _ => &[],
    };
    attrs
        .iter()
        .map(|a| a.span().start().line)
        .chain(std::iter::once(item.span().start().line))
        .min()
        .unwrap_or(1)
}

/// Adds `call` (`nova::start().await?;`, or `<crate>::nova::start().await?;` from a
/// binary whose library declares the module) to the start-up function (`main`, or
/// `run` in a library): after the statement that sets up tracing, else first.
/// Unchanged when the call is already anywhere in the file (a person may have moved it).
pub fn call_line(
    file: &str,
    text: &str,
    library: bool,
    call: &str,
) -> Result<String, ScaffoldError> {
    if text.contains("nova::start(") {
        return Ok(text.to_owned());
    }
    let ast = parse(file, text)?;
    let wanted = if library { "run" } else { "main" };
    let manual = || ScaffoldError::MissingAnchor {
        file: file.to_owned(),
        what: format!("call the generated start-up (no `async fn {wanted}` returning a Result)"),
        instructions: format!(
            "  in {file}, inside the async start-up function that returns a Result (before the server starts):\n    {call}\n  (`nova::start()` returns `Result<(), nova::StartError>`; StartError implements std::error::Error)"
        ),
    };
    let Some(f) = ast.items.iter().find_map(|i| match i {
        syn::Item::Fn(f) if f.sig.ident == wanted => Some(f),
        _ => None,
    }) else {
        return Err(manual());
    };
    let returns_result = match &f.sig.output {
        syn::ReturnType::Type(_, ty) => {
            let s = quote_tokens(ty);
            s.contains("Result")
        }
        syn::ReturnType::Default => false,
    };
    if f.sig.asyncness.is_none() || !returns_result {
        return Err(manual());
    }
    let stmts = &f.block.stmts;
    let tracing = stmts.iter().rfind(|s| {
        let t = quote_tokens(*s);
        t.contains("tracing_subscriber") || t.contains("init_tracing")
    });
    let (line, indent_of) = match (tracing, stmts.first()) {
        (Some(s), _) => (s.span().end().line, s.span().start()),
        (None, Some(s)) => (s.span().start().line.saturating_sub(1), s.span().start()),
        (None, None) => return Err(manual()),
    };
    let indent = " ".repeat(indent_of.column);
    Ok(insert_line(text, line, &format!("{indent}{call}")))
}

fn quote_tokens<T: quote::ToTokens + ?Sized>(t: &T) -> String {
    t.to_token_stream().to_string()
}

/// A dependency the generated code needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dependency {
    /// Crate name.
    pub name: &'static str,
    /// Its `[workspace.dependencies]` value when the workspace lacks it (inline TOML).
    pub workspace_value: String,
    /// A dev-dependency (for the generated test).
    pub dev: bool,
}

impl Dependency {
    /// `workspace_value` as a TOML value; `file` names the manifest in the error.
    fn value(&self, file: &str) -> Result<toml_edit::Value, ScaffoldError> {
        self.workspace_value
            .parse()
            .map_err(|e: toml_edit::TomlError| ScaffoldError::Invalid {
                file: file.to_owned(),
                language: "TOML",
                detail: e.to_string(),
            })
    }
}

fn parse_toml(file: &str, text: &str) -> Result<toml_edit::DocumentMut, ScaffoldError> {
    text.parse::<toml_edit::DocumentMut>()
        .map_err(|e| ScaffoldError::Parse {
            file: file.to_owned(),
            line: e.span().map_or(1, |s| {
                text[..s.start.min(text.len())].matches('\n').count() + 1
            }),
            detail: e.message().to_owned(),
        })
}

/// Adds the missing `[workspace.dependencies]` entries to the root manifest.
pub fn workspace_dependencies(
    file: &str,
    text: &str,
    deps: &[Dependency],
) -> Result<String, ScaffoldError> {
    let mut doc = parse_toml(file, text)?;
    let Some(ws) = doc.get_mut("workspace").and_then(|w| w.as_table_mut()) else {
        return Ok(text.to_owned());
    };
    if !ws.contains_key("dependencies") {
        ws.insert(
            "dependencies",
            toml_edit::Item::Table(toml_edit::Table::new()),
        );
    }
    let Some(table) = ws
        .get_mut("dependencies")
        .and_then(|d| d.as_table_like_mut())
    else {
        return Err(ScaffoldError::Parse {
            file: file.to_owned(),
            line: 1,
            detail: "[workspace.dependencies] is not a table".to_owned(),
        });
    };
    let mut changed = false;
    for dep in deps {
        if table.contains_key(dep.name) {
            continue;
        }
        table.insert(dep.name, toml_edit::Item::Value(dep.value(file)?));
        changed = true;
    }
    Ok(if changed {
        doc.to_string()
    } else {
        text.to_owned()
    })
}

/// Adds `member` to `[workspace] members` (unless listed or covered by `dir/*`),
/// laid out like the entries before it.
pub fn workspace_member(file: &str, text: &str, member: &str) -> Result<String, ScaffoldError> {
    let mut doc = parse_toml(file, text)?;
    let Some(members) = doc
        .get_mut("workspace")
        .and_then(|w| w.get_mut("members"))
        .and_then(|m| m.as_array_mut())
    else {
        return Err(ScaffoldError::MissingAnchor {
            file: file.to_owned(),
            what: "make the new service a workspace member (no `[workspace] members`)".to_owned(),
            instructions: format!("  in {file}, under [workspace]:\n    members = [\"{member}\"]"),
        });
    };
    let parent = member.rsplit_once('/').map_or("", |(p, _)| p);
    let listed = members
        .iter()
        .filter_map(|m| m.as_str())
        .any(|m| m.trim_end_matches('/') == member || (m.strip_suffix("/*") == Some(parent)));
    if listed {
        return Ok(text.to_owned());
    }
    let prefix = members
        .iter()
        .last()
        .and_then(|v| v.decor().prefix())
        .and_then(|p| p.as_str())
        .unwrap_or(" ")
        .to_owned();
    let mut value = toml_edit::Value::from(member);
    value.decor_mut().set_prefix(prefix);
    members.push_formatted(value);
    Ok(doc.to_string())
}

/// Adds the missing dependencies to a member's manifest: `name.workspace = true` in a
/// workspace, else the value itself.
pub fn member_dependencies(
    file: &str,
    text: &str,
    deps: &[Dependency],
    in_workspace: bool,
) -> Result<String, ScaffoldError> {
    let mut doc = parse_toml(file, text)?;
    let mut changed = false;
    for dep in deps {
        let section = if dep.dev {
            "dev-dependencies"
        } else {
            "dependencies"
        };
        let present = ["dependencies", "dev-dependencies"]
            .iter()
            .filter(|s| dep.dev || **s == section)
            .any(|s| {
                doc.get(s)
                    .and_then(|t| t.as_table_like())
                    .is_some_and(|t| t.contains_key(dep.name))
            });
        if present {
            continue;
        }
        if !doc.contains_key(section) {
            doc.insert(section, toml_edit::Item::Table(toml_edit::Table::new()));
        }
        let Some(table) = doc.get_mut(section).and_then(|t| t.as_table_mut()) else {
            return Err(ScaffoldError::Parse {
                file: file.to_owned(),
                line: 1,
                detail: format!("[{section}] is not a table"),
            });
        };
        if in_workspace {
            let mut inner = toml_edit::Table::new();
            inner.set_dotted(true);
            inner.insert("workspace", toml_edit::value(true));
            table.insert(dep.name, toml_edit::Item::Table(inner));
        } else {
            table.insert(dep.name, toml_edit::Item::Value(dep.value(file)?));
        }
        changed = true;
    }
    Ok(if changed {
        doc.to_string()
    } else {
        text.to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAIN: &str = "//! A service.\nuse std::env;\n\nmod grpc;\nmod store;\n\n#[tokio::main]\nasync fn main() -> anyhow::Result<()> {\n    tracing_subscriber::fmt::init();\n\n    serve().await\n}\n";

    #[test]
    fn mod_line_goes_after_the_last_mod() {
        let out = mod_line("main.rs", MAIN, false).unwrap();
        assert!(out.contains("mod store;\nmod nova;\n"), "{out}");
        assert_eq!(mod_line("main.rs", &out, false).unwrap(), out);
    }

    #[test]
    fn call_goes_after_tracing() {
        let out = call_line("main.rs", MAIN, false, CALL).unwrap();
        assert!(
            out.contains("fmt::init();\n    nova::start().await?;\n\n    serve"),
            "{out}"
        );
        assert_eq!(call_line("main.rs", &out, false, CALL).unwrap(), out);
    }

    #[test]
    fn a_sync_main_is_a_missing_anchor() {
        let e = call_line("main.rs", "fn main() {}\n", false, CALL).unwrap_err();
        assert!(e.to_string().contains("nova::start().await?;"), "{e}");
    }

    #[test]
    fn dependencies_keep_comments() {
        let manifest = "[package]\nname = \"a-service\"\n\n[dependencies]\n# the database\nsqlx.workspace = true\n";
        let deps = [
            Dependency {
                name: "sqlx",
                workspace_value: "\"0.8\"".into(),
                dev: false,
            },
            Dependency {
                name: "nova-outbox",
                workspace_value: "{ version = \"0.1\" }".into(),
                dev: false,
            },
        ];
        let out = member_dependencies("Cargo.toml", manifest, &deps, true).unwrap();
        assert_eq!(
            out,
            "[package]\nname = \"a-service\"\n\n[dependencies]\n# the database\nsqlx.workspace = true\nnova-outbox.workspace = true\n"
        );
    }
}
