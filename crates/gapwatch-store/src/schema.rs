//! The database schema: numbered migrations, the checks made before a file is opened for
//! writing, and the connection pragmas.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::time::Duration;

use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};

use crate::StoreError;
use crate::error::{corrupt, sql};

/// The `PRAGMA application_id` of every gapwatch database: ASCII `gapw`.
pub const APPLICATION_ID: i32 = 0x6761_7077;

/// The schema version this build writes and the newest it can read (`PRAGMA user_version`).
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

/// How long a statement waits for another process's write lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Pages the write-ahead log grows to before a commit copies them into the database (SQLite's
/// default is 1,000): some 40 MB, so that a large import checkpoints, and syncs, a tenth as
/// often.
const WAL_AUTOCHECKPOINT_PAGES: i64 = 10_000;

/// The 16 bytes every SQLite database file starts with.
const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// Where the header keeps `PRAGMA user_version` and `PRAGMA application_id` (big-endian).
const USER_VERSION_OFFSET: usize = 60;
const APPLICATION_ID_OFFSET: usize = 68;

/// A step of a migration: SQL, or Rust where stored values must be transformed.
#[derive(Clone, Copy)]
enum Step {
    Sql(&'static str),
    /// Runs inside the migration's transaction; an error rolls back every step.
    Rust(fn(&Connection, &str) -> Result<(), StoreError>),
}

/// Migration `n` (from 1) takes the schema from version `n - 1` to `n`, running its steps in
/// order. Never edit a migration that has shipped; append a new one.
const MIGRATIONS: &[&[Step]] = &[
    // 1: evidence (sources, blobs, snapshots, extraction runs, claims), the registry, stories.
    &[Step::Sql(
        r#"
CREATE TABLE sources (
    id        TEXT PRIMARY KEY,
    publisher TEXT NOT NULL,
    title     TEXT NOT NULL,
    url       TEXT NOT NULL,
    format    TEXT NOT NULL
) STRICT;

-- Content-addressed bytes: snapshots and published renderings. `size` is uncompressed.
CREATE TABLE blobs (
    sha256      TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    size        INTEGER NOT NULL CHECK (size >= 0),
    compression TEXT NOT NULL CHECK (compression IN ('deflate')),
    data        BLOB NOT NULL
) STRICT;

CREATE TABLE snapshots (
    id            INTEGER PRIMARY KEY,
    source_id     TEXT NOT NULL REFERENCES sources (id),
    sha256        TEXT NOT NULL REFERENCES blobs (sha256),
    observed_on   TEXT NOT NULL,
    fetched_at    TEXT,
    origin        TEXT NOT NULL,
    http_status   INTEGER,
    etag          TEXT,
    last_modified TEXT,
    UNIQUE (source_id, sha256)
) STRICT;
CREATE INDEX snapshots_by_observed_on ON snapshots (observed_on, id);

CREATE TABLE extraction_runs (
    id          INTEGER PRIMARY KEY,
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    adapter     TEXT NOT NULL,
    rows        INTEGER NOT NULL CHECK (rows >= 0),
    claims      INTEGER NOT NULL CHECK (claims >= 0),
    warnings    TEXT NOT NULL -- JSON array of strings
) STRICT;
CREATE INDEX extraction_runs_by_snapshot ON extraction_runs (snapshot_id);

CREATE TABLE claims (
    id          INTEGER PRIMARY KEY,
    -- sha256 of the snapshot id and the canonical JSON of subject, fact and locator.
    natural_key BLOB NOT NULL UNIQUE CHECK (length(natural_key) = 32),
    source_id   TEXT NOT NULL REFERENCES sources (id),
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    run_id      INTEGER NOT NULL REFERENCES extraction_runs (id),
    kind        TEXT NOT NULL CHECK (kind IN ('score', 'access')),
    subject     TEXT NOT NULL,
    system      TEXT,
    models      TEXT NOT NULL, -- JSON array of strings
    benchmark   TEXT,
    variant     TEXT,
    metric      TEXT,
    settings    TEXT,          -- JSON object of strings
    value       REAL,
    unit        TEXT,
    uncertainty REAL,
    access      TEXT,
    license     TEXT,
    reported_on TEXT,
    evaluator   TEXT NOT NULL,
    locator     TEXT NOT NULL,
    CHECK (kind <> 'score' OR (benchmark IS NOT NULL AND variant IS NOT NULL
        AND metric IS NOT NULL AND settings IS NOT NULL AND value IS NOT NULL
        AND unit IS NOT NULL)),
    CHECK (kind <> 'access' OR access IS NOT NULL)
) STRICT;
CREATE INDEX claims_by_snapshot ON claims (snapshot_id);

CREATE TABLE registry_models (
    id           TEXT PRIMARY KEY,
    position     INTEGER NOT NULL,
    name         TEXT NOT NULL,
    organization TEXT NOT NULL,
    access       TEXT NOT NULL,
    license      TEXT,
    parameters_b REAL,
    released     TEXT,
    aliases      TEXT NOT NULL -- JSON array of strings
) STRICT;

CREATE TABLE registry_benchmarks (
    id               TEXT PRIMARY KEY,
    position         INTEGER NOT NULL,
    name             TEXT NOT NULL,
    metric           TEXT NOT NULL,
    unit             TEXT NOT NULL,
    higher_is_better INTEGER NOT NULL CHECK (higher_is_better IN (0, 1)),
    saturated        INTEGER NOT NULL CHECK (saturated IN (0, 1)),
    variants         TEXT NOT NULL, -- JSON array of strings
    aliases          TEXT NOT NULL  -- JSON array of strings
) STRICT;

CREATE TABLE story_citations (
    story_id  TEXT NOT NULL,
    source_id TEXT NOT NULL,
    number    INTEGER NOT NULL CHECK (number >= 1),
    PRIMARY KEY (story_id, source_id),
    UNIQUE (story_id, number)
) STRICT;

CREATE TABLE story_versions (
    story_id     TEXT NOT NULL,
    version      INTEGER NOT NULL CHECK (version >= 1),
    published_at TEXT NOT NULL,
    as_of        TEXT NOT NULL,
    state_json   TEXT NOT NULL,
    PRIMARY KEY (story_id, version)
) STRICT;

CREATE TABLE story_renderings (
    story_id TEXT NOT NULL,
    version  INTEGER NOT NULL,
    format   TEXT NOT NULL,
    sha256   TEXT NOT NULL REFERENCES blobs (sha256),
    PRIMARY KEY (story_id, version, format),
    FOREIGN KEY (story_id, version) REFERENCES story_versions (story_id, version)
) STRICT;

-- Versions are numbered 1, 2, 3 ... per story with no gaps, whoever writes them.
CREATE TRIGGER story_versions_are_consecutive BEFORE INSERT ON story_versions
WHEN NEW.version <> 1 + (SELECT coalesce(max(version), 0) FROM story_versions
                         WHERE story_id = NEW.story_id)
BEGIN
    SELECT RAISE(ABORT, 'story versions are numbered consecutively from 1');
END;

-- Evidence and published versions are append-only. (A REPLACE conflict clause deletes without
-- firing these unless recursive_triggers is on; the store never uses REPLACE on them.)
CREATE TRIGGER blobs_no_update BEFORE UPDATE ON blobs
BEGIN SELECT RAISE(ABORT, 'blobs are append-only'); END;
CREATE TRIGGER blobs_no_delete BEFORE DELETE ON blobs
BEGIN SELECT RAISE(ABORT, 'blobs are append-only'); END;
CREATE TRIGGER snapshots_no_update BEFORE UPDATE ON snapshots
BEGIN SELECT RAISE(ABORT, 'snapshots are append-only'); END;
CREATE TRIGGER snapshots_no_delete BEFORE DELETE ON snapshots
BEGIN SELECT RAISE(ABORT, 'snapshots are append-only'); END;
CREATE TRIGGER extraction_runs_no_update BEFORE UPDATE ON extraction_runs
BEGIN SELECT RAISE(ABORT, 'extraction runs are append-only'); END;
CREATE TRIGGER extraction_runs_no_delete BEFORE DELETE ON extraction_runs
BEGIN SELECT RAISE(ABORT, 'extraction runs are append-only'); END;
CREATE TRIGGER claims_no_update BEFORE UPDATE ON claims
BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;
CREATE TRIGGER claims_no_delete BEFORE DELETE ON claims
BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;
CREATE TRIGGER story_citations_no_update BEFORE UPDATE ON story_citations
BEGIN SELECT RAISE(ABORT, 'story citations are permanent'); END;
CREATE TRIGGER story_citations_no_delete BEFORE DELETE ON story_citations
BEGIN SELECT RAISE(ABORT, 'story citations are permanent'); END;
CREATE TRIGGER story_versions_no_update BEFORE UPDATE ON story_versions
BEGIN SELECT RAISE(ABORT, 'published versions are immutable'); END;
CREATE TRIGGER story_versions_no_delete BEFORE DELETE ON story_versions
BEGIN SELECT RAISE(ABORT, 'published versions are immutable'); END;
CREATE TRIGGER story_renderings_no_update BEFORE UPDATE ON story_renderings
BEGIN SELECT RAISE(ABORT, 'published versions are immutable'); END;
CREATE TRIGGER story_renderings_no_delete BEFORE DELETE ON story_renderings
BEGIN SELECT RAISE(ABORT, 'published versions are immutable'); END;
"#,
    )],
    // 2: the fetch log, one row per attempt to bring a source up to date, failed or not.
    &[Step::Sql(
        r#"
CREATE TABLE fetch_log (
    id              INTEGER PRIMARY KEY,
    source_id       TEXT NOT NULL,
    started_at      TEXT NOT NULL,
    outcome         TEXT NOT NULL
                    CHECK (outcome IN ('stored', 'unchanged', 'not-modified', 'attention', 'failed')),
    http_status     INTEGER,
    bytes           INTEGER,
    rows            INTEGER,
    claims_inserted INTEGER,
    warnings        TEXT NOT NULL DEFAULT '[]',
    message         TEXT,
    duration_ms     INTEGER NOT NULL CHECK (duration_ms >= 0),
    snapshot_id     INTEGER REFERENCES snapshots (id)
) STRICT;
CREATE INDEX fetch_log_by_source ON fetch_log (source_id, id);
CREATE TRIGGER fetch_log_no_update BEFORE UPDATE ON fetch_log
BEGIN SELECT RAISE(ABORT, 'the fetch log is append-only'); END;
CREATE TRIGGER fetch_log_no_delete BEFORE DELETE ON fetch_log
BEGIN SELECT RAISE(ABORT, 'the fetch log is append-only'); END;
"#,
    )],
    // 3: claims are unique by natural key within their snapshot, in an index ordered by
    // snapshot: a new snapshot's claims then land together at the end of the index instead of
    // on a random page each (the key is a hash), which made large inserts write most of the
    // index again. The key already hashes the snapshot id, so the rule is the same. The table
    // is rebuilt because a column's UNIQUE constraint cannot be dropped; the snapshot index
    // goes, the new one leads with the snapshot id. The fetch log's index goes too: its one
    // query (all rows, or one source's) cannot use it, and every append paid for it.
    &[Step::Sql(
        r#"
DROP INDEX fetch_log_by_source;
DROP TRIGGER claims_no_update;
DROP TRIGGER claims_no_delete;
CREATE TABLE claims_v3 (
    id          INTEGER PRIMARY KEY,
    -- sha256 of the snapshot id and the canonical JSON of subject, fact and locator.
    natural_key BLOB NOT NULL CHECK (length(natural_key) = 32),
    source_id   TEXT NOT NULL REFERENCES sources (id),
    snapshot_id INTEGER NOT NULL REFERENCES snapshots (id),
    run_id      INTEGER NOT NULL REFERENCES extraction_runs (id),
    kind        TEXT NOT NULL CHECK (kind IN ('score', 'access')),
    subject     TEXT NOT NULL,
    system      TEXT,
    models      TEXT NOT NULL, -- JSON array of strings
    benchmark   TEXT,
    variant     TEXT,
    metric      TEXT,
    settings    TEXT,          -- JSON object of strings
    value       REAL,
    unit        TEXT,
    uncertainty REAL,
    access      TEXT,
    license     TEXT,
    reported_on TEXT,
    evaluator   TEXT NOT NULL,
    locator     TEXT NOT NULL,
    CHECK (kind <> 'score' OR (benchmark IS NOT NULL AND variant IS NOT NULL
        AND metric IS NOT NULL AND settings IS NOT NULL AND value IS NOT NULL
        AND unit IS NOT NULL)),
    CHECK (kind <> 'access' OR access IS NOT NULL),
    UNIQUE (snapshot_id, natural_key)
) STRICT;
INSERT INTO claims_v3 SELECT * FROM claims ORDER BY id;
DROP TABLE claims;
ALTER TABLE claims_v3 RENAME TO claims;
CREATE TRIGGER claims_no_update BEFORE UPDATE ON claims
BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;
CREATE TRIGGER claims_no_delete BEFORE DELETE ON claims
BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;
"#,
    )],
    // 4: claims are kept in blocks, one row per extraction run holding its claims in a compact
    // binary encoding (`legacy.rs`), instead of a row of 20 columns and a key per claim.
    //
    // As shipped, this migration also converted the claim rows of schema 3 into blocks. Since
    // migration 5 turns blocks back into rows, and this build always applies 4 and 5 in one
    // transaction (no database is ever left at version 4 by it), the rows of schema 3 are now
    // kept aside as `schema3_claims` and converted by migration 5 directly: a database at
    // version 3 ends at version 5 with the same claims, ids and runs either way.
    &[
        Step::Sql(CLAIM_BLOCKS),
        Step::Sql(
            "DROP TRIGGER claims_no_update;
             DROP TRIGGER claims_no_delete;
             ALTER TABLE claims RENAME TO schema3_claims;",
        ),
    ],
    // 5: claims are rows again, normalized: strings, subjects and settings held once in tables
    // of their own, a claim a row of integers, a REAL value and its locator; `claims_v` reads
    // them as text. Extraction runs record how many claims they stored and which, and whether
    // they replace the snapshot's earlier runs. Blobs are compressed with zlib as SQLite's
    // archives are (`sqlar_uncompress`). Snapshots can be retracted. Sources with evidence
    // cannot be deleted. The registry tables become a cache with a fingerprint, and model
    // names in claims are resolved into `model_names`.
    &[
        Step::Sql(SCHEMA_5_BEFORE),
        Step::Rust(crate::migrate5::run),
        Step::Sql(SCHEMA_5_AFTER),
    ],
];

/// The table of migration 4. A block holds the claims of one extraction run with ids
/// `first_claim_id` to `first_claim_id + claim_count - 1`; ids are global and dense.
const CLAIM_BLOCKS: &str = r#"
CREATE TABLE claim_blocks (
    id             INTEGER PRIMARY KEY,
    snapshot_id    INTEGER NOT NULL REFERENCES snapshots (id),
    run_id         INTEGER NOT NULL REFERENCES extraction_runs (id),
    source_id      TEXT NOT NULL REFERENCES sources (id),
    first_claim_id INTEGER NOT NULL UNIQUE CHECK (first_claim_id >= 1),
    claim_count    INTEGER NOT NULL CHECK (claim_count > 0),
    body           BLOB NOT NULL -- the claims, encoded as described in block.rs
) STRICT;
CREATE INDEX claim_blocks_by_snapshot ON claim_blocks (snapshot_id);
CREATE TRIGGER claim_blocks_no_update BEFORE UPDATE ON claim_blocks
BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;
CREATE TRIGGER claim_blocks_no_delete BEFORE DELETE ON claim_blocks
BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;
"#;

/// Migration 5, before its Rust step (`migrate5.rs`): the new tables, empty.
const SCHEMA_5_BEFORE: &str = r#"
-- Bytes as SQLite archives keep them: zlib-compressed when that is smaller, as they are
-- otherwise; `sqlar_uncompress(data, size)` returns the bytes either way.
CREATE TABLE blobs_v5 (
    sha256      TEXT PRIMARY KEY CHECK (length(sha256) = 64),
    size        INTEGER NOT NULL CHECK (size >= 0),
    compression TEXT NOT NULL CHECK (compression IN ('zlib', 'none')),
    data        BLOB NOT NULL,
    CHECK (compression = 'zlib' AND length(data) < size
        OR compression = 'none' AND length(data) = size)
) STRICT;

-- Every string of a claim but its locator, held once: benchmarks, variants, metrics, names
-- of subjects, systems and models, licenses.
CREATE TABLE claim_strings (
    id   INTEGER PRIMARY KEY,
    text TEXT NOT NULL UNIQUE
) STRICT;

-- What claims are about, each held once (the store keeps them distinct).
CREATE TABLE claim_subjects (
    id     INTEGER PRIMARY KEY,
    name   INTEGER NOT NULL REFERENCES claim_strings (id),
    system INTEGER REFERENCES claim_strings (id), -- NULL: a plain model, not a system
    models TEXT NOT NULL                          -- JSON array of names as the source wrote them
) STRICT;

-- Settings that make a result distinct, each map held once.
CREATE TABLE claim_settings (
    id       INTEGER PRIMARY KEY,
    settings TEXT NOT NULL UNIQUE -- JSON object of strings, keys in order
) STRICT;

-- One row per claim. A score has a benchmark, variant, metric, settings, value and unit; an
-- access claim has an access and maybe a license. Codes: unit 0 percent, 1 elo, 2 score;
-- access 0 open-weights, 1 closed, 2 limited, 3 unknown; evaluator 0 third-party,
-- 1 self-reported, 2 unknown, 3 competitor-reported. reported_on counts days from 1970-01-01.
-- The ids of interned rows are not declared as foreign keys (checking seven of them cost a
-- third of an insert); `gapwatch check` reads every claim and reports one that refers to a
-- missing row. Read claims as text through claims_v.
CREATE TABLE claims (
    id           INTEGER PRIMARY KEY,
    run_id       INTEGER NOT NULL REFERENCES extraction_runs (id),
    subject_id   INTEGER NOT NULL,
    benchmark_id INTEGER,
    variant_id   INTEGER,
    metric_id    INTEGER,
    settings_id  INTEGER,
    value        REAL,
    unit         INTEGER CHECK (unit BETWEEN 0 AND 2),
    uncertainty  REAL CHECK (uncertainty >= 0),
    access       INTEGER CHECK (access BETWEEN 0 AND 3),
    license_id   INTEGER,
    reported_on  INTEGER,
    evaluator    INTEGER NOT NULL CHECK (evaluator BETWEEN 0 AND 3),
    locator      TEXT NOT NULL,
    CHECK (benchmark_id IS NOT NULL AND variant_id IS NOT NULL AND metric_id IS NOT NULL
            AND settings_id IS NOT NULL AND value IS NOT NULL AND unit IS NOT NULL
            AND access IS NULL AND license_id IS NULL
        OR benchmark_id IS NULL AND variant_id IS NULL AND metric_id IS NULL
            AND settings_id IS NULL AND value IS NULL AND unit IS NULL
            AND uncertainty IS NULL AND access IS NOT NULL)
) STRICT;

-- A derived copy of each run's claims packed for fast loading (cache.rs): written with the
-- rows, used for a run only when it covers what the run recorded, compared with the rows by
-- `gapwatch check` and rebuilt from them by `gapwatch check --rebuild-cache`. Not evidence:
-- it may be deleted.
CREATE TABLE claims_cache (
    run_id         INTEGER PRIMARY KEY REFERENCES extraction_runs (id),
    first_claim_id INTEGER NOT NULL,
    last_claim_id  INTEGER NOT NULL,
    claims         INTEGER NOT NULL,
    body           BLOB NOT NULL
) STRICT;

-- What each run stored: `stored_claims` claims with ids from `first_claim_id` to
-- `last_claim_id`. A 'complete' run holds every claim its extraction found and replaces the
-- snapshot's earlier runs for analysis; an 'additions' run (written by schema 4 and before,
-- when a re-extraction stored only claims new to the snapshot) adds to the runs before it.
ALTER TABLE extraction_runs ADD COLUMN scope TEXT NOT NULL DEFAULT 'complete'
    CHECK (scope IN ('complete', 'additions'));
