//! The registry as a cache in the database: `registry_models` and `registry_benchmarks` as
//! the registry files last loaded define them, and `model_names`, every model name of the
//! stored claims with the registry model it resolves to, so that SQL can join claims to their
//! models' access. The files stay the source of truth; these tables are rebuilt from them
//! whenever gapwatch loads a registry that differs, and may be deleted.

use std::hash::{BuildHasher, Hash, Hasher};

use gapwatch_model::{Access, BenchmarkEntry, ModelEntry, Registry, Unit};
use rusqlite::{OptionalExtension, Row, TransactionBehavior, params};

use crate::error::{corrupt, sql};
use crate::store::parse_date;
use crate::{Store, StoreError};

/// Changes when what the cache holds, or how names resolve, changes meaning.
const CACHE_VERSION: u64 = 1;

/// A fingerprint of everything the cache holds of a registry: the entries' cached fields, in
/// order, and their names (which decide resolution).
fn fingerprint(registry: &Registry) -> String {
    let mut h = foldhash::quality::FixedState::with_seed(0x6761_7077).build_hasher();
    CACHE_VERSION.hash(&mut h);
    for m in registry.models() {
        (&m.id, &m.name, &m.organization, m.access, &m.license).hash(&mut h);
        m.parameters_b.map(f64::to_bits).hash(&mut h);
        (m.released.map(|d| d.days_since_epoch()), &m.aliases).hash(&mut h);
    }
    0xffu8.hash(&mut h);
    for b in registry.benchmarks() {
        (
            &b.id,
            &b.name,
            &b.metric,
            b.unit,
            b.higher_is_better,
            b.saturated,
        )
            .hash(&mut h);
        (&b.variants, &b.aliases).hash(&mut h);
    }
    format!(
        "{:016x}-{}-{}",
        h.finish(),
        registry.models().len(),
        registry.benchmarks().len()
    )
}

