//! The parity map: per benchmark comparison, each cohort's best with its basis and age, the
//! gap, parity, the lags, and the headline summary and median lag over comparable rows.

use gapwatch_model::Date;

use crate::context::{Ctx, PairPoint, RowInfo, cohort};
use crate::prepare::{CHALLENGER, INCUMBENT, UNKNOWN, unstated};
use crate::series::{better, gap, reaches, within};
use crate::text::{self, EPSILON};
use crate::{
    Alternative, CohortSide, Crossing, DateBasis, GapPoint, Lag, LagSummary, ParityRow, RowNote,
    RowRole, Summary, UnknownLeader,
};

pub(crate) fn rows(ctx: &Ctx<'_>) -> Vec<ParityRow> {
    ctx.story_rows().map(|row| parity_row(ctx, row)).collect()
}

/// Both sides of a comparison on the given lanes, with their freshness.
pub(crate) struct Sides {
    pub(crate) sides: [Option<CohortSide>; 2],
    /// Per cohort, the date of its newest result.
    pub(crate) newest: [Option<Date>; 2],
    /// Both sides' newest results are older than the staleness window: the comparison is
    /// dormant since the newer of the two.
    pub(crate) dormant: Option<Date>,
}

impl Sides {
    /// Both present, one basis, neither stale, not dormant.
    pub(crate) fn comparable(&self, same_basis: bool) -> bool {
        same_basis
            && self.dormant.is_none()
            && self
                .sides
                .iter()
                .all(|s| s.as_ref().is_some_and(|s| !s.stale))
    }
}

pub(crate) fn sides(
    ctx: &Ctx<'_>,
    row: usize,
    lanes: [Option<usize>; 2],
    bests: [Option<usize>; 2],
) -> Sides {
    let entry = ctx.prepared.scope[ctx.prepared.rows[row].bench].entry;
    let window = i64::from(ctx.story.stale_after_days);
    let newest = [INCUMBENT, CHALLENGER].map(|s| lanes[s].and_then(|l| ctx.series[l].newest[s]));
    let stale = [INCUMBENT, CHALLENGER].map(|s| match (newest[s], newest[1 - s]) {
        (Some(mine), Some(theirs)) => theirs.days_since_epoch() - mine.days_since_epoch() > window,
        _ => false,
    });
    let latest = newest.iter().flatten().max().copied();
    let dormant_window = i64::from(ctx.story.dormant_after_days);
    let dormant = latest.filter(|l| {
        bests.iter().all(Option::is_some)
            && ctx.as_of.days_since_epoch() - l.days_since_epoch() > dormant_window
    });
    let side = |s: usize| -> Option<CohortSide> {
        let best = bests[s]?;
        let lane = lanes[s]?;
        let ties = &ctx.series[lane].ties[s];
        let mut tied_with: Vec<String> = Vec::new();
        let shown = ctx.subject(best);
        for &c in ties {
            let name = ctx.subject(c);
            if name != shown && !tied_with.contains(&name) {
                tied_with.push(name);
            }
        }
        Some(CohortSide {
            best: ctx.entry(best),
            basis: ctx.basis_of_lane(lane),
            newest: newest[s].unwrap_or(ctx.as_of),
            stale: stale[s] && dormant.is_none(),
            unstated: unstated(entry, ctx.prepared.settings_of(best)),
            tied_with,
            reported_by: reported_by(ctx, row, best),
        })
    };
    Sides {
        sides: [side(INCUMBENT), side(CHALLENGER)],
        newest,
        dormant,
    }
}

