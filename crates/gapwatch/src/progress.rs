//! Progress display: a bar when stderr is a terminal, otherwise one line per finished item on
//! stderr, so that a scheduler's log shows a run as it goes.

use std::io::{IsTerminal, Write as _};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Decides once whether progress is drawn as a bar (only when stderr is a terminal).
#[derive(Debug, Clone, Copy)]
pub struct Progress {
    enabled: bool,
}

impl Progress {
    pub fn detect() -> Self {
        Progress {
            enabled: std::io::stderr().is_terminal(),
        }
    }

    /// Whether bars are drawn; when not, long commands print a line per step instead.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// A bar of `len` steps, hidden when progress is off.
    pub fn bar(&self, len: u64, prefix: &str) -> ProgressBar {
        if !self.enabled {
            return ProgressBar::with_draw_target(Some(len), ProgressDrawTarget::hidden());
        }
        let bar = ProgressBar::new(len);
        if let Ok(style) =
            ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {wide_msg}")
        {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(prefix.to_owned());
        bar
    }

    /// Progress over `len` items that finish one by one: the bar on a terminal, otherwise a
    /// line on stderr per item as it finishes.
    pub fn items(&self, len: usize, prefix: &str) -> ItemProgress {
        ItemProgress {
            bar: self.enabled.then(|| self.bar(len as u64, prefix)),
            len,
            done: 0,
        }
    }
}

/// See [`Progress::items`].
#[derive(Debug)]
pub struct ItemProgress {
    bar: Option<ProgressBar>,
    len: usize,
    done: usize,
}

impl ItemProgress {
    /// One item finished: `name` on the bar, or `[done/len] line` on stderr.
    pub fn finished(&mut self, name: &str, line: &str) {
        self.done += 1;
        match &self.bar {
            Some(bar) => {
                bar.set_message(name.to_owned());
                bar.inc(1);
            }
            None => {
                // A closed stderr must not stop the run: the line is only for people.
                let _ = writeln!(
                    std::io::stderr().lock(),
                    "[{}/{}] {line}",
                    self.done,
                    self.len
                );
            }
        }
    }

    /// Removes the bar, if any.
    pub fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}
