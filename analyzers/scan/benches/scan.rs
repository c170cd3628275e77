//! Scan throughput on synthetic monorepos (`cargo bench -p nova-scan`).
//!
//! For each size (1k and 10k files) it generates a monorepo with
//! `nova_scan::synth`; two more corpora are one service with one huge file
//! each: `huge`, 200,000 generated queries in 20 MB of Rust, and `literal`,
//! one 1.4 MB `INSERT` literal. It measures in child processes (so each
//! gets its own peak memory, read from `VmHWM` in `/proc/self/status`,
//! also shown as a multiple of the source size, `peak/MB`):
//!
//! - `scan`: the full `nova_scan::scan` pipeline;
//! - `baseline`: the bare work any tool must do on the same files with the
//!   same threads (rayon): walk, read, `syn::parse_file` every Rust file,
//!   pull out string literals that look like SQL (a cheap visitor) and parse
//!   them and every migration with `sqlparser`.
//!
//! It reports files/s, MB/s, peak RSS (median runs) and the ratio full scan
//! / baseline (target <= 1.5), both in wall time and in CPU time (user +
//! system, which is steadier on a loaded machine): the median of the ratios
//! of 5 pairs of runs, scan then baseline, interleaved so that a change of
//! machine load hits both alike. Both use the `nova` binary's allocator
//! (`nova_alloc::Allocator`: mimalloc, the scan's syntax trees and the
//! walks over them in a bump arena of their own; the baseline drops each tree before the next, so it
//! has nothing to keep apart, but its frees pay the arena's address test
//! too) without transparent huge pages
//! (`nova_scan::avoid_huge_pages`) and with freed memory given back after
//! 10 ms (`nova_alloc::configure`; `NOVA_BENCH_PURGE_DEFAULT` set keeps
//! mimalloc's default second, to compare). Under `cargo test` (no
//! `--bench` argument) it runs one tiny size as a smoke test.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

const CHILD_ENV: &str = "NOVA_BENCH_CHILD";

#[global_allocator]
static GLOBAL: nova_alloc::Allocator = nova_alloc::Allocator;

fn vm_hwm_kb() -> u64 {
    status_kb("VmHWM:")
}

/// A memory figure of `/proc/self/status` in kB (`VmHWM:`, `VmRSS:`).
fn status_kb(key: &str) -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with(key))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// CPU time (user + system) of this process in ms, from `/proc/self/stat`
/// (clock ticks of 10 ms).
fn cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the `(comm)`: state is field 3; utime/stime are 14/15.
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            let ut: f64 = f.get(11)?.parse().ok()?;
            let st: f64 = f.get(12)?.parse().ok()?;
            Some((ut + st) * 10.0)
        })
        .unwrap_or(0.0)
}

/// Child: run one mode on one directory and print `ms kb files bytes cpu_ms`.
fn child(mode: &str, dir: &Path) {
    let start = Instant::now();
    let (files, bytes) = match mode {
        "scan" => {
            let config = nova_config::Config::default();
            // Phase boundaries with the CPU time used so far and the memory
            // in use then, for the breakdown on stderr.
            type Mark = (nova_scan::Phase, f64, f64, (u64, u64));
            let marks = std::sync::Mutex::new(Vec::<Mark>::new());
            let progress = |p: nova_scan::Progress| {
                if let Ok(mut m) = marks.lock()
                    && m.last().is_none_or(|(ph, ..)| *ph != p.phase)
                {
                    // In use, and the peak so far.
                    let rss = (status_kb("VmRSS:"), vm_hwm_kb());
                    let wall = start.elapsed().as_secs_f64() * 1000.0;
                    m.push((p.phase, wall, cpu_ms(), rss));
                }
            };
            let options = nova_scan::ScanOptions {
                progress: Some(&progress),
                include_tests: None,
            };
            let result = nova_scan::scan(dir, &config, &options);
            if let Ok(m) = marks.lock() {
                let end = (start.elapsed().as_secs_f64() * 1000.0, cpu_ms());
                let mut line = String::new();
                for (i, (ph, t, cpu, rss)) in m.iter().enumerate() {
                    let next = m.get(i + 1).map(|x| (x.1, x.2)).unwrap_or(end);
                    line.push_str(&format!(
                        "{ph:?} {:.0} ms, CPU {:.0} ms (from {} MB, peak {} MB); ",
                        next.0 - t,
                        next.1 - cpu,
                        rss.0 / 1024,
                        rss.1 / 1024
                    ));
                }
                eprintln!("phases: {line}");
            }
            match result {
                Ok(m) => {
                    // `NOVA_BENCH_DUMP=FILE` writes the model, to check that
                    // a speed-up left the output unchanged.
                    if let Ok(out) = std::env::var("NOVA_BENCH_DUMP")
                        && let Err(e) = serde_json::to_vec(&m)
                            .map_err(std::io::Error::other)
                            .and_then(|j| std::fs::write(&out, j))
                    {
                        eprintln!("cannot write {out}: {e}");
                    }
                    (m.stats.files, m.stats.bytes)
                }
                Err(e) => {
                    eprintln!("scan failed: {e}");
                    std::process::exit(1);
                }
            }
        }
        _ => baseline(dir),
    };
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    println!("{ms:.3} {} {files} {bytes} {:.0}", vm_hwm_kb(), cpu_ms());
}