/// The sources reporting a claim's result (subject and settings) on its row, on any basis.
fn reported_by(ctx: &Ctx<'_>, row: usize, claim: usize) -> Vec<String> {
    let claims = &ctx.prepared.claims;
    let table = &ctx.prepared.keys;
    let lanes = ctx.prepared.rows[row].lanes.clone();
    // Keys are sorted by lane: the row's keys are one run.
    let start = table.keys.partition_point(|k| k.lane < lanes.start);
    let end = table.keys.partition_point(|k| k.lane < lanes.end);
    let (subject, settings) = (claims[claim].subject, claims[claim].settings);
    let mut out: Vec<String> = table.keys[start..end]
        .iter()
        .filter(|k| k.subject == subject && k.settings == settings)
        .flat_map(|k| &table.sources[k.per_source.clone()])
        .map(|&c| ctx.prepared.set.str(claims[c].rec.source).to_owned())
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

fn parity_row(ctx: &Ctx<'_>, row: usize) -> ParityRow {
    let info = ctx.row_info(row);
    let pair = &ctx.pairs[row];
    let [inc, chal] = pair.last();
    let entry = ctx.prepared.scope[ctx.prepared.rows[row].bench].entry;
    let both = sides(ctx, row, pair.lanes, [inc, chal]);
    let comparable = inc.is_some() && chal.is_some() && both.comparable(pair.same_basis());
    let newest = both.newest;
    let dormant = both.dormant;
    let [incumbent, challenger] = both.sides;
    let g = match (inc, chal) {
        (Some(i), Some(c)) => Some(gap(ctx.value(i), ctx.value(c), info.higher_is_better)),
        _ => None,
    };
    let parity = match (g, inc) {
        (Some(g), Some(i)) if comparable => Some(within(&g, &ctx.story.parity, ctx.value(i))),
        _ => None,
    };
    let last_update = newest.iter().flatten().max().copied();

    let mut notes = Vec::new();
    if entry.is_none() {
        notes.push(RowNote::UnknownBenchmark);
    } else {
        match (inc, chal) {
            (None, None) => notes.push(RowNote::NoResults),
            (None, Some(_)) => notes.push(RowNote::MissingCohort {
                cohort: cohort(INCUMBENT),
            }),
            (Some(_), None) => notes.push(RowNote::MissingCohort {
                cohort: cohort(CHALLENGER),
            }),
            (Some(i), Some(_)) => {
                if !pair.same_basis()
                    && let (Some(a), Some(b)) = (&incumbent, &challenger)
                {
                    notes.push(
                        match pair.lanes.map(|l| l.and_then(|l| ctx.board_of_lane(l))) {
                            [Some(i), Some(c)] if a.basis == b.basis => RowNote::BoardsDiffer {
                                incumbent: i.to_owned(),
                                challenger: c.to_owned(),
                            },
                            _ => RowNote::BasesDiffer {
                                incumbent: a.basis,
                                challenger: b.basis,
                            },
                        },
                    );
                }
                if ctx.value(i).abs() < EPSILON {
                    notes.push(RowNote::ZeroIncumbent);
                }
            }
        }
    }
    if let Some(since) = dormant {
        notes.push(RowNote::Dormant { since });
    }
    for (s, cs) in [(INCUMBENT, &incumbent), (CHALLENGER, &challenger)] {
        let Some(cs) = cs else { continue };
        if cs.stale {
            notes.push(RowNote::Stale {
                cohort: cohort(s),
                since: cs.newest,
            });
        }
        if !cs.unstated.is_empty() {
            notes.push(RowNote::Unstated {
                cohort: cohort(s),
                keys: cs.unstated.clone(),
            });
        }
        if !cs.tied_with.is_empty() {
            let lane = pair.lanes[s].unwrap_or_default();
            let ties = &ctx.series[lane].ties[s];
            let shown = &ctx.prepared.claims[ties[0]];
            let mut subjects = vec![cs.best.subject.clone()];
            subjects.extend(cs.tied_with.iter().cloned());
            notes.push(RowNote::Tie {
                cohort: cohort(s),
                subjects,
                earliest: ties
                    .iter()
                    .skip(1)
                    .all(|&c| ctx.prepared.claims[c].effective > shown.effective),
            });
        }
    }

    ParityRow {
        key: info.key.clone(),
        unit: info.unit,
        higher_is_better: info.higher_is_better,
        gap: g,
        parity,
        challenger_leads: comparable && g.is_some_and(|g| g.points < 0.0),
        // A stale side, a dormant row or different bases yield no lag (docs/analysis.md 4.3).
        lag: if comparable {
            lag(ctx, &info, &pair.points)
        } else {
            None
        },
        mean_lag_months: mean_lag(&info, ctx, &pair.points),
        crossings: crossings(ctx, &info, &pair.points, newest[CHALLENGER]),
        last_update,
        alternatives: alternatives(ctx, row, &info),
        unknown_access: unknown_leaders(ctx, row, &info, inc, chal),
        history: pair
            .points
            .iter()
            .filter_map(|p| match p.best {
                [Some(i), Some(c)] => Some(GapPoint {
                    date: p.date,
                    points: gap(ctx.value(i), ctx.value(c), info.higher_is_better).points,
                }),
                _ => None,
            })
            .collect(),
        notes,
        comparable,
        incumbent,
        challenger,
    }
}

fn approximate(ctx: &Ctx<'_>, claims: &[usize]) -> bool {
    claims
        .iter()
        .any(|&c| ctx.prepared.claims[c].date_basis != DateBasis::Reported)
}

/// The first point at which a side's best reaches `level`.
fn first_reaching(
    points: &[PairPoint],
    side: usize,
    level: f64,
    higher: bool,
    ctx: &Ctx<'_>,
) -> Option<(Date, usize)> {
    points.iter().find_map(|p| {
        let c = p.best[side]?;
        reaches(higher, ctx.value(c), level).then_some((p.date, c))
    })
}

/// Frontier to frontier at the challenger frontier's current level: when the incumbent
/// first reached it, and when the challenger did. `None` when the incumbent never has (the
/// challenger leads at that level) or a side has no result.
fn lag(ctx: &Ctx<'_>, info: &RowInfo, points: &[PairPoint]) -> Option<Lag> {
    let last = points.last()?;
    let level = ctx.value(last.best[CHALLENGER]?);
    let higher = info.higher_is_better;
    if better(higher, level, ctx.value(last.best[INCUMBENT]?)) {
        // The challenger leads: it is not behind at any level.
        return None;
    }
    let (challenger_date, chal_claim) = first_reaching(points, CHALLENGER, level, higher, ctx)?;
    let (incumbent_date, inc_claim) = first_reaching(points, INCUMBENT, level, higher, ctx)?;
    // The incumbent's first result on the row already beats the level, after the challenger
    // reached it: when the incumbent got there is unknown, not later.
    let first_measured = frontier(ctx, points, INCUMBENT, higher).first()?.0;
    if incumbent_date > challenger_date && incumbent_date == first_measured {
        return None;
    }
    Some(Lag {
        months: incumbent_date.months_until(challenger_date),
        level,
        incumbent_date,
        challenger_date,
        approximate: approximate(ctx, &[inc_claim, chal_claim]),
        claim_ids: vec![ctx.claim_id(inc_claim), ctx.claim_id(chal_claim)],
    })
}

/// A side's frontier: its best so far on each date it improved (never falling back).
fn frontier(ctx: &Ctx<'_>, points: &[PairPoint], side: usize, higher: bool) -> Vec<(Date, f64)> {
    let mut out: Vec<(Date, f64)> = Vec::new();
    for p in points {
        let Some(c) = p.best[side] else { continue };
        let v = ctx.value(c);
        if out.last().is_none_or(|&(_, best)| better(higher, v, best)) {
            out.push((p.date, v));
        }
    }
    out
}

/// The mean horizontal distance between the two frontiers, in months, over the levels both
/// have reached (from the higher of their first values to the lower of their bests).
fn mean_lag(info: &RowInfo, ctx: &Ctx<'_>, points: &[PairPoint]) -> Option<f64> {
    let higher = info.higher_is_better;
    // Work in "higher is better" terms.
    let sign = if higher { 1.0 } else { -1.0 };
    let f = [INCUMBENT, CHALLENGER].map(|s| {
        frontier(ctx, points, s, higher)
            .into_iter()
            .map(|(d, v)| (d, v * sign))
            .collect::<Vec<_>>()
    });
    let (inc, chal) = (&f[0], &f[1]);
    let lo = inc.first()?.1.max(chal.first()?.1);
    let hi = inc.last()?.1.min(chal.last()?.1);
    if hi < lo - EPSILON {
        return None;
    }
    let first_at = |frontier: &[(Date, f64)], v: f64| -> Option<Date> {
        frontier
            .iter()
            .find(|&&(_, x)| x >= v - EPSILON)
            .map(|&(d, _)| d)
    };
    if hi - lo < EPSILON {
        let (a, b) = (first_at(inc, hi)?, first_at(chal, hi)?);
        return Some(a.months_until(b));
    }
    let mut levels: Vec<f64> = inc
        .iter()
        .chain(chal.iter())
        .map(|&(_, v)| v)
        .filter(|&v| v > lo + EPSILON && v <= hi + EPSILON)
        .collect();
    levels.push(hi);
    levels.sort_by(f64::total_cmp);
    levels.dedup_by(|a, b| (*a - *b).abs() < EPSILON);
    let mut total = 0.0;
    let mut from = lo;
    for &to in &levels {
        let (a, b) = (first_at(inc, to)?, first_at(chal, to)?);
        total += (to - from) * a.months_until(b);
        from = to;
    }
    Some(total / (hi - lo))
}

/// For each record of the incumbent's frontier, when the challenger first matched it. An
/// unmatched record's lag runs to the challenger's newest result: the evidence says nothing
/// about the time after it.
fn crossings(
    ctx: &Ctx<'_>,
    info: &RowInfo,
    points: &[PairPoint],
    challenger_newest: Option<Date>,
) -> Vec<Crossing> {
    let higher = info.higher_is_better;
    let mut out = Vec::new();
    let mut best: Option<f64> = None;
    for p in points {
        let Some(c) = p.best[INCUMBENT] else { continue };
        let v = ctx.value(c);
        if best.is_some_and(|b| !better(higher, v, b)) {
            continue;
        }
        best = Some(v);
        let matched = first_reaching(points, CHALLENGER, v, higher, ctx);
        out.push(match matched {
            Some((date, m)) => Crossing {
                level: v,
                incumbent_date: p.date,
                challenger_date: Some(date),
                months: p.date.months_until(date),
                lower_bound: false,
                approximate: approximate(ctx, &[c, m]),
                claim_ids: vec![ctx.claim_id(c), ctx.claim_id(m)],
            },
            None => {
                let end = challenger_newest.map_or(p.date, |n| n.max(p.date));
                Crossing {
                    level: v,
                    incumbent_date: p.date,
                    challenger_date: None,
                    months: p.date.months_until(end),
                    lower_bound: true,
                    approximate: approximate(ctx, &[c]),
                    claim_ids: vec![ctx.claim_id(c)],
                }
            }
        });
    }
    out
}

/// The same comparison on the row's other bases where both cohorts have results.
fn alternatives(ctx: &Ctx<'_>, row: usize, info: &RowInfo) -> Vec<Alternative> {
    let pair = &ctx.pairs[row];
    let chosen = pair.same_basis().then_some(pair.lanes[0]).flatten();
    ctx.prepared.rows[row]
        .lanes
        .clone()
        .filter(|&l| Some(l) != chosen)
        .filter_map(|l| {
            let last = ctx.series[l].last();
            let (i, c) = (last[INCUMBENT]?, last[CHALLENGER]?);
            let both = sides(ctx, row, [Some(l), Some(l)], [Some(i), Some(c)]);
            let comparable = both.comparable(true);
            let [Some(incumbent), Some(challenger)] = both.sides else {
                return None;
            };
            Some(Alternative {
                basis: ctx.basis_of_lane(l),
                board: ctx.board_of_lane(l).map(str::to_owned),
                incumbent,
                challenger,
                gap: gap(ctx.value(i), ctx.value(c), info.higher_is_better),
                comparable,
                dormant: both.dormant,
            })
        })
        .collect()
}

/// Subjects of unknown access, on the lanes the row's sides come from, that beat a side's
/// best (or stand where a side has none).
fn unknown_leaders(
    ctx: &Ctx<'_>,
    row: usize,
    info: &RowInfo,
    inc: Option<usize>,
    chal: Option<usize>,
) -> Vec<UnknownLeader> {
    let pair = &ctx.pairs[row];
    let higher = info.higher_is_better;
    let mut lanes: Vec<usize> = pair.lanes.iter().flatten().copied().collect();
    if lanes.is_empty() {
        lanes.extend(ctx.prepared.rows[row].lanes.clone());
    }
    lanes.dedup();
    let mut out: Vec<UnknownLeader> = Vec::new();
    for l in lanes {
        let Some(u) = ctx.series[l].last()[UNKNOWN] else {
            continue;
        };
        let v = ctx.value(u);
        let beats = |side: usize, best: Option<usize>| {
            (pair.lanes[side].is_none() || pair.lanes[side] == Some(l))
                && best.is_none_or(|b| better(higher, v, ctx.value(b)))
        };
        let (lead_chal, lead_inc) = (beats(CHALLENGER, chal), beats(INCUMBENT, inc));
        if !(lead_chal || lead_inc) {
            continue;
        }
        let entry = ctx.entry(u);
        if out.iter().any(|x| x.entry.claim_id == entry.claim_id) {
            continue;
        }
        out.push(UnknownLeader {
            entry,
            would_lead_challenger: lead_chal,
            would_lead_incumbent: lead_inc,
        });
    }
    out
}

/// The headline count over the story's headline rows.
pub(crate) fn summary(rows: &[ParityRow]) -> Summary {
    let mut s = Summary::default();
    for r in rows.iter().filter(|r| r.key.role == RowRole::Headline) {
        if r.comparable {
            s.comparable.push(r.key.clone());
            if r.challenger_leads {
                s.challenger_leads.push(r.key.clone());
            } else if r.parity == Some(true) {
                s.at_parity.push(r.key.clone());
            } else {
                s.behind.push(r.key.clone());
            }
            continue;
        }
        if let Some(reason) = r.not_comparable() {
            s.not_comparable.push((r.key.clone(), reason));
        }
    }
    s
}

/// The median lag over the comparable headline rows that have one.
pub(crate) fn median_lag(rows: &[ParityRow]) -> Option<LagSummary> {
    let used: Vec<&ParityRow> = rows
        .iter()
        .filter(|r| r.key.role == RowRole::Headline && r.comparable && r.lag.is_some())
        .collect();
    let months: Vec<f64> = used
        .iter()
        .filter_map(|r| r.lag.as_ref().map(|l| l.months))
        .collect();
    let means: Vec<f64> = used.iter().filter_map(|r| r.mean_lag_months).collect();
    Some(LagSummary {
        months: text::median(months.clone())?,
        mean_months: text::median(means),
        benchmarks: months.len(),
        approximate: used
            .iter()
            .any(|r| r.lag.as_ref().is_some_and(|l| l.approximate)),
        rows: used.iter().map(|r| r.key.clone()).collect(),
    })
}
