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
//! // The same claims, compactly: strings held once, each claim a row of numbers.
//! let set = store.claim_set(None)?;
//! assert_eq!(set.record(0), stored[0]);
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
//!   extracted, each claim stored once per snapshot (the same subject, fact and locator is
//!   the same claim, whatever its date or evaluator). Claims never change and are never
//!   deleted: triggers abort any attempt.
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
//!
//! # Claims are kept in blocks
//!
//! The claims of one extraction run are stored as one row of `claim_blocks`: a compact binary
//! block (the format is described in `block.rs`) holding a table of the run's distinct strings
//! (benchmarks, variants, metrics, subject and model names, systems, settings, licenses), its
//! distinct subjects and settings maps, and then each claim as a few bytes of flags and
//! numbers referring to those tables, its value in hundredths when that is exact, and its
//! locator. Claim ids stay global, dense and increasing: a block holds the claims numbered
//! `first_claim_id` to `first_claim_id + claim_count - 1`, and a new block starts after the
//! largest id stored. Repeats are found in memory while the block is built, by comparing
//! table indices, and, for a new run over a stored snapshot, against the snapshot's blocks
//! decoded.
//!
//! Why: a claim as a SQLite row of 20 columns with a unique key cost some 280 bytes and 8 µs
//! to insert, and 3 µs to read back; even a narrow row with a unique index could not insert
//! much faster than 300,000 claims a second. A block costs SQLite one row per run, its claims
//! take about 35 bytes each, and [`Store::claim_set`] reads a million of them in a fraction of
//! a second. The trade-off: claims are no longer SQL rows. They cannot be queried, filtered or
//! counted by column with `sqlite3`; read them through [`Store::claims`] or
//! [`Store::claim_set`]. A block that does not decode is reported as [`StoreError::Corrupt`]
//! naming the database and the block.

mod blob;
mod block;
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
