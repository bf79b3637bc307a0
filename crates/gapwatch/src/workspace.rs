//! The user's workspace: settings, sources, registry and stories, with built-in defaults.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use gapwatch_ingest::SourcesFile;
use gapwatch_model::{Registry, Story};
use serde::{Deserialize, Serialize};

/// The default sources, as `gapwatch init` writes them.
pub const DEFAULT_SOURCES: &str = include_str!("../defaults/sources.toml");
/// The default story.
pub const DEFAULT_STORY: &str = include_str!("../defaults/story.toml");
/// The evidence files shipped with gapwatch: (file name, text). Each records one article
/// and the claims it quotes; the default story's perspectives quote them.
pub const DEFAULT_EVIDENCE: &[(&str, &str)] = &[(
    "open-lag-2025-10.toml",
    include_str!("../defaults/evidence/open-lag-2025-10.toml"),
)];
/// The settings file `gapwatch init` writes.
pub const SETTINGS_FILE: &str = "gapwatch.toml";

const DEFAULT_SETTINGS: &str = r#"# gapwatch workspace settings. Paths are relative to this file.

# The claims store.
database = "gapwatch.sqlite"

# Source entries: one [[source]] per leaderboard (see docs/sources.md).
sources = "sources.toml"

# Articles and their quoted claims: one evidence file per article (see docs/sources.md,
# "Articles and perspectives"). Every *.toml file in this folder is read.
evidence = "evidence"

# Models and benchmarks added to the built-in registry, or extending its entries.
registry = "registry.toml"

# Stories to publish; the first is the default for commands taking --story.
stories = ["stories/open-vs-closed.toml"]

# The public address of the site `gapwatch export --site` writes: the feed's ids and links
# start with it. Until it is set, export uses a placeholder and warns.
# base_url = "https://example.org/gapwatch"
"#;

const EMPTY_REGISTRY: &str = r#"# Your additions to gapwatch's built-in registry (`gapwatch registry list` shows it).
# `gapwatch models unresolved --toml` writes entries like these for the names your sources
# use, with the access a source states about each model and its evidence: review, then paste.
#
# A new model:
# [[model]]
# id = "my-model-7b"
# name = "My Model 7B"
# organization = "Me"
# access = "open-weights"        # open-weights | closed | limited | unknown
# access_evidence = "https://huggingface.co/me/my-model-7b"   # what the access rests on
# license = "apache-2.0"
# released = "2025-01-31"
# aliases = ["MyModel-7B-Instruct"]
#
# Changes to a built-in model (only the fields given change; aliases are added):
# [[model]]
# extends = "gpt-4o-2024-05-13"
# aliases = ["GPT-4o May"]
#
# A benchmark, or changes to one:
# [[benchmark]]
# id = "my-bench"
# name = "My Bench"
# metric = "accuracy"
# unit = "percent"               # percent | elo | score
# headline = { variant = "", settings = { attempts = "1" } }
#
# [[benchmark]]
# extends = "video-mme"
# aliases = ["Video-MME (w/o subs)"]
#
# An entry with a built-in id (and no `extends`) replaces the built-in entry whole.
"#;

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    database: PathBuf,
    sources: PathBuf,
    #[serde(default)]
    registry: Option<PathBuf>,
    /// A folder of evidence files, one article each; default `evidence`, when it exists.
    #[serde(default)]
    evidence: Option<PathBuf>,
    stories: Vec<PathBuf>,
    #[serde(default)]
    base_url: Option<String>,
}

/// Everything a command needs to know about the user's setup.
#[derive(Debug)]
pub struct Workspace {
    pub database: PathBuf,
    pub sources: SourcesFile,
    pub registry: Registry,
    pub stories: Vec<Story>,
    /// The exported site's public address (`base_url` in gapwatch.toml), when set.
    pub base_url: Option<String>,
}

impl Workspace {
    /// The analysis options of this workspace: default tolerances, and the sources'
    /// lineages.
    pub fn analysis_options(&self) -> gapwatch_analysis::AnalysisOptions {
        gapwatch_analysis::AnalysisOptions {
            lineages: self
                .sources
                .sources
                .iter()
                .filter_map(|s| s.lineage.clone().map(|l| (s.id.clone(), l)))
                .collect(),
            ..Default::default()
        }
    }

