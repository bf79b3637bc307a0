//! The registry of known models and benchmarks, and name resolution against it.
//!
//! Resolution is exact alias first, then a normalized key (case, separators, punctuation).
//! There is no fuzzy matching: `claude-3-5-sonnet-20241022` and `claude-3-5-sonnet-20240620`
//! stay two models. Names that resolve to nothing get suggestions for a person to confirm.

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use serde::{Deserialize, Serialize};

use crate::registry_file::{self, BenchmarkPatch, Extension, ModelPatch};
use crate::{Access, Date, EntryOrigin, ModelError, Provenance, Unit};

/// A model the registry knows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelEntry {
    /// Canonical id, lowercase: `gpt-4o-2024-05-13`.
    pub id: String,
    /// Name for people: `GPT-4o (2024-05-13)`.
    pub name: String,
    /// Who made it.
    pub organization: String,
    /// Whether its weights are downloadable.
    pub access: Access,
    /// What the access rests on: a URL or a quoted statement (a weights repository and its
    /// license, a lab's announcement that the model is API-only), or `curator: …` when it is
    /// the registry keeper's judgment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_evidence: Option<String>,
    /// License name, `proprietary` for closed models.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
    /// Parameter count in billions, when published.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameters_b: Option<f64>,
    /// Release date, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub released: Option<Date>,
    /// Other spellings sources use for exactly this model.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// A benchmark the registry knows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BenchmarkEntry {
    /// Canonical id: `swe-bench-verified`.
    pub id: String,
    /// Name for people: `SWE-bench Verified`.
    pub name: String,
    /// What the headline number measures: `% resolved`, `accuracy`.
    #[serde(default)]
    pub metric: String,
    /// The unit of its scores.
    pub unit: Unit,
    /// False for metrics where less is better (error rates, cost).
    #[serde(default = "yes")]
    pub higher_is_better: bool,
    /// Whether top scores sit near the ceiling, so gaps say little.
    #[serde(default)]
    pub saturated: bool,
    /// Known variants (splits), empty for a single board.
    #[serde(default)]
    pub variants: Vec<String>,
    /// Variants that are sub-scores (a category or a subset of the benchmark): shown in their
    /// own rows, never counted as separate wins or losses.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscores: Vec<String>,
    /// The comparison a reader assumes when the benchmark is named.
    #[serde(default, skip_serializing_if = "Headline::is_empty")]
    pub headline: Headline,
    /// When the benchmark was first published; a result dated earlier cannot be true.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub introduced: Option<Date>,
    /// Other spellings sources use.
    #[serde(default)]
    pub aliases: Vec<String>,
}

/// The headline comparison of a benchmark: the variant and the settings a reader assumes
/// when the benchmark is named (SWE-bench Verified: one attempt; Video-MME: no subtitles).
///
/// Each key of `settings` is a setting that changes the task. Results whose value for it
/// differs are a comparison of their own, shown apart; results whose source does not state
/// it are kept in the headline comparison and marked as unstated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Headline {
    /// The variant (split) that is the headline; empty for the main one.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub variant: String,
    /// Setting keys that change the task, each with the value readers assume. An empty value
    /// means the headline is the results that state none: any stated value (a harness other
    /// than the benchmark's own) stands apart, and not stating it is not remarked on. The value
    /// `@latest` means the value the most recently observed result states (a board's current
    /// version): results stating an older one stand apart.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub settings: std::collections::BTreeMap<String, String>,
}

impl Headline {
    /// True when nothing is declared: the main variant, no settings that split results.
    pub fn is_empty(&self) -> bool {
        self.variant.is_empty() && self.settings.is_empty()
    }
}

fn yes() -> bool {
    true
}

/// How a name was resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution<'r> {
    /// The name is the id or an alias.
    Exact(&'r str),
    /// The name matched after normalization.
    Normalized(&'r str),
    /// Nothing matched. Likely ids for a person to confirm are ranked apart, by
    /// [`Registry::suggest_models`] or [`Registry::suggest_benchmarks`], only where they are
    /// shown: ranking them takes a pass over every entry, and most callers only need the id.
    Unresolved,
}

impl<'r> Resolution<'r> {
    /// The canonical id, when resolved.
    pub fn id(&self) -> Option<&'r str> {
        match self {
            Resolution::Exact(id) | Resolution::Normalized(id) => Some(id),
            Resolution::Unresolved => None,
        }
    }
}

/// Models and benchmarks with their aliases, indexed for resolution, each with where it
/// comes from ([`Provenance`]).
#[derive(Debug, Clone, Default)]
pub struct Registry {
    models: Vec<ModelEntry>,
    benchmarks: Vec<BenchmarkEntry>,
    /// Where each model comes from, by position in `models`.
    model_provenance: Vec<Provenance>,
    /// Where each benchmark comes from, by position in `benchmarks`.
    benchmark_provenance: Vec<Provenance>,
    model_exact: HashMap<String, usize>,
    model_normalized: HashMap<String, usize>,
    benchmark_exact: HashMap<String, usize>,
    benchmark_normalized: HashMap<String, usize>,
}

/// One file of the builtin registry, by its path under `data/`, with its text.
macro_rules! data_file {
    ($path:literal) => {
        ($path, include_str!(concat!("../data/", $path)))
    };
}

/// The files of the builtin registry: benchmarks first, then models, one file per large
/// organization.
const HUB_REPOSITORIES: &str = include_str!("../data/models/hub.tsv");
/// The builtin file of Hugging Face repositories, as entries' origins name it.
const HUB_FILE: &str = "models/hub.tsv";

const BUILTIN: &[(&str, &str)] = &[
    data_file!("registry.toml"),
    data_file!("models/openai.toml"),
    data_file!("models/anthropic.toml"),
    data_file!("models/google.toml"),
    data_file!("models/meta.toml"),
    data_file!("models/mistral.toml"),
    data_file!("models/alibaba.toml"),
    data_file!("models/deepseek.toml"),
    data_file!("models/xai.toml"),
    data_file!("models/others.toml"),
    data_file!("models/systems.toml"),
];

