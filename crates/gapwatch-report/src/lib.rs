//! Digest building and rendering for gapwatch stories.
//!
//! A digest is one version of a story: what changed since the previous version, the parity
//! map, forecasts, a timeline, tensions between sources, and numbered sources. Every number
//! carries a citation `[n]` that resolves to an entry of the Sources list, which names the
//! stored snapshots the number came from. Rendering is pure: the same digest gives the same
//! bytes.
//!
//! ```
//! use std::collections::BTreeMap;
//! use gapwatch_analysis::{analyze, AnalysisOptions};
//! use gapwatch_model::{Date, Registry, Story};
//! use gapwatch_report::{Digest, DigestInput, render_markdown};
//!
//! let story = Story::from_toml_str(r#"
//!     id = "demo"
//!     title = "Open weights vs closed"
//!     benchmarks = ["mmlu"]
//!     parity = { value = 2.0, unit = "points" }
//!     incumbent = { id = "closed", label = "Closed", access = ["closed"] }
//!     challenger = { id = "open", label = "Open weights", access = ["open-weights"] }
//! "#, "story.toml")?;
//! let registry = Registry::builtin()?;
//! let as_of: Date = "2025-01-01".parse()?;
//! let analysis = analyze(&gapwatch_model::ClaimSet::new(), &registry, &story, as_of, &AnalysisOptions::default());
//! let digest = Digest::build(&DigestInput {
//!     story: &story,
//!     registry: &registry,
//!     version: 1,
//!     published_on: as_of,
//!     analysis: &analysis,
//!     changes: &[],
//!     sources: &[],
//!     claim_sources: &BTreeMap::new(),
//!     claim_count: 0,
//!     history: &[],
//! });
//! let markdown = render_markdown(&digest);
//! assert!(markdown.starts_with("# Open weights vs closed — v1"));
//! # Ok::<(), gapwatch_model::ModelError>(())
//! ```

mod atom;
pub mod describe;
mod digest;
mod html;
mod markdown;
pub mod prose;
mod sections;

pub use atom::{FeedEntry, render_atom};
pub use digest::{
    Block, CitedClaim, CitedSnapshot, CitedSource, Digest, DigestInput, GapSeries, Inline, Line,
    Section, SourceMeta,
};
pub use html::render_html;
pub use markdown::render_markdown;
