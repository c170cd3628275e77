//! `nova audit` for people, in the style of rustc and cargo-deny: per
//! finding a header (`error[multi-writer]: ...`), the source lines of its
//! evidence with a label under each, `= note:` lines and `= help:` lines
//! with the fix (and the `nova scaffold` commands of `nova plan`); then the
//! accepted findings, the scan diagnostics and one summary line.
//!
//! Rendered with `codespan-reporting` over *views* of the source files:
//! only the labelled lines, cut to the terminal width around the label
//! (an elided part is shown as `…`), so that no line is wider than
//! [`HumanOptions::width`] unless a single word is. Text is wrapped at
//! spaces only: an identifier, a path or a `file:line` is never split.
//! Output is a pure function of the model, the audit outcome and the
//! loaded [`Sources`]; findings keep the audit's order.

use crate::fix::{Fix, fixes};
use crate::source::Sources;
use crate::text::{self, wrap_command, wrap_first, wrap_prefixed};
use codespan_reporting::diagnostic::{Diagnostic, Label, Severity as CsSeverity};
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, termcolor};
use nova_graph::{GraphOptions, ServiceGraph};
use nova_model::{Diagnostic as ScanDiagnostic, Location, Model, Severity};
use nova_rules::ownership::Ownership;
use nova_rules::{AuditOutcome, Finding};
use std::collections::BTreeMap;
use std::fmt::Write;
use std::ops::Range;

/// Evidence locations shown per finding (the JSON output has them all).
const MAX_LOCATIONS: usize = 8;
/// Scan diagnostics listed one by one.
const MAX_DIAGNOSTICS: usize = 50;
/// Narrowest layout nova tries to fit.
const MIN_WIDTH: usize = 40;

/// How to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HumanOptions {
    /// Terminal width in columns.
    pub width: usize,
    /// ANSI colours.
    pub color: bool,
    /// The exit code `nova audit` returns, for the summary line.
    pub exit_code: u8,
}

impl Default for HumanOptions {
    fn default() -> Self {
        HumanOptions {
            width: 100,
            color: false,
            exit_code: 0,
        }
    }
}

/// The human audit output (see the module docs).
pub fn render(
    model: &Model,
    outcome: &AuditOutcome,
    sources: &Sources,
    opts: &HumanOptions,
) -> String {
    let width = opts.width.max(MIN_WIDTH);
    let graph = ServiceGraph::build(model, &GraphOptions::default()).ok();
    let ownership = Ownership::new(model);
    let mut out = String::new();
    for f in &outcome.findings {
        let diag = finding(model, graph.as_ref(), &ownership, f, sources, width);
        let text = emit(&diag, opts.color);
        // codespan calls an informational diagnostic a note; nova says info.
        match f.severity {
            Severity::Info => out.push_str(&text.replacen("note[", "info[", 1)),
            _ => out.push_str(&text),
        }
    }
    accepted(&mut out, outcome, width);
    diagnostics(&mut out, &model.diagnostics, width);
    out.push_str(&summary(outcome, opts.exit_code));
    out.push('\n');
    out
}

/// `2 errors, 5 warnings, 1 baselined; exit 1` (zero counts other than
/// errors and warnings are left out).
pub fn summary(outcome: &AuditOutcome, exit_code: u8) -> String {
    let plural = |n: usize, word: &str| {
        if n == 1 {
            format!("{n} {word}")
        } else {
            format!("{n} {word}s")
        }
    };
    let mut parts = vec![
        plural(outcome.count(Severity::Error), "error"),
        plural(outcome.count(Severity::Warning), "warning"),
    ];
    let infos = outcome.count(Severity::Info);
    if infos > 0 {
        parts.push(if infos == 1 {
            "1 info".to_string()
        } else {
            format!("{infos} infos")
        });
    }
    for (n, what) in [
        (outcome.baselined.len(), "baselined"),
        (outcome.stale.len(), "stale"),
        (outcome.allowed.len(), "allowed"),
    ] {
        if n > 0 {
            parts.push(format!("{n} {what}"));
        }
    }
    format!("{}; exit {exit_code}", parts.join(", "))
}