/// The normalized key of a name: lowercase, every run of characters other than letters and
/// digits folded to one `-`, trimmed. `Claude 3.5 Sonnet` and `claude-3-5-sonnet` share a key.
/// A `+` is meaningful (`HumanEval+`, `Command R+`) and becomes the token `plus`.
pub fn normalize_name(name: &str) -> String {
    let mut key = String::with_capacity(name.len());
    let mut pending_sep = false;
    for c in name.chars() {
        // Most names are ASCII: the same rules without the Unicode tables.
        if c.is_ascii_alphanumeric() {
            if pending_sep && !key.is_empty() {
                key.push('-');
            }
            pending_sep = false;
            key.push(c.to_ascii_lowercase());
        } else if c == '+' {
            if !key.is_empty() {
                key.push('-');
            }
            key.push_str("plus");
            pending_sep = true;
        } else if c.is_alphanumeric() {
            if pending_sep && !key.is_empty() {
                key.push('-');
            }
            pending_sep = false;
            key.extend(c.to_lowercase());
        } else {
            pending_sep = true;
        }
    }
    key
}

impl Registry {
    /// The curated registry that ships with gapwatch. Each entry's [`Provenance`] names its
    /// file under `data/` and its line.
    pub fn builtin() -> Result<Self, ModelError> {
        let mut models = Vec::new();
        let mut benchmarks = Vec::new();
        let mut model_patches = Vec::new();
        let mut benchmark_patches = Vec::new();
        for (path, text) in BUILTIN {
            let file =
                registry_file::parse(text, path, true, &format!("builtin registry ({path})"))?;
            models.extend(file.models);
            benchmarks.extend(file.benchmarks);
            model_patches.extend(file.model_patches);
            benchmark_patches.extend(file.benchmark_patches);
        }
        let mut curated = Self::from_parsed(models, benchmarks, "builtin registry")?;
        curated.apply_patches(&model_patches, &benchmark_patches, "builtin registry")?;
        curated.add_hub_repositories(
            HUB_REPOSITORIES,
            &EntryOrigin {
                builtin: true,
                file: HUB_FILE.to_owned(),
                line: None,
            },
            "builtin registry (models/hub.tsv)",
        )?;
        Ok(curated)
    }

    /// Adds open-weights models listed as Hugging Face repositories, one per line:
    /// `owner/name<TAB>parameters in billions<TAB>license` (`#` starts a comment). The
    /// repository id is the model's id and name, and the repository is the evidence of its
    /// access ([`Registry::access_evidence`]). A repository the registry already resolves (a curated entry, or an earlier
    /// line with the same normalized key) is skipped, so curated entries win.
    pub fn with_hub_repositories(mut self, tsv: &str, origin: &str) -> Result<Self, ModelError> {
        self.add_hub_repositories(tsv, &EntryOrigin::file(origin), origin)?;
        Ok(self)
    }

