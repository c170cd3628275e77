//! Fuzz the per-file Rust extraction, `nova_rust::parse_file` (the entry
//! point the scan calls for every `.rs` file), on arbitrary UTF-8.
//!
//! - It never panics (libFuzzer's panic hook aborts even on the panics
//!   `parse_file` would catch and turn into an "internal error").
//! - Nothing is dropped that `syn` accepts: when `syn::parse_file` parses
//!   the source, `parse_file` succeeds too, unless its nesting guard
//!   refused token trees nested deeper than `MAX_NESTING`.
//! - Every error has a line (1-based) unless it is about the whole file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Mutex, OnceLock};

/// One thread with nova's parser stack runs `syn::parse_file` for every
/// input (spawning one per input would cost more than the parse).
static SYN: OnceLock<Mutex<(Sender<String>, Receiver<bool>)>> = OnceLock::new();

fn syn_parses(source: &str) -> bool {
    let worker = SYN.get_or_init(|| {
        let (jobs, todo) = channel::<String>();
        let (answer, answers) = channel::<bool>();
        std::thread::Builder::new()
            .stack_size(nova_rust::PARSE_STACK)
            .spawn(move || {
                for src in todo {
                    let _ = answer.send(syn::parse_file(&src).is_ok());
                }
            })
            .expect("syn thread");
        Mutex::new((jobs, answers))
    });
    let worker = worker.lock().expect("syn worker");
    worker.0.send(source.to_string()).expect("syn thread alive");
    worker.1.recv().expect("syn does not panic")
}

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    for in_test_file in [false, true] {
        let result = nova_rust::parse_file(source, in_test_file);
        if let Err(e) = &result {
            assert!(
                !e.message.contains("internal error"),
                "a collector panicked: {e}"
            );
            if e.message.contains("nested deeper") {
                assert!(e.line >= 1, "{e}");
                continue;
            }
            // syn (with a stack as large as nova's parser thread) must
            // reject the file too.
            assert!(
                !syn_parses(source),
                "syn parses the file but nova refused it: {e}"
            );
        }
    }
});
