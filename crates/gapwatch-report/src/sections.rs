//! The digest's sections, written from the analysis: the main story (What's new, What, Why
//! it matters, Open questions, Parity map, Forecasts, Timeline, Tensions), Sources, and the
//! appendix (every comparison, change, event and tension, and the evidence cited).

use std::collections::BTreeMap;

use gapwatch_analysis::{
    Analysis, Change, Cohort, CohortSide, Entry, Flip, NotComparable, ParityRow, RowKey, RowRole,
    Tension, TensionKind, TimelineEvent, TimelineKind, Verdict,
};
use gapwatch_model::{Date, Evaluator, Unit};

use crate::digest::{Block, CitedSource, Citer, DigestInput, Inline, Line, Section, text};
use crate::prose::{self, Labels};

/// At most this many bullets in What's new.
const NEWS: usize = 5;
/// At most this many turning points in the main timeline.
const TURNING_POINTS: usize = 15;
/// The main timeline looks back this many days, unless that leaves too few turning points.
const TURNING_POINT_WINDOW_DAYS: i64 = 730;
/// At most this many events, and tensions, in the appendix's full lists.
const APPENDIX_ITEMS: usize = 1_000;
/// At most this many open questions.
const OPEN_QUESTIONS: usize = 5;
/// At most this many tensions in the main story.
const TENSIONS: usize = 4;

/// A sentence under construction: text and citations.
#[derive(Debug, Default)]
struct Sentence(Line);

impl Sentence {
    fn t(mut self, s: impl Into<String>) -> Self {
        let s = s.into();
        match self.0.last_mut() {
            Some(Inline::Text { value }) => value.push_str(&s),
            _ => self.0.push(text(s)),
        }
        self
    }

    fn cite(mut self, citer: &mut Citer<'_>, ids: &[i64]) -> Self {
        let cites = citer.cite(ids);
        if !cites.is_empty() {
            self.0.push(text(" "));
            self.0.extend(cites);
        }
        self
    }

    fn line(self) -> Line {
        self.0
    }
}

fn paragraph(line: Line) -> Block {
    Block::Paragraph { line }
}

fn bullets(items: Vec<Line>) -> Block {
    Block::Bullets {
        items,
        anchors: Vec::new(),
    }
}

fn section(id: &str, title: impl Into<String>, blocks: Vec<Block>) -> Section {
    Section {
        id: id.into(),
        title: title.into(),
        appendix: false,
        blocks,
    }
}

fn headline(a: &Analysis) -> impl Iterator<Item = &ParityRow> {
    a.parity.iter().filter(|r| r.key.role == RowRole::Headline)
}

fn best(side: &Option<CohortSide>) -> Option<&Entry> {
    side.as_ref().map(|s| &s.best)
}

/// The main story, in reading order.
pub(crate) fn main(input: &DigestInput<'_>, citer: &mut Citer<'_>) -> Vec<Section> {
    let labels = Labels::of(input.story);
    let mut out = vec![
        whats_new(input, &labels, citer),
        what(input, &labels, citer),
        why_it_matters(input, &labels, citer),
        open_questions(input, &labels, citer),
        parity_map(input, &labels, citer),
        forecasts(input, &labels, citer),
    ];
    out.extend(crate::perspectives::section(input, &labels, citer));
    out.push(timeline(input, &labels, citer));
    out.push(tensions(input, &labels, citer));
    out
}

// ------------------------------------------------------------------------------ What's new

/// A change's importance for What's new: higher first.
fn importance(c: &Change) -> u32 {
    let headline = c.row().is_none_or(|r| r.role == RowRole::Headline);
    let base = match c {
        Change::ForecastChanged {
            before: Some(_), ..
        } => 100,
        Change::ForecastChanged { before: None, .. } => 20,
        Change::ParityFlip { flip, .. } => match flip {
            Flip::ChallengerLeads => 95,
            Flip::ParityReached => 90,
            Flip::IncumbentBack => 85,
            Flip::ParityLost => 80,
        },
        Change::NewLeader {
            cohort: Cohort::Challenger,
            record: true,
            ..
        } => 70,
        Change::NewLeader { record: true, .. } => 65,
        Change::NewLeader { .. } => 40,
        Change::GapMoved { before, after, .. } => {
            60 + ((after.points - before.points).abs().min(20.0) as u32)
        }
        Change::Comparability { .. } => 55,
        Change::NewRow { .. } | Change::FirstVersion { .. } => 50,
        Change::TensionAppeared { .. } => 35,
        Change::TensionSettled { .. } => 30,
        Change::PerspectiveChanged { before, .. } => 62 * u32::from(before.is_some()) + 15,
        Change::MedianLagMoved { before, after, .. } => match (before, after) {
            (Some(b), Some(a)) => 60 + ((a - b).abs() * 4.0).min(20.0) as u32,
            _ => 60,
        },
    };
    if headline { base } else { base * 2 / 5 }
}

fn whats_new(input: &DigestInput<'_>, labels: &Labels, citer: &mut Citer<'_>) -> Section {
    let a = input.analysis;
    let title = format!("What's new in v{}", input.version);
    let material: Vec<&Change> = input.changes.iter().filter(|c| c.is_material()).collect();
    if material.is_empty() {
        return section(
            "whats-new",
            title,
            vec![paragraph(vec![text(
                "Nothing material changed; this version was published on request.",
            )])],
        );
    }
    if material
        .iter()
        .all(|c| matches!(c, Change::FirstVersion { .. }))
    {
        return section("whats-new", title, first_version(input, labels, citer));
    }
    // The median lag's move is told beside the news that moved it.
    let told: Vec<&Change> = input
        .changes
        .iter()
        .filter(|c| c.is_material() || matches!(c, Change::MedianLagMoved { .. }))
        .collect();
    // One bullet per row (its most important change leads), one per forecast reading and
    // tension; the most important first.
    let mut by_row: BTreeMap<String, Vec<&Change>> = BTreeMap::new();
    let mut singles: Vec<&Change> = Vec::new();
    for c in &told {
        match c {
            Change::ForecastChanged { .. }
            | Change::TensionAppeared { .. }
            | Change::TensionSettled { .. } => singles.push(c),
            _ => match c.row() {
                Some(r) => by_row.entry(prose::row(r)).or_default().push(c),
                None => singles.push(c),
            },
        }
    }
    let mut groups: Vec<(u32, Vec<&Change>)> = Vec::new();
    for (_, mut cs) in by_row {
        cs.sort_by_key(|c| std::cmp::Reverse(importance(c)));
        let mut score = importance(cs[0]);
        // A new best resting only on its maker's own figure, which no other source reports,
        // is a claim, not yet a finding: it does not lead the news.
        if cs.iter().any(|c| lone_maker_figure(c, a)) {
            score = score.saturating_sub(30);
        }
        // A gap that moved because a side has a new best is told with that best: the new
        // best leads the bullet, which then gives the gap's move.
        if matches!(cs[0], Change::GapMoved { .. })
            && let Some(i) = cs
                .iter()
                .position(|c| matches!(c, Change::NewLeader { .. }))
        {
            let leader = cs.remove(i);
            cs.insert(0, leader);
        }
        groups.push((score, cs));
    }
    for c in singles {
        groups.push((importance(c), vec![c]));
    }
    // Rows that only left the count because their results stopped arriving: one bullet.
    let left_alone = |cs: &[&Change]| {
        matches!(
            cs,
            [Change::Comparability {
                after: Some(NotComparable::Stale { .. } | NotComparable::Dormant { .. }),
                ..
            }]
        )
    };
    let (left, mut groups): (Vec<_>, Vec<_>) =
        groups.into_iter().partition(|(_, cs)| left_alone(cs));
    let merged = if left.len() > 1 {
        let score = left.iter().map(|(s, _)| *s).max().unwrap_or(0);
        let cs: Vec<&Change> = left.into_iter().flat_map(|(_, cs)| cs).collect();
        Some((score, cs))
    } else {
        groups.extend(left);
        None
    };
    if let Some(m) = &merged {
        groups.push(m.clone());
    }
    groups.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
    let shown = groups.len().min(NEWS);
    let mut items: Vec<Line> = groups[..shown]
        .iter()
        .map(|(_, cs)| {
            if merged.as_ref().is_some_and(|(_, m)| m == cs) {
                stopped_arriving(cs, a, labels, citer)
            } else {
                change_bullet(cs, a, labels, input, citer)
            }
        })
        .collect();
    if groups.len() > shown {
        let rest: Vec<String> = groups[shown..]
            .iter()
            .filter_map(|(_, cs)| cs[0].row().map(prose::row))
            .take(4)
            .collect();
        let more = groups.len() - shown;
        let mut line = format!(
            "{} also moved",
            prose::count(more, "smaller change", "smaller changes")
        );
        if !rest.is_empty() {
            line.push_str(&format!(", among them on {}", prose::join(&rest)));
        }
        line.push_str("; every change is listed in the appendix.");
        items.push(vec![text(line)]);
    }
    section("whats-new", title, vec![bullets(items)])
}

/// One bullet for rows that left the headline count because results stopped arriving:
/// `No longer counted, as results stopped arriving: MMLU-Pro (closed side, newest Feb 2025)
/// [15] and HumanEval+ (both sides, newest Nov 2024) [5].`
fn stopped_arriving(cs: &[&Change], a: &Analysis, labels: &Labels, citer: &mut Citer<'_>) -> Line {
    let mut s = Sentence::default().t("No longer counted, as results stopped arriving: ");
    for (n, c) in cs.iter().enumerate() {
        let Change::Comparability {
            row,
            after: Some(after),
            claim_ids,
            ..
        } = c
        else {
            continue;
        };
        if n > 0 {
            s = s.t(if n + 1 == cs.len() { " and " } else { ", " });
        }
        let what = match after {
            NotComparable::Stale { cohort, since } => {
                // Which kind of evidence stopped: another kind may still be arriving.
                let basis = a
                    .parity
                    .iter()
                    .find(|r| &r.key == row)
                    .and_then(|r| match cohort {
                        Cohort::Incumbent => r.incumbent.as_ref(),
                        Cohort::Challenger => r.challenger.as_ref(),
                    })
                    .map(|side| format!(" on {}", prose::basis_plural(side.basis)))
                    .unwrap_or_default();
                format!(
                    "{} side{basis}, newest {}",
                    labels.cohort(*cohort),
                    prose::month(*since)
                )
            }
            NotComparable::Dormant { since } => {
                format!("both sides, newest {}", prose::month(*since))
            }
            _ => continue,
        };
        s = s
            .t(format!("{} ({what})", prose::row(row)))
            .cite(citer, claim_ids);
    }
    s.t(".").line()
}

/// A new best that is its maker's own figure and that no other source reports.
fn lone_maker_figure(c: &Change, a: &Analysis) -> bool {
    let Change::NewLeader { row, new, .. } = c else {
        return false;
    };
    is_lone_maker_figure(new, a.parity.iter().find(|r| &r.key == row))
}

/// Whether `e` is its maker's own figure and the best of a side of `row` that only one source
/// reports.
fn is_lone_maker_figure(e: &Entry, row: Option<&ParityRow>) -> bool {
    e.evaluator == Evaluator::SelfReported
        && row.is_some_and(|r| {
            [&r.incumbent, &r.challenger]
                .into_iter()
                .flatten()
                .any(|side| side.best.claim_id == e.claim_id && side.reported_by.len() == 1)
        })
}

