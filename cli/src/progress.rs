//! The progress bar: on stderr, only for a human on a terminal, and only
//! once the scan is slow (past ~300 ms) or big (more than 200 files).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use nova_scan::{Phase, Progress};
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Files above which the bar shows at once.
const MANY_FILES: u64 = 200;
/// Time after which the bar shows anyway.
const SLOW: Duration = Duration::from_millis(300);

/// A progress bar that may stay invisible.
pub struct Bar {
    bar: ProgressBar,
    started: Instant,
    shown: AtomicBool,
    enabled: bool,
}

impl Bar {
    /// `wanted`: the output is for a human and `-q` was not given.
    pub fn new(wanted: bool) -> Bar {
        let enabled = wanted && std::io::stderr().is_terminal();
        let bar = ProgressBar::hidden();
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} {msg:>8} [{bar:30}] {pos}/{len} files")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        Bar {
            bar,
            started: Instant::now(),
            shown: AtomicBool::new(false),
            enabled,
        }
    }

    /// The scan's progress callback.
    pub fn update(&self, p: Progress) {
        if !self.enabled {
            return;
        }
        if !self.shown.load(Ordering::Relaxed)
            && (p.total > MANY_FILES || self.started.elapsed() > SLOW)
            && !self.shown.swap(true, Ordering::Relaxed)
        {
            self.bar
                .set_draw_target(ProgressDrawTarget::stderr_with_hz(10));
        }
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
    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
