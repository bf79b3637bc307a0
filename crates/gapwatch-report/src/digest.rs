//! The digest: one version of a story as structured content, before any rendering.

use std::collections::{BTreeMap, BTreeSet};

use gapwatch_analysis::{Analysis, Change, Entry, ParityRow, Verdict};
use gapwatch_model::{Date, Registry, Story};
use serde::{Deserialize, Serialize};

use crate::format::{format_gap, format_months, format_value, group_thousands};

/// A source as the digest cites it. The number is the story's citation number, stable across
/// versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitedSource {
    /// The citation number `n` in `[n]`.
    pub number: u32,
    /// The configured source id.
    pub id: String,
    /// Who publishes it.
    pub publisher: String,
    /// Its title.
    pub title: String,
    /// Where it is fetched from.
    pub url: String,
    /// When gapwatch first observed it.
    pub first_seen: Option<Date>,
    /// When gapwatch last observed it.
    pub last_observed: Option<Date>,
    /// The stored snapshots whose claims this version cites: sha256 and observed date.
    pub snapshots: Vec<(String, Date)>,
}

/// The gap on one benchmark at successive dates (one point per published version and the
/// version being built), for charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapSeries {
    /// The benchmark's canonical id.
    pub benchmark: String,
    /// Its display name, with the variant when there is one.
    pub benchmark_name: String,
    /// (date, gap in points); positive means the challenger trails.
    pub points: Vec<(Date, f64)>,
}

/// Everything a digest is built from. The caller gathers it; building does no I/O.
#[derive(Debug, Clone, Copy)]
pub struct DigestInput<'a> {
    /// The story.
    pub story: &'a Story,
    /// The registry, for display names.
    pub registry: &'a Registry,
    /// The version number being built.
    pub version: u32,
    /// The publication date (from the injected clock).
    pub published_on: Date,
    /// The story's state as of the version.
    pub analysis: &'a Analysis,
    /// What changed since the previous version.
    pub changes: &'a [Change],
    /// Every source the story has numbered.
    pub sources: &'a [CitedSource],
    /// Which source each claim came from, for citations.
    pub claim_sources: &'a BTreeMap<i64, String>,
    /// How many claims the store holds as of the version.
    pub claim_count: u64,
    /// The states of earlier versions, oldest first, for the gap-over-time charts.
    pub history: &'a [Analysis],
}

/// Inline content: text, or a citation of a numbered source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", content = "value", rename_all = "kebab-case")]
pub enum Inline {
    /// Plain text, unescaped: renderers escape it.
    Text(String),
    /// A citation `[n]`.
    Cite(u32),
}

/// A run of inline content: a sentence or a table cell.
pub type Line = Vec<Inline>;

/// A block of a section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Block {
    /// A paragraph.
    Paragraph {
        /// Its content.
        line: Line,
    },
    /// A bulleted list.
    Bullets {
        /// One line per bullet.
        items: Vec<Line>,
    },
    /// A table.
    Table {
        /// Column headings.
        headers: Vec<String>,
        /// Rows of cells.
        rows: Vec<Vec<Line>>,
    },
}

/// A titled section of the digest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// A stable anchor: `whats-new`, `parity-map`.
    pub id: String,
    /// The heading.
    pub title: String,
    /// The content.
    pub blocks: Vec<Block>,
}

/// One version of a story, ready to render.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Digest {
    /// The story's id.
    pub story_id: String,
    /// The headline.
    pub title: String,
    /// `active` while any forecast is open, else `settled`.
    pub status: String,
    /// The version number.
    pub version: u32,
    /// The publication date.
    pub published_on: Date,
    /// The evidence cut-off.
    pub as_of: Date,
    /// Claims in the store as of the version.
    pub claim_count: u64,
    /// Sources with at least one snapshot as of the version.
    pub source_count: usize,
    /// The sections, in reading order, Sources last.
    pub sections: Vec<Section>,
    /// The numbered sources cited.
    pub sources: Vec<CitedSource>,
    /// The gap over time per benchmark, from earlier versions and this one.
    pub gap_history: Vec<GapSeries>,
    /// The analysis the digest was built from.
    pub analysis: Analysis,
}