/// The first version's news: the state of the comparable rows in brief.
fn first_version(input: &DigestInput<'_>, labels: &Labels, citer: &mut Citer<'_>) -> Vec<Block> {
    let a = input.analysis;
    let s = &a.summary;
    let mut items = vec![
        Sentence::default()
            .t(format!(
                "First version: {} tracked, {} of them comparable (same settings, same kind of evidence, each side with results from the last year); {} models lead on {}",
                prose::count(headline(a).count(), "benchmark", "benchmarks"),
                s.comparable.len(),
                labels.challenger,
                s.challenger_leads.len()
            ))
            .cite(citer, &row_claims(a, &s.challenger_leads))
            .t(format!(" and are within {} on {}", input.story.parity.describe(), s.at_parity.len()))
            .cite(citer, &row_claims(a, &s.at_parity))
            .t(".")
            .line(),
    ];
    for r in headline(a).filter(|r| r.comparable).take(NEWS - 1) {
        items.push(row_state(r, labels, citer));
    }
    vec![bullets(items)]
}

fn row_claims(a: &Analysis, keys: &[RowKey]) -> Vec<i64> {
    a.parity
        .iter()
        .filter(|r| keys.contains(&r.key))
        .flat_map(|r| r.claim_ids())
        .collect()
}

/// `SWE-bench Verified: closed X at 78.8% against open Y at 75.8%, 3.0 points (3.8%) behind [n].`
fn row_state(r: &ParityRow, labels: &Labels, citer: &mut Citer<'_>) -> Line {
    let mut s = Sentence::default().t(format!("{}: ", prose::row(&r.key)));
    match (best(&r.incumbent), best(&r.challenger), r.gap) {
        (Some(i), Some(c), Some(g)) => {
            s = s.t(format!(
                "{} {} against {} {}",
                labels.incumbent,
                prose::entry(i),
                labels.challenger,
                prose::entry(c)
            ));
            s = s.t(if g.points < 0.0 {
                format!(
                    ", {} ahead by {}",
                    labels.challenger,
                    prose::gap(&g, r.unit)
                )
            } else if g.points == 0.0 {
                ", level".to_owned()
            } else {
                format!(", {} behind", prose::gap(&g, r.unit))
            });
        }
        (Some(e), None, _) | (None, Some(e), _) => {
            let cohort = if r.incumbent.is_some() {
                Cohort::Incumbent
            } else {
                Cohort::Challenger
            };
            s = s.t(format!(
                "{} {}; no {} result yet",
                labels.cohort(cohort),
                prose::entry(e),
                labels.other(cohort)
            ));
        }
        _ => s = s.t("no results yet"),
    }
    s.cite(citer, &r.claim_ids()).t(".").line()
}

fn leads_before(a: &Analysis, row: &RowKey, before: gapwatch_model::Date) -> usize {
    a.timeline
        .iter()
        .filter(|e| &e.row == row && e.kind == TimelineKind::ChallengerLeads && e.date < before)
        .count()
}

fn change_bullet(
    cs: &[&Change],
    a: &Analysis,
    labels: &Labels,
    input: &DigestInput<'_>,
    citer: &mut Citer<'_>,
) -> Line {
    let margin = input.story.parity.describe();
    let lead = cs[0];
    let gap_moved = cs.iter().find_map(|c| match c {
        Change::GapMoved { before, after, .. } => Some((*before, *after)),
        _ => None,
    });
    let row = lead.row().cloned();
    let current = row
        .as_ref()
        .and_then(|k| a.parity.iter().find(|r| &r.key == k));
    let unit = current.map_or(Unit::Percent, |r| r.unit);
    let s = Sentence::default();
    match lead {
        Change::ParityFlip {
            row,
            flip,
            incumbent,
            challenger,
            gap,
        } => {
            let name = prose::row(row);
            let ids = [incumbent.claim_id, challenger.claim_id];
            match flip {
                Flip::ChallengerLeads => {
                    let first = leads_before(a, row, input.analysis.as_of) <= 1;
                    s.t(format!(
                        "{} now leads {name} at {}, ahead of {} at {}",
                        prose::subject(challenger),
                        prose::value(challenger.value, unit),
                        prose::subject(incumbent),
                        prose::value(incumbent.value, unit)
                    ))
                    .cite(citer, &ids)
                    .t(if first {
                        format!(": the first {} lead on this benchmark.", labels.challenger)
                    } else {
                        format!(": {} models lead it again.", labels.challenger)
                    })
                    .line()
                }
                Flip::ParityReached => s
                    .t(format!(
                        "{name} reaches parity: {} is {} behind {}",
                        prose::entry(challenger),
                        prose::gap(gap, unit),
                        prose::entry(incumbent)
                    ))
                    .cite(citer, &ids)
                    .t(format!(", within the {margin} margin."))
                    .line(),
                Flip::ParityLost => s
                    .t(format!(
                        "{name} falls out of parity: {} leads {} by {}",
                        prose::entry(incumbent),
                        prose::entry(challenger),
                        prose::gap(gap, unit)
                    ))
                    .cite(citer, &ids)
                    .t(format!(", beyond the {margin} margin."))
                    .line(),
                Flip::IncumbentBack => s
                    .t(format!(
                        "{} retakes {name} from {}, ahead by {}",
                        prose::entry(incumbent),
                        prose::subject(challenger),
                        prose::gap(gap, unit)
                    ))
                    .cite(citer, &ids)
                    .t(format!(": the {} lead there is over.", labels.challenger))
                    .line(),
            }
        }
        Change::NewLeader {
            row,
            cohort,
            new,
            old,
            record,
            ..
        } => {
            let name = prose::row(row);
            let mut s = s.t(match (old, record) {
                (Some(old), true) if old.evaluator != new.evaluator => format!(
                    "{} is now the {} best on {name}, above {}: the row is now compared on {}",
                    prose::entry(new),
                    labels.cohort(*cohort),
                    prose::entry(old),
                    prose::basis_plural(new.evaluator)
                ),
                (Some(old), true) => format!(
                    "{} sets the {} best on {name}, passing {}",
                    prose::entry(new),
                    labels.cohort(*cohort),
                    prose::entry(old)
                ),
                // Lower than before: the earlier best no longer counts (another basis or
                // class took over, its source changed it, or it went out of the window).
                (Some(old), false) if old.evaluator != new.evaluator => format!(
                    "{} is now the {} best on {name}, in place of {}: the row is now compared on {}",
                    prose::entry(new),
                    labels.cohort(*cohort),
                    prose::entry(old),
                    prose::basis_plural(new.evaluator)
                ),
                (Some(old), false) => format!(
                    "{} is now the {} best on {name}, in place of {}",
                    prose::entry(new),
                    labels.cohort(*cohort),
                    prose::entry(old)
                ),
                (None, _) => format!(
                    "{} gives {name} its first {} result",
                    prose::entry(new),
                    labels.cohort(*cohort)
                ),
            });
            s = s.cite(citer, &[new.claim_id]);
            // A rating row read from another leaderboard than before: ratings of two boards
            // are not one scale, so the reader is told the board changed.
            if let Some(old) = old
                && unit == Unit::Elo
                && old.source_id != new.source_id
            {
                s = s.t(format!(
                    " (rated on {}; the earlier best on {})",
                    source_name(input, &new.source_id),
                    source_name(input, &old.source_id)
                ));
            }
            // A maker's own figure nobody else reports is a claim, not yet a finding.
            let lone = |e: &Entry| is_lone_maker_figure(e, current);
            // The other side moved too: say so, since the gap is both sides' doing.
            let other = cs.iter().find_map(|c| match c {
                Change::NewLeader {
                    cohort: other,
                    new: other_new,
                    record,
                    ..
                } if other != cohort => Some((*other, other_new, *record)),
                _ => None,
            });
            let both_lone = lone(new) && other.is_some_and(|(_, o, _)| lone(o));
            if lone(new) && !both_lone {
                s = s.t(" (its maker's own figure, unconfirmed)");
            }
            if let Some((other, other_new, record)) = other {
                s = s
                    .t(format!(
                        "; {} {} the {} best",
                        prose::entry(other_new),
                        if record { "sets" } else { "is now" },
                        labels.cohort(other)
                    ))
                    .cite(citer, &[other_new.claim_id]);
                if both_lone {
                    s = s.t(" (both their makers' own figures, unconfirmed)");
                } else if lone(other_new) {
                    s = s.t(" (its maker's own figure, unconfirmed)");
                }
            }
            s.t(consequence(current, gap_moved, labels)).line()
        }
        Change::GapMoved {
            row,
            before,
            after,
            claim_ids,
        } => Sentence::default()
            .t(format!(
                "The {} gap {} from {} to {}",
                prose::row(row),
                if after.points < before.points {
                    "narrows"
                } else {
                    "widens"
                },
                prose::amount(before.points, unit),
                prose::amount(after.points, unit)
            ))
            .cite(citer, claim_ids)
            .t(".")
            .line(),
        Change::Comparability {
            row,
            after,
            claim_ids,
            ..
        } => {
            let name = prose::row(row);
            let s = match after {
                None => s.t(format!("{name} can be compared like for like again")),
                Some(NotComparable::Stale { cohort, since }) => {
                    // Which kind of evidence stopped: another kind may still be arriving.
                    let basis = current
                        .and_then(|r| match cohort {
                            Cohort::Incumbent => r.incumbent.as_ref(),
                            Cohort::Challenger => r.challenger.as_ref(),
                        })
                        .map(|side| format!(" among {}", prose::basis_plural(side.basis)))
                        .unwrap_or_default();
                    s.t(format!(
                        "{} results on {name}{basis} have stopped arriving: the newest is from {}",
                        prose::capitalized(labels.cohort(*cohort)),
                        prose::month(*since)
                    ))
                }
                Some(NotComparable::Dormant { since }) => s.t(format!(
                    "Neither side of {name} has a result newer than {}",
                    prose::month(*since)
                )),
                Some(other) => s.t(format!(
                    "{name} cannot be compared like for like: {}",
                    prose::not_comparable(other, labels)
                )),
            };
            s.cite(citer, claim_ids)
                .t(if after.is_none() {
                    "; it counts toward the headline again."
                } else {
                    "; it no longer counts toward the headline."
                })
                .line()
        }
        Change::NewRow { .. } | Change::FirstVersion { .. } => match current {
            Some(r) => {
                let mut line = row_state(r, labels, citer);
                line.insert(0, text("First results: "));
                line
            }
            None => vec![text("A new comparison has results.")],
        },
        Change::ForecastChanged {
            question,
            margin,
            before,
            after,
            claim_ids,
            ..
        } => {
            let s = s.t(format!(
                "\u{201c}{question}\u{201d}, read as within {}, is now {}",
                prose::margin(margin),
                prose::verdict(after)
            ));
            let s = match before {
                Some(b) => s.t(format!(" (was {})", prose::verdict(b))),
                None => s,
            };
            s.cite(citer, claim_ids).t(".").line()
        }
        Change::MedianLagMoved {
            before,
            after,
            benchmarks_after,
            joined,
            left,
            same_rows,
            moved,
            claim_ids,
            ..
        } => {
            let what = format!(
                "the {} frontier reached today's best {} level",
                labels.incumbent, labels.challenger
            );
            let mut s = match (before, after) {
                (Some(b), Some(a)) => s.t(format!(
                    "The median lag moves from {} to {}, across {}",
                    prose::months(*b),
                    prose::months(*a),
                    prose::count(*benchmarks_after, "benchmark", "benchmarks")
                )),
                (None, Some(a)) => s.t(format!(
                    "A median lag can now be measured: {what} {} earlier, across {}",
                    prose::months(*a),
                    prose::count(*benchmarks_after, "benchmark", "benchmarks")
                )),
                (Some(b), None) => s.t(format!(
                    "No lag can be measured any more (it was {})",
                    prose::months(*b)
                )),
                (None, None) => s,
            };
            s = s.cite(citer, claim_ids);
            let names = |rows: &[RowKey]| -> Vec<String> { rows.iter().map(prose::row).collect() };
            let mut why = Vec::new();
            if !left.is_empty() {
                why.push(format!("{} left the set", prose::join(&names(left))));
            }
            if !joined.is_empty() {
                why.push(format!("{} joined it", prose::join(&names(joined))));
            }
            if !why.is_empty() {
                s = s.t(format!(": {}", why.join(", and ")));
            }
            // The same move on the benchmarks in both versions says the move is real, not
            // the set's doing.
            let same_move = matches!((before, after, same_rows),
                (Some(b), Some(a), Some((sb, sa))) if (b - sb).abs() < 0.05 && (a - sa).abs() < 0.05);
            // The rows whose own lag moved say what moved the median.
            let moves: Vec<String> = moved
                .iter()
                .take(2)
                .map(|m| {
                    format!(
                        "{}'s own lag went from {} to {}",
                        prose::row(&m.row),
                        prose::months(m.before),
                        prose::months(m.after)
                    )
                })
                .collect();
            if !moves.is_empty() {
                s = s.t(format!(
                    "{}{}",
                    if why.is_empty() { ": " } else { ", and " },
                    prose::join(&moves)
                ));
            } else if why.is_empty() {
                // The set is the same: the median's move is the benchmarks' own.
            } else if same_move {
                s = s.t(", and the benchmarks in both versions move the same way");
            } else if let Some((b, a)) = same_rows {
                s = s.t(if (a - b).abs() < 0.05 {
                    format!(
                        "; on the benchmarks in both versions it is unchanged, at {}",
                        prose::months(*a)
                    )
                } else {
                    format!(
                        "; on the benchmarks in both versions it moves from {} to {}",
                        prose::months(*b),
                        prose::months(*a)
                    )
                });
            }
            s.t(".").line()
        }
        Change::TensionAppeared { tension } => {
            let mut line = tension_line(tension, labels, input, citer);
            line.insert(
                0,
                text(match tension.kind {
                    TensionKind::ImpossibleDate => "Date flagged: ",
                    TensionKind::AccessFlagVsRegistry => "Access in question: ",
                    TensionKind::SourcesDisagree | TensionKind::SelfReportedVsThirdParty => {
                        "New disagreement: "
                    }
                }),
            );
            line
        }
        Change::PerspectiveChanged {
            perspective_id,
            actor,
            before,
            after,
            claim_ids,
        } => crate::perspectives::change_line(
            perspective_id,
            actor,
            *before,
            *after,
            claim_ids,
            input,
            citer,
        ),
        Change::TensionSettled { tension } => Sentence::default()
            .t(format!(
                "Settled: the sources no longer disagree on {}{}",
                tension.subject,
                tension
                    .row
                    .as_ref()
                    .map(|r| format!(" on {}", prose::row(r)))
                    .unwrap_or_default()
            ))
            .cite(citer, &tension.claim_ids())
            .t(".")
            .line(),
    }
}

