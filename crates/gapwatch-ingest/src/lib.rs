//! Source adapters for gapwatch: configuration-driven extraction of claims from leaderboard
//! bytes in HTML tables, JSON embedded in HTML, JSON (JSONPath), CSV, YAML and Markdown, and
//! from labs' model cards (see `docs/sources.md`, "Model cards").
//!
//! ```
//! use gapwatch_ingest::{SourcesFile, Structure, extract};
//! use gapwatch_model::{Access, Fact};
//!
//! let sources = SourcesFile::from_toml_str(r#"
//! [[source]]
//! id = "bfcl"
//! publisher = "Gorilla (UC Berkeley)"
//! title = "Berkeley Function Calling Leaderboard"
//! url = "https://raw.githubusercontent.com/ShishirPatil/gorilla/gh-pages/data_overall.csv"
//! format = "csv"
//! subject = { name = "Model" }
//! access = { license = "License", closed_licenses = ["Proprietary"] }
//!
//! [[source.score]]
//! field = "Overall Acc"
//! benchmark = "bfcl"
//! metric = "overall accuracy"
//!
//! [[source.setting]]
//! key = "mode"
//! name_suffix = "({})"
//! values = ["FC", "Prompt"]
//! "#, "sources.toml")?;
//!
//! let csv = "Rank,Overall Acc,Model,License\n\
//!            1,77.47%,Claude-Opus-4-5-20251101 (FC),Proprietary\n\
//!            2,N/A,GLM-4.5 (Prompt),MIT\n";
//! let run = extract(sources.get("bfcl").unwrap(), csv.as_bytes())?;
//!
//! assert_eq!(run.structure, Structure::Data);
//! assert_eq!(run.score_rows(), 1); // `N/A` is a missing value, not a zero
//! let score = run.claims[0].score().unwrap();
//! assert_eq!(run.claims[0].subject.name, "Claude-Opus-4-5-20251101");
//! assert_eq!((score.value, score.settings["mode"].as_str()), (77.47, "FC"));
//! assert!(matches!(
//!     &run.claims.last().unwrap().fact,
//!     Fact::Access { access: Access::OpenWeights, license: Some(l) } if l == "MIT"
//! ));
//! # Ok::<(), gapwatch_ingest::IngestError>(())
//! ```
//!
//! Adapters are pure functions of bytes and configuration: no I/O, no clock, no network.
//! A leaderboard is added by writing a `[[source]]` entry (see `docs/sources.md`), not
//! code. Problems with rows are warnings on the [`Extraction`]; a page that holds no rows
//! says why in [`Structure::Empty`], and [`compare_row_counts`] flags a row count that fell
//! by more than half since the last good snapshot.

mod article;
mod card;
mod card_config;
mod card_doc;
mod config;
mod csv_table;
mod derived;
mod error;
mod extract;
mod file_settings;
mod html;
mod js_literal;
mod mapping;
mod markdown;
mod record;
mod registry_check;
mod strip;
mod tree;
mod value;

pub use article::{ArticleClaim, ArticleConfig, contains_quote, page_text, read_evidence_file};
pub use card_config::{
    AccessColumn, CardConfig, CardMarker, CardTable, CardTarget, ColumnRef, MarkPlace, ModelAxis,
    OneOrMany, SettingColumn, TargetSpec,
};
pub use config::{
    AccessRule, BenchmarkTarget, DEFAULT_MAX_BYTES, DateRule, EvaluatorRule, FieldRef, FieldSpec,
    Format, GroupLabel, Marker, RaggedRows, ScoreRule, SettingRule, SkipRule, SourceConfig,
    SourcesFile, SubjectKind, SubjectRule, TableSpec, TagRule,
};
pub use derived::DerivedScore;
pub use error::IngestError;
pub use extract::{
    ADAPTER_VERSION, ExtractOptions, Extraction, RowReport, Structure, Warning, compare_row_counts,
    extract, extract_with,
};
pub use file_settings::FileSettingRule;
pub use registry_check::check_benchmarks;
pub use strip::NameStrip;
pub use value::{ParsedScore, is_missing, parse_score};