    /// Loads `DIR/gapwatch.toml`, or the built-in defaults when there is none.
    pub fn load(dir: &Path, db_override: Option<&Path>) -> Result<Self> {
        let settings_path = dir.join(SETTINGS_FILE);
        let ws = if settings_path.exists() {
            let text = read(&settings_path)?;
            let settings: Settings = toml::from_str(&text)
                .with_context(|| format!("{} is not valid", settings_path.display()))?;
            let sources_path = dir.join(&settings.sources);
            let registry_path = settings.registry.as_ref().map(|r| dir.join(r));
            let evidence_dir = dir.join(
                settings
                    .evidence
                    .as_deref()
                    .unwrap_or(Path::new("evidence")),
            );
            let (sources, registry) = side_by_side(
                || {
                    let mut sources = SourcesFile::from_toml_str(
                        &read(&sources_path)?,
                        &sources_path.display().to_string(),
                    )?;
                    load_groups_files(&mut sources, &sources_path)?;
                    add_evidence(&mut sources, &evidence_files(&evidence_dir)?)?;
                    Ok(sources)
                },
                || {
                    let mut registry = Registry::builtin()?;
                    if let Some(path) = &registry_path
                        && path.exists()
                    {
                        let origin = path.display().to_string();
                        registry = registry.extend_with_toml(&read(path)?, &origin)?;
                    }
                    Ok(registry)
                },
            )?;
            let mut stories = Vec::new();
            for s in &settings.stories {
                let path = dir.join(s);
                stories.push(Story::from_toml_str(
                    &read(&path)?,
                    &path.display().to_string(),
                )?);
            }
            if stories.is_empty() {
                bail!("{}: `stories` lists no story", settings_path.display());
            }
            Workspace {
                database: dir.join(settings.database),
                sources,
                registry,
                stories,
                base_url: settings.base_url.filter(|url| !url.trim().is_empty()),
            }
        } else {
            Self::builtin(dir.join("gapwatch.sqlite"))?
        };
        Ok(match db_override {
            Some(db) => Workspace {
                database: db.to_path_buf(),
                ..ws
            },
            None => ws,
        })
    }

    /// The built-in sources, registry and story, with the database at `database`.
    pub fn builtin(database: PathBuf) -> Result<Self> {
        let (sources, registry) = side_by_side(
            || {
                let mut sources = SourcesFile::from_toml_str(DEFAULT_SOURCES, "built-in sources")?;
                let evidence: Vec<(String, String)> = DEFAULT_EVIDENCE
                    .iter()
                    .map(|(name, text)| (format!("built-in evidence/{name}"), (*text).to_owned()))
                    .collect();
                add_evidence(&mut sources, &evidence)?;
                Ok(sources)
            },
            || Ok(Registry::builtin()?),
        )?;
        Ok(Workspace {
            database,
            sources,
            registry,
            stories: vec![Story::from_toml_str(DEFAULT_STORY, "built-in story")?],
            base_url: None,
        })
    }

    /// The story with this id, or the first one.
    pub fn story(&self, id: Option<&str>) -> Result<&Story> {
        match id {
            None => self
                .stories
                .first()
                .context("the workspace defines no story"),
            Some(id) => self.stories.iter().find(|s| s.id == id).ok_or_else(|| {
                let known: Vec<&str> = self.stories.iter().map(|s| s.id.as_str()).collect();
                crate::usage::unknown_id("story", id, &known).into()
            }),
        }
    }
}

