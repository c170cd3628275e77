//! The progress bar: on stderr, only on a terminal, never with `-q`, and
//! only once the scan has run for [`SHOW_AFTER`] (a quick scan leaves the
//! terminal untouched). A timer shows it, so a long walk of the tree or a
//! long linking phase, which report no per-file progress, shows it too;
//! its spinner then keeps turning.
//!
//! `NOVA_PROGRESS_AFTER_MS` overrides the delay (the tests use 0).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nova_scan::{Phase, Progress};
use std::io::IsTerminal;
use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

/// How long a scan runs before the bar shows.
const SHOW_AFTER: Duration = Duration::from_millis(500);

/// A progress bar that may stay invisible.
pub struct Bar {
    bar: ProgressBar,
    /// Dropped to stop the timer early.
    stop: Option<mpsc::Sender<()>>,
    timer: Option<JoinHandle<()>>,
}

impl Bar {
    /// `wanted`: `-q` was not given. The bar also needs stderr to be a
    /// terminal.
    pub fn new(wanted: bool) -> Bar {
        let bar = ProgressBar::hidden();
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} {msg:>8} [{bar:30}] {pos}/{len} files")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_message("walking");
        let mut this = Bar {
            bar,
            stop: None,
            timer: None,
        };
        if wanted && std::io::stderr().is_terminal() {
            let (stop, stopped) = mpsc::channel::<()>();
            let bar = this.bar.clone();
            let after = delay();
            this.stop = Some(stop);
            this.timer = std::thread::Builder::new()
                .name("nova-progress".into())
                .spawn(move || {
                    if let Err(mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(after) {
                        bar.set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
                        bar.enable_steady_tick(Duration::from_millis(100));
                    }
                })
                .ok();
        }
        this
    }

    /// The scan's progress callback (cheap while the bar is hidden).
    pub fn update(&self, p: Progress) {
        match p.phase {
            Phase::Discover => self.bar.set_message("walking"),
            Phase::Parse => {
                self.bar.set_message("parsing");
                self.bar.set_length(p.total);
                self.bar.set_position(p.done);
            }
            Phase::Resolve => self.bar.set_message("linking"),
        }
    }

    /// Remove the bar before printing results.
    pub fn finish(mut self) {
        drop(self.stop.take());
        if let Some(t) = self.timer.take() {
            let _ = t.join();
        }
        self.bar.finish_and_clear();
    }
}

/// [`SHOW_AFTER`], or `NOVA_PROGRESS_AFTER_MS`.
fn delay() -> Duration {
    std::env::var("NOVA_PROGRESS_AFTER_MS")
        .ok()
        .and_then(|v| v.trim().parse().ok())
        .map_or(SHOW_AFTER, Duration::from_millis)
}
