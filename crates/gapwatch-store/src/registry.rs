//! The registry of models and benchmarks as last synchronised into the database, so that a
//! database records which names the evidence was resolved against.

use gapwatch_model::{Access, BenchmarkEntry, ModelEntry, Registry, Unit};
use rusqlite::{Row, TransactionBehavior, params};

use crate::error::{corrupt, sql};
use crate::store::parse_date;
use crate::{Store, StoreError};

impl Store {
    /// Replaces the stored registry with `registry`, in one transaction.
    pub fn sync_registry(&mut self, registry: &Registry) -> Result<(), StoreError> {
        let db = &self.db;
        let action = "save the registry";
        let encode = |what: &str, id: &str, e: serde_json::Error| {
            corrupt(
                db,
                format!("cannot encode the {what} of registry entry {id:?}: {e}"),
            )
        };
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(sql(db, action))?;
        tx.execute_batch("DELETE FROM registry_models; DELETE FROM registry_benchmarks;")
            .map_err(sql(db, action))?;
        {
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
        tx.commit().map_err(sql(db, action))
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
