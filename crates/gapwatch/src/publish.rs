//! Publishing a story: compute its state, compare with the last version, and append vN when
//! something material changed. Versions are immutable; rendering is deterministic.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use gapwatch_analysis::{Analysis, AnalysisOptions, Change, analyze, changes};
use gapwatch_model::{Date, Registry, Story};
use gapwatch_report::{CitedSource, Digest, DigestInput, render_html, render_markdown};
use gapwatch_store::{NewVersion, Store};
use serde::{Deserialize, Serialize};

/// The formats stored with every version, and their file extensions.
pub const FORMATS: [&str; 3] = ["md", "html", "json"];

/// What a version remembers about its inputs, to compare the next one against.
#[derive(Debug, Serialize, Deserialize)]
struct VersionState {
    analysis: Analysis,
    sources: Vec<String>,
}

/// What `publish` did.
#[derive(Debug, Serialize)]
pub struct PublishOutcome {
    pub story: String,
    pub as_of: Date,
    /// The new version, or None when nothing material changed.
    pub version: Option<u32>,
    pub changes: Vec<Change>,
}

/// Computes the story's state as of `as_of` and publishes the next version when it differs
/// materially from the last one (or when forced).
pub fn publish(
    store: &mut Store,
    registry: &Registry,
    story: &Story,
    as_of: Date,
    today: Date,
    force: bool,
) -> Result<PublishOutcome> {
    let versions = store.versions(&story.id)?;
    if let Some(last) = versions.last()
        && last.as_of > as_of
    {
        bail!(
            "story {} already has v{} as of {}, later than {as_of}; versions only move forward",
            story.id,
            last.version,
            last.as_of
        );
    }
    let mut history: Vec<VersionState> = Vec::with_capacity(versions.len());
    for v in &versions {
        let json = store
            .state_json(&story.id, v.version)?
            .with_context(|| format!("story {} v{} has no stored state", story.id, v.version))?;
        history.push(serde_json::from_str(&json).with_context(|| {
            format!(
                "story {} v{}: stored state is unreadable",
                story.id, v.version
            )
        })?);
    }
    let previous = history.last();
    let claims = store.claim_set(Some(as_of))?;
    let analysis = analyze(&claims, registry, story, as_of, &AnalysisOptions::default());
    // Per source: its latest claim and the first date it was observed.
    let mut per_source: BTreeMap<String, (i64, Date)> = BTreeMap::new();
    for c in claims.rows() {
        let source = claims.str(c.source);
        match per_source.get_mut(source) {
            Some((latest, first)) => {
                *latest = (*latest).max(c.id);
                *first = (*first).min(c.observed_on);
            }
            None => {
                per_source.insert(source.to_owned(), (c.id, c.observed_on));
            }
        }
    }
    let source_ids: BTreeSet<String> = per_source.keys().cloned().collect();
    let mut found = changes(previous.map(|p| &p.analysis), &analysis, &story.materiality);
    if let Some(prev) = previous {
        let before: BTreeSet<&String> = prev.sources.iter().collect();
        let added: Vec<&String> = source_ids.iter().filter(|s| !before.contains(s)).collect();
        for id in added {
            let latest = per_source.get(id.as_str()).map(|&(latest, _)| latest);
            found.push(Change {
                kind: gapwatch_analysis::ChangeKind::SourceAdded,
                benchmark: None,
                description: format!("A new source is tracked: {}.", source_title(store, id)?),
                claim_ids: latest.into_iter().collect(),
            });
        }
    }
    found.extend(source_health(
        store,
        &per_source,
        previous.map(|p| p.analysis.as_of),
        as_of,
    )?);
    if found.is_empty() && !force {
        return Ok(PublishOutcome {
            story: story.id.clone(),
            as_of,
            version: None,
            changes: found,
        });
    }
    // Citation numbers: sources in order of first appearance, stable forever.
    let mut by_first: Vec<(Date, String)> = Vec::new();
    for id in &source_ids {
        let first = per_source.get(id).map_or(as_of, |&(_, first)| first);
        by_first.push((first, id.clone()));
    }
    by_first.sort();
    let order: Vec<&str> = by_first.iter().map(|(_, id)| id.as_str()).collect();
    let numbers = store.assign_citations(&story.id, &order)?;
    let mut sources = Vec::new();
    for record in store.sources()? {
        let Some(&number) = numbers.get(&record.id) else {
            continue;
        };
        if !source_ids.contains(&record.id) {
            continue;
        }
        let snapshots: Vec<(String, Date)> = store
            .snapshots(Some(&record.id))?
            .into_iter()
            .filter(|s| s.observed_on <= as_of)
            .map(|s| (s.sha256, s.observed_on))
            .collect();
        sources.push(CitedSource {
            number,
            id: record.id.clone(),
            publisher: record.publisher,
            title: record.title,
            url: record.url,
            first_seen: snapshots.first().map(|s| s.1),
            last_observed: snapshots.last().map(|s| s.1),
            snapshots,
        });
    }
    sources.sort_by_key(|s| s.number);
    let claim_sources: BTreeMap<i64, String> = claims
        .rows()
        .iter()
        .map(|c| (c.id, claims.str(c.source).to_owned()))
        .collect();
    let version = versions.last().map_or(1, |v| v.version + 1);
    let digest = Digest::build(&DigestInput {
        story,
        registry,
        version,
        published_on: today,
        analysis: &analysis,
        changes: &found,
        sources: &sources,
        claim_sources: &claim_sources,
        claim_count: claims.len() as u64,
        history: &history
            .iter()
            .map(|h| h.analysis.clone())
            .collect::<Vec<_>>(),
    });
    let markdown = render_markdown(&digest);
    let html = render_html(&digest);
    let json = serde_json::to_string_pretty(&digest)? + "\n";
    let state = serde_json::to_string(&VersionState {
        analysis,
        sources: source_ids.into_iter().collect(),
    })?;
    let published_at = format!("{today}T00:00:00Z");
    let n = store.publish_version(&NewVersion {
        story_id: &story.id,
        published_at: &published_at,
        as_of,
        state_json: &state,
        renderings: &[
            ("md", markdown.as_bytes()),
            ("html", html.as_bytes()),
            ("json", json.as_bytes()),
        ],
    })?;
    Ok(PublishOutcome {
        story: story.id.clone(),
        as_of,
        version: Some(n),
        changes: found,
    })
}