/// What a new best does to its row, as the end of a sentence.
fn consequence(
    row: Option<&ParityRow>,
    moved: Option<(gapwatch_analysis::Gap, gapwatch_analysis::Gap)>,
    labels: &Labels,
) -> String {
    let Some(r) = row else {
        return ".".to_owned();
    };
    let Some(g) = r.gap else {
        return format!(
            "; there is no {} result to compare with yet.",
            if r.incumbent.is_none() {
                &labels.incumbent
            } else {
                &labels.challenger
            }
        );
    };
    if !r.comparable {
        let reason = r.not_comparable().unwrap_or(NotComparable::NoResults);
        return format!(
            "; the row cannot be compared yet ({}).",
            prose::not_comparable(&reason, labels)
        );
    }
    match moved {
        Some((before, after)) => format!(
            "; the gap {} from {} to {}.",
            if after.points < before.points {
                "narrows"
            } else {
                "widens"
            },
            prose::amount(before.points, r.unit),
            prose::amount(after.points, r.unit)
        ),
        None if g.points < 0.0 => format!(
            "; {} models lead by {}.",
            labels.challenger,
            prose::gap(&g, r.unit)
        ),
        None => format!("; the gap is now {}.", prose::amount(g.points, r.unit)),
    }
}

// ------------------------------------------------------------------------------------ What

/// Rows counted in a sentence: named when one or two, else their number; `none` for none.
fn few_by_name(rows: &[RowKey]) -> String {
    match rows.len() {
        0 => "none".to_owned(),
        1 | 2 => prose::join(&rows.iter().map(prose::row).collect::<Vec<_>>()),
        n => n.to_string(),
    }
}

fn what(input: &DigestInput<'_>, labels: &Labels, citer: &mut Citer<'_>) -> Section {
    let a = input.analysis;
    let s = &a.summary;
    let total = headline(a).count();
    let mut blocks = Vec::new();
    let mut p = Sentence::default().t(format!("As of {}, ", a.as_of));
    if s.comparable.is_empty() {
        p = p.t(format!(
            "none of the {} can be compared like for like yet.",
            prose::count(total, "headline benchmark", "headline benchmarks")
        ));
    } else {
        p = p
            .t(format!(
                "{} of the {} can be compared: both sides under the same settings, on the same kind of evidence, and each with results from the last year. On those, {} models lead on {}",
                s.comparable.len(),
                prose::count(total, "headline benchmark", "headline benchmarks"),
                labels.challenger,
                few_by_name(&s.challenger_leads)
            ))
            .cite(citer, &row_claims(a, &s.challenger_leads))
            .t(format!(
                ", are within {} on {}",
                input.story.parity.describe(),
                few_by_name(&s.at_parity)
            ))
            .cite(citer, &row_claims(a, &s.at_parity))
            .t(format!(" and trail on {}", few_by_name(&s.behind)))
            .cite(citer, &row_claims(a, &s.behind))
            .t(".");
        // Widest relative to the closed score: ratings have no such measure.
        let mut widest: Vec<&ParityRow> = headline(a)
            .filter(|r| r.comparable && r.unit != Unit::Elo)
            .filter(|r| r.gap.is_some_and(|g| g.points > 0.0))
            .collect();
        widest.sort_by(|x, y| {
            let gx = x.gap.map_or(0.0, |g| g.relative_percent);
            let gy = y.gap.map_or(0.0, |g| g.relative_percent);
            gy.total_cmp(&gx)
        });
        if !widest.is_empty() {
            p = p.t(" The widest gaps are on ");
            for (n, r) in widest.iter().take(3).enumerate() {
                if n > 0 {
                    p = p.t(if n + 1 == widest.len().min(3) {
                        " and "
                    } else {
                        ", "
                    });
                }
                p = p
                    .t(format!(
                        "{} ({})",
                        prose::row(&r.key),
                        prose::amount(r.gap.map_or(0.0, |g| g.points), r.unit)
                    ))
                    .cite(citer, &r.claim_ids());
            }
            p = p.t(".");
        }
    }
    // Rows whose two bests are systems on different agents.
    let agents: Vec<String> = headline(a)
        .filter(|r| r.comparable)
        .filter(|r| match (&r.incumbent, &r.challenger) {
            (Some(i), Some(c)) => {
                matches!((&i.best.system, &c.best.system), (Some(x), Some(y)) if x != y)
            }
            _ => false,
        })
        .map(|r| prose::row(&r.key))
        .collect();
    if !agents.is_empty() {
        p = p.t(format!(
            " On {} the two sides' bests run on different agents, so the gap is the systems', not the models' alone.",
            prose::join(&agents)
        ));
    }
    // Another split of a headline benchmark that tells it otherwise (a board where every
    // model runs with the same agent, say): the reader should not have to find it.
    for (h, r) in headline(a).filter(|h| h.comparable).flat_map(|h| {
        a.parity
            .iter()
            .filter(move |r| {
                r.key.role == RowRole::Split
                    && r.key.benchmark == h.key.benchmark
                    && r.comparable
                    // Only independent runs are solid enough to tell a headline otherwise.
                    && [&r.incumbent, &r.challenger]
                        .into_iter()
                        .all(|side| side.as_ref().is_some_and(|x| x.basis == Evaluator::ThirdParty))
                    && (r.parity != h.parity || r.challenger_leads != h.challenger_leads)
            })
            .map(move |r| (h, r))
    }) {
        let (Some(i), Some(c), Some(g)) = (&r.incumbent, &r.challenger, r.gap) else {
            continue;
        };
        let verdict = if r.challenger_leads {
            format!("{} models lead", labels.challenger)
        } else if r.parity == Some(true) {
            format!(
                "{} models are within {}",
                labels.challenger,
                input.story.parity.describe()
            )
        } else {
            format!("{} models trail beyond the margin", labels.challenger)
        };
        let models = |e: &Entry| {
            format!(
                "{} at {}",
                e.models.join(" + "),
                prose::value(e.value, r.unit)
            )
        };
        let told = match (&c.best.system, &i.best.system) {
            // One agent on both sides: the models are what differs.
            (Some(x), Some(y)) if x == y && !c.best.models.is_empty() => format!(
                " On {}, where both sides run on {x}, {verdict}: {} against {}, {}",
                prose::row(&r.key),
                models(&c.best),
                models(&i.best),
                prose::standing(g.points, r.unit, labels)
            ),
            _ => format!(
                " On {}, unlike {}, {verdict}: {} against {}, {}",
                prose::row(&r.key),
                prose::row(&h.key),
                prose::entry(&c.best),
                prose::entry(&i.best),
                prose::standing(g.points, r.unit, labels)
            ),
        };
        p = p.t(told).cite(citer, &r.claim_ids()).t(".");
    }
    if let Some(lag) = &a.median_lag {
        let ids: Vec<i64> = a
            .parity
            .iter()
            .filter(|r| lag.rows.contains(&r.key))
            .filter_map(|r| r.lag.as_ref())
            .flat_map(|l| l.claim_ids.iter().copied())
            .collect();
        p = p
            .t(format!(
                " Where a lag can be measured ({}), the {} frontier reached today's best {} level a median of {}{} earlier",
                prose::count(lag.benchmarks, "benchmark", "benchmarks"),
                labels.incumbent,
                labels.challenger,
                if lag.approximate { "about " } else { "" },
                prose::months(lag.months)
            ))
            .cite(citer, &ids);
        p = match lag.mean_months {
            Some(m) => p.t(format!(
                "; averaged over every score both frontiers have reached, the median lag is {}.",
                prose::months(m)
            )),
            None => p.t("."),
        };
    }
    if !s.not_comparable.is_empty() {
        // (plural verb phrase, singular) -> rows
        let mut reasons: BTreeMap<(&str, &str), Vec<String>> = BTreeMap::new();
        for (key, n) in &s.not_comparable {
            reasons
                .entry(match n {
                    NotComparable::NoResults => ("have no results yet", "has no results yet"),
                    NotComparable::MissingCohort { .. } => ("lack one side", "lacks one side"),
                    NotComparable::BasesDiffer { .. } => (
                        "set a lab's figure against an independent run",
                        "sets a lab's figure against an independent run",
                    ),
                    NotComparable::BoardsDiffer { .. } => (
                        "rate their two sides on different leaderboards",
                        "rates its two sides on different leaderboards",
                    ),
                    NotComparable::Stale { .. } => (
                        "have a side that stopped being measured",
                        "has a side that stopped being measured",
                    ),
                    NotComparable::Dormant { .. } => (
                        "have not been measured on either side for over a year",
                        "has not been measured on either side for over a year",
                    ),
                })
                .or_default()
                .push(prose::row(key));
        }
        let parts: Vec<String> = reasons
            .iter()
            .map(|((plural, singular), names)| {
                format!(
                    "{} {}",
                    prose::join(names),
                    if names.len() == 1 { singular } else { plural }
                )
            })
            .collect();
        p = p.t(format!(" Not counted: {}.", parts.join("; ")));
    }
    blocks.push(paragraph(p.line()));
    section("what", "What", blocks)
}

