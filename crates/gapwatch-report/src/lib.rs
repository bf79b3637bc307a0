//! Digest building and rendering for gapwatch stories.
//!
//! A digest is one version of a story, in the order an editor would sign: What's new, What,
//! Why it matters, Open questions, the parity map, forecasts, turning points, the tensions that
//! touch a row, numbered sources, then an appendix (every comparison, change, event and
//! tension, and the evidence cited). Every number carries a citation `[n]` naming a source
//! and the claims it rests on; the Sources list names the stored snapshots, and the Evidence
//! appendix the row of each claim. [`prose`] owns the wording and number formats, for the
//! command line too. Rendering is pure: the same digest gives the same bytes.
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
//! let claims = gapwatch_model::ClaimSet::new();
//! let digest = Digest::build(&DigestInput {
//!     story: &story,
//!     version: 1,
//!     published_on: as_of,
//!     analysis: &analysis,
//!     changes: &[],
//!     claims: &claims,
//!     sources: &[],
//!     origins: &BTreeMap::new(),
//!     numbers: &BTreeMap::new(),
//!     perspectives: &[],
//!     quotes: &BTreeMap::new(),
//! });
//! let markdown = render_markdown(&digest);
//! assert!(markdown.starts_with("# Open weights vs closed — v1"));
//! // The sections an editor expects, in order; the appendix after Sources.
//! let ids: Vec<&str> = digest.sections.iter().map(|s| s.id.as_str()).collect();
//! assert_eq!(&ids[..5], ["whats-new", "what", "why-it-matters", "open-questions", "parity-map"]);
//! # Ok::<(), gapwatch_model::ModelError>(())
//! ```

mod atom;
pub mod describe;
mod digest;
mod html;
mod markdown;
mod perspectives;
pub mod prose;
mod sections;

pub use atom::{FeedEntry, render_atom};
pub use digest::{
    Block, CitedClaim, CitedSnapshot, CitedSource, Digest, DigestInput, GapSeries, Inline, Line,
    QuotedSnapshot, Section, SourceMeta,
};
pub use html::render_html;
pub use markdown::render_markdown;
