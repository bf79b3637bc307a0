//! The material changes between two analyses of a story, for "What's new in vN".

use gapwatch_model::Materiality;

use crate::text::EPSILON;
use crate::{Analysis, Change, Cohort, Entry, Flip, ParityRow, Tension};

/// The changes from `previous` to `current`, in the order of the parity map, then forecasts,
/// then tensions. Without a previous analysis, every row with results yields one
/// [`Change::FirstVersion`].
///
/// Only tensions that touch a row appear or settle here: disagreements about results and
/// subjects that lead nothing are kept in the analysis, not reported as news.
pub fn changes(
    previous: Option<&Analysis>,
    current: &Analysis,
    materiality: &Materiality,
) -> Vec<Change> {
    let mut out = Vec::new();
    let Some(prev) = previous else {
        for row in current.parity.iter().filter(|r| has_data(r)) {
            out.push(Change::FirstVersion {
                row: row.key.clone(),
                incumbent: row.incumbent.as_ref().map(|s| s.best.clone()),
                challenger: row.challenger.as_ref().map(|s| s.best.clone()),
                gap: row.gap,
            });
        }
        return out;
    };
    for row in &current.parity {
        let before = prev.parity.iter().find(|p| p.key == row.key);
        match before {
            Some(before) if has_data(before) => {
                row_changes(before, row, materiality, &mut out);
            }
            _ if has_data(row) => out.push(Change::NewRow {
                row: row.key.clone(),
                incumbent: row.incumbent.as_ref().map(|s| s.best.clone()),
                challenger: row.challenger.as_ref().map(|s| s.best.clone()),
                gap: row.gap,
            }),
            _ => {}
        }
    }
    lag_changes(prev, current, &mut out);
    forecast_changes(prev, current, &mut out);
    tension_changes(prev, current, &mut out);
    out
}

/// A move of the median lag smaller than this is not reported.
const LAG_MOVE_MONTHS: f64 = 0.5;

fn lag_changes(prev: &Analysis, current: &Analysis, out: &mut Vec<Change>) {
    let (before, after) = (prev.median_lag.as_ref(), current.median_lag.as_ref());
    let moved = match (before, after) {
        (Some(b), Some(a)) => (a.months - b.months).abs() >= LAG_MOVE_MONTHS - EPSILON,
        (None, None) => false,
        _ => true,
    };
    if !moved {
        return;
    }
    let (was, now) = (
        before.map_or(&[][..], |l| &l.rows[..]),
        after.map_or(&[][..], |l| &l.rows[..]),
    );
    let common: Vec<&crate::RowKey> = now.iter().filter(|r| was.contains(r)).collect();
    let median_over = |a: &Analysis| -> Option<f64> {
        let mut lags: Vec<f64> = a
            .parity
            .iter()
            .filter(|r| common.contains(&&r.key))
            .filter_map(|r| r.lag.as_ref().map(|l| l.months))
            .collect();
        lags.sort_by(f64::total_cmp);
        let n = lags.len();
        match n {
            0 => None,
            _ if n % 2 == 1 => Some(lags[n / 2]),
            _ => Some((lags[n / 2 - 1] + lags[n / 2]) / 2.0),
        }
    };
    let coverage_changed = common.len() != was.len() || common.len() != now.len();
    let same_rows = match (coverage_changed, median_over(prev), median_over(current)) {
        (true, Some(b), Some(a)) => Some((b, a)),
        _ => None,
    };
    let lag_of = |a: &Analysis, key: &crate::RowKey| {
        a.parity
            .iter()
            .find(|r| &r.key == key)
            .and_then(|r| r.lag.as_ref())
            .map(|l| l.months)
    };
    let mut moved: Vec<crate::LagMove> = common
        .iter()
        .filter_map(|key| {
            let (b, a) = (lag_of(prev, key)?, lag_of(current, key)?);
            ((a - b).abs() >= LAG_MOVE_MONTHS - EPSILON).then(|| crate::LagMove {
                row: (*key).clone(),
                before: b,
                after: a,
            })
        })
        .collect();
    // The largest moves first.
    moved.sort_by(|x, y| {
        (y.after - y.before)
            .abs()
            .total_cmp(&(x.after - x.before).abs())
    });
    out.push(Change::MedianLagMoved {
        before: before.map(|l| l.months),
        after: after.map(|l| l.months),
        benchmarks_before: before.map_or(0, |l| l.benchmarks),
        benchmarks_after: after.map_or(0, |l| l.benchmarks),
        joined: now.iter().filter(|r| !was.contains(r)).cloned().collect(),
        left: was.iter().filter(|r| !now.contains(r)).cloned().collect(),
        same_rows,
        moved,
        claim_ids: current
            .parity
            .iter()
            .filter(|r| now.contains(&r.key))
            .filter_map(|r| r.lag.as_ref())
            .flat_map(|l| l.claim_ids.iter().copied())
            .collect(),
    });
}