struct Citer<'a> {
    numbers: BTreeMap<&'a str, u32>,
    claim_sources: &'a BTreeMap<i64, String>,
    used: BTreeSet<u32>,
}

impl<'a> Citer<'a> {
    fn source(&mut self, source_id: &str) -> Option<Inline> {
        let n = *self.numbers.get(source_id)?;
        self.used.insert(n);
        Some(Inline::Cite(n))
    }

    fn claims(&mut self, claim_ids: &[i64]) -> Vec<Inline> {
        let numbers: BTreeSet<u32> = claim_ids
            .iter()
            .filter_map(|id| self.claim_sources.get(id))
            .filter_map(|s| self.numbers.get(s.as_str()).copied())
            .collect();
        self.used.extend(numbers.iter().copied());
        numbers.into_iter().map(Inline::Cite).collect()
    }
}

fn text(s: impl Into<String>) -> Inline {
    Inline::Text(s.into())
}

impl Digest {
    /// Builds the digest of one version.
    pub fn build(input: &DigestInput<'_>) -> Digest {
        let a = input.analysis;
        let mut citer = Citer {
            numbers: input
                .sources
                .iter()
                .map(|s| (s.id.as_str(), s.number))
                .collect(),
            claim_sources: input.claim_sources,
            used: BTreeSet::new(),
        };
        let mut sections = vec![
            whats_new(input, &mut citer),
            what(input, &mut citer),
            parity_map(input, &mut citer),
            forecasts(input, &mut citer),
            timeline(input, &mut citer),
            tensions(input, &mut citer),
        ];
        let sources: Vec<CitedSource> = input
            .sources
            .iter()
            .filter(|s| citer.used.contains(&s.number))
            .cloned()
            .collect();
        sections.push(sources_section(&sources));
        let open = a
            .forecasts
            .iter()
            .any(|f| f.readings.iter().any(|r| r.verdict == Verdict::Open));
        Digest {
            story_id: input.story.id.clone(),
            title: input.story.title.clone(),
            status: if open || a.forecasts.is_empty() {
                "active"
            } else {
                "settled"
            }
            .to_owned(),
            version: input.version,
            published_on: input.published_on,
            as_of: a.as_of,
            claim_count: input.claim_count,
            source_count: a.coverage.sources,
            sections,
            sources,
            gap_history: gap_history(input.history, a),
            analysis: a.clone(),
        }
    }

    /// The header line: `active · v3 · 2025-06-01 · 1,184 claims from 14 sources · 2 earlier versions`.
    pub fn header_line(&self) -> String {
        let earlier = match self.version.saturating_sub(1) {
            0 => "first version".to_owned(),
            1 => "1 earlier version".to_owned(),
            n => format!("{n} earlier versions"),
        };
        format!(
            "{} · v{} · {} · {} claim{} from {} source{} · {}",
            self.status,
            self.version,
            self.published_on,
            group_thousands(self.claim_count as i64),
            if self.claim_count == 1 { "" } else { "s" },
            self.source_count,
            if self.source_count == 1 { "" } else { "s" },
            earlier
        )
    }
}

fn whats_new(input: &DigestInput<'_>, citer: &mut Citer<'_>) -> Section {
    let items: Vec<Line> = input
        .changes
        .iter()
        .map(|c| {
            let mut line = vec![text(c.description.clone())];
            line.extend(citer.claims(&c.claim_ids));
            line
        })
        .collect();
    let blocks = if items.is_empty() {
        vec![Block::Paragraph {
            line: vec![text(
                "Nothing material changed; this version was published on request.",
            )],
        }]
    } else {
        vec![Block::Bullets { items }]
    };
    Section {
        id: "whats-new".into(),
        title: format!("What's new in v{}", input.version),
        blocks,
    }
}

