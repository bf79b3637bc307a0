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
/// The settings file `gapwatch init` writes.
pub const SETTINGS_FILE: &str = "gapwatch.toml";

const DEFAULT_SETTINGS: &str = r#"# gapwatch workspace settings. Paths are relative to this file.

# The claims store.
database = "gapwatch.sqlite"

# Source entries: one [[source]] per leaderboard (see docs/sources.md).
sources = "sources.toml"

# Models and benchmarks added to (or replacing, by id) the built-in registry.
registry = "registry.toml"

# Stories to publish; the first is the default for commands taking --story.
stories = ["stories/open-vs-closed.toml"]

# The public address of the site `gapwatch export --site` writes: the feed's ids and links
# start with it. Until it is set, export uses a placeholder and warns.
# base_url = "https://example.org/gapwatch"
"#;

const EMPTY_REGISTRY: &str = r#"# Your additions to gapwatch's built-in registry. An entry with a built-in id replaces it.
#
# [[model]]
# id = "my-model-7b"
# name = "My Model 7B"
# organization = "Me"
# access = "open-weights"        # open-weights | closed | limited | unknown
# license = "apache-2.0"
# aliases = ["MyModel-7B-Instruct"]
"#;

#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    database: PathBuf,
    sources: PathBuf,
    #[serde(default)]
    registry: Option<PathBuf>,
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
    /// Loads `DIR/gapwatch.toml`, or the built-in defaults when there is none.
    pub fn load(dir: &Path, db_override: Option<&Path>) -> Result<Self> {
        let settings_path = dir.join(SETTINGS_FILE);
        let ws = if settings_path.exists() {
            let text = read(&settings_path)?;
            let settings: Settings = toml::from_str(&text)
                .with_context(|| format!("{} is not valid", settings_path.display()))?;
            let sources_path = dir.join(&settings.sources);
            let registry_path = settings.registry.as_ref().map(|r| dir.join(r));
            let (sources, registry) = side_by_side(
                || {
                    Ok(SourcesFile::from_toml_str(
                        &read(&sources_path)?,
                        &sources_path.display().to_string(),
                    )?)
                },
                || {
                    let mut registry = Registry::builtin()?;
                    if let Some(path) = &registry_path
                        && path.exists()
                    {
                        let origin = path.display().to_string();
                        let extra = Registry::from_toml_str(&read(path)?, &origin)?;
                        registry = registry.merge(extra, &origin)?;
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
                Ok(SourcesFile::from_toml_str(
                    DEFAULT_SOURCES,
                    "built-in sources",
                )?)
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
    let files: [(&str, &str); 4] = [
        (SETTINGS_FILE, DEFAULT_SETTINGS),
        ("sources.toml", DEFAULT_SOURCES),
        ("registry.toml", EMPTY_REGISTRY),
        ("stories/open-vs-closed.toml", DEFAULT_STORY),
    ];
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
        let path = dir.join(name);
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
}