// --------------------------------------------------------------------------- Why it matters

fn why_it_matters(input: &DigestInput<'_>, labels: &Labels, citer: &mut Citer<'_>) -> Section {
    let a = input.analysis;
    let mut blocks = Vec::new();
    for f in &a.forecasts {
        // Every reading open and held back by the same one benchmark: one clause says it.
        fn lone_blocker(
            r: &gapwatch_analysis::ReadingVerdict,
        ) -> Option<(&gapwatch_analysis::BenchmarkCheck, &RowKey, f64)> {
            let blockers: Vec<&gapwatch_analysis::BenchmarkCheck> = r
                .per_benchmark
                .iter()
                .filter(|c| c.met != Some(true))
                .collect();
            match blockers.as_slice() {
                [c] if r.verdict == Verdict::Open && c.caveat.is_none() => c
                    .row
                    .as_ref()
                    .zip(c.shortfall)
                    .map(|(k, short)| (*c, k, short)),
                _ => None,
            }
        }
        let lone: Vec<_> = f.readings.iter().map(lone_blocker).collect();
        if let Some(Some((c0, k, _))) = lone.first().copied()
            && f.readings.len() > 1
            && lone
                .iter()
                .all(|b| b.is_some_and(|(_, other, _)| other == k))
        {
            let shorts: Vec<String> = f
                .readings
                .iter()
                .zip(&lone)
                .filter_map(|(r, b)| {
                    b.map(|(c, _, short)| {
                        format!(
                            "{} short read as within {}",
                            prose::amount(short, c.unit),
                            prose::margin(&r.margin)
                        )
                    })
                })
                .collect();
            let ids: Vec<i64> = [&c0.incumbent, &c0.challenger]
                .into_iter()
                .flatten()
                .map(|e| e.claim_id)
                .collect();
            let p = Sentence::default()
                .t(format!(
                    "For \u{201c}{}\u{201d}: still open, and only {} stands in the way, {}",
                    f.question,
                    prose::row(k),
                    prose::join(&shorts)
                ))
                .cite(citer, &ids)
                .t(".");
            blocks.push(paragraph(p.line()));
            continue;
        }
        let mut p = Sentence::default().t(format!("For \u{201c}{}\u{201d}: ", f.question));
        for (n, r) in f.readings.iter().enumerate() {
            if n > 0 {
                p = p.t("; ");
            }
            p = p.t(format!(
                "read as within {}, it is {}",
                prose::margin(&r.margin),
                prose::verdict(&r.verdict)
            ));
            let blockers: Vec<&gapwatch_analysis::BenchmarkCheck> = r
                .per_benchmark
                .iter()
                .filter(|c| c.met != Some(true))
                .collect();
            if r.verdict == Verdict::Open && !blockers.is_empty() {
                let names: Vec<String> = blockers
                    .iter()
                    .map(|c| match (&c.row, c.shortfall) {
                        (Some(k), Some(short)) => match &c.caveat {
                            Some(caveat) => format!(
                                "{} ({} short, {})",
                                prose::row(k),
                                prose::amount(short, c.unit),
                                prose::not_comparable_short(caveat, labels)
                            ),
                            None => format!(
                                "{} ({} short)",
                                prose::row(k),
                                prose::amount(short, c.unit)
                            ),
                        },
                        (Some(k), None) => {
                            format!("{} (not measured on both sides)", prose::row(k))
                        }
                        (None, _) => c.benchmark.clone(),
                    })
                    .collect();
                p = p.t(format!(", held back by {}", prose::join(&names)));
                let ids: Vec<i64> = blockers
                    .iter()
                    .flat_map(|c| [&c.incumbent, &c.challenger])
                    .flatten()
                    .map(|e| e.claim_id)
                    .collect();
                p = p.cite(citer, &ids);
            } else {
                p = p.cite(citer, &r.deciding_claim_ids);
            }
        }
        blocks.push(paragraph(p.t(".").line()));
    }
    let s = &a.summary;
    let ahead: Vec<&ParityRow> = headline(a)
        .filter(|r| s.challenger_leads.contains(&r.key) || s.at_parity.contains(&r.key))
        .collect();
    let behind: Vec<&ParityRow> = headline(a).filter(|r| s.behind.contains(&r.key)).collect();
    if !ahead.is_empty() || !behind.is_empty() {
        let mut p = Sentence::default().t(format!(
            "For teams choosing between {} and {} models: ",
            labels.challenger, labels.incumbent
        ));
        if !ahead.is_empty() {
            let names: Vec<String> = ahead.iter().map(|r| prose::row(&r.key)).collect();
            p = p
                .t(format!(
                    "{} models are at parity or ahead on {}",
                    labels.challenger,
                    prose::join(&names)
                ))
                .cite(
                    citer,
                    &ahead.iter().flat_map(|r| r.claim_ids()).collect::<Vec<_>>(),
                );
        }
        if !behind.is_empty() {
            let (mut low, mut high) = (f64::INFINITY, f64::NEG_INFINITY);
            for g in behind
                .iter()
                .filter(|r| r.unit != Unit::Elo)
                .filter_map(|r| r.gap)
            {
                low = low.min(g.relative_percent);
                high = high.max(g.relative_percent);
            }
            let ratings: Vec<String> = behind
                .iter()
                .filter(|r| r.unit == Unit::Elo)
                .filter_map(|r| {
                    let g = r.gap?;
                    Some(format!(
                        "by {} on {}",
                        prose::amount(g.points, r.unit),
                        prose::row(&r.key)
                    ))
                })
                .collect();
            let scored = behind.len() - ratings.len();
            let mut parts = Vec::new();
            if scored == 1 {
                parts.push(format!(
                    "by {} of the {} score",
                    prose::percent(high),
                    labels.incumbent
                ));
            } else if scored > 1 {
                parts.push(format!(
                    "by {} to {} of the {} score",
                    prose::percent(low),
                    prose::percent(high),
                    labels.incumbent
                ));
            }
            if !ratings.is_empty() && scored > 0 {
                parts[0] = format!(
                    "{} on {}",
                    parts[0],
                    prose::count(scored, "benchmark", "benchmarks")
                );
            }
            parts.extend(ratings);
            p = p
                .t(if ahead.is_empty() { "" } else { "; " })
                .t(format!(
                    "they trail on the other {}: {}",
                    behind.len(),
                    prose::join(&parts)
                ))
                .cite(
                    citer,
                    &behind
                        .iter()
                        .flat_map(|r| r.claim_ids())
                        .collect::<Vec<_>>(),
                );
        }
        blocks.push(paragraph(p.t(".").line()));
    }
    // How solid it is.
    let mut solid = Vec::new();
    let on_basis = |b: Evaluator| -> Vec<String> {
        headline(a)
            .filter(|r| r.comparable && r.incumbent.as_ref().is_some_and(|i| i.basis == b))
            .map(|r| prose::row(&r.key))
            .collect()
    };
    let labs = on_basis(Evaluator::SelfReported);
    let independent = on_basis(Evaluator::ThirdParty);
    if !s.comparable.is_empty() {
        solid.push(format!(
            "{} of the {} comparable rows rest on independent runs on both sides",
            independent.len(),
            s.comparable.len()
        ));
        if !labs.is_empty() {
            solid.push(format!(
                "{} on labs' own figures ({})",
                labs.len(),
                prose::join(&labs)
            ));
        }
    }
    // The counts are one sentence; what is left out for mixing bases is one of its own (rows
    // left out for staleness are named in What).
    let mut solid = if solid.is_empty() {
        Vec::new()
    } else {
        vec![solid.join(", ")]
    };
    let mixed: Vec<String> = s
        .not_comparable
        .iter()
        .filter(|(_, n)| matches!(n, NotComparable::BasesDiffer { .. }))
        .map(|(k, _)| prose::row(k))
        .collect();
    if !mixed.is_empty() {
        solid.push(format!(
            "{} {} a lab's figure against an independent run and {} not counted",
            prose::capitalized(&prose::join(&mixed)),
            if mixed.len() == 1 { "sets" } else { "set" },
            if mixed.len() == 1 { "is" } else { "are" }
        ));
    }
    if !solid.is_empty() {
        blocks.push(paragraph(vec![text(format!(
            "How solid this is: {}.",
            solid.join(". ")
        ))]));
    }
    if blocks.is_empty() {
        blocks.push(paragraph(vec![text(
            "There is not yet enough comparable evidence to say what it implies.",
        )]));
    }
    section("why-it-matters", "Why it matters", blocks)
}

// --------------------------------------------------------------------------- Open questions