impl Store {
    /// Brings the registry cache up to date with `registry`: rewrites `registry_models` and
    /// `registry_benchmarks` when the registry differs from the one cached (or the tables
    /// were emptied), and resolves into `model_names` the model names of claims stored since.
    /// Cheap when nothing changed: a fingerprint of the registry and a few reads, no write.
    /// Returns whether anything was written.
    pub fn sync_registry(&mut self, registry: &Registry) -> Result<bool, StoreError> {
        let db = &self.db;
        let action = "save the registry";
        let encode = |what: &str, id: &str, e: serde_json::Error| {
            corrupt(
                db,
                format!("cannot encode the {what} of registry entry {id:?}: {e}"),
            )
        };
        let fingerprint = fingerprint(registry);
        let read_state = |conn: &rusqlite::Connection| -> Result<(bool, i64, i64), StoreError> {
            let state: Option<(String, i64)> = conn
                .prepare_cached("SELECT fingerprint, subjects FROM registry_state WHERE id = 1")
                .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))).optional())
                .map_err(sql(db, action))?;
            let counts: (u64, u64) = conn
                .prepare_cached(
                    "SELECT (SELECT count(*) FROM registry_models),
                        (SELECT count(*) FROM registry_benchmarks)",
                )
                .and_then(|mut s| s.query_row([], |r| Ok((r.get(0)?, r.get(1)?))))
                .map_err(sql(db, action))?;
            let subjects: i64 = conn
                .prepare_cached("SELECT coalesce(max(id), 0) FROM claim_subjects")
                .and_then(|mut s| s.query_row([], |r| r.get(0)))
                .map_err(sql(db, action))?;
            let current = state.as_ref().is_some_and(|(f, _)| *f == fingerprint)
                && counts
                    == (
                        registry.models().len() as u64,
                        registry.benchmarks().len() as u64,
                    );
            let resolved = if current {
                state.map_or(0, |(_, n)| n)
            } else {
                0
            };
            Ok((current, resolved, subjects))
        };
        let (current, resolved, subjects) = read_state(&self.conn)?;
        if current && resolved >= subjects {
            return Ok(false);
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(db, action))?;
        // Read again under the write lock: another process may have done it meanwhile.
        let (current, resolved, subjects) = read_state(&tx)?;
        if current && resolved >= subjects {
            return Ok(false);
        }
        if !current {
            tx.execute_batch(
                "DELETE FROM registry_models; DELETE FROM registry_benchmarks;
                 DELETE FROM model_names;",
            )
            .map_err(sql(db, action))?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO registry_models (id, position, name, organization, access,
                        license, parameters_b, released, aliases)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )
                .map_err(sql(db, action))?;
            for (position, m) in registry.models().iter().enumerate() {
                let aliases =
                    serde_json::to_string(&m.aliases).map_err(|e| encode("aliases", &m.id, e))?;
                insert
                    .execute(params![
                        m.id,
                        position as u64,
                        m.name,
                        m.organization,
                        m.access.as_str(),
                        m.license,
                        m.parameters_b,
                        m.released.map(|d| d.to_string()),
                        aliases,
                    ])
                    .map_err(sql(db, action))?;
            }
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO registry_benchmarks (id, position, name, metric, unit,
                        higher_is_better, saturated, variants, aliases)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )
                .map_err(sql(db, action))?;
            for (position, b) in registry.benchmarks().iter().enumerate() {
                let variants =
                    serde_json::to_string(&b.variants).map_err(|e| encode("variants", &b.id, e))?;
                let aliases =
                    serde_json::to_string(&b.aliases).map_err(|e| encode("aliases", &b.id, e))?;
                insert
                    .execute(params![
                        b.id,
                        position as u64,
                        b.name,
                        b.metric,
                        b.unit.as_str(),
                        b.higher_is_better,
                        b.saturated,
                        variants,
                        aliases,
                    ])
                    .map_err(sql(db, action))?;
            }
        }
        {
            let mut read = tx
                .prepare_cached("SELECT id, models FROM claim_subjects WHERE id > ?1 ORDER BY id")
                .map_err(sql(db, action))?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT OR IGNORE INTO model_names (name, model_id) VALUES (?1, ?2)",
                )
                .map_err(sql(db, action))?;
            let mut rows = read.query([resolved]).map_err(sql(db, action))?;
            while let Some(row) = rows.next().map_err(sql(db, action))? {
                let id: i64 = row.get(0).map_err(sql(db, action))?;
                let json: String = row.get(1).map_err(sql(db, action))?;
                let models: Vec<String> = serde_json::from_str(&json).map_err(|e| {
                    corrupt(
                        db,
                        format!("claim subject {id}: models {json:?} are not a JSON list: {e}"),
                    )
                })?;
                for name in models {
                    let model = registry.resolve_model_name(&name).id();
                    insert
                        .execute(params![name, model])
                        .map_err(sql(db, action))?;
                }
            }
        }
        tx.prepare_cached(
            "INSERT INTO registry_state (id, fingerprint, subjects) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint,
                subjects = excluded.subjects",
        )
        .and_then(|mut s| s.execute(params![fingerprint, subjects]))
        .map_err(sql(db, action))?;
        tx.commit().map_err(sql(db, action))?;
        Ok(true)
    }

    /// The registry as last saved with [`Store::sync_registry`]; empty if never saved.
    pub fn registry(&self) -> Result<Registry, StoreError> {
        let action = "read the registry";
        let mut models = Vec::new();
        {
            let mut stmt = self
                .conn
                .prepare_cached(
                    "SELECT id, name, organization, access, license, parameters_b, released,
                        aliases
                     FROM registry_models ORDER BY position",
                )
                .map_err(sql(&self.db, action))?;
            let mut rows = stmt.query([]).map_err(sql(&self.db, action))?;
            while let Some(row) = rows.next().map_err(sql(&self.db, action))? {
                models.push(self.decode_model(row)?);
            }
        }
        let mut benchmarks = Vec::new();
        let mut stmt = self
            .conn
            .prepare_cached(
                "SELECT id, name, metric, unit, higher_is_better, saturated, variants, aliases
                 FROM registry_benchmarks ORDER BY position",
            )
            .map_err(sql(&self.db, action))?;
        let mut rows = stmt.query([]).map_err(sql(&self.db, action))?;
        while let Some(row) = rows.next().map_err(sql(&self.db, action))? {
            benchmarks.push(self.decode_benchmark(row)?);
        }
        Registry::from_entries(models, benchmarks, &self.db).map_err(|source| {
            StoreError::Registry {
                db: self.db.clone(),
                source: Box::new(source),
            }
        })
    }

    fn decode_model(&self, row: &Row<'_>) -> Result<ModelEntry, StoreError> {
        let get = |e| sql(&self.db, "read the registry")(e);
        let id: String = row.get(0).map_err(get)?;
        let owner = format!("registry model {id:?}");
        let access: String = row.get(3).map_err(get)?;
        let released: Option<String> = row.get(6).map_err(get)?;
        Ok(ModelEntry {
            name: row.get(1).map_err(get)?,
            organization: row.get(2).map_err(get)?,
            access: Access::from_name(&access)
                .ok_or_else(|| corrupt(&self.db, format!("{owner}: unknown access {access:?}")))?,
            access_evidence: None,
            license: row.get(4).map_err(get)?,
            parameters_b: row.get(5).map_err(get)?,
            released: released
                .map(|t| parse_date(&self.db, &t, &owner))
                .transpose()?,
            aliases: self.string_list(row.get(7).map_err(get)?, &owner)?,
            id,
        })
    }

    fn decode_benchmark(&self, row: &Row<'_>) -> Result<BenchmarkEntry, StoreError> {
        let get = |e| sql(&self.db, "read the registry")(e);
        let id: String = row.get(0).map_err(get)?;
        let owner = format!("registry benchmark {id:?}");
        let unit: String = row.get(3).map_err(get)?;
        Ok(BenchmarkEntry {
            name: row.get(1).map_err(get)?,
            metric: row.get(2).map_err(get)?,
            unit: Unit::from_name(&unit)
                .ok_or_else(|| corrupt(&self.db, format!("{owner}: unknown unit {unit:?}")))?,
            higher_is_better: row.get(4).map_err(get)?,
            saturated: row.get(5).map_err(get)?,
            variants: self.string_list(row.get(6).map_err(get)?, &owner)?,
            subscores: Vec::new(),
            headline: Default::default(),
            introduced: None,
            aliases: self.string_list(row.get(7).map_err(get)?, &owner)?,
            id,
        })
    }

    fn string_list(&self, json: String, owner: &str) -> Result<Vec<String>, StoreError> {
        serde_json::from_str(&json).map_err(|e| {
            corrupt(
                &self.db,
                format!("{owner}: {json:?} is not a JSON list of strings: {e}"),
            )
        })
    }
}