    fn add_hub_repositories(
        &mut self,
        tsv: &str,
        file: &EntryOrigin,
        origin: &str,
    ) -> Result<(), ModelError> {
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut added = Vec::new();
        let mut lines = Vec::new();
        for (n, line) in tsv.lines().enumerate() {
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.split('\t');
            let repo = fields.next().unwrap_or_default().trim();
            if repo.is_empty() || repo.contains(char::is_whitespace) {
                return Err(ModelError::Registry {
                    origin: origin.to_owned(),
                    message: format!("line {}: {repo:?} is not a repository id", n + 1),
                });
            }
            // Early repositories (`gpt2`) have no owner part.
            let owner = repo.split_once('/').map_or(repo, |(owner, _)| owner);
            let parameters_b = match fields.next().map(str::trim) {
                None | Some("") => None,
                Some(p) => Some(p.parse::<f64>().map_err(|_| ModelError::Registry {
                    origin: origin.to_owned(),
                    message: format!("line {}: parameters {p:?} are not a number", n + 1),
                })?),
            };
            let license = fields
                .next()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned);
            let key = normalize_name(repo);
            if self.model_exact.contains_key(repo)
                || self.model_normalized.contains_key(&key)
                || !seen.insert(key)
            {
                continue;
            }
            added.push(ModelEntry {
                id: repo.to_lowercase(),
                name: repo.to_owned(),
                organization: owner.to_owned(),
                access: Access::OpenWeights,
                // The repository is the evidence: see `Registry::access_evidence`.
                access_evidence: None,
                license,
                parameters_b,
                released: None,
                aliases: Vec::new(),
            });
            lines.push(n + 1);
        }
        // Only the new entries are indexed: the curated ones already are.
        let first = self.models.len();
        self.models.extend(added);
        self.model_provenance.extend(lines.into_iter().map(|line| {
            Provenance::at(EntryOrigin {
                line: Some(line),
                ..file.clone()
            })
        }));
        self.index_models_from(first, origin)
    }

    /// Reads a registry from TOML text with `[[model]]` and `[[benchmark]]` tables.
    /// `origin` names the file in errors and in each entry's [`Provenance`]. A table with
    /// `extends = "id"` changes an entry of the same text (see
    /// [`Registry::extend_with_toml`]).
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Self, ModelError> {
        let file = registry_file::parse(text, origin, false, origin)?;
        let mut reg = Self::from_parsed(file.models, file.benchmarks, origin)?;
        reg.apply_patches(&file.model_patches, &file.benchmark_patches, origin)?;
        Ok(reg)
    }

    /// Adds a registry file to this registry, as a workspace's `registry.toml` extends the
    /// builtin one: a `[[model]]` or `[[benchmark]]` with a new id is added, one with the id
    /// of an existing entry replaces it whole, and one with `extends = "id"` changes only
    /// the fields it sets (aliases, variants and sub-scores are added to the entry's own).
    /// `origin` names the file in errors and in each entry's [`Provenance`].
    ///
    /// ```
    /// use gapwatch_model::{Access, Registry};
    ///
    /// let registry = Registry::builtin()?.extend_with_toml(r#"
    /// [[model]]
    /// extends = "gpt-4o-2024-05-13"
    /// aliases = ["GPT-4o May"]
    /// "#, "registry.toml")?;
    /// assert_eq!(registry.resolve_model_name("GPT-4o May").id(), Some("gpt-4o-2024-05-13"));
    /// // The builtin entry keeps everything else, and says who changed it.
    /// assert_eq!(registry.model("gpt-4o-2024-05-13").map(|m| m.access), Some(Access::Closed));
    /// let provenance = registry.model_provenance("gpt-4o-2024-05-13").unwrap();
    /// assert!(provenance.origin.builtin);
    /// assert_eq!(provenance.extensions[0].fields, ["aliases"]);
    /// # Ok::<(), gapwatch_model::ModelError>(())
    /// ```
    pub fn extend_with_toml(self, text: &str, origin: &str) -> Result<Self, ModelError> {
        let file = registry_file::parse(text, origin, false, origin)?;
        let extra = Self::from_parsed(file.models, file.benchmarks, origin)?;
        let mut reg = self.merge(extra, origin)?;
        reg.apply_patches(&file.model_patches, &file.benchmark_patches, origin)?;
        Ok(reg)
    }

    fn from_parsed(
        models: Vec<(ModelEntry, EntryOrigin)>,
        benchmarks: Vec<(BenchmarkEntry, EntryOrigin)>,
        origin: &str,
    ) -> Result<Self, ModelError> {
        let (models, model_origins): (Vec<_>, Vec<_>) = models.into_iter().unzip();
        let (benchmarks, benchmark_origins): (Vec<_>, Vec<_>) = benchmarks.into_iter().unzip();
        let mut reg = Registry {
            models,
            benchmarks,
            model_provenance: model_origins.into_iter().map(Provenance::at).collect(),
            benchmark_provenance: benchmark_origins.into_iter().map(Provenance::at).collect(),
            ..Registry::default()
        };
        reg.reindex(origin)?;
        Ok(reg)
    }

    /// Applies extensions in order, then indexes the names they changed.
    fn apply_patches(
        &mut self,
        models: &[ModelPatch],
        benchmarks: &[BenchmarkPatch],
        origin: &str,
    ) -> Result<(), ModelError> {
        if models.is_empty() && benchmarks.is_empty() {
            return Ok(());
        }
        for patch in models {
            let Some(i) = self.model_slot(&patch.target) else {
                return Err(self.missing_target("model", &patch.target, &patch.origin, origin));
            };
            let fields = patch.apply(&mut self.models[i]);
            self.model_provenance[i].extensions.push(Extension {
                origin: patch.origin.clone(),
                fields,
            });
        }
        for patch in benchmarks {
            let Some(i) = self.benchmark_slot(&patch.target) else {
                return Err(self.missing_target("benchmark", &patch.target, &patch.origin, origin));
            };
            let fields = patch.apply(&mut self.benchmarks[i]);
            self.benchmark_provenance[i].extensions.push(Extension {
                origin: patch.origin.clone(),
                fields,
            });
        }
        // Names were added or changed: the whole index is rebuilt, and clashes refused.
        self.reindex(origin)
    }

    fn missing_target(
        &self,
        kind: &str,
        target: &str,
        at: &EntryOrigin,
        origin: &str,
    ) -> ModelError {
        let resolution = if kind == "model" {
            self.resolve_model_name(target)
        } else {
            self.resolve_benchmark(target)
        };
        let hint = match resolution {
            Resolution::Exact(id) | Resolution::Normalized(id) => {
                format!("; it is a name of {id:?}, and `extends` takes the id")
            }
            Resolution::Unresolved => {
                let mut suggestions = if kind == "model" {
                    self.suggest_models(target)
                } else {
                    self.suggest_benchmarks(target)
                };
                // `gpt-4o` for the dated `gpt-4o-2024-05-13`: ids that continue the name.
                let key = format!("{}-", normalize_name(target));
                let ids: Vec<&str> = if kind == "model" {
                    self.models.iter().map(|m| m.id.as_str()).collect()
                } else {
                    self.benchmarks.iter().map(|b| b.id.as_str()).collect()
                };
                for id in ids {
                    if suggestions.len() >= 5 {
                        break;
                    }
                    if id.starts_with(&key) && !suggestions.contains(&id) {
                        suggestions.push(id);
                    }
                }
                if suggestions.is_empty() {
                    String::new()
                } else {
                    format!("; did you mean {}?", suggestions.join(", "))
                }
            }
        };
        let line = at.line.map(|l| format!("line {l}: ")).unwrap_or_default();
        ModelError::Registry {
            origin: origin.to_owned(),
            message: format!("{line}extends {target:?}: no {kind} has this id{hint}"),
        }
    }

    /// Builds a registry from entries, refusing an alias that would name two things.
    pub fn from_entries(
        models: Vec<ModelEntry>,
        benchmarks: Vec<BenchmarkEntry>,
        origin: &str,
    ) -> Result<Self, ModelError> {
        let at = || Provenance::at(EntryOrigin::file(origin));
        let mut reg = Registry {
            model_provenance: models.iter().map(|_| at()).collect(),
            benchmark_provenance: benchmarks.iter().map(|_| at()).collect(),
            models,
            benchmarks,
            ..Registry::default()
        };
        reg.reindex(origin)?;
        Ok(reg)
    }

    /// Adds or replaces entries from `other` (same id replaces), as when a user's registry
    /// extends the builtin one.
    pub fn merge(mut self, other: Registry, origin: &str) -> Result<Self, ModelError> {
        let (first_model, first_benchmark) = (self.models.len(), self.benchmarks.len());
        let mut replaced = false;
        for (m, mut p) in other.models.into_iter().zip(other.model_provenance) {
            match self.model_slot(&m.id) {
                Some(i) => {
                    self.models[i] = m;
                    p.replaces = Some(self.model_provenance[i].origin.clone());
                    self.model_provenance[i] = p;
                    replaced = true;
                }
                None => {
                    self.models.push(m);
                    self.model_provenance.push(p);
                }
            }
        }
        for (b, mut p) in other.benchmarks.into_iter().zip(other.benchmark_provenance) {
            match self.benchmark_slot(&b.id) {
                Some(i) => {
                    self.benchmarks[i] = b;
                    p.replaces = Some(self.benchmark_provenance[i].origin.clone());
                    self.benchmark_provenance[i] = p;
                    replaced = true;
                }
                None => {
                    self.benchmarks.push(b);
                    self.benchmark_provenance.push(p);
                }
            }
        }
        if replaced {
            // A replaced entry's old names must leave the index.
            self.reindex(origin)?;
        } else {
            // Indexing only the added entries, after the others, finds exactly what indexing
            // them all would.
            self.index_models_from(first_model, origin)?;
            self.index_benchmarks_from(first_benchmark, origin)?;
        }
        Ok(self)
    }

    /// Where the indexed model with this id sits: an id is one of its model's indexed names.
    /// (The ids of a registry's entries are distinct, so [`Registry::merge`] never looks up a
    /// model it has just added and not yet indexed.)
    fn model_slot(&self, id: &str) -> Option<usize> {
        if id.is_empty() {
            // Empty names are not indexed.
            return self.models.iter().position(|m| m.id.is_empty());
        }
        self.model_exact
            .get(id)
            .copied()
            .filter(|&i| self.models[i].id == id)
    }

    /// Where the indexed benchmark with this id sits; see [`Registry::model_slot`].
    fn benchmark_slot(&self, id: &str) -> Option<usize> {
        if id.is_empty() {
            return self.benchmarks.iter().position(|b| b.id.is_empty());
        }
        self.benchmark_exact
            .get(id)
            .copied()
            .filter(|&i| self.benchmarks[i].id == id)
    }

    fn reindex(&mut self, origin: &str) -> Result<(), ModelError> {
        self.model_exact.clear();
        self.model_normalized.clear();
        self.benchmark_exact.clear();
        self.benchmark_normalized.clear();
        self.index_models_from(0, origin)?;
        self.index_benchmarks_from(0, origin)
    }

    /// Adds the models from `first` on to an index that holds those before it.
    fn index_models_from(&mut self, first: usize, origin: &str) -> Result<(), ModelError> {
        let models = &self.models;
        index_from(
            "model",
            first,
            models[first..]
                .iter()
                .map(|m| (m.id.as_str(), names_of(&m.id, &m.name, &m.aliases))),
            |i| models[i].id.as_str(),
            (&mut self.model_exact, &mut self.model_normalized),
            origin,
        )
    }

    /// Adds the benchmarks from `first` on to an index that holds those before it.
    fn index_benchmarks_from(&mut self, first: usize, origin: &str) -> Result<(), ModelError> {
        let benchmarks = &self.benchmarks;
        index_from(
            "benchmark",
            first,
            benchmarks[first..]
                .iter()
                .map(|b| (b.id.as_str(), names_of(&b.id, &b.name, &b.aliases))),
            |i| benchmarks[i].id.as_str(),
            (&mut self.benchmark_exact, &mut self.benchmark_normalized),
            origin,
        )
    }

    /// All models, in registry order.
    pub fn models(&self) -> &[ModelEntry] {
        &self.models
    }

    /// All benchmarks, in registry order.
    pub fn benchmarks(&self) -> &[BenchmarkEntry] {
        &self.benchmarks
    }

    /// Where the model with this canonical id comes from.
    pub fn model_provenance(&self, id: &str) -> Option<&Provenance> {
        self.model_slot(id).map(|i| &self.model_provenance[i])
    }

    /// Where the benchmark with this canonical id comes from.
    pub fn benchmark_provenance(&self, id: &str) -> Option<&Provenance> {
        self.benchmark_slot(id)
            .map(|i| &self.benchmark_provenance[i])
    }

    /// What the access of the model with this id rests on: its `access_evidence`, or for a
    /// Hugging Face repository of the builtin `models/hub.tsv`, the repository itself.
    pub fn access_evidence(&self, id: &str) -> Option<String> {
        let i = self.model_slot(id)?;
        let m = &self.models[i];
        if let Some(e) = &m.access_evidence {
            return Some(e.clone());
        }
        let origin = &self.model_provenance[i].origin;
        (origin.builtin && origin.file == HUB_FILE && m.access == Access::OpenWeights)
            .then(|| format!("weights published at https://huggingface.co/{}", m.name))
    }

    /// Every model with where it comes from, in registry order.
    pub fn models_with_provenance(&self) -> impl Iterator<Item = (&ModelEntry, &Provenance)> {
        self.models.iter().zip(&self.model_provenance)
    }

    /// Every benchmark with where it comes from, in registry order.
    pub fn benchmarks_with_provenance(
        &self,
    ) -> impl Iterator<Item = (&BenchmarkEntry, &Provenance)> {
        self.benchmarks.iter().zip(&self.benchmark_provenance)
    }

    /// The model with this canonical id.
    pub fn model(&self, id: &str) -> Option<&ModelEntry> {
        self.model_exact
            .get(id)
            .map(|&i| &self.models[i])
            .filter(|m| m.id == id)
    }

    /// The benchmark with this canonical id.
    pub fn benchmark(&self, id: &str) -> Option<&BenchmarkEntry> {
        self.benchmark_exact
            .get(id)
            .map(|&i| &self.benchmarks[i])
            .filter(|b| b.id == id)
    }

    /// Resolves a model name as a source writes it: two hash lookups, never a ranking.
    pub fn resolve_model_name(&self, name: &str) -> Resolution<'_> {
        resolve(name, &self.model_exact, &self.model_normalized, |i| {
            self.models[i].id.as_str()
        })
    }

    /// Resolves a benchmark name as a source or a user writes it.
    pub fn resolve_benchmark(&self, name: &str) -> Resolution<'_> {
        resolve(
            name,
            &self.benchmark_exact,
            &self.benchmark_normalized,
            |i| self.benchmarks[i].id.as_str(),
        )
    }

    /// Up to three model ids likely meant by a name that does not resolve, best first, for a
    /// person to confirm (never applied). A pass over every model: call it only where the
    /// suggestions are shown.
    pub fn suggest_models(&self, name: &str) -> Vec<&str> {
        suggest(
            &normalize_name(name),
            self.models.iter().map(|m| m.id.as_str()),
        )
    }

    /// As [`Registry::suggest_models`], for benchmarks.
    pub fn suggest_benchmarks(&self, name: &str) -> Vec<&str> {
        suggest(
            &normalize_name(name),
            self.benchmarks.iter().map(|b| b.id.as_str()),
        )
    }
}