struct SqlLits(Vec<String>);

impl<'ast> syn::visit::Visit<'ast> for SqlLits {
    fn visit_lit_str(&mut self, l: &'ast syn::LitStr) {
        let v = l.value();
        let head = v.trim_start().get(..6).unwrap_or("").to_ascii_uppercase();
        if matches!(head.as_str(), "SELECT" | "INSERT" | "UPDATE" | "DELETE") {
            self.0.push(v);
        }
    }
    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        // sqlx::query!("...") keeps its SQL inside the macro tokens.
        for t in m.tokens.clone() {
            if let proc_macro2::TokenTree::Literal(lit) = t
                && let Ok(l) = syn::parse_str::<syn::LitStr>(&lit.to_string())
            {
                self.visit_lit_str(&l);
            }
        }
    }
}

fn baseline(dir: &Path) -> (u64, u64) {
    use rayon::prelude::*;
    use sqlparser::dialect::PostgreSqlDialect;
    let mut paths = Vec::new();
    for e in ignore::WalkBuilder::new(dir).build().flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "rs" || x == "sql") {
            paths.push(p.to_path_buf());
        }
    }
    let (files, bytes) = paths
        .par_iter()
        .map(|p| {
            let Ok(text) = std::fs::read_to_string(p) else {
                return (0u64, 0u64);
            };
            let d = PostgreSqlDialect {};
            if p.extension().is_some_and(|x| x == "sql") {
                let _ = sqlparser::parser::Parser::parse_sql(&d, &text);
            } else if let Ok(file) = syn::parse_file(&text) {
                let mut v = SqlLits(Vec::new());
                syn::visit::visit_file(&mut v, &file);
                drop(file);
                // Same span bookkeeping as the scan (see read.rs).
                proc_macro2::extra::invalidate_current_thread_spans();
                for sql in v.0 {
                    let _ = sqlparser::parser::Parser::parse_sql(&d, &sql);
                }
            }
            (1, text.len() as u64)
        })
        .reduce(|| (0, 0), |a, b| (a.0 + b.0, a.1 + b.1));
    (files, bytes)
}

struct Run {
    ms: f64,
    cpu: f64,
    kb: u64,
    files: u64,
    bytes: u64,
}

