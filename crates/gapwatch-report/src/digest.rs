//! The digest: one version of a story as structured content, before any rendering.
//!
//! Every number carries a citation: an [`Inline::Cite`] names a numbered source and the
//! claims the number rests on; the Sources section lists, per source, the stored snapshots
//! this version cites, and the Evidence appendix gives each cited claim's snapshot and row.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use gapwatch_analysis::{Analysis, Change, PerspectiveStatus, RowRole};
use gapwatch_model::{ClaimSet, Date, Story, Unit};
use serde::{Deserialize, Serialize};

use crate::prose;

/// A source as gapwatch knows it: who publishes it and where it lives.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceMeta {
    /// The configured source id.
    pub id: String,
    /// Who publishes it.
    pub publisher: String,
    /// Its title.
    pub title: String,
    /// Where it is fetched from.
    pub url: String,
}

/// A stored snapshot a version cites, with the claims it cites from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitedSnapshot {
    /// The sha256 of the stored bytes.
    pub sha256: String,
    /// When it was observed.
    pub observed_on: Date,
    /// Where the bytes came from (a URL, a file, `repository@commit:path`), when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    /// The claims cited from it, with the row each came from.
    pub claims: Vec<CitedClaim>,
    /// Words quoted from it (perspectives' positions), as the digest quotes them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub quotes: Vec<String>,
    /// True when the main story (everything before the appendix) cites it.
    pub in_main_story: bool,
}

/// A cited claim and the row of the snapshot it came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitedClaim {
    /// The claim's id in the store (`gapwatch claim show ID`).
    pub claim_id: i64,
    /// Where in the snapshot: table, row, field.
    pub locator: String,
    /// What it says, for people: subject and value.
    pub summary: String,
}

/// A source as the digest cites it. The number is the story's citation number, stable across
/// versions and given to a source the first time a version cites it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CitedSource {
    /// The citation number `n` in `[n]`.
    pub number: u32,
    /// The source.
    #[serde(flatten)]
    pub meta: SourceMeta,
    /// The snapshots this version cites, oldest first.
    pub snapshots: Vec<CitedSnapshot>,
}

/// The gap on one benchmark over time, for charts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GapSeries {
    /// The benchmark's canonical id.
    pub benchmark: String,
    /// Its name for people.
    pub benchmark_name: String,
    /// (date, gap in the row's unit); positive means the challenger trails.
    pub points: Vec<(Date, f64)>,
    /// The unit of the gap: points of a percentage or score, or Elo.
    #[serde(default = "percent")]
    pub unit: Unit,
}

fn percent() -> Unit {
    Unit::Percent
}

/// Where a perspective's quoted words are stored: the snapshot of its source whose text holds
/// them (the caller checks that it does).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QuotedSnapshot {
    /// The source's id.
    pub source_id: String,
    /// The snapshot's sha256.
    pub sha256: String,
    /// When it was observed.
    pub observed_on: Date,
}

/// Everything a digest is built from. The caller gathers it; building does no I/O.
#[derive(Debug, Clone, Copy)]
pub struct DigestInput<'a> {
    /// The story.
    pub story: &'a Story,
    /// The version number being built.
    pub version: u32,
    /// The publication date (from the injected clock).
    pub published_on: Date,
    /// The story's state as of the version.
    pub analysis: &'a Analysis,
    /// What changed since the previous version.
    pub changes: &'a [Change],
    /// The claims the analysis read, to resolve every citation to its snapshot and row.
    pub claims: &'a ClaimSet,
    /// Every source gapwatch knows.
    pub sources: &'a [SourceMeta],
    /// Where each snapshot came from, by sha256, when recorded.
    pub origins: &'a BTreeMap<String, String>,
    /// The citation numbers the story has given so far.
    pub numbers: &'a BTreeMap<String, u32>,
    /// The story's perspectives evaluated as of the version (none: no Perspectives section).
    pub perspectives: &'a [PerspectiveStatus],
    /// Per perspective id, the stored snapshot holding its quoted words.
    pub quotes: &'a BTreeMap<String, QuotedSnapshot>,
}