/// Sources that changed structure or failed since the previous version: news for readers,
/// who should know why a board stopped moving. Earlier claims stand either way.
fn source_health(
    store: &Store,
    per_source: &BTreeMap<String, (i64, Date)>,
    since: Option<Date>,
    as_of: Date,
) -> Result<Vec<Change>> {
    let in_window = |d: Date| d <= as_of && since.is_none_or(|s| d > s);
    let latest_claim = |id: &str| per_source.get(id).map(|&(latest, _)| latest);
    let snapshots: BTreeMap<i64, Date> = store
        .snapshots(None)?
        .into_iter()
        .map(|s| (s.id, s.observed_on))
        .collect();
    let mut found = Vec::new();
    let mut last_good: BTreeMap<String, (u64, Date)> = BTreeMap::new();
    for run in store.runs(None)? {
        let Some(&observed) = snapshots.get(&run.snapshot_id) else {
            continue;
        };
        if observed > as_of {
            continue;
        }
        let previous = last_good.get(&run.source_id).copied();
        let shrunk =
            gapwatch_ingest::compare_row_counts(previous.map(|p| p.0 as usize), run.rows as usize)
                .is_some();
        if in_window(observed) && (shrunk || (run.rows == 0 && previous.is_some())) {
            let title = source_title(store, &run.source_id)?;
            let before = previous.map_or(String::new(), |(rows, on)| format!(" ({rows} on {on})"));
            found.push(Change {
                kind: gapwatch_analysis::ChangeKind::SourceTrouble,
                benchmark: None,
                description: format!(
                    "{title}: {} rows extracted on {observed}{before}; the page may have changed structure. Its earlier claims stand.",
                    run.rows
                ),
                claim_ids: latest_claim(&run.source_id).into_iter().collect(),
            });
        }
        if run.rows > 0 && !shrunk {
            last_good.insert(run.source_id.clone(), (run.rows, observed));
        }
    }
    let mut failing: BTreeMap<String, usize> = BTreeMap::new();
    for entry in store.fetch_log(None)? {
        let day = entry
            .started_at
            .get(..10)
            .and_then(|d| d.parse::<Date>().ok());
        // A fetch cut short by a signal says nothing about the source.
        let interrupted = entry
            .message
            .as_deref()
            .is_some_and(|m| m.starts_with(crate::ingest::INTERRUPTED));
        if entry.outcome == gapwatch_store::FetchOutcomeKind::Failed
            && !interrupted
            && day.is_some_and(in_window)
        {
            *failing.entry(entry.source_id).or_default() += 1;
        }
    }
    for (id, attempts) in failing {
        found.push(Change {
            kind: gapwatch_analysis::ChangeKind::SourceTrouble,
            benchmark: None,
            description: format!(
                "{}: fetching failed {attempts} time{} since the last version. Its earlier claims stand.",
                source_title(store, &id)?,
                if attempts == 1 { "" } else { "s" }
            ),
            claim_ids: latest_claim(&id).into_iter().collect(),
        });
    }
    Ok(found)
}

fn source_title(store: &Store, id: &str) -> Result<String> {
    Ok(store
        .sources()?
        .into_iter()
        .find(|s| s.id == id)
        .map_or_else(|| id.to_owned(), |s| s.title))
}

/// Writes every stored rendering of every version of the story into `dir/<story>/vN.<ext>`,
/// byte for byte; returns the files written.
pub fn write_versions(store: &Store, story_id: &str, dir: &Path) -> Result<Vec<PathBuf>> {
    let folder = dir.join(story_id);
    std::fs::create_dir_all(&folder)
        .with_context(|| format!("cannot create {}", folder.display()))?;
    let mut written = Vec::new();
    for v in store.versions(story_id)? {
        for format in FORMATS {
            if let Some(bytes) = store.rendering(story_id, v.version, format)? {
                let path = folder.join(format!("v{}.{format}", v.version));
                std::fs::write(&path, bytes)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                written.push(path);
            }
        }
    }
    Ok(written)
}

/// The analysis a published version was built from.
pub fn stored_analysis(store: &Store, story_id: &str, version: u32) -> Result<Analysis> {
    let json = store
        .state_json(story_id, version)?
        .with_context(|| format!("story {story_id} has no v{version}"))?;
    let state: VersionState = serde_json::from_str(&json)
        .with_context(|| format!("story {story_id} v{version}: stored state is unreadable"))?;
    Ok(state.analysis)
}

/// Parses `v3` or `3`.
pub fn parse_version(text: &str) -> Result<u32> {
    text.trim_start_matches(['v', 'V'])
        .parse()
        .with_context(|| format!("{text:?} is not a version; write v3 or 3"))
}