/// Writes a new workspace into `dir`; returns the files written.
pub fn init(dir: &Path, force: bool) -> Result<Vec<PathBuf>> {
    let mut files: Vec<(String, &str)> = vec![
        (SETTINGS_FILE.to_owned(), DEFAULT_SETTINGS),
        ("sources.toml".to_owned(), DEFAULT_SOURCES),
        ("registry.toml".to_owned(), EMPTY_REGISTRY),
        ("stories/open-vs-closed.toml".to_owned(), DEFAULT_STORY),
    ];
    for (name, text) in DEFAULT_EVIDENCE {
        files.push((format!("evidence/{name}"), text));
    }
    if !force {
        let existing: Vec<String> = files
            .iter()
            .map(|(name, _)| dir.join(name))
            .filter(|p| p.exists())
            .map(|p| p.display().to_string())
            .collect();
        if !existing.is_empty() {
            return Err(crate::usage::UsageError(format!(
                "{} already exist{}; pass --force to overwrite",
                existing.join(", "),
                if existing.len() == 1 { "s" } else { "" }
            ))
            .into());
        }
    }
    let mut written = Vec::new();
    for (name, text) in files {
        let path = dir.join(&name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        std::fs::write(&path, text).with_context(|| format!("cannot write {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// Loads the sources and builds the registry, which are independent and each take
/// milliseconds, the registry on another thread when one can be started. Errors come as if
/// one ran after the other: the sources' first.
fn side_by_side(
    sources: impl FnOnce() -> Result<SourcesFile>,
    registry: impl Fn() -> Result<Registry> + Sync,
) -> Result<(SourcesFile, Registry)> {
    let (sources, registry) = std::thread::scope(|scope| {
        let other = std::thread::Builder::new()
            .name("registry".into())
            .spawn_scoped(scope, &registry);
        let sources = sources();
        let registry = match other {
            Ok(handle) => handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread to be had: build it here.
            Err(_) => registry(),
        };
        (sources, registry)
    });
    Ok((sources?, registry?))
}

/// Reads the groups files of derived scores (`groups_file`, relative to the sources file)
/// into their entries, so that extraction stays free of I/O.
fn load_groups_files(sources: &mut SourcesFile, sources_path: &Path) -> Result<()> {
    let base = sources_path.parent().unwrap_or_else(|| Path::new("."));
    for source in &mut sources.sources {
        for (i, derived) in source.derived.iter_mut().enumerate() {
            let Some(file) = derived.groups_file.clone() else {
                continue;
            };
            let path = base.join(&file);
            let text = read(&path).with_context(|| {
                format!(
                    "{}: source {:?}: derived score {}",
                    sources_path.display(),
                    source.id,
                    i + 1
                )
            })?;
            derived.load_groups(&text).map_err(|m| {
                anyhow::anyhow!(
                    "{}: source {:?}: derived score {}: {}: {m}",
                    sources_path.display(),
                    source.id,
                    i + 1,
                    path.display()
                )
            })?;
        }
    }
    Ok(())
}

/// The evidence files of a folder, `*.toml` in name order, as (path shown, text); none when
/// the folder does not exist.
fn evidence_files(dir: &Path) -> Result<Vec<(String, String)>> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(Vec::new());
    };
    let mut paths: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "toml") && p.is_file())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| Ok((p.display().to_string(), read(&p)?)))
        .collect()
}

/// Adds each evidence file's article to the sources; an id already taken is an error naming
/// both files.
fn add_evidence(sources: &mut SourcesFile, files: &[(String, String)]) -> Result<()> {
    for (origin, text) in files {
        let article = gapwatch_ingest::read_evidence_file(text, origin)?;
        if let Some(taken) = sources.get(&article.id) {
            let elsewhere = taken
                .article
                .as_ref()
                .and_then(|a| a.evidence_file.clone())
                .unwrap_or_else(|| "the sources file".to_owned());
            bail!(
                "{origin}: article id {:?} is already a source's id (in {elsewhere})",
                article.id
            );
        }
        sources.sources.push(article);
    }
    Ok(())
}