/// Inline content: text, a citation, or a link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Inline {
    /// Plain text, unescaped: renderers escape it.
    Text {
        /// The text.
        value: String,
    },
    /// A citation `[n]` of a numbered source, resting on these claims.
    Cite {
        /// The source's number.
        source: u32,
        /// The claims, each listed with its snapshot and row in the Evidence appendix.
        claims: Vec<i64>,
    },
    /// A link.
    Link {
        /// The text shown.
        text: String,
        /// Where it leads: a URL, or `#anchor` within the page.
        href: String,
    },
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
        /// One line per bullet; an optional anchor id per item.
        items: Vec<Line>,
        /// Per item, an anchor id (same length as `items`, or empty for none).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        anchors: Vec<String>,
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
    /// True for the appendix: collapsed in HTML, outside the main story.
    #[serde(default)]
    pub appendix: bool,
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
    /// Claims the store held as of the version.
    pub claim_count: u64,
    /// Sources with at least one claim as of the version.
    pub source_count: usize,
    /// The sections, in reading order: the main story, Sources, then the appendix.
    pub sections: Vec<Section>,
    /// The numbered sources this version cites.
    pub sources: Vec<CitedSource>,
    /// Numbered sources this version does not cite (numbers stay without gaps).
    pub uncited_sources: Vec<(u32, String)>,
    /// Sources given a number for the first time by this version, in number order.
    pub new_numbers: Vec<(String, u32)>,
    /// The gap over time per comparable headline row.
    pub gap_history: Vec<GapSeries>,
    /// The changes since the previous version.
    pub changes: Vec<Change>,
    /// The story's perspectives, each with its Evolution as of the version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub perspectives: Vec<PerspectiveStatus>,
    /// The analysis the digest was built from.
    pub analysis: Analysis,
}

impl Digest {
    /// Builds the digest of one version.
    pub fn build(input: &DigestInput<'_>) -> Digest {
        let a = input.analysis;
        let mut citer = Citer::new(input);
        let mut sections = crate::sections::main(input, &mut citer);
        citer.main_story_done();
        let mut appendix = crate::sections::appendix(input, &mut citer);
        let (sources, uncited) = citer.sources(input);
        sections.push(crate::sections::sources(&sources, &uncited));
        appendix.push(crate::sections::evidence(&sources));
        sections.extend(appendix);
        let open = a.forecasts.iter().any(|f| {
            f.readings
                .iter()
                .any(|r| r.verdict == gapwatch_analysis::Verdict::Open)
        });
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
            claim_count: a.coverage.claims_considered as u64,
            source_count: a.coverage.sources,
            sections,
            sources,
            uncited_sources: uncited,
            new_numbers: citer.new,
            gap_history: a
                .parity
                .iter()
                .filter(|r| r.key.role == RowRole::Headline && r.comparable)
                .map(|r| GapSeries {
                    benchmark: r.key.benchmark.clone(),
                    benchmark_name: prose::row(&r.key),
                    points: r.history.iter().map(|p| (p.date, p.points)).collect(),
                    unit: r.unit,
                })
                .collect(),
            changes: input.changes.to_vec(),
            perspectives: input.perspectives.to_vec(),
            analysis: a.clone(),
        }
    }

    /// The header line: `active · v3 · 2025-06-01 · 1,184 claims from 14 sources · 2 earlier versions`.
    pub fn header_line(&self) -> String {
        Self::header_of(
            &self.status,
            self.version,
            self.published_on,
            self.claim_count,
            self.source_count,
        )
    }

    /// The header line from its parts.
    pub(crate) fn header_of(
        status: &str,
        version: u32,
        published_on: Date,
        claims: u64,
        sources: usize,
    ) -> String {
        let earlier = match version.saturating_sub(1) {
            0 => "first version".to_owned(),
            1 => "1 earlier version".to_owned(),
            n => format!("{} earlier versions", prose::thousands(i64::from(n))),
        };
        format!(
            "{status} · v{version} · {published_on} · {} from {} · {earlier}",
            prose::count(claims as usize, "claim", "claims"),
            prose::count(sources, "source", "sources"),
        )
    }

    /// The sections before the appendix.
    pub fn main_sections(&self) -> impl Iterator<Item = &Section> {
        self.sections.iter().filter(|s| !s.appendix)
    }
}

/// Gives citation numbers and remembers what was cited.
#[derive(Debug)]
pub(crate) struct Citer<'a> {
    claims: &'a ClaimSet,
    index: HashMap<i64, usize>,
    numbers: BTreeMap<String, u32>,
    next: u32,
    pub(crate) new: Vec<(String, u32)>,
    /// Per source number: per snapshot (observed, sha): the claims cited.
    cited: BTreeMap<u32, BTreeMap<(Date, String), BTreeSet<i64>>>,
    /// Per snapshot sha: the words quoted from it, in the order first quoted.
    quoted: BTreeMap<String, Vec<String>>,
    /// Snapshots the main story cites.
    main: BTreeSet<String>,
    /// False once the main story is written: later citations are the appendix's.
    in_main: bool,
}

impl<'a> Citer<'a> {
    fn new(input: &DigestInput<'a>) -> Self {
        Self {
            claims: input.claims,
            index: input
                .claims
                .rows()
                .iter()
                .enumerate()
                .map(|(i, r)| (r.id, i))
                .collect(),
            numbers: input.numbers.clone(),
            next: input.numbers.values().max().map_or(1, |n| n + 1),
            new: Vec::new(),
            cited: BTreeMap::new(),
            quoted: BTreeMap::new(),
            main: BTreeSet::new(),
            in_main: true,
        }
    }