impl Change {
    /// Whether the change is news by itself, enough to publish a version.
    ///
    /// News is about the headline comparisons: a parity flip, a gap that moved, a side that
    /// went stale, first results, a new best on a row whose sides can be compared, a
    /// forecast whose verdict changed, a disagreement about a row's best, a perspective whose
    /// Evolution changed (a perspective new to this version is not news by itself). Housekeeping is
    /// not: a tie-break (a new leader at the same value), a new best on a row that cannot
    /// be compared or on a sub-score, another split or other settings. Such changes are
    /// listed with the next version that has news.
    pub fn is_material(&self) -> bool {
        let headline = self
            .row()
            .is_none_or(|r| r.role == crate::RowRole::Headline);
        match self {
            Change::NewLeader {
                new,
                old,
                comparable,
                ..
            } => {
                headline
                    && *comparable
                    && old
                        .as_ref()
                        .is_none_or(|o| (new.value - o.value).abs() > EPSILON)
            }
            Change::ForecastChanged { before, after, .. } => {
                before.is_some() || *after != crate::Verdict::Open
            }
            Change::FirstVersion { .. } => true,
            Change::PerspectiveChanged { before, .. } => before.is_some(),
            // A date that cannot be true is flagged and kept out of lags and the timeline
            // already: housekeeping, not news.
            // The median moves because rows did: context for their news, not news alone.
            Change::MedianLagMoved { .. } => false,
            // A disagreement is news when it could move a verdict: an access flag on a side's
            // best (it decides the cohort), or a figure that, counted instead, would change
            // parity or the lead.
            Change::TensionAppeared { tension } | Change::TensionSettled { tension } => {
                headline
                    && match tension.kind {
                        crate::TensionKind::ImpossibleDate => false,
                        crate::TensionKind::AccessFlagVsRegistry => tension.touches_row,
                        crate::TensionKind::SourcesDisagree
                        | crate::TensionKind::SelfReportedVsThirdParty => {
                            tension.would_change.is_some()
                        }
                    }
            }
            _ => headline,
        }
    }
}

fn has_data(row: &ParityRow) -> bool {
    row.incumbent.is_some() || row.challenger.is_some()
}

fn same_subject(a: &Entry, b: &Entry) -> bool {
    a.model_ids == b.model_ids && a.subject == b.subject
}

fn row_changes(before: &ParityRow, row: &ParityRow, m: &Materiality, out: &mut Vec<Change>) {
    for (cohort, old, new) in [
        (Cohort::Incumbent, &before.incumbent, &row.incumbent),
        (Cohort::Challenger, &before.challenger, &row.challenger),
    ] {
        let Some(new) = new else { continue };
        let old = old.as_ref().map(|s| &s.best);
        if old.is_some_and(|o| same_subject(o, &new.best)) {
            continue;
        }
        out.push(Change::NewLeader {
            row: row.key.clone(),
            cohort,
            comparable: row.comparable,
            record: old.is_none_or(|o| {
                crate::timeline::improved(row.higher_is_better, o.value, new.best.value)
            }),
            new: new.best.clone(),
            old: old.cloned(),
        });
    }
    // Comparability, when both sides were and are present: a side that went stale, a row
    // that went dormant, or one that can be compared again.
    if before.incumbent.is_some()
        && before.challenger.is_some()
        && row.incumbent.is_some()
        && row.challenger.is_some()
    {
        let (was, now) = (before.not_comparable(), row.not_comparable());
        let kind = |n: &Option<crate::NotComparable>| n.as_ref().map(std::mem::discriminant);
        if kind(&was) != kind(&now) {
            out.push(Change::Comparability {
                row: row.key.clone(),
                before: was,
                after: now,
                claim_ids: row.claim_ids(),
            });
        }
    }
    let (Some(i), Some(c), Some(g)) = (&row.incumbent, &row.challenger, row.gap) else {
        return;
    };
    if !(row.comparable && before.comparable) {
        return;
    }
    let flip = if row.challenger_leads && !before.challenger_leads {
        Some(Flip::ChallengerLeads)
    } else if !row.challenger_leads && before.challenger_leads {
        Some(Flip::IncumbentBack)
    } else if row.parity == Some(true) && before.parity != Some(true) {
        Some(Flip::ParityReached)
    } else if row.parity == Some(false) && before.parity == Some(true) {
        Some(Flip::ParityLost)
    } else {
        None
    };
    if let Some(flip) = flip {
        out.push(Change::ParityFlip {
            row: row.key.clone(),
            flip,
            incumbent: i.best.clone(),
            challenger: c.best.clone(),
            gap: g,
        });
    }
    if let Some(old) = before.gap
        && (g.points - old.points).abs() > m.gap_change_points + EPSILON
    {
        out.push(Change::GapMoved {
            row: row.key.clone(),
            before: old,
            after: g,
            claim_ids: row.claim_ids(),
        });
    }
}

fn forecast_changes(prev: &Analysis, current: &Analysis, out: &mut Vec<Change>) {
    for f in &current.forecasts {
        let before = prev
            .forecasts
            .iter()
            .find(|p| p.forecast_id == f.forecast_id);
        for r in &f.readings {
            let old = before.and_then(|p| p.readings.iter().find(|x| x.margin == r.margin));
            if old.is_some_and(|o| o.verdict == r.verdict) {
                continue;
            }
            out.push(Change::ForecastChanged {
                forecast_id: f.forecast_id.clone(),
                question: f.question.clone(),
                margin: r.margin,
                before: old.map(|o| o.verdict.clone()),
                after: r.verdict.clone(),
                claim_ids: r.deciding_claim_ids.clone(),
            });
        }
    }
}

fn same_tension(a: &Tension, b: &Tension) -> bool {
    a.kind == b.kind && a.row == b.row && a.subject == b.subject && a.settings == b.settings
}

fn tension_changes(prev: &Analysis, current: &Analysis, out: &mut Vec<Change>) {
    for t in current.tensions.iter().filter(|t| t.touches_row) {
        if !prev.tensions.iter().any(|p| same_tension(p, t)) {
            out.push(Change::TensionAppeared { tension: t.clone() });
        }
    }
    for t in prev.tensions.iter().filter(|t| t.touches_row) {
        if !current.tensions.iter().any(|c| same_tension(c, t)) {
            out.push(Change::TensionSettled { tension: t.clone() });
        }
    }
}
