//! The registry of known models and benchmarks, and name resolution against it.
//!
//! Resolution is exact alias first, then a normalized key (case, separators, punctuation).
//! There is no fuzzy matching: `claude-3-5-sonnet-20241022` and `claude-3-5-sonnet-20240620`
//! stay two models. Names that resolve to nothing get suggestions for a person to confirm.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::{Access, Date, ModelError, Unit};

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
    /// Other spellings sources use.
    #[serde(default)]
    pub aliases: Vec<String>,
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
    /// Nothing matched; the ids are suggestions for a person, never applied.
    Unresolved {
        /// Up to three likely ids, best first.
        suggestions: Vec<&'r str>,
    },
}

impl<'r> Resolution<'r> {
    /// The canonical id, when resolved.
    pub fn id(&self) -> Option<&'r str> {
        match self {
            Resolution::Exact(id) | Resolution::Normalized(id) => Some(id),
            Resolution::Unresolved { .. } => None,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RegistryFile {
    #[serde(default)]
    model: Vec<ModelEntry>,
    #[serde(default)]
    benchmark: Vec<BenchmarkEntry>,
}

/// Models and benchmarks with their aliases, indexed for resolution.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    models: Vec<ModelEntry>,
    benchmarks: Vec<BenchmarkEntry>,
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
        if c == '+' {
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
    /// The curated registry that ships with gapwatch.
    pub fn builtin() -> Result<Self, ModelError> {
        let mut models = Vec::new();
        let mut benchmarks = Vec::new();
        for (path, text) in BUILTIN {
            let file: RegistryFile = toml::from_str(text).map_err(|e| ModelError::Registry {
                origin: format!("builtin registry ({path})"),
                message: e.to_string(),
            })?;
            models.extend(file.model);
            benchmarks.extend(file.benchmark);
        }
        let curated = Self::from_entries(models, benchmarks, "builtin registry")?;
        curated.with_hub_repositories(HUB_REPOSITORIES, "builtin registry (models/hub.tsv)")
    }

    /// Adds open-weights models listed as Hugging Face repositories, one per line:
    /// `owner/name<TAB>parameters in billions<TAB>license` (`#` starts a comment). The
    /// repository id is the model's id and name. A repository the registry already resolves
    /// (a curated entry, or an earlier line with the same normalized key) is skipped, so
    /// curated entries win.
    pub fn with_hub_repositories(self, tsv: &str, origin: &str) -> Result<Self, ModelError> {
        let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
        let mut added = Vec::new();
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
            if self.knows_model_name(repo) || !seen.insert(normalize_name(repo)) {
                continue;
            }
            added.push(ModelEntry {
                id: repo.to_lowercase(),
                name: repo.to_owned(),
                organization: owner.to_owned(),
                access: Access::OpenWeights,
                license,
                parameters_b,
                released: None,
                aliases: Vec::new(),
            });
        }
        let Registry {
            mut models,
            benchmarks,
            ..
        } = self;
        models.extend(added);
        Self::from_entries(models, benchmarks, origin)
    }

    /// Reads a registry from TOML text with `[[model]]` and `[[benchmark]]` tables.
    /// `origin` names the file in errors.
    pub fn from_toml_str(text: &str, origin: &str) -> Result<Self, ModelError> {
        let file: RegistryFile = toml::from_str(text).map_err(|e| ModelError::Registry {
            origin: origin.to_owned(),
            message: e.to_string(),
        })?;
        Self::from_entries(file.model, file.benchmark, origin)
    }

    /// Builds a registry from entries, refusing an alias that would name two things.
    pub fn from_entries(
        models: Vec<ModelEntry>,
        benchmarks: Vec<BenchmarkEntry>,
        origin: &str,
    ) -> Result<Self, ModelError> {
        let mut reg = Registry {
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
        for m in other.models {
            match self.models.iter_mut().find(|x| x.id == m.id) {
                Some(slot) => *slot = m,
                None => self.models.push(m),
            }
        }
        for b in other.benchmarks {
            match self.benchmarks.iter_mut().find(|x| x.id == b.id) {
                Some(slot) => *slot = b,
                None => self.benchmarks.push(b),
            }
        }
        self.reindex(origin)?;
        Ok(self)
    }

    fn reindex(&mut self, origin: &str) -> Result<(), ModelError> {
        let model_names = self
            .models
            .iter()
            .map(|m| (m.id.as_str(), names_of(&m.id, &m.name, &m.aliases)));
        let (exact, normalized) = index("model", model_names, origin)?;
        self.model_exact = exact;
        self.model_normalized = normalized;
        let bench_names = self
            .benchmarks
            .iter()
            .map(|b| (b.id.as_str(), names_of(&b.id, &b.name, &b.aliases)));
        let (exact, normalized) = index("benchmark", bench_names, origin)?;
        self.benchmark_exact = exact;
        self.benchmark_normalized = normalized;
        Ok(())
    }

    /// All models, in registry order.
    pub fn models(&self) -> &[ModelEntry] {
        &self.models
    }

    /// All benchmarks, in registry order.
    pub fn benchmarks(&self) -> &[BenchmarkEntry] {
        &self.benchmarks
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

    /// Resolves a model name as a source writes it.
    pub fn resolve_model_name(&self, name: &str) -> Resolution<'_> {
        resolve(
            name,
            &self.model_exact,
            &self.model_normalized,
            self.models.iter().map(|m| m.id.as_str()),
            |i| self.models[i].id.as_str(),
        )
    }

    /// Whether a model name resolves, exactly or by its normalized key. Unlike
    /// [`Registry::resolve_model_name`] it ranks no suggestions for a name that does not, which
    /// costs a pass over every model.
    fn knows_model_name(&self, name: &str) -> bool {
        self.model_exact.contains_key(name.trim())
            || self.model_normalized.contains_key(&normalize_name(name))
    }

    /// Resolves a benchmark name as a source or a user writes it.
    pub fn resolve_benchmark(&self, name: &str) -> Resolution<'_> {
        resolve(
            name,
            &self.benchmark_exact,
            &self.benchmark_normalized,
            self.benchmarks.iter().map(|b| b.id.as_str()),
            |i| self.benchmarks[i].id.as_str(),
        )
    }
}

fn names_of<'a>(id: &'a str, name: &'a str, aliases: &'a [String]) -> Vec<&'a str> {
    let mut v = vec![id, name];
    v.extend(aliases.iter().map(String::as_str));
    v
}