    /// Marks the end of the main story.
    pub(crate) fn main_story_done(&mut self) {
        self.in_main = false;
    }

    /// A citer that cites nothing, for sentences printed without citations.
    pub(crate) fn for_plain(input: &DigestInput<'a>) -> Self {
        Self::new(input)
    }

    /// The source's citation number, given now if it has none.
    fn number(&mut self, source: &str) -> u32 {
        match self.numbers.get(source) {
            Some(&n) => n,
            None => {
                let n = self.next;
                self.next += 1;
                self.numbers.insert(source.to_owned(), n);
                self.new.push((source.to_owned(), n));
                n
            }
        }
    }

    /// A citation of words quoted from a stored snapshot: `[n]` of its source, listing the
    /// snapshot and the words in Sources and Evidence.
    pub(crate) fn cite_quote(&mut self, at: &QuotedSnapshot, words: &str) -> Vec<Inline> {
        let number = self.number(&at.source_id);
        if self.in_main {
            self.main.insert(at.sha256.clone());
        }
        self.cited
            .entry(number)
            .or_default()
            .entry((at.observed_on, at.sha256.clone()))
            .or_default();
        let quotes = self.quoted.entry(at.sha256.clone()).or_default();
        if !quotes.iter().any(|q| q == words) {
            quotes.push(words.to_owned());
        }
        vec![Inline::Cite {
            source: number,
            claims: Vec::new(),
        }]
    }

    /// Citations for claims: one `[n]` per source, in number order.
    pub(crate) fn cite(&mut self, ids: &[i64]) -> Vec<Inline> {
        let mut by_source: BTreeMap<u32, Vec<i64>> = BTreeMap::new();
        for &id in ids {
            let Some(&i) = self.index.get(&id) else {
                continue;
            };
            let row = &self.claims.rows()[i];
            let source = self.claims.str(row.source).to_owned();
            let number = self.number(&source);
            let claims = by_source.entry(number).or_default();
            if !claims.contains(&id) {
                claims.push(id);
            }
            let sha = self.claims.str(row.snapshot_sha256);
            if self.in_main {
                self.main.insert(sha.to_owned());
            }
            self.cited
                .entry(number)
                .or_default()
                .entry((row.observed_on, sha.to_owned()))
                .or_default()
                .insert(id);
        }
        by_source
            .into_iter()
            .map(|(source, claims)| Inline::Cite { source, claims })
            .collect()
    }

    /// The cited sources with their snapshots and rows, and the numbered ones not cited.
    fn sources(&self, input: &DigestInput<'_>) -> (Vec<CitedSource>, Vec<(u32, String)>) {
        let meta: BTreeMap<&str, &SourceMeta> =
            input.sources.iter().map(|s| (s.id.as_str(), s)).collect();
        let mut cited = Vec::new();
        let mut uncited = Vec::new();
        let mut by_number: Vec<(&String, &u32)> = self.numbers.iter().collect();
        by_number.sort_by_key(|(_, n)| **n);
        for (id, &number) in by_number {
            let m = meta.get(id.as_str()).map_or_else(
                || SourceMeta {
                    id: id.clone(),
                    publisher: id.clone(),
                    title: id.clone(),
                    url: String::new(),
                },
                |m| (*m).clone(),
            );
            let Some(snapshots) = self.cited.get(&number) else {
                uncited.push((number, m.publisher.clone()));
                continue;
            };
            cited.push(CitedSource {
                number,
                snapshots: snapshots
                    .iter()
                    .map(|((observed_on, sha), ids)| CitedSnapshot {
                        sha256: sha.clone(),
                        observed_on: *observed_on,
                        origin: input.origins.get(sha).cloned(),
                        claims: ids.iter().map(|&id| self.cited_claim(id)).collect(),
                        quotes: self.quoted.get(sha).cloned().unwrap_or_default(),
                        in_main_story: self.main.contains(sha),
                    })
                    .collect(),
                meta: m,
            });
        }
        (cited, uncited)
    }

    fn cited_claim(&self, id: i64) -> CitedClaim {
        let i = self.index[&id];
        let row = &self.claims.rows()[i];
        let subject = self.claims.subject(row.subject);
        let summary = match row.fact {
            gapwatch_model::FactRow::Score { value, unit, .. } => {
                format!("{}, {}", subject.name, prose::value(value, unit))
            }
            gapwatch_model::FactRow::Access { access, .. } => {
                format!("{}, {}", subject.name, access)
            }
        };
        CitedClaim {
            claim_id: id,
            locator: self.claims.locator(i).to_owned(),
            summary,
        }
    }
}

/// Plain text.
pub(crate) fn text(s: impl Into<String>) -> Inline {
    Inline::Text { value: s.into() }
}
