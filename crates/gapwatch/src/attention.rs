//! When a source needs a person: its newest evidence is empty, has fewer than half the rows of
//! its last good snapshot, or gives no scores for a benchmark the last good snapshot gave
//! scores for (a renamed or removed score column). The state lasts until a good snapshot
//! arrives, and the baseline is always the last good snapshot, never merely the last one, so a
//! page that stays broken keeps saying so.
//!
//! The judgement is recorded with each extraction run: a suspect run carries a warning ending
//! in [`SUSPECT_SUFFIX`] (or has no rows), so later runs find the last good one from the runs
//! alone. Earlier claims stand either way.

use std::collections::BTreeMap;

use anyhow::Result;
use gapwatch_fetch::decode_text;
use gapwatch_ingest::{Extraction, SourceConfig, Structure, compare_row_counts, extract};
use gapwatch_model::Claim;
use gapwatch_store::{RunRecord, Store};

/// Ends every warning that makes a run suspect.
pub const SUSPECT_SUFFIX: &str = "earlier claims stand";

/// A run whose extraction was found empty, shrunken or without scores it used to give.
pub fn is_suspect(run: &RunRecord) -> bool {
    run.rows == 0 || run.warnings.iter().any(|w| w.ends_with(SUSPECT_SUFFIX))
}

/// The last good run among a source's runs (in id order).
pub fn last_good(runs: &[RunRecord]) -> Option<&RunRecord> {
    runs.iter().rev().find(|run| !is_suspect(run))
}

/// The warnings that make a run suspect, as recorded; for a run without rows that says
/// nothing of it, one that does.
pub fn suspect_warnings(run: &RunRecord) -> Vec<String> {
    let mut found: Vec<String> = run
        .warnings
        .iter()
        .filter(|w| w.ends_with(SUSPECT_SUFFIX))
        .cloned()
        .collect();
    if found.is_empty() && run.rows == 0 {
        found.push(format!("0 rows extracted; {SUSPECT_SUFFIX}"));
    }
    found
}

/// A new extraction judged against the source's last good run.
#[derive(Debug, Default)]
pub struct Judgement {
    /// The extraction is empty, shrunken or lost scores.
    pub suspect: bool,
    /// What to record and show, each ending in [`SUSPECT_SUFFIX`].
    pub warnings: Vec<String>,
}

/// Judges a new extraction of `source` against its last good run (`runs` are the source's
/// runs so far, in id order). The last good snapshot is extracted again with the same
/// configuration, so that the benchmarks both give are compared like with like.
pub fn judge(
    store: &Store,
    source: &SourceConfig,
    extraction: &Extraction,
    runs: &[RunRecord],
) -> Result<Judgement> {
    let mut judgement = Judgement {
        // The adapter has already said why a table is empty.
        suspect: matches!(extraction.structure, Structure::Empty { .. }),
        warnings: Vec::new(),
    };
    let Some(good) = last_good(runs) else {
        return Ok(judgement);
    };
    if let Some(w) = compare_row_counts(Some(good.rows as usize), extraction.rows.len()) {
        judgement.warnings.push(format!("{w}; {SUSPECT_SUFFIX}"));
    }
    if !extraction.rows.is_empty() {
        let before = match good_scores(store, source, good) {
            Ok(before) => before,
            // The stored copy no longer extracts under this configuration (its format
            // changed, say): there is nothing to compare the scores with.
            Err(error) => {
                tracing::debug!(
                    "{}: the last good snapshot cannot be extracted again: {error:#}",
                    source.id
                );
                BTreeMap::new()
            }
        };
        let now = score_counts(&extraction.claims);
        let observed = store
            .snapshot(good.snapshot_id)?
            .map(|s| format!(", observed {},", s.observed_on))
            .unwrap_or_default();
        for ((benchmark, variant), count) in &before {
            if !now.contains_key(&(benchmark.clone(), variant.clone())) {
                let name = if variant.is_empty() {
                    benchmark.clone()
                } else {
                    format!("{benchmark} ({variant})")
                };
                judgement.warnings.push(format!(
                    "no {name} scores where the last good snapshot{observed} gave {count}: a score column may have been renamed or removed; {SUSPECT_SUFFIX}"
                ));
            }
        }
    }
    judgement.suspect |= !judgement.warnings.is_empty();
    Ok(judgement)
}

/// The score claims of the last good run's snapshot, per benchmark and variant, extracted
/// again with the current configuration.
fn good_scores(
    store: &Store,
    source: &SourceConfig,
    good: &RunRecord,
) -> Result<BTreeMap<(String, String), usize>> {
    let bytes = store.snapshot_bytes(good.snapshot_id)?;
    let (text, _) = decode_text(&bytes, None);
    let extraction = extract(source, text.as_bytes())?;
    Ok(score_counts(&extraction.claims))
}

/// Score claims per benchmark and variant.
fn score_counts(claims: &[Claim]) -> BTreeMap<(String, String), usize> {
    let mut counts = BTreeMap::new();
    for score in claims.iter().filter_map(Claim::score) {
        *counts
            .entry((score.benchmark.clone(), score.variant.clone()))
            .or_insert(0) += 1;
    }
    counts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: i64, rows: u64, warnings: &[&str]) -> RunRecord {
        RunRecord {
            id,
            snapshot_id: id,
            source_id: "board".into(),
            rows,
            claims: rows,
            warnings: warnings.iter().map(|w| (*w).to_owned()).collect(),
            adapter: "test".into(),
            stored_claims: rows,
            complete: true,
            current: true,
        }
    }

    #[test]
    fn the_baseline_is_the_last_good_run_not_the_last_run() {
        let runs = [
            run(1, 200, &[]),
            run(
                2,
                40,
                &["40 rows where the last good snapshot had 200; earlier claims stand"],
            ),
            run(3, 0, &[]),
            run(
                4,
                41,
                &["41 rows where the last good snapshot had 200; earlier claims stand"],
            ),
        ];
        assert_eq!(last_good(&runs).map(|r| r.id), Some(1));
        assert!(runs[1..].iter().all(is_suspect));
        // A row-level warning does not make a run suspect.
        let fine = [run(5, 180, &["row 3: no score"])];
        assert_eq!(last_good(&fine).map(|r| r.id), Some(5));
        assert_eq!(
            suspect_warnings(&runs[2]),
            ["0 rows extracted; earlier claims stand"]
        );
        assert!(last_good(&runs[1..]).is_none());
    }
}
