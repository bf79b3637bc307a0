//! The timeline: the parity map re-evaluated on every date a benchmark's best changed, and
//! the events between one date and the next.

use crate::context::Ctx;
use crate::prepare::{CHALLENGER, INCUMBENT};
use crate::series::{gap, within};
use crate::text;
use crate::{TimelineEvent, TimelineKind};

pub(crate) fn events(ctx: &Ctx<'_>) -> Vec<TimelineEvent> {
    let mut out: Vec<(usize, TimelineEvent)> = Vec::new();
    for (order, row) in ctx.story_rows().enumerate() {
        out.extend(row_events(ctx, row).into_iter().map(|e| (order, e)));
    }
    // Stable: events of one date keep the story's benchmark order, then the order they arose.
    out.sort_by(|a, b| a.1.date.cmp(&b.1.date).then(a.0.cmp(&b.0)));
    out.into_iter().map(|(_, e)| e).collect()
}

fn row_events(ctx: &Ctx<'_>, row: usize) -> Vec<TimelineEvent> {
    let info = ctx.row_info(row);
    let bench = &info.display;
    let margin = ctx.story.parity.describe();
    let mut out = Vec::new();
    let mut previous: [Option<usize>; 2] = [None, None];
    let mut parity: Option<bool> = None;
    let mut leads = false;
    let mut has_led = false;
    for (n, point) in ctx.series[row].points.iter().enumerate() {
        let ids: Vec<i64> = point
            .best
            .iter()
            .flatten()
            .map(|&c| ctx.claim_id(c))
            .collect();
        let mut push = |kind: TimelineKind, description: String| {
            out.push(TimelineEvent {
                date: point.date,
                benchmark: info.id.clone(),
                kind,
                description,
                claim_ids: ids.clone(),
            });
        };
        if n == 0 {
            let present: Vec<String> = [INCUMBENT, CHALLENGER]
                .iter()
                .filter_map(|&s| point.best[s].map(|c| ctx.described(c, s, info.unit)))
                .collect();
            push(
                TimelineKind::FirstData,
                format!(
                    "First {} on {bench}: {}.",
                    if present.len() == 1 {
                        "result"
                    } else {
                        "results"
                    },
                    text::join(&present)
                ),
            );
        } else {
            for side in [INCUMBENT, CHALLENGER] {
                let (Some(new), old) = (point.best[side], previous[side]) else {
                    continue;
                };
                let label = ctx.label(side);
                match old {
                    None => push(
                        TimelineKind::LeaderChange,
                        format!(
                            "First {label} result on {bench}: {} at {}.",
                            ctx.subject(new),
                            text::value(info.unit, ctx.value(new))
                        ),
                    ),
                    Some(old)
                        if !ctx.prepared.claims[old].same_subject(&ctx.prepared.claims[new]) =>
                    {
                        let (new_v, old_v) = (ctx.value(new), ctx.value(old));
                        let head = format!(
                            "{} takes the {label} lead on {bench} at {}",
                            ctx.subject(new),
                            text::value(info.unit, new_v)
                        );
                        let previous =
                            format!("{} at {}", ctx.subject(old), text::value(info.unit, old_v));
                        push(
                            TimelineKind::LeaderChange,
                            if improved(info.higher_is_better, old_v, new_v) {
                                format!("{head}, ahead of {previous}.")
                            } else {
                                format!(
                                    "{head}; the previous best, {previous}, was superseded by a newer result."
                                )
                            },
                        );
                    }
                    Some(_) => {}
                }
            }
        }
        if let [Some(i), Some(c)] = point.best {
            let g = gap(ctx.value(i), ctx.value(c), info.higher_is_better);
            let now_parity = within(&g, &ctx.story.parity, ctx.value(i));
            let now_leads = g.points < 0.0;
            let chal = ctx.described(c, CHALLENGER, info.unit);
            let inc = ctx.described(i, INCUMBENT, info.unit);
            if now_leads && !leads {
                push(
                    TimelineKind::ChallengerLeads,
                    format!(
                        "{chal} leads {bench}{}, ahead of {inc}.",
                        if has_led {
                            " again"
                        } else {
                            " for the first time"
                        }
                    ),
                );
                has_led = true;
            } else if now_parity && parity != Some(true) {
                push(
                    TimelineKind::ParityReached,
                    if g.points == 0.0 {
                        format!("{chal} draws level with {inc} on {bench}.")
                    } else {
                        format!(
                            "{chal} comes within {margin} of {inc} on {bench}, {} behind.",
                            text::gap(info.unit, &g)
                        )
                    },
                );
            } else if !now_parity && parity == Some(true) {
                push(
                    TimelineKind::ParityLost,
                    format!(
                        "The best {} result falls outside {margin} on {bench}: {inc} against {chal}, {} behind.",
                        ctx.label(CHALLENGER),
                        text::gap(info.unit, &g)
                    ),
                );
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
