//! What the evaluation of a story's perspectives returns: for each position, its proposition
//! checked on the statement date and on the version's date, and its Evolution since.

use gapwatch_model::{ActorKind, Date, Proposition, Unit};
use serde::{Deserialize, Serialize};

use crate::{Gap, NotComparable, RowKey};

/// How a perspective's proposition stands on the evidence since it was stated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Evolution {
    /// It holds on the evidence as of the version, at least as firmly as when it was stated.
    Supported,
    /// It still holds, or holds in part, but the evidence since moved against it: a median
    /// lag closer to the edge of the range, fewer benchmarks led or at parity than when
    /// stated, gaps that moved both ways.
    Weakened,
    /// It does not hold on the evidence as of the version.
    Contradicted,
    /// The evidence cannot test it: no proposition, no comparable row or median lag, or
    /// nothing measured since it was stated.
    Untestable,
}

impl Evolution {
    /// The stable lowercase name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            Evolution::Supported => "supported",
            Evolution::Weakened => "weakened",
            Evolution::Contradicted => "contradicted",
            Evolution::Untestable => "untestable",
        }
    }
}

/// One perspective, evaluated as of a version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PerspectiveStatus {
    /// The perspective's id in the story.
    pub perspective_id: String,
    /// Who holds the position.
    pub actor: String,
    /// What kind of actor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_kind: Option<ActorKind>,
    /// When it was stated.
    pub stated_on: Date,
    /// The source whose stored snapshot holds the quote.
    pub source_id: String,
    /// The position in the actor's words.
    pub quote: String,
    /// What the evidence can test, if anything.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposition: Option<Proposition>,
    /// How it stands since it was stated.
    pub evolution: Evolution,
    /// The proposition checked on the date it is measured from: the statement date, or a
    /// trend's `since`. `None` without a proposition, or when that date's analysis was not
    /// given.
    pub then: Option<PropositionCheck>,
    /// The proposition checked as of the version.
    pub now: Option<PropositionCheck>,
    /// The claims the Evolution rests on: the deciding rows' bests (or lags) now, and for a
    /// trend, then.
    pub claim_ids: Vec<i64>,
    /// Other perspectives of the story whose propositions cannot hold together with this
    /// one's (two median-lag ranges that do not overlap; a gap said to narrow and to widen on
    /// the same benchmark over the same window), by id.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub in_tension_with: Vec<String>,
}

/// A proposition checked on one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PropositionCheck {
    /// The date of the analysis it was checked on.
    pub as_of: Date,
    /// Whether it holds on that date; `None` when the evidence cannot say. For a trend, the
    /// check of the window's start says nothing by itself and is `None`.
    pub holds: Option<bool>,
    /// For `median-lag-within`: the story's median lag, in months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_lag_months: Option<f64>,
    /// For `median-lag-within`: how many rows the median is taken over.
    #[serde(default)]
    pub lag_rows: usize,
    /// For the propositions about benchmarks: each named benchmark's headline row, in the
    /// proposition's order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<RowCheck>,
    /// The claims the check rests on.
    pub claim_ids: Vec<i64>,
}

/// One named benchmark's headline row on one date.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowCheck {
    /// The benchmark id as the proposition names it.
    pub benchmark: String,
    /// Its headline row; `None` when the story does not track the benchmark.
    pub row: Option<RowKey>,
    /// The unit of its scores.
    pub unit: Unit,
    /// Whether the row's sides can be compared on that date.
    pub comparable: bool,
    /// Why not, when they cannot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_comparable: Option<NotComparable>,
    /// The gap, when both sides have results.
    pub gap: Option<Gap>,
    /// The challenger leads (comparable rows only).
    pub challenger_leads: bool,
    /// Within the parity margin or ahead (comparable rows only).
    pub parity: Option<bool>,
    /// The row's bests, incumbent first.
    pub claim_ids: Vec<i64>,
}
