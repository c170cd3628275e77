//! sqlx offline metadata: `.sqlx/query-<hash>.json` files written by
//! `cargo sqlx prepare`. Each holds the text of one checked query (`"query"`),
//! its description (`"describe"`) and its hash (`"hash"`).

use serde_json::Value;

/// One query from a `.sqlx/query-*.json` file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OfflineQuery {
    /// The SQL text as checked by sqlx.
    pub query: String,
    /// The `"hash"` field, when present.
    pub hash: Option<String>,
    /// The database the query was described against (`"db_name"`), when
    /// present (`PostgreSQL`, `MySQL`, `SQLite`).
    pub db_name: Option<String>,
    /// True when a `"describe"` object is present.
    pub described: bool,
}

/// Why an offline file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfflineError {
    /// Not JSON; line and column of the error.
    Json {
        line: u32,
        column: u32,
        message: String,
    },
    /// JSON without a string `"query"` field.
    NoQuery,
}

impl std::fmt::Display for OfflineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OfflineError::Json {
                line,
                column,
                message,
            } => write!(f, "{line}:{column}: invalid JSON: {message}"),
            OfflineError::NoQuery => write!(f, "no string \"query\" field"),
        }
    }
}

impl std::error::Error for OfflineError {}

/// True for file names sqlx writes (`query-<hash>.json`).
pub fn is_offline_file(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    let name = parts.next().unwrap_or("");
    let dir = parts.next().unwrap_or("");
    dir == ".sqlx" && name.starts_with("query-") && name.ends_with(".json")
}

/// Parse one `.sqlx/query-*.json` file.
pub fn parse_offline(json: &str) -> Result<OfflineQuery, OfflineError> {
    let v: Value = serde_json::from_str(json).map_err(|e| OfflineError::Json {
        line: e.line() as u32,
        column: e.column() as u32,
        message: e.to_string(),
    })?;
    let query = v
        .get("query")
        .and_then(Value::as_str)
        .ok_or(OfflineError::NoQuery)?
        .to_string();
    Ok(OfflineQuery {
        query,
        hash: v.get("hash").and_then(Value::as_str).map(str::to_string),
        db_name: v.get("db_name").and_then(Value::as_str).map(str::to_string),
        described: v.get("describe").is_some_and(Value::is_object),
    })
}

/// Whitespace-normalised SQL, for comparing an offline query with the text
/// found in source (`"SELECT  *\n FROM t"` == `"SELECT * FROM t"`).
pub fn normalize_sql(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sqlx_prepare_output() {
        let json = r#"{
  "db_name": "PostgreSQL",
  "query": "SELECT id, name\nFROM users\nWHERE id = $1",
  "describe": { "columns": [], "parameters": { "Left": ["Int8"] }, "nullable": [] },
  "hash": "abc123"
}"#;
        let q = parse_offline(json).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(q.query, "SELECT id, name\nFROM users\nWHERE id = $1");
        assert_eq!(q.hash.as_deref(), Some("abc123"));
        assert_eq!(q.db_name.as_deref(), Some("PostgreSQL"));
        assert!(q.described);
        assert_eq!(
            normalize_sql(&q.query),
            "SELECT id, name FROM users WHERE id = $1"
        );
    }

    #[test]
    fn bad_files_are_errors_not_panics() {
        assert_eq!(
            parse_offline(r#"{"describe": {}}"#),
            Err(OfflineError::NoQuery)
        );
        assert_eq!(parse_offline(r#"{"query": 3}"#), Err(OfflineError::NoQuery));
        match parse_offline("{\n  \"query\": ") {
            Err(OfflineError::Json { line, .. }) => assert_eq!(line, 2),
            other => panic!("unexpected {other:?}"),
        }
        assert!(is_offline_file("svc/.sqlx/query-0a1b.json"));
        assert!(!is_offline_file("svc/sqlx/query-0a1b.json"));
    }
}
