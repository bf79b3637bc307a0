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
//!   zlib-compressed as SQLite archives are (the shell's `sqlar_uncompress(data, size)` reads
//!   them); identical bytes are stored once, and checked whenever read back.
//! - **Extraction runs and claims**: what an adapter saw in a snapshot and the claims it
//!   extracted, a claim a row of `claims` (read them as text in the view `claims_v`). Within a
//!   run the same subject, fact and locator is the same claim, whatever its date or evaluator,
//!   and is stored once. A snapshot extracted again ([`Store::record_extraction`]) gets a new
//!   run that replaces the earlier ones for analysis; they stay. A snapshot can be retracted
//!   ([`Store::retract_snapshot`]), by a row of its own. Nothing of this is ever updated or
//!   deleted: triggers abort any attempt, and a source with evidence cannot be deleted.
//! - **Story citations** (a source keeps its number forever within a story) and **published
//!   versions** with every rendering and its sha256.
//! - **A cache of the registry** ([`Store::sync_registry`]): its models and benchmarks, and
//!   what each model name of the claims resolves to, for SQL; rebuilt from the registry
//!   files whenever they differ.
//!
//! Every write is one transaction: a snapshot with its run and claims, a version with its
//! renderings. The database keeps a write-ahead log synced at checkpoints (`synchronous =
//! NORMAL`): a committed write survives gapwatch being killed; a power cut may lose the
//! latest writes, never corrupt the file, and an ingest can simply run again. Opening a file
//! is careful: a file that is not a gapwatch database, or one written by a newer gapwatch, is
//! refused without a byte of it changing. [`Store::check`] verifies a database and says what
//! is damaged.
//!
//! The store knows no HTTP and parses no sources: it stores what it is given.
//!
//! # Claims are rows
//!
//! A claim is a narrow row of integers: its run, its subject (a row of `claim_subjects`), its
//! benchmark, variant, metric and license (rows of `claim_strings`), its settings (a row of
//! `claim_settings`), codes for its unit, access and evaluator, its date as a day number, a
//! REAL value and its locator. Each distinct string, subject and settings map is stored once.
//! Repeats are found in memory, by comparing those ids, before a run is written; a run's
//! claims have consecutive ids, and the run records how many it stored and which, so that
//! [`Store::check`] can tell when one is missing. Claim ids are global and increasing, and
//! never reused: digests cite them. [`Store::claim_set`] reads the claims that count into a
//! compact [`gapwatch_model::ClaimSet`].

mod blob;
mod cache;
mod check;
mod claims;
mod error;
mod fetch_log;
mod legacy;
mod migrate5;
mod records;
mod registry;
mod retractions;
mod schema;
mod store;
mod stories;

pub use check::CheckReport;
pub use error::StoreError;
pub use fetch_log::{FetchLogEntry, FetchOutcomeKind};
pub use records::{
    ExtractionOutcome, NewExtraction, NewSnapshot, NewVersion, RetractionRecord, RunRecord,
    SnapshotOutcome, SnapshotRecord, SourceInfo, SourceRecord, VersionRecord,
};
pub use schema::{APPLICATION_ID, SCHEMA_VERSION};
pub use store::Store;