type Index = HashMap<String, usize>;

fn index<'a>(
    kind: &'static str,
    entries: impl Iterator<Item = (&'a str, Vec<&'a str>)>,
    origin: &str,
) -> Result<(Index, Index), ModelError> {
    let mut exact: Index = HashMap::new();
    let mut normalized: Index = HashMap::new();
    let mut ids: Vec<&str> = Vec::new();
    for (i, (id, names)) in entries.enumerate() {
        ids.push(id);
        for name in names {
            for (map, key) in [
                (&mut exact, name.to_owned()),
                (&mut normalized, normalize_name(name)),
            ] {
                if key.is_empty() {
                    continue;
                }
                if let Some(&other) = map.get(&key)
                    && other != i
                {
                    return Err(ModelError::AmbiguousAlias {
                        origin: origin.to_owned(),
                        kind,
                        alias: name.to_owned(),
                        first: ids[other].to_owned(),
                        second: id.to_owned(),
                    });
                }
                map.insert(key, i);
            }
        }
    }
    Ok((exact, normalized))
}

fn resolve<'r>(
    name: &str,
    exact: &Index,
    normalized: &Index,
    all_ids: impl Iterator<Item = &'r str>,
    id_at: impl Fn(usize) -> &'r str,
) -> Resolution<'r> {
    if let Some(&i) = exact.get(name.trim()) {
        return Resolution::Exact(id_at(i));
    }
    let key = normalize_name(name);
    if let Some(&i) = normalized.get(&key) {
        return Resolution::Normalized(id_at(i));
    }
    Resolution::Unresolved {
        suggestions: suggest(&key, all_ids),
    }
}

/// Ranks ids by how many of the name's tokens they share (Jaccard over `-` tokens), keeping
/// those that share at least half. Suggestions only: nothing is ever merged on this basis.
fn suggest<'r>(key: &str, ids: impl Iterator<Item = &'r str>) -> Vec<&'r str> {
    let tokens: Vec<&str> = key.split('-').filter(|t| !t.is_empty()).collect();
    if tokens.is_empty() {
        return Vec::new();
    }
    let mut scored: Vec<(f64, &str)> = ids
        .filter_map(|id| {
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
        // A dated snapshot the registry lacks stays unresolved even though it is close.
        let r = reg.resolve_model_name("claude-3-5-sonnet-20250101");
        assert_eq!(r.id(), None);
        match r {
            Resolution::Unresolved { suggestions } => {
                assert!(suggestions.contains(&"claude-3-5-sonnet-20241022"));
            }
            other => panic!("{other:?}"),
        }
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
    fn builtin_registry_loads() {
        let reg = Registry::builtin().unwrap();
        assert!(reg.models().len() > 10);
        assert!(reg.benchmark("swe-bench-verified").is_some());
    }
}

#[cfg(test)]
mod builtin_tests {
    use super::*;

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
    fn builtin_says_gpt_5_is_closed_whatever_a_leaderboard_flags() {
        // SWE-bench's 2025-10-06 file flags "OpenHands + GPT-5" as an open model.
        let reg = Registry::builtin().unwrap();
        let id = reg.resolve_model_name("gpt-5").id().unwrap();
        assert_eq!(reg.model(id).unwrap().access, Access::Closed);
    }
}
