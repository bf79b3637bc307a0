//! `gapwatch registry list|show`: the models and benchmarks gapwatch resolves names against,
//! built-in and the workspace's, each with the file and line it comes from.

use std::process::ExitCode;

use anyhow::{Result, bail};
use gapwatch_model::{BenchmarkEntry, ModelEntry, Provenance, Registry, Resolution};
use serde::Serialize;

use crate::table::Table;

/// Which entries `registry list` prints.
#[derive(Debug, Clone, Copy)]
pub struct ListFilter {
    pub models: bool,
    pub benchmarks: bool,
    /// Only entries the workspace added, replaced or extended.
    pub workspace_only: bool,
}

#[derive(Debug, Serialize)]
struct Listed<'r, T> {
    #[serde(flatten)]
    entry: &'r T,
    provenance: &'r Provenance,
}

#[derive(Debug, Default, Serialize)]
struct Listing<'r> {
    #[serde(skip_serializing_if = "Option::is_none")]
    benchmarks: Option<Vec<Listed<'r, BenchmarkEntry>>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    models: Option<Vec<Listed<'r, ModelEntry>>>,
}

/// True when the workspace's registry file wrote or changed the entry.
fn touched_by_workspace(p: &Provenance) -> bool {
    !p.origin.builtin || p.replaces.is_some() || p.extensions.iter().any(|e| !e.origin.builtin)
}

