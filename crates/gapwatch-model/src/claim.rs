//! Claims: single assertions extracted from a snapshot of a source.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::Date;

/// Whether a model's weights can be downloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Access {
    /// Weights published for download (whatever the license).
    OpenWeights,
    /// Only an API or product; no weights.
    Closed,
    /// Weights shared with some parties only, or on request.
    Limited,
    /// Nobody has said.
    Unknown,
}

impl Access {
    /// The stable lowercase name used in files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Access::OpenWeights => "open-weights",
            Access::Closed => "closed",
            Access::Limited => "limited",
            Access::Unknown => "unknown",
        }
    }

    /// Parses the names written by [`Access::as_str`].
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "open-weights" => Access::OpenWeights,
            "closed" => Access::Closed,
            "limited" => Access::Limited,
            "unknown" => Access::Unknown,
            _ => return None,
        })
    }
}

impl fmt::Display for Access {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Access::OpenWeights => "open weights",
            Access::Closed => "closed",
            Access::Limited => "limited",
            Access::Unknown => "unknown access",
        })
    }
}

/// Who stated a result: the evidence basis of a score.
///
/// Three kinds of evidence are told apart because they are not interchangeable: an
/// independent run (a leaderboard's or evaluator's own), a lab's figure for its own model, and
/// a lab's figure for a competitor's model (model cards print many of these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evaluator {
    /// An independent run: the leaderboard's maintainers or an evaluator ran it.
    ThirdParty,
    /// The model's own lab reported it.
    SelfReported,
    /// The source does not say.
    Unknown,
    /// A lab reported it about another lab's model (a competitor column of a model card).
    #[serde(rename = "competitor-reported")]
    Competitor,
}

impl Evaluator {
    /// The stable lowercase name used in files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Evaluator::ThirdParty => "third-party",
            Evaluator::SelfReported => "self-reported",
            Evaluator::Unknown => "unknown",
            Evaluator::Competitor => "competitor-reported",
        }
    }

    /// Parses the names written by [`Evaluator::as_str`].
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "third-party" => Evaluator::ThirdParty,
            "self-reported" => Evaluator::SelfReported,
            "unknown" => Evaluator::Unknown,
            "competitor-reported" => Evaluator::Competitor,
            _ => return None,
        })
    }
}

/// The unit a score is expressed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Unit {
    /// Percent, 0 to 100 (fractions are scaled on extraction).
    Percent,
    /// An Elo-style rating.
    Elo,
    /// Any other number, compared as is.
    Score,
}

impl Unit {
    /// The stable lowercase name used in files and the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Percent => "percent",
            Unit::Elo => "elo",
            Unit::Score => "score",
        }
    }

    /// Parses the names written by [`Unit::as_str`].
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "percent" => Unit::Percent,
            "elo" => Unit::Elo,
            "score" => Unit::Score,
            _ => return None,
        })
    }

    /// The suffix written after a value: `%` for percent, nothing otherwise.
    pub fn suffix(self) -> &'static str {
        match self {
            Unit::Percent => "%",
            Unit::Elo | Unit::Score => "",
        }
    }
}

/// Settings that make a result a distinct variant: `mode = "FC"`, `edit_format = "diff"`,
/// `attempts = "2+"`, `capped = "true"`. Ordered, so equal settings compare equal.
pub type Settings = BTreeMap<String, String>;

/// What a claim is about: a model, or a system (a scaffold or agent) built on models.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Subject {
    /// The name exactly as the source shows it.
    pub name: String,
    /// The scaffold or agent, when the subject is a system.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    /// The raw names of the models involved; one for a plain model entry.
    pub models: Vec<String>,
}

impl Subject {
    /// A plain model entry: the name is also the only model.
    pub fn model(name: impl Into<String>) -> Self {
        let name = name.into();
        Self {
            models: vec![name.clone()],
            name,
            system: None,
        }
    }

    /// A system entry built on the given models.
    pub fn system(
        name: impl Into<String>,
        system: impl Into<String>,
        models: impl IntoIterator<Item = impl Into<String>>,
    ) -> Self {
        Self {
            name: name.into(),
            system: Some(system.into()),
            models: models.into_iter().map(Into::into).collect(),
        }
    }
}

/// A measured result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Score {
    /// The benchmark's canonical id (see [`crate::Registry::resolve_benchmark`]).
    pub benchmark: String,
    /// The split or variant (`val`, `test`, `verified`), empty for the main one.
    #[serde(default)]
    pub variant: String,
    /// What was measured: `resolved`, `pass@1`, `accuracy`, `rating`.
    pub metric: String,
    /// Settings that make this result distinct from others for the same subject.
    #[serde(default)]
    pub settings: Settings,
    /// The value, in `unit`.
    pub value: f64,
    /// The unit of `value` and `uncertainty`.
    pub unit: Unit,
    /// A `±` half-width, when the source gives one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uncertainty: Option<f64>,
}

/// What a claim asserts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Fact {
    /// A benchmark result.
    Score(Score),
    /// The source's statement about a subject's weights and license.
    Access {
        /// Open, closed or limited as the source flags it.
        access: Access,
        /// The license text the source shows, when it shows one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        license: Option<String>,
    },
}

/// One assertion extracted from one snapshot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Claim {
    /// What the claim is about.
    pub subject: Subject,
    /// What it asserts.
    pub fact: Fact,
    /// The date the source attaches to the result, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reported_on: Option<Date>,
    /// Who produced the result.
    pub evaluator: Evaluator,
    /// Where in the snapshot it was found: table, row, field.
    pub locator: String,
}

impl Claim {
    /// The score, when this claim is a benchmark result.
    pub fn score(&self) -> Option<&Score> {
        match &self.fact {
            Fact::Score(s) => Some(s),
            Fact::Access { .. } => None,
        }
    }
}

/// A stored claim, with where it came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimRecord {
    /// The claim's id in the store; stable and increasing.
    pub id: i64,
    /// The configured source's id.
    pub source_id: String,
    /// The snapshot's id in the store.
    pub snapshot_id: i64,
    /// The extraction run that extracted the claim from the snapshot; a snapshot extracted
    /// again by a newer adapter or configuration has a newer run, whose claims supersede
    /// the older run's. 0 when not stored.
    #[serde(default)]
    pub run_id: i64,
    /// The sha256 of the snapshot's bytes, lowercase hex.
    pub snapshot_sha256: String,
    /// The date the snapshot was observed (fetched, or given on import).
    pub observed_on: Date,
    /// The claim itself.
    pub claim: Claim,
}

impl ClaimRecord {
    /// The date that places this claim in time: the source's own date for the result when
    /// it gives one, otherwise when the snapshot was observed. Never later than observed.
    pub fn effective_date(&self) -> Date {
        match self.claim.reported_on {
            Some(d) if d <= self.observed_on => d,
            _ => self.observed_on,
        }
    }
}
