//! Forecast verdicts: each reading of a forecast's margin is walked over the dates on which
//! any of its benchmarks changed, up to the deadline or the as-of date.

use gapwatch_model::{Combine, Date, Forecast, Margin};

use crate::context::Ctx;
use crate::prepare::{CHALLENGER, INCUMBENT};
use crate::series::{gap, needed, within};
use crate::text;
use crate::{BenchmarkCheck, ForecastStatus, ReadingVerdict, Verdict};

pub(crate) fn evaluate(ctx: &Ctx<'_>) -> Vec<ForecastStatus> {
    ctx.story
        .forecasts
        .iter()
        .map(|f| forecast(ctx, f))
        .collect()
}

fn forecast(ctx: &Ctx<'_>, f: &Forecast) -> ForecastStatus {
    let rows: Vec<Option<usize>> = f
        .benchmarks
        .iter()
        .map(|b| {
            ctx.prepared
                .scope_index(ctx.registry, b)
                .and_then(|s| ctx.prepared.main_row(s))
        })
        .collect();
    let limit = ctx.as_of.min(f.deadline);
    let mut dates: Vec<Date> = rows
        .iter()
        .flatten()
        .flat_map(|&r| ctx.series[r].points.iter().map(|p| p.date))
        .filter(|&d| d <= limit)
        .collect();
    dates.sort_unstable();
    dates.dedup();
    ForecastStatus {
        forecast_id: f.id.clone(),
        question: f.question.clone(),
        deadline: f.deadline,
        readings: f
            .readings
            .iter()
            .map(|m| reading(ctx, f, &rows, &dates, m))
            .collect(),
    }
}

type State = [Option<usize>; 2];

fn reading(
    ctx: &Ctx<'_>,
    f: &Forecast,
    rows: &[Option<usize>],
    dates: &[Date],
    margin: &Margin,
) -> ReadingVerdict {
    let mut next = vec![0usize; rows.len()];
    let mut states: Vec<State> = vec![[None, None]; rows.len()];
    for &date in dates {
        for (j, row) in rows.iter().enumerate() {
            let Some(r) = *row else { continue };
            let points = &ctx.series[r].points;
            while next[j] < points.len() && points[next[j]].date <= date {
                states[j] = points[next[j]].best;
                next[j] += 1;
            }
        }
        let checks = checks(ctx, f, rows, &states, margin);
        if holds(f.combine, &checks) {
            return ReadingVerdict {
                margin: *margin,
                verdict: Verdict::Yes { on: date },
                deciding_claim_ids: deciding(ctx, &states),
                would_flip: vec!["Nothing: a resolved yes stays resolved.".to_owned()],
                per_benchmark: checks,
            };
        }
    }
    let checks = checks(ctx, f, rows, &states, margin);
    let (verdict, would_flip) = if ctx.as_of > f.deadline {
        (
            Verdict::No,
            vec![format!(
                "The deadline ({}) has passed; only a result dated on or before it and published later could change this.",
                f.deadline
            )],
        )
    } else {
        (Verdict::Open, flips(ctx, f, rows, &states, margin))
    };
    ReadingVerdict {
        margin: *margin,
        verdict,
        deciding_claim_ids: deciding(ctx, &states),
        would_flip,
        per_benchmark: checks,
    }
}

fn holds(combine: Combine, checks: &[BenchmarkCheck]) -> bool {
    match combine {
        Combine::AllOf => !checks.is_empty() && checks.iter().all(|c| c.met == Some(true)),
        Combine::AnyOf => checks.iter().any(|c| c.met == Some(true)),
    }
}

fn checks(
    ctx: &Ctx<'_>,
    f: &Forecast,
    rows: &[Option<usize>],
    states: &[State],
    margin: &Margin,
) -> Vec<BenchmarkCheck> {
    f.benchmarks
        .iter()
        .zip(rows)
        .zip(states)
        .map(|((name, row), state)| {
            let mut check = BenchmarkCheck {
                benchmark: name.clone(),
                met: None,
                gap: None,
                shortfall: None,
            };
            if let (Some(r), [Some(i), Some(c)]) = (row, state) {
                let higher = ctx.row_info(*r).higher_is_better;
                let (vi, vc) = (ctx.value(*i), ctx.value(*c));
                let g = gap(vi, vc, higher);
                let met = within(&g, margin, vi);
                check.met = Some(met);
                check.gap = Some(g);
                if !met {
                    check.shortfall = Some((needed(vi, margin, higher) - vc).abs());
                }
            }
            check
        })
        .collect()
}

fn deciding(ctx: &Ctx<'_>, states: &[State]) -> Vec<i64> {
    let mut ids: Vec<i64> = Vec::new();
    for state in states {
        for c in state.iter().flatten() {
            let id = ctx.claim_id(*c);
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
    }
    ids
}

/// One sentence per benchmark not yet within the margin: what the challenger must reach.
fn flips(
    ctx: &Ctx<'_>,
    f: &Forecast,
    rows: &[Option<usize>],
    states: &[State],
    margin: &Margin,
) -> Vec<String> {
    let chal_label = ctx.label(CHALLENGER);
    let inc_label = ctx.label(INCUMBENT);
    let mut out = Vec::new();
    for ((name, row), state) in f.benchmarks.iter().zip(rows).zip(states) {
        let Some(r) = *row else {
            out.push(format!(
                "{name}: not a benchmark this story tracks, so it cannot be checked."
            ));
            continue;
        };
        let info = ctx.row_info(r);
        match state {
            [None, None] => out.push(format!(
                "{}: no results from either cohort yet.",
                info.display
            )),
            [Some(_), None] => out.push(format!("{}: no {chal_label} result yet.", info.display)),
            [None, Some(_)] => out.push(format!(
                "{}: no {inc_label} result yet to compare against.",
                info.display
            )),
            [Some(i), Some(c)] => {
                let (vi, vc) = (ctx.value(*i), ctx.value(*c));
                let g = gap(vi, vc, info.higher_is_better);
                if within(&g, margin, vi) {
                    continue;
                }
                let target = needed(vi, margin, info.higher_is_better);
                let verb = if info.higher_is_better {
                    "needs to reach"
                } else {
                    "needs to come down to"
                };
                out.push(format!(
                    "{}: the best {chal_label} score, {}, {verb} {} to be within {} of {}'s {}: {} short.",
                    info.display,
                    text::value(info.unit, vc),
                    text::value_apart_from(info.unit, target, vc),
                    margin.describe(),
                    ctx.subject(*i),
                    text::value(info.unit, vi),
                    text::amount(info.unit, target - vc),
                ));
            }
        }
    }
    if f.benchmarks.is_empty() {
        out.push("The forecast names no benchmarks, so it cannot resolve.".to_owned());
    }
    out
}