fn names_of<'a>(id: &'a str, name: &'a str, aliases: &'a [String]) -> Vec<&'a str> {
    let mut v = vec![id, name];
    v.extend(aliases.iter().map(String::as_str));
    v
}

type Index = HashMap<String, usize>;

/// Indexes the names of `entries`, the entries from number `first` on, into `exact` and
/// `normalized`, which hold the names of the entries before them; refuses a name that would
/// name two entries.
fn index_from<'a>(
    kind: &'static str,
    first: usize,
    entries: impl Iterator<Item = (&'a str, Vec<&'a str>)>,
    id_at: impl Fn(usize) -> &'a str,
    (exact, normalized): (&mut Index, &mut Index),
    origin: &str,
) -> Result<(), ModelError> {
    let added = entries.size_hint().0;
    exact.reserve(added * 2);
    normalized.reserve(added);
    for (k, (id, names)) in entries.enumerate() {
        let i = first + k;
        for name in names {
            for (map, key) in [
                (&mut *exact, name.to_owned()),
                (&mut *normalized, normalize_name(name)),
            ] {
                if key.is_empty() {
                    continue;
                }
                match map.entry(key) {
                    Entry::Occupied(slot) if *slot.get() != i => {
                        return Err(ModelError::AmbiguousAlias {
                            origin: origin.to_owned(),
                            kind,
                            alias: name.to_owned(),
                            first: id_at(*slot.get()).to_owned(),
                            second: id.to_owned(),
                        });
                    }
                    Entry::Occupied(_) => {}
                    Entry::Vacant(slot) => {
                        slot.insert(i);
                    }
                }
            }
        }
    }
    Ok(())
}

