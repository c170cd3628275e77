//! The HTML report in a real browser: headless Chromium driven over the
//! DevTools protocol on a pipe (`--remote-debugging-pipe`: NUL-terminated
//! JSON on fds 3 and 4; serde_json only). The page must load from disk
//! with no network request and no console error; the matrix shows the
//! example's tables; choosing a service (in the list, or by clicking its
//! node in the graph) hides the others; the SVG holds every service node.
//! A PNG screenshot is saved; with `NOVA_UPDATE_REPORTS=1` it replaces
//! `reports/coupled-monorepo/report.png` (`scripts/update-reports.sh`).
//!
//! Chromium is Debian's `chromium` (`scripts/test.sh` installs it when
//! missing); `NOVA_CHROMIUM` names another binary.

use crate::png;
use crate::support::*;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::time::{Duration, Instant};

const TIMEOUT: Duration = Duration::from_secs(60);

fn chromium() -> PathBuf {
    if let Some(p) = std::env::var_os("NOVA_CHROMIUM") {
        return PathBuf::from(p);
    }
    for name in ["chromium", "chromium-browser", "google-chrome"] {
        for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
            let p = dir.join(name);
            if p.is_file() {
                return p;
            }
        }
    }
    panic!(
        "headless Chromium is needed for this test: `apt-get install chromium` \
         (scripts/test.sh installs it), or set NOVA_CHROMIUM"
    );
}

/// A Chromium speaking CDP over fds 3 (commands) and 4 (replies/events).
struct Browser {
    child: Child,
    commands: std::io::PipeWriter,
    incoming: Receiver<Value>,
    next_id: u64,
    session: Option<String>,
    /// Events seen while waiting for replies.
    events: Vec<Value>,
    _profile: tempfile::TempDir,
}

