//! Gap analysis over claims: per benchmark, who leads between a story's two cohorts, by how
//! much, since when, forecast verdicts, tensions between sources, a timeline, and the
//! material changes between two analyses.
//!
//! ```
//! use gapwatch_analysis::{AnalysisOptions, analyze};
//! use gapwatch_model::{
//!     Claim, ClaimRecord, ClaimSet, Date, Evaluator, Fact, Registry, Score, Story, Subject, Unit,
//! };
//!
//! let registry = Registry::from_toml_str(r#"
//!     [[model]]
//!     id = "gpt-4o"
//!     name = "GPT-4o"
//!     organization = "OpenAI"
//!     access = "closed"
//!
//!     [[model]]
//!     id = "llama-3-1-405b"
//!     name = "Llama 3.1 405B"
//!     organization = "Meta"
//!     access = "open-weights"
//!
//!     [[benchmark]]
//!     id = "mmlu"
//!     name = "MMLU"
//!     unit = "percent"
//! "#, "registry.toml")?;
//! let story = Story::from_toml_str(r#"
//!     id = "open-vs-closed"
//!     title = "Open weights vs closed"
//!     benchmarks = ["mmlu"]
//!     parity = { value = 2.0, unit = "points" }
//!     incumbent = { id = "closed", label = "Closed", access = ["closed"] }
//!     challenger = { id = "open", label = "Open weights", access = ["open-weights"] }
//! "#, "story.toml")?;
//! let claim = |id: i64, model: &str, value: f64| ClaimRecord {
//!     id,
//!     source_id: "evals".into(),
//!     snapshot_id: 1,
//!     run_id: 1,
//!     snapshot_sha256: "ab".repeat(32),
//!     observed_on: "2024-08-01".parse().unwrap(),
//!     claim: Claim {
//!         subject: Subject::model(model),
//!         fact: Fact::Score(Score {
//!             benchmark: "mmlu".into(),
//!             variant: String::new(),
//!             metric: "accuracy".into(),
//!             settings: Default::default(),
//!             value,
//!             unit: Unit::Percent,
//!             uncertainty: None,
//!         }),
//!         reported_on: None,
//!         evaluator: Evaluator::ThirdParty,
//!         locator: format!("row {id}"),
//!     },
//! };
//! // A claim set holds claims compactly; the store can load one directly.
//! let claims = ClaimSet::from_records(&[claim(1, "GPT-4o", 88.7), claim(2, "Llama 3.1 405B", 88.6)]);
//! let as_of: Date = "2024-09-01".parse()?;
//! let analysis = analyze(&claims, &registry, &story, as_of, &AnalysisOptions::default());
//!
//! // One row per benchmark comparison: MMLU's headline row.
//! let row = &analysis.parity[0];
//! let closed = row.incumbent.as_ref().expect("a closed result");
//! let open = row.challenger.as_ref().expect("an open result");
//! assert_eq!(closed.best.subject, "GPT-4o");
//! assert_eq!(open.best.claim_id, 2);
//! // Both sides are independent runs, measured within the story's staleness window.
//! assert_eq!(closed.basis, Evaluator::ThirdParty);
//! assert_eq!(row.not_comparable(), None);
//! let gap = row.gap.expect("both cohorts have results");
//! assert!((gap.points - 0.1).abs() < 1e-9);
//! assert_eq!(row.parity, Some(true)); // 0.1 points is within 2 points
//! assert_eq!(analysis.summary.at_parity, [row.key.clone()]);
//! # Ok::<(), gapwatch_model::ModelError>(())
//! ```
//!
//! The analysis is pure: no I/O, no clock. The same claims, registry, story and date give
//! the same [`Analysis`], whatever the order of the claims. The rules (which claim counts,
//! how gaps, parity, lags and verdicts are computed) are set out in `docs/analysis.md`.

mod changes;
mod context;
mod forecast;
mod hashing;
mod parity;
mod perspective_types;
mod perspectives;
mod prepare;
mod series;
mod tension;
mod text;
mod timeline;
mod types;

use gapwatch_model::{ClaimSet, Date, Registry, Story};
use serde::{Deserialize, Serialize};

pub use changes::changes;
pub use perspective_types::{Evolution, PerspectiveStatus, PropositionCheck, RowCheck};
pub use perspectives::{evaluate_perspectives, perspective_changes, perspective_dates};
pub use types::{
    Alternative, Analysis, BenchmarkCheck, Change, Cohort, CohortCoverage, CohortSide, Coverage,
    Crossing, DateBasis, DateBound, DateBoundReason, Entry, Flip, ForecastStatus, Gap, GapPoint,
    Lag, LagMove, LagSummary, NotComparable, ParityRow, ReadingVerdict, RowKey, RowNote, RowRole,
    Summary, Tension, TensionItem, TensionKind, TimelineEvent, TimelineKind, UnknownLeader,
    Verdict, VerdictIf,
};

use context::Ctx;
use prepare::{PARALLEL_FROM, Prepared};

/// How far apart two sources' values for the same result may be before it is a tension, and
/// which sources are one publisher's file in successive formats.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnalysisOptions {
    /// For percent scores, and for plain scores: 1.0 point by default.
    pub tolerance_percent_points: f64,
    /// For Elo ratings: 10 by default.
    pub tolerance_elo: f64,
    /// Source id → lineage: sources of one lineage (a leaderboard's JSON and its older HTML
    /// page) count as one source, the latest snapshot of any of them superseding the
    /// others, and never disagree with each other. A source not listed is its own lineage.
    #[serde(default)]
    pub lineages: std::collections::BTreeMap<String, String>,
}

impl Default for AnalysisOptions {
    fn default() -> Self {
        Self {
            tolerance_percent_points: 1.0,
            tolerance_elo: 10.0,
            lineages: std::collections::BTreeMap::new(),
        }
    }
}

/// Analyzes the claims observed on or before `as_of` for a story.
///
/// The claims come as a [`ClaimSet`] (see `gapwatch_model::ClaimSet::from_records` for a list
/// of records): the analysis works once per distinct benchmark, subject and settings, and
/// reads each claim as a compact row.
pub fn analyze(
    claims: &ClaimSet,
    registry: &Registry,
    story: &Story,
    as_of: Date,
    options: &AnalysisOptions,
) -> Analysis {
    let prepared = Prepared::new(claims, registry, story, as_of, &options.lineages);
    let series = series::build(&prepared);
    let pairs = context::pairs(&prepared, &series, story, as_of);
    let ctx = Ctx {
        registry,
        story,
        as_of,
        prepared: &prepared,
        series: &series,
        pairs: &pairs,
    };
    // Tensions read only the series, so on large inputs they are found beside the rest.
    let (tensions, (parity, timeline)) = if prepared.claims.len() < PARALLEL_FROM {
        (
            tension::find(&ctx, claims, options),
            (parity::rows(&ctx), timeline::events(&ctx)),
        )
    } else {
        std::thread::scope(|threads| {
            let rest = threads.spawn(|| (parity::rows(&ctx), timeline::events(&ctx)));
            let tensions = tension::find(&ctx, claims, options);
            let rest = rest
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            (tensions, rest)
        })
    };
    let tensions = tension::on_comparable_rows(tensions, &parity, &story.parity);
    Analysis {
        story_id: story.id.clone(),
        as_of,
        summary: parity::summary(&parity),
        median_lag: parity::median_lag(&parity),
        forecasts: forecast::evaluate(&ctx, &parity),
        parity,
        tensions,
        timeline,
        coverage: ctx.prepared.coverage.clone(),
    }
}
