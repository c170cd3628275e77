//! Per-service code facts for the architecture inventory: binaries, lines
//! of code, test functions, HTTP routes and the manifests that deploy the
//! service. Counted lexically over the raw text (no parser), in parallel:
//! in the read phase for the files it reads ([`count`] beside the parse),
//! here for the test files a scan without tests does not read (tests are
//! what is counted).
//!
//! Rules: a line of code is a line that is not blank and not only a
//! comment (`//`, `/* … */` tracked across lines; a `/*` inside a string
//! literal is taken for a comment). A test is an attribute line `#[test]`,
//! `#[tokio::test…]`, `#[sqlx::test…]`, `#[rstest…]`, `#[test_case(…)]`
//! (one per case), `#[async_std::test]`, `#[actix_rt::test]`,
//! `#[actix_web::test]` or `#[test_log::test…]`. A route is an axum
//! `.route("/path", get(h).post(h))` (one per method named in the call) or
//! an actix-web / rocket attribute `#[get("/path")]` (`post`, `put`,
//! `delete`, `patch`, `head`, also `actix_web::get` and `rocket::get`);
//! `.nest` prefixes are not applied. A workload that several manifests
//! name (a base and its patches) is one deployment, at the first path.

use nova_discover::{Discovery, FileKind};
use nova_model::{Deployment, Location, Route, Service, ServiceCode};
use rayon::prelude::*;
use std::collections::BTreeMap;

const TEST_ATTRS: [&str; 9] = [
    "test",
    "tokio::test",
    "sqlx::test",
    "rstest",
    "test_case",
    "async_std::test",
    "actix_rt::test",
    "actix_web::test",
    "test_log::test",
];
const METHODS: [&str; 8] = [
    "get", "post", "put", "delete", "patch", "head", "options", "any",
];

/// What one file holds.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct FileCounts {
    pub lines_of_code: u64,
    pub tests: u64,
    /// (method, path, line).
    pub routes: Vec<(String, String, u32)>,
}

/// Count one Rust file.
pub(crate) fn count(text: &str) -> FileCounts {
    let mut c = FileCounts::default();
    let mut in_block = false;
    let bytes = text.as_bytes();
    // One pass finds the line ends and the slashes: a line without a `/`
    // and outside a block comment is code exactly when it is not blank.
    let mut marks = memchr::memchr2_iter(b'\n', b'/', bytes);
    // The lines of `str::lines` (a `\r` before the `\n` is trimmed below).
    let mut start = 0;
    let mut i = 0usize;
    while start < bytes.len() {
        let mut slash = false;
        let end = loop {
            match marks.next() {
                Some(p) if bytes[p] == b'/' => slash = true,
                Some(p) => break p,
                None => break bytes.len(),
            }
        };
        // (`start` and `end` are next to ASCII bytes: char boundaries.)
        let raw = text.get(start..end).unwrap_or_default();
        start = end + 1;
        i += 1;
        let line_no = u32::try_from(i).unwrap_or(u32::MAX);
        let mut rest = trim(raw);
        let mut code = false;
        if !in_block && !slash {
            code = !rest.is_empty();
        } else {
            loop {
                if in_block {
                    match find_pair(rest, *b"*/") {
                        Some(end) => {
                            in_block = false;
                            rest = rest[end + 2..].trim_start();
                        }
                        None => break,
                    }
                }
                if rest.is_empty() || rest.starts_with("//") {
                    break;
                }
                if let Some(after) = rest.strip_prefix("/*") {
                    in_block = true;
                    rest = after;
                    continue;
                }
                code = true;
                if let Some(start) = find_pair(rest, *b"/*")
                    && !rest[..start].contains('"')
                {
                    in_block = !rest[start..].contains("*/");
                }
                break;
            }
        }
        if code {
            c.lines_of_code += 1;
        }
        if let Some(attr) = rest.strip_prefix("#[") {
            let path_len = attr
                .char_indices()
                .find(|&(_, ch)| !(ch.is_alphanumeric() || ch == '_' || ch == ':'))
                .map_or(attr.len(), |(k, _)| k);
            let path = &attr[..path_len];
            if TEST_ATTRS.contains(&path) {
                c.tests += 1;
            }
            let verb = path.rsplit("::").next().unwrap_or(path);
            let prefix_ok = !path.contains("::")
                || path.starts_with("actix_web::")
                || path.starts_with("rocket::");
            if prefix_ok
                && METHODS[..6].contains(&verb)
                && let Some(p) = first_string(&attr[path_len..])
            {
                c.routes.push((verb.to_ascii_uppercase(), p, line_no));
            }
        }
    }
    axum_routes(text, &mut c.routes);
    c.routes.sort();
    c.routes.dedup();
    c
}