fn open_questions(input: &DigestInput<'_>, labels: &Labels, citer: &mut Citer<'_>) -> Section {
    let a = input.analysis;
    let mut items: Vec<Line> = Vec::new();
    // Forecasts within reach: open readings held back by one benchmark, one question per
    // forecast and benchmark, every reading it would resolve named.
    for f in &a.forecasts {
        let name = if a.forecasts.len() == 1 {
            "the forecast".to_owned()
        } else {
            format!("\u{201c}{}\u{201d}", f.question)
        };
        // benchmark -> (check, readings it alone holds back, with the value each needs)
        let mut by_bench: Vec<(&gapwatch_analysis::BenchmarkCheck, Vec<(String, f64)>)> =
            Vec::new();
        for r in &f.readings {
            if r.verdict != Verdict::Open {
                continue;
            }
            let blockers: Vec<&gapwatch_analysis::BenchmarkCheck> = r
                .per_benchmark
                .iter()
                .filter(|c| c.met != Some(true))
                .collect();
            if let [c] = blockers.as_slice()
                && let Some(needed) = c.needed
            {
                let reading = (prose::margin(&r.margin), needed);
                match by_bench
                    .iter_mut()
                    .find(|(b, _)| b.benchmark == c.benchmark)
                {
                    Some((_, readings)) => readings.push(reading),
                    None => by_bench.push((c, vec![reading])),
                }
            }
        }
        for (c, readings) in by_bench {
            let (Some(k), Some(ch)) = (&c.row, &c.challenger) else {
                continue;
            };
            let Some(&(ref first_margin, first_needed)) = readings.first() else {
                continue;
            };
            // The benchmarks already met, and the kind of evidence they rest on.
            let met: Vec<&gapwatch_analysis::BenchmarkCheck> = f
                .readings
                .iter()
                .find(|r| r.verdict == Verdict::Open)
                .map(|r| {
                    r.per_benchmark
                        .iter()
                        .filter(|m| m.met == Some(true))
                        .collect()
                })
                .unwrap_or_default();
            let met_names: Vec<String> = met
                .iter()
                .filter_map(|m| m.row.as_ref().map(prose::row))
                .collect();
            let bases: Vec<Evaluator> = met
                .iter()
                .filter_map(|m| m.incumbent.as_ref().map(|e| e.evaluator))
                .collect();
            let met_clause = match (met_names.as_slice(), bases.first()) {
                ([], _) => format!("The rest of {name} is met already"),
                (names, Some(b)) if bases.iter().all(|x| x == b) => format!(
                    "{} {} the bar already, on {}",
                    prose::join(names),
                    if names.len() == 1 { "meets" } else { "meet" },
                    prose::basis_plural(*b)
                ),
                (names, _) => format!(
                    "{} {} the bar already",
                    prose::join(names),
                    if names.len() == 1 { "meets" } else { "meet" }
                ),
            };
            let mut s = Sentence::default().t(format!(
                "Will {} models reach {} on {}, {} above {}? {met_clause}, so that would resolve {name} as yes, read as within {first_margin}",
                labels.challenger,
                prose::value_apart_from(first_needed, ch.value, c.unit),
                prose::row(k),
                prose::amount(first_needed - ch.value, c.unit),
                prose::entry(ch),
            ));
            for (margin, needed) in readings.iter().skip(1) {
                s = s.t(format!(
                    "; {} would also resolve it read as within {margin}",
                    prose::value_apart_from(*needed, ch.value, c.unit)
                ));
            }
            let ids: Vec<i64> = [&c.incumbent, &c.challenger]
                .into_iter()
                .flatten()
                .map(|e| e.claim_id)
                .collect();
            items.push(s.cite(citer, &ids).t(".").line());
        }
    }
    // Stale sides.
    for r in headline(a) {
        for (cohort, side) in [
            (Cohort::Incumbent, &r.incumbent),
            (Cohort::Challenger, &r.challenger),
        ] {
            if let Some(side) = side.as_ref().filter(|s| s.stale) {
                items.push(
                    Sentence::default()
                        .t(format!(
                            "Will a source report {} result on {} again? The newest is from {}",
                            prose::a_cohort(labels.cohort(cohort)),
                            prose::row(&r.key),
                            prose::month(side.newest)
                        ))
                        .cite(citer, &[side.best.claim_id])
                        .t(".")
                        .line(),
                );
            }
        }
    }
    // Models of unknown access that would change a row.
    for r in headline(a) {
        for u in &r.unknown_access {
            let cohort = if u.would_lead_challenger {
                &labels.challenger
            } else {
                &labels.incumbent
            };
            // A system that names no model cannot be classified by its model: ask about it.
            let undisclosed = u.entry.system.is_some()
                && u.entry
                    .models
                    .iter()
                    .all(|m| m.ends_with("(undisclosed model)"));
            let question = match &u.entry.system {
                Some(system) if undisclosed => {
                    format!(
                        "Does {} run on {} model? It does not name its model; its {} on {}",
                        system,
                        prose::a_cohort(cohort),
                        prose::value(u.entry.value, u.entry.unit),
                        prose::row(&r.key)
                    )
                }
                _ => format!(
                    "Is {} {}? Its {} on {}",
                    prose::subject(&u.entry),
                    cohort,
                    prose::value(u.entry.value, u.entry.unit),
                    prose::row(&r.key)
                ),
            };
            items.push(
                Sentence::default()
                    .t(question)
                    .cite(citer, &[u.entry.claim_id])
                    .t(if undisclosed {
                        format!(" would lead the {cohort} side.")
                    } else {
                        format!(
                            " would lead the {cohort} side; the registry does not say who can download it."
                        )
                    })
                    .line(),
            );
        }
    }
    // Bests nobody else reports: labs' own figures first, then the widest rows.
    let mut lone: Vec<(&ParityRow, Cohort, &CohortSide)> = headline(a)
        .filter(|r| r.comparable)
        .flat_map(|r| {
            [
                (Cohort::Incumbent, r.incumbent.as_ref()),
                (Cohort::Challenger, r.challenger.as_ref()),
            ]
            .into_iter()
            .filter_map(move |(c, side)| Some((r, c, side?)))
        })
        .filter(|(_, _, side)| side.reported_by.len() == 1)
        .collect();
    lone.sort_by_key(|(r, _, side)| {
        (
            side.basis != Evaluator::SelfReported,
            std::cmp::Reverse(r.gap.map_or(0, |g| (g.points.abs() * 10.0) as i64)),
        )
    });
    // One question per row.
    let mut asked: Vec<&RowKey> = Vec::new();
    lone.retain(|(r, _, _)| {
        let new = !asked.contains(&&r.key);
        asked.push(&r.key);
        new
    });
    for (r, cohort, side) in lone.into_iter().take(2) {
        items.push(
            Sentence::default()
                .t(format!(
                    "Would another source confirm the {} best on {}, {}? Only one source, {}, reports it, as {}",
                    labels.cohort(cohort),
                    prose::row(&r.key),
                    prose::entry(&side.best),
                    source_name(input, &side.best.source_id),
                    prose::a_basis(side.best.evaluator)
                ))
                .cite(citer, &[side.best.claim_id])
                .t(".")
                .line(),
        );
    }
    let mixed: Vec<&ParityRow> = headline(a)
        .filter(|r| matches!(r.not_comparable(), Some(NotComparable::BasesDiffer { .. })))
        .collect();
    for r in mixed.iter().take(2) {
        if let (Some(i), Some(c)) = (&r.incumbent, &r.challenger) {
            items.push(
                Sentence::default()
                    .t(format!(
                        "Will {} get the same kind of evidence on both sides? Today the {} best is {} and the {} best {}",
                        prose::row(&r.key),
                        labels.incumbent,
                        prose::a_basis(i.basis),
                        labels.challenger,
                        prose::a_basis(c.basis)
                    ))
                    .cite(citer, &r.claim_ids())
                    .t(".")
                    .line(),
            );
        }
    }
    // Disagreements whose other figure would change a verdict.
    for t in a
        .tensions
        .iter()
        .filter(|t| t.touches_row && t.would_change.is_some())
        .filter(|t| t.row.as_ref().is_some_and(|r| r.role == RowRole::Headline))
        .take(2)
    {
        let mut line = vec![text("Which figure is right? ")];
        line.extend(tension_line(t, labels, input, citer));
        items.push(line);
    }
    items.truncate(OPEN_QUESTIONS);
    let blocks = if items.is_empty() {
        vec![paragraph(vec![text(
            "None stands out: every comparable row has fresh evidence of one kind on both sides.",
        )])]
    } else {
        vec![bullets(items)]
    };
    section("open-questions", "Open questions", blocks)
}

// ------------------------------------------------------------------------------ Parity map

/// A side's cell: `GLM-4.5 70.8% [n]`.
fn side_cell(side: Option<&CohortSide>, unit: Unit, citer: &mut Citer<'_>) -> Line {
    let Some(s) = side else {
        return vec![text("no result")];
    };
    Sentence::default()
        .t(format!(
            "{} {}",
            prose::subject(&s.best),
            prose::value(s.best.value, unit)
        ))
        .cite(citer, &[s.best.claim_id])
        .line()
}

/// A result's month for a table: `Nov 2025`, or `~Nov 2025` when the source gives no date.
fn age(e: &Entry) -> String {
    let approximate = e.date_basis != gapwatch_analysis::DateBasis::Reported;
    format!(
        "{}{}",
        if approximate { "~" } else { "" },
        prose::month(e.date)
    )
}

fn short_basis(e: Evaluator) -> &'static str {
    match e {
        Evaluator::ThirdParty => "independent",
        Evaluator::SelfReported => "lab's own",
        Evaluator::Competitor => "rival lab's",
        Evaluator::Unknown => "runner unstated",
    }
}

/// The evidence column: the kind of evidence, each side's month, unstated settings.
fn evidence_cell(r: &ParityRow, labels: &Labels) -> Line {
    let (Some(i), Some(c)) = (&r.incumbent, &r.challenger) else {
        let one = r.incumbent.as_ref().or(r.challenger.as_ref());
        return vec![text(one.map_or_else(String::new, |s| {
            format!("{}, {}", short_basis(s.basis), age(&s.best))
        }))];
    };
    let mut parts = vec![if i.basis == c.basis {
        format!(
            "{}; {} / {}",
            short_basis(i.basis),
            age(&i.best),
            age(&c.best)
        )
    } else {
        format!(
            "{} {} ({}) / {} {} ({})",
            labels.incumbent,
            short_basis(i.basis),
            age(&i.best),
            labels.challenger,
            short_basis(c.basis),
            age(&c.best)
        )
    }];
    let mut unstated: Vec<String> = i
        .unstated
        .iter()
        .chain(&c.unstated)
        .map(|k| prose::setting_key(k))
        .collect();
    unstated.sort();
    unstated.dedup();
    if !unstated.is_empty() {
        parts.push(format!("{} unstated", prose::join(&unstated)));
    }
    // Systems built on different agents compare the agents as much as the models.
    if let (Some(a), Some(b)) = (&i.best.system, &c.best.system)
        && a != b
    {
        parts.push("different agents".to_owned());
    }
    vec![text(parts.join("; "))]
}

fn parity_cells(r: &ParityRow, labels: &Labels, citer: &mut Citer<'_>) -> Vec<Line> {
    let gap = match r.gap {
        None => vec![text("—")],
        // A stale side's figure is not a gap today: no number that reads like one.
        Some(_) if matches!(r.not_comparable(), Some(NotComparable::Stale { .. })) => {
            vec![text("not compared")]
        }
        Some(g) if g.points < 0.0 => vec![text(format!(
            "{} ahead by {}",
            labels.challenger,
            prose::amount(g.points, r.unit)
        ))],
        Some(g) => vec![text(prose::amount(g.points, r.unit))],
    };
    let parity = match (r.not_comparable(), r.parity, r.challenger_leads) {
        (None, _, true) => format!("{} lead", labels.challenger),
        (None, Some(true), _) => "yes".to_owned(),
        (None, _, _) => "no".to_owned(),
        (Some(NotComparable::NoResults), _, _) => "—".to_owned(),
        (Some(n), _, _) => prose::not_comparable_short(&n, labels),
    };
    let lag = match &r.lag {
        Some(l) if r.comparable && l.months < 0.0 => {
            vec![text(format!("none: {} got there first", labels.challenger))]
        }
        // Dates borrowed from releases or observations do not tell days apart.
        Some(l) if r.comparable && l.approximate && l.months < 1.0 => {
            vec![text("about the same time")]
        }
        Some(l) if r.comparable => vec![text(format!(
            "{}{}",
            if l.approximate { "~" } else { "" },
            prose::months(l.months)
        ))],
        _ => vec![text("—")],
    };
    vec![
        vec![text(prose::row(&r.key))],
        side_cell(r.incumbent.as_ref(), r.unit, citer),
        side_cell(r.challenger.as_ref(), r.unit, citer),
        gap,
        vec![text(parity)],
        lag,
        evidence_cell(r, labels),
    ]
}

fn parity_headers(input: &DigestInput<'_>) -> Vec<String> {
    vec![
        "Benchmark".into(),
        format!("Best {}", prose::in_sentence(&input.story.incumbent.label)),
        format!("Best {}", prose::in_sentence(&input.story.challenger.label)),
        "Gap".into(),
        "Parity?".into(),
        "Lag".into(),
        "Evidence".into(),
    ]
}