ALTER TABLE extraction_runs ADD COLUMN stored_claims INTEGER NOT NULL DEFAULT 0
    CHECK (stored_claims >= 0);
ALTER TABLE extraction_runs ADD COLUMN first_claim_id INTEGER;
ALTER TABLE extraction_runs ADD COLUMN last_claim_id INTEGER;
DROP TRIGGER extraction_runs_no_update;
"#;

/// Migration 5, after its Rust step: the old tables go, protections and views come.
const SCHEMA_5_AFTER: &str = r#"
DROP TABLE claim_blocks;
DROP TABLE IF EXISTS schema3_claims;
DROP TABLE blobs;
ALTER TABLE blobs_v5 RENAME TO blobs;

CREATE TRIGGER blobs_no_update BEFORE UPDATE ON blobs
BEGIN SELECT RAISE(ABORT, 'blobs are append-only'); END;
CREATE TRIGGER blobs_no_delete BEFORE DELETE ON blobs
BEGIN SELECT RAISE(ABORT, 'blobs are append-only'); END;
CREATE TRIGGER extraction_runs_no_update BEFORE UPDATE ON extraction_runs
BEGIN SELECT RAISE(ABORT, 'extraction runs are append-only'); END;
CREATE TRIGGER claims_no_update BEFORE UPDATE ON claims
BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;
CREATE TRIGGER claims_no_delete BEFORE DELETE ON claims
BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;
CREATE TRIGGER claim_strings_no_update BEFORE UPDATE ON claim_strings
BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;
CREATE TRIGGER claim_strings_no_delete BEFORE DELETE ON claim_strings
BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;
CREATE TRIGGER claim_subjects_no_update BEFORE UPDATE ON claim_subjects
BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;
CREATE TRIGGER claim_subjects_no_delete BEFORE DELETE ON claim_subjects
BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;
CREATE TRIGGER claim_settings_no_update BEFORE UPDATE ON claim_settings
BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;
CREATE TRIGGER claim_settings_no_delete BEFORE DELETE ON claim_settings
BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;

