//! Perspectives tested against the evidence: each proposition is checked on the analysis as
//! of its statement date (or a trend's start) and on the analysis as of the version, and the
//! two give its Evolution. Pure: the caller computes the earlier analyses.

use std::collections::{BTreeMap, BTreeSet};

use gapwatch_model::{Date, Perspective, Proposition, TrendDirection, Unit};

use crate::{
    Analysis, Change, Evolution, ParityRow, PerspectiveStatus, PropositionCheck, RowCheck, RowRole,
};

/// Median lags closer than this (in months) read the same: the digest shows one decimal.
const LAG_TOLERANCE_MONTHS: f64 = 0.05;
/// Gaps closer than this (in the benchmark's unit) have not moved: the digest shows one
/// decimal.
const GAP_TOLERANCE: f64 = 0.05;

/// The dates whose analyses [`evaluate_perspectives`] needs for the perspectives stated on or
/// before `as_of`: each one's statement date, or its trend's `since`.
pub fn perspective_dates(perspectives: &[Perspective], as_of: Date) -> BTreeSet<Date> {
    perspectives
        .iter()
        .filter(|p| p.stated_on <= as_of)
        .filter_map(|p| {
            p.proposition
                .as_ref()
                .map(|x| measured_from(p, x).min(as_of))
        })
        .collect()
}

/// The date a proposition is measured from.
fn measured_from(p: &Perspective, proposition: &Proposition) -> Date {
    match proposition {
        Proposition::GapTrend {
            since: Some(since), ..
        } => *since,
        _ => p.stated_on,
    }
}

/// Evaluates every perspective stated on or before `now.as_of`, in the story's order.
///
/// `earlier` holds the analyses of the story as of the dates [`perspective_dates`] gives
/// (each computed from the claims observed by then); a date missing from it leaves that
/// perspective's `then` empty. The Evolution compares the proposition then and now:
///
/// - **untestable**: no proposition, or nothing to test it on now (no median lag, no named
///   row comparable, for a trend no gap measured at both ends or none that moved);
/// - **contradicted**: it does not hold now (for a trend: every gap measured at both ends
///   moved the other way, or not at all while another moved the other way);
/// - **weakened**: it holds now, but by less than when stated (a median lag nearer an edge of
///   the range; fewer benchmarks led or at parity), or for a trend the gaps moved both ways;
/// - **supported**: otherwise.
pub fn evaluate_perspectives(
    perspectives: &[Perspective],
    now: &Analysis,
    earlier: &BTreeMap<Date, Analysis>,
) -> Vec<PerspectiveStatus> {
    let stated: Vec<&Perspective> = perspectives
        .iter()
        .filter(|p| p.stated_on <= now.as_of)
        .collect();
    let mut out: Vec<PerspectiveStatus> = stated
        .iter()
        .map(|p| evaluate_one(p, now, earlier))
        .collect();
    for (i, a) in stated.iter().enumerate() {
        for b in &stated {
            if a.id != b.id && cannot_both_hold(a, b) {
                out[i].in_tension_with.push(b.id.clone());
            }
        }
    }
    out
}

fn evaluate_one(
    p: &Perspective,
    now: &Analysis,
    earlier: &BTreeMap<Date, Analysis>,
) -> PerspectiveStatus {
    let mut status = PerspectiveStatus {
        perspective_id: p.id.clone(),
        actor: p.actor.clone(),
        actor_kind: p.actor_kind,
        stated_on: p.stated_on,
        source_id: p.source.clone(),
        quote: p.quote.clone(),
        proposition: p.proposition.clone(),
        evolution: Evolution::Untestable,
        then: None,
        now: None,
        claim_ids: Vec::new(),
        in_tension_with: Vec::new(),
    };
    let Some(proposition) = &p.proposition else {
        return status;
    };
    let from = measured_from(p, proposition).min(now.as_of);
    let at_start = if from == now.as_of {
        Some(now)
    } else {
        earlier.get(&from)
    };
    let check_now = check(proposition, now);
    let check_then = at_start.map(|a| check(proposition, a));
    status.evolution = match proposition {
        Proposition::GapTrend { direction, .. } => trend_evolution(
            *direction,
            check_then.as_ref(),
            &check_now,
            now.as_of > from,
        ),
        _ => evolution(proposition, check_then.as_ref(), &check_now),
    };
    let mut ids = check_now.claim_ids.clone();
    if matches!(proposition, Proposition::GapTrend { .. })
        && let Some(then) = &check_then
    {
        for id in &then.claim_ids {
            if !ids.contains(id) {
                ids.push(*id);
            }
        }
    }
    status.claim_ids = ids;
    status.then = check_then.map(|mut c| {
        if matches!(proposition, Proposition::GapTrend { .. }) {
            c.holds = None;
        }
        c
    });
    status.now = Some(check_now);
    status
}