fn parity_map(input: &DigestInput<'_>, labels: &Labels, citer: &mut Citer<'_>) -> Section {
    let a = input.analysis;
    let mut rows = Vec::new();
    let mut empty = Vec::new();
    // Rows a side of which stopped being measured say nothing about now: What names them,
    // the appendix shows them.
    let mut gone = Vec::new();
    for r in headline(a) {
        if r.incumbent.is_none() && r.challenger.is_none() {
            empty.push(prose::row(&r.key));
            continue;
        }
        if matches!(
            r.not_comparable(),
            Some(NotComparable::Stale { .. } | NotComparable::Dormant { .. })
        ) {
            gone.push(prose::row(&r.key));
            continue;
        }
        rows.push(parity_cells(r, labels, citer));
    }
    let mut blocks = vec![paragraph(vec![text(format!(
        "Parity: within {}. Lag: how much earlier the {} frontier reached the best {} score. Evidence: who ran the tests; the month of each side's best (~: estimated, the source gives none).",
        input.story.parity.describe(),
        labels.incumbent,
        labels.challenger
    ))])];
    blocks.push(Block::Table {
        headers: parity_headers(input),
        rows,
    });
    let mut notes: Vec<String> = Vec::new();
    if !empty.is_empty() {
        notes.push(format!("No results yet for {}.", prose::join(&empty)));
    }
    let others = a
        .parity
        .iter()
        .filter(|r| {
            r.key.role != RowRole::Headline && (r.incumbent.is_some() || r.challenger.is_some())
        })
        .count();
    match (gone.is_empty(), others) {
        (true, 0) => {}
        (true, n) => notes.push(format!(
            "Other splits, sub-scores and settings ({}) are in the appendix.",
            prose::count(n, "row", "rows")
        )),
        (false, 0) => notes.push(format!(
            "In the appendix: {}, whose results stopped arriving.",
            prose::join(&gone)
        )),
        (false, n) => notes.push(format!(
            "In the appendix: {}, whose results stopped arriving, and other splits, sub-scores and settings ({}).",
            prose::join(&gone),
            prose::count(n, "row", "rows")
        )),
    }
    let cov = &a.coverage;
    let unresolved: u64 = cov.unresolved.values().sum();
    if unresolved > 0 || cov.unknown_access > 0 {
        notes.push(format!(
            "Not counted: {} for {} the registry lacks, and {} for models whose access is unknown.",
            prose::count(unresolved as usize, "result", "results"),
            prose::count(cov.unresolved.len(), "name", "names"),
            cov.unknown_access
        ));
    }
    if !notes.is_empty() {
        blocks.push(paragraph(vec![text(notes.join(" "))]));
    }
    section("parity-map", "Parity map", blocks)
}

// ------------------------------------------------------------------------------- Forecasts

fn forecasts(input: &DigestInput<'_>, labels: &Labels, citer: &mut Citer<'_>) -> Section {
    let mut blocks = Vec::new();
    for f in &input.analysis.forecasts {
        let deadline = f.deadline.to_string();
        let question = if f.question.contains(&deadline) {
            format!("\u{201c}{}\u{201d}", f.question)
        } else {
            format!("\u{201c}{}\u{201d} (deadline {deadline})", f.question)
        };
        blocks.push(paragraph(vec![text(question)]));
        let mut items = Vec::new();
        for r in &f.readings {
            let mut s = Sentence::default().t(format!(
                "Within {}: {}. ",
                prose::margin(&r.margin),
                prose::verdict(&r.verdict)
            ));
            for (n, c) in r.per_benchmark.iter().enumerate() {
                if n > 0 {
                    s = s.t("; ");
                }
                let name = c
                    .row
                    .as_ref()
                    .map_or_else(|| c.benchmark.clone(), prose::row);
                let state = match (c.met, c.gap, c.shortfall, c.needed) {
                    (Some(true), Some(g), _, _) if g.points < 0.0 => {
                        format!(
                            "{name}: {} ahead by {}",
                            labels.challenger,
                            prose::amount(g.points, c.unit)
                        )
                    }
                    (Some(true), Some(g), _, _) => {
                        format!("{name}: within, {} behind", prose::amount(g.points, c.unit))
                    }
                    (Some(false), _, Some(short), Some(needed)) => format!(
                        "{name}: {} short, needs {}",
                        prose::amount(short, c.unit),
                        prose::value_apart_from(
                            needed,
                            c.challenger.as_ref().map_or(needed, |e| e.value),
                            c.unit
                        )
                    ),
                    _ if c.row.is_none() => format!("{name}: not tracked by this story"),
                    _ => format!("{name}: not measured on both sides"),
                };
                s = s.t(state);
                if let Some(caveat) = &c.caveat {
                    s = s.t(format!(", {}", prose::not_comparable(caveat, labels)));
                }
                let ids: Vec<i64> = [&c.incumbent, &c.challenger]
                    .into_iter()
                    .flatten()
                    .map(|e| e.claim_id)
                    .collect();
                s = s.cite(citer, &ids);
            }
            items.push(s.t(".").line());
        }
        blocks.push(bullets(items));
    }
    if blocks.is_empty() {
        blocks.push(paragraph(vec![text("This story declares no forecasts.")]));
    }
    section("forecasts", "Forecasts", blocks)
}

// -------------------------------------------------------------------------------- Timeline

fn turning_point_score(e: &TimelineEvent) -> u32 {
    match e.kind {
        TimelineKind::ChallengerLeads if e.first_time => 100,
        TimelineKind::ChallengerLeads => 70,
        TimelineKind::ParityReached => 80,
        TimelineKind::IncumbentLeads => 65,
        TimelineKind::ParityLost => 60,
        TimelineKind::FirstCohortResult if e.cohort == Some(Cohort::Challenger) => 35,
        TimelineKind::LeaderChange if e.record && e.cohort == Some(Cohort::Challenger) => {
            30 + e
                .gap
                .map_or(0, |g| (20.0 - g.points.abs().min(20.0)) as u32)
        }
        TimelineKind::LeaderChange if e.record => 25,
        TimelineKind::FirstData => 20,
        _ => 0,
    }
}

/// At most this many turning points per benchmark, so that one busy board does not fill
/// the timeline.
const TURNING_POINTS_PER_ROW: usize = 4;

/// The turning points: first leads, parity reached or lost, frontier records, the recent
/// ones first in importance; at most [`TURNING_POINTS`], in date order.
fn turning_points(a: &Analysis) -> Vec<&TimelineEvent> {
    let now = a.as_of.days_since_epoch();
    let recent = a
        .timeline
        .iter()
        .filter(|e| {
            e.row.role == RowRole::Headline
                && now - e.date.days_since_epoch() <= TURNING_POINT_WINDOW_DAYS
                && turning_point_score(e) > 0
        })
        .count();
    let window = if recent >= TURNING_POINTS / 2 {
        TURNING_POINT_WINDOW_DAYS
    } else {
        i64::MAX
    };
    // A new best that also flipped the lead or parity that day is told once, by the flip.
    let flips: std::collections::BTreeSet<(&RowKey, Date)> = a
        .timeline
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                TimelineKind::ChallengerLeads
                    | TimelineKind::IncumbentLeads
                    | TimelineKind::ParityReached
                    | TimelineKind::ParityLost
            )
        })
        .map(|e| (&e.row, e.date))
        .collect();
    let mut scored: Vec<(u32, usize, &TimelineEvent)> = a
        .timeline
        .iter()
        .enumerate()
        .filter(|(_, e)| e.row.role == RowRole::Headline)
        .filter(|(_, e)| now - e.date.days_since_epoch() <= window)
        .filter(|(_, e)| {
            !matches!(e.kind, TimelineKind::LeaderChange) || !flips.contains(&(&e.row, e.date))
        })
        .map(|(i, e)| {
            let age = now - e.date.days_since_epoch();
            let recency = if age <= 183 {
                70
            } else if age <= 365 {
                50
            } else if age <= 730 {
                25
            } else {
                0
            };
            let base = turning_point_score(e);
            (if base == 0 { 0 } else { base + recency }, i, e)
        })
        .filter(|(s, _, _)| *s > 0)
        .collect();
    scored.sort_by_key(|(s, i, _)| (std::cmp::Reverse(*s), std::cmp::Reverse(*i)));
    let mut per_row: BTreeMap<&RowKey, usize> = BTreeMap::new();
    scored.retain(|(_, _, e)| {
        let n = per_row.entry(&e.row).or_default();
        *n += 1;
        *n <= TURNING_POINTS_PER_ROW
    });
    scored.truncate(TURNING_POINTS);
    // A row shown must not be left at a state its later events undid: its latest lead or
    // parity change comes in, in place of the row's least important point.
    let rows: Vec<&RowKey> = scored.iter().map(|(_, _, e)| &e.row).collect();
    for row in rows {
        let latest = a.timeline.iter().enumerate().rev().find(|(_, e)| {
            &e.row == row
                && matches!(
                    e.kind,
                    TimelineKind::ChallengerLeads
                        | TimelineKind::IncumbentLeads
                        | TimelineKind::ParityReached
                        | TimelineKind::ParityLost
                )
        });
        let Some((i, e)) = latest else { continue };
        if scored.iter().any(|(_, j, _)| *j == i) {
            continue;
        }
        let weakest = scored
            .iter()
            .enumerate()
            .filter(|(_, (_, _, x))| &x.row == row)
            .min_by_key(|(_, (s, j, _))| (*s, *j))
            .map(|(k, _)| k);
        if let Some(k) = weakest {
            scored[k] = (turning_point_score(e), i, e);
        }
    }
    scored.sort_by_key(|(_, i, _)| *i);
    scored.dedup_by_key(|(_, i, _)| *i);
    scored.into_iter().map(|(_, _, e)| e).collect()
}

fn event_line(e: &TimelineEvent, labels: &Labels, margin: &str, citer: &mut Citer<'_>) -> Line {
    let name = prose::row(&e.row);
    let unit = [&e.entry, &e.incumbent, &e.challenger]
        .into_iter()
        .flatten()
        .next()
        .map_or(Unit::Percent, |x| x.unit);
    let sentence = match (e.kind, &e.entry, &e.incumbent, &e.challenger) {
        (TimelineKind::FirstData, _, i, c) => {
            let present: Vec<String> = [(Cohort::Incumbent, i), (Cohort::Challenger, c)]
                .into_iter()
                .filter_map(|(k, x)| {
                    x.as_ref()
                        .map(|x| format!("{} ({})", prose::entry(x), labels.cohort(k)))
                })
                .collect();
            format!("first result on {name}: {}", prose::join(&present))
        }
        (TimelineKind::FirstCohortResult, Some(x), _, _) => format!(
            "first {} result on {name}: {}",
            labels.cohort(e.cohort.unwrap_or(Cohort::Challenger)),
            prose::entry(x)
        ),
        (TimelineKind::LeaderChange, Some(x), _, _) => {
            let cohort = labels.cohort(e.cohort.unwrap_or(Cohort::Challenger));
            match (&e.previous, e.record) {
                (Some(p), true) => format!(
                    "{} sets the {cohort} best on {name}, passing {}",
                    prose::entry(x),
                    prose::entry(p)
                ),
                (Some(p), false) => format!(
                    "{} becomes the {cohort} best on {name} after {}'s result was revised",
                    prose::entry(x),
                    prose::subject(p)
                ),
                (None, _) => format!("{} leads the {cohort} side on {name}", prose::entry(x)),
            }
        }
        (TimelineKind::ChallengerLeads, _, Some(i), Some(c)) => format!(
            "{} leads {name}{}, ahead of {}",
            prose::entry(c),
            if e.first_time {
                " for the first time"
            } else {
                " again"
            },
            prose::entry(i)
        ),
        (TimelineKind::IncumbentLeads, _, Some(i), Some(c)) => format!(
            "{} moves back ahead of {} on {name}",
            prose::entry(i),
            prose::entry(c)
        ),
        (TimelineKind::ParityReached, _, Some(i), Some(c))
            if e.gap.is_some_and(|g| g.points == 0.0) =>
        {
            format!(
                "{} draws level with {} on {name}",
                prose::entry(c),
                prose::entry(i)
            )
        }
        (TimelineKind::ParityReached, _, Some(i), Some(c)) => format!(
            "{} comes within {margin} of {} on {name}{}",
            prose::entry(c),
            prose::entry(i),
            e.gap
                .map(|g| format!(", {} behind", prose::amount(g.points, unit)))
                .unwrap_or_default()
        ),
        (TimelineKind::ParityLost, _, Some(i), Some(c)) => format!(
            "{name} falls out of parity: {} against {}{}",
            prose::entry(i),
            prose::entry(c),
            e.gap
                .map(|g| format!(", {} apart", prose::amount(g.points, unit)))
                .unwrap_or_default()
        ),
        _ => format!("{name} changes"),
    };
    Sentence::default()
        .t(format!("{}: {sentence}", e.date))
        .cite(citer, &e.claim_ids())
        .t(".")
        .line()
}

