//! One path for evidence: bytes of a source become a snapshot, an extraction run and claims,
//! whether they were fetched or imported from a saved file.

use anyhow::{Context, Result};
use gapwatch_fetch::decode_text;
use gapwatch_ingest::{
    ADAPTER_VERSION, ExtractOptions, Extraction, IngestError, SourceConfig, extract_with,
};
use gapwatch_model::Date;
use gapwatch_store::{NewSnapshot, SourceInfo, Store};
use serde::Serialize;

use crate::attention;

/// What importing one copy of a source did.
#[derive(Debug, Clone, Serialize)]
pub struct ImportOutcome {
    pub source: String,
    pub observed_on: Date,
    pub origin: String,
    pub snapshot_id: i64,
    pub sha256: String,
    pub new_snapshot: bool,
    pub rows: usize,
    pub claims_extracted: usize,
    pub claims_inserted: u64,
    pub warnings: Vec<String>,
    /// True when the extraction looks wrong (empty, far fewer rows than the last good
    /// snapshot, or no scores for a benchmark it gave scores for), now or, for bytes already
    /// stored, when they were first stored: the snapshot is kept, earlier claims stand, and a
    /// person should look.
    pub needs_attention: bool,
}

/// A copy of a source arriving for storage: fetched, or read from a saved file.
#[derive(Debug, Clone, Copy)]
pub struct Incoming<'a> {
    /// The bytes exactly as received; they are what the snapshot keeps.
    pub bytes: &'a [u8],
    /// The Content-Type header, when fetched (it may name the charset).
    pub content_type: Option<&'a str>,
    pub observed_on: Date,
    /// The URL fetched or the file read.
    pub origin: &'a str,
    pub fetched_at: Option<&'a str>,
    pub http_status: Option<u16>,
    pub etag: Option<&'a str>,
    pub last_modified: Option<&'a str>,
}

impl<'a> Incoming<'a> {
    /// A saved file: no HTTP metadata.
    pub fn file(bytes: &'a [u8], observed_on: Date, origin: &'a str) -> Self {
        Incoming {
            bytes,
            content_type: None,
            observed_on,
            origin,
            fetched_at: None,
            http_status: None,
            etag: None,
            last_modified: None,
        }
    }
}

/// Extracts claims from the bytes with the source's adapter and records the snapshot, the
/// run and the claims in one transaction. Text is decoded by the WHATWG rules (BOM, the
/// Content-Type charset, a `<meta charset>`) before extraction; the raw bytes are stored.
pub fn import_bytes(
    store: &mut Store,
    source: &SourceConfig,
    incoming: &Incoming<'_>,
) -> Result<ImportOutcome> {
    let extraction = extract_incoming(source, incoming)?;
    record_extraction(store, source, incoming, &extraction)
}

/// What the source's adapter extracts from the bytes, decoded by the WHATWG rules; nothing is
/// stored. [`record_extraction`] stores it.
pub fn extract_incoming(source: &SourceConfig, incoming: &Incoming<'_>) -> Result<Extraction> {
    let (text, _encoding) = decode_text(incoming.bytes, incoming.content_type);
    let options = ExtractOptions {
        file_name: file_name_of(incoming.origin),
    };
    extract_with(source, text.as_bytes(), &options).with_context(|| {
        // An article is refused whole when a quote is not in it: name the snapshot the bytes
        // would have been stored as.
        let snapshot = if source.format == gapwatch_ingest::Format::Article {
            format!(" (snapshot {})", &sha256_hex(incoming.bytes)[..12])
        } else {
            String::new()
        };
        format!(
            "source {}: cannot extract from {}{snapshot}",
            source.id, incoming.origin
        )
    })
}