// ---- one finding ---------------------------------------------------------

/// A labelled place: (index among the shown locations, where, label).
type Item<'a> = (usize, &'a Location, &'a str);

/// A codespan diagnostic over the views it labels.
struct Rendered {
    diagnostic: Diagnostic<usize>,
    views: Views,
}

fn severity(s: Severity) -> CsSeverity {
    match s {
        Severity::Error => CsSeverity::Error,
        Severity::Warning => CsSeverity::Warning,
        Severity::Info => CsSeverity::Note,
    }
}

/// Width of the line-number gutter codespan draws for these lines.
fn gutter(lines: impl Iterator<Item = u32>) -> usize {
    lines.max().unwrap_or(1).max(1).to_string().len()
}

fn finding(
    model: &Model,
    graph: Option<&ServiceGraph>,
    ownership: &Ownership,
    f: &Finding,
    sources: &Sources,
    width: usize,
) -> Rendered {
    // Merge labels at the same place, keep the first-seen order.
    let mut places: Vec<(Location, Vec<String>)> = Vec::new();
    for (loc, label) in &f.locations {
        match places.iter_mut().find(|(l, _)| l == loc) {
            Some((_, labels)) => {
                if !labels.contains(label) {
                    labels.push(label.clone());
                }
            }
            None => places.push((loc.clone(), vec![label.clone()])),
        }
    }
    let hidden = places.len().saturating_sub(MAX_LOCATIONS);
    places.truncate(MAX_LOCATIONS);
    let shown: Vec<(Location, String)> = places
        .into_iter()
        .map(|(l, labels)| (l, merge_labels(&labels)))
        .collect();
    let pad = gutter(
        shown
            .iter()
            .filter(|(l, _)| sources.line(&l.file, l.line).is_some())
            .map(|(l, _)| l.line),
    );
    // "NN │ " before each source line.
    let room = width.saturating_sub(pad + 3);
    let mut views = Views::default();
    let mut labels = Vec::new();
    let mut elsewhere = Vec::new();
    let mut by_file: Vec<(&str, Vec<Item>)> = Vec::new();
    let mut too_wide = Vec::new();
    for (i, (loc, label)) in shown.iter().enumerate() {
        if sources.line(&loc.file, loc.line).is_none() {
            elsewhere.push(format!("{loc}: {label}"));
            continue;
        }
        // A label must fit beside its carets; a wider one becomes a note.
        let label: &str = if text::width(label) + 4 > room {
            too_wide.push(format!("{loc}: {label}"));
            ""
        } else {
            label
        };
        match by_file.iter_mut().find(|(file, _)| *file == loc.file) {
            Some((_, v)) => v.push((i, loc, label)),
            None => by_file.push((&loc.file, vec![(i, loc, label)])),
        }
    }
    for (file, items) in &by_file {
        let (id, ranges) = views.add(file, items, sources, room);
        for ((i, _, label), range) in items.iter().zip(ranges) {
            let l = if *i == 0 {
                Label::primary(id, range)
            } else {
                Label::secondary(id, range)
            };
            labels.push(if label.is_empty() {
                l
            } else {
                l.with_message(*label)
            });
        }
    }
    let mut notes: Vec<String> = Vec::new();
    let note_room = width.saturating_sub(pad + 3);
    let mut note = |kind: &str, text: &str| {
        let first = format!("{kind}: ");
        let rest = " ".repeat(first.len());
        notes.push(wrap_prefixed(text, note_room, &first, &rest).join("\n"));
    };
    for e in elsewhere.iter().chain(&too_wide) {
        note("note", &format!("at {e}"));
    }
    if hidden > 0 {
        note(
            "note",
            &format!("and {hidden} more locations (all of them: `--format json`)"),
        );
    }
    for n in context_notes(model, ownership, f) {
        note("note", &n);
    }
    let fixes: Vec<Fix> = graph.map(|g| fixes(model, g, f)).unwrap_or_default();
    if fixes.is_empty() {
        note("help", &f.hint);
    }
    for fx in &fixes {
        let mut lines = wrap_prefixed(&fx.text, note_room, "help: ", "      ");
        for c in &fx.commands {
            for l in wrap_command(c, note_room.saturating_sub(8)) {
                lines.push(format!("        {l}"));
            }
        }
        notes.push(lines.join("\n"));
    }
    // The header: "error[rule]: message", continuation lines indented.
    let head = text::width(&format!("{}[{}]: ", f.severity, f.rule));
    let indent = " ".repeat(if head <= width / 2 { head } else { 4 });
    let message = wrap_first(
        &f.message,
        width.saturating_sub(head).max(20),
        width.saturating_sub(indent.len()).max(20),
    )
    .join(&format!("\n{indent}"));
    let diagnostic = Diagnostic::new(severity(f.severity))
        .with_code(f.rule)
        .with_message(message)
        .with_labels(labels)
        .with_notes(notes);
    Rendered { diagnostic, views }
}