fn entry_cell(entry: Option<&Entry>, citer: &mut Citer<'_>) -> Line {
    match entry {
        None => vec![text("no result yet")],
        Some(e) => {
            let mut line = vec![text(format!(
                "{} {}",
                e.subject,
                format_value(e.value, e.unit)
            ))];
            line.extend(citer.source(&e.source_id));
            line
        }
    }
}

fn row_label(row: &ParityRow) -> String {
    if row.variant.is_empty() {
        row.benchmark_name.clone()
    } else {
        format!("{} ({})", row.benchmark_name, row.variant)
    }
}

fn cites_of(row: &ParityRow, citer: &mut Citer<'_>) -> Vec<Inline> {
    let ids: Vec<i64> = [&row.incumbent, &row.challenger]
        .into_iter()
        .flatten()
        .map(|e| e.claim_id)
        .collect();
    citer.claims(&ids)
}

fn what(input: &DigestInput<'_>, citer: &mut Citer<'_>) -> Section {
    let a = input.analysis;
    let story = input.story;
    let covered: Vec<&ParityRow> = a.parity.iter().filter(|r| r.gap.is_some()).collect();
    let leads = covered.iter().filter(|r| r.challenger_leads).count();
    let ties = covered
        .iter()
        .filter(|r| !r.challenger_leads && r.parity == Some(true))
        .count();
    let trails = covered.len() - leads - ties;
    let mut blocks = Vec::new();
    if covered.is_empty() {
        blocks.push(Block::Paragraph {
            line: vec![text(format!(
                "No benchmark in scope has results from both {} and {} models yet.",
                story.incumbent.label.to_lowercase(),
                story.challenger.label.to_lowercase()
            ))],
        });
    } else {
        blocks.push(Block::Paragraph {
            line: vec![text(format!(
                "Of {} benchmark{} with results from both cohorts, {} models lead on {}, are within {} on {}, and trail on {}.",
                covered.len(),
                if covered.len() == 1 { "" } else { "s" },
                story.challenger.label.to_lowercase(),
                leads,
                story.parity.describe(),
                ties,
                trails
            ))],
        });
        let mut gaps: Vec<&&ParityRow> = covered
            .iter()
            .filter(|r| !r.challenger_leads && r.parity == Some(false))
            .collect();
        gaps.sort_by(|x, y| {
            let gx = x.gap.as_ref().map_or(0.0, |g| g.relative_percent);
            let gy = y.gap.as_ref().map_or(0.0, |g| g.relative_percent);
            gy.total_cmp(&gx).then(x.benchmark.cmp(&y.benchmark))
        });
        let mut items = Vec::new();
        for row in gaps.iter().take(3) {
            if let Some(g) = &row.gap {
                let mut line = vec![text(format!(
                    "{}: {} behind",
                    row_label(row),
                    format_gap(g, row.unit)
                ))];
                line.extend(cites_of(row, citer));
                items.push(line);
            }
        }
        if !items.is_empty() {
            blocks.push(Block::Paragraph {
                line: vec![text("The largest remaining gaps:")],
            });
            blocks.push(Block::Bullets { items });
        }
    }
    if let Some(lag) = &a.median_lag {
        let mut line = vec![text(format!(
            "Across {} benchmark{}, the median lag is {}{}.",
            lag.benchmarks,
            if lag.benchmarks == 1 { "" } else { "s" },
            if lag.lower_bound { "at least " } else { "" },
            format_months(lag.months)
        ))];
        let ids: Vec<i64> = a
            .parity
            .iter()
            .filter_map(|r| r.lag.as_ref())
            .flat_map(|l| l.claim_ids.iter().copied())
            .collect();
        line.extend(citer.claims(&ids));
        blocks.push(Block::Paragraph { line });
    }
    Section {
        id: "what".into(),
        title: "What".into(),
        blocks,
    }
}

