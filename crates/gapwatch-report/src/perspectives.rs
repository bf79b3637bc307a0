//! The Perspectives section: each actor's position in their quoted words, cited to the stored
//! snapshot that holds them, the proposition it was read as, and its Evolution since it was
//! stated, cited to the deciding rows. Also the What's new sentence of a perspective whose
//! Evolution changed.

use gapwatch_analysis::{Evolution, PerspectiveStatus, PropositionCheck};
use gapwatch_model::Proposition;

use crate::digest::{Block, Citer, DigestInput, Inline, Line, Section, text};
use crate::prose::{self, Labels};

/// A line under construction: text runs and citations.
#[derive(Debug, Default)]
struct Words(Line);

impl Words {
    fn t(mut self, s: impl AsRef<str>) -> Self {
        match self.0.last_mut() {
            Some(Inline::Text { value }) => value.push_str(s.as_ref()),
            _ => self.0.push(text(s.as_ref())),
        }
        self
    }

    fn cites(mut self, cites: Vec<Inline>) -> Self {
        if !cites.is_empty() {
            self.0.push(text(" "));
            self.0.extend(cites);
        }
        self
    }
}

/// The section, after Forecasts; `None` when the story has no perspective stated by the
/// version's date.
pub(crate) fn section(
    input: &DigestInput<'_>,
    labels: &Labels,
    citer: &mut Citer<'_>,
) -> Option<Section> {
    if input.perspectives.is_empty() {
        return None;
    }
    let mut items = Vec::new();
    for p in input.perspectives {
        items.push(perspective_line(p, input, labels, citer));
    }
    let mut blocks = vec![
        Block::Paragraph {
            line: vec![text(
                "Positions in their holders' own words, each tested against the evidence since it was stated.",
            )],
        },
        Block::Bullets {
            items,
            anchors: input
                .perspectives
                .iter()
                .map(|p| format!("perspective-{}", p.perspective_id))
                .collect(),
        },
    ];
    let tensions = tension_lines(input.perspectives, input, labels);
    if !tensions.is_empty() {
        blocks.push(Block::Paragraph {
            line: vec![text("Positions that cannot both hold:")],
        });
        blocks.push(Block::Bullets {
            items: tensions,
            anchors: Vec::new(),
        });
    }
    Some(Section {
        id: "perspectives".into(),
        title: "Perspectives".into(),
        appendix: false,
        blocks,
    })
}

/// The display names of the benchmarks a perspective names, from the rows it was checked on.
fn names(p: &PerspectiveStatus) -> Vec<String> {
    let Some(proposition) = &p.proposition else {
        return Vec::new();
    };
    proposition
        .benchmarks()
        .iter()
        .map(|b| {
            p.now
                .iter()
                .flat_map(|c| &c.rows)
                .find(|r| &r.benchmark == b)
                .and_then(|r| r.row.as_ref())
                .map_or_else(|| b.clone(), prose::row)
        })
        .collect()
}

fn proposition_words(p: &PerspectiveStatus, input: &DigestInput<'_>, labels: &Labels) -> String {
    p.proposition.as_ref().map_or_else(String::new, |x| {
        prose::proposition(x, &names(p), p.stated_on, labels, &input.story.parity)
    })
}

/// `Epoch AI (evaluator), 2025-10-30: “…” [n]. Tested as: the median lag is 1.1 to 5.3
/// months. Evolution: supported. The median lag is 4.2 months across 4 benchmarks [m], up
/// from 2.0 months on 2025-10-30.`
fn perspective_line(
    p: &PerspectiveStatus,
    input: &DigestInput<'_>,
    labels: &Labels,
    citer: &mut Citer<'_>,
) -> Line {
    let mut w = Words::default().t(format!(
        "{}, {}: {}",
        prose::actor(&p.actor, p.actor_kind),
        p.stated_on,
        prose::quoted(&p.quote)
    ));
    if let Some(at) = input.quotes.get(&p.perspective_id) {
        w = w.cites(citer.cite_quote(at, &p.quote));
    }
    w = w.t(".");
    if p.proposition.is_none() {
        return w.t(" It states nothing the evidence can test.").0;
    }
    w = w.t(format!(
        " Tested as: {}. Evolution: {}",
        proposition_words(p, input, labels),
        prose::evolution(p.evolution)
    ));
    evidence(w, p, labels, citer).t(".").0
}