/// Labels at one place: `a updates (x)` and `b updates (x)` become
/// `a, b: updates (x)`; different ones are joined with `; `.
fn merge_labels(labels: &[String]) -> String {
    let split: Vec<(&str, &str)> = labels
        .iter()
        .map(|l| l.split_once(' ').unwrap_or((l.as_str(), "")))
        .collect();
    match split.first() {
        Some((_, rest))
            if split.len() > 1 && !rest.is_empty() && split.iter().all(|(_, r)| r == rest) =>
        {
            let who: Vec<&str> = split.iter().map(|(w, _)| *w).collect();
            format!("{}: {rest}", who.join(", "))
        }
        _ => labels.join("; "),
    }
}

/// `= note:` lines: who owns a table and who else touches it.
fn context_notes(model: &Model, ownership: &Ownership, f: &Finding) -> Vec<String> {
    let mut out = Vec::new();
    let Some(table) = f.subject.table.as_deref() else {
        return out;
    };
    match f.rule {
        "multi-writer" => {
            match ownership.owner(table) {
                Some(o) => out.push(format!(
                    "`{table}` is owned by {} ({})",
                    o.service,
                    o.basis.describe()
                )),
                None => out.push(format!(
                    "`{table}` has no owner: nova.toml declares none and no single service's migration creates it"
                )),
            }
            let readers: Vec<String> = ownership
                .cells(table)
                .into_iter()
                .filter(|(_, ops)| !ops.has_write())
                .map(|(s, _)| s)
                .collect();
            if !readers.is_empty() {
                out.push(format!("also read by {}", readers.join(", ")));
            }
        }
        "foreign-write" | "foreign-read" => {
            let me = f.subject.service.as_deref().unwrap_or_default();
            let others: Vec<String> = ownership
                .cells(table)
                .into_iter()
                .filter(|(s, _)| s != me)
                .map(|(s, ops)| format!("{s} ({ops})"))
                .collect();
            if !others.is_empty() {
                out.push(format!("`{table}` is used by {}", others.join(", ")));
            }
            let created: Vec<String> = model
                .table(table)
                .into_iter()
                .flat_map(|t| &t.events)
                .filter(|e| e.kind == nova_model::TableEventKind::Create)
                .map(|e| format!("`{}`", e.location))
                .collect();
            if !created.is_empty() {
                out.push(format!("created at {}", created.join(", ")));
            }
        }
        _ => {}
    }
    out
}

fn emit(r: &Rendered, color: bool) -> String {
    let config = term::Config::default();
    if color {
        let mut w = termcolor::Ansi::new(Vec::new());
        match term::emit_to_write_style(&mut w, &config, &r.views, &r.diagnostic) {
            Ok(()) => String::from_utf8_lossy(&w.into_inner()).into_owned(),
            Err(_) => plain_header(&r.diagnostic),
        }
    } else {
        term::emit_into_string(&config, &r.views, &r.diagnostic)
            .unwrap_or_else(|_| plain_header(&r.diagnostic))
    }
}

