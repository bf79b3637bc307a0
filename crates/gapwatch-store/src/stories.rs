//! Story citations and published versions: numbers that never change, versions that never
//! change.

use std::collections::{BTreeMap, BTreeSet};

use rusqlite::{OptionalExtension, TransactionBehavior, params};

use crate::blob;
use crate::error::{corrupt, sql};
use crate::store::parse_date;
use crate::{NewVersion, Store, StoreError, VersionRecord};

impl Store {
    /// Numbers sources for a story's citations. A source keeps its number forever within a
    /// story; sources not yet numbered get the next numbers (1, 2, 3 …) in the order given.
    /// Returns every number the story has assigned, including earlier ones.
    pub fn assign_citations(
        &mut self,
        story_id: &str,
        source_ids: &[&str],
    ) -> Result<BTreeMap<String, u32>, StoreError> {
        let db = &self.db;
        let action = format!("number the citations of story {story_id:?}");
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(db, &action))?;
        let mut numbers = citations(&tx, db, story_id, &action)?;
        let mut next = numbers.values().max().map_or(1, |n| n + 1);
        {
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO story_citations (story_id, source_id, number) VALUES (?1, ?2, ?3)",
                )
                .map_err(sql(db, &action))?;
            for &source_id in source_ids {
                if numbers.contains_key(source_id) {
                    continue;
                }
                insert
                    .execute(params![story_id, source_id, next])
                    .map_err(sql(db, &action))?;
                numbers.insert(source_id.to_owned(), next);
                next += 1;
            }
        }
        tx.commit().map_err(sql(db, &action))?;
        Ok(numbers)
    }

    /// The citation numbers a story has assigned so far.
    pub fn citations(&self, story_id: &str) -> Result<BTreeMap<String, u32>, StoreError> {
        let action = format!("read the citations of story {story_id:?}");
        citations(&self.conn, &self.db, story_id, &action)
    }

    /// Publishes the next version of a story, N = last + 1, with all its renderings, in one
    /// transaction. Each rendering is stored with its sha256. Returns N.
    ///
    /// Refused when `state_json` is not JSON or a format is empty or given twice.
    pub fn publish_version(&mut self, v: &NewVersion<'_>) -> Result<u32, StoreError> {
        let invalid = |problem: String| StoreError::InvalidVersion {
            story_id: v.story_id.to_owned(),
            problem,
        };
        if v.story_id.is_empty() {
            return Err(invalid("the story id is empty".to_owned()));
        }
        serde_json::from_str::<serde_json::Value>(v.state_json)
            .map_err(|e| invalid(format!("its state is not valid JSON: {e}")))?;
        let mut formats = BTreeSet::new();
        for (format, _) in v.renderings {
            if format.is_empty() {
                return Err(invalid("a rendering has an empty format name".to_owned()));
            }
            if !formats.insert(*format) {
                return Err(invalid(format!("format {format:?} is given twice")));
            }
        }
        let db = &self.db;
        let action = format!("publish a version of story {:?}", v.story_id);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(db, &action))?;
        let last: u32 = tx
            .prepare_cached(
                "SELECT coalesce(max(version), 0) FROM story_versions WHERE story_id = ?1",
            )
            .and_then(|mut s| s.query_row([v.story_id], |r| r.get(0)))
            .map_err(sql(db, &action))?;
        let version = last + 1;
        tx.prepare_cached(
            "INSERT INTO story_versions (story_id, version, published_at, as_of, state_json)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .and_then(|mut s| {
            s.execute(params![
                v.story_id,
                version,
                v.published_at,
                v.as_of.to_string(),
                v.state_json
            ])
        })
        .map_err(sql(db, &action))?;
        for (format, bytes) in v.renderings {
            let sha256 = blob::sha256_hex(bytes);
            blob::put(&tx, db, &sha256, bytes)?;
            tx.prepare_cached(
                "INSERT INTO story_renderings (story_id, version, format, sha256)
                 VALUES (?1, ?2, ?3, ?4)",
            )
            .and_then(|mut s| s.execute(params![v.story_id, version, format, sha256]))
            .map_err(sql(db, &action))?;
        }
        tx.commit().map_err(sql(db, &action))?;
        Ok(version)
    }

    /// A story's published versions, oldest first.
    pub fn versions(&self, story_id: &str) -> Result<Vec<VersionRecord>, StoreError> {
        let action = format!("list the versions of story {story_id:?}");
        let mut out: Vec<VersionRecord> = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT version, published_at, as_of FROM story_versions
                     WHERE story_id = ?1 ORDER BY version",
                )
                .map_err(sql(&self.db, &action))?;
            let mut rows = stmt.query([story_id]).map_err(sql(&self.db, &action))?;
            while let Some(row) = rows.next().map_err(sql(&self.db, &action))? {
                let get = |e| sql(&self.db, &action)(e);
                let version: u32 = row.get(0).map_err(get)?;
                let as_of: String = row.get(2).map_err(get)?;
                out.push(VersionRecord {
                    story_id: story_id.to_owned(),
                    version,
                    published_at: row.get(1).map_err(get)?,
                    as_of: parse_date(
                        &self.db,
                        &as_of,
                        &format!("story {story_id:?} version {version}"),
                    )?,
                    renderings: Vec::new(),
                });
            }
        }
        // Insertion order (rowid) is the order the renderings were given in.
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT version, format, sha256 FROM story_renderings
                 WHERE story_id = ?1 ORDER BY version, rowid",
            )
            .map_err(sql(&self.db, &action))?;
        let mut rows = stmt.query([story_id]).map_err(sql(&self.db, &action))?;
        while let Some(row) = rows.next().map_err(sql(&self.db, &action))? {
            let get = |e| sql(&self.db, &action)(e);
            let version: u32 = row.get(0).map_err(get)?;
            let rendering = (row.get(1).map_err(get)?, row.get(2).map_err(get)?);
            // Versions are consecutive from 1, so version N sits at index N - 1.
            match out.get_mut((version as usize).wrapping_sub(1)) {
                Some(record) if record.version == version => record.renderings.push(rendering),
                _ => {
                    return Err(corrupt(
                        &self.db,
                        format!("story {story_id:?} has a rendering of unknown version {version}"),
                    ));
                }
            }
        }
        Ok(out)
    }

    /// The bytes of one rendering of a published version, checked against their sha256;
    /// `None` when the version or format does not exist.
    pub fn rendering(
        &self,
        story_id: &str,
        version: u32,
        format: &str,
    ) -> Result<Option<Vec<u8>>, StoreError> {
        let action = format!("read story {story_id:?} version {version} as {format:?}");
        let sha256: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT sha256 FROM story_renderings
                 WHERE story_id = ?1 AND version = ?2 AND format = ?3",
            )
            .and_then(|mut s| {
                s.query_row(params![story_id, version, format], |r| r.get(0))
                    .optional()
            })
            .map_err(sql(&self.db, &action))?;
        let Some(sha256) = sha256 else {
            return Ok(None);
        };
        blob::get(&self.conn, &self.db, &sha256)?
            .ok_or_else(|| corrupt(&self.db, format!("{action}: blob {sha256} is missing")))
            .map(Some)
    }

    /// The state recorded with a published version; `None` when it does not exist.
    pub fn state_json(&self, story_id: &str, version: u32) -> Result<Option<String>, StoreError> {
        self.conn
            .prepare_cached(
                "SELECT state_json FROM story_versions WHERE story_id = ?1 AND version = ?2",
            )
            .and_then(|mut s| {
                s.query_row(params![story_id, version], |r| r.get(0))
                    .optional()
            })
            .map_err(sql(
                &self.db,
                &format!("read the state of story {story_id:?} version {version}"),
            ))
    }
}

fn citations(
    conn: &rusqlite::Connection,
    db: &str,
    story_id: &str,
    action: &str,
) -> Result<BTreeMap<String, u32>, StoreError> {
    let mut stmt = conn
        .prepare_cached("SELECT source_id, number FROM story_citations WHERE story_id = ?1")
        .map_err(sql(db, action))?;
    let rows = stmt
        .query_map([story_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .map_err(sql(db, action))?;
    rows.collect::<Result<_, _>>().map_err(sql(db, action))
}
