//! Domain types of gapwatch: claims and their subjects, dates, the registry of models and
//! benchmarks with name resolution, and stories with their cohorts and forecasts.
//!
//! ```
//! use gapwatch_model::{Access, Registry, Resolution};
//!
//! let registry = Registry::builtin()?;
//! // Exact alias first, then a normalized key; never a fuzzy merge.
//! let id = registry.resolve_model_name("GPT 4o (2024-05-13)").id();
//! assert_eq!(id, Some("gpt-4o-2024-05-13"));
//! assert_eq!(registry.model("gpt-4o-2024-05-13").map(|m| m.access), Some(Access::Closed));
//! assert!(matches!(
//!     registry.resolve_model_name("gpt-4o-2099-01-01"),
//!     Resolution::Unresolved { .. }
//! ));
//! # Ok::<(), gapwatch_model::ModelError>(())
//! ```
//!
//! Everything here is plain data and pure functions: no I/O, no clock.

mod claim;
mod claim_set;
mod date;
mod error;
mod perspective;
mod registry;
mod registry_file;
mod story;

pub use claim::{Access, Claim, ClaimRecord, Evaluator, Fact, Score, Settings, Subject, Unit};
pub use claim_set::{ClaimRow, ClaimSet, FactRow, ForeignId, SettingsId, StrId, SubjectId};
pub use date::{Date, DateOrder};
pub use error::ModelError;
pub use perspective::{ActorKind, Perspective, Proposition, TrendDirection};
pub use registry::{BenchmarkEntry, Headline, ModelEntry, Registry, Resolution, normalize_name};
pub use registry_file::{EntryOrigin, Extension, Provenance};
pub use story::{Cohort, Combine, Forecast, Margin, MarginUnit, Materiality, Story};
