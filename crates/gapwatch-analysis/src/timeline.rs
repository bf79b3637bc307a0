//! The timeline: each row's two sides re-evaluated on every date a best changed, and the
//! events between one date and the next.

use crate::context::{Ctx, cohort};
use crate::prepare::{CHALLENGER, INCUMBENT};
use crate::series::{gap, within};
use crate::{TimelineEvent, TimelineKind};

pub(crate) fn events(ctx: &Ctx<'_>) -> Vec<TimelineEvent> {
    let mut out: Vec<(usize, TimelineEvent)> = Vec::new();
    for (order, row) in ctx.story_rows().enumerate() {
        out.extend(row_events(ctx, row).into_iter().map(|e| (order, e)));
    }
    // Stable: events of one date keep the story's row order, then the order they arose.
    out.sort_by(|a, b| a.1.date.cmp(&b.1.date).then(a.0.cmp(&b.0)));
    out.into_iter().map(|(_, e)| e).collect()
}

fn row_events(ctx: &Ctx<'_>, row: usize) -> Vec<TimelineEvent> {
    let info = ctx.row_info(row);
    let pair = &ctx.pairs[row];
    let mut out = Vec::new();
    let mut previous: [Option<usize>; 2] = [None, None];
    let mut parity: Option<bool> = None;
    let mut leads = false;
    let mut has_led = false;
    for (n, point) in pair.points.iter().enumerate() {
        let state = |kind: TimelineKind| TimelineEvent {
            date: point.date,
            row: info.key.clone(),
            kind,
            cohort: None,
            entry: None,
            previous: None,
            record: false,
            first_time: false,
            incumbent: point.best[INCUMBENT].map(|c| ctx.entry(c)),
            challenger: point.best[CHALLENGER].map(|c| ctx.entry(c)),
            gap: match point.best {
                [Some(i), Some(c)] => Some(gap(ctx.value(i), ctx.value(c), info.higher_is_better)),
                _ => None,
            },
        };
        if n == 0 {
            out.push(state(TimelineKind::FirstData));
        } else {
            for side in [INCUMBENT, CHALLENGER] {
                let (Some(new), old) = (point.best[side], previous[side]) else {
                    continue;
                };
                match old {
                    None => out.push(TimelineEvent {
                        cohort: Some(cohort(side)),
                        entry: Some(ctx.entry(new)),
                        ..state(TimelineKind::FirstCohortResult)
                    }),
                    Some(old)
                        if !ctx.prepared.claims[old].same_subject(&ctx.prepared.claims[new]) =>
                    {
                        out.push(TimelineEvent {
                            cohort: Some(cohort(side)),
                            entry: Some(ctx.entry(new)),
                            previous: Some(ctx.entry(old)),
                            record: improved(info.higher_is_better, ctx.value(old), ctx.value(new)),
                            ..state(TimelineKind::LeaderChange)
                        });
                    }
                    Some(_) => {}
                }
            }
        }
        // Leads and parity are only read on one evidence basis.
        if let ([Some(i), Some(c)], true) = (point.best, pair.same_basis()) {
            let g = gap(ctx.value(i), ctx.value(c), info.higher_is_better);
            let now_parity = within(&g, &ctx.story.parity, ctx.value(i));
            let now_leads = g.points < 0.0;
            if now_leads && !leads {
                out.push(TimelineEvent {
                    first_time: !has_led,
                    ..state(TimelineKind::ChallengerLeads)
                });
                has_led = true;
            } else if !now_leads && leads {
                out.push(state(TimelineKind::IncumbentLeads));
            } else if now_parity && parity != Some(true) && !now_leads {
                out.push(state(TimelineKind::ParityReached));
            }
            if !now_parity && parity == Some(true) {
                out.push(state(TimelineKind::ParityLost));
            }
            parity = Some(now_parity);
            leads = now_leads;
        }
        previous = point.best;
    }
    out
}

/// Whether `new` is at least as good as `old`; a best can also get worse, when the leading
/// result is superseded by a lower one.
pub(crate) fn improved(higher_is_better: bool, old: f64, new: f64) -> bool {
    if higher_is_better {
        new >= old
    } else {
        new <= old
    }
}
