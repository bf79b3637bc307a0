//! The material changes between two analyses of a story, for "What's new in vN".

use gapwatch_model::Materiality;

use crate::text;
use crate::{Analysis, Change, ChangeKind, Entry, ParityRow, Tension, TensionKind, Verdict};

/// The material changes from `previous` to `current`, in the order of the parity map, then
/// forecasts, then tensions. Without a previous analysis, every benchmark with results
/// yields one [`ChangeKind::FirstVersion`] change.
pub fn changes(
    previous: Option<&Analysis>,
    current: &Analysis,
    materiality: &Materiality,
) -> Vec<Change> {
    let labels = Labels::of(current);
    let mut out = Vec::new();
    let Some(prev) = previous else {
        for row in current.parity.iter().filter(|r| has_data(r)) {
            out.push(change(
                ChangeKind::FirstVersion,
                row,
                format!("First version. {}", summary(row, &labels)),
            ));
        }
        return out;
    };
    for row in &current.parity {
        let before = prev
            .parity
            .iter()
            .find(|p| p.benchmark == row.benchmark && p.variant == row.variant);
        match before {
            Some(before) if has_data(before) => {
                row_changes(before, row, &labels, materiality, &mut out)
            }
            _ if has_data(row) => out.push(change(
                ChangeKind::NewBenchmarkData,
                row,
                format!("New results. {}", summary(row, &labels)),
            )),
            _ => {}
        }
    }
    forecast_changes(prev, current, &mut out);
    tension_changes(prev, current, &mut out);
    out
}

struct Labels {
    incumbent: String,
    challenger: String,
}

impl Labels {
    fn of(a: &Analysis) -> Self {
        let pick = |label: &str, fallback: &str| {
            if label.is_empty() {
                fallback.to_owned()
            } else {
                text::in_sentence(label)
            }
        };
        Self {
            incumbent: pick(&a.coverage.incumbent.label, "incumbent"),
            challenger: pick(&a.coverage.challenger.label, "challenger"),
        }
    }
}

fn has_data(row: &ParityRow) -> bool {
    row.incumbent.is_some() || row.challenger.is_some()
}

fn bench(row: &ParityRow) -> String {
    text::benchmark(&row.benchmark_name, &row.variant)
}

fn entry(e: &Entry, label: &str) -> String {
    format!(
        "{} ({label}) at {}",
        e.subject,
        text::value(e.unit, e.value)
    )
}

fn row_claims(row: &ParityRow) -> Vec<i64> {
    [&row.incumbent, &row.challenger]
        .into_iter()
        .flatten()
        .map(|e| e.claim_id)
        .collect()
}

fn change(kind: ChangeKind, row: &ParityRow, description: String) -> Change {
    Change {
        kind,
        benchmark: Some(row.benchmark.clone()),
        description,
        claim_ids: row_claims(row),
    }
}

/// One benchmark's state in a sentence.
fn summary(row: &ParityRow, labels: &Labels) -> String {
    let b = bench(row);
    match (&row.incumbent, &row.challenger, &row.gap) {
        (Some(i), Some(c), Some(g)) => {
            let standing = if row.challenger_leads {
                format!("{} ahead by {}", labels.challenger, text::gap(row.unit, g))
            } else if g.points == 0.0 {
                "level".to_owned()
            } else {
                format!("{} behind by {}", labels.challenger, text::gap(row.unit, g))
            };
            let parity = if row.parity == Some(true) {
                "at parity"
            } else {
                "not at parity"
            };
            format!(
                "{b}: best {} and best {}; {standing}, {parity}.",
                entry(i, &labels.incumbent),
                entry(c, &labels.challenger)
            )
        }
        (Some(i), None, _) => format!(
            "{b}: best {}; no {} result yet.",
            entry(i, &labels.incumbent),
            labels.challenger
        ),
        (None, Some(c), _) => format!(
            "{b}: best {}; no {} result yet.",
            entry(c, &labels.challenger),
            labels.incumbent
        ),
        _ => format!("{b}: no results yet."),
    }
}

fn same_subject(a: &Entry, b: &Entry) -> bool {
    a.model_ids == b.model_ids && a.subject == b.subject
}

