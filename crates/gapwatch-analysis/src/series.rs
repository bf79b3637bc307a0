//! The best result of each side on each lane over time, computed once by sweeping the dates
//! in order, so that the timeline, lags and forecasts never re-scan all claims.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use gapwatch_model::{Date, Margin, MarginUnit};

use crate::Gap;
use crate::prepare::{Prepared, SIDES};
use crate::text::EPSILON;

/// The state of one lane on one date: the index of each side's best claim.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    pub(crate) date: Date,
    pub(crate) best: [Option<usize>; SIDES],
}

/// A lane's history, who ties for the best at the end of it, and each side's newest result.
#[derive(Debug, Default)]
pub(crate) struct LaneSeries {
    /// One point per date on which a side's best claim changed, oldest first.
    pub(crate) points: Vec<Point>,
    /// Per side, the claims tied for the best on the last date, the one shown first.
    pub(crate) ties: [Vec<usize>; SIDES],
    /// Per side, the date of its newest result (any subject).
    pub(crate) newest: [Option<Date>; SIDES],
}

impl LaneSeries {
    pub(crate) fn last(&self) -> [Option<usize>; SIDES] {
        self.points.last().map_or([None; SIDES], |p| p.best)
    }
}

/// A result in a side's ranking: better values first, then the earlier date, then the
/// lower claim id.
#[derive(Debug, Clone, Copy)]
struct Ranked {
    /// The value, negated when higher is better, so that ascending order is best first.
    ordered: f64,
    date: Date,
    claim_id: i64,
    claim: usize,
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> Ordering {
        self.ordered
            .total_cmp(&other.ordered)
            .then(self.date.cmp(&other.date))
            .then(self.claim_id.cmp(&other.claim_id))
            .then(self.claim.cmp(&other.claim))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Ranked {}

/// Builds every lane's series in one sweep over the results' events. Each side's ranking is
/// a heap from which superseded entries are dropped lazily when they surface.
pub(crate) fn build(prepared: &Prepared<'_>) -> Vec<LaneSeries> {
    let table = &prepared.keys;
    let mut out: Vec<LaneSeries> = (0..prepared.lanes.len())
        .map(|_| LaneSeries::default())
        .collect();
    let mut current: Vec<Option<Ranked>> = vec![None; table.keys.len()];
    let mut events: Vec<(Date, usize, usize)> = Vec::new();
    // Results are sorted by lane, so each lane's results are one run of keys.
    let mut first_key = 0;
    while first_key < table.keys.len() {
        let lane = table.keys[first_key].lane;
        let mut end_key = first_key;
        events.clear();
        while end_key < table.keys.len() && table.keys[end_key].lane == lane {
            let key = &table.keys[end_key];
            events.extend(
                table.events[key.events.clone()]
                    .iter()
                    .map(|&(d, c)| (d, end_key, c)),
            );
            end_key += 1;
        }
        events.sort_unstable();
        let higher = higher_is_better(prepared, lane);
        let rank = |c: usize| {
            let claim = &prepared.claims[c];
            let v = claim.value;
            Ranked {
                // Adding zero turns -0.0 into 0.0, so that the two tie.
                ordered: if higher { -v } else { v } + 0.0,
                date: claim.effective,
                claim_id: claim.id,
                claim: c,
            }
        };
        let mut heaps: [BinaryHeap<(Reverse<Ranked>, usize)>; SIDES] =
            std::array::from_fn(|_| BinaryHeap::new());
        let series = &mut out[lane];
        let mut i = 0;
        while i < events.len() {
            let date = events[i].0;
            while i < events.len() && events[i].0 == date {
                let (_, k, c) = events[i];
                let ranked = rank(c);
                let side = table.keys[k].side;
                heaps[side].push((Reverse(ranked), k));
                current[k] = Some(ranked);
                series.newest[side] = Some(series.newest[side].map_or(date, |n| n.max(date)));
                i += 1;
            }
            let best = std::array::from_fn(|side| {
                let heap = &mut heaps[side];
                while let Some((Reverse(top), k)) = heap.peek() {
                    if current[*k] == Some(*top) {
                        return Some(top.claim);
                    }
                    heap.pop();
                }
                None
            });
            if series.points.last().is_none_or(|p| p.best != best) {
                series.points.push(Point { date, best });
            }
        }
        for side in 0..SIDES {
            let mut standing: Vec<Ranked> = (first_key..end_key)
                .filter(|&k| table.keys[k].side == side)
                .filter_map(|k| current[k])
                .collect();
            standing.sort_unstable();
            if let Some(first) = standing.first().copied() {
                series.ties[side] = standing
                    .iter()
                    .take_while(|r| r.ordered == first.ordered)
                    .map(|r| r.claim)
                    .collect();
            }
        }
        first_key = end_key;
    }
    out
}

fn higher_is_better(prepared: &Prepared<'_>, lane: usize) -> bool {
    prepared.scope[prepared.rows[prepared.lanes[lane].row].bench]
        .entry
        .is_none_or(|e| e.higher_is_better)
}

/// Whether `a` is strictly better than `b`, by the metric's direction.
pub(crate) fn better(higher_is_better: bool, a: f64, b: f64) -> bool {
    if higher_is_better {
        a > b + EPSILON
    } else {
        a < b - EPSILON
    }
}

/// Whether `v` reaches `target` (at least as good), by the metric's direction.
pub(crate) fn reaches(higher_is_better: bool, v: f64, target: f64) -> bool {
    if higher_is_better {
        v >= target - EPSILON
    } else {
        v <= target + EPSILON
    }
}

/// The gap between two bests: positive when the challenger trails, in either direction of
/// metric.
pub(crate) fn gap(incumbent: f64, challenger: f64, higher_is_better: bool) -> Gap {
    let mut points = if higher_is_better {
        incumbent - challenger
    } else {
        challenger - incumbent
    };
    if points.abs() < EPSILON {
        points = 0.0;
    }
    let relative_percent = if incumbent.abs() < EPSILON {
        0.0
    } else {
        points / incumbent.abs() * 100.0
    };
    Gap {
        points,
        relative_percent,
    }
}

/// Whether a gap is within a margin, or the challenger leads. Against an incumbent best of
/// zero a relative margin admits no gap at all.
pub(crate) fn within(g: &Gap, margin: &Margin, incumbent: f64) -> bool {
    if g.points <= 0.0 {
        return true;
    }
    match margin.unit {
        MarginUnit::Points => g.points <= margin.value + EPSILON,
        MarginUnit::RelativePercent => {
            incumbent.abs() >= EPSILON && g.relative_percent <= margin.value + EPSILON
        }
    }
}

/// The value the challenger must reach to be within the margin of `incumbent`.
pub(crate) fn needed(incumbent: f64, margin: &Margin, higher_is_better: bool) -> f64 {
    let allowance = match margin.unit {
        MarginUnit::Points => margin.value,
        MarginUnit::RelativePercent => margin.value / 100.0 * incumbent.abs(),
    };
    if higher_is_better {
        incumbent - allowance
    } else {
        incumbent + allowance
    }
}