fn parity_map(input: &DigestInput<'_>, citer: &mut Citer<'_>) -> Section {
    let story = input.story;
    let mut rows = Vec::new();
    let mut empty = Vec::new();
    for row in &input.analysis.parity {
        if row.incumbent.is_none() && row.challenger.is_none() {
            empty.push(row_label(row));
            continue;
        }
        let gap = match &row.gap {
            None => vec![text("—")],
            Some(g) => {
                let mut line = vec![text(if row.challenger_leads {
                    format!(
                        "{} leads by {}",
                        story.challenger.label,
                        format_gap(g, row.unit)
                    )
                } else {
                    format_gap(g, row.unit)
                })];
                line.extend(cites_of(row, citer));
                line
            }
        };
        let parity = vec![text(match row.parity {
            Some(true) if row.challenger_leads => "yes (leads)".to_owned(),
            Some(true) => "yes".to_owned(),
            Some(false) => "no".to_owned(),
            None => "unknown".to_owned(),
        })];
        let lag = match &row.lag {
            None => vec![text("—")],
            Some(l) => {
                let mut line = vec![text(format!(
                    "{}{}",
                    if l.lower_bound { "≥ " } else { "" },
                    format_months(l.months)
                ))];
                line.extend(citer.claims(&l.claim_ids));
                line
            }
        };
        rows.push(vec![
            vec![text(row_label(row))],
            entry_cell(row.incumbent.as_ref(), citer),
            entry_cell(row.challenger.as_ref(), citer),
            gap,
            parity,
            lag,
        ]);
    }
    let mut blocks = vec![Block::Paragraph {
        line: vec![text(format!(
            "Parity means the best {} model is within {} of the best {} model, or ahead of it.",
            story.challenger.label.to_lowercase(),
            story.parity.describe(),
            story.incumbent.label.to_lowercase()
        ))],
    }];
    blocks.push(Block::Table {
        headers: vec![
            "Benchmark".into(),
            format!("Best {} (score)", story.incumbent.label.to_lowercase()),
            format!("Best {} (score)", story.challenger.label.to_lowercase()),
            "Gap".into(),
            "Parity?".into(),
            "Lag".into(),
        ],
        rows,
    });
    if !empty.is_empty() {
        blocks.push(Block::Paragraph {
            line: vec![text(format!("No results yet for {}.", join_names(&empty)))],
        });
    }
    let cov = &input.analysis.coverage;
    let excluded: u64 = cov.unresolved.values().sum();
    if excluded > 0 || cov.unknown_access > 0 {
        blocks.push(Block::Paragraph {
            line: vec![text(format!(
                "Not counted: {} claim{} about {} model name{} the registry does not know, and {} about models of unknown access.",
                excluded,
                if excluded == 1 { "" } else { "s" },
                cov.unresolved.len(),
                if cov.unresolved.len() == 1 { "" } else { "s" },
                cov.unknown_access
            ))],
        });
    }
    Section {
        id: "parity-map".into(),
        title: "Parity map".into(),
        blocks,
    }
}

fn forecasts(input: &DigestInput<'_>, citer: &mut Citer<'_>) -> Section {
    let mut blocks = Vec::new();
    for f in &input.analysis.forecasts {
        let deadline = f.deadline.to_string();
        let question = if f.question.contains(&deadline) {
            f.question.clone()
        } else {
            format!("{} (deadline {deadline})", f.question)
        };
        blocks.push(Block::Paragraph {
            line: vec![text(question)],
        });
        let mut items = Vec::new();
        for r in &f.readings {
            let verdict = match &r.verdict {
                Verdict::Yes { on } => format!("resolved yes on {on}"),
                Verdict::No => "resolved no".to_owned(),
                Verdict::Open => "open".to_owned(),
            };
            let mut line = vec![text(format!(
                "Read as within {}: {}.",
                r.margin.describe(),
                verdict
            ))];
            for sentence in &r.would_flip {
                line.push(text(format!(" {}", sentence.trim_end())));
                if !line_ends_with_period(&line) {
                    line.push(text("."));
                }
            }
            line.extend(citer.claims(&r.deciding_claim_ids));
            items.push(line);
        }
        blocks.push(Block::Bullets { items });
    }
    if blocks.is_empty() {
        blocks.push(Block::Paragraph {
            line: vec![text("This story declares no forecasts.")],
        });
    }
    Section {
        id: "forecasts".into(),
        title: "Forecasts".into(),
        blocks,
    }
}

