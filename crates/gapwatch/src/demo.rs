//! `gapwatch demo`: the whole job on bundled real leaderboard data, with no network.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use gapwatch_model::Date;
use gapwatch_store::Store;
use serde::Serialize;

use crate::pipeline::{ImportOutcome, Incoming, import_bytes};
use crate::progress::Progress;
use crate::publish::{PublishOutcome, publish, write_versions};
use crate::workspace::Workspace;

include!(concat!(env!("OUT_DIR"), "/fixtures.rs"));

/// The model cards the demo imports; the other card fixtures test the card adapter only.
const DEMO_CARDS: &[&str] = &["card-kimi-k2"];

/// What the demo did.
#[derive(Debug, Serialize)]
pub struct DemoSummary {
    pub database: PathBuf,
    pub imports: Vec<ImportOutcome>,
    pub published: Vec<PublishOutcome>,
    pub versions: u32,
    pub files: Vec<PathBuf>,
    pub claims: u64,
}

/// Imports every bundled fixture in date order into `out/gapwatch.sqlite`, publishing the
/// story after each date, then writes every version's digests into `out/stories/`.
pub fn run(out: &Path, progress: &Progress) -> Result<DemoSummary> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let ws = Workspace::builtin(out.join("gapwatch.sqlite"))?;
    let story = ws.story(None)?;
    let mut store = Store::open(&ws.database)?;
    // Fixtures by observed date: (source id, extension, bytes).
    type Fixture<'a> = (&'a str, &'a str, &'a [u8]);
    let mut by_date: BTreeMap<Date, Vec<Fixture<'_>>> = BTreeMap::new();
    for (source, date, ext, bytes) in FIXTURES {
        // Model-card fixtures test the card adapter; the demo reads one card beside its
        // leaderboards, so that labs' own figures show as such.
        if ws
            .sources
            .get(source)
            .is_some_and(|s| s.format == gapwatch_ingest::Format::ModelCard)
            && !DEMO_CARDS.contains(source)
        {
            continue;
        }
        let date: Date = date
            .parse()
            .with_context(|| format!("fixture {source}/{date}.{ext}: bad date"))?;
        by_date.entry(date).or_default().push((source, ext, bytes));
    }
    let bar = progress.bar(
        by_date.values().map(Vec::len).sum::<usize>() as u64,
        "importing fixtures",
    );
    let mut imports = Vec::new();
    let mut published = Vec::new();
    for (date, files) in &by_date {
        for (source_id, ext, bytes) in files {
            let source = ws.sources.get(source_id).with_context(|| {
                format!("fixture folder {source_id} names no configured source")
            })?;
            let origin = format!("fixtures/{source_id}/{date}.{ext}");
            bar.set_message(origin.clone());
            imports.push(import_bytes(
                &mut store,
                source,
                &Incoming::file(bytes, *date, &origin),
            )?);
            bar.inc(1);
        }
        let latest = store.versions(&story.id)?.last().map(|v| v.as_of);
        if latest.is_none_or(|d| d <= *date) {
            published.push(publish(
                &mut store,
                &ws.registry,
                story,
                &ws.analysis_options(),
                *date,
                *date,
                false,
            )?);
        }
    }
    bar.finish_and_clear();
    crate::evidence::sync_registry(&mut store, &ws.registry);
    let mut files = write_versions(&store, &story.id, &out.join("stories"))?;
    files.extend(crate::site::export(
        &store,
        &story.id,
        &story.title,
        &out.join("site"),
        "https://example.invalid/gapwatch",
    )?);
    Ok(DemoSummary {
        database: ws.database.clone(),
        versions: store.versions(&story.id)?.len() as u32,
        claims: store.claim_count()?,
        imports,
        published,
        files,
    })
}