fn resolve<'r>(
    name: &str,
    exact: &Index,
    normalized: &Index,
    id_at: impl Fn(usize) -> &'r str,
) -> Resolution<'r> {
    if let Some(&i) = exact.get(name.trim()) {
        return Resolution::Exact(id_at(i));
    }
    let key = normalize_name(name);
    if let Some(&i) = normalized.get(&key) {
        return Resolution::Normalized(id_at(i));
    }
    Resolution::Unresolved
}

/// Ranks ids by how many of the name's tokens they share (Jaccard over `-` tokens), keeping
/// those that share at least half; an id that differs from the name only in where its
/// separators fall (`videollama3-7b` for `VideoLLaMA 3 7B`) ranks first. Suggestions only:
/// nothing is ever merged on this basis.
fn suggest<'r>(key: &str, ids: impl Iterator<Item = &'r str>) -> Vec<&'r str> {
    let tokens: Vec<&str> = key.split('-').filter(|t| !t.is_empty()).collect();
    if tokens.is_empty() {
        return Vec::new();
    }
    let compact: String = tokens.concat();
    let mut scored: Vec<(f64, &str)> = ids
        .filter_map(|id| {
            let joined = id
                .bytes()
                .filter(|b| b.is_ascii_alphanumeric())
                .map(char::from)
                .eq(compact.chars());
            if joined {
                return Some((2.0, id));
            }
            let id_tokens: Vec<&str> = id.split('-').collect();
            let shared = tokens.iter().filter(|t| id_tokens.contains(t)).count();
            let union = tokens.len() + id_tokens.len() - shared;
            let score = shared as f64 / union as f64;
            (score >= 0.5).then_some((score, id))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(b.1)));
    scored.into_iter().take(3).map(|(_, id)| id).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SMALL: &str = r#"
[[model]]
id = "claude-3-5-sonnet-20241022"
name = "Claude 3.5 Sonnet (2024-10-22)"
organization = "Anthropic"
access = "closed"
aliases = ["claude-3-5-sonnet-20241022", "Claude 3.5 Sonnet (Oct 2024)"]

[[model]]
id = "claude-3-5-sonnet-20240620"
name = "Claude 3.5 Sonnet (2024-06-20)"
organization = "Anthropic"
access = "closed"

[[model]]
id = "llama-3-1-405b-instruct"
name = "Llama 3.1 405B Instruct"
organization = "Meta"
access = "open-weights"
license = "llama3.1"