/// The sha256 of bytes, lowercase hex, as the store keys snapshots.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::{Digest as _, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Records the bytes and what [`extract_incoming`] found in them, as [`import_bytes`] does.
pub fn record_extraction(
    store: &mut Store,
    source: &SourceConfig,
    incoming: &Incoming<'_>,
    extraction: &Extraction,
) -> Result<ImportOutcome> {
    let Incoming {
        bytes,
        observed_on,
        origin,
        ..
    } = *incoming;
    store.upsert_source(&source_info(source))?;
    let runs = store.runs(Some(&source.id))?;
    let rows = extraction.rows.len();
    let judgement = attention::judge(store, source, extraction, &runs)?;
    let mut warnings: Vec<String> = extraction.warnings.iter().map(|w| w.to_string()).collect();
    warnings.extend(judgement.warnings.iter().cloned());
    let outcome = store.record_snapshot(&NewSnapshot {
        source_id: &source.id,
        bytes,
        observed_on,
        fetched_at: incoming.fetched_at,
        origin,
        http_status: incoming.http_status,
        etag: incoming.etag,
        last_modified: incoming.last_modified,
        claims: &extraction.claims,
        rows: rows as u64,
        warnings: &warnings,
        adapter: ADAPTER_VERSION,
    })?;
    let needs_attention = if outcome.new_snapshot {
        judgement.suspect
    } else {
        // Bytes already stored: that snapshot's own judgement stands, so a page that stays
        // broken keeps needing attention and one back to a good copy no longer does.
        warnings.retain(|w| !w.ends_with(attention::SUSPECT_SUFFIX));
        match runs
            .iter()
            .rev()
            .find(|r| r.snapshot_id == outcome.snapshot_id)
        {
            Some(run) if attention::is_suspect(run) => {
                warnings.extend(
                    attention::suspect_warnings(run)
                        .into_iter()
                        .map(|w| format!("still as when first stored: {w}")),
                );
                true
            }
            Some(_) => false,
            None => judgement.suspect,
        }
    };
    Ok(ImportOutcome {
        source: source.id.clone(),
        observed_on,
        origin: origin.to_owned(),
        snapshot_id: outcome.snapshot_id,
        sha256: outcome.sha256,
        new_snapshot: outcome.new_snapshot,
        rows,
        claims_extracted: extraction.claims.len(),
        claims_inserted: outcome.claims_inserted,
        warnings,
        needs_attention,
    })
}

/// Like [`import_bytes`], but bytes the source's adapter cannot read at all (not valid JSON,
/// over the size limit) are kept too: stored as a snapshot with no rows and no claims, the
/// reason as its warning, and flagged for attention. A history is imported whole this way,
/// and the stored bytes can be extracted again once the source's entry reads them.
///
/// Other errors (an invalid source entry, a store that cannot be written) are returned.
pub fn import_keeping_unreadable(
    store: &mut Store,
    source: &SourceConfig,
    incoming: &Incoming<'_>,
) -> Result<ImportOutcome> {
    let err = match import_bytes(store, source, incoming) {
        Ok(outcome) => return Ok(outcome),
        Err(err) => err,
    };
    let Some(IngestError::Unreadable { message, .. }) = err.downcast_ref::<IngestError>() else {
        return Err(err);
    };
    let warnings = vec![format!(
        "not read as {}: {message}; no claims extracted",
        source.format.as_str()
    )];
    store.upsert_source(&source_info(source))?;
    let outcome = store.record_snapshot(&NewSnapshot {
        source_id: &source.id,
        bytes: incoming.bytes,
        observed_on: incoming.observed_on,
        fetched_at: incoming.fetched_at,
        origin: incoming.origin,
        http_status: incoming.http_status,
        etag: incoming.etag,
        last_modified: incoming.last_modified,
        claims: &[],
        rows: 0,
        warnings: &warnings,
        adapter: ADAPTER_VERSION,
    })?;
    Ok(ImportOutcome {
        source: source.id.clone(),
        observed_on: incoming.observed_on,
        origin: incoming.origin.to_owned(),
        snapshot_id: outcome.snapshot_id,
        sha256: outcome.sha256,
        new_snapshot: outcome.new_snapshot,
        rows: 0,
        claims_extracted: 0,
        claims_inserted: 0,
        warnings,
        needs_attention: true,
    })
}

/// What the store keeps about a configured source.
fn source_info(source: &SourceConfig) -> SourceInfo {
    SourceInfo {
        id: source.id.clone(),
        publisher: source.publisher.clone(),
        title: source.title.clone(),
        url: source.url.clone(),
        format: source.format.as_str().to_owned(),
    }
}

/// The file name in a path or URL (`…/table_2024_11_25.csv?raw=1` → `table_2024_11_25.csv`),
/// which `[[source.file_setting]]` rules may read.
pub fn file_name_of(origin: &str) -> Option<&str> {
    let path = origin.split(['?', '#']).next().unwrap_or(origin);
    path.rsplit(['/', '\\'])
        .next()
        .map(str::trim)
        .filter(|n| !n.is_empty())
}

impl ImportOutcome {
    /// One line for people.
    pub fn summary(&self) -> String {
        let snap = &self.sha256[..self.sha256.len().min(12)];
        if self.new_snapshot {
            format!(
                "{} {}: snapshot {snap} stored, {} rows, {} claims ({} new){}",
                self.source,
                self.observed_on,
                self.rows,
                self.claims_extracted,
                self.claims_inserted,
                match self.warnings.len() {
                    0 => String::new(),
                    1 => ", 1 warning".to_owned(),
                    n => format!(", {n} warnings"),
                }
            )
        } else {
            format!(
                "{} {}: identical to stored snapshot {snap}; nothing added",
                self.source, self.observed_on
            )
        }
    }
}
