//! What every part of one analysis shares: the inputs, the prepared claims, the lanes'
//! series, each row's chosen pair of lanes, and the ways of naming them.

use std::cmp::Reverse;

use gapwatch_model::{Date, Evaluator, Registry, Story, Unit};

use crate::prepare::{CHALLENGER, INCUMBENT, Prepared, basis_rank};
use crate::series::LaneSeries;
use crate::text;
use crate::{Cohort, Entry, RowKey};

/// One analysis in progress.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub(crate) registry: &'a Registry,
    pub(crate) story: &'a Story,
    pub(crate) as_of: Date,
    pub(crate) prepared: &'a Prepared<'a>,
    pub(crate) series: &'a [LaneSeries],
    /// Per row, the lanes its two sides are compared on.
    pub(crate) pairs: &'a [RowPair],
}

/// The lanes a row's sides come from, and the row's history on them.
#[derive(Debug, Default)]
pub(crate) struct RowPair {
    /// Per cohort (incumbent, challenger), the lane of its side.
    pub(crate) lanes: [Option<usize>; 2],
    /// The bests of both sides on each date either changed, oldest first.
    pub(crate) points: Vec<PairPoint>,
}

impl RowPair {
    /// The bests now.
    pub(crate) fn last(&self) -> [Option<usize>; 2] {
        self.points.last().map_or([None, None], |p| p.best)
    }

    /// True when both sides come from one lane: the same evidence basis.
    pub(crate) fn same_basis(&self) -> bool {
        matches!(self.lanes, [Some(a), Some(b)] if a == b)
    }
}

/// Both sides' bests on one date.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct PairPoint {
    pub(crate) date: Date,
    pub(crate) best: [Option<usize>; 2],
}

/// Chooses the lanes of each row: the first basis (in [`crate::prepare::basis_rank`] order)
/// on which both cohorts have a result and neither side is stale (nor the lane dormant);
/// failing that, the first on which both have a result and that is not dormant; failing that
/// (all dormant), the first among those measured within the staleness window of the most
/// recently measured; failing that, each cohort's own first basis. Ratings have a lane per leaderboard: among a basis's boards, the one whose two
/// sides were measured most recently.
pub(crate) fn pairs(
    prepared: &Prepared<'_>,
    series: &[LaneSeries],
    story: &Story,
    as_of: Date,
) -> Vec<RowPair> {
    let stale = i64::from(story.stale_after_days);
    let dormant = i64::from(story.dormant_after_days);
    let fresh = |lane: usize| -> bool {
        let [Some(i), Some(c)] = [INCUMBENT, CHALLENGER].map(|s| series[lane].newest[s]) else {
            return false;
        };
        let (i, c) = (i.days_since_epoch(), c.days_since_epoch());
        (i - c).abs() <= stale && as_of.days_since_epoch() - i.max(c) <= dormant
    };
    let dormant_lane = |lane: usize| -> bool {
        let newest = series[lane].newest[INCUMBENT].max(series[lane].newest[CHALLENGER]);
        newest.is_some_and(|n| as_of.days_since_epoch() - n.days_since_epoch() > dormant)
    };
    let rank = |lane: usize| basis_rank(prepared.lanes[lane].basis);
    // The date both sides of a lane have been measured up to.
    let measured =
        |lane: usize| series[lane].newest[INCUMBENT].min(series[lane].newest[CHALLENGER]);
    prepared
        .rows
        .iter()
        .map(|row| {
            let has = |lane: usize, side: usize| series[lane].last()[side].is_some();
            let both = |l: &usize| has(*l, INCUMBENT) && has(*l, CHALLENGER);
            let lanes = row.lanes.clone();
            let pick = |l: usize| (rank(l), Reverse(measured(l)));
            // Failing a fresh lane: one where a side is stale, by basis; failing that (every
            // lane dormant), the one measured most recently, whatever its basis.
            let chosen = lanes
                .clone()
                .filter(both)
                .filter(|&l| fresh(l))
                .min_by_key(|&l| pick(l))
                .or_else(|| {
                    let candidates: Vec<usize> = lanes.clone().filter(both).collect();
                    candidates
                        .iter()
                        .copied()
                        .filter(|&l| !dormant_lane(l))
                        .min_by_key(|&l| pick(l))
                        .or_else(|| {
                            // All dormant: by basis among those measured within the staleness
                            // window of the latest.
                            let latest = candidates.iter().filter_map(|&l| measured(l)).max();
                            candidates
                                .iter()
                                .copied()
                                .filter(|&l| {
                                    let (Some(m), Some(latest)) = (measured(l), latest) else {
                                        return true;
                                    };
                                    latest.days_since_epoch() - m.days_since_epoch() <= stale
                                })
                                .min_by_key(|&l| pick(l))
                        })
                });
            let lanes = match chosen {
                Some(l) => [Some(l), Some(l)],
                None => [INCUMBENT, CHALLENGER].map(|side| {
                    lanes
                        .clone()
                        .filter(|&l| has(l, side))
                        .min_by_key(|&l| (rank(l), Reverse(series[l].newest[side])))
                }),
            };
            RowPair {
                points: merge(series, lanes),
                lanes,
            }
        })
        .collect()
}

