//! Loading the config, and rendering its errors with the source line (like
//! cargo-deny) through `codespan-reporting`.

use crate::Reported;
use anyhow::Result;
use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFile;
use codespan_reporting::term::{self, termcolor};
use nova_config::{Config, ConfigError};
use std::path::{Path, PathBuf};

/// The config to use: `--config FILE`, else `<root>/nova.toml` when it
/// exists, else the defaults.
pub fn load(explicit: Option<&Path>, root: &Path, color: bool) -> Result<Config> {
    let path: Option<PathBuf> = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => {
            let p = root.join("nova.toml");
            p.is_file().then_some(p)
        }
    };
    let Some(path) = path else {
        return Ok(Config::default());
    };
    match nova_config::load(&path) {
        Ok(c) => Ok(c),
        Err(e) => {
            render(&e, color);
            Err(Reported.into())
        }
    }
}

/// Print a config error to stderr: every issue with its source line.
pub fn render(err: &ConfigError, color: bool) {
    let choice = if color {
        termcolor::ColorChoice::Always
    } else {
        termcolor::ColorChoice::Never
    };
    let mut stderr = termcolor::StandardStream::stderr(choice);
    match err {
        ConfigError::Io { .. } => eprintln!("error: {err}"),
        ConfigError::Invalid {
            file,
            source_text,
            issues,
        } => {
            let files = SimpleFile::new(file.as_str(), source_text.as_str());
            let config = term::Config::default();
            for issue in issues {
                let message = if issue.key.is_empty() {
                    issue.message.clone()
                } else {
                    format!("{}: {}", issue.key, issue.message)
                };
                let mut end = issue.span.end.max(issue.span.start);
                if end == issue.span.start && end < source_text.len() {
                    end += 1;
                }
                let start = issue.span.start.min(source_text.len());
                let end = end.min(source_text.len());
                let diag = Diagnostic::error()
                    .with_message(format!("invalid config: {message}"))
                    .with_labels(vec![Label::primary((), start..end).with_message(
                        if issue.key.is_empty() {
                            "here".to_string()
                        } else {
                            issue.key.clone()
                        },
                    )])
                    .with_notes(vec![format!("{}", issue.display(file))]);
                if term::emit_to_write_style(&mut stderr, &config, &files, &diag).is_err() {
                    eprintln!("error: {}", issue.display(file));
                }
            }
        }
    }
}