fn read(path: &Path) -> Result<String> {
    std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workspace as `gapwatch init` writes it, with these sources and registry.
    fn workspace(sources: &str, registry: &str) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        init(dir.path(), false).unwrap();
        std::fs::write(dir.path().join("sources.toml"), sources).unwrap();
        std::fs::write(dir.path().join("registry.toml"), registry).unwrap();
        dir
    }

    const MY_MODEL: &str = "[[model]]\nid = \"my-model-7b\"\nname = \"My Model 7B\"\norganization = \"Me\"\naccess = \"open-weights\"\naliases = [\"MyModel-7B-Instruct\"]\n";
    /// Takes a name of a built-in model.
    const CLASHING: &str = "[[model]]\nid = \"mine\"\nname = \"Mine\"\norganization = \"Me\"\naccess = \"closed\"\naliases = [\"claude-3-5-sonnet-20241022\"]\n";

    #[test]
    fn loads_sources_and_the_registry_with_the_users_additions() {
        let dir = workspace(DEFAULT_SOURCES, MY_MODEL);
        let ws = Workspace::load(dir.path(), None).unwrap();
        let builtin = Workspace::builtin(dir.path().join("gapwatch.sqlite")).unwrap();
        assert_eq!(ws.sources.sources.len(), builtin.sources.sources.len());
        assert_eq!(
            ws.registry.models().len(),
            builtin.registry.models().len() + 1
        );
        assert_eq!(
            ws.registry.resolve_model_name("MyModel-7B-Instruct").id(),
            Some("my-model-7b")
        );
        assert!(ws.registry.benchmark("swe-bench-verified").is_some());
    }

    #[test]
    fn errors_name_the_sources_first_then_the_registry() {
        // Both broken: the sources are reported, as when they were read first.
        let dir = workspace("[[source]]\nid = ", CLASHING);
        let err = format!("{:#}", Workspace::load(dir.path(), None).unwrap_err());
        assert!(err.contains("sources.toml"), "{err}");
        assert!(!err.contains("registry.toml"), "{err}");
        // Only the registry broken: it is reported, naming the file and both models.
        let dir = workspace(DEFAULT_SOURCES, CLASHING);
        let err = format!("{:#}", Workspace::load(dir.path(), None).unwrap_err());
        assert!(
            err.contains("registry.toml")
                && err.contains("claude-3-5-sonnet-20241022")
                && err.contains("mine"),
            "{err}"
        );
        // A registry.toml that cannot be read.
        let dir = workspace(DEFAULT_SOURCES, "");
        std::fs::remove_file(dir.path().join("registry.toml")).unwrap();
        std::fs::create_dir(dir.path().join("registry.toml")).unwrap();
        let err = format!("{:#}", Workspace::load(dir.path(), None).unwrap_err());
        assert!(
            err.contains("cannot read") && err.contains("registry.toml"),
            "{err}"
        );
    }

    #[test]
    fn evidence_files_add_their_articles_and_an_id_taken_is_an_error_naming_both_files() {
        // As init writes it: the demo's article is a source of the workspace, as built in.
        let dir = workspace(DEFAULT_SOURCES, "");
        let ws = Workspace::load(dir.path(), None).unwrap();
        let article = ws.sources.get("article-open-lag").unwrap();
        assert_eq!(article.format, gapwatch_ingest::Format::Article);
        let file = article
            .article
            .as_ref()
            .unwrap()
            .evidence_file
            .clone()
            .unwrap();
        assert!(file.ends_with("open-lag-2025-10.toml"), "{file}");
        // Another article with the same id: files are read in name order.
        let copy = DEFAULT_EVIDENCE[0].1;
        std::fs::write(dir.path().join("evidence/again.toml"), copy).unwrap();
        let err = format!("{:#}", Workspace::load(dir.path(), None).unwrap_err());
        assert!(
            err.contains(
                "open-lag-2025-10.toml: article id \"article-open-lag\" is already a source's id"
            ) && err.contains("(in ")
                && err.contains("again.toml"),
            "{err}"
        );
        // A folder named in the settings; a folder that is absent holds no evidence.
        let settings = std::fs::read_to_string(dir.path().join(SETTINGS_FILE)).unwrap();
        std::fs::write(
            dir.path().join(SETTINGS_FILE),
            settings.replace("evidence = \"evidence\"", "evidence = \"articles\""),
        )
        .unwrap();
        let ws = Workspace::load(dir.path(), None).unwrap();
        assert!(ws.sources.get("article-open-lag").is_none());
    }
}