[[benchmark]]
id = "mmlu"
name = "MMLU"
unit = "percent"
"#;

    #[test]
    fn normalization_folds_case_separators_and_punctuation() {
        assert_eq!(normalize_name("Claude 3.5 Sonnet"), "claude-3-5-sonnet");
        assert_eq!(normalize_name("  claude_3-5--sonnet!"), "claude-3-5-sonnet");
        assert_eq!(normalize_name("GPT-4o"), "gpt-4o");
        assert_eq!(normalize_name("***"), "");
        assert_eq!(normalize_name("HumanEval+"), "humaneval-plus");
        assert_ne!(normalize_name("Command R+"), normalize_name("Command R"));
    }

    #[test]
    fn exact_then_normalized_never_fuzzy() {
        let reg = Registry::from_toml_str(SMALL, "test").unwrap();
        assert_eq!(
            reg.resolve_model_name("Claude 3.5 Sonnet (Oct 2024)"),
            Resolution::Exact("claude-3-5-sonnet-20241022")
        );
        assert_eq!(
            reg.resolve_model_name("LLAMA 3.1 405b instruct"),
            Resolution::Normalized("llama-3-1-405b-instruct")
        );
        // Only the separators differ: suggested first, still never resolved.
        assert_eq!(
            reg.resolve_model_name("llama 3.1 405binstruct"),
            Resolution::Unresolved
        );
        assert_eq!(
            reg.suggest_models("llama 3.1 405binstruct").first(),
            Some(&"llama-3-1-405b-instruct")
        );
        // A dated snapshot the registry lacks stays unresolved even though it is close.
        let r = reg.resolve_model_name("claude-3-5-sonnet-20250101");
        assert_eq!(r.id(), None);
        assert_eq!(r, Resolution::Unresolved);
        let suggestions = reg.suggest_models("claude-3-5-sonnet-20250101");
        assert!(
            suggestions.contains(&"claude-3-5-sonnet-20241022"),
            "{suggestions:?}"
        );
        // A name without tokens has nothing to rank by.
        assert!(reg.suggest_models("***").is_empty());
    }

    #[test]
    fn an_alias_naming_two_models_is_refused() {
        let bad = format!(
            "{SMALL}\n[[model]]\nid = \"x\"\nname = \"X\"\norganization = \"o\"\naccess = \"closed\"\naliases = [\"Claude 3.5 Sonnet (Oct 2024)\"]\n"
        );
        let err = Registry::from_toml_str(&bad, "mine.toml").unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.contains("mine.toml") && msg.contains("claude-3-5-sonnet-20241022"),
            "{msg}"
        );
    }

    #[test]
    fn merge_replaces_by_id_and_adds() {
        let base = Registry::from_toml_str(SMALL, "a").unwrap();
        let extra = Registry::from_toml_str(
            "[[model]]\nid = \"llama-3-1-405b-instruct\"\nname = \"L\"\norganization = \"Meta\"\naccess = \"limited\"\n",
            "b",
        )
        .unwrap();
        let merged = base.merge(extra, "b").unwrap();
        assert_eq!(merged.models().len(), 3);
        assert_eq!(
            merged.model("llama-3-1-405b-instruct").unwrap().access,
            Access::Limited
        );
    }

    #[test]
    fn merge_indexes_added_entries_and_refuses_their_clashes() {
        let base = Registry::from_toml_str(SMALL, "a").unwrap();
        let extra = Registry::from_toml_str(
            "[[model]]\nid = \"my-model\"\nname = \"My Model\"\norganization = \"Me\"\naccess = \"open-weights\"\naliases = [\"mine-v1\"]\n\n[[benchmark]]\nid = \"gpqa\"\nname = \"GPQA Diamond\"\nunit = \"percent\"\n",
            "mine.toml",
        )
        .unwrap();
        let merged = base.clone().merge(extra, "mine.toml").unwrap();
        assert_eq!(
            merged.resolve_model_name("mine-v1"),
            Resolution::Exact("my-model")
        );
        assert_eq!(
            merged.resolve_model_name("MY MODEL"),
            Resolution::Normalized("my-model")
        );
        assert_eq!(
            merged.resolve_benchmark("gpqa diamond"),
            Resolution::Normalized("gpqa")
        );
        assert_eq!(
            merged.resolve_model_name("Claude 3.5 Sonnet (Oct 2024)"),
            Resolution::Exact("claude-3-5-sonnet-20241022")
        );
        // The same index as building the merged entries from scratch.
        let rebuilt = Registry::from_entries(
            merged.models().to_vec(),
            merged.benchmarks().to_vec(),
            "rebuilt",
        )
        .unwrap();
        assert_eq!(merged.model_exact, rebuilt.model_exact);
        assert_eq!(merged.model_normalized, rebuilt.model_normalized);
        assert_eq!(merged.benchmark_exact, rebuilt.benchmark_exact);
        assert_eq!(merged.benchmark_normalized, rebuilt.benchmark_normalized);

        // An added model may not take a name of an existing one.
        let clash = Registry::from_toml_str(
            "[[model]]\nid = \"x\"\nname = \"X\"\norganization = \"o\"\naccess = \"closed\"\naliases = [\"LLAMA 3.1 405B instruct\"]\n",
            "clash.toml",
        )
        .unwrap();
        let msg = base.merge(clash, "clash.toml").unwrap_err().to_string();
        assert!(
            msg.contains("clash.toml")
                && msg.contains("llama-3-1-405b-instruct")
                && msg.contains("\"x\""),
            "{msg}"
        );
    }

    #[test]
    fn merge_replacing_an_entry_forgets_its_old_names() {
        let base = Registry::from_toml_str(SMALL, "a").unwrap();
        let extra = Registry::from_toml_str(
            "[[model]]\nid = \"claude-3-5-sonnet-20241022\"\nname = \"Claude 3.5 Sonnet v2\"\norganization = \"Anthropic\"\naccess = \"closed\"\n",
            "b",
        )
        .unwrap();
        let merged = base.merge(extra, "b").unwrap();
        assert_eq!(merged.models().len(), 3);
        assert_eq!(
            merged.resolve_model_name("claude 3.5 sonnet v2"),
            Resolution::Normalized("claude-3-5-sonnet-20241022")
        );
        assert_eq!(
            merged
                .resolve_model_name("Claude 3.5 Sonnet (Oct 2024)")
                .id(),
            None
        );
        // An empty registry changes nothing.
        let same = merged.clone().merge(Registry::default(), "c").unwrap();
        assert_eq!(same.models(), merged.models());
        assert_eq!(same.model_exact, merged.model_exact);
        assert_eq!(same.model_normalized, merged.model_normalized);
    }

    #[test]
    fn normalization_of_non_ascii_names() {
        assert_eq!(normalize_name("Ünïcode Módel 2"), "ünïcode-módel-2");
        assert_eq!(normalize_name("ÆON–7B"), "æon-7b");
        assert_eq!(normalize_name("模型 v2+"), "模型-v2-plus");
    }

    #[test]
    fn builtin_registry_loads() {
        let reg = Registry::builtin().unwrap();
        assert!(reg.models().len() > 10);
        assert!(reg.benchmark("swe-bench-verified").is_some());
    }
}

