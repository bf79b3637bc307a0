//! What every part of one analysis shares: the inputs, the prepared claims, the series, and
//! the ways of naming them for people.

use gapwatch_model::{Date, Registry, Story, Unit};

use crate::Entry;
use crate::prepare::{INCUMBENT, Prepared};
use crate::series::RowSeries;
use crate::text;

/// One analysis in progress.
#[derive(Debug)]
pub(crate) struct Ctx<'a> {
    pub(crate) registry: &'a Registry,
    pub(crate) story: &'a Story,
    pub(crate) as_of: Date,
    pub(crate) prepared: &'a Prepared<'a>,
    pub(crate) series: &'a [RowSeries],
}

/// A row's benchmark, as people and code need it.
#[derive(Debug, Clone)]
pub(crate) struct RowInfo {
    pub(crate) id: String,
    pub(crate) name: String,
    /// The name with the variant: `MMMU (val)`.
    pub(crate) display: String,
    pub(crate) unit: Unit,
    pub(crate) higher_is_better: bool,
}

impl Ctx<'_> {
    pub(crate) fn row_info(&self, row: usize) -> RowInfo {
        let r = &self.prepared.rows[row];
        let sb = &self.prepared.scope[r.bench];
        let (name, unit, higher_is_better) = match sb.entry {
            Some(e) => (e.name.clone(), e.unit, e.higher_is_better),
            None => (sb.id.clone(), Unit::Score, true),
        };
        RowInfo {
            id: sb.id.clone(),
            display: text::benchmark(&name, &r.variant),
            name,
            unit,
            higher_is_better,
        }
    }

    /// A cohort's label inside a sentence.
    pub(crate) fn label(&self, side: usize) -> String {
        let cohort = if side == INCUMBENT {
            &self.story.incumbent
        } else {
            &self.story.challenger
        };
        text::in_sentence(&cohort.label)
    }

    pub(crate) fn value(&self, claim: usize) -> f64 {
        self.prepared.claims[claim].value
    }

    pub(crate) fn claim_id(&self, claim: usize) -> i64 {
        self.prepared.claims[claim].id
    }

    /// The subject of a claim in registry display names.
    pub(crate) fn subject(&self, claim: usize) -> String {
        text::subject(self.registry, self.prepared.subject_of(claim))
    }

    /// `Llama 3.1 405B Instruct (open weights) at 88.6%`.
    pub(crate) fn described(&self, claim: usize, side: usize, unit: Unit) -> String {
        format!(
            "{} ({}) at {}",
            self.subject(claim),
            self.label(side),
            text::value(unit, self.value(claim))
        )
    }

    pub(crate) fn entry(&self, claim: usize) -> Entry {
        let c = &self.prepared.claims[claim];
        Entry {
            subject: self.subject(claim),
            model_ids: self.prepared.subjects[c.subject]
                .ids
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            value: c.value,
            unit: c.unit,
            date: c.effective,
            claim_id: c.id,
            source_id: self.prepared.set.str(c.rec.source).to_owned(),
            snapshot_sha256: self.prepared.set.str(c.rec.snapshot_sha256).to_owned(),
            settings: self.prepared.settings_of(claim).clone(),
            evaluator: c.evaluator,
        }
    }

    /// The rows the story shows, in order.
    pub(crate) fn story_rows(&self) -> impl Iterator<Item = usize> + '_ {
        self.prepared
            .rows
            .iter()
            .enumerate()
            .filter(|(_, r)| self.prepared.scope[r.bench].in_story)
            .map(|(i, _)| i)
    }
}