-- A source keeps its id while evidence or a story refers to it, whether or not the
-- connection enforces foreign keys (the sqlite3 shell does not by default).
CREATE TRIGGER sources_no_delete_with_evidence BEFORE DELETE ON sources
WHEN EXISTS (SELECT 1 FROM snapshots WHERE source_id = OLD.id)
    OR EXISTS (SELECT 1 FROM story_citations WHERE source_id = OLD.id)
BEGIN SELECT RAISE(ABORT, 'a source with stored snapshots or citations cannot be deleted'); END;
CREATE TRIGGER sources_keep_id_with_evidence BEFORE UPDATE OF id ON sources
WHEN NEW.id IS NOT OLD.id AND (EXISTS (SELECT 1 FROM snapshots WHERE source_id = OLD.id)
    OR EXISTS (SELECT 1 FROM story_citations WHERE source_id = OLD.id))
BEGIN SELECT RAISE(ABORT, 'a source with stored snapshots or citations keeps its id'); END;

-- A snapshot taken out of analysis, with the reason; a new row, never a deletion.
CREATE TABLE retractions (
    id          INTEGER PRIMARY KEY,
    snapshot_id INTEGER NOT NULL UNIQUE REFERENCES snapshots (id),
    reason      TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    recorded_on TEXT NOT NULL
) STRICT;
CREATE TRIGGER retractions_no_update BEFORE UPDATE ON retractions
BEGIN SELECT RAISE(ABORT, 'retractions are permanent'); END;
CREATE TRIGGER retractions_no_delete BEFORE DELETE ON retractions
BEGIN SELECT RAISE(ABORT, 'retractions are permanent'); END;

-- The registry tables are a cache of the registry files, rewritten whenever gapwatch loads a
-- registry whose fingerprint differs; they may be deleted and are rebuilt. `model_names`
-- resolves every model name of the stored claims, for joining claims to registry_models.
CREATE TABLE registry_state (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    subjects    INTEGER NOT NULL -- claim subjects up to this id have their names resolved
) STRICT;
CREATE TABLE model_names (
    name     TEXT PRIMARY KEY,
    model_id TEXT -- NULL when the registry does not know the name
) STRICT;

-- Claims as text, with where they came from. `current` is 1 when the claim counts for
-- analysis: its run is the snapshot's current one (no later complete run) and the snapshot
-- is not retracted.
CREATE VIEW claims_v AS
SELECT
    c.id AS claim_id,
    s.source_id AS source,
    s.observed_on AS observed_on,
    s.sha256 AS snapshot_sha256,
    sn.text AS subject,
    sy.text AS system,
    su.models AS models,
    CASE WHEN c.benchmark_id IS NULL THEN 'access' ELSE 'score' END AS kind,
    b.text AS benchmark,
    v.text AS variant,
    m.text AS metric,
    st.settings AS settings,
    c.value AS value,
    CASE c.unit WHEN 0 THEN 'percent' WHEN 1 THEN 'elo' WHEN 2 THEN 'score' END AS unit,
    c.uncertainty AS uncertainty,
    CASE c.access WHEN 0 THEN 'open-weights' WHEN 1 THEN 'closed' WHEN 2 THEN 'limited'
        WHEN 3 THEN 'unknown' END AS access,
    l.text AS license,
    date(c.reported_on * 86400, 'unixepoch') AS reported_on,
    CASE c.evaluator WHEN 0 THEN 'third-party' WHEN 1 THEN 'self-reported'
        WHEN 2 THEN 'unknown' WHEN 3 THEN 'competitor-reported' END AS evaluator,
    c.locator AS locator,
    c.run_id AS run_id,
    r.adapter AS adapter,
    s.id AS snapshot_id,
    (NOT EXISTS (SELECT 1 FROM extraction_runs n
                 WHERE n.snapshot_id = r.snapshot_id AND n.id > r.id AND n.scope = 'complete')
     AND NOT EXISTS (SELECT 1 FROM retractions x WHERE x.snapshot_id = r.snapshot_id))
        AS current