#[cfg(test)]
mod extension_tests {
    use super::*;

    const BASE: &str = r#"
[[model]]
id = "gpt-4o-2024-05-13"
name = "GPT-4o (2024-05-13)"
organization = "OpenAI"
access = "closed"
access_evidence = "https://openai.com/index/hello-gpt-4o/ (API only)"
aliases = ["gpt-4o-2024-05-13"]

[[model]]
id = "mystery-7b"
name = "Mystery 7B"
organization = "Someone"
access = "unknown"

[[benchmark]]
id = "video-mme"
name = "Video-MME"
unit = "percent"
"#;

    fn base() -> Registry {
        Registry::from_toml_str(BASE, "base.toml").unwrap()
    }

    #[test]
    fn an_extension_changes_only_the_fields_it_sets_and_adds_aliases() {
        let reg = base()
            .extend_with_toml(
                r#"
[[model]]
extends = "mystery-7b"
access = "open-weights"
access_evidence = "https://huggingface.co/someone/mystery-7b"
released = "2025-01-02"
aliases = ["Mystery-7B-Instruct"]

[[benchmark]]
extends = "video-mme"
aliases = ["Video MME (w/o subs)"]
subscores = ["long"]
headline = { settings = { subtitles = "without" } }
"#,
                "ws/registry.toml",
            )
            .unwrap();
        let m = reg.model("mystery-7b").unwrap();
        assert_eq!(m.access, Access::OpenWeights);
        assert_eq!(m.name, "Mystery 7B");
        assert_eq!(m.organization, "Someone");
        assert_eq!(m.released, Some("2025-01-02".parse().unwrap()));
        assert_eq!(
            reg.resolve_model_name("mystery 7b instruct").id(),
            Some("mystery-7b")
        );
        // The builtin names still resolve.
        assert_eq!(
            reg.resolve_model_name("Mystery 7B"),
            Resolution::Exact("mystery-7b")
        );
        let p = reg.model_provenance("mystery-7b").unwrap();
        assert_eq!(p.origin.file, "base.toml");
        assert_eq!(p.origin.line, Some(10));
        assert_eq!(p.extensions.len(), 1);
        assert_eq!(p.extensions[0].origin.file, "ws/registry.toml");
        assert_eq!(p.extensions[0].origin.line, Some(2));
        assert_eq!(
            p.extensions[0].fields,
            ["access", "access_evidence", "released", "aliases"]
        );
        assert_eq!(
            p.to_string(),
            "base.toml:10, extended by ws/registry.toml:2 (access, access_evidence, released, aliases)"
        );
        let b = reg.benchmark("video-mme").unwrap();
        assert_eq!(b.subscores, ["long"]);
        assert_eq!(b.headline.settings["subtitles"], "without");
        assert_eq!(
            reg.resolve_benchmark("video mme (w/o subs)").id(),
            Some("video-mme")
        );
        // Same index as building the result from scratch.
        let rebuilt =
            Registry::from_entries(reg.models().to_vec(), reg.benchmarks().to_vec(), "x").unwrap();
        assert_eq!(reg.model_exact, rebuilt.model_exact);
        assert_eq!(reg.model_normalized, rebuilt.model_normalized);
        assert_eq!(reg.benchmark_normalized, rebuilt.benchmark_normalized);
    }

    #[test]
    fn a_renamed_entry_keeps_its_old_name_and_a_changed_access_drops_old_evidence() {
        let reg = base()
            .extend_with_toml(
                "[[model]]\nextends = \"gpt-4o-2024-05-13\"\nname = \"GPT-4o (May 2024)\"\naccess = \"limited\"\n",
                "w.toml",
            )
            .unwrap();
        let m = reg.model("gpt-4o-2024-05-13").unwrap();
        assert_eq!(m.name, "GPT-4o (May 2024)");
        assert_eq!(m.access, Access::Limited);
        assert_eq!(m.access_evidence, None, "the old evidence spoke for closed");
        assert_eq!(
            reg.resolve_model_name("GPT-4o (2024-05-13)").id(),
            Some("gpt-4o-2024-05-13")
        );
    }

    #[test]
    fn a_whole_entry_with_an_existing_id_replaces_it_and_says_so() {
        let reg = base()
            .extend_with_toml(
                "# mine\n[[model]]\nid = \"mystery-7b\"\nname = \"Mystery\"\norganization = \"Me\"\naccess = \"closed\"\n",
                "w.toml",
            )
            .unwrap();
        let p = reg.model_provenance("mystery-7b").unwrap();
        assert_eq!(p.to_string(), "w.toml:2, replacing base.toml:10");
        assert_eq!(reg.model("mystery-7b").unwrap().organization, "Me");
    }

