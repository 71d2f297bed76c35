//! The one progress facility of every long command (sweeps, training, co-simulation): a bar
//! with rate and ETA when standard error is a terminal, a plain line every few seconds and
//! at the end when it is not (logs, CI), and nothing when quiet (`-q`, `--json`, library
//! use by default).

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How much a long command tells on standard error while it works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Verbosity {
    /// Nothing (the library's default).
    #[default]
    Quiet,
    /// Progress bars or plain progress lines, and notes about phases.
    Progress,
}

/// Plain progress lines are at most this often (the last one always shows).
const PLAIN_EVERY: Duration = Duration::from_secs(5);

/// Progress of one counted piece of work; share it by reference between worker threads.
pub struct Progress {
    label: String,
    total: u64,
    start: Instant,
    done: AtomicU64,
    /// What the work says about itself besides its count (e.g. the loss so far).
    detail: Mutex<String>,
    how: Display,
}

enum Display {
    Hidden,
    Bar(ProgressBar),
    /// When the last plain line was printed.
    Lines(Mutex<Instant>),
}

impl Progress {
    /// `total` steps of `label` (e.g. "ngspice runs").
    pub fn new(verbosity: Verbosity, label: &str, total: u64) -> Progress {
        let how = match verbosity {
            Verbosity::Quiet => Display::Hidden,
            Verbosity::Progress if std::io::stderr().is_terminal() => {
                let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template(
                        "  {msg} [{bar:30}] {pos}/{len} ({per_sec}, ETA {eta})",
                    )
                    .expect("the template parses")
                    .progress_chars("=> "),
                );
                bar.set_message(label.to_string());
                Display::Bar(bar)
            }
            Verbosity::Progress => Display::Lines(Mutex::new(Instant::now())),
        };
        Progress {
            label: label.to_string(),
            total,
            start: Instant::now(),
            done: AtomicU64::new(0),
            detail: Mutex::new(String::new()),
            how,
        }
    }

    /// One more step done.
    pub fn inc(&self) {
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        self.show(done);
    }

    /// `done` steps done in all (for work that reports its own position).
    pub fn set(&self, done: u64) {
        self.done.store(done, Ordering::Relaxed);
        self.show(done);
    }

    /// Replaces the detail shown after the label (the bar's message, or in plain lines).
    pub fn set_detail(&self, detail: &str) {
        if let Display::Bar(bar) = &self.how {
            bar.set_message(format!("{} ({detail})", self.label));
        }
        *self.detail.lock().expect("no progress holder panicked") = detail.to_string();
    }

    fn show(&self, done: u64) {
        match &self.how {
            Display::Hidden => {}
            Display::Bar(bar) => bar.set_position(done),
            Display::Lines(last) => {
                let mut last = last.lock().expect("no progress holder panicked");
                if done >= self.total || last.elapsed() >= PLAIN_EVERY {
                    *last = Instant::now();
                    eprintln!("{}", self.line(done));
                }
            }
        }
    }

    /// `  label: done/total (rate/s, ETA s)`.
    fn line(&self, done: u64) -> String {
        let rate = done as f64 / self.start.elapsed().as_secs_f64().max(1e-9);
        let left = self.total.saturating_sub(done) as f64 / rate.max(1e-9);
        let detail = self.detail.lock().expect("no progress holder panicked");
        let detail = if detail.is_empty() {
            String::new()
        } else {
            format!(", {detail}")
        };
        // Nothing done yet: no rate to tell the time left by.
        let eta = if done == 0 {
            "?".to_string()
        } else {
            format!("{left:.0}")
        };
        format!(
            "  {}: {done}/{} ({rate:.1}/s, ETA {eta} s{detail})",
            self.label, self.total
        )
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if let Display::Bar(bar) = &self.how {
            // An interrupted piece of work keeps the bar where it stopped.
            if self.done.load(Ordering::Relaxed) >= self.total {
                bar.finish();
            } else {
                bar.abandon();
            }
        }
    }
}

/// A line about a phase of the work (e.g. "measuring sensitivities"), unless quiet.
pub fn note(verbosity: Verbosity, message: &str) {
    if verbosity == Verbosity::Progress {
        eprintln!("  {message}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_lines_say_rate_and_time_left() {
        let p = Progress::new(Verbosity::Quiet, "runs", 4);
        p.inc();
        p.inc();
        let line = p.line(2);
        assert!(line.starts_with("  runs: 2/4 ("), "{line}");
        assert!(line.contains("/s, ETA "), "{line}");
        p.set(4);
        assert_eq!(p.done.load(Ordering::Relaxed), 4);
    }
}