pub fn list(registry: &Registry, filter: ListFilter, json: bool) -> Result<ExitCode> {
    // Neither flag: both kinds.
    let (want_models, want_benchmarks) = match (filter.models, filter.benchmarks) {
        (false, false) => (true, true),
        other => other,
    };
    let keep = |p: &Provenance| !filter.workspace_only || touched_by_workspace(p);
    let mut listing = Listing::default();
    if want_benchmarks {
        listing.benchmarks = Some(
            registry
                .benchmarks_with_provenance()
                .filter(|(_, p)| keep(p))
                .map(|(entry, provenance)| Listed { entry, provenance })
                .collect(),
        );
    }
    if want_models {
        listing.models = Some(
            registry
                .models_with_provenance()
                .filter(|(_, p)| keep(p))
                .map(|(entry, provenance)| Listed { entry, provenance })
                .collect(),
        );
    }
    if json {
        outln!("{}", serde_json::to_string_pretty(&listing)?);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(benchmarks) = &listing.benchmarks {
        let mut t = Table::new(["id", "name", "unit", "variants", "headline", "from"]);
        for Listed {
            entry: b,
            provenance,
        } in benchmarks
        {
            t.row([
                b.id.clone(),
                b.name.clone(),
                b.unit.as_str().to_owned(),
                b.variants.join(", "),
                headline_text(b),
                provenance.to_string(),
            ]);
        }
        outln!("benchmarks ({}):", benchmarks.len());
        if !t.is_empty() {
            out!("{}", t.render());
        }
    }
    if let Some(models) = &listing.models {
        if listing.benchmarks.is_some() {
            outln!();
        }
        let mut t = Table::new(["id", "name", "organization", "access", "from"]);
        for Listed {
            entry: m,
            provenance,
        } in models
        {
            t.row([
                m.id.clone(),
                m.name.clone(),
                m.organization.clone(),
                m.access.as_str().to_owned(),
                provenance.to_string(),
            ]);
        }
        outln!("models ({}):", models.len());
        if !t.is_empty() {
            out!("{}", t.render());
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn headline_text(b: &BenchmarkEntry) -> String {
    let mut parts: Vec<String> = Vec::new();
    if !b.headline.variant.is_empty() {
        parts.push(format!("variant {}", b.headline.variant));
    }
    parts.extend(
        b.headline
            .settings
            .iter()
            .map(|(k, v)| format!("{k} = {v}")),
    );
    parts.join(", ")
}

#[derive(Debug, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
enum Shown<'r> {
    Model {
        /// How the name given found the entry: `id`, `alias` or `normalized`.
        matched: &'static str,
        entry: &'r ModelEntry,
        /// What the access rests on (the entry's own evidence, or its weights repository).
        #[serde(skip_serializing_if = "Option::is_none")]
        access_evidence: Option<String>,
        provenance: &'r Provenance,
    },
    Benchmark {
        matched: &'static str,
        entry: &'r BenchmarkEntry,
        provenance: &'r Provenance,
    },
}

fn matched(resolution: &Resolution<'_>, name: &str) -> Option<&'static str> {
    match resolution {
        Resolution::Exact(id) if *id == name.trim() => Some("id"),
        Resolution::Exact(_) => Some("alias"),
        Resolution::Normalized(_) => Some("normalized"),
        Resolution::Unresolved { .. } => None,
    }
}

pub fn show(registry: &Registry, name: &str, json: bool) -> Result<ExitCode> {
    let mut shown: Vec<Shown<'_>> = Vec::new();
    let model = registry.resolve_model_name(name);
    if let (Some(how), Some(id)) = (matched(&model, name), model.id())
        && let (Some(entry), Some(provenance)) = (registry.model(id), registry.model_provenance(id))
    {
        shown.push(Shown::Model {
            matched: how,
            entry,
            access_evidence: registry.access_evidence(id),
            provenance,
        });
    }
    let benchmark = registry.resolve_benchmark(name);
    if let (Some(how), Some(id)) = (matched(&benchmark, name), benchmark.id())
        && let (Some(entry), Some(provenance)) =
            (registry.benchmark(id), registry.benchmark_provenance(id))
    {
        shown.push(Shown::Benchmark {
            matched: how,
            entry,
            provenance,
        });
    }
    if shown.is_empty() {
        let mut suggestions: Vec<&str> = Vec::new();
        if benchmark == Resolution::Unresolved {
            suggestions.extend(registry.suggest_benchmarks(name));
        }
        if model == Resolution::Unresolved {
            suggestions.extend(registry.suggest_models(name));
        }
        if suggestions.is_empty() {
            bail!(
                "no model or benchmark is named {name:?}; `gapwatch registry list` shows every id"
            );
        }
        bail!(
            "no model or benchmark is named {name:?}; similar ids: {}",
            suggestions.join(", ")
        );
    }
    if json {
        let value = if shown.len() == 1 {
            serde_json::to_value(&shown[0])?
        } else {
            serde_json::to_value(&shown)?
        };
        outln!("{}", serde_json::to_string_pretty(&value)?);
        return Ok(ExitCode::SUCCESS);
    }
    for (i, s) in shown.iter().enumerate() {
        if i > 0 {
            outln!();
        }
        let mut t = Table::new(["", ""]);
        let (kind, id, how, provenance) = match s {
            Shown::Model {
                matched,
                entry: m,
                access_evidence,
                provenance,
            } => {
                t.row(["name", m.name.as_str()]);
                t.row(["organization", m.organization.as_str()]);
                t.row(["access", m.access.as_str()]);
                t.row(["access evidence", access_evidence.as_deref().unwrap_or("—")]);
                t.row(["license", m.license.as_deref().unwrap_or("—")]);
                t.row([
                    "parameters".to_owned(),
                    m.parameters_b.map_or("—".to_owned(), |p| format!("{p}B")),
                ]);
                t.row([
                    "released".to_owned(),
                    m.released.map_or("—".to_owned(), |d| d.to_string()),
                ]);
                t.row(["aliases".to_owned(), m.aliases.join(", ")]);
                ("model", m.id.as_str(), *matched, *provenance)
            }
            Shown::Benchmark {
                matched,
                entry: b,
                provenance,
            } => {
                t.row(["name", b.name.as_str()]);
                t.row(["metric", b.metric.as_str()]);
                t.row(["unit", b.unit.as_str()]);
                t.row([
                    "higher is better",
                    if b.higher_is_better { "yes" } else { "no" },
                ]);
                t.row(["saturated", if b.saturated { "yes" } else { "no" }]);
                t.row(["variants".to_owned(), b.variants.join(", ")]);
                t.row(["sub-scores".to_owned(), b.subscores.join(", ")]);
                t.row(["headline".to_owned(), headline_text(b)]);
                t.row([
                    "introduced".to_owned(),
                    b.introduced.map_or("—".to_owned(), |d| d.to_string()),
                ]);
                t.row(["aliases".to_owned(), b.aliases.join(", ")]);
                ("benchmark", b.id.as_str(), *matched, *provenance)
            }
        };
        t.row(["from".to_owned(), provenance.origin.to_string()]);
        if let Some(r) = &provenance.replaces {
            t.row(["replaces".to_owned(), r.to_string()]);
        }
        for e in &provenance.extensions {
            t.row([
                "extended by".to_owned(),
                format!("{} ({})", e.origin, e.fields.join(", ")),
            ]);
        }
        match how {
            "id" => outln!("{kind} {id}"),
            how => outln!("{kind} {id} ({name:?} matches it by {how})"),
        }
        // The table's header row is empty: print the rows only.
        for line in t.render().lines().skip(2) {
            outln!("  {line}");
        }
    }
    Ok(ExitCode::SUCCESS)
}