FROM claims c
JOIN extraction_runs r ON r.id = c.run_id
JOIN snapshots s ON s.id = r.snapshot_id
JOIN claim_subjects su ON su.id = c.subject_id
JOIN claim_strings sn ON sn.id = su.name
LEFT JOIN claim_strings sy ON sy.id = su.system
LEFT JOIN claim_strings b ON b.id = c.benchmark_id
LEFT JOIN claim_strings v ON v.id = c.variant_id
LEFT JOIN claim_strings m ON m.id = c.metric_id
LEFT JOIN claim_settings st ON st.id = c.settings_id
LEFT JOIN claim_strings l ON l.id = c.license_id;
"#;

/// Refuses, without writing anything, a non-empty file that is not a gapwatch database this
/// build can use. A missing or empty file, or an empty SQLite database, passes: it will be
/// initialised.
///
/// Opening read-write is not harmless (setting WAL rewrites the header), so the identity is
/// read from the header bytes directly. Only a database without an application id needs a
/// (read-only) connection, to see whether it holds anything.
pub(crate) fn inspect(path: &Path) -> Result<(), StoreError> {
    let io_error = |source| StoreError::Io {
        path: path.to_owned(),
        source,
    };
    let mut file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io_error(e)),
    };
    let mut header = Vec::with_capacity(100);
    (&mut file)
        .take(100)
        .read_to_end(&mut header)
        .map_err(io_error)?;
    drop(file);
    if header.is_empty() {
        return Ok(());
    }
    if header.len() < 100 || !header.starts_with(SQLITE_MAGIC) {
        return Err(StoreError::NotSqlite {
            path: path.to_owned(),
        });
    }
    let header_int = |at: usize| {
        i32::from_be_bytes([header[at], header[at + 1], header[at + 2], header[at + 3]])
    };
    let user_version = i64::from(header_int(USER_VERSION_OFFSET));
    let application_id = header_int(APPLICATION_ID_OFFSET);
    if application_id != 0 {
        // The migration re-reads both under the write lock, through any write-ahead log.
        return check_identity(path, application_id, user_version, 1, SCHEMA_VERSION);
    }
    let db = path.display().to_string();
    let action = "inspect the database";
    let unreadable = |e: rusqlite::Error| match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase | ErrorCode::DatabaseCorrupt) => StoreError::NotSqlite {
            path: path.to_owned(),
        },
        _ => sql(&db, action)(e),
    };
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(unreadable)?;
    conn.busy_timeout(BUSY_TIMEOUT).map_err(unreadable)?;
    let application_id: i32 = conn
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(unreadable)?;
    let user_version: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(unreadable)?;
    let objects: i64 = conn
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .map_err(unreadable)?;
    drop(conn);
    check_identity(path, application_id, user_version, objects, SCHEMA_VERSION)
}

/// Decides from a database's identity whether this build may open it.
fn check_identity(
    path: &Path,
    application_id: i32,
    user_version: i64,
    objects: i64,
    supported: u32,
) -> Result<(), StoreError> {
    if application_id == APPLICATION_ID {
        if user_version > i64::from(supported) || user_version < 0 {
            return Err(StoreError::SchemaTooNew {
                path: path.to_owned(),
                found: user_version,
                supported,
            });
        }
        return Ok(());
    }
    // An empty database without an application id is a blank slate, not someone else's data.
    if application_id == 0 && objects == 0 && user_version == 0 {
        return Ok(());
    }
    Err(StoreError::ForeignDatabase {
        path: path.to_owned(),
        application_id,
    })
}

/// Sets the connection pragmas. They must be set outside any transaction, where
/// `foreign_keys` and `journal_mode` would be ignored or refused.
pub(crate) fn configure(conn: &Connection, db: &str) -> Result<(), StoreError> {
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(sql(db, "set the busy timeout"))?;
    conn.pragma_update(None, "foreign_keys", true)
        .map_err(sql(db, "enable foreign keys"))?;
    // In-memory databases answer "memory"; that is fine.
    let _mode: String = conn
        .pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get(0))
        .map_err(sql(db, "switch to write-ahead logging"))?;
    // With a write-ahead log, NORMAL syncs at checkpoints rather than at every commit: a commit
    // survives gapwatch being killed, and a power cut can lose the latest commits but never
    // corrupts the file. Every write gapwatch makes can be made again (ingest is idempotent).
    conn.pragma_update(None, "synchronous", "NORMAL")
        .map_err(sql(db, "set the sync mode"))?;
    // The page cache keeps SQLite's default size: a run's claims are one row, so there are no
    // large claim indexes to keep in memory, and a larger cache only made allocation slower.
    conn.pragma_update(None, "wal_autocheckpoint", WAL_AUTOCHECKPOINT_PAGES)
        .map_err(sql(db, "set the checkpoint interval"))?;
    Ok(())
}

/// Brings the schema up to [`SCHEMA_VERSION`].
pub(crate) fn migrate(conn: &mut Connection, path: &Path, db: &str) -> Result<(), StoreError> {
    apply_migrations(conn, MIGRATIONS, path, db)
}

/// Applies the migrations the database lacks, all in one transaction together with the new
/// `user_version` and `application_id`: a failure leaves the previous schema intact.
///
/// Foreign keys are not enforced while migrations rebuild tables (SQLite's procedure for
/// changing a table: a table others refer to cannot otherwise be dropped and replaced); every
/// reference is checked with `PRAGMA foreign_key_check` before the transaction commits.
fn apply_migrations(
    conn: &mut Connection,
    migrations: &[&[Step]],
    path: &Path,
    db: &str,
) -> Result<(), StoreError> {
    let enforced: bool = conn
        .pragma_query_value(None, "foreign_keys", |r| r.get(0))
        .map_err(sql(db, "read the foreign key setting"))?;
    if enforced {
        conn.pragma_update(None, "foreign_keys", false)
            .map_err(sql(db, "pause foreign keys for a migration"))?;
    }
    let result = apply_migrations_unchecked(conn, migrations, path, db);
    if enforced {
        conn.pragma_update(None, "foreign_keys", true)
            .map_err(sql(db, "enable foreign keys"))?;
    }
    result
}