fn row_changes(
    before: &ParityRow,
    row: &ParityRow,
    labels: &Labels,
    materiality: &Materiality,
    out: &mut Vec<Change>,
) {
    let b = bench(row);
    for (old, new, label) in [
        (&before.incumbent, &row.incumbent, &labels.incumbent),
        (&before.challenger, &row.challenger, &labels.challenger),
    ] {
        let Some(new) = new else { continue };
        let description = match old {
            None => format!("First {label} result on {b}: {}.", entry(new, label)),
            Some(old) if !same_subject(old, new) => {
                if crate::timeline::improved(row.higher_is_better, old.value, new.value) {
                    format!(
                        "{} now has the best {label} result on {b}, ahead of {} at {}.",
                        entry(new, label),
                        old.subject,
                        text::value(old.unit, old.value)
                    )
                } else {
                    format!(
                        "{} now has the best {label} result on {b}; the previous best, {} at {}, was superseded by a newer result.",
                        entry(new, label),
                        old.subject,
                        text::value(old.unit, old.value)
                    )
                }
            }
            Some(_) => continue,
        };
        out.push(change(ChangeKind::NewLeader, row, description));
    }

    if let (Some(i), Some(c), Some(g)) = (&row.incumbent, &row.challenger, &row.gap) {
        let (inc, chal) = (entry(i, &labels.incumbent), entry(c, &labels.challenger));
        let flip = if row.challenger_leads && !before.challenger_leads {
            Some(format!("{chal} now leads {b}, ahead of {inc}."))
        } else if !row.challenger_leads && before.challenger_leads {
            Some(format!(
                "{inc} is back ahead of {chal} on {b}; {}.",
                if row.parity == Some(true) {
                    "the two remain at parity"
                } else {
                    "they are no longer at parity"
                }
            ))
        } else if row.parity == Some(true) && before.parity != Some(true) {
            Some(if g.points == 0.0 {
                format!("{b} reaches parity: {chal} draws level with {inc}.")
            } else {
                format!(
                    "{b} reaches parity: {chal} against {inc}, {} behind.",
                    text::gap(row.unit, g)
                )
            })
        } else if row.parity == Some(false) && before.parity == Some(true) {
            Some(format!(
                "{b} is no longer at parity: {inc} against {chal}, {} behind.",
                text::gap(row.unit, g)
            ))
        } else {
            None
        };
        if let Some(description) = flip {
            out.push(change(ChangeKind::ParityFlip, row, description));
        }
    }

    if let (Some(old), Some(new)) = (&before.gap, &row.gap) {
        let delta = new.points - old.points;
        if delta.abs() > materiality.gap_change_points + text::EPSILON {
            let description = if old.points >= 0.0 && new.points >= 0.0 {
                format!(
                    "The {b} gap {} from {} to {}.",
                    if delta < 0.0 { "narrowed" } else { "widened" },
                    text::amount(row.unit, old.points),
                    text::amount(row.unit, new.points)
                )
            } else {
                format!(
                    "On {b} the margin moved {} in favour of {}: the gap went from {} to {} (negative when {} lead).",
                    text::amount(row.unit, delta),
                    if delta < 0.0 {
                        &labels.challenger
                    } else {
                        &labels.incumbent
                    },
                    signed(old.points),
                    signed(new.points),
                    labels.challenger
                )
            };
            out.push(change(ChangeKind::GapMoved, row, description));
        }
    }
}

fn signed(points: f64) -> String {
    format!("{points:+.1}")
}

fn verdict(v: &Verdict) -> String {
    match v {
        Verdict::Yes { on } => format!("resolved yes (on {on})"),
        Verdict::No => "resolved no".to_owned(),
        Verdict::Open => "open".to_owned(),
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
            let description = match old {
                Some(old) if old.verdict == r.verdict => continue,
                Some(old) => format!(
                    "\u{201c}{}\u{201d}, read as within {}: now {}, was {}.",
                    f.question,
                    r.margin.describe(),
                    verdict(&r.verdict),
                    verdict(&old.verdict)
                ),
                None => format!(
                    "\u{201c}{}\u{201d}, read as within {}, is now tracked: {}.",
                    f.question,
                    r.margin.describe(),
                    verdict(&r.verdict)
                ),
            };
            out.push(Change {
                kind: ChangeKind::ForecastChanged,
                benchmark: None,
                description,
                claim_ids: r.deciding_claim_ids.clone(),
            });
        }
    }
}

fn same_tension(a: &Tension, b: &Tension) -> bool {
    a.kind == b.kind && a.benchmark == b.benchmark && a.subject == b.subject
}

fn tension_changes(prev: &Analysis, current: &Analysis, out: &mut Vec<Change>) {
    for t in &current.tensions {
        if !prev.tensions.iter().any(|p| same_tension(p, t)) {
            out.push(Change {
                kind: ChangeKind::TensionAppeared,
                benchmark: t.benchmark.clone(),
                description: t.description.clone(),
                claim_ids: t.claim_ids.clone(),
            });
        }
    }
    for t in &prev.tensions {
        if current.tensions.iter().any(|c| same_tension(c, t)) {
            continue;
        }
        let description = match (t.kind, &t.benchmark) {
            (TensionKind::AccessFlagVsRegistry, _) | (_, None) => format!(
                "Settled: the sources' access flags for {} no longer contradict the registry.",
                t.subject
            ),
            (_, Some(id)) => {
                let name = current
                    .parity
                    .iter()
                    .chain(&prev.parity)
                    .find(|r| &r.benchmark == id)
                    .map_or(id.as_str(), |r| r.benchmark_name.as_str());
                format!(
                    "Settled: the values for {} on {name} now agree within tolerance.",
                    t.subject
                )
            }
        };
        out.push(Change {
            kind: ChangeKind::TensionSettled,
            benchmark: t.benchmark.clone(),
            description,
            claim_ids: t.claim_ids.clone(),
        });
    }
}
