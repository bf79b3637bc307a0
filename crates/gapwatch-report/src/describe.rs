//! Sentences for the command line, written by the same code as the digest's, without
//! citations: a change, a tension, a timeline event, a forecast reading.

use gapwatch_analysis::{Analysis, Change, ForecastStatus, ReadingVerdict, Tension, TimelineEvent};
use gapwatch_model::Story;

use crate::SourceMeta;
use crate::sections::Plain;

/// A change since the previous version, as What's new would say it.
pub fn change(c: &Change, analysis: &Analysis, story: &Story, sources: &[SourceMeta]) -> String {
    Plain {
        analysis,
        story,
        sources,
    }
    .change(c)
}

/// A tension, as the digest's Tensions section would say it.
pub fn tension(t: &Tension, analysis: &Analysis, story: &Story, sources: &[SourceMeta]) -> String {
    Plain {
        analysis,
        story,
        sources,
    }
    .tension(t)
}

/// A timeline event, as the digest's Timeline would say it.
pub fn event(e: &TimelineEvent, analysis: &Analysis, story: &Story) -> String {
    Plain {
        analysis,
        story,
        sources: &[],
    }
    .event(e)
}

/// A forecast reading's state per benchmark: `MMLU: within, 1.7 points behind; …`.
pub fn reading(
    f: &ForecastStatus,
    r: &ReadingVerdict,
    analysis: &Analysis,
    story: &Story,
) -> String {
    Plain {
        analysis,
        story,
        sources: &[],
    }
    .reading(f, r)
}
