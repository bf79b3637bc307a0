//! Hand-built registries, stories and claims shared by the analysis tests.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use gapwatch_analysis::{Analysis, AnalysisOptions, CohortSide, ParityRow, RowRole, analyze};
use gapwatch_model::{
    Access, Claim, ClaimRecord, ClaimSet, Date, Evaluator, Fact, Registry, Score, Story, Subject,
    Unit,
};

/// Five closed, four open, one limited and one unknown-access model, some with release
/// dates; benchmarks with headline settings, a headline split, sub-scores, an introduction
/// date, an Elo board and an error rate where less is better.
pub const REGISTRY: &str = r#"
[[model]]
id = "gpt-4o"
name = "GPT-4o"
organization = "OpenAI"
access = "closed"
released = "2024-05-13"

[[model]]
id = "o1"
name = "o1"
organization = "OpenAI"
access = "closed"
released = "2024-12-17"

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
id = "gemini-1-5-pro"
name = "Gemini 1.5 Pro"
organization = "Google"
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
released = "2024-09-19"

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
introduced = "2020-09-07"

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
headline = { variant = "val" }

[[benchmark]]
id = "swe-bench-verified"
name = "SWE-bench Verified"
unit = "percent"
introduced = "2024-08-13"
headline = { settings = { attempts = "1" } }

[[benchmark]]
id = "mmlu-pro"
name = "MMLU-Pro"
unit = "percent"
headline = { settings = { harness = "" } }

[[benchmark]]
id = "bfcl"
name = "BFCL"
unit = "percent"
variants = ["non-live", "live", "multi-turn"]
subscores = ["live", "multi-turn"]
headline = { settings = { version = "v4" } }

[[benchmark]]
id = "tool-board"
name = "Tool board"
unit = "percent"
headline = { settings = { version = "@latest" } }

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

/// A story over `benchmarks`, parity within `parity` (a TOML inline table), with `extra`
/// TOML appended (top-level keys such as `stale_after_days` first, then forecasts).
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

/// A story with a 2-point parity margin, the default staleness window and no forecasts.
pub fn story(benchmarks: &[&str]) -> Story {
    story_with(benchmarks, r#"{ value = 2.0, unit = "points" }"#, "")
}

pub fn d(s: &str) -> Date {
    s.parse().unwrap()
}

/// Whole days as months, the way the analysis counts them.
pub fn months(days: i64) -> f64 {
    days as f64 / 30.436_875
}

fn unit_of(benchmark: &str) -> Unit {
    if benchmark == "lmarena-text" {
        Unit::Elo
    } else {
        Unit::Percent
    }
}

/// One snapshot per source and day: a stable id from both.
fn snapshot_id(source: &str, observed: Date) -> i64 {
    let hash = source
        .bytes()
        .fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b)));
    observed.days_since_epoch() * 1000 + (hash % 1000) as i64
}

/// A third-party score for a plain model, without a date of its own, observed on `observed`
/// in the snapshot of `source` taken that day.
pub fn score(
    id: i64,
    source: &str,
    observed: &str,
    model: &str,
    benchmark: &str,
    value: f64,
) -> ClaimRecord {
    let observed_on = d(observed);
    let snapshot_id = snapshot_id(source, observed_on);
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
    /// The source dates the result.
    fn reported(self, date: &str) -> Self;
    /// Who stated it.
    fn by(self, evaluator: Evaluator) -> Self;
    fn variant(self, variant: &str) -> Self;
    fn setting(self, key: &str, value: &str) -> Self;
    fn system(self, system: &str, models: &[&str]) -> Self;
    fn unit(self, unit: Unit) -> Self;
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

    fn unit(mut self, unit: Unit) -> Self {
        if let Fact::Score(s) = &mut self.claim.fact {
            s.unit = unit;
        }
        self
    }
}

pub fn run(claims: &[ClaimRecord], story: &Story, as_of: &str) -> Analysis {
    run_with(claims, story, as_of, &AnalysisOptions::default())
}

pub fn run_with(
    claims: &[ClaimRecord],
    story: &Story,
    as_of: &str,
    options: &AnalysisOptions,
) -> Analysis {
    analyze(
        &ClaimSet::from_records(claims),
        &registry(),
        story,
        d(as_of),
        options,
    )
}

/// The headline row of a benchmark.
pub fn row<'a>(a: &'a Analysis, benchmark: &str) -> &'a ParityRow {
    a.parity
        .iter()
        .find(|r| r.key.benchmark == benchmark && r.key.role == RowRole::Headline)
        .unwrap_or_else(|| panic!("no headline row for {benchmark}"))
}

/// The row of a benchmark with this role and variant.
pub fn row_of<'a>(a: &'a Analysis, benchmark: &str, role: RowRole, variant: &str) -> &'a ParityRow {
    a.parity
        .iter()
        .find(|r| r.key.benchmark == benchmark && r.key.role == role && r.key.variant == variant)
        .unwrap_or_else(|| panic!("no {role:?} row {variant:?} for {benchmark}"))
}

/// The incumbent side of a row, which must have one.
pub fn inc(r: &ParityRow) -> &CohortSide {
    r.incumbent
        .as_ref()
        .unwrap_or_else(|| panic!("no incumbent side on {:?}", r.key))
}

/// The challenger side of a row, which must have one.
pub fn chal(r: &ParityRow) -> &CohortSide {
    r.challenger
        .as_ref()
        .unwrap_or_else(|| panic!("no challenger side on {:?}", r.key))
}

pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}