/// Fallback when codespan cannot render (never expected: views are built
/// to be valid).
fn plain_header(d: &Diagnostic<usize>) -> String {
    format!(
        "{}[{}]: {}\n",
        match d.severity {
            CsSeverity::Error => "error",
            CsSeverity::Warning => "warning",
            _ => "info",
        },
        d.code.as_deref().unwrap_or_default(),
        d.message
    )
}

// ---- the rest of the outcome -------------------------------------------

fn push_wrapped(out: &mut String, text: &str, width: usize, first: &str, rest: &str) {
    for l in wrap_prefixed(text, width, first, rest) {
        out.push_str(l.trim_end());
        out.push('\n');
    }
}

fn accepted(out: &mut String, outcome: &AuditOutcome, width: usize) {
    if !outcome.allowed.is_empty() {
        let _ = writeln!(out, "allowed by nova.toml ({}):", outcome.allowed.len());
        for a in &outcome.allowed {
            push_wrapped(
                out,
                &format!(
                    "{}: {} (reason: {})",
                    a.finding.rule, a.finding.message, a.reason
                ),
                width,
                "  ",
                "    ",
            );
        }
        out.push('\n');
    }
    if !outcome.unused_allows.is_empty() {
        let _ = writeln!(
            out,
            "[[allow]] entries that matched nothing ({}):",
            outcome.unused_allows.len()
        );
        for e in &outcome.unused_allows {
            push_wrapped(out, &crate::unused_allow_text(e), width, "  ", "    ");
        }
        out.push('\n');
    }
    if !outcome.baselined.is_empty() {
        push_wrapped(
            out,
            &format!(
                "{} finding(s) accepted by the baseline (not shown).",
                outcome.baselined.len()
            ),
            width,
            "",
            "",
        );
        out.push('\n');
    }
    if !outcome.stale.is_empty() {
        push_wrapped(
            out,
            &format!(
                "stale baseline entries ({}): fixed since the baseline was written; remove them:",
                outcome.stale.len()
            ),
            width,
            "",
            "",
        );
        for s in &outcome.stale {
            push_wrapped(
                out,
                &format!("{} ({})", s.fingerprint, s.message),
                width,
                "  ",
                "    ",
            );
        }
        out.push('\n');
    }
    if !outcome.unconfirmed.is_empty() {
        push_wrapped(
            out,
            &format!(
                "baseline entries kept unconfirmed ({}): no finding matches them, \
                 but SQL nova could not resolve (N006) may still carry them:",
                outcome.unconfirmed.len()
            ),
            width,
            "",
            "",
        );
        for s in &outcome.unconfirmed {
            push_wrapped(
                out,
                &format!("{} ({})", s.fingerprint, s.message),
                width,
                "  ",
                "    ",
            );
        }
        out.push('\n');
    }
}

fn diagnostics(out: &mut String, diags: &[ScanDiagnostic], width: usize) {
    if diags.is_empty() {
        return;
    }
    push_wrapped(
        out,
        &format!(
            "scan diagnostics ({}): {}",
            diags.len(),
            crate::diagnostic_counts(diags)
        ),
        width,
        "",
        "  ",
    );
    let listed = crate::diagnostics_in_order(diags);
    let hidden = listed.len().saturating_sub(MAX_DIAGNOSTICS);
    for d in listed.into_iter().take(MAX_DIAGNOSTICS) {
        let at = d
            .location
            .as_ref()
            .map(|l| format!("{l}: "))
            .unwrap_or_default();
        push_wrapped(
            out,
            &format!("{at}{}[{}] {}", d.severity, d.code.id(), d.message),
            width,
            "  ",
            "      ",
        );
    }
    if hidden > 0 {
        let _ = writeln!(out, "  … {hidden} more (all of them: `--format json`)");
    }
    out.push('\n');
}

// ---- source views ------------------------------------------------------

/// One line of a view: its real number and how many characters were cut
/// on the left.
#[derive(Debug, Clone, Copy)]
struct LineInfo {
    number: usize,
    left_cut: usize,
}

/// The labelled lines of one file, each cut to the width; non-adjacent
/// lines are separated by an empty line so that codespan draws a break.
#[derive(Debug, Default)]
struct View {
    name: String,
    text: String,
    starts: Vec<usize>,
    lines: Vec<LineInfo>,
}