/// The proposition on one date.
fn check(proposition: &Proposition, a: &Analysis) -> PropositionCheck {
    let mut out = PropositionCheck {
        as_of: a.as_of,
        holds: None,
        median_lag_months: None,
        lag_rows: 0,
        rows: Vec::new(),
        claim_ids: Vec::new(),
    };
    match proposition {
        Proposition::MedianLagWithin {
            min_months,
            max_months,
        } => {
            if let Some(m) = &a.median_lag {
                out.median_lag_months = Some(m.months);
                out.lag_rows = m.benchmarks;
                out.holds = Some(
                    m.months >= min_months - LAG_TOLERANCE_MONTHS
                        && m.months <= max_months + LAG_TOLERANCE_MONTHS,
                );
                for row in a.parity.iter().filter(|r| m.rows.contains(&r.key)) {
                    if let Some(lag) = &row.lag {
                        push_new(&mut out.claim_ids, &lag.claim_ids);
                    }
                }
            }
        }
        Proposition::GapTrend { benchmarks, .. }
        | Proposition::ChallengerLeads { benchmarks }
        | Proposition::ParityAtLeast { benchmarks, .. } => {
            out.rows = benchmarks.iter().map(|b| row_check(b, a)).collect();
            for r in out.rows.iter().filter(|r| r.comparable) {
                push_new(&mut out.claim_ids, &r.claim_ids);
            }
            let tested: Vec<&RowCheck> = out.rows.iter().filter(|r| r.comparable).collect();
            let untested = out.rows.len() - tested.len();
            out.holds = match proposition {
                Proposition::ChallengerLeads { .. } if tested.is_empty() => None,
                Proposition::ChallengerLeads { .. } => {
                    Some(tested.iter().all(|r| r.challenger_leads))
                }
                Proposition::ParityAtLeast { k, .. } => {
                    let at = tested.iter().filter(|r| r.parity == Some(true)).count();
                    if at >= *k {
                        Some(true)
                    } else if at + untested < *k {
                        Some(false)
                    } else {
                        None
                    }
                }
                _ => None,
            };
        }
    }
    out
}

fn push_new(ids: &mut Vec<i64>, more: &[i64]) {
    for id in more {
        if !ids.contains(id) {
            ids.push(*id);
        }
    }
}

fn row_check(benchmark: &str, a: &Analysis) -> RowCheck {
    let row: Option<&ParityRow> = a
        .parity
        .iter()
        .find(|r| r.key.benchmark == benchmark && r.key.role == RowRole::Headline);
    match row {
        Some(r) => RowCheck {
            benchmark: benchmark.to_owned(),
            row: Some(r.key.clone()),
            unit: r.unit,
            comparable: r.comparable,
            not_comparable: r.not_comparable(),
            gap: r.gap,
            challenger_leads: r.challenger_leads,
            parity: r.parity,
            claim_ids: r.claim_ids(),
        },
        None => RowCheck {
            benchmark: benchmark.to_owned(),
            row: None,
            unit: Unit::Percent,
            comparable: false,
            not_comparable: None,
            gap: None,
            challenger_leads: false,
            parity: None,
            claim_ids: Vec::new(),
        },
    }
}