fn timeline(input: &DigestInput<'_>, labels: &Labels, citer: &mut Citer<'_>) -> Section {
    let margin = input.story.parity.describe();
    let points = turning_points(input.analysis);
    let mut blocks = Vec::new();
    if points.is_empty() {
        blocks.push(paragraph(vec![text("No turning points yet.")]));
    } else {
        let total = input.analysis.timeline.len();
        blocks.push(paragraph(vec![text(format!(
            "Turning points on the headline comparisons: first results, leads, parity reached or lost, frontier records. All {} are in the appendix.",
            prose::count(total, "event", "events")
        ))]));
        let items = points
            .into_iter()
            .map(|e| event_line(e, labels, &margin, citer))
            .collect();
        blocks.push(bullets(items));
    }
    section("timeline", "Timeline", blocks)
}

// -------------------------------------------------------------------------------- Tensions

fn source_name(input: &DigestInput<'_>, id: &str) -> String {
    input.sources.iter().find(|s| s.id == id).map_or_else(
        || id.to_owned(),
        |m| {
            let all: Vec<&crate::SourceMeta> = input.sources.iter().collect();
            distinct_source_label(m, &all)
        },
    )
}

fn tension_line(
    t: &Tension,
    labels: &Labels,
    input: &DigestInput<'_>,
    citer: &mut Citer<'_>,
) -> Line {
    let on = t
        .row
        .as_ref()
        .map(|r| format!(" on {}", prose::row(r)))
        .unwrap_or_default();
    let name = prose::plain_name(&t.subject);
    let subject = if t.settings.is_empty() {
        name
    } else {
        let parts: Vec<String> = t
            .settings
            .iter()
            .map(|(k, v)| prose::setting(k, v))
            .collect();
        format!("{name} ({})", parts.join(", "))
    };
    let ids = t.claim_ids();
    match t.kind {
        TensionKind::SourcesDisagree | TensionKind::SelfReportedVsThirdParty => {
            let values: Vec<String> = t
                .items
                .iter()
                .map(|i| {
                    format!(
                        "{} ({}, {})",
                        i.value
                            .map_or_else(String::new, |v| prose::value(v, t.unit)),
                        source_name(input, &i.source_id),
                        prose::basis(i.evaluator)
                    )
                })
                .collect();
            let counts = t
                .items
                .first()
                .and_then(|i| i.value)
                .map(|v| prose::value(v, t.unit))
                .unwrap_or_default();
            let mut s = Sentence::default()
                .t(format!(
                    "{subject}{on}: {}; {counts} counts",
                    prose::join(&values)
                ))
                .cite(citer, &ids)
                .t(".");
            if let (Some(w), Some(row)) = (&t.would_change, &t.row) {
                let verdict = if w.challenger_leads {
                    format!(
                        "{} would lead it, ahead by {}",
                        labels.challenger,
                        prose::amount(-w.gap.points, t.unit)
                    )
                } else if w.parity {
                    format!(
                        "it would be at parity, {}",
                        prose::standing(w.gap.points, t.unit, labels)
                    )
                } else {
                    format!(
                        "it would no longer be at parity, {}",
                        prose::standing(w.gap.points, t.unit, labels)
                    )
                };
                s = s.t(format!(
                    " If {} counted on {}, {verdict}.",
                    prose::value(w.value, t.unit),
                    prose::row(row)
                ));
            }
            s.line()
        }
        TensionKind::AccessFlagVsRegistry => {
            let flags: Vec<String> = t
                .items
                .iter()
                .map(|i| {
                    format!(
                        "{} lists it as {}",
                        source_name(input, &i.source_id),
                        i.access.map_or_else(String::new, |a| a.to_string())
                    )
                })
                .collect();
            // The comparable rows whose side it stands as the best of: what the flag decides.
            let decides: Vec<String> = input
                .analysis
                .parity
                .iter()
                .filter(|r| r.comparable && r.key.role == RowRole::Headline)
                .filter_map(|r| {
                    [
                        (Cohort::Incumbent, &r.incumbent),
                        (Cohort::Challenger, &r.challenger),
                    ]
                    .into_iter()
                    .find(|(_, side)| side.as_ref().is_some_and(|s| s.best.subject == t.subject))
                    .map(|(cohort, _)| {
                        format!(
                            "the {} best on {}",
                            labels.cohort(cohort),
                            prose::row(&r.key)
                        )
                    })
                })
                .collect();
            let mut s = Sentence::default()
                .t(format!(
                    "{subject}: {}; it is counted as {}, as the registry lists it",
                    prose::join(&flags),
                    t.registry_access
                        .map_or_else(String::new, |a| a.to_string())
                ))
                .cite(citer, &ids);
            if !decides.is_empty() {
                s = s.t(format!("; it stands as {}", prose::join(&decides)));
            }
            s.t(".").line()
        }
        TensionKind::ImpossibleDate => {
            let (reported, earliest, what) = t.bound.as_ref().map_or_else(
                || (String::new(), String::new(), ""),
                |b| {
                    (
                        b.reported.to_string(),
                        b.earliest.to_string(),
                        match b.reason {
                            gapwatch_analysis::DateBoundReason::ModelRelease => {
                                "the model's release"
                            }
                            gapwatch_analysis::DateBoundReason::BenchmarkIntroduced => {
                                "the benchmark's publication"
                            }
                        },
                    )
                },
            );
            let source = t
                .items
                .first()
                .map_or_else(String::new, |i| source_name(input, &i.source_id));
            let seen = t
                .items
                .first()
                .map_or_else(String::new, |i| i.date.to_string());
            Sentence::default()
                .t(format!(
                    "{source} dates {subject}'s result{on} {reported}, before {what} ({earliest}); it counts from {seen} instead"
                ))
                .cite(citer, &ids)
                .t(".")
                .line()
        }
    }
}

fn tension_rank(t: &Tension) -> (bool, bool, u8) {
    (
        !t.touches_row,
        t.row.as_ref().is_some_and(|r| r.role != RowRole::Headline),
        match t.kind {
            TensionKind::SelfReportedVsThirdParty => 0,
            TensionKind::SourcesDisagree => 1,
            TensionKind::AccessFlagVsRegistry => 2,
            TensionKind::ImpossibleDate => 3,
        },
    )
}

fn tensions(input: &DigestInput<'_>, labels: &Labels, citer: &mut Citer<'_>) -> Section {
    let a = input.analysis;
    let mut touching: Vec<&Tension> = a.tensions.iter().filter(|t| t.touches_row).collect();
    touching.sort_by_key(|t| tension_rank(t));
    let shown = touching.len().min(TENSIONS);
    let mut blocks = Vec::new();
    if touching.is_empty() {
        blocks.push(paragraph(vec![text(format!(
            "No disagreement touches a row or a forecast. {} elsewhere are in the appendix.",
            prose::capitalized(&prose::count(
                a.tensions.len(),
                "disagreement",
                "disagreements"
            ))
        ))]));
    } else {
        blocks.push(paragraph(vec![text(format!(
            "Disagreements that touch a row's best result{}. All {} are in the appendix.",
            if touching.len() > shown {
                format!(" (the {shown} that matter most)")
            } else {
                String::new()
            },
            prose::count(a.tensions.len(), "disagreement", "disagreements")
        ))]));
        let items = touching[..shown]
            .iter()
            .map(|t| tension_line(t, labels, input, citer))
            .collect();
        blocks.push(bullets(items));
    }
    section("tensions", "Tensions", blocks)
}

// --------------------------------------------------------------------------------- Sources

/// At most this many snapshots are listed per source in Sources; all are in Evidence.
const SNAPSHOTS_LISTED: usize = 1;

pub(crate) fn sources(sources: &[CitedSource], uncited: &[(u32, String)]) -> Section {
    let mut items = Vec::new();
    let mut anchors = Vec::new();
    let mut appendix_only = Vec::new();
    let metas: Vec<&crate::SourceMeta> = sources.iter().map(|s| &s.meta).collect();
    for s in sources {
        let main: Vec<_> = s.snapshots.iter().filter(|x| x.in_main_story).collect();
        if main.is_empty() {
            appendix_only.push(format!("[{}] {}", s.number, source_label(&s.meta)));
            continue;
        }
        let mut line = vec![
            Inline::Cite {
                source: s.number,
                claims: Vec::new(),
            },
            text(format!(" {}: ", distinct_source_label(&s.meta, &metas))),
        ];
        if !s.meta.url.is_empty() {
            line.push(Inline::Link {
                text: s.meta.url.clone(),
                href: s.meta.url.clone(),
            });
            line.push(text(", "));
        }
        // The newest first: what the story rests on now.
        for (n, snap) in main.iter().rev().take(SNAPSHOTS_LISTED).enumerate() {
            if n > 0 {
                line.push(text(", "));
            }
            line.push(Inline::Link {
                text: prose::short_sha(&snap.sha256).to_owned(),
                href: format!("#snapshot-{}", snap.sha256),
            });
            line.push(text(format!(" ({})", snap.observed_on)));
        }
        if main.len() > SNAPSHOTS_LISTED {
            let more = main.len() - SNAPSHOTS_LISTED;
            line.push(text(format!(
                " and {more} earlier {}",
                if more == 1 { "snapshot" } else { "snapshots" }
            )));
        }
        line.push(text("."));
        items.push(line);
        anchors.push(format!("source-{}", s.number));
    }
    let mut blocks = vec![Block::Bullets { items, anchors }];
    let mut rest: Line = Vec::new();

    if !uncited.is_empty() {
        rest.push(text(
            "Numbered in earlier versions, not cited in this one: ",
        ));
        for (i, (n, name)) in uncited.iter().enumerate() {
            if i > 0 {
                rest.push(text(if i + 1 == uncited.len() {
                    " and "
                } else {
                    ", "
                }));
            }
            rest.push(Inline::Cite {
                source: *n,
                claims: Vec::new(),
            });
            rest.push(text(format!(" {name}")));
        }
        rest.push(text(". "));
    }
    rest.push(text(match appendix_only.len() {
        0 => "Every cited claim, with its snapshot and row, is under Evidence.".to_owned(),
        n => format!(
            "Under Evidence in the appendix: {n} more {}, cited only there, and every cited claim with its snapshot and row.",
            if n == 1 { "source" } else { "sources" }
        ),
    }));
    blocks.push(paragraph(rest));
    section("sources", "Sources", blocks)
}

/// A source for people: its publisher and, in parentheses, the file it is when its title
/// names one (`Epoch AI (benchmarks_runs.csv)`), so that one publisher's sources are told
/// apart.
fn source_label(meta: &crate::SourceMeta) -> String {
    short_source_label(meta)
}

