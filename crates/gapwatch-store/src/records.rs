//! The values passed to and returned by the store.

use gapwatch_model::{Claim, Date};

/// A configured source's descriptive fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceInfo {
    /// Stable id used everywhere else: `swe-bench-verified-json`.
    pub id: String,
    /// Who publishes it.
    pub publisher: String,
    /// Its title for people.
    pub title: String,
    /// Where it lives.
    pub url: String,
    /// The adapter format name: `csv`, `json`, `html-table`.
    pub format: String,
}

/// A stored source with what the store has seen of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceRecord {
    /// Stable id.
    pub id: String,
    /// Who publishes it.
    pub publisher: String,
    /// Its title for people.
    pub title: String,
    /// Where it lives.
    pub url: String,
    /// The adapter format name.
    pub format: String,
    /// The earliest `observed_on` of its snapshots.
    pub first_seen: Option<Date>,
    /// The latest `observed_on` of its snapshots.
    pub last_observed: Option<Date>,
    /// How many distinct snapshots are stored.
    pub snapshots: u64,
}

/// One copy of a source's bytes, with the claims an adapter extracted from it.
#[derive(Debug, Clone, Copy)]
pub struct NewSnapshot<'a> {
    /// The configured source (see [`crate::Store::upsert_source`]).
    pub source_id: &'a str,
    /// The bytes exactly as fetched or read.
    pub bytes: &'a [u8],
    /// The date the bytes were observed: fetched, or given on import.
    pub observed_on: Date,
    /// The RFC 3339 instant of the fetch; `None` for an import.
    pub fetched_at: Option<&'a str>,
    /// The URL fetched or the file imported.
    pub origin: &'a str,
    /// The HTTP status of the fetch.
    pub http_status: Option<u16>,
    /// The `ETag` response header.
    pub etag: Option<&'a str>,
    /// The `Last-Modified` response header.
    pub last_modified: Option<&'a str>,
    /// The claims extracted from `bytes`.
    pub claims: &'a [Claim],
    /// How many rows the adapter saw.
    pub rows: u64,
    /// What the adapter warned about.
    pub warnings: &'a [String],
    /// The adapter's name and version.
    pub adapter: &'a str,
}

/// What [`crate::Store::record_snapshot`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotOutcome {
    /// The snapshot now holding these bytes for this source (new or existing).
    pub snapshot_id: i64,
    /// The sha256 of the bytes, lowercase hex.
    pub sha256: String,
    /// False when this source already had a snapshot of identical bytes: nothing was written.
    pub new_snapshot: bool,
    /// Claims added; duplicates within the list count once.
    pub claims_inserted: u64,
}

/// A stored snapshot's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotRecord {
    /// Its id in the store.
    pub id: i64,
    /// The source it is a copy of.
    pub source_id: String,
    /// The sha256 of its bytes, lowercase hex.
    pub sha256: String,
    /// When the bytes were observed.
    pub observed_on: Date,
    /// The RFC 3339 instant of the fetch; `None` for an import.
    pub fetched_at: Option<String>,
    /// The URL fetched or the file imported.
    pub origin: String,
    /// Uncompressed size in bytes.
    pub size: u64,
    /// The HTTP status of the fetch.
    pub http_status: Option<u16>,
    /// The `ETag` response header.
    pub etag: Option<String>,
    /// The `Last-Modified` response header.
    pub last_modified: Option<String>,
}

/// One extraction of claims from a snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunRecord {
    /// Its id in the store; increasing.
    pub id: i64,
    /// The snapshot extracted.
    pub snapshot_id: i64,
    /// The snapshot's source.
    pub source_id: String,
    /// Rows the adapter saw.
    pub rows: u64,
    /// Claims the adapter extracted (before removing duplicates).
    pub claims: u64,
    /// What the adapter warned about.
    pub warnings: Vec<String>,
    /// The adapter's name and version.
    pub adapter: String,
    /// Claims stored for the run: `claims` less the repeats.
    pub stored_claims: u64,
    /// Whether the run holds every claim its extraction found. Runs written before schema 5
    /// by a re-extraction hold only the claims that were new to the snapshot, and add to the
    /// runs before them.
    pub complete: bool,
    /// Whether its claims count for the snapshot now: no later complete run replaced it.
    /// (A retracted snapshot's claims count for nothing; see [`crate::Store::retractions`].)
    pub current: bool,
}

/// A new extraction over a snapshot already stored, as when an adapter improves.
#[derive(Debug, Clone, Copy)]
pub struct NewExtraction<'a> {
    /// The stored snapshot.
    pub snapshot_id: i64,
    /// The claims extracted.
    pub claims: &'a [Claim],
    /// Rows the adapter saw.
    pub rows: u64,
    /// What the adapter warned about.
    pub warnings: &'a [String],
    /// The adapter's name and version.
    pub adapter: &'a str,
}

/// What [`crate::Store::record_extraction`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtractionOutcome {
    /// The run recorded, or the snapshot's current run when nothing changed.
    pub run_id: i64,
    /// Claims stored for the new run (every claim it extracted, repeats aside); 0 when no
    /// run was recorded.
    pub claims_inserted: u64,
    /// False when the extraction gave exactly the claims that count now: nothing written.
    pub new_run: bool,
}

/// A snapshot taken out of analysis, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetractionRecord {
    /// The snapshot retracted.
    pub snapshot_id: i64,
    /// The sha256 of its bytes, lowercase hex.
    pub sha256: String,
    /// Its source.
    pub source_id: String,
    /// When it was observed.
    pub observed_on: Date,
    /// Why it was retracted, as given.
    pub reason: String,
    /// When the retraction was recorded, from the caller's clock.
    pub recorded_on: Date,
}

/// A version of a story to publish.
#[derive(Debug, Clone, Copy)]
pub struct NewVersion<'a> {
    /// The story.
    pub story_id: &'a str,
    /// The RFC 3339 instant of publication, from the caller's clock.
    pub published_at: &'a str,
    /// The evidence date the version reflects.
    pub as_of: Date,
    /// The machine state later versions compare against; must be valid JSON.
    pub state_json: &'a str,
    /// Format name (`md`, `html`, `json`) and bytes, each format once.
    pub renderings: &'a [(&'a str, &'a [u8])],
}

/// A published version's metadata.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionRecord {
    /// The story.
    pub story_id: String,
    /// N in vN, from 1.
    pub version: u32,
    /// The RFC 3339 instant of publication.
    pub published_at: String,
    /// The evidence date it reflects.
    pub as_of: Date,
    /// Format name and sha256 (lowercase hex) of each rendering, in the order published.
    pub renderings: Vec<(String, String)>,
}