/// How far the check is from failing: the median lag's distance to the nearer bound, or
/// how many benchmarks are led or at parity.
fn degree(proposition: &Proposition, c: &PropositionCheck) -> Option<f64> {
    match proposition {
        Proposition::MedianLagWithin {
            min_months,
            max_months,
        } => c
            .median_lag_months
            .map(|m| (m - min_months).min(max_months - m)),
        Proposition::ChallengerLeads { .. } => Some(
            c.rows
                .iter()
                .filter(|r| r.comparable && r.challenger_leads)
                .count() as f64,
        ),
        Proposition::ParityAtLeast { .. } => Some(
            c.rows
                .iter()
                .filter(|r| r.comparable && r.parity == Some(true))
                .count() as f64,
        ),
        Proposition::GapTrend { .. } => None,
    }
}

fn evolution(
    proposition: &Proposition,
    then: Option<&PropositionCheck>,
    now: &PropositionCheck,
) -> Evolution {
    match now.holds {
        None => Evolution::Untestable,
        Some(false) => Evolution::Contradicted,
        Some(true) => {
            let tolerance = match proposition {
                Proposition::MedianLagWithin { .. } => LAG_TOLERANCE_MONTHS,
                _ => 0.5,
            };
            let weaker = then
                .filter(|t| t.holds == Some(true))
                .and_then(|t| Some((degree(proposition, t)?, degree(proposition, now)?)))
                .is_some_and(|(before, after)| after < before - tolerance);
            if weaker {
                Evolution::Weakened
            } else {
                Evolution::Supported
            }
        }
    }
}

/// A trend: per benchmark measured at both ends, did the gap move the way the perspective
/// said?
fn trend_evolution(
    direction: TrendDirection,
    then: Option<&PropositionCheck>,
    now: &PropositionCheck,
    time_passed: bool,
) -> Evolution {
    let Some(then) = then else {
        return Evolution::Untestable;
    };
    if !time_passed {
        return Evolution::Untestable;
    }
    let (mut right, mut wrong, mut still) = (0, 0, 0);
    for (a, b) in then.rows.iter().zip(&now.rows) {
        let (true, true, Some(ga), Some(gb)) = (a.comparable, b.comparable, a.gap, b.gap) else {
            continue;
        };
        let moved = gb.points - ga.points;
        if moved.abs() <= GAP_TOLERANCE {
            still += 1;
        } else if (moved < 0.0) == (direction == TrendDirection::Narrows) {
            right += 1;
        } else {
            wrong += 1;
        }
    }
    match (right, wrong, still) {
        (0, 0, _) => Evolution::Untestable,
        (0, _, _) => Evolution::Contradicted,
        (_, 0, 0) => Evolution::Supported,
        _ => Evolution::Weakened,
    }
}

/// Whether two propositions can never hold together.
fn cannot_both_hold(a: &Perspective, b: &Perspective) -> bool {
    let (Some(pa), Some(pb)) = (&a.proposition, &b.proposition) else {
        return false;
    };
    match (pa, pb) {
        (
            Proposition::MedianLagWithin {
                min_months: lo_a,
                max_months: hi_a,
            },
            Proposition::MedianLagWithin {
                min_months: lo_b,
                max_months: hi_b,
            },
        ) => hi_a < lo_b || hi_b < lo_a,
        (
            Proposition::GapTrend {
                benchmarks: ba,
                direction: da,
                ..
            },
            Proposition::GapTrend {
                benchmarks: bb,
                direction: db,
                ..
            },
        ) => {
            // Over the same window, on every shared benchmark the gap moves one way only.
            da != db
                && measured_from(a, pa) == measured_from(b, pb)
                && ba.iter().any(|x| bb.contains(x))
        }
        _ => false,
    }
}

/// The perspectives whose Evolution changed since the previous version, for "What's new".
///
/// `previous` is `None` when the previous version did not record its perspectives (no
/// change is then reported); a perspective it did not have is reported with no `before`,
/// which is not news by itself.
pub fn perspective_changes(
    previous: Option<&[PerspectiveStatus]>,
    current: &[PerspectiveStatus],
) -> Vec<Change> {
    let Some(previous) = previous else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for p in current {
        let before = previous
            .iter()
            .find(|x| x.perspective_id == p.perspective_id)
            .map(|x| x.evolution);
        if before == Some(p.evolution) {
            continue;
        }
        out.push(Change::PerspectiveChanged {
            perspective_id: p.perspective_id.clone(),
            actor: p.actor.clone(),
            before,
            after: p.evolution,
            claim_ids: p.claim_ids.clone(),
        });
    }
    out
}
