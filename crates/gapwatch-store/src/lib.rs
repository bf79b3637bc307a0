//! The gapwatch claims store: one SQLite file of append-only evidence.
//!
//! ```
//! use gapwatch_model::{Claim, Evaluator, Fact, Score, Subject, Unit};
//! use gapwatch_store::{NewSnapshot, SourceInfo, Store};
//!
//! let mut store = Store::open_in_memory()?;
//! store.upsert_source(&SourceInfo {
//!     id: "mmlu-board".into(),
//!     publisher: "Example Lab".into(),
//!     title: "MMLU leaderboard".into(),
//!     url: "https://example.org/mmlu.csv".into(),
//!     format: "csv".into(),
//! })?;
//!
//! let claim = Claim {
//!     subject: Subject::model("GPT-4o"),
//!     fact: Fact::Score(Score {
//!         benchmark: "mmlu".into(),
//!         variant: String::new(),
//!         metric: "accuracy".into(),
//!         settings: Default::default(),
//!         value: 88.7,
//!         unit: Unit::Percent,
//!         uncertainty: None,
//!     }),
//!     reported_on: None,
//!     evaluator: Evaluator::SelfReported,
//!     locator: "row 1, column MMLU".into(),
//! };
//! let snapshot = NewSnapshot {
//!     source_id: "mmlu-board",
//!     bytes: b"model,MMLU\nGPT-4o,88.7\n",
//!     observed_on: "2025-06-05".parse()?,
//!     fetched_at: None,
//!     origin: "mmlu.csv",
//!     http_status: None,
//!     etag: None,
//!     last_modified: None,
//!     claims: std::slice::from_ref(&claim),
//!     rows: 1,
//!     warnings: &[],
//!     adapter: "csv 1",
//! };
//! let outcome = store.record_snapshot(&snapshot)?;
//! assert!(outcome.new_snapshot);
//! assert_eq!(outcome.claims_inserted, 1);
//!
//! // Every claim comes back with the snapshot it was extracted from.
//! let stored = store.claims(None)?;
//! assert_eq!(stored[0].claim, claim);
//! assert_eq!(stored[0].snapshot_sha256, outcome.sha256);
//! assert_eq!(store.snapshot_bytes(outcome.snapshot_id)?, snapshot.bytes);
//!
//! // The same bytes again change nothing.
//! assert!(!store.record_snapshot(&snapshot)?.new_snapshot);
//! assert_eq!(store.claim_count()?, 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! What it keeps:
//!
//! - **Snapshots**: each copy of a source's bytes, content-addressed by sha256 and
//!   deflate-compressed; identical bytes are stored once, and checked whenever read back.
//! - **Extraction runs and claims**: what an adapter saw in a snapshot and the claims it
//!   extracted, each claim stored once per snapshot (a natural key over subject, fact and
//!   locator). Claims never change and are never deleted: triggers abort any attempt.
//! - **The registry** as last synchronised, **story citations** (a source keeps its number
//!   forever within a story) and **published versions** with every rendering and its sha256.
//!
//! Every write is one transaction: a snapshot with its run and claims, a version with its
//! renderings. The database keeps a write-ahead log synced at checkpoints (`synchronous =
//! NORMAL`): a committed write survives gapwatch being killed; a power cut may lose the
//! latest writes, never corrupt the file, and an ingest can simply run again. Opening a file is careful: a file that is not a gapwatch database, or one
//! written by a newer gapwatch, is refused without a byte of it changing.
//!
//! The store knows no HTTP and parses no sources: it stores what it is given.

mod blob;
mod claims;
mod error;
mod fetch_log;
mod records;
mod registry;
mod schema;
mod store;
mod stories;

pub use error::StoreError;
pub use fetch_log::{FetchLogEntry, FetchOutcomeKind};
pub use records::{
    ExtractionOutcome, NewExtraction, NewSnapshot, NewVersion, RunRecord, SnapshotOutcome,
    SnapshotRecord, SourceInfo, SourceRecord, VersionRecord,
};
pub use schema::{APPLICATION_ID, SCHEMA_VERSION};
pub use store::Store;
