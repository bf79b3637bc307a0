//! Forecast verdicts: each reading of a forecast's margin is walked over the dates on which
//! any of its benchmarks' headline rows changed, up to the deadline or the as-of date.

use gapwatch_model::{Combine, Date, Forecast, Margin, Unit};

use crate::context::Ctx;
use crate::prepare::{CHALLENGER, INCUMBENT};
use crate::series::{gap, needed, within};
use crate::{BenchmarkCheck, ForecastStatus, NotComparable, ParityRow, ReadingVerdict, Verdict};

pub(crate) fn evaluate(ctx: &Ctx<'_>, parity: &[ParityRow]) -> Vec<ForecastStatus> {
    ctx.story
        .forecasts
        .iter()
        .map(|f| forecast(ctx, f, parity))
        .collect()
}

fn forecast(ctx: &Ctx<'_>, f: &Forecast, parity: &[ParityRow]) -> ForecastStatus {
    let rows: Vec<Option<usize>> = f
        .benchmarks
        .iter()
        .map(|b| {
            ctx.prepared
                .scope_index(ctx.registry, b)
                .and_then(|s| ctx.prepared.headline_row(s))
        })
        .collect();
    // What the row says now: a stale side or different bases qualify every check on it.
    let caveats: Vec<Option<NotComparable>> = rows
        .iter()
        .map(|r| {
            let info = ctx.row_info((*r)?);
            let row = parity.iter().find(|p| p.key == info.key)?;
            row.not_comparable()
                .filter(|_| row.incumbent.is_some() && row.challenger.is_some())
        })
        .collect();
    let limit = ctx.as_of.min(f.deadline);
    let mut dates: Vec<Date> = rows
        .iter()
        .flatten()
        .flat_map(|&r| ctx.pairs[r].points.iter().map(|p| p.date))
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
            .map(|m| reading(ctx, f, &rows, &caveats, &dates, m))
            .collect(),
    }
}

type State = [Option<usize>; 2];

fn reading(
    ctx: &Ctx<'_>,
    f: &Forecast,
    rows: &[Option<usize>],
    caveats: &[Option<NotComparable>],
    dates: &[Date],
    margin: &Margin,
) -> ReadingVerdict {
    let mut next = vec![0usize; rows.len()];
    let mut states: Vec<State> = vec![[None, None]; rows.len()];
    for &date in dates {
        for (j, row) in rows.iter().enumerate() {
            let Some(r) = *row else { continue };
            let points = &ctx.pairs[r].points;
            while next[j] < points.len() && points[next[j]].date <= date {
                states[j] = points[next[j]].best;
                next[j] += 1;
            }
        }
        let checks = checks(ctx, f, rows, caveats, &states, margin);
        if holds(f.combine, &checks) {
            return ReadingVerdict {
                margin: *margin,
                verdict: Verdict::Yes { on: date },
                deciding_claim_ids: deciding(ctx, &states),
                per_benchmark: checks,
            };
        }
    }
    let checks = checks(ctx, f, rows, caveats, &states, margin);
    ReadingVerdict {
        margin: *margin,
        verdict: if ctx.as_of > f.deadline {
            Verdict::No
        } else {
            Verdict::Open
        },
        deciding_claim_ids: deciding(ctx, &states),
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
    caveats: &[Option<NotComparable>],
    states: &[State],
    margin: &Margin,
) -> Vec<BenchmarkCheck> {
    f.benchmarks
        .iter()
        .zip(rows)
        .zip(states)
        .zip(caveats)
        .map(|(((name, row), state), caveat)| {
            let info = row.map(|r| ctx.row_info(r));
            let mut check = BenchmarkCheck {
                benchmark: name.clone(),
                row: info.as_ref().map(|i| i.key.clone()),
                unit: info.as_ref().map_or(Unit::Score, |i| i.unit),
                met: None,
                incumbent: state[INCUMBENT].map(|c| ctx.entry(c)),
                challenger: state[CHALLENGER].map(|c| ctx.entry(c)),
                gap: None,
                needed: None,
                shortfall: None,
                caveat: caveat.clone(),
            };
            if let (Some(info), [Some(i), Some(c)]) = (&info, state) {
                let higher = info.higher_is_better;
                let (vi, vc) = (ctx.value(*i), ctx.value(*c));
                let g = gap(vi, vc, higher);
                let met = within(&g, margin, vi);
                check.met = Some(met);
                check.gap = Some(g);
                if !met {
                    let target = needed(vi, margin, higher);
                    check.needed = Some(target);
                    check.shortfall = Some((target - vc).abs());
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
