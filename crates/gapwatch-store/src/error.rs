//! The error type of this crate.

use std::path::PathBuf;

/// What can go wrong opening or using a gapwatch database.
///
/// `db` fields name the database file (or `:memory:`), so a message read out of context still
/// says which file it is about.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The file exists, is not empty, and is not a SQLite database at all.
    #[error("{} is not a gapwatch database: it is not a SQLite file", .path.display())]
    NotSqlite {
        /// The file that was refused; it was left untouched.
        path: PathBuf,
    },
    /// The file is a SQLite database made by something else.
    #[error(
        "{} is not a gapwatch database: it is a SQLite database of another application (application id {application_id})",
        .path.display()
    )]
    ForeignDatabase {
        /// The file that was refused; it was left untouched.
        path: PathBuf,
        /// The application id found in the file's header.
        application_id: i32,
    },
    /// A gapwatch database written by a newer gapwatch.
    #[error(
        "{} has schema version {found}, newer than this gapwatch ({supported}): upgrade gapwatch",
        .path.display()
    )]
    SchemaTooNew {
        /// The file that was refused; it was left untouched.
        path: PathBuf,
        /// The schema version found in the file.
        found: i64,
        /// The newest schema version this build knows.
        supported: u32,
    },
    /// The file could not be read before opening it.
    #[error("cannot read {}", .path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// SQLite refused an operation.
    #[error("{db}: cannot {action}")]
    Sqlite {
        /// The database file, or `:memory:`.
        db: String,
        /// What was being done, e.g. `record a snapshot of source "mmlu"`.
        action: String,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A schema migration failed; the database was left at its previous version.
    #[error("{db}: cannot apply schema migration {version}")]
    Migration {
        /// The database file, or `:memory:`.
        db: String,
        /// The migration's number (the schema version it leads to).
        version: u32,
        /// What SQLite said.
        source: rusqlite::Error,
    },
    /// A snapshot was recorded for a source that was never configured.
    #[error("{db}: source {source_id:?} is not configured: upsert it before recording snapshots")]
    UnknownSource {
        /// The database file, or `:memory:`.
        db: String,
        /// The source id given.
        source_id: String,
    },
    /// No snapshot has this id.
    #[error("{db}: there is no snapshot {id}")]
    NoSuchSnapshot {
        /// The database file, or `:memory:`.
        db: String,
        /// The snapshot id asked for.
        id: i64,
    },
    /// A retraction that cannot be recorded; nothing was written.
    #[error("{db}: cannot retract snapshot {snapshot_id}: {problem}")]
    InvalidRetraction {
        /// The database file, or `:memory:`.
        db: String,
        /// The snapshot.
        snapshot_id: i64,
        /// Why not.
        problem: String,
    },
    /// A claim that cannot be stored faithfully; nothing of its snapshot was written.
    #[error("source {source_id:?}: claim {index} at {locator:?} cannot be stored: {problem}")]
    InvalidClaim {
        /// The source the claim came from.
        source_id: String,
        /// Its position in the list given, from 0.
        index: usize,
        /// Its locator in the snapshot.
        locator: String,
        /// What is wrong with it.
        problem: String,
    },
    /// A story version that cannot be published; nothing was written.
    #[error("story {story_id:?}: cannot publish a version: {problem}")]
    InvalidVersion {
        /// The story.
        story_id: String,
        /// What is wrong with it.
        problem: String,
    },
    /// Bytes could not be compressed for storage.
    #[error("{db}: cannot compress blob {sha256}")]
    Compression {
        /// The database file, or `:memory:`.
        db: String,
        /// The sha256 of the bytes.
        sha256: String,
        /// What the compressor said.
        source: std::io::Error,
    },
    /// Stored data that does not read back as it was written.
    #[error("{db}: {problem}")]
    Corrupt {
        /// The database file, or `:memory:`.
        db: String,
        /// What was found, naming the table and row.
        problem: String,
    },
    /// The registry stored in the database does not form a valid registry.
    #[error("{db}: the stored registry is inconsistent")]
    Registry {
        /// The database file, or `:memory:`.
        db: String,
        /// What the registry said.
        source: Box<gapwatch_model::ModelError>,
    },
}

/// Maps a SQLite error to [`StoreError::Sqlite`] naming the database and the action.
/// Allocates only when there is an error, so it is cheap on hot paths.
pub(crate) fn sql<'a>(
    db: &'a str,
    action: &'a str,
) -> impl FnOnce(rusqlite::Error) -> StoreError + 'a {
    move |source| StoreError::Sqlite {
        db: db.to_owned(),
        action: action.to_owned(),
        source,
    }
}

/// A [`StoreError::Corrupt`] for the database `db`.
pub(crate) fn corrupt(db: &str, problem: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        db: db.to_owned(),
        problem: problem.into(),
    }
}