fn apply_migrations_unchecked(
    conn: &mut Connection,
    migrations: &[&[Step]],
    path: &Path,
    db: &str,
) -> Result<(), StoreError> {
    let target = migrations.len() as u32;
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(sql(db, "begin a schema migration"))?;
    let application_id: i32 = tx
        .pragma_query_value(None, "application_id", |r| r.get(0))
        .map_err(sql(db, "read the application id"))?;
    let current: i64 = tx
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(sql(db, "read the schema version"))?;
    let objects: i64 = tx
        .query_row("SELECT count(*) FROM sqlite_schema", [], |r| r.get(0))
        .map_err(sql(db, "read the schema"))?;
    // Checked again under the write lock, in case another process changed the file since.
    check_identity(path, application_id, current, objects, target)?;
    if current == i64::from(target) && application_id == APPLICATION_ID {
        return Ok(());
    }
    for (index, steps) in migrations.iter().enumerate().skip(current as usize) {
        let version = index as u32 + 1;
        for step in *steps {
            match step {
                Step::Sql(batch) => {
                    tx.execute_batch(batch)
                        .map_err(|source| StoreError::Migration {
                            db: db.to_owned(),
                            version,
                            source,
                        })?;
                }
                Step::Rust(run) => run(&tx, db)?,
            }
        }
    }
    let broken: Option<(String, i64, String)> = tx
        .query_row("PRAGMA foreign_key_check", [], |r| {
            Ok((
                r.get(0)?,
                r.get::<_, Option<i64>>(1)?.unwrap_or(0),
                r.get(2)?,
            ))
        })
        .optional()
        .map_err(sql(db, "check references after a migration"))?;
    if let Some((table, row, parent)) = broken {
        return Err(corrupt(
            db,
            format!(
                "cannot apply schema migration {target}: row {row} of {table} refers to a missing row of {parent}"
            ),
        ));
    }
    tx.pragma_update(None, "application_id", APPLICATION_ID)
        .map_err(sql(db, "set the application id"))?;
    tx.pragma_update(None, "user_version", target)
        .map_err(sql(db, "set the schema version"))?;
    tx.commit().map_err(sql(db, "commit a schema migration"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pragma(conn: &Connection, name: &str) -> i64 {
        conn.pragma_query_value(None, name, |r| r.get(0)).unwrap()
    }

    fn tables(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn migrations_set_version_and_application_id() {
        let mut conn = Connection::open_in_memory().unwrap();
        migrate(&mut conn, Path::new(":memory:"), ":memory:").unwrap();
        assert_eq!(pragma(&conn, "user_version"), i64::from(SCHEMA_VERSION));
        assert_eq!(pragma(&conn, "application_id"), i64::from(APPLICATION_ID));
        let names = tables(&conn);
        for gone in ["claim_blocks", "schema3_claims", "blobs_v5"] {
            assert!(!names.iter().any(|n| n == gone), "{names:?}");
        }
        for table in [
            "blobs",
            "claim_settings",
            "claim_strings",
            "claim_subjects",
            "claims",
            "extraction_runs",
            "model_names",
            "registry_benchmarks",
            "registry_models",
            "registry_state",
            "retractions",
            "snapshots",
            "sources",
            "story_citations",
            "story_renderings",
            "story_versions",
        ] {
            assert!(
                names.iter().any(|n| n == table),
                "{table} missing: {names:?}"
            );
        }
        // Running again is a no-op, not a failure on existing tables.
        migrate(&mut conn, Path::new(":memory:"), ":memory:").unwrap();
        assert_eq!(pragma(&conn, "user_version"), i64::from(SCHEMA_VERSION));
    }

    #[test]
    fn claims_written_before_version_3_keep_their_ids_and_rules() {
        let mut conn = Connection::open_in_memory().unwrap();
        apply_migrations(&mut conn, &MIGRATIONS[..2], Path::new(":memory:"), "m").unwrap();
        let key = [7u8; 32];
        let insert_claim = "INSERT INTO claims (natural_key, source_id, snapshot_id, run_id,
                kind, subject, models, benchmark, variant, metric, settings, value, unit,
                evaluator, locator)
            VALUES (?1, 's', 1, 1, 'score', 'A', '[\"A\"]', 'mmlu', '', 'accuracy', '{}',
                88.5, 'percent', 'third-party', 'row 1')
            ON CONFLICT DO NOTHING";
        conn.execute_batch(&format!(
            "INSERT INTO sources VALUES ('s', 'p', 't', 'u', 'csv');
             INSERT INTO blobs VALUES ('{0}', 1, 'deflate', x'00');
             INSERT INTO snapshots (id, source_id, sha256, observed_on, origin)
                 VALUES (1, 's', '{0}', '2025-01-01', 'x');
             INSERT INTO extraction_runs VALUES (1, 1, 'csv 1', 1, 1, '[]');
             INSERT INTO fetch_log (source_id, started_at, outcome, duration_ms)
                 VALUES ('s', '2025-01-01T00:00:00Z', 'stored', 5);",
            "a".repeat(64)
        ))
        .unwrap();
        assert_eq!(conn.execute(insert_claim, [key.as_slice()]).unwrap(), 1);
        let id: i64 = conn.last_insert_rowid();

        apply_migrations(&mut conn, &MIGRATIONS[..3], Path::new(":memory:"), "m").unwrap();
        assert_eq!(pragma(&conn, "user_version"), 3);
        let kept: (i64, Vec<u8>, f64) = conn
            .query_row("SELECT id, natural_key, value FROM claims", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .unwrap();
        assert_eq!(kept, (id, key.to_vec(), 88.5));
        // The same claim of the same snapshot is still a repeat.
        assert_eq!(conn.execute(insert_claim, [key.as_slice()]).unwrap(), 0);
        // Claims are still append-only.
        let err = conn.execute("UPDATE claims SET value = 1", []).unwrap_err();
        assert!(err.to_string().contains("claims are append-only"), "{err}");
        let err = conn.execute("DELETE FROM claims", []).unwrap_err();
        assert!(err.to_string().contains("claims are append-only"), "{err}");
        // And they still refer to a snapshot that exists.
        conn.pragma_update(None, "foreign_keys", true).unwrap();
        let orphan = conn
            .execute(
                &insert_claim.replace("'s', 1, 1", "'s', 99, 1"),
                [[8u8; 32].as_slice()],
            )
            .unwrap_err();
        assert!(orphan.to_string().contains("FOREIGN KEY"), "{orphan}");
        let indexes: Vec<String> = conn
            .prepare("SELECT name FROM sqlite_schema WHERE type = 'index' ORDER BY name")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert!(
            !indexes.iter().any(|i| i == "fetch_log_by_source"),
            "{indexes:?}"
        );
        assert!(
            !indexes.iter().any(|i| i == "claims_by_snapshot"),
            "{indexes:?}"
        );
    }

    #[test]
    fn migrations_apply_in_order_from_the_current_version() {
        let mut conn = Connection::open_in_memory().unwrap();
        let first: [&[Step]; 1] = [&[Step::Sql("CREATE TABLE a (x INTEGER) STRICT;")]];
        apply_migrations(&mut conn, &first, Path::new(":memory:"), "m").unwrap();
        assert_eq!(pragma(&conn, "user_version"), 1);
        let both: [&[Step]; 2] = [
            first[0],
            &[
                Step::Sql("ALTER TABLE a ADD COLUMN y TEXT;"),
                Step::Rust(|conn, _| {
                    conn.execute_batch("CREATE TABLE b (z TEXT);")
                        .map_err(sql("m", "create b"))
                }),
            ],
        ];
        apply_migrations(&mut conn, &both, Path::new(":memory:"), "m").unwrap();
        assert_eq!(pragma(&conn, "user_version"), 2);
        assert_eq!(tables(&conn), ["a", "b"]);
    }

    #[test]
    fn a_failing_migration_leaves_the_previous_schema() {
        let mut conn = Connection::open_in_memory().unwrap();
        let first: [&[Step]; 1] = [&[Step::Sql("CREATE TABLE a (x INTEGER) STRICT;")]];
        apply_migrations(&mut conn, &first, Path::new(":memory:"), "m").unwrap();
        let broken: [&[Step]; 3] = [
            first[0],
            &[Step::Sql("CREATE TABLE b (z TEXT);")],
            &[Step::Sql("CREATE TABLE c (z TEXT); THIS IS NOT SQL;")],
        ];
        let err = apply_migrations(&mut conn, &broken, Path::new(":memory:"), "m").unwrap_err();
        assert!(
            matches!(err, StoreError::Migration { version: 3, .. }),
            "{err:?}"
        );
        assert_eq!(err.to_string(), "m: cannot apply schema migration 3");
        // Migration 2 succeeded on its own but was rolled back with 3.
        assert_eq!(tables(&conn), ["a"]);
        assert_eq!(pragma(&conn, "user_version"), 1);
    }

    /// A file database at schema version 3, as the previous gapwatch left it: claims as rows.
    mod schema_3 {
        use super::*;
        use crate::{NewExtraction, NewSnapshot, Store};
        use gapwatch_model::{
            Access, Claim, ClaimRecord, Date, Evaluator, Fact, Score, Settings, Subject, Unit,
        };

        fn date(s: &str) -> Date {
            s.parse().unwrap()
        }

        /// Writes a claim row as the store of schema 3 did (the key is not read back).
        fn insert_row(conn: &Connection, id: i64, (snapshot, run): (i64, i64), claim: &Claim) {
            let source = if snapshot == 2 { "b" } else { "a" };
            let (kind, score, access, license) = match &claim.fact {
                Fact::Score(s) => ("score", Some(s), None, None),
                Fact::Access { access, license } => {
                    ("access", None, Some(access.as_str()), license.as_deref())
                }
            };
            conn.execute(
                "INSERT INTO claims (id, natural_key, source_id, snapshot_id, run_id, kind,
                    subject, system, models, benchmark, variant, metric, settings, value, unit,
                    uncertainty, access, license, reported_on, evaluator, locator)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15,
                    ?16, ?17, ?18, ?19, ?20, ?21)",
                rusqlite::params![
                    id,
                    [id as u8; 32].as_slice(),
                    source,
                    snapshot,
                    run,
                    kind,
                    claim.subject.name,
                    claim.subject.system,
                    serde_json::to_string(&claim.subject.models).unwrap(),
                    score.map(|s| s.benchmark.as_str()),
                    score.map(|s| s.variant.as_str()),
                    score.map(|s| s.metric.as_str()),
                    score.map(|s| serde_json::to_string(&s.settings).unwrap()),
                    score.map(|s| s.value),
                    score.map(|s| s.unit.as_str()),
                    score.and_then(|s| s.uncertainty),
                    access,
                    license,
                    claim.reported_on.map(|d| d.to_string()),
                    claim.evaluator.as_str(),
                    claim.locator,
                ],
            )
            .unwrap();
        }

        fn score(name: &str, value: f64, locator: &str) -> Claim {
            Claim {
                subject: Subject::model(name),
                fact: Fact::Score(Score {
                    benchmark: "mmlu".into(),
                    variant: String::new(),
                    metric: "accuracy".into(),
                    settings: Settings::new(),
                    value,
                    unit: Unit::Percent,
                    uncertainty: None,
                }),
                reported_on: None,
                evaluator: Evaluator::ThirdParty,
                locator: locator.into(),
            }
        }

        /// Claims with every kind of field, by id, with their (snapshot, run). Ids 7 and 11
        /// were never used, and runs interleave, so some groups need several blocks.
        fn rows() -> Vec<(i64, (i64, i64), Claim)> {
            let mut settings = Settings::new();
            settings.insert("mode".into(), "FC".into());
            settings.insert(String::new(), "ünïcödé 🚀".into());
            let system = Claim {
                subject: Subject::system("OpenHands + GPT-5", "OpenHands", ["gpt-5", "claude"]),
                fact: Fact::Score(Score {
                    benchmark: "swe-bench".into(),
                    variant: "verified".into(),
                    metric: "resolved".into(),
                    settings,
                    value: 69.1,
                    unit: Unit::Percent,
                    uncertainty: Some(0.85),
                }),
                reported_on: Some(date("2025-06-05")),
                evaluator: Evaluator::SelfReported,
                locator: "results[3].resolved".into(),
            };
            let access = |license: Option<&str>, system: Option<&str>| Claim {
                subject: Subject {
                    name: "模型".into(),
                    system: system.map(str::to_owned),
                    models: Vec::new(),
                },
                fact: Fact::Access {
                    access: Access::OpenWeights,
                    license: license.map(str::to_owned),
                },
                reported_on: None,
                evaluator: Evaluator::Unknown,
                locator: String::new(),
            };
            let elo = Claim {
                fact: Fact::Score(Score {
                    benchmark: "arena".into(),
                    variant: String::new(),
                    metric: "rating".into(),
                    settings: Settings::new(),
                    value: -2.5,
                    unit: Unit::Elo,
                    uncertainty: Some(0.0),
                }),
                reported_on: Some(date("1999-12-31")),
                ..score("x", 0.0, "elo")
            };
            vec![
                (1, (1, 1), system),
                (2, (1, 1), access(Some(""), None)),
                (3, (1, 1), access(None, Some(""))),
                (4, (2, 2), elo),
                (5, (2, 2), score("b", 1.0, "row 1")),
                (6, (1, 3), score("a", 2.0, "row 2")),
                (8, (1, 3), score("a", 3.0, "row 3")),
                (9, (2, 2), score("b", 4.0, "row 4")),
                (10, (2, 2), score("b", 5.0, "row 5")),
                (12, (1, 3), score("a", 1e-300, "row 6")),
            ]
        }

        const BYTES_A: &[u8] = b"model,score\na,2\n";
        const BYTES_B: &[u8] = b"model,score\nb,1\n";

        fn sha(snapshot: i64) -> String {
            crate::blob::sha256_hex(if snapshot == 2 { BYTES_B } else { BYTES_A })
        }

        /// A blob as schemas up to 4 stored it: raw deflate, under the sha256 its test says.
        fn insert_raw_deflate_blob(conn: &Connection, bytes: &[u8]) {
            use std::io::Read as _;
            let mut raw = Vec::new();
            flate2::read::DeflateEncoder::new(bytes, flate2::Compression::default())
                .read_to_end(&mut raw)
                .unwrap();
            let sha = sha(if bytes == BYTES_A { 1 } else { 2 });
            conn.execute(
                "INSERT INTO blobs VALUES (?1, ?2, 'deflate', ?3)",
                rusqlite::params![sha, bytes.len() as i64, raw],
            )
            .unwrap();
        }

        /// A schema-3 database holding [`rows`]; snapshot 1 (source a) observed 2025-01-01,
        /// snapshot 2 (source b) 2025-02-01.
        fn create(path: &Path, rows: &[(i64, (i64, i64), Claim)]) {
            let mut conn = Connection::open(path).unwrap();
            configure(&conn, "old").unwrap();
            apply_migrations(&mut conn, &MIGRATIONS[..3], path, "old").unwrap();
            for bytes in [BYTES_A, BYTES_B] {
                insert_raw_deflate_blob(&conn, bytes);
            }
            conn.execute_batch(&format!(
                "INSERT INTO sources VALUES ('a', 'p', 't', 'u', 'csv'), ('b', 'p', 't', 'u', 'csv');
                 INSERT INTO snapshots (id, source_id, sha256, observed_on, origin)
                     VALUES (1, 'a', '{0}', '2025-01-01', 'x'), (2, 'b', '{1}', '2025-02-01', 'y');
                 INSERT INTO extraction_runs VALUES (1, 1, 'csv 1', 3, 3, '[]'),
                     (2, 2, 'csv 1', 4, 4, '[]'), (3, 1, 'csv 2', 3, 3, '[]');",
                sha(1),
                sha(2)
            ))
            .unwrap();
            for (id, provenance, claim) in rows {
                insert_row(&conn, *id, *provenance, claim);
            }
        }

        fn expected(rows: &[(i64, (i64, i64), Claim)]) -> Vec<ClaimRecord> {
            rows.iter()
                .map(|(id, (snapshot, run), claim)| ClaimRecord {
                    id: *id,
                    source_id: if *snapshot == 2 { "b" } else { "a" }.into(),
                    snapshot_id: *snapshot,
                    run_id: *run,
                    snapshot_sha256: sha(*snapshot),
                    observed_on: date(if *snapshot == 2 {
                        "2025-02-01"
                    } else {
                        "2025-01-01"
                    }),
                    claim: claim.clone(),
                })
                .collect()
        }

        #[test]
        fn claims_the_old_key_told_apart_keep_their_ids() {
            // SQLite reads -0.0 back as 0.0, so two claims the old key told apart by the sign
            // of zero read the same; each keeps its row and id.
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("old.sqlite");
            let rows = vec![
                (1, (1, 1), score("a", 0.0, "row 1")),
                (2, (1, 1), score("a", -0.0, "row 1")),
                (3, (1, 1), score("a", 5.0, "row 2")),
            ];
            create(&path, &rows);
            let store = Store::open(&path).unwrap();
            let back = store.claims(None).unwrap();
            let ids: Vec<i64> = back.iter().map(|r| r.id).collect();
            assert_eq!(ids, vec![1, 2, 3]);
            let values: Vec<u64> = back
                .iter()
                .map(|r| r.claim.score().unwrap().value.to_bits())
                .collect();
            assert_eq!(
                values,
                vec![0.0f64.to_bits(), 0.0f64.to_bits(), 5.0f64.to_bits()]
            );
            let runs = store.runs(None).unwrap();
            assert_eq!((runs[0].stored_claims, runs[0].current), (3, true));
            assert!(store.check().unwrap().is_ok());
        }

        #[test]
        fn claim_rows_become_rows_of_schema_5_and_read_back_the_same() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("old.sqlite");
            let rows = rows();
            create(&path, &rows);
            let mut store = Store::open(&path).unwrap();
            let expected = expected(&rows);
            let back = store.claims(None).unwrap();
            assert_eq!(back, expected);
            let bits = |records: &[ClaimRecord]| -> Vec<Option<u64>> {
                records
                    .iter()
                    .map(|r| r.claim.score().map(|s| s.value.to_bits()))
                    .collect()
            };
            assert_eq!(bits(&back), bits(&expected));
            assert_eq!(store.claim_set(None).unwrap().len(), rows.len());
            assert_eq!(store.claim_count().unwrap(), rows.len() as u64);
            let january = store.claims(Some(date("2025-01-31"))).unwrap();
            let in_january: Vec<_> = expected
                .iter()
                .filter(|r| r.snapshot_id == 1)
                .cloned()
                .collect();
            assert_eq!(january, in_january);
            assert_eq!(store.snapshot_bytes(1).unwrap(), BYTES_A);
            assert_eq!(store.snapshot_bytes(2).unwrap(), BYTES_B);

            // Each run records what it holds. Run 3 re-extracted snapshot 1 and stored only
            // the claims new to it, so it adds to run 1 rather than replacing it.
            let runs: Vec<(i64, u64, bool, bool)> = store
                .runs(None)
                .unwrap()
                .iter()
                .map(|r| (r.id, r.stored_claims, r.complete, r.current))
                .collect();
            assert_eq!(
                runs,
                [(1, 3, true, true), (2, 4, true, true), (3, 3, false, true)]
            );
            assert!(store.check().unwrap().is_ok(), "{:?}", store.check());
            assert!(!tables(&store.conn).iter().any(|t| t == "schema3_claims"));
            assert_eq!(
                pragma(&store.conn, "user_version"),
                i64::from(SCHEMA_VERSION)
            );
            for statement in ["UPDATE claims SET value = 1", "DELETE FROM claims"] {
                let err = store.conn.execute(statement, []).unwrap_err();
                assert!(err.to_string().contains("claims are append-only"), "{err}");
            }

            // A new extraction of snapshot 1 replaces runs 1 and 3; new claims continue the
            // ids.
            let mut again = rows[5].2.clone();
            again.reported_on = Some(date("2024-01-01"));
            again.evaluator = Evaluator::SelfReported;
            let fresh = score("c", 9.0, "row 9");
            let outcome = store
                .record_extraction(&NewExtraction {
                    snapshot_id: 1,
                    claims: &[again.clone(), fresh.clone()],
                    rows: 2,
                    warnings: &[],
                    adapter: "csv 3",
                })
                .unwrap();
            assert_eq!((outcome.claims_inserted, outcome.new_run), (2, true));
            let now: Vec<(i64, Claim)> = store
                .claims(None)
                .unwrap()
                .into_iter()
                .map(|r| (r.id, r.claim))
                .collect();
            let mut want: Vec<(i64, Claim)> = expected
                .iter()
                .filter(|r| r.snapshot_id == 2)
                .map(|r| (r.id, r.claim.clone()))
                .collect();
            want.push((13, again));
            want.push((14, fresh.clone()));
            assert_eq!(now, want);
            store
                .upsert_source(&crate::SourceInfo {
                    id: "a".into(),
                    publisher: "p".into(),
                    title: "t".into(),
                    url: "u".into(),
                    format: "csv".into(),
                })
                .unwrap();
            store
                .record_snapshot(&NewSnapshot {
                    source_id: "a",
                    bytes: b"new",
                    observed_on: date("2025-03-01"),
                    fetched_at: None,
                    origin: "z",
                    http_status: None,
                    etag: None,
                    last_modified: None,
                    claims: &[fresh],
                    rows: 1,
                    warnings: &[],
                    adapter: "csv 3",
                })
                .unwrap();
            assert_eq!(store.claims(None).unwrap().pop().unwrap().id, 15);
        }

        #[test]
        fn a_database_that_fails_the_conversion_is_left_as_it_was() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("old.sqlite");
            create(&path, &rows());
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "DROP TRIGGER claims_no_update;
                 UPDATE claims SET models = 'not json' WHERE id = 9;
                 CREATE TRIGGER claims_no_update BEFORE UPDATE ON claims
                 BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;",
            )
            .unwrap();
            drop(conn);
            let err = Store::open(&path).unwrap_err();
            assert!(matches!(err, StoreError::Corrupt { .. }), "{err:?}");
            let message = err.to_string();
            assert!(
                message.contains("cannot apply schema migration 5: claim 9: models \"not json\""),
                "{message}"
            );
            let conn = Connection::open(&path).unwrap();
            assert_eq!(pragma(&conn, "user_version"), 3);
            let names = tables(&conn);
            assert!(names.iter().any(|t| t == "claims"), "{names:?}");
            assert!(!names.iter().any(|t| t == "claim_blocks"), "{names:?}");
            let count: i64 = conn
                .query_row("SELECT count(*) FROM claims", [], |r| r.get(0))
                .unwrap();
            assert_eq!(count, 10);
        }
    }

    /// A file database at schema version 4, written as gapwatch wrote it: claims in blocks,
    /// blobs in raw deflate.
    mod schema_4 {
        use std::io::Read as _;

        use super::*;
        use crate::legacy::writer::write_block;
        use crate::{NewExtraction, Store};
        use gapwatch_model::{
            Access, Claim, ClaimRecord, Date, Evaluator, Fact, Score, Settings, Subject, Unit,
        };

        fn date(s: &str) -> Date {
            s.parse().unwrap()
        }

        fn raw_deflate(bytes: &[u8]) -> Vec<u8> {
            let mut raw = Vec::new();
            flate2::read::DeflateEncoder::new(bytes, flate2::Compression::default())
                .read_to_end(&mut raw)
                .unwrap();
            raw
        }

        fn put_blob(conn: &Connection, bytes: &[u8]) -> String {
            let sha = crate::blob::sha256_hex(bytes);
            conn.execute(
                "INSERT OR IGNORE INTO blobs VALUES (?1, ?2, 'deflate', ?3)",
                rusqlite::params![sha, bytes.len() as i64, raw_deflate(bytes)],
            )
            .unwrap();
            sha
        }

        /// Claims of every kind: systems, unicode, empty strings, settings, access with and
        /// without licenses, every unit and evaluator, dates far apart, awkward numbers.
        fn varied(n: usize, salt: u64) -> Vec<Claim> {
            let mut x = 0x2545_f491_4f6c_dd1du64 ^ salt;
            let mut next = move || {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x
            };
            let words = [
                "",
                "GPT-4o",
                "模型",
                "Ünïcödé 🚀",
                "a \"q\" \\ \n",
                "mmlu",
                "v",
            ];
            (0..n)
                .map(|i| {
                    let w = |k: u64| words[(k % words.len() as u64) as usize].to_owned();
                    let subject = match next() % 3 {
                        0 => Subject::model(format!("model {}", next() % 40)),
                        1 => Subject {
                            name: w(next()),
                            system: Some(w(next())),
                            models: (0..next() % 3).map(|_| w(next())).collect(),
                        },
                        _ => Subject {
                            name: w(next()),
                            system: None,
                            models: Vec::new(),
                        },
                    };
                    let fact = if next() % 5 == 0 {
                        Fact::Access {
                            access: [
                                Access::OpenWeights,
                                Access::Closed,
                                Access::Limited,
                                Access::Unknown,
                            ][(next() % 4) as usize],
                            license: [None, Some(String::new()), Some("Apache-2.0".to_owned())]
                                [(next() % 3) as usize]
                                .clone(),
                        }
                    } else {
                        let mut settings = Settings::new();
                        if next() % 3 == 0 {
                            settings.insert(w(next()), w(next()));
                        }
                        let value = match next() % 6 {
                            0 => (next() % 10_000) as f64 / 100.0,
                            1 => 1e-300,
                            2 => -2.5,
                            3 => f64::MAX,
                            4 => (next() % 3_000) as f64,
                            _ => (next() >> 11) as f64 / (1u64 << 53) as f64 * 200.0 - 50.0,
                        };
                        Fact::Score(Score {
                            benchmark: w(next()),
                            variant: w(next()),
                            metric: w(next()),
                            settings,
                            value,
                            unit: [Unit::Percent, Unit::Elo, Unit::Score][(next() % 3) as usize],
                            uncertainty: (next() % 2 == 0).then(|| (next() % 500) as f64 / 100.0),
                        })
                    };
                    Claim {
                        subject,
                        fact,
                        reported_on: match next() % 3 {
                            0 => None,
                            1 => Some(Date::from_ymd(1999, 12, 31).unwrap()),
                            _ => Some(Date::from_days_since_epoch((next() % 30_000) as i64)),
                        },
                        evaluator: [
                            Evaluator::ThirdParty,
                            Evaluator::SelfReported,
                            Evaluator::Unknown,
                            Evaluator::Competitor,
                        ][(next() % 4) as usize],
                        locator: format!("row {i}, {}", w(next())),
                    }
                })
                .collect()
        }

        /// A schema-4 database: snapshots 1 (source a, 2025-01-01, run 1, re-extracted by run
        /// 3 which stored only new claims), 2 (source b, 2025-02-01, run 2) and 3 (source a,
        /// 2025-03-01, run 4 with no claims); a published version. Returns the records
        /// schema 4 read back, in id order, and the stored bytes.
        fn create(path: &Path) -> (Vec<ClaimRecord>, Vec<Vec<u8>>) {
            let mut conn = Connection::open(path).unwrap();
            configure(&conn, "old").unwrap();
            apply_migrations(&mut conn, &MIGRATIONS[..4], path, "old").unwrap();
            // Schema 4 as shipped had no schema-3 rows left over.
            conn.execute_batch("DROP TABLE schema3_claims").unwrap();
            let bytes: Vec<Vec<u8>> = vec![
                b"model,score\n".repeat(50),
                b"{\"results\": []}".to_vec(),
                Vec::new(),
                b"# Story v1\n".repeat(20),
            ];
            let shas: Vec<String> = bytes.iter().map(|b| put_blob(&conn, b)).collect();
            conn.execute_batch(&format!(
                "INSERT INTO sources VALUES ('a', 'p', 't', 'u', 'csv'), ('b', 'p', 't', 'u', 'json');
                 INSERT INTO snapshots (id, source_id, sha256, observed_on, origin)
                     VALUES (1, 'a', '{0}', '2025-01-01', 'x'), (2, 'b', '{1}', '2025-02-01', 'y'),
                            (3, 'a', '{2}', '2025-03-01', 'z');
                 INSERT INTO extraction_runs VALUES (1, 1, 'csv 1', 90, 90, '[]'),
                     (2, 2, 'json 1', 70, 70, '[\"w\"]'), (3, 1, 'csv 2', 95, 95, '[]'),
                     (4, 3, 'csv 2', 0, 0, '[]');
                 INSERT INTO story_citations VALUES ('s', 'a', 1), ('s', 'b', 2);
                 INSERT INTO story_versions VALUES ('s', 1, '2025-03-02T00:00:00Z', '2025-03-01', '{{}}');
                 INSERT INTO story_renderings VALUES ('s', 1, 'md', '{3}');",
                shas[0], shas[1], shas[2], shas[3]
            ))
            .unwrap();
            let first = varied(90, 1);
            let second = varied(70, 2);
            let added = varied(5, 3);
            let mut records = Vec::new();
            for (source, snapshot, run, claims, observed) in [
                ("a", 1, 1, &first, "2025-01-01"),
                ("b", 2, 2, &second, "2025-02-01"),
                ("a", 1, 3, &added, "2025-01-01"),
            ] {
                let first_id = records.len() as i64 + 1;
                let n = write_block(&conn, source, snapshot, run, claims);
                assert_eq!(n, claims.len(), "the claims are distinct");
                for (i, claim) in claims.iter().enumerate() {
                    records.push(ClaimRecord {
                        id: first_id + i as i64,
                        source_id: source.to_owned(),
                        snapshot_id: snapshot,
                        run_id: run,
                        snapshot_sha256: shas[snapshot as usize - 1].clone(),
                        observed_on: date(observed),
                        claim: claim.clone(),
                    });
                }
            }
            (records, bytes)
        }

        /// A score's value and uncertainty as bits.
        type Bits = Option<(u64, Option<u64>)>;

        fn bits(records: &[ClaimRecord]) -> Vec<(i64, Bits)> {
            records
                .iter()
                .map(|r| {
                    let s = r.claim.score();
                    (
                        r.id,
                        s.map(|s| (s.value.to_bits(), s.uncertainty.map(f64::to_bits))),
                    )
                })
                .collect()
        }

        #[test]
        fn blocks_become_rows_keeping_every_claim_id_and_byte() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("v4.sqlite");
            let (expected, bytes) = create(&path);
            let mut store = Store::open(&path).unwrap();
            assert_eq!(pragma(&store.conn, "user_version"), 5);
            // Every claim, with its id, run, snapshot and every field; numbers to the bit.
            let back = store.claims(None).unwrap();
            assert_eq!(back, expected);
            assert_eq!(bits(&back), bits(&expected));
            assert_eq!(store.claim_count().unwrap(), 165);
            let set = store.claim_set(None).unwrap();
            assert_eq!(set.records().collect::<Vec<_>>(), expected);
            let january = store.claims(Some(date("2025-01-31"))).unwrap();
            let want: Vec<_> = expected
                .iter()
                .filter(|r| r.snapshot_id == 1)
                .cloned()
                .collect();
            assert_eq!(january, want);
            for (i, r) in expected.iter().enumerate().step_by(17) {
                assert_eq!(store.claim(r.id).unwrap().as_ref(), Some(&expected[i]));
            }
            // The runs say what they hold; run 3 adds to run 1.
            let runs: Vec<(i64, u64, bool, bool)> = store
                .runs(None)
                .unwrap()
                .iter()
                .map(|r| (r.id, r.stored_claims, r.complete, r.current))
                .collect();
            assert_eq!(
                runs,
                [
                    (1, 90, true, true),
                    (2, 70, true, true),
                    (3, 5, false, true),
                    (4, 0, true, true)
                ]
            );
            // Every stored byte reads back; blobs are zlib or plain, as sqlar reads them.
            for (id, b) in [(1, &bytes[0]), (2, &bytes[1]), (3, &bytes[2])] {
                assert_eq!(&store.snapshot_bytes(id).unwrap(), b);
            }
            assert_eq!(store.rendering("s", 1, "md").unwrap().unwrap(), bytes[3]);
            let blobs: Vec<(String, i64, Vec<u8>)> = store
                .conn
                .prepare("SELECT compression, size, data FROM blobs")
                .unwrap()
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            assert_eq!(blobs.len(), 4);
            for (compression, size, data) in blobs {
                let out = if data.len() as i64 == size {
                    assert_eq!(compression, "none");
                    data
                } else {
                    assert_eq!(compression, "zlib");
                    let mut out = Vec::new();
                    flate2::read::ZlibDecoder::new(data.as_slice())
                        .read_to_end(&mut out)
                        .unwrap();
                    out
                };
                assert!(bytes.contains(&out));
            }
            assert!(store.check().unwrap().is_ok(), "{:?}", store.check());
            let names = tables(&store.conn);
            assert!(!names.iter().any(|t| t == "claim_blocks"), "{names:?}");
            let in_view: i64 = store
                .conn
                .query_row("SELECT count(*) FROM claims_v WHERE current", [], |r| {
                    r.get(0)
                })
                .unwrap();
            assert_eq!(in_view, 165);

            // A new extraction of snapshot 1 replaces runs 1 and 3; ids continue.
            let outcome = store
                .record_extraction(&NewExtraction {
                    snapshot_id: 1,
                    claims: &varied(3, 9),
                    rows: 3,
                    warnings: &[],
                    adapter: "csv 3",
                })
                .unwrap();
            assert_eq!(outcome.claims_inserted, 3);
            let now: Vec<i64> = store.claims(None).unwrap().iter().map(|r| r.id).collect();
            let want: Vec<i64> = (91..=160).chain(166..=168).collect();
            assert_eq!(now, want);
            drop(store);
            // Opening again changes nothing.
            let store = Store::open(&path).unwrap();
            assert_eq!(store.claim_count().unwrap(), 168);
        }

        #[test]
        fn a_damaged_block_leaves_the_database_at_schema_4() {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("v4.sqlite");
            create(&path);
            let conn = Connection::open(&path).unwrap();
            conn.execute_batch(
                "DROP TRIGGER claim_blocks_no_update;
                 UPDATE claim_blocks SET body = substr(body, 1, 40) WHERE id = 2;",
            )
            .unwrap();
            drop(conn);
            let err = Store::open(&path).unwrap_err();
            assert!(
                err.to_string()
                    .contains("cannot apply schema migration 5: claim block 2 "),
                "{err}"
            );
            let conn = Connection::open(&path).unwrap();
            assert_eq!(pragma(&conn, "user_version"), 4);
            assert!(tables(&conn).iter().any(|t| t == "claim_blocks"));
        }
    }

    #[test]
    fn identity_rules() {
        let p = Path::new("x.db");
        assert!(check_identity(p, APPLICATION_ID, 2, 20, 2).is_ok());
        assert!(check_identity(p, APPLICATION_ID, 1, 20, 2).is_ok());
        assert!(check_identity(p, 0, 0, 0, 2).is_ok());
        assert!(matches!(
            check_identity(p, 0, 0, 3, 2),
            Err(StoreError::ForeignDatabase {
                application_id: 0,
                ..
            })
        ));
        assert!(matches!(
            check_identity(p, 0x1234, 0, 0, 2),
            Err(StoreError::ForeignDatabase { .. })
        ));
        let err = check_identity(p, APPLICATION_ID, 99, 20, 2).unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.db has schema version 99, newer than this gapwatch (2): upgrade gapwatch"
        );
    }
}
