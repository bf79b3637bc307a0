//! The parity map: per benchmark and variant, each cohort's best, the gap, parity, and the
//! lag by first crossing; and the median lag across benchmarks.

use crate::context::Ctx;
use crate::prepare::{CHALLENGER, INCUMBENT};
use crate::series::{gap, within};
use crate::text;
use crate::{Lag, LagSummary, ParityRow};

pub(crate) fn rows(ctx: &Ctx<'_>) -> Vec<ParityRow> {
    ctx.story_rows().map(|row| parity_row(ctx, row)).collect()
}

fn parity_row(ctx: &Ctx<'_>, row: usize) -> ParityRow {
    let info = ctx.row_info(row);
    let series = &ctx.series[row];
    let [inc, chal] = series.last();
    let g = match (inc, chal) {
        (Some(i), Some(c)) => Some(gap(ctx.value(i), ctx.value(c), info.higher_is_better)),
        _ => None,
    };
    let parity = match (g, inc) {
        (Some(g), Some(i)) => Some(within(&g, &ctx.story.parity, ctx.value(i))),
        _ => None,
    };
    let mut notes: Vec<String> = Vec::new();
    let has_entry = ctx.prepared.scope[ctx.prepared.rows[row].bench]
        .entry
        .is_some();
    if !has_entry {
        notes.push(format!(
            "{} is not in the registry, so its unit and direction are unknown and it is not compared.",
            info.name
        ));
    } else {
        match (inc, chal) {
            (None, None) => notes.push(format!(
                "No results from either cohort on {} as of {}.",
                info.display, ctx.as_of
            )),
            (None, Some(_)) | (Some(_), None) => {
                let missing = if inc.is_none() { INCUMBENT } else { CHALLENGER };
                notes.push(format!(
                    "No {} result on {} as of {}, so there is no gap to measure.",
                    ctx.label(missing),
                    info.display,
                    ctx.as_of
                ));
            }
            (Some(i), Some(_)) if ctx.value(i).abs() < text::EPSILON => notes.push(format!(
                "The best {} score is zero, so the relative gap is not defined and is reported as 0.",
                ctx.label(INCUMBENT)
            )),
            _ => {}
        }
    }
    for side in [INCUMBENT, CHALLENGER] {
        if let Some(note) = tie_note(ctx, row, side) {
            notes.push(note);
        }
    }
    ParityRow {
        benchmark: info.id.clone(),
        benchmark_name: info.name.clone(),
        variant: ctx.prepared.rows[row].variant.clone(),
        unit: info.unit,
        higher_is_better: info.higher_is_better,
        incumbent: inc.map(|c| ctx.entry(c)),
        challenger: chal.map(|c| ctx.entry(c)),
        gap: g,
        parity,
        challenger_leads: g.is_some_and(|g| g.points < 0.0),
        lag: lag(ctx, row),
        note: (!notes.is_empty()).then(|| notes.join(" ")),
    }
}

/// Says who ties for a cohort's best and why the one shown was picked.
fn tie_note(ctx: &Ctx<'_>, row: usize, side: usize) -> Option<String> {
    let tied = &ctx.series[row].ties[side];
    let &shown = tied.first()?;
    let mut names: Vec<String> = Vec::new();
    for &c in tied {
        let name = ctx.subject(c);
        if !names.contains(&name) {
            names.push(name);
        }
    }
    if names.len() < 2 {
        return None;
    }
    let info = ctx.row_info(row);
    let shown_claim = &ctx.prepared.claims[shown];
    let reason = if tied
        .iter()
        .skip(1)
        .all(|&c| ctx.prepared.claims[c].effective > shown_claim.effective)
    {
        format!("it reached it first ({})", shown_claim.effective)
    } else {
        format!(
            "its result was recorded first on the same date ({})",
            shown_claim.effective
        )
    };
    Some(format!(
        "{} tie for the best {} score on {} at {}; {} is shown because {}.",
        text::join(&names),
        ctx.label(side),
        info.display,
        text::value(info.unit, ctx.value(shown)),
        names[0],
        reason
    ))
}

/// Lag by first crossing: the date the incumbent's current best value V was first reached,
/// to the first date a challenger result reached V.
fn lag(ctx: &Ctx<'_>, row: usize) -> Option<Lag> {
    let info = ctx.row_info(row);
    let series = &ctx.series[row];
    let best = series.last()[INCUMBENT]?;
    let target = ctx.value(best);
    let reaches = |claim: Option<usize>| {
        claim.is_some_and(|c| {
            let v = ctx.value(c);
            if info.higher_is_better {
                v >= target
            } else {
                v <= target
            }
        })
    };
    let incumbent_point = series.points.iter().find(|p| reaches(p.best[INCUMBENT]))?;
    let incumbent_claim = incumbent_point.best[INCUMBENT]?;
    let incumbent_date = incumbent_point.date;
    let crossing = series.points.iter().find(|p| reaches(p.best[CHALLENGER]));
    Some(
        match crossing.and_then(|p| Some((p.date, p.best[CHALLENGER]?))) {
            Some((date, claim)) => Lag {
                months: incumbent_date.months_until(date),
                lower_bound: false,
                incumbent_date,
                challenger_date: Some(date),
                claim_ids: vec![ctx.claim_id(incumbent_claim), ctx.claim_id(claim)],
            },
            None => Lag {
                months: incumbent_date.months_until(ctx.as_of),
                lower_bound: true,
                incumbent_date,
                challenger_date: None,
                claim_ids: vec![ctx.claim_id(incumbent_claim)],
            },
        },
    )
}

/// The median of the rows' lags. A lower bound enters as its bound; since the median never
/// decreases when a value grows, the median is then itself a lower bound.
pub(crate) fn median_lag(rows: &[ParityRow]) -> Option<LagSummary> {
    let mut lags: Vec<(f64, bool)> = rows
        .iter()
        .filter_map(|r| r.lag.as_ref())
        .map(|l| (l.months, l.lower_bound))
        .collect();
    if lags.is_empty() {
        return None;
    }
    lags.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = lags.len();
    let months = if n % 2 == 1 {
        lags[n / 2].0
    } else {
        (lags[n / 2 - 1].0 + lags[n / 2].0) / 2.0
    };
    Some(LagSummary {
        months,
        lower_bound: lags.iter().any(|l| l.1),
        benchmarks: n,
    })
}