/// The two sides' points merged by date, each carrying its last best forward.
fn merge(series: &[LaneSeries], lanes: [Option<usize>; 2]) -> Vec<PairPoint> {
    let empty: &[crate::series::Point] = &[];
    let pts = [INCUMBENT, CHALLENGER].map(|s| lanes[s].map_or(empty, |l| &series[l].points[..]));
    let mut dates: Vec<Date> = pts.iter().flat_map(|p| p.iter().map(|x| x.date)).collect();
    dates.sort_unstable();
    dates.dedup();
    let mut next = [0usize; 2];
    let mut best = [None, None];
    let mut out: Vec<PairPoint> = Vec::new();
    for date in dates {
        for side in [INCUMBENT, CHALLENGER] {
            while next[side] < pts[side].len() && pts[side][next[side]].date <= date {
                best[side] = pts[side][next[side]].best[side];
                next[side] += 1;
            }
        }
        if out.last().is_none_or(|p| p.best != best) {
            out.push(PairPoint { date, best });
        }
    }
    out
}

/// A row's benchmark, as people and code need it.
#[derive(Debug, Clone)]
pub(crate) struct RowInfo {
    pub(crate) key: RowKey,
    pub(crate) unit: Unit,
    pub(crate) higher_is_better: bool,
}

impl Ctx<'_> {
    pub(crate) fn row_info(&self, row: usize) -> RowInfo {
        let r = &self.prepared.rows[row];
        let sb = &self.prepared.scope[r.bench];
        let (name, unit, higher_is_better) = match sb.entry {
            Some(e) => (e.name.clone(), e.unit, e.higher_is_better),
            None => (sb.id.clone(), Unit::Score, true),
        };
        RowInfo {
            key: RowKey {
                benchmark: sb.id.clone(),
                benchmark_name: name,
                variant: r.variant.clone(),
                class: r.class.clone(),
                role: r.role,
            },
            unit,
            higher_is_better,
        }
    }

    pub(crate) fn value(&self, claim: usize) -> f64 {
        self.prepared.claims[claim].value
    }

    pub(crate) fn claim_id(&self, claim: usize) -> i64 {
        self.prepared.claims[claim].id
    }

    pub(crate) fn basis_of_lane(&self, lane: usize) -> Evaluator {
        self.prepared.lanes[lane].basis
    }

    /// The leaderboard a lane of ratings was rated on.
    pub(crate) fn board_of_lane(&self, lane: usize) -> Option<&str> {
        self.prepared.lanes[lane].board.as_deref()
    }

    /// The subject of a claim in registry display names.
    pub(crate) fn subject(&self, claim: usize) -> String {
        text::subject(self.registry, self.prepared.subject_of(claim))
    }

    pub(crate) fn entry(&self, claim: usize) -> Entry {
        let c = &self.prepared.claims[claim];
        let set = self.prepared.set;
        let raw = self.prepared.subject_of(claim);
        Entry {
            subject: self.subject(claim),
            system: raw.system.clone(),
            models: text::display_names(self.registry, raw),
            model_ids: self.prepared.subjects[c.subject]
                .ids
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            value: c.value,
            unit: c.unit,
            date: c.effective,
            date_basis: c.date_basis,
            claim_id: c.id,
            source_id: set.str(c.rec.source).to_owned(),
            snapshot_sha256: set.str(c.rec.snapshot_sha256).to_owned(),
            observed_on: c.rec.observed_on,
            locator: self.locator(claim).to_owned(),
            settings: self.prepared.settings_of(claim).clone(),
            evaluator: c.evaluator,
        }
    }

    /// The locator of a counted claim.
    pub(crate) fn locator(&self, claim: usize) -> &str {
        self.prepared
            .set
            .locator(self.prepared.claims[claim].index as usize)
    }

    /// The rows the story shows, in order.
    pub(crate) fn story_rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.prepared
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| self.prepared.scope[r.bench].in_story)
            .map(|(i, _)| i)
    }
}

/// The cohort of a side index.
pub(crate) fn cohort(side: usize) -> Cohort {
    if side == INCUMBENT {
        Cohort::Incumbent
    } else {
        Cohort::Challenger
    }
}
