//! Hand-built registries, stories and claims shared by the analysis tests.

#![allow(dead_code, clippy::unwrap_used)]

use gapwatch_analysis::{Analysis, AnalysisOptions, ParityRow, analyze};
use gapwatch_model::{
    Access, Claim, ClaimRecord, Date, Evaluator, Fact, Registry, Score, Story, Subject, Unit,
};

/// Five closed, four open, one limited and one unknown-access model; three percent
/// benchmarks, one Elo board and one error rate where less is better.
pub const REGISTRY: &str = r#"
[[model]]
id = "gpt-4o"
name = "GPT-4o"
organization = "OpenAI"
access = "closed"

[[model]]
id = "gpt-5"
name = "GPT-5"
organization = "OpenAI"
access = "closed"

[[model]]
id = "claude-3-5-sonnet"
name = "Claude 3.5 Sonnet"
organization = "Anthropic"
access = "closed"

[[model]]
id = "llama-3-1-405b"
name = "Llama 3.1 405B"
organization = "Meta"
access = "open-weights"

[[model]]
id = "qwen-2-5-72b"
name = "Qwen2.5 72B"
organization = "Alibaba"
access = "open-weights"

[[model]]
id = "deepseek-v3"
name = "DeepSeek-V3"
organization = "DeepSeek"
access = "open-weights"

[[model]]
id = "glm-4-5"
name = "GLM-4.5"
organization = "Zhipu"
access = "open-weights"

[[model]]
id = "mistral-large"
name = "Mistral Large"
organization = "Mistral"
access = "limited"

[[model]]
id = "mystery-1"
name = "Mystery-1"
organization = "Unknown lab"
access = "unknown"

[[benchmark]]
id = "mmlu"
name = "MMLU"
unit = "percent"

[[benchmark]]
id = "humaneval"
name = "HumanEval"
unit = "percent"

[[benchmark]]
id = "gpqa-diamond"
name = "GPQA Diamond"
unit = "percent"
aliases = ["gpqa"]

[[benchmark]]
id = "mmmu"
name = "MMMU"
unit = "percent"
variants = ["val", "test"]

[[benchmark]]
id = "lmarena-text"
name = "LMArena Text"
unit = "elo"

[[benchmark]]
id = "hallucination-rate"
name = "Hallucination rate"
unit = "percent"
higher_is_better = false
"#;

pub fn registry() -> Registry {
    Registry::from_toml_str(REGISTRY, "test registry").unwrap()
}

/// A story over `benchmarks`, parity within `parity` (TOML inline table), with extra TOML
/// appended (forecasts).
pub fn story_with(benchmarks: &[&str], parity: &str, extra: &str) -> Story {
    let list: Vec<String> = benchmarks.iter().map(|b| format!("{b:?}")).collect();
    let text = format!(
        r#"
id = "test-story"
title = "Open weights vs closed"
benchmarks = [{}]
parity = {parity}
incumbent = {{ id = "closed", label = "Closed", access = ["closed"] }}
challenger = {{ id = "open", label = "Open weights", access = ["open-weights"] }}
{extra}
"#,
        list.join(", ")
    );
    Story::from_toml_str(&text, "test story").unwrap()
}

/// A story with a 2-point parity margin and no forecasts.
pub fn story(benchmarks: &[&str]) -> Story {
    story_with(benchmarks, r#"{ value = 2.0, unit = "points" }"#, "")
}

pub fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn unit_of(benchmark: &str) -> Unit {
    if benchmark == "lmarena-text" {
        Unit::Elo
    } else {
        Unit::Percent
    }
}

/// A third-party score for a plain model, observed on `observed` in the snapshot of
/// `source` taken that day (one snapshot per source and day).
pub fn score(
    id: i64,
    source: &str,
    observed: &str,
    model: &str,
    benchmark: &str,
    value: f64,
) -> ClaimRecord {
    let observed_on = d(observed);
    let snapshot_id = observed_on.days_since_epoch() * 100 + source.len() as i64;
    ClaimRecord {
        id,
        source_id: source.to_owned(),
        snapshot_id,
        run_id: snapshot_id,
        snapshot_sha256: format!("{snapshot_id:064x}"),
        observed_on,
        claim: Claim {
            subject: Subject::model(model),
            fact: Fact::Score(Score {
                benchmark: benchmark.to_owned(),
                variant: String::new(),
                metric: "accuracy".to_owned(),
                settings: Default::default(),
                value,
                unit: unit_of(benchmark),
                uncertainty: None,
            }),
            reported_on: None,
            evaluator: Evaluator::ThirdParty,
            locator: format!("row {id}"),
        },
    }
}

/// A source's access flag for a subject.
pub fn access_flag(
    id: i64,
    source: &str,
    observed: &str,
    subject: Subject,
    access: Access,
) -> ClaimRecord {
    let mut rec = score(id, source, observed, "x", "mmlu", 0.0);
    rec.claim.subject = subject;
    rec.claim.fact = Fact::Access {
        access,
        license: None,
    };
    rec
}

/// Small modifiers for hand-built claims.
pub trait ClaimExt {
    fn reported(self, date: &str) -> Self;
    fn by(self, evaluator: Evaluator) -> Self;
    fn variant(self, variant: &str) -> Self;
    fn setting(self, key: &str, value: &str) -> Self;
    fn system(self, system: &str, models: &[&str]) -> Self;
}

impl ClaimExt for ClaimRecord {
    fn reported(mut self, date: &str) -> Self {
        self.claim.reported_on = Some(d(date));
        self
    }

    fn by(mut self, evaluator: Evaluator) -> Self {
        self.claim.evaluator = evaluator;
        self
    }

    fn variant(mut self, variant: &str) -> Self {
        if let Fact::Score(s) = &mut self.claim.fact {
            s.variant = variant.to_owned();
        }
        self
    }

    fn setting(mut self, key: &str, value: &str) -> Self {
        if let Fact::Score(s) = &mut self.claim.fact {
            s.settings.insert(key.to_owned(), value.to_owned());
        }
        self
    }

    fn system(mut self, system: &str, models: &[&str]) -> Self {
        let name = format!("{system} ({})", models.join(" + "));
        self.claim.subject = Subject::system(name, system, models.iter().copied());
        self
    }
}

pub fn run(claims: &[ClaimRecord], story: &Story, as_of: &str) -> Analysis {
    analyze(
        &gapwatch_model::ClaimSet::from_records(claims),
        &registry(),
        story,
        d(as_of),
        &AnalysisOptions::default(),
    )
}

pub fn row<'a>(a: &'a Analysis, benchmark: &str) -> &'a ParityRow {
    a.parity
        .iter()
        .find(|r| r.benchmark == benchmark && r.variant.is_empty())
        .unwrap_or_else(|| panic!("no row for {benchmark}"))
}

pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}