fn line_ends_with_period(line: &Line) -> bool {
    matches!(line.last(), Some(Inline::Text(t)) if t.trim_end().ends_with('.'))
}

fn timeline(input: &DigestInput<'_>, citer: &mut Citer<'_>) -> Section {
    let items: Vec<Line> = input
        .analysis
        .timeline
        .iter()
        .map(|e| {
            let mut line = vec![text(format!("{}: {}", e.date, e.description))];
            line.extend(citer.claims(&e.claim_ids));
            line
        })
        .collect();
    let blocks = if items.is_empty() {
        vec![Block::Paragraph {
            line: vec![text("No dated events yet.")],
        }]
    } else {
        vec![Block::Bullets { items }]
    };
    Section {
        id: "timeline".into(),
        title: "Timeline".into(),
        blocks,
    }
}

fn tensions(input: &DigestInput<'_>, citer: &mut Citer<'_>) -> Section {
    let items: Vec<Line> = input
        .analysis
        .tensions
        .iter()
        .map(|t| {
            let mut line = vec![text(t.description.clone())];
            line.extend(citer.claims(&t.claim_ids));
            line
        })
        .collect();
    let blocks = if items.is_empty() {
        vec![Block::Paragraph {
            line: vec![text("The sources agree within tolerance.")],
        }]
    } else {
        vec![Block::Bullets { items }]
    };
    Section {
        id: "tensions".into(),
        title: "Tensions".into(),
        blocks,
    }
}

fn sources_section(sources: &[CitedSource]) -> Section {
    let items = sources
        .iter()
        .map(|s| {
            let snaps: Vec<String> = s
                .snapshots
                .iter()
                .map(|(sha, on)| format!("sha256:{} ({on})", &sha[..sha.len().min(12)]))
                .collect();
            vec![
                Inline::Cite(s.number),
                text(format!(
                    " {} — {}. {} · first seen {} · last fetched {} · snapshots {}",
                    s.publisher,
                    s.title,
                    s.url,
                    s.first_seen.map_or("—".into(), |d| d.to_string()),
                    s.last_observed.map_or("—".into(), |d| d.to_string()),
                    snaps.join(", ")
                )),
            ]
        })
        .collect();
    Section {
        id: "sources".into(),
        title: "Sources".into(),
        blocks: vec![Block::Bullets { items }],
    }
}

fn gap_history(history: &[Analysis], current: &Analysis) -> Vec<GapSeries> {
    current
        .parity
        .iter()
        .filter(|row| row.gap.is_some())
        .map(|row| {
            let mut points: Vec<(Date, f64)> = history
                .iter()
                .chain(std::iter::once(current))
                .filter_map(|a| {
                    let r = a
                        .parity
                        .iter()
                        .find(|r| r.benchmark == row.benchmark && r.variant == row.variant)?;
                    Some((a.as_of, r.gap.as_ref()?.points))
                })
                .collect();
            points.dedup_by_key(|p| p.0);
            GapSeries {
                benchmark: row.benchmark.clone(),
                benchmark_name: row_label(row),
                points,
            }
        })
        .collect()
}

/// `A`, `A and B`, `A, B and C`.
fn join_names(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