impl Browser {
    fn launch() -> Browser {
        let profile = tempfile::tempdir().expect("profile dir");
        let (cmd_read, cmd_write) = std::io::pipe().expect("pipe");
        let (out_read, out_write) = std::io::pipe().expect("pipe");
        let mut cmd = Command::new(chromium());
        cmd.args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--disable-extensions",
            "--hide-scrollbars",
            "--remote-debugging-pipe",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("about:blank")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(
            std::fs::File::create(profile.path().join("chromium.log"))
                .map(Stdio::from)
                .unwrap_or_else(|_| Stdio::null()),
        );
        use std::os::fd::AsRawFd;
        let (r, w) = (cmd_read.as_raw_fd(), out_write.as_raw_fd());
        // SAFETY: only dup2 (async-signal-safe) between fork and exec; the
        // duplicated descriptors are not close-on-exec.
        unsafe {
            cmd.pre_exec(move || {
                // Move both out of the way first: either may be fd 3 or 4.
                let r2 = libc::fcntl(r, libc::F_DUPFD, 10);
                let w2 = libc::fcntl(w, libc::F_DUPFD, 10);
                if r2 < 0 || w2 < 0 || libc::dup2(r2, 3) < 0 || libc::dup2(w2, 4) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                libc::close(r2);
                libc::close(w2);
                Ok(())
            });
        }
        let child = cmd.spawn().expect("chromium starts");
        drop(cmd_read);
        drop(out_write);
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(out_read);
            loop {
                let mut buf = Vec::new();
                match reader.read_until(0, &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(_) => {
                        buf.pop_if(|b| *b == 0);
                        if let Ok(v) = serde_json::from_slice::<Value>(&buf)
                            && tx.send(v).is_err()
                        {
                            break;
                        }
                    }
                }
            }
        });
        Browser {
            child,
            commands: cmd_write,
            incoming: rx,
            next_id: 0,
            session: None,
            events: Vec::new(),
            _profile: profile,
        }
    }

    /// Send a command (to the page session once attached) and wait for its
    /// reply; events that arrive meanwhile are kept.
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if let Some(s) = &self.session
            && !method.starts_with("Target.")
            && !method.starts_with("Browser.")
        {
            msg["sessionId"] = json!(s);
        }
        let mut bytes = serde_json::to_vec(&msg).expect("json");
        bytes.push(0);
        self.commands.write_all(&bytes).expect("write to chromium");
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(v) if v["id"] == json!(id) => {
                    assert!(v.get("error").is_none(), "{method} failed: {v}");
                    return v["result"].clone();
                }
                Ok(v) => self.events.push(v),
                Err(RecvTimeoutError::Timeout) => panic!("no reply to {method} in {TIMEOUT:?}"),
                Err(RecvTimeoutError::Disconnected) => panic!(
                    "chromium exited during {method}:\n{}",
                    std::fs::read_to_string(self._profile.path().join("chromium.log"))
                        .unwrap_or_default()
                ),
            }
        }
    }

    /// Wait for an event named `method`.
    fn wait_event(&mut self, method: &str) {
        if self.events.iter().any(|e| e["method"] == method) {
            return;
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.incoming.recv_timeout(left) {
                Ok(v) => {
                    let done = v["method"] == method;
                    self.events.push(v);
                    if done {
                        return;
                    }
                }
                Err(_) => panic!("no {method} event in {TIMEOUT:?}"),
            }
        }
    }

    /// Evaluate `expr` in the page and return its value.
    fn eval(&mut self, expr: &str) -> Value {
        let r = self.call(
            "Runtime.evaluate",
            json!({ "expression": expr, "returnByValue": true, "awaitPromise": true }),
        );
        assert!(r.get("exceptionDetails").is_none(), "{expr}: {r}");
        r["result"]["value"].clone()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn html_report_in_headless_chromium() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html = dir.path().join("report.html");
    let h = html.to_string_lossy().into_owned();
    run_in_repo_root(
        &["report", "examples/coupled-monorepo", "-q", "--output", &h],
        0,
    );

    let mut b = Browser::launch();
    let target = b.call("Target.createTarget", json!({ "url": "about:blank" }));
    let attached = b.call(
        "Target.attachToTarget",
        json!({ "targetId": target["targetId"], "flatten": true }),
    );
    b.session = attached["sessionId"].as_str().map(String::from);
    for domain in [
        "Page.enable",
        "Runtime.enable",
        "Log.enable",
        "Network.enable",
    ] {
        b.call(domain, json!({}));
    }
    b.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 1400, "height": 1000, "deviceScaleFactor": 1, "mobile": false }),
    );
    let url = format!("file://{}", html.display());
    b.call("Page.navigate", json!({ "url": url }));
    b.wait_event("Page.loadEventFired");

    // Offline: nothing but the file itself was requested.
    let requests: Vec<String> = b
        .events
        .iter()
        .filter(|e| e["method"] == "Network.requestWillBeSent")
        .filter_map(|e| e["params"]["request"]["url"].as_str().map(String::from))
        .collect();
    assert!(
        requests
            .iter()
            .all(|u| u.starts_with("file://") || u.starts_with("data:")),
        "network requests: {requests:?}"
    );

    // The matrix: one row per table, all visible.
    let rows =
        b.eval("[...document.querySelectorAll('#matrix tbody tr')].map(r => r.dataset.table)");
    assert_eq!(strings(&rows), EXAMPLE_TABLES.to_vec());
    let visible =
        "[...document.querySelectorAll('#matrix tbody tr:not(.hidden)')].map(r => r.dataset.table)";
    assert_eq!(strings(&b.eval(visible)).len(), EXAMPLE_TABLES.len());
    let multi =
        b.eval("[...document.querySelectorAll('#matrix tr.multi')].map(r => r.dataset.table)");
    assert_eq!(strings(&multi), vec!["users"]);

    // The graph holds every service node.
    let nodes = b.eval("[...document.querySelectorAll('#graph-box svg g.node[data-kind=service]')].map(n => n.dataset.name).sort()");
    assert_eq!(strings(&nodes), EXAMPLE_SERVICES.to_vec());

    // Filtering by a service hides the other services and their tables.
    b.eval("(() => { const s = document.getElementById('service-filter'); s.value = 'feed-service'; s.dispatchEvent(new Event('change')); })()");
    assert_eq!(strings(&b.eval(visible)), vec!["follows", "posts", "users"]);
    let columns = "[...document.querySelectorAll('#matrix thead th[data-service]:not(.hidden)')].map(c => c.dataset.service)";
    assert_eq!(strings(&b.eval(columns)), vec!["feed-service"]);
    let findings = b.eval("[...document.querySelectorAll('.finding:not(.hidden)')].every(f => f.dataset.services.split(' ').includes('feed-service'))");
    assert_eq!(findings, json!(true));

    // A click on a service node filters to it.
    b.eval("document.querySelector('#graph-box g.node[data-name=\"media-service\"]').dispatchEvent(new MouseEvent('click', {bubbles: true}))");
    assert_eq!(
        b.eval("document.getElementById('service-filter').value"),
        json!("media-service")
    );
    assert_eq!(
        strings(&b.eval(visible)),
        vec!["posts", "upload_sessions", "videos"]
    );

    // A cell opens its evidence with the source line.
    b.eval("(() => { const s = document.getElementById('service-filter'); s.value = ''; s.dispatchEvent(new Event('change')); })()");
    b.eval("document.querySelector('#matrix tr[data-table=users] td[data-service=\"messaging-service\"]').click()");
    let ev = b.eval("document.getElementById('evidence').textContent");
    let ev = ev.as_str().unwrap_or_default();
    assert!(ev.contains("crates/db-common/src/lib.rs:33"), "{ev}");
    assert!(ev.contains("UPDATE users SET last_seen_at"), "{ev}");
    b.eval("document.getElementById('evidence').classList.add('hidden')");

    // Sorting by the writers column puts `users` (2 writers) last.
    b.eval("document.querySelectorAll('#matrix thead th')[2].click()");
    let sorted = strings(&b.eval(visible));
    assert_eq!(
        sorted.last().map(String::as_str),
        Some("users"),
        "{sorted:?}"
    );
    b.eval("document.querySelectorAll('#matrix thead th')[0].click()");

    // No console error, no uncaught exception, no error log entry.
    let errors: Vec<&Value> = b
        .events
        .iter()
        .filter(|e| {
            e["method"] == "Runtime.exceptionThrown"
                || (e["method"] == "Runtime.consoleAPICalled" && e["params"]["type"] == "error")
                || (e["method"] == "Log.entryAdded" && e["params"]["entry"]["level"] == "error")
        })
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:#?}");

    // The screenshot: the top of the page (summary, matrix, graph).
    b.call(
        "Emulation.setDeviceMetricsOverride",
        json!({ "width": 1280, "height": 1700, "deviceScaleFactor": 1, "mobile": false }),
    );
    let shot = b.call(
        "Page.captureScreenshot",
        json!({ "format": "png", "clip": { "x": 0, "y": 0, "width": 1280, "height": 1700, "scale": 1 } }),
    );
    let bytes = base64_decode(shot["data"].as_str().unwrap_or_default());
    assert!(
        png::is_png(&bytes) && bytes.len() > 10_000,
        "a PNG screenshot"
    );
    std::fs::write(dir.path().join("report.png"), &bytes).expect("save screenshot");
    let _ = b.call("Browser.close", json!({}));

    if std::env::var_os("NOVA_UPDATE_REPORTS").is_some_and(|v| v == "1") {
        let report = std::fs::read(&html).expect("report");
        let tagged = png::with_text(&bytes, png::KEY, &png::fnv1a64(&report));
        let dest =
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../reports/coupled-monorepo/report.png");
        std::fs::write(&dest, tagged).expect("write reports/coupled-monorepo/report.png");
    }
}

/// Standard base64 (CDP's screenshot encoding).
fn base64_decode(s: &str) -> Vec<u8> {
    let val = |c: u8| -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        })
    };
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let Some(v) = val(c) else { continue };
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

#[test]
fn base64() {
    assert_eq!(base64_decode("aGVsbG8="), b"hello");
    assert_eq!(base64_decode("aGk="), b"hi");
}
