//! Publishing a story: compute its state, compare with the last version, and append vN when
//! something material changed. Versions are immutable; rendering is deterministic.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use gapwatch_analysis::{
    Analysis, AnalysisOptions, Change, PerspectiveStatus, analyze, changes, perspective_changes,
};
use gapwatch_model::{ClaimSet, Date, Registry, Story};
use gapwatch_report::{Digest, DigestInput, SourceMeta, describe, render_html, render_markdown};
use gapwatch_store::{NewVersion, Store};
use serde::{Deserialize, Serialize};

/// The formats stored with every version, and their file extensions.
pub const FORMATS: [&str; 3] = ["md", "html", "json"];

/// What a version remembers about its inputs, kept beside the renderings for the record.
#[derive(Debug, Serialize, Deserialize)]
struct VersionState {
    analysis: Analysis,
    sources: Vec<String>,
    /// The story's perspectives as the version evaluated them; absent from versions published
    /// before perspectives were recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    perspectives: Option<Vec<PerspectiveStatus>>,
}

/// What `publish` did.
#[derive(Debug, Serialize)]
pub struct PublishOutcome {
    pub story: String,
    pub as_of: Date,
    /// The new version, or None when nothing material changed.
    pub version: Option<u32>,
    /// The changes since the previous version, most important first as the digest ranks
    /// them; each with the sentence a reader sees.
    pub changes: Vec<Change>,
    /// One sentence per change, in the same order.
    pub change_sentences: Vec<String>,
    /// Source health since the previous version, for operators: never reader news.
    pub notices: Vec<String>,
}

/// The analysis of a story as of a date, under the current rules and registry.
pub fn analysis_at(
    claims: &ClaimSet,
    registry: &Registry,
    story: &Story,
    as_of: Date,
    options: &AnalysisOptions,
) -> Analysis {
    analyze(claims, registry, story, as_of, options)
}

/// Computes the story's state as of `as_of` and publishes the next version when it differs
/// materially from the last one (or when forced).
///
/// The previous version's state is the one it stored; a state in a shape this release does
/// not read (stored before a change of the analysis) is computed again as of its date, so
/// that "What's new" reports what the evidence changed rather than a change of rules.
pub fn publish(
    store: &mut Store,
    registry: &Registry,
    story: &Story,
    options: &AnalysisOptions,
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
    let claims = store.claim_set(Some(as_of))?;
    let analysis = analysis_at(&claims, registry, story, as_of, options);
    let (previous, previous_perspectives) = match versions.last() {
        Some(v) => {
            let (analysis, perspectives) = stored_or_recomputed_with_perspectives(
                store, registry, story, options, v, &claims,
            )?;
            (Some(analysis), perspectives)
        }
        None => (None, None),
    };
    let mut found = changes(previous.as_ref(), &analysis, &story.materiality);
    let perspectives = crate::perspectives::evaluate(store, registry, story, options, &analysis)?;
    found.extend(perspective_changes(
        previous_perspectives.as_deref(),
        &perspectives.statuses,
    ));
    let source_ids: BTreeSet<String> = claims
        .rows()
        .iter()
        .map(|c| claims.str(c.source).to_owned())
        .collect();
    let mut notices = source_health(store, versions.last().map(|v| v.as_of), as_of)?;
    notices.extend(perspectives.notices.iter().cloned());
    let material = found.iter().any(Change::is_material);
    let metas: Vec<SourceMeta> = store
        .sources()?
        .into_iter()
        .map(|s| SourceMeta {
            id: s.id,
            publisher: s.publisher,
            title: s.title,
            url: s.url,
        })
        .collect();
    let change_sentences = found
        .iter()
        .map(|c| describe::change(c, &analysis, story, &metas))
        .collect();
    if !material && !force {
        return Ok(PublishOutcome {
            story: story.id.clone(),
            as_of,
            version: None,
            changes: found,
            change_sentences,
            notices,
        });
    }
    let origins: BTreeMap<String, String> = store
        .snapshots(None)?
        .into_iter()
        .filter(|s| s.observed_on <= as_of)
        .map(|s| (s.sha256, s.origin))
        .collect();
    let numbers = store.citations(&story.id)?;
    let version = versions.last().map_or(1, |v| v.version + 1);
    let digest = Digest::build(&DigestInput {
        story,
        version,
        published_on: today,
        analysis: &analysis,
        changes: &found,
        claims: &claims,
        sources: &metas,
        origins: &origins,
        numbers: &numbers,
        perspectives: &perspectives.statuses,
        quotes: &perspectives.quotes,
    });
    // Numbers are given when a source is first cited; the store keeps them for good.
    let order: Vec<&str> = digest
        .new_numbers
        .iter()
        .map(|(id, _)| id.as_str())
        .collect();
    let assigned = store.assign_citations(&story.id, &order)?;
    for (id, n) in &digest.new_numbers {
        if assigned.get(id) != Some(n) {
            bail!(
                "story {}: source {id} was numbered [{n}] in the digest but [{}] in the store",
                story.id,
                assigned.get(id).map_or(0, |x| *x)
            );
        }
    }
    let markdown = render_markdown(&digest);
    let html = render_html(&digest);
    let json = serde_json::to_string_pretty(&digest)? + "\n";
    let state = serde_json::to_string(&VersionState {
        analysis,
        sources: source_ids.into_iter().collect(),
        perspectives: Some(perspectives.statuses),
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
        change_sentences,
        notices,
    })
}

