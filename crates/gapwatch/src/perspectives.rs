//! A story's perspectives as of a version: each quote found in a stored snapshot of its
//! source (or refused), the analyses of the dates the propositions are measured from, and
//! each perspective's Evolution.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use anyhow::{Result, bail};
use gapwatch_analysis::{
    Analysis, AnalysisOptions, PerspectiveStatus, evaluate_perspectives, perspective_dates,
};
use gapwatch_fetch::decode_text;
use gapwatch_ingest::{contains_quote, page_text};
use gapwatch_model::{Date, Perspective, Registry, Story};
use gapwatch_report::QuotedSnapshot;
use gapwatch_store::Store;

/// The perspectives a version shows.
#[derive(Debug, Default)]
pub struct Evaluated {
    /// Each perspective stated by the version's date whose words are stored, evaluated.
    pub statuses: Vec<PerspectiveStatus>,
    /// Per perspective id, the snapshot holding its words.
    pub quotes: BTreeMap<String, QuotedSnapshot>,
    /// Perspectives left out, and why, for operators.
    pub notices: Vec<String>,
}

/// Finds each quote of the story's perspectives stated by `as_of` in its source's stored
/// snapshots (the newest observed by `as_of` that holds it), and evaluates them against
/// `now` and the analyses of their statement dates.
///
/// A perspective whose source has no snapshot observed by `as_of` is left out with a notice:
/// its words are not in the evidence yet. One whose source has snapshots, none holding its
/// words, is refused: an error naming the story, the perspective and the snapshot.
pub fn evaluate(
    store: &Store,
    registry: &Registry,
    story: &Story,
    options: &AnalysisOptions,
    now: &Analysis,
) -> Result<Evaluated> {
    let as_of = now.as_of;
    let mut out = Evaluated::default();
    if story.perspectives.iter().all(|p| p.stated_on > as_of) {
        return Ok(out);
    }
    let retracted: Vec<i64> = store
        .retractions()?
        .into_iter()
        .map(|r| r.snapshot_id)
        .collect();
    let mut texts: BTreeMap<i64, String> = BTreeMap::new();
    let mut shown: Vec<Perspective> = Vec::new();
    for p in story.perspectives.iter().filter(|p| p.stated_on <= as_of) {
        let mut snapshots: Vec<_> = store
            .snapshots(Some(&p.source))?
            .into_iter()
            .filter(|s| s.observed_on <= as_of && !retracted.contains(&s.id))
            .collect();
        snapshots.reverse();
        if snapshots.is_empty() {
            out.notices.push(format!(
                "perspective {:?} of story {} is not shown: source {} has no stored snapshot as of {as_of} (import its page: gapwatch import --source {} --file PAGE)",
                p.id, story.id, p.source, p.source
            ));
            continue;
        }
        let mut found = None;
        for s in &snapshots {
            let text = match texts.entry(s.id) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => {
                    let bytes = store.snapshot_bytes(s.id)?;
                    e.insert(page_text(&decode_text(&bytes, None).0))
                }
            };
            if contains_quote(text, &p.quote) {
                found = Some(s);
                break;
            }
        }
        let Some(s) = found else {
            let newest = &snapshots[0];
            bail!(
                "story {}: perspective {:?}: the quote \u{201c}{}\u{201d} is not in the text of snapshot {} of source {} (observed {}, from {}){}",
                story.id,
                p.id,
                p.quote.trim(),
                &newest.sha256[..12],
                p.source,
                newest.observed_on,
                newest.origin,
                match snapshots.len() {
                    1 => String::new(),
                    n => format!(" nor of its {} earlier snapshots", n - 1),
                }
            );
        };
        out.quotes.insert(
            p.id.clone(),
            QuotedSnapshot {
                source_id: p.source.clone(),
                sha256: s.sha256.clone(),
                observed_on: s.observed_on,
            },
        );
        shown.push(p.clone());
    }
    let mut earlier: BTreeMap<Date, Analysis> = BTreeMap::new();
    for date in perspective_dates(&shown, as_of) {
        if date == as_of {
            continue;
        }
        let claims = store.claim_set(Some(date))?;
        earlier.insert(
            date,
            crate::publish::analysis_at(&claims, registry, story, date, options),
        );
    }
    out.statuses = evaluate_perspectives(&shown, now, &earlier);
    Ok(out)
}