fn run_child(mode: &str, dir: &Path) -> Option<Run> {
    let exe = std::env::current_exe().ok()?;
    let out = Command::new(exe)
        .env(CHILD_ENV, format!("{mode}:{}", dir.display()))
        .output()
        .ok()?;
    if !out.status.success() {
        eprintln!(
            "{mode} child failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        return None;
    }
    let err = String::from_utf8_lossy(&out.stderr);
    if let Some(line) = err.lines().find(|l| l.starts_with("phases:")) {
        eprintln!("  {mode}: {line}");
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut it = text.split_whitespace();
    Some(Run {
        ms: it.next()?.parse().ok()?,
        kb: it.next()?.parse().ok()?,
        files: it.next()?.parse().ok()?,
        bytes: it.next()?.parse().ok()?,
        cpu: it.next()?.parse().ok()?,
    })
}

/// Median of `v` (sorted in place); `None` when empty.
fn median(v: &mut [f64]) -> Option<f64> {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied()
}

/// `iters` pairs of runs, scan then baseline, interleaved so that a change
/// of machine load hits both alike. Returns the median scan run, the median
/// baseline run, and the medians of the per-pair wall and CPU ratios.
fn pairs(dir: &Path, iters: usize) -> Option<(Run, Run, f64, f64)> {
    let mut scans = Vec::new();
    let mut bases = Vec::new();
    let mut wall = Vec::new();
    let mut cpu = Vec::new();
    for _ in 0..iters.max(1) {
        let s = run_child("scan", dir)?;
        let b = run_child("baseline", dir)?;
        wall.push(s.ms / b.ms);
        cpu.push(s.cpu / b.cpu.max(1.0));
        scans.push(s);
        bases.push(b);
    }
    let mid = |mut runs: Vec<Run>| {
        runs.sort_by(|a, b| a.ms.total_cmp(&b.ms));
        let n = runs.len();
        runs.swap_remove(n / 2)
    };
    Some((
        mid(scans),
        mid(bases),
        median(&mut wall)?,
        median(&mut cpu)?,
    ))
}

fn main() {
    // Scan and baseline alike, as the `nova` binary does.
    nova_scan::avoid_huge_pages();
    if std::env::var_os("NOVA_BENCH_PURGE_DEFAULT").is_none() {
        nova_alloc::configure();
    }
    if let Ok(spec) = std::env::var(CHILD_ENV) {
        // `gen:DIR` writes a monorepo of `NOVA_BENCH_GEN=SERVICESxFILES`
        // (default 200x50) into DIR and keeps it, for profiling.
        if let Some(dir) = spec.strip_prefix("gen:") {
            let shape = std::env::var("NOVA_BENCH_GEN").unwrap_or_else(|_| "200x50".into());
            let (s, f) = shape.split_once('x').unwrap_or(("200", "50"));
            let (s, f) = (s.parse().unwrap_or(200), f.parse().unwrap_or(50));
            match nova_scan::synth::generate(Path::new(dir), s, f) {
                Ok(st) => println!("{} files, {} bytes", st.files, st.bytes),
                Err(e) => eprintln!("cannot generate: {e}"),
            }
            return;
        }
        if let Some((mode, dir)) = spec.split_once(':') {
            child(mode, Path::new(dir));
        }
        return;
    }
    let bench = std::env::args().any(|a| a == "--bench");
    // (label, corpus)
    let sizes: Vec<(&str, Corpus)> = if bench {
        vec![
            ("1k", Corpus::Monorepo(50, 20)),
            ("10k", Corpus::Monorepo(200, 50)),
            ("huge", Corpus::HugeFile(200_000)),
            ("literal", Corpus::HugeLiteral(50_000)),
        ]
    } else {
        vec![
            ("smoke", Corpus::Monorepo(2, 3)),
            ("huge", Corpus::HugeFile(2_000)),
            ("literal", Corpus::HugeLiteral(500)),
        ]
    };
    // `NOVA_BENCH_SIZES=10k` keeps only the named sizes; `NOVA_BENCH_ITERS`
    // sets the runs per mode (default 5).
    let sizes: Vec<(&str, Corpus)> = match std::env::var("NOVA_BENCH_SIZES") {
        Ok(only) => sizes
            .into_iter()
            .filter(|(l, _)| only.split(',').any(|o| o == *l))
            .collect(),
        Err(_) => sizes,
    };
    let default_iters = if bench { 5 } else { 1 };
    let iters = std::env::var("NOVA_BENCH_ITERS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_iters);
    println!(
        "{:<7} {:>7} {:>6} {:>9} {:>8} {:>7} {:>8} {:>7} {:>9} {:>8} {:>8} {:>9} {:>8}",
        "size",
        "files",
        "MB",
        "scan ms",
        "files/s",
        "MB/s",
        "peak MB",
        "peak/MB",
        "base ms",
        "base MB",
        "ratio",
        "cpu ratio",
        "cpu ms"
    );
    for (label, corpus) in sizes {
        let Ok(dir) = tempfile::tempdir() else {
            eprintln!("cannot create a temp dir");
            std::process::exit(1);
        };
        let stats = match corpus {
            Corpus::Monorepo(services, per) => {
                nova_scan::synth::generate(dir.path(), services, per)
            }
            Corpus::HugeFile(queries) => nova_scan::synth::generate_huge_file(dir.path(), queries),
            Corpus::HugeLiteral(rows) => nova_scan::synth::generate_huge_literal(dir.path(), rows),
        };
        let stats = match stats {
            Ok(s) => s,
            Err(e) => {
                eprintln!("cannot generate: {e}");
                std::process::exit(1);
            }
        };
        // Warm the page cache once.
        let _ = run_child("baseline", dir.path());
        let Some((scan, base, ratio, cpu_ratio)) = pairs(dir.path(), iters) else {
            std::process::exit(1);
        };
        let secs = scan.ms / 1000.0;
        let mb = scan.bytes as f64 / 1e6;
        // Peak memory as a multiple of the source size (MiB of peak per MB
        // of source would mix units: both in bytes here).
        let peak_per_source = (scan.kb as f64 * 1024.0) / (stats.bytes.max(1) as f64);
        println!(
            "{:<7} {:>7} {:>6.1} {:>9.1} {:>8.0} {:>7.2} {:>8.1} {:>6.1}x {:>9.1} {:>8.1} {:>8.2} {:>9.2} {:>8.0}",
            label,
            scan.files,
            mb,
            scan.ms,
            scan.files as f64 / secs,
            mb / secs,
            scan.kb as f64 / 1024.0,
            peak_per_source,
            base.ms,
            base.kb as f64 / 1024.0,
            ratio,
            cpu_ratio,
            scan.cpu
        );
        let _ = (base.files, base.bytes);
    }
}

/// What a bench size scans.
#[derive(Clone, Copy)]
enum Corpus {
    /// `nova_scan::synth::generate` with (services, files per service).
    Monorepo(usize, usize),
    /// `nova_scan::synth::generate_huge_file` with this many queries.
    HugeFile(usize),
    /// `nova_scan::synth::generate_huge_literal` with this many rows.
    HugeLiteral(usize),
}