    #[test]
    fn extension_errors_name_the_file_the_line_and_what_to_write() {
        let err = |text: &str| {
            base()
                .extend_with_toml(text, "w.toml")
                .unwrap_err()
                .to_string()
        };
        let msg = err("\n[[model]]\nextends = \"gpt-4o\"\naliases = [\"x\"]\n");
        assert!(
            msg.contains("w.toml")
                && msg.contains("line 2")
                && msg.contains("no model has this id")
                && msg.contains("gpt-4o-2024-05-13"),
            "{msg}"
        );
        // An alias given: the id it names is offered.
        let msg = err("[[model]]\nextends = \"Mystery 7B\"\n");
        assert!(msg.contains("it is a name of \"mystery-7b\""), "{msg}");
        let msg = err("[[model]]\nid = \"a\"\nextends = \"mystery-7b\"\n");
        assert!(msg.contains("not both"), "{msg}");
        let msg = err("[[model]]\nname = \"A\"\n");
        assert!(msg.contains("needs `id`"), "{msg}");
        let msg = err("[[model]]\nid = \"a\"\nname = \"A\"\n");
        assert!(
            msg.contains("missing `organization`, `access`") && msg.contains("extends = \"a\""),
            "{msg}"
        );
        let msg = err("[[benchmark]]\nextends = \"videomme\"\n");
        assert!(msg.contains("no benchmark has this id"), "{msg}");
        let msg = err("[[model]]\nextends = \"mystery-7b\"\nacess = \"closed\"\n");
        assert!(msg.contains("unknown field `acess`"), "{msg}");
        // An extension may not give an entry a name of another.
        let msg = err("[[model]]\nextends = \"mystery-7b\"\naliases = [\"GPT-4o (2024-05-13)\"]\n");
        assert!(
            msg.contains("gpt-4o-2024-05-13") && msg.contains("mystery-7b"),
            "{msg}"
        );
    }
}

#[cfg(test)]
mod builtin_tests {
    use super::*;

    #[test]
    fn builtin_index_is_the_index_of_all_its_entries() {
        // The hub repositories are indexed after the curated entries rather than with them.
        let reg = Registry::builtin().unwrap();
        assert!(reg.models().len() > 4_000);
        let rebuilt =
            Registry::from_entries(reg.models().to_vec(), reg.benchmarks().to_vec(), "all")
                .unwrap();
        assert_eq!(reg.model_exact, rebuilt.model_exact);
        assert_eq!(reg.model_normalized, rebuilt.model_normalized);
        assert_eq!(reg.benchmark_exact, rebuilt.benchmark_exact);
        assert_eq!(reg.benchmark_normalized, rebuilt.benchmark_normalized);
    }

    #[test]
    fn builtin_keeps_dated_snapshots_apart() {
        let reg = Registry::builtin().unwrap();
        let june = reg.resolve_model_name("claude-3-5-sonnet-20240620").id();
        let october = reg.resolve_model_name("claude-3-5-sonnet-20241022").id();
        assert!(june.is_some() && october.is_some());
        assert_ne!(june, october);
    }

    #[test]
    fn hugging_face_repositories_are_open_weights_and_curated_entries_win() {
        let reg = Registry::builtin().unwrap();
        let id = reg
            .resolve_model_name("0-hero/Matter-0.2-7B-DPO")
            .id()
            .unwrap();
        let m = reg.model(id).unwrap();
        assert_eq!(
            (m.access, m.organization.as_str()),
            (Access::OpenWeights, "0-hero")
        );
        let extra = "# comment\nacme/Tiny-1B\t1.1\tmit\nACME/tiny_1b\t\t\n";
        let reg = Registry::from_toml_str("", "t").unwrap();
        let reg = reg.with_hub_repositories(extra, "hub.tsv").unwrap();
        assert_eq!(
            reg.models().len(),
            1,
            "the second spelling is the same repository"
        );
        assert_eq!(reg.models()[0].parameters_b, Some(1.1));
        let bad = Registry::from_toml_str("", "t").unwrap();
        let err = bad
            .with_hub_repositories("two words\t\t\n", "hub.tsv")
            .unwrap_err();
        assert!(err.to_string().contains("hub.tsv") && err.to_string().contains("line 1"));
    }

    #[test]
    fn builtin_entries_name_their_file_and_line() {
        let reg = Registry::builtin().unwrap();
        let p = reg.model_provenance("gpt-4o-2024-05-13").unwrap();
        assert!(p.origin.builtin);
        assert_eq!(p.origin.file, "models/openai.toml");
        let line = p.origin.line.unwrap();
        let text = include_str!("../data/models/openai.toml");
        let entry: String = text
            .lines()
            .skip(line - 1)
            .take(3)
            .collect::<Vec<_>>()
            .join("\n");
        assert!(
            entry.starts_with("[[model]]") && entry.contains("id = \"gpt-4o-2024-05-13\""),
            "{entry}"
        );
        let b = reg.benchmark_provenance("video-mme").unwrap();
        assert_eq!(b.origin.file, "registry.toml");
        let (id, p) = reg
            .models_with_provenance()
            .find(|(_, p)| p.origin.file == "models/hub.tsv")
            .map(|(m, p)| (m.id.clone(), p.clone()))
            .unwrap();
        let line = include_str!("../data/models/hub.tsv")
            .lines()
            .nth(p.origin.line.unwrap() - 1)
            .unwrap();
        assert!(line.to_lowercase().starts_with(&id), "{line} {id}");
        let m = reg.model(&id).unwrap();
        assert_eq!(m.access_evidence, None);
        assert_eq!(
            reg.access_evidence(&id),
            Some(format!(
                "weights published at https://huggingface.co/{}",
                m.name
            ))
        );
        assert_eq!(
            reg.access_evidence("gpt-4o-2024-05-13"),
            reg.model("gpt-4o-2024-05-13").unwrap().access_evidence
        );
    }

    #[test]
    fn builtin_says_gpt_5_is_closed_whatever_a_leaderboard_flags() {
        // SWE-bench's 2025-10-06 file flags "OpenHands + GPT-5" as an open model.
        let reg = Registry::builtin().unwrap();
        let id = reg.resolve_model_name("gpt-5").id().unwrap();
        assert_eq!(reg.model(id).unwrap().access, Access::Closed);
    }
}
