//! Progress display: a bar on a terminal, nothing otherwise.

use std::io::IsTerminal;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Decides once whether progress is shown (only when stderr is a terminal).
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
}
