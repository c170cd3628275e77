//! Generated content is parsed before anything is written.

use crate::ScaffoldError;

/// Checks `content` parses as what its path says (Rust, TOML, SQL); other files pass.
pub fn check(path: &str, content: &str) -> Result<(), ScaffoldError> {
    let invalid = |language, detail: String| ScaffoldError::Invalid {
        file: path.to_owned(),
        language,
        detail,
    };
    if path.ends_with(".rs") {
        syn::parse_file(content).map_err(|e| {
            let at = e.span().start();
            invalid("Rust", format!("{}:{}: {e}", at.line, at.column + 1))
        })?;
    } else if path.ends_with(".toml") || path.ends_with(".lock") {
        content
            .parse::<toml_edit::DocumentMut>()
            .map_err(|e| invalid("TOML", e.to_string()))?;
    } else if path.ends_with(".sql") {
        sqlparser::parser::Parser::parse_sql(&sqlparser::dialect::PostgreSqlDialect {}, content)
            .map_err(|e| invalid("SQL", e.to_string()))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rejects_what_does_not_parse() {
        assert!(check("a.rs", "fn main() {}").is_ok());
        assert!(check("a.rs", "fn main( {}").is_err());
        assert!(check("Cargo.toml", "[a]\nb = 1").is_ok());
        assert!(check("Cargo.toml", "[a\nb = 1").is_err());
        assert!(check("m.sql", "CREATE TABLE t (id TEXT PRIMARY KEY);").is_ok());
        assert!(check("m.sql", "CREATE TABLE t (id TEXT PRIMARY KEY").is_err());
        assert!(check("README", "anything").is_ok());
    }
}
