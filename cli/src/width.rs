//! The width human output is laid out for: `COLUMNS` when set, else the
//! terminal's width when stdout is one, else 100 columns.

use std::io::IsTerminal;

/// Width used when nothing says otherwise (pipes, CI logs).
const DEFAULT_WIDTH: usize = 100;

/// Columns for human output on stdout.
pub fn stdout_width() -> usize {
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
    {
        return n;
    }
    if std::io::stdout().is_terminal()
        && let Some(n) = terminal_columns()
    {
        return n;
    }
    DEFAULT_WIDTH
}

#[cfg(unix)]
fn terminal_columns() -> Option<usize> {
    // SAFETY: TIOCGWINSZ only writes a `winsize` into the struct we pass;
    // a failure leaves it zeroed and returns -1.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    let rc = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) };
    (rc == 0 && ws.ws_col > 0).then_some(usize::from(ws.ws_col))
}

#[cfg(not(unix))]
fn terminal_columns() -> Option<usize> {
    None
}