/// Sources that changed structure or failed since the previous version, for operators.
/// Earlier claims stand either way.
fn source_health(store: &Store, since: Option<Date>, as_of: Date) -> Result<Vec<String>> {
    let in_window = |d: Date| d <= as_of && since.is_none_or(|s| d > s);
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
            found.push(format!(
                "{title}: {} rows extracted on {observed}{before}; the page may have changed structure. Its earlier claims stand.",
                run.rows
            ));
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
        found.push(format!(
            "{}: fetching failed {} since the last version. Its earlier claims stand.",
            source_title(store, &id)?,
            gapwatch_report::prose::count(attempts, "time", "times")
        ));
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

/// What a published version said: its stored state. A state stored by an earlier release of
/// gapwatch, in a shape this one does not read, is computed again from the evidence as of
/// the version's date, under the current rules.
pub fn version_analysis(
    store: &Store,
    registry: &Registry,
    story: &Story,
    options: &AnalysisOptions,
    version: u32,
) -> Result<Analysis> {
    let v = store
        .versions(&story.id)?
        .into_iter()
        .find(|v| v.version == version)
        .with_context(|| format!("story {} has no v{version}", story.id))?;
    let claims = store.claim_set(Some(v.as_of))?;
    stored_or_recomputed(store, registry, story, options, &v, &claims)
}

/// A version's stored analysis, or, when it is in an older shape, the analysis of the same
/// claims as of its date. Evidence that arrived after the version (a backfilled history, a
/// late import dated earlier) is not in the stored state: it is news for the next version.
fn stored_or_recomputed(
    store: &Store,
    registry: &Registry,
    story: &Story,
    options: &AnalysisOptions,
    v: &gapwatch_store::VersionRecord,
    claims: &ClaimSet,
) -> Result<Analysis> {
    stored_or_recomputed_with_perspectives(store, registry, story, options, v, claims)
        .map(|(analysis, _)| analysis)
}

/// [`stored_or_recomputed`], with the perspectives the version recorded, when it recorded
/// them (`None` for a version published before they were, or whose state is recomputed).
fn stored_or_recomputed_with_perspectives(
    store: &Store,
    registry: &Registry,
    story: &Story,
    options: &AnalysisOptions,
    v: &gapwatch_store::VersionRecord,
    claims: &ClaimSet,
) -> Result<(Analysis, Option<Vec<PerspectiveStatus>>)> {
    if let Some(json) = store.state_json(&story.id, v.version)?
        && let Ok(state) = serde_json::from_str::<VersionState>(&json)
    {
        return Ok((state.analysis, state.perspectives));
    }
    Ok((analysis_at(claims, registry, story, v.as_of, options), None))
}

/// Parses `v3` or `3`.
pub fn parse_version(text: &str) -> Result<u32> {
    text.trim_start_matches(['v', 'V'])
        .parse()
        .with_context(|| format!("{text:?} is not a version; write v3 or 3"))
}
