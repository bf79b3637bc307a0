//! The command line: every subcommand, flag and help text.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};
use gapwatch_model::Date;

/// Track how far open-weights AI models are behind closed ones, benchmark by benchmark.
///
/// gapwatch keeps every fetched or imported copy of a leaderboard as a snapshot, extracts
/// claims (model, benchmark, score, settings, date, evaluator) into an append-only SQLite
/// store, and publishes a living story as immutable versions v1, v2, v3 … in which every
/// number is cited.
///
/// Start with `gapwatch demo` (no network needed), then `gapwatch init` for a workspace of
/// your own.
#[derive(Debug, Parser)]
#[command(
    name = "gapwatch",
    version,
    propagate_version = true,
    max_term_width = 100
)]
#[command(
    after_help = "EXIT STATUS:\n  0    all good\n  1    an error (bad input file, corrupt or newer database, …)\n  2    bad usage: an unknown option or id (with \"did you mean\"), a refused import\n  3    done, but some sources failed or need attention (see the warnings)\n  130  ingest or watch stopped by SIGINT (143: by SIGTERM); what finished is stored"
)]
pub struct Cli {
    /// Workspace folder holding gapwatch.toml (made by `gapwatch init`). Without a
    /// gapwatch.toml there, the built-in sources and story are used.
    #[arg(
        long,
        short = 'w',
        global = true,
        env = "GAPWATCH_WORKSPACE",
        value_name = "DIR"
    )]
    pub workspace: Option<PathBuf>,

    /// Database file, overriding the workspace's setting.
    #[arg(long, global = true, env = "GAPWATCH_DB", value_name = "FILE")]
    pub db: Option<PathBuf>,

    /// The date to treat as today, so that output is reproducible (the clock is injected).
    #[arg(long, global = true, env = "GAPWATCH_TODAY", value_name = "YYYY-MM-DD")]
    pub today: Option<Date>,

    /// More log output (-v info, -vv debug).
    #[arg(long, short = 'v', global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the whole job on bundled real leaderboard data, with no network.
    ///
    /// Imports the bundled fixtures (several leaderboards, several dates each) in date order
    /// into DIR/gapwatch.sqlite and publishes a version of the open-weights-vs-closed story
    /// after each date whose evidence changed the picture. Running it again on the same
    /// folder adds nothing.
    Demo {
        /// Where the database and the digests go.
        #[arg(long, default_value = "gapwatch-demo", value_name = "DIR")]
        out: PathBuf,
        /// Print a machine-readable summary.
        #[arg(long)]
        json: bool,
    },
    /// Write a workspace to edit: settings, the default sources and the default story.
    Init {
        /// The folder to create or fill (default: the current folder).
        dir: Option<PathBuf>,
        /// Overwrite files that already exist.
        #[arg(long)]
        force: bool,
    },
    /// Import a saved copy of a source, exactly as if it had been fetched.
    ///
    /// The bytes become a snapshot; the source's adapter extracts claims from them. Importing
    /// identical bytes again adds nothing. Because nothing stored is ever removed, an
    /// observation date after today (or after a date in the file's name) and a file from which
    /// the source extracts no rows are refused with exit status 2, unless --force.
    Import {
        /// The configured source id (see `gapwatch sources list`).
        #[arg(long, value_name = "ID")]
        source: String,
        /// The saved file.
        #[arg(long, value_name = "PATH")]
        file: PathBuf,
        /// When this copy was observed (published or downloaded). A date after today, or after
        /// a date in the file's name, is refused.
        #[arg(long, value_name = "YYYY-MM-DD")]
        observed_at: Date,
        /// Import even what the checks refuse: a date after today or after the file's own
        /// date, or a file from which the source extracts no rows. The store is append-only:
        /// what is imported stays.
        #[arg(long)]
        force: bool,
        /// Print the outcome as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Import a source's history from a clone of the git repository it is published from.
    ///
    /// For every commit that changed the file (each --path, renames followed), the file as
    /// that commit left it is imported as a snapshot of the source, exactly as `import`
    /// would, observed on the commit's committer date in UTC, oldest first. Each snapshot
    /// records REPOSITORY@COMMIT:PATH as its origin (REPOSITORY is the `origin` remote's URL,
    /// or the clone's folder). Running it again adds nothing; later, it imports only the new
    /// commits. A version the source cannot read is kept with a warning, and the run goes on.
    /// No network is used: clone first, with the system `git`. Exits 3 when a version needs
    /// attention.
    #[command(
        after_long_help = "EXAMPLE:\n  git clone https://github.com/SWE-bench/swe-bench.github.io\n  gapwatch backfill --source swebench --repo swe-bench.github.io --path data/leaderboards.json"
    )]
    Backfill(BackfillArgs),
    /// Fetch the configured sources, store what changed, and report on each.
    ///
    /// Each source is stored as soon as its fetch ends: its snapshot and claims together or
    /// not at all, then its fetch-log row. A failed fetch or a suspect extraction never removes
    /// earlier evidence; unchanged bytes and 304 answers add nothing. Names that do not
    /// resolve, failed TLS handshakes and hosts refusing every connection are not retried.
    /// Without a terminal, one line per source is written to stderr as each finishes.
    ///
    /// Exits 3 when a source failed or needs attention (an empty or shrunken table, or a
    /// score column gone, until a good copy arrives). SIGINT or SIGTERM cancels the fetches
    /// in flight, keeps what finished and exits 130 or 143; a second signal stops at once.
    Ingest(IngestArgs),
    /// Ingest on an interval until stopped by SIGINT or SIGTERM (exit 130 or 143; during a
    /// run, what finished is stored and the rest cancelled).
    Watch {
        /// How often: 30m, 6h, 1d, 1h30m.
        #[arg(long, value_name = "DURATION", value_parser = crate::ingest::parse_duration)]
        every: std::time::Duration,
        #[command(flatten)]
        ingest: IngestArgs,
    },
    /// Inspect the configured sources.
    #[command(subcommand)]
    Sources(SourcesCommand),
    /// Inspect model names and the registry.
    #[command(subcommand)]
    Models(ModelsCommand),
    /// The registry of models and benchmarks that names resolve against: the built-in
    /// entries and the workspace's registry.toml, each with the file and line it comes from.
    ///
    /// A workspace entry with a new id adds a model or benchmark; one with `extends = "ID"`
    /// changes only the fields it sets of an existing one (see docs/sources.md).
    #[command(subcommand)]
    Registry(RegistryCommand),
    /// The parity map: per benchmark, the best closed and best open model, the gap and the lag.
    Gap(QueryArgs),
    /// Forecast verdicts, each reading separately, with the deciding claims.
    Forecast(QueryArgs),
    /// Where sources disagree: values, self-reported vs third-party, access flags vs registry.
    Tensions(QueryArgs),
    /// Publish the next version of a story if something material changed.
    Publish {
        /// The story id (default: the workspace's first story).
        #[arg(long, value_name = "ID")]
        story: Option<String>,
        /// Evidence cut-off (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<Date>,
        /// Publish even when nothing material changed.
        #[arg(long)]
        force: bool,
        /// Also write the digest files into this folder.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
    },
    /// Read published versions of a story.
    #[command(subcommand)]
    Story(StoryCommand),
    /// Verify the database and report what is damaged.
    ///
    /// Checks SQLite's integrity and references, every extraction run's claims (as many as it
    /// recorded), every claim readable, the claims cache against the claims, and every stored
    /// snapshot's and rendering's bytes against their sha256. Changes nothing unless asked to rebuild the claims cache. Exits 1 when something is
    /// damaged.
    Check {
        /// First rewrite the claims cache (a derived copy of the claims, for fast loading)
        /// from the claims table, as when the check found it stale.
        #[arg(long)]
        rebuild_cache: bool,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Extract claims again from the stored snapshots with the current source configuration.
    ///
    /// For when an adapter or a source entry has improved (a setting newly carried, a column
    /// newly read). A snapshot whose claims come out different gets a new extraction run,
    /// which replaces its earlier run for analysis; the earlier run and its claims stay in the
    /// store. A snapshot whose claims come out the same gets nothing, so running this twice
    /// changes nothing. An extraction that finds no table, or far fewer rows than the run it
    /// would replace, is not recorded and needs attention (exit 3).
    Reextract {
        /// Only these sources (repeatable); every configured source when absent.
        #[arg(long = "source", value_name = "ID")]
        sources: Vec<String>,
        /// Print one JSON object per snapshot.
        #[arg(long)]
        json: bool,
    },
    /// Show stored claims with where they came from.
    #[command(subcommand)]
    Claim(ClaimCommand),
    /// Inspect stored snapshots, or retract one.
    #[command(subcommand)]
    Snapshot(SnapshotCommand),
    /// Write a static site of a story: index.html (the latest version), one page per version,
    /// feed.atom and data.json.
    Export {
        /// The folder to write the site into.
        #[arg(long, value_name = "DIR")]
        site: PathBuf,
        /// The story id (default: the workspace's first story).
        #[arg(long, value_name = "ID")]
        story: Option<String>,
        /// The site's public address, used for the feed's ids and links (default: `base_url`
        /// in gapwatch.toml; without either, a placeholder, with a warning).
        #[arg(long, value_name = "URL")]
        base_url: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
pub enum SourcesCommand {
    /// List the configured sources.
    List {
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show what a source's configuration extracts from a file, row by row, with warnings.
    ///
    /// Nothing is stored: this is the tool for writing or fixing a source entry.
    Test {
        /// The configured source id.
        id: String,
        /// A saved copy of the page or data file.
        #[arg(long, value_name = "PATH")]
        file: PathBuf,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ModelsCommand {
    /// What the analysis leaves out: model names the registry does not resolve, and models
    /// of unknown access, with the claims each keeps out (counted as the digest counts them),
    /// the access sources state about each model, and similar registry ids.
    ///
    /// Access is suggested only from what a source says about a model itself (a license
    /// column, an open-weights flag in a model list), never from a system's flag, and never
    /// where sources disagree. With --toml, writes `[[model]]` entries citing that evidence,
    /// for a person to review and add to registry.toml.
    Unresolved {
        /// Print JSON.
        #[arg(long, conflicts_with = "toml")]
        json: bool,
        /// Print ready-to-edit registry entries (`gapwatch models unresolved --toml > review.toml`),
        /// to review and then add to registry.toml.
        #[arg(long)]
        toml: bool,
        /// The story whose benchmarks and cohorts decide what is left out (default: the
        /// workspace's first story).
        #[arg(long, value_name = "ID")]
        story: Option<String>,
        /// Only evidence observed by this date (default: today).
        #[arg(long, value_name = "YYYY-MM-DD")]
        as_of: Option<Date>,
    },
}

#[derive(Debug, Subcommand)]
pub enum RegistryCommand {
    /// List benchmarks and models with where each comes from (builtin file and line, a
    /// Hugging Face repository line of hub.tsv, or the workspace's registry.toml).
    List {
        /// Only models.
        #[arg(long, conflicts_with = "benchmarks")]
        models: bool,
        /// Only benchmarks.
        #[arg(long)]
        benchmarks: bool,
        /// Only entries the workspace's registry.toml adds, replaces or extends.
        #[arg(long)]
        workspace_only: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Show one model or benchmark by id or by any name that resolves to it, with every
    /// field, its aliases, and the files that define and extend it.
    Show {
        /// An id (`gpt-4o-2024-05-13`, `video-mme`) or a name a source writes.
        id: String,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum ClaimCommand {
    /// A claim with its provenance: every field, the source, the snapshot (sha256, date,
    /// origin), the extraction run, whether it counts for analysis, and the other claims of
    /// the row it came from.
    ///
    /// Claim ids are the numbers digests cite in their JSON and `gap --json` prints.
    Show {
        /// The claim's id.
        id: i64,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum SnapshotCommand {
    /// A stored snapshot's metadata: source, observation date, origin (a file, a URL), HTTP
    /// metadata, extraction runs with their claim counts, and its retraction if any.
    ///
    /// Name it by its sha256 or a prefix of at least 8 hex digits, as digests print it.
    Show {
        /// The snapshot's sha256, or a prefix of it.
        #[arg(value_name = "SHA")]
        sha: String,
        /// Also list the claims found at this row, as locators name it (e.g.
        /// `leaderboards[name=Verified].results[3]`).
        #[arg(long, value_name = "LOCATOR")]
        row: Option<String>,
        /// Only the snapshot of this source (the same bytes may be stored for two).
        #[arg(long, value_name = "ID")]
        source: Option<String>,
        /// Write the stored bytes, exactly as fetched or imported, to stdout.
        #[arg(long, conflicts_with_all = ["json", "row"])]
        raw: bool,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Take a snapshot's claims out of analysis, with a reason.
    ///
    /// For bytes that should never have counted (a test page, a board published in error).
    /// The retraction is a new row, recorded with today's date: nothing is deleted, and the
    /// snapshot, its runs and its claims stay. It cannot be undone.
    Retract {
        /// The snapshot's sha256, or a prefix of at least 8 hex digits.
        #[arg(value_name = "SHA")]
        sha: String,
        /// Why, for the record and for readers of the digest.
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// Only the snapshot of this source (the same bytes may be stored for two).
        #[arg(long, value_name = "ID")]
        source: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Subcommand)]
pub enum StoryCommand {
    /// List published versions.
    History {
        /// The story id (default: the workspace's first story).
        #[arg(long, value_name = "ID")]
        story: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
    /// Print a published version's stored bytes.
    Show {
        /// The version, as `v3` or `3`.
        #[arg(value_name = "VERSION")]
        number: String,
        /// The story id (default: the workspace's first story).
        #[arg(long, value_name = "ID")]
        story: Option<String>,
        /// Which rendering.
        #[arg(long, value_enum, default_value_t = ShowFormat::Md)]
        format: ShowFormat,
    },
    /// What changed between two versions: what was lost (benchmarks, rows, a cohort's best
    /// result on a row) and what is new or changed by the story's materiality rules.
    Diff {
        /// The earlier version, as `v1` or `1`.
        from: String,
        /// The later version.
        to: String,
        /// The story id (default: the workspace's first story).
        #[arg(long, value_name = "ID")]
        story: Option<String>,
        /// Print JSON.
        #[arg(long)]
        json: bool,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShowFormat {
    /// Markdown.
    Md,
    /// One self-contained HTML page.
    Html,
    /// JSON (the digest's data; schema in docs/digest-schema.json).
    Json,
}

impl ShowFormat {
    pub fn key(self) -> &'static str {
        match self {
            ShowFormat::Md => "md",
            ShowFormat::Html => "html",
            ShowFormat::Json => "json",
        }
    }
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// Answer as of this date: only evidence observed by then counts.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<Date>,
    /// The story whose benchmarks and cohorts to use (default: the workspace's first story).
    #[arg(long, value_name = "ID")]
    pub story: Option<String>,
    /// Print JSON.
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// Print CSV.
    #[arg(long)]
    pub csv: bool,
}

#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Only these sources (repeatable); all configured sources when absent.
    #[arg(long = "source", value_name = "ID")]
    pub sources: Vec<String>,
    /// Most requests in flight to one host.
    #[arg(long, default_value_t = 2, value_name = "N")]
    pub per_host: usize,
    /// Most requests in flight overall.
    #[arg(long, default_value_t = 8, value_name = "N")]
    pub concurrency: usize,
    /// The least time between the starts of two requests to one host: 1s, 250ms, or 0 for
    /// a server of your own that needs no politeness.
    #[arg(long, default_value = "1s", value_name = "DURATION", value_parser = parse_interval)]
    pub host_interval: std::time::Duration,
    /// Give up on a source after this long, retries included.
    #[arg(long, default_value = "2m", value_name = "DURATION", value_parser = crate::ingest::parse_duration)]
    pub timeout: std::time::Duration,
    /// Attempts per source (retries on 5xx, 408, 429 and connection errors).
    #[arg(long, default_value_t = 4, value_name = "N")]
    pub attempts: u32,
    /// Print the run as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BackfillArgs {
    /// The configured source the file is a copy of (see `gapwatch sources list`).
    #[arg(long, value_name = "ID")]
    pub source: String,
    /// A clone of the publisher's repository (its folder or any folder inside it).
    #[arg(long, value_name = "DIR")]
    pub repo: PathBuf,
    /// The file in the repository, relative to its top folder, as in data/leaderboards.json.
    /// Repeat it for a file that git does not see as renamed (moved and rewritten at once).
    #[arg(long = "path", value_name = "PATH", required = true,
          value_parser = crate::backfill::parse_repo_path)]
    pub paths: Vec<String>,
    /// Only commits made on or after this date (UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub since: Option<Date>,
    /// Only commits made on or before this date (UTC).
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub until: Option<Date>,
    /// Print the run as JSON (per-version lines then go to stderr).
    #[arg(long)]
    pub json: bool,
}

/// An interval that may be zero or given in milliseconds (`0`, `250ms`), or any duration
/// `--every` accepts (`1s`, `2m`).
fn parse_interval(text: &str) -> Result<std::time::Duration, String> {
    let t = text.trim();
    if t == "0" {
        return Ok(std::time::Duration::ZERO);
    }
    if let Some(ms) = t.strip_suffix("ms") {
        return ms
            .parse::<u64>()
            .map(std::time::Duration::from_millis)
            .map_err(|_| format!("{text:?}: expected a number of milliseconds, as in 250ms"));
    }
    crate::ingest::parse_duration(t)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory as _;

    #[test]
    fn the_command_line_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }

    #[test]
    fn host_intervals_may_be_zero_or_milliseconds() {
        use std::time::Duration;
        assert_eq!(super::parse_interval("0"), Ok(Duration::ZERO));
        assert_eq!(
            super::parse_interval("250ms"),
            Ok(Duration::from_millis(250))
        );
        assert_eq!(super::parse_interval("2s"), Ok(Duration::from_secs(2)));
        assert!(super::parse_interval("fast").is_err());
        assert!(super::parse_interval("xms").is_err());
    }
}