/// Every view of one finding; the codespan file id is the index.
#[derive(Debug, Default)]
struct Views {
    views: Vec<View>,
}

/// Expand tabs (4 columns) and return the characters.
fn expand(line: &str) -> Vec<char> {
    let mut out = Vec::new();
    for c in line.chars() {
        if c == '\t' {
            out.extend([' '; 4]);
        } else {
            out.push(c);
        }
    }
    out
}

/// Columns of these characters.
fn cols(chars: &[char]) -> usize {
    use unicode_width::UnicodeWidthChar;
    chars.iter().map(|c| c.width().unwrap_or(0)).sum()
}

/// A source line cut to `room` columns: `…` replaces what is cut on the
/// left (`left_cut` characters) and on the right.
fn cut(chars: &[char], left_cut: usize, room: usize) -> Vec<char> {
    let mut shown: Vec<char> = Vec::new();
    if left_cut > 0 {
        shown.push('…');
    }
    shown.extend_from_slice(&chars[left_cut.min(chars.len())..]);
    if cols(&shown) > room {
        while !shown.is_empty() && cols(&shown) + 1 > room {
            shown.pop();
        }
        shown.push('…');
    }
    shown
}

impl Views {
    /// Add a view of `file` holding the lines of `items`; returns its id
    /// and the byte range of each item's label in it. Each range starts at
    /// the label's column and is short enough for ` message` to fit.
    fn add(
        &mut self,
        file: &str,
        items: &[Item],
        sources: &Sources,
        room: usize,
    ) -> (usize, Vec<Range<usize>>) {
        let mut numbers: Vec<u32> = items.iter().map(|(_, l, _)| l.line).collect();
        numbers.sort_unstable();
        numbers.dedup();
        let mut view = View {
            name: file.to_string(),
            ..View::default()
        };
        // Per real line: (view line index, left cut, characters shown).
        let mut placed: BTreeMap<u32, (usize, usize, Vec<char>)> = BTreeMap::new();
        let mut prev: Option<u32> = None;
        for n in numbers {
            match prev {
                // One line between two labelled ones: codespan shows it.
                Some(p) if n == p + 2 => {
                    let between = sources.line(file, p + 1).unwrap_or_default();
                    let shown: String = cut(&expand(between.trim_end()), 0, room).iter().collect();
                    view.push_line(&shown, usize::try_from(p + 1).unwrap_or(0), 0);
                }
                // A longer gap: two empty lines make codespan draw `·`.
                Some(p) if n > p + 2 => {
                    view.push_line("", usize::try_from(p + 1).unwrap_or(0), 0);
                    view.push_line("", usize::try_from(n - 1).unwrap_or(0), 0);
                }
                _ => {}
            }
            prev = Some(n);
            let raw = sources.line(file, n).unwrap_or_default();
            let chars = expand(raw.trim_end());
            let here: Vec<&Item> = items.iter().filter(|(_, l, _)| l.line == n).collect();
            let start = here
                .iter()
                .map(|(_, l, _)| label_start(raw, l.column, &chars))
                .min()
                .unwrap_or(0);
            let msg = here
                .iter()
                .map(|(_, _, m)| text::width(m))
                .max()
                .unwrap_or(0);
            // Keep the label start plus "^ message" inside the room.
            let need = cols(&chars[..start.min(chars.len())]) + 2 + msg;
            let left_cut = if need > room && start > 0 {
                (need - room + 1).min(start)
            } else {
                0
            };
            let shown = cut(&chars, left_cut, room);
            let text: String = shown.iter().collect();
            let index = view.push_line(&text, usize::try_from(n).unwrap_or(0), left_cut);
            placed.insert(n, (index, left_cut, shown));
        }
        let ranges = items
            .iter()
            .map(|(_, loc, message)| {
                let Some((index, left_cut, shown)) = placed.get(&loc.line) else {
                    return 0..0;
                };
                let raw = sources.line(file, loc.line).unwrap_or_default();
                let start = label_start(raw, loc.column, &expand(raw.trim_end()));
                let offset = usize::from(*left_cut > 0);
                let s = (start.saturating_sub(*left_cut) + offset).min(shown.len());
                let mut e = shown.len();
                if shown.last() == Some(&'…') && e > s + 1 {
                    e -= 1;
                }
                // Carets plus " message" end inside the room.
                let spare = room
                    .saturating_sub(cols(&shown[..s]) + 1 + text::width(message))
                    .max(1);
                let e = e.min(s + spare).max(s + 1).min(shown.len().max(s));
                let byte = |c: usize| shown[..c].iter().map(|ch| ch.len_utf8()).sum::<usize>();
                let line_start = view.starts[*index];
                (line_start + byte(s))..(line_start + byte(e))
            })
            .collect();
        self.views.push(view);
        (self.views.len() - 1, ranges)
    }
}

