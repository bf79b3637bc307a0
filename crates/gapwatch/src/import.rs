//! `gapwatch import`: a saved copy of a source, stored as if fetched, after the checks that
//! catch the mistakes an append-only store could not undo: a date in the future or after the
//! file's own date, and a file the source's adapter finds nothing in (the wrong `--source`).

use std::path::Path;

use anyhow::{Context, Result};
use gapwatch_ingest::{Structure, extract};
use gapwatch_model::Date;
use gapwatch_store::Store;

use crate::pipeline::{ImportOutcome, Incoming, extract_incoming, record_extraction};
use crate::usage::UsageError;
use crate::workspace::Workspace;

/// What to import and how.
#[derive(Debug)]
pub struct ImportRequest<'a> {
    pub file: &'a Path,
    pub observed_at: Date,
    /// The clock's date (`--today`, or the UTC date).
    pub today: Date,
    /// Store it even when a check refuses.
    pub force: bool,
}

/// Checks, then stores. A refusal is bad usage (exit 2) and stores nothing.
pub fn import_file(
    ws: &Workspace,
    config: &gapwatch_ingest::SourceConfig,
    request: &ImportRequest<'_>,
) -> Result<ImportOutcome> {
    let file = request.file;
    let shown = file.display();
    let observed = request.observed_at;
    if !request.force {
        if observed > request.today {
            return Err(UsageError(format!(
                "{shown}: --observed-at {observed} is after today ({}); a copy cannot have been observed in the future. Give the day it was downloaded or published, or pass --force",
                request.today
            ))
            .into());
        }
        if let Some(own) = date_in_name(file).filter(|&own| observed > own) {
            return Err(UsageError(format!(
                "{shown}: --observed-at {observed} is after the file's own date, {own} (in its name): the file shows the page as it was then, not that it still stood on {observed}. Give --observed-at {own}, or pass --force"
            ))
            .into());
        }
    }
    let bytes = std::fs::read(file).with_context(|| format!("cannot read {shown}"))?;
    let origin = shown.to_string();
    let incoming = Incoming::file(&bytes, observed, &origin);
    let extraction = match extract_incoming(config, &incoming) {
        Ok(extraction) => extraction,
        // Unreadable in this source's format, but another source reads it: the wrong --source.
        Err(error) => {
            let elsewhere = other_sources_reading(ws, config, &incoming);
            if elsewhere.is_empty() {
                return Err(error);
            }
            return Err(UsageError(format!(
                "{shown}: source {} cannot read it ({}){}",
                config.id,
                error.root_cause(),
                did_you_mean(&elsewhere)
            ))
            .into());
        }
    };
    if extraction.rows.is_empty() && !request.force {
        let why = match &extraction.structure {
            Structure::Empty { reason } => format!(" ({reason})"),
            Structure::Data => String::new(),
        };
        let elsewhere = other_sources_reading(ws, config, &incoming);
        return Err(UsageError(format!(
            "{shown}: source {} extracts 0 rows from it{why}, so nothing was stored{}. An empty page is evidence too: pass --force to store it",
            config.id,
            did_you_mean(&elsewhere)
        ))
        .into());
    }
    let mut store = Store::open(&ws.database)?;
    record_extraction(&mut store, config, &incoming, &extraction)
}

/// The configured sources (other than `config`) that extract score rows from the bytes, most
/// rows first, at most three.
fn other_sources_reading(
    ws: &Workspace,
    config: &gapwatch_ingest::SourceConfig,
    incoming: &Incoming<'_>,
) -> Vec<(String, usize)> {
    let (text, _) = gapwatch_fetch::decode_text(incoming.bytes, None);
    let mut found: Vec<(String, usize)> = ws
        .sources
        .sources
        .iter()
        .filter(|s| s.id != config.id)
        .filter_map(|s| {
            let extraction = extract(s, text.as_bytes()).ok()?;
            let rows = extraction.score_rows();
            (rows > 0).then(|| (s.id.clone(), rows))
        })
        .collect();
    found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    found.truncate(3);
    found
}

/// `; did you mean --source a (27 rows) or --source b (3 rows)?`, or nothing.
fn did_you_mean(found: &[(String, usize)]) -> String {
    if found.is_empty() {
        return String::new();
    }
    let options: Vec<String> = found
        .iter()
        .map(|(id, rows)| format!("--source {id} ({rows} rows with scores)"))
        .collect();
    format!("; did you mean {}?", options.join(" or "))
}

/// A `YYYY-MM-DD` date in the file's name, as in `fixtures/<source>/<date>.<ext>` or
/// `leaderboard-2025-12-10.json`.
pub fn date_in_name(file: &Path) -> Option<Date> {
    let name = file.file_name()?.to_str()?;
    let bytes = name.as_bytes();
    (0..bytes.len().saturating_sub(9)).find_map(|start| {
        let window = name.get(start..start + 10)?;
        let shaped = window.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
        // Not part of a longer run of digits.
        let before = start.checked_sub(1).and_then(|i| bytes.get(i));
        let after = bytes.get(start + 10);
        let isolated =
            !before.is_some_and(u8::is_ascii_digit) && !after.is_some_and(u8::is_ascii_digit);
        (shaped && isolated).then(|| window.parse().ok()).flatten()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn a_date_in_the_name_is_found() {
        assert_eq!(
            date_in_name(Path::new("fixtures/swebench/2025-12-10.json")),
            Some(d("2025-12-10"))
        );
        assert_eq!(
            date_in_name(Path::new("board-2024-06-04.md")),
            Some(d("2024-06-04"))
        );
        assert_eq!(date_in_name(Path::new("2025-13-40.json")), None);
        assert_eq!(date_in_name(Path::new("12025-12-10.json")), None);
        assert_eq!(date_in_name(Path::new("leaderboard.json")), None);
        assert_eq!(
            date_in_name(Path::new("2025-12-10/board.json")),
            None,
            "the name only"
        );
    }
}
