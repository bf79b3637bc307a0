//! Claims, sources and digests shared by the report tests.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;

use gapwatch_analysis::{Analysis, Change};
use gapwatch_model::{
    Claim, ClaimRecord, ClaimSet, Date, Evaluator, Fact, Score, Story, Subject, Unit,
};
use gapwatch_report::{Digest, DigestInput, SourceMeta};

pub fn d(s: &str) -> Date {
    s.parse().unwrap()
}

/// An independent result of `model` on `benchmark`, dated and observed on `date`, in its
/// own snapshot (numbered by the claim id); ratings on `lmarena-text`, percentages elsewhere.
pub fn score(
    id: i64,
    source: &str,
    date: &str,
    model: &str,
    benchmark: &str,
    value: f64,
) -> ClaimRecord {
    ClaimRecord {
        id,
        source_id: source.into(),
        snapshot_id: id,
        run_id: id,
        snapshot_sha256: format!("{id:064x}"),
        observed_on: d(date),
        claim: Claim {
            subject: Subject::model(model),
            fact: Fact::Score(Score {
                benchmark: benchmark.into(),
                variant: String::new(),
                metric: "accuracy".into(),
                settings: Default::default(),
                value,
                unit: if benchmark == "lmarena-text" {
                    Unit::Elo
                } else {
                    Unit::Percent
                },
                uncertainty: None,
            }),
            reported_on: Some(d(date)),
            evaluator: Evaluator::ThirdParty,
            locator: format!("row {id}"),
        },
    }
}

/// Sources by id and publisher.
pub fn sources(list: &[(&str, &str)]) -> Vec<SourceMeta> {
    list.iter()
        .map(|(id, publisher)| SourceMeta {
            id: (*id).into(),
            publisher: (*publisher).into(),
            title: "A leaderboard".into(),
            url: format!("https://example.org/{id}"),
        })
        .collect()
}

/// Version `version` of the story's digest over `analysis`, published on its as-of date.
pub fn digest(
    story: &Story,
    claims: &ClaimSet,
    analysis: &Analysis,
    changes: &[Change],
    sources: &[SourceMeta],
    version: u32,
) -> Digest {
    Digest::build(&DigestInput {
        story,
        version,
        published_on: analysis.as_of,
        analysis,
        changes,
        claims,
        sources,
        origins: &BTreeMap::new(),
        numbers: &BTreeMap::new(),
        perspectives: &[],
        quotes: &BTreeMap::new(),
    })
}