/// The Evolution's reasons, as sentences after `Evolution: supported`, with citations.
fn evidence(w: Words, p: &PerspectiveStatus, labels: &Labels, citer: &mut Citer<'_>) -> Words {
    let (Some(proposition), Some(now)) = (&p.proposition, &p.now) else {
        return w;
    };
    let then = p.then.as_ref();
    let from = then.map_or(p.stated_on, |t| t.as_of);
    match proposition {
        Proposition::MedianLagWithin { .. } => match now.median_lag_months {
            Some(m) => w
                .t(format!(
                    ". The median lag is {} across {}",
                    prose::months(m),
                    prose::count(now.lag_rows, "benchmark", "benchmarks")
                ))
                .cites(citer.cite(&now.claim_ids))
                .t(prose::lag_change(
                    m,
                    then.and_then(|t| t.median_lag_months),
                    from,
                )),
            None => w.t(format!(
                ". No comparable benchmark has a lag as of {}",
                now.as_of
            )),
        },
        Proposition::ChallengerLeads { .. } => {
            let states: Vec<String> = now
                .rows
                .iter()
                .map(|r| prose::row_check(r, labels))
                .collect();
            w.t(format!(". {}", states.join("; ")))
                .cites(citer.cite(&now.claim_ids))
        }
        Proposition::ParityAtLeast { k, .. } => {
            let at = at_parity(now);
            let mut w = w.t(format!(
                ". {} of {} at parity or ahead, {k} needed",
                at,
                prose::count(now.rows.len(), "benchmark", "benchmarks")
            ));
            if let Some(t) = then.filter(|t| at_parity(t) != at) {
                w = w.t(format!(", {} on {from}", at_parity(t)));
            }
            let states: Vec<String> = now
                .rows
                .iter()
                .map(|r| prose::row_check(r, labels))
                .collect();
            w.t(format!(" ({})", states.join("; ")))
                .cites(citer.cite(&now.claim_ids))
        }
        Proposition::GapTrend { .. } => {
            if p.evolution == Evolution::Untestable && now.as_of <= from {
                return w.t(format!(". Nothing has been measured since {from}"));
            }
            let mut moves = Vec::new();
            let mut unmeasured = Vec::new();
            for (i, r) in now.rows.iter().enumerate() {
                let before = then.and_then(|t| t.rows.get(i));
                match (before, r.row.as_ref()) {
                    (Some(b), Some(key))
                        if b.comparable && r.comparable && b.gap.is_some() && r.gap.is_some() =>
                    {
                        let (Some(gb), Some(ga)) = (b.gap, r.gap) else {
                            continue;
                        };
                        moves.push(prose::gap_move(
                            &prose::row(key),
                            gb.points,
                            ga.points,
                            r.unit,
                            labels,
                        ));
                    }
                    _ => unmeasured.push(
                        r.row
                            .as_ref()
                            .map_or_else(|| r.benchmark.clone(), prose::row),
                    ),
                }
            }
            let mut w = if moves.is_empty() {
                w.t(format!(
                    ". No named gap was comparable both on {from} and now"
                ))
            } else {
                w.t(format!(". Since {from}, {}", moves.join("; ")))
            };
            if !unmeasured.is_empty() && !moves.is_empty() {
                w = w.t(format!(
                    "; {} not comparable at both dates",
                    prose::join(&unmeasured)
                ));
            }
            w.cites(citer.cite(&p.claim_ids))
        }
    }
}

fn at_parity(c: &PropositionCheck) -> usize {
    c.rows
        .iter()
        .filter(|r| r.comparable && r.parity == Some(true))
        .count()
}

fn tension_lines(all: &[PerspectiveStatus], input: &DigestInput<'_>, labels: &Labels) -> Vec<Line> {
    let mut out = Vec::new();
    for (i, a) in all.iter().enumerate() {
        for b in &all[i + 1..] {
            if a.in_tension_with.contains(&b.perspective_id) {
                out.push(vec![text(format!(
                    "{} ({}) and {} ({}).",
                    a.actor,
                    proposition_words(a, input, labels),
                    b.actor,
                    proposition_words(b, input, labels)
                ))]);
            }
        }
    }
    out
}

/// What's new: `Epoch AI's position (the median lag is 1.1 to 5.3 months) is now weakened,
/// was supported [n].`
pub(crate) fn change_line(
    perspective_id: &str,
    actor: &str,
    before: Option<Evolution>,
    after: Evolution,
    claim_ids: &[i64],
    input: &DigestInput<'_>,
    citer: &mut Citer<'_>,
) -> Line {
    let labels = Labels::of(input.story);
    let status = input
        .perspectives
        .iter()
        .find(|p| p.perspective_id == perspective_id);
    let what = status
        .filter(|p| p.proposition.is_some())
        .map(|p| format!(" ({})", proposition_words(p, input, &labels)))
        .unwrap_or_default();
    let mut w = Words::default().t(format!("{actor}'s position{what}"));
    w = match before {
        Some(b) => w.t(format!(
            " is now {}, was {}",
            prose::evolution(after),
            prose::evolution(b)
        )),
        None => w.t(format!(
            " is quoted for the first time: {}",
            prose::evolution(after)
        )),
    };
    w.cites(citer.cite(claim_ids)).t(".").0
}