/// A source's short label, or, where another of `all` has the same one, its publisher and
/// full title.
fn distinct_source_label(meta: &crate::SourceMeta, all: &[&crate::SourceMeta]) -> String {
    let short = short_source_label(meta);
    if all
        .iter()
        .any(|m| m.id != meta.id && short_source_label(m) == short)
    {
        // The title, without a parenthesis that only gives a path.
        match meta.title.rfind(" (") {
            Some(i) if meta.title[i..].contains('/') => meta.title[..i].to_owned(),
            _ => meta.title.clone(),
        }
    } else {
        short
    }
}

fn short_source_label(meta: &crate::SourceMeta) -> String {
    if meta.publisher.contains('(') {
        return meta.publisher.clone();
    }
    let file = meta
        .title
        .rfind('(')
        .and_then(|i| meta.title[i + 1..].strip_suffix(')'))
        .map(|inner| inner.split([',', ':']).next().unwrap_or(inner).trim())
        .map(|first| first.split(' ').next().unwrap_or(first))
        .map(|word| word.rsplit('/').next().unwrap_or(word))
        .filter(|f| f.contains('.') && !f.starts_with('.'));
    match file {
        Some(f) => format!("{} ({f})", meta.publisher),
        None => meta.publisher.clone(),
    }
}

// -------------------------------------------------------------------------------- Appendix

fn appendix_section(id: &str, title: &str, blocks: Vec<Block>) -> Section {
    Section {
        id: id.into(),
        title: title.into(),
        appendix: true,
        blocks,
    }
}

pub(crate) fn appendix(input: &DigestInput<'_>, citer: &mut Citer<'_>) -> Vec<Section> {
    let a = input.analysis;
    let labels = Labels::of(input.story);
    let margin = input.story.parity.describe();
    let mut out = Vec::new();
    // Every comparison.
    let mut headers = parity_headers(input);
    headers.push("Comparison".into());
    let rows: Vec<Vec<Line>> = a
        .parity
        .iter()
        .filter(|r| r.incumbent.is_some() || r.challenger.is_some())
        .map(|r| {
            let mut cells = parity_cells(r, &labels, citer);
            cells.push(vec![text(prose::role(r.key.role))]);
            cells
        })
        .collect();
    let mut blocks = vec![Block::Table { headers, rows }];
    let alternatives: Vec<Line> = a
        .parity
        .iter()
        .flat_map(|r| r.alternatives.iter().map(move |alt| (r, alt)))
        .map(|(r, alt)| {
            Sentence::default()
                .t(format!(
                    "{} {}: {} {} against {} {}, {}",
                    prose::row(&r.key),
                    match alt.board {
                        Some(_) => format!(
                            "rated on another leaderboard, {}",
                            prose::basis_plural(alt.basis)
                        ),
                        None => format!("on {}", prose::basis_plural(alt.basis)),
                    },
                    labels.incumbent,
                    prose::entry(&alt.incumbent.best),
                    labels.challenger,
                    prose::entry(&alt.challenger.best),
                    prose::standing(alt.gap.points, r.unit, &labels)
                ))
                .cite(
                    citer,
                    &[alt.incumbent.best.claim_id, alt.challenger.best.claim_id],
                )
                .t(alternative_caveat(alt, &labels))
                .line()
        })
        .collect();
    if !alternatives.is_empty() {
        blocks.push(paragraph(vec![text(
            "The same comparisons on other kinds of evidence, and ratings from other leaderboards:",
        )]));
        blocks.push(bullets(alternatives));
    }
    out.push(appendix_section(
        "all-comparisons",
        "Every comparison",
        blocks,
    ));
    // Every change.
    if !input.changes.is_empty() {
        let items: Vec<Line> = input
            .changes
            .iter()
            .map(|c| change_bullet(&[c], a, &labels, input, citer))
            .collect();
        out.push(appendix_section(
            "all-changes",
            &format!("Every change in v{}", input.version),
            vec![bullets(items)],
        ));
    }
    // The full timeline and every tension, up to a length a page can hold; the JSON has all.
    let mut items: Vec<Line> = a
        .timeline
        .iter()
        .rev()
        .take(APPENDIX_ITEMS)
        .map(|e| event_line(e, &labels, &margin, citer))
        .collect();
    items.reverse();
    if !items.is_empty() {
        let mut blocks = Vec::new();
        if a.timeline.len() > APPENDIX_ITEMS {
            blocks.push(paragraph(vec![text(format!(
                "The latest {APPENDIX_ITEMS} of {} events; the JSON has them all.",
                a.timeline.len()
            ))]));
        }
        blocks.push(bullets(items));
        out.push(appendix_section("full-timeline", "Full timeline", blocks));
    }
    let mut all: Vec<&Tension> = a.tensions.iter().collect();
    all.sort_by_key(|t| tension_rank(t));
    let items: Vec<Line> = all
        .into_iter()
        .take(APPENDIX_ITEMS)
        .map(|t| {
            let mut line = vec![text(format!(
                "{}: ",
                prose::capitalized(prose::tension_kind(t.kind))
            ))];
            line.extend(tension_line(t, &labels, input, citer));
            line
        })
        .collect();
    if !items.is_empty() {
        let mut blocks = Vec::new();
        if a.tensions.len() > APPENDIX_ITEMS {
            blocks.push(paragraph(vec![text(format!(
                "The {APPENDIX_ITEMS} that matter most of {}; the JSON has them all.",
                a.tensions.len()
            ))]));
        }
        blocks.push(bullets(items));
        out.push(appendix_section("all-tensions", "Every tension", blocks));
    }
    out
}

/// The evidence cited: per source and snapshot, each claim with its row.
pub(crate) fn evidence(sources: &[CitedSource]) -> Section {
    let mut blocks = Vec::new();
    for s in sources {
        let mut head = vec![
            Inline::Cite {
                source: s.number,
                claims: Vec::new(),
            },
            text(format!(" {}: {}", s.meta.publisher, s.meta.title)),
        ];
        if !s.meta.url.is_empty() {
            head.push(text(", "));
            head.push(Inline::Link {
                text: s.meta.url.clone(),
                href: s.meta.url.clone(),
            });
        }
        blocks.push(Block::Paragraph { line: head });
        for snap in &s.snapshots {
            let mut line = vec![text(format!(
                "Snapshot {} observed {}",
                snap.sha256, snap.observed_on
            ))];
            if let Some(origin) = &snap.origin {
                line.push(text(format!(" from {origin}")));
            }
            line.push(text(":"));
            blocks.push(Block::Bullets {
                items: vec![line],
                anchors: vec![format!("snapshot-{}", snap.sha256)],
            });
            let items: Vec<Line> = snap
                .claims
                .iter()
                .map(|c| {
                    vec![text(format!(
                        "claim {}: {} — row {}",
                        c.claim_id, c.summary, c.locator
                    ))]
                })
                .collect();
            let anchors = snap
                .claims
                .iter()
                .map(|c| format!("claim-{}", c.claim_id))
                .collect();
            blocks.push(Block::Bullets { items, anchors });
            if !snap.quotes.is_empty() {
                let items = snap
                    .quotes
                    .iter()
                    .map(|q| vec![text(format!("quoted: {}", prose::quoted(q)))])
                    .collect();
                blocks.push(bullets(items));
            }
        }
    }
    appendix_section("evidence", "Evidence", blocks)
}

/// The text of a line, without citations: for terminals.
pub(crate) fn plain(line: &Line) -> String {
    let mut s = String::new();
    for inline in line {
        match inline {
            Inline::Text { value } => s.push_str(value),
            Inline::Link { text, .. } => s.push_str(text),
            Inline::Cite { .. } => {}
        }
    }
    s.replace(" .", ".")
        .replace(" ,", ",")
        .replace(" ;", ";")
        .replace(" :", ":")
}

/// One-off sentences for the command line, from the same builders as the digest.
pub(crate) struct Plain<'a> {
    pub(crate) analysis: &'a Analysis,
    pub(crate) story: &'a gapwatch_model::Story,
    pub(crate) sources: &'a [crate::SourceMeta],
}

impl Plain<'_> {
    fn with<T>(&self, f: impl FnOnce(&DigestInput<'_>, &Labels, &mut Citer<'_>) -> T) -> T {
        let claims = gapwatch_model::ClaimSet::new();
        let origins = BTreeMap::new();
        let numbers = BTreeMap::new();
        let origins_of_quotes = BTreeMap::new();
        let input = DigestInput {
            story: self.story,
            version: 0,
            published_on: self.analysis.as_of,
            analysis: self.analysis,
            changes: &[],
            claims: &claims,
            sources: self.sources,
            origins: &origins,
            numbers: &numbers,
            perspectives: &[],
            quotes: &origins_of_quotes,
        };
        let mut citer = Citer::for_plain(&input);
        f(&input, &Labels::of(self.story), &mut citer)
    }

    pub(crate) fn change(&self, c: &Change) -> String {
        self.with(|input, labels, citer| {
            plain(&change_bullet(&[c], self.analysis, labels, input, citer))
        })
    }

    pub(crate) fn tension(&self, t: &Tension) -> String {
        self.with(|input, labels, citer| plain(&tension_line(t, labels, input, citer)))
    }

    pub(crate) fn event(&self, e: &TimelineEvent) -> String {
        let margin = self.story.parity.describe();
        self.with(|_, labels, citer| plain(&event_line(e, labels, &margin, citer)))
    }

    pub(crate) fn reading(
        &self,
        f: &gapwatch_analysis::ForecastStatus,
        r: &gapwatch_analysis::ReadingVerdict,
    ) -> String {
        let _ = f;
        self.with(|input, labels, citer| {
            let _ = input;
            let mut out = Vec::new();
            for c in &r.per_benchmark {
                let name = c
                    .row
                    .as_ref()
                    .map_or_else(|| c.benchmark.clone(), prose::row);
                let state = match (c.met, c.gap, c.shortfall, c.needed) {
                    (Some(true), Some(g), _, _) if g.points < 0.0 => format!(
                        "{name}: {} ahead by {}",
                        labels.challenger,
                        prose::amount(g.points, c.unit)
                    ),
                    (Some(true), Some(g), _, _) => {
                        format!("{name}: within, {} behind", prose::amount(g.points, c.unit))
                    }
                    (Some(false), _, Some(short), Some(needed)) => format!(
                        "{name}: {} short (needs {})",
                        prose::amount(short, c.unit),
                        prose::value_apart_from(
                            needed,
                            c.challenger.as_ref().map_or(needed, |e| e.value),
                            c.unit
                        )
                    ),
                    _ if c.row.is_none() => format!("{name}: not tracked by this story"),
                    _ => format!("{name}: not measured on both sides"),
                };
                let caveat = c
                    .caveat
                    .as_ref()
                    .map(|x| format!(" ({})", prose::not_comparable(x, labels)))
                    .unwrap_or_default();
                out.push(format!("{state}{caveat}"));
            }
            let _ = citer;
            out.join("; ")
        })
    }
}

/// Why an alternative comparison cannot be read as it stands, as the end of a sentence.
fn alternative_caveat(alt: &gapwatch_analysis::Alternative, labels: &Labels) -> String {
    if let Some(since) = alt.dormant {
        return format!("; neither side measured since {}.", prose::month(since));
    }
    for (cohort, side) in [
        (Cohort::Incumbent, &alt.incumbent),
        (Cohort::Challenger, &alt.challenger),
    ] {
        if side.stale {
            return format!(
                "; no newer {} result since {}, so it is no lead.",
                labels.cohort(cohort),
                prose::month(side.newest)
            );
        }
    }
    ".".to_owned()
}