/// Character index where a label starts: the model's column (1-based,
/// counted in characters, tabs as one), else the first non-blank.
fn label_start(raw: &str, column: u32, chars: &[char]) -> usize {
    let first_non_blank = chars.iter().position(|c| !c.is_whitespace()).unwrap_or(0);
    let Some(col) = usize::try_from(column).ok().filter(|c| *c > 0) else {
        return first_non_blank;
    };
    // Re-count with tabs expanded.
    let mut idx = 0;
    for (i, c) in raw.chars().enumerate() {
        if i + 1 >= col {
            break;
        }
        idx += if c == '\t' { 4 } else { 1 };
    }
    if idx >= chars.len() {
        first_non_blank
    } else {
        idx
    }
}

impl View {
    fn push_line(&mut self, text: &str, number: usize, left_cut: usize) -> usize {
        self.starts.push(self.text.len());
        self.text.push_str(text);
        self.text.push('\n');
        self.lines.push(LineInfo { number, left_cut });
        self.lines.len() - 1
    }
}

impl<'a> Files<'a> for Views {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, FilesError> {
        self.views
            .get(id)
            .map(|v| v.name.as_str())
            .ok_or(FilesError::FileMissing)
    }

    fn source(&'a self, id: usize) -> Result<&'a str, FilesError> {
        self.views
            .get(id)
            .map(|v| v.text.as_str())
            .ok_or(FilesError::FileMissing)
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, FilesError> {
        let v = self.views.get(id).ok_or(FilesError::FileMissing)?;
        Ok(v.starts
            .partition_point(|s| *s <= byte_index)
            .saturating_sub(1))
    }

    fn line_number(&'a self, id: usize, line_index: usize) -> Result<usize, FilesError> {
        let v = self.views.get(id).ok_or(FilesError::FileMissing)?;
        v.lines
            .get(line_index)
            .map(|l| l.number)
            .ok_or(FilesError::LineTooLarge {
                given: line_index,
                max: v.lines.len(),
            })
    }

    fn column_number(
        &'a self,
        id: usize,
        line_index: usize,
        byte_index: usize,
    ) -> Result<usize, FilesError> {
        let v = self.views.get(id).ok_or(FilesError::FileMissing)?;
        let range = self.line_range(id, line_index)?;
        let info = v
            .lines
            .get(line_index)
            .copied()
            .ok_or(FilesError::LineTooLarge {
                given: line_index,
                max: v.lines.len(),
            })?;
        let end = byte_index.clamp(range.start, range.end);
        let before = v
            .text
            .get(range.start..end)
            .map_or(0, |s| s.chars().count());
        let shown_before = before.saturating_sub(usize::from(info.left_cut > 0));
        Ok(info.left_cut + shown_before + 1)
    }

    fn line_range(&'a self, id: usize, line_index: usize) -> Result<Range<usize>, FilesError> {
        let v = self.views.get(id).ok_or(FilesError::FileMissing)?;
        let start = *v.starts.get(line_index).ok_or(FilesError::LineTooLarge {
            given: line_index,
            max: v.lines.len(),
        })?;
        let end = v
            .starts
            .get(line_index + 1)
            .copied()
            .unwrap_or(v.text.len());
        Ok(start..end)
    }
}

#[cfg(test)]
mod tests;
