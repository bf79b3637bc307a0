//! The best result of each cohort on each benchmark over time, computed once by sweeping the
//! dates in order, so that the timeline, lags and forecasts never re-scan all claims.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;

use gapwatch_model::{Date, Margin, MarginUnit};

use crate::Gap;
use crate::prepare::{CHALLENGER, INCUMBENT, Prepared};
use crate::text::EPSILON;

/// The state of one row on one date: the index of each cohort's best claim.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Point {
    pub(crate) date: Date,
    pub(crate) best: [Option<usize>; 2],
}

/// A row's history, and who ties for the best at the end of it.
#[derive(Debug, Default)]
pub(crate) struct RowSeries {
    /// One point per date on which a cohort's best claim changed, oldest first.
    pub(crate) points: Vec<Point>,
    /// Per cohort, the claims tied for the best on the last date, the one shown first.
    pub(crate) ties: [Vec<usize>; 2],
}

impl RowSeries {
    pub(crate) fn last(&self) -> [Option<usize>; 2] {
        self.points.last().map_or([None, None], |p| p.best)
    }
}

/// A result in a cohort's ranking: better values first, then the earlier date, then the
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

/// Builds every row's series in one sweep over the results' events. Each cohort's ranking
/// is a heap from which superseded entries are dropped lazily when they surface.
pub(crate) fn build(prepared: &Prepared<'_>) -> Vec<RowSeries> {
    let table = &prepared.keys;
    let mut out: Vec<RowSeries> = (0..prepared.rows.len())
        .map(|_| RowSeries::default())
        .collect();
    let mut current: Vec<Option<Ranked>> = vec![None; table.keys.len()];
    let mut events: Vec<(Date, usize, usize)> = Vec::new();
    // Results are sorted by row, so each row's results are one run of keys.
    let mut first_key = 0;
    while first_key < table.keys.len() {
        let row = table.keys[first_key].row;
        let mut end_key = first_key;
        events.clear();
        while end_key < table.keys.len() && table.keys[end_key].row == row {
            let key = &table.keys[end_key];
            events.extend(
                table.events[key.events.clone()]
                    .iter()
                    .map(|&(d, c)| (d, end_key, c)),
            );
            end_key += 1;
        }
        events.sort_unstable();
        let higher = prepared.scope[prepared.rows[row].bench]
            .entry
            .is_none_or(|e| e.higher_is_better);
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
        let mut heaps: [BinaryHeap<(Reverse<Ranked>, usize)>; 2] =
            [BinaryHeap::new(), BinaryHeap::new()];
        let series = &mut out[row];
        let mut i = 0;
        while i < events.len() {
            let date = events[i].0;
            while i < events.len() && events[i].0 == date {
                let (_, k, c) = events[i];
                let ranked = rank(c);
                heaps[table.keys[k].side].push((Reverse(ranked), k));
                current[k] = Some(ranked);
                i += 1;
            }
            let best = [INCUMBENT, CHALLENGER].map(|side| {
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
        for side in [INCUMBENT, CHALLENGER] {
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