/// `str::trim`, without decoding characters when both ends are ASCII (the
/// ASCII characters `char::is_whitespace` accepts are `\t`, `\n`, `\v`,
/// `\f`, `\r` and the space; a non-ASCII end goes to `str::trim`).
fn trim(s: &str) -> &str {
    let b = s.as_bytes();
    let blank = |c: &u8| *c == b' ' || (b'\t'..=b'\r').contains(c);
    let start = b.iter().position(|c| !blank(c)).unwrap_or(b.len());
    let end = b.iter().rposition(|c| !blank(c)).map_or(start, |p| p + 1);
    if b.get(start).is_some_and(|&c| !c.is_ascii())
        || end
            .checked_sub(1)
            .and_then(|e| b.get(e))
            .is_some_and(|&c| !c.is_ascii())
    {
        return s.trim();
    }
    s.get(start..end).unwrap_or_default()
}

/// Byte offset of the first `pair` in `s` (`str::find` of a two-byte ASCII
/// pattern without building a searcher: this runs on every line). The
/// first byte is found with `memchr` (a `char` pattern), then the second
/// checked.
fn find_pair(s: &str, pair: [u8; 2]) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut from = 0;
    // `from` is always just after an ASCII byte: a char boundary.
    while let Some(i) = s.get(from..)?.find(char::from(pair[0])) {
        let at = from + i;
        if bytes.get(at + 1) == Some(&pair[1]) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// The first string literal of `s` when `s` starts with `(` then it.
fn first_string(s: &str) -> Option<String> {
    let s = s.trim_start().strip_prefix('(')?.trim_start();
    let body = s.strip_prefix('"')?;
    let end = body.find('"')?;
    Some(body[..end].to_string())
}

/// `.route("/path", get(a).post(b))`: one route per method named.
fn axum_routes(text: &str, out: &mut Vec<(String, String, u32)>) {
    let bytes = text.as_bytes();
    // Lines are counted from the previous match on.
    let (mut counted_to, mut line_at) = (0, 1usize);
    for at in memchr::memmem::find_iter(bytes, b".route(") {
        let Some(path) = first_string(&text[at + 6..]) else {
            continue;
        };
        // The call's arguments: up to the matching `)`.
        let mut depth = 0i32;
        let mut end = at + 6;
        let mut in_str = false;
        for (i, b) in bytes.iter().enumerate().skip(at + 6) {
            match b {
                b'"' if i == 0 || bytes[i - 1] != b'\\' => in_str = !in_str,
                b'(' if !in_str => depth += 1,
                b')' if !in_str => {
                    depth -= 1;
                    if depth == 0 {
                        end = i;
                        break;
                    }
                }
                _ => {}
            }
        }
        let args = &text[at + 6..end.max(at + 6)];
        line_at += memchr::memchr_iter(b'\n', &bytes[counted_to..at]).count();
        counted_to = at;
        let line = u32::try_from(line_at).unwrap_or(u32::MAX);
        let mut found = false;
        for m in METHODS {
            let needle = format!("{m}(");
            let mut search = 0;
            while let Some(p) = args[search..].find(&needle) {
                let i = search + p;
                search = i + needle.len();
                let prev = args[..i].chars().next_back();
                if prev.is_none_or(|c| !(c.is_alphanumeric() || c == '_')) {
                    out.push((m.to_ascii_uppercase(), path.clone(), line));
                    found = true;
                    break;
                }
            }
        }
        if !found {
            out.push(("ANY".to_string(), path, line));
        }
    }
}

/// The code facts of every service with a package. `counted[i]` holds the
/// counts of `discovery.files[i]` when the read phase made them; the other
/// files are read and counted here.
pub(crate) fn service_code(
    discovery: &Discovery,
    mut counted: Vec<Option<FileCounts>>,
    service_of: &[Option<String>],
    services: &[Service],
    manifests: &[nova_manifests::ManifestFacts],
) -> Vec<ServiceCode> {
    counted.resize_with(discovery.files.len(), || None);
    let per_file: Vec<(usize, bool, String, FileCounts)> = discovery
        .files
        .par_iter()
        .zip(counted.into_par_iter())
        .filter_map(|(f, counts)| {
            let FileKind::Rust { in_test, .. } = &f.kind else {
                return None;
            };
            let pkg = f.package?;
            service_of.get(pkg)?.as_ref()?;
            let counts = match counts {
                Some(c) => c,
                None => {
                    let bytes = std::fs::read(&f.abs).ok()?;
                    count(&String::from_utf8_lossy(&bytes))
                }
            };
            Some((pkg, *in_test, f.path.clone(), counts))
        })
        .collect();
    let mut by_service: BTreeMap<String, ServiceCode> = BTreeMap::new();
    for (i, svc) in service_of.iter().enumerate() {
        if let Some(name) = svc {
            let code = by_service
                .entry(name.clone())
                .or_insert_with(|| ServiceCode {
                    service: name.clone(),
                    ..ServiceCode::default()
                });
            if let Some(p) = discovery.packages.get(i) {
                code.binaries.extend(p.bins.iter().cloned());
            }
        }
    }
    for (pkg, in_test, path, counts) in per_file {
        let Some(Some(name)) = service_of.get(pkg) else {
            continue;
        };
        let Some(code) = by_service.get_mut(name) else {
            continue;
        };
        code.tests += counts.tests;
        if !in_test {
            code.rust_files += 1;
            code.lines_of_code += counts.lines_of_code;
            code.routes
                .extend(counts.routes.into_iter().map(|(method, p, line)| Route {
                    method,
                    path: p,
                    location: Location::new(path.clone(), line, 0),
                }));
        }
    }
    for m in manifests {
        for w in &m.workloads {
            if let Some(s) = services.iter().find(|s| s.is_named(&w.name))
                && let Some(code) = by_service.get_mut(&s.name)
            {
                code.deployments.push(Deployment {
                    kind: w.kind.clone(),
                    name: w.name.clone(),
                    location: Location::new(m.path.clone(), w.line, 0),
                });
            }
        }
    }
    let mut out: Vec<ServiceCode> = by_service.into_values().collect();
    for c in &mut out {
        c.binaries.sort();
        c.binaries.dedup();
        c.routes.sort();
        c.routes.dedup();
        // A workload patched by an overlay is one deployment: keep the
        // first manifest (by path) that names it.
        c.deployments.sort();
        c.deployments
            .dedup_by(|b, a| a.kind == b.kind && a.name == b.name);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn find_pair_is_str_find() {
        for s in [
            "",
            "/",
            "/*",
            "a /* b */ c",
            "*/",
            "x*/*/",
            "é/*ü",
            "//*",
            "a*b/c",
            "**//",
        ] {
            for pat in ["/*", "*/"] {
                let pair = [pat.as_bytes()[0], pat.as_bytes()[1]];
                assert_eq!(find_pair(s, pair), s.find(pat), "{s:?} {pat:?}");
            }
        }
    }

    #[test]
    fn trim_is_str_trim() {
        for s in [
            "",
            " ",
            "\t\x0b\x0c\r",
            "  code  ",
            "\u{a0}x\u{a0}",
            "\u{2003} // c",
            "é ",
            " ü",
            "\u{85}",
            "x\u{3000}",
            "\x1c x \x1f",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
        }
    }

    /// Line ends and blanks as `str::lines` and `str::trim` see them:
    /// `\r\n`, a missing last newline, Unicode blanks, slashes in code.
    #[test]
    fn counts_lines_like_lines_and_trim() {
        let src = "fn a() {}\r\n\r\n\u{a0}\u{2003}\r\n\x0b\n  // c\r\nlet x = 1 / 2;\n/* a\nb */ let y;\nz";
        let c = count(src);
        assert_eq!(c.lines_of_code, 4);
        assert_eq!(count("").lines_of_code, 0);
        assert_eq!(count("\n\n").lines_of_code, 0);
        assert_eq!(count("x\n").lines_of_code, 1);
        let routes = count("\n\r\n.route(\"/a\", get(h))\n\n.route(\"/b\", post(h))").routes;
        assert_eq!(
            routes,
            vec![
                ("GET".to_string(), "/a".to_string(), 3),
                ("POST".to_string(), "/b".to_string(), 5),
            ]
        );
    }

    #[test]
    fn counts_code_tests_and_routes() {
        let src = r#"
// a comment
/* a block
   comment */
use axum::{Router, routing::{get, post}};

pub fn app() -> Router {
    Router::new()
        .route("/api/posts", get(list).post(create)) /* trailing */
        .route(
            "/api/posts/{id}",
            get(show),
        )
        .route("/health", any_handler())
}

#[actix_web::get("/users/{id}")]
async fn user() {}

#[cfg(test)]
mod tests {
    #[test]
    fn a() {}
    #[tokio::test(flavor = "multi_thread")]
    async fn b() {}
    #[test_case(1)]
    #[test_case(2)]
    fn c(_: u8) {}
}
"#;
        let c = count(src);
        assert_eq!(c.tests, 4);
        assert_eq!(
            c.routes,
            vec![
                ("ANY".to_string(), "/health".to_string(), 14),
                ("GET".to_string(), "/api/posts".to_string(), 9),
                ("GET".to_string(), "/api/posts/{id}".to_string(), 10),
                ("GET".to_string(), "/users/{id}".to_string(), 17),
                ("POST".to_string(), "/api/posts".to_string(), 9),
            ]
        );
        // Blank lines and the 3 comment lines are not code.
        let lines = src.lines().count() as u64;
        let blank = src.lines().filter(|l| l.trim().is_empty()).count() as u64;
        assert_eq!(c.lines_of_code, lines - blank - 3);
    }
}
