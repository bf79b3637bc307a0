//! Model cards: every table shape and trap the card adapter handles, on cards written for
//! these tests and on the `fixtures/card-*` files read with the default sources.

#![allow(clippy::unwrap_used)] // test code, inside #[test] functions or not

mod common;

use common::{defaults, run, scores, source};
use gapwatch_ingest::{Extraction, SourcesFile, Structure, extract};
use gapwatch_model::{Access, Claim, Evaluator, Fact, Registry, Score, Unit};

/// The score claims of the subject shown as `name` on `benchmark`.
fn of<'x>(x: &'x Extraction, name: &str, benchmark: &str) -> Vec<(&'x Claim, &'x Score)> {
    scores(x)
        .into_iter()
        .filter(|(c, s)| c.subject.name == name && s.benchmark == benchmark)
        .collect()
}

/// The one score of `name` on `benchmark`.
fn one<'x>(x: &'x Extraction, name: &str, benchmark: &str) -> (&'x Claim, &'x Score) {
    let found = of(x, name, benchmark);
    assert_eq!(found.len(), 1, "{name} on {benchmark}: {found:?}");
    found[0]
}

fn fixture(path: &str) -> Vec<u8> {
    std::fs::read(common::workspace().join("fixtures").join(path)).unwrap()
}

fn warnings(x: &Extraction) -> Vec<String> {
    x.warnings.iter().map(|w| w.to_string()).collect()
}

const BENCHMARKS_AS_ROWS: &str = r##"
# Lab card

## Evaluation

### Chat models

|  | Benchmark (Metric) | # Shots | Lab-1 | Rival-A | Rival-B |
|---|---|---|---|---|---|
| | Architecture | - | MoE | - | Dense |
| English | MMLU (EM) | 5-shot | **88.5** | 88.3 | 87.2 |
| | MMLU-Pro (EM) | 5-shot | 75.9 | **78.0** | 72.6 |
| Code | SWE Verified (Resolved) | - | 42.0 | **50.8** | 38.8 |
| | LiveCodeBench (Pass@1) | - | 37.6 | 32.8 | 34.2 |
"##;

const LAB: &str = r##"
[source.card]
lab = "Lab"
own_models = ["Lab-*"]
"##;

#[test]
fn benchmarks_as_rows_with_a_blank_category_header_and_the_metric_in_the_label() {
    let s = source(
        "model-card",
        &format!(
            r##"{LAB}
[[source.card.table]]
heading = "Chat models"
category = 1
label = "Benchmark (Metric)"
setting_columns = [{{ column = "# Shots", key = "shots" }}]
skip_rows = {{ Architecture = "model attribute" }}
benchmarks = {{ MMLU = "mmlu", MMLU-Pro = "mmlu-pro", "SWE Verified" = "swe-bench-verified" }}
"##
        ),
    );
    let x = run(&s, BENCHMARKS_AS_ROWS.as_bytes());
    assert_eq!(x.structure, Structure::Data);
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
    // Five rows: the attribute row is reported as skipped, LiveCodeBench as not tracked.
    assert_eq!(x.rows.len(), 5);
    assert_eq!(x.rows[0].skipped.as_deref(), Some("model attribute"));
    assert_eq!(
        x.rows[4].skipped.as_deref(),
        Some("benchmark \"LiveCodeBench (Pass@1)\" is not tracked")
    );
    assert_eq!(x.claims.len(), 9);
    let (claim, score) = one(&x, "Rival-A", "swe-bench-verified");
    assert_eq!(score.value, 50.8);
    assert_eq!(score.metric, "Resolved");
    assert!(score.settings.is_empty(), "`-` shots is no setting");
    assert_eq!(
        claim.locator,
        "table 1 row 4 (line 13) \"SWE Verified (Resolved)\" column \"Rival-A\""
    );
    let (_, mmlu) = one(&x, "Lab-1", "mmlu");
    assert_eq!((mmlu.value, mmlu.metric.as_str()), (88.5, "EM"));
    assert_eq!(mmlu.settings["shots"], "5-shot");
    // The first column holds the category, never a model.
    assert!(x.claims.iter().all(|c| c.subject.name != "English"));
}

#[test]
fn who_stated_it_the_lab_about_its_own_model_or_about_a_competitor() {
    let s = source(
        "model-card",
        &format!(
            r##"{LAB}
[[source.card.table]]
index = 1
category = 1
label = 2
skip_columns = ["# Shots"]
benchmarks = {{ MMLU = "mmlu" }}
"##
        ),
    );
    let x = run(&s, BENCHMARKS_AS_ROWS.as_bytes());
    assert_eq!(
        one(&x, "Lab-1", "mmlu").0.evaluator,
        Evaluator::SelfReported
    );
    assert_eq!(
        one(&x, "Rival-A", "mmlu").0.evaluator,
        Evaluator::Competitor
    );
    assert_eq!(Evaluator::Competitor.as_str(), "competitor-reported");
    let json = serde_json::to_string(one(&x, "Rival-B", "mmlu").0).unwrap();
    assert!(
        json.contains("\"evaluator\":\"competitor-reported\""),
        "{json}"
    );
}

#[test]
fn a_figure_taken_from_the_competitor_s_report_stays_the_card_s_claim_about_a_competitor() {
    let sources = defaults();
    let x = run(
        sources.get("card-kimi-k2").unwrap(),
        &fixture("card-kimi-k2/2025-07-11.md"),
    );
    assert!(x.warnings.is_empty(), "{:?}", warnings(&x));
    let agentic: Vec<_> = of(
        &x,
        "Claude Opus 4 (w/o extended thinking)",
        "swe-bench-verified",
    );
    let single = agentic
        .iter()
        .find(|(_, s)| {
            s.settings.get("scaffold").map(String::as_str) == Some("agentic")
                && s.settings["attempts"] == "1"
        })
        .unwrap();
    assert_eq!(single.1.value, 72.5);
    assert_eq!(single.1.settings["figure_source"], "competitor's report");
    assert_eq!(single.0.evaluator, Evaluator::Competitor);
    assert_eq!(single.0.subject.models, vec!["claude-opus-4-20250514"]);
    // Kimi's own figures are self-reported and carry no figure source.
    let (own, own_score) = one(&x, "Kimi K2 Instruct", "aider-polyglot");
    assert_eq!(own.evaluator, Evaluator::SelfReported);
    assert_eq!(own_score.value, 60.0);
    assert!(!own_score.settings.contains_key("figure_source"));
    // Bold (global best) and underline (best open) mean nothing for a claim.
    let (_, deepseek) = one(&x, "DeepSeek-V3-0324", "mmlu-pro");
    assert_eq!(deepseek.value, 81.2);
    assert_eq!(deepseek.settings.len(), 1, "{:?}", deepseek.settings);
}

#[test]
fn html_rowspan_with_a_commented_out_cell_and_colspan_section_rows() {
    let sources = defaults();
    let x = run(
        sources.get("card-kimi-k2").unwrap(),
        &fixture("card-kimi-k2/2025-07-11.md"),
    );
    // Section rows (`colspan=9`) are not rows; each rowspan row is one row.
    let labels: Vec<&str> = x.rows.iter().map(|r| r.locator.as_str()).collect();
    assert_eq!(x.rows.len(), 14, "{labels:#?}");
    // The second row of the SWE-bench rowspan keeps its label and reads its seven values
    // in the right columns despite the `<!--<td>…</td>-->` at its start.
    let multiple: Vec<_> = scores(&x)
        .into_iter()
        .filter(|(_, s)| s.settings.get("attempts").map(String::as_str) == Some("2+"))
        .map(|(c, s)| (c.subject.models[0].as_str(), s.value))
        .collect();
    assert_eq!(
        multiple,
        vec![
            ("Kimi K2 Instruct", 71.6),
            ("claude-sonnet-4-20250514", 80.2),
            ("claude-opus-4-20250514", 79.4)
        ]
    );
    let terminus: Vec<f64> = scores(&x)
        .into_iter()
        .filter(|(_, s)| s.settings.get("scaffold").map(String::as_str) == Some("Terminus"))
        .map(|(_, s)| s.value)
        .collect();
    assert_eq!(terminus, vec![25.0, 16.3, 6.6, 30.3, 16.8]);
    // `<br><sup>(…)</sup>` in a header is part of the name as shown, and names the model.
    let (claim, _) = one(&x, "Qwen3-235B-A22B (non-thinking)", "mmlu");
    assert_eq!(claim.subject.models, vec!["qwen3-235b-a22b-no-thinking"]);
    // `—` is omitted: no claim, no warning.
    assert!(
        of(&x, "Gemini 2.5 Flash Preview (05-20)", "swe-bench-verified")
            .iter()
            .all(|(_, s)| s.settings["scaffold"] == "agentless")
    );
}

#[test]
fn settings_rows_bold_italic_categories_escaped_marks_and_own_settings() {
    let sources = defaults();
    let x = run(
        sources.get("card-minimax-m1").unwrap(),
        &fixture("card-minimax-m1/2025-06-16.md"),
    );
    assert!(x.warnings.is_empty(), "{:?}", warnings(&x));
    // The Extended Thinking row is a setting of each column, not a row.
    assert_eq!(x.rows.len(), 9);
    assert!(
        x.rows
            .iter()
            .all(|r| !r.locator.contains("Extended Thinking"))
    );
    let (_, o3) = one(&x, "OpenAI-o3", "gpqa-diamond");
    assert_eq!(
        (o3.value, o3.settings["thinking_budget"].as_str()),
        (83.3, "100k")
    );
    // `8.4\*`: the escaped asterisk is the footnote's mark, a subset of HLE.
    let (_, hle) = one(&x, "MiniMax-M1-80K", "hle");
    assert_eq!(hle.value, 8.4);
    assert_eq!(hle.settings["subset"], "text-only");
    assert_eq!(hle.settings["tools"], "none");
    let (_, seed) = one(&x, "Seed-Thinking-v1.5", "hle");
    assert!(!seed.settings.contains_key("subset"));
    // The card's own SWE-bench runs used a subset and a scaffold; the others' figures did not
    // say.
    let (_, own) = one(&x, "MiniMax-M1-80K", "swe-bench-verified");
    assert_eq!(own.settings["subset"], "486 of 500 tasks");
    assert_eq!(own.settings["scaffold"], "agentless");
    let (_, opus) = one(&x, "Claude 4 Opus", "swe-bench-verified");
    assert_eq!(opus.value, 72.5);
    assert!(!opus.settings.contains_key("subset"));
}

#[test]
fn paired_values_give_two_claims_and_annotations_are_kept() {
    let sources = defaults();
    let x = run(
        sources.get("card-qwen-vl").unwrap(),
        &fixture("card-qwen-vl/2024-08-29.md"),
    );
    assert!(x.warnings.is_empty(), "{:?}", warnings(&x));
    let gemini: Vec<(f64, &str)> = of(&x, "Gemini 1.5-Pro", "video-mme")
        .into_iter()
        .map(|(_, s)| (s.value, s.settings["subtitles"].as_str()))
        .collect();
    assert_eq!(gemini, vec![(75.0, "no"), (81.3, "yes")]);
    // `Previous SoTA` is not a model; `(Coming soon)` is not part of the name.
    assert!(x.claims.iter().all(|c| !c.subject.name.contains("SoTA")));
    let (claim, mmmu) = one(&x, "Qwen2-VL-72B", "mmmu");
    assert_eq!((mmmu.variant.as_str(), mmmu.value), ("val", 64.5));
    assert_eq!(claim.subject.models, vec!["Qwen2-VL-72B-Instruct"]);
    assert!(
        one(&x, "Qwen2-VL-7B", "mmmu")
            .0
            .locator
            .ends_with("column \"Qwen2-VL-7B\"")
    );

    let s = source(
        "model-card",
        &format!(
            r##"{LAB}
[[source.card.table]]
index = 1
label = "Dataset"
benchmarks = {{ VideoMME = {{ benchmark = "video-mme", pair = [{{ subtitles = "no" }}, {{ subtitles = "yes" }}] }}, AndroidWorld = "android-world", OSWorld = "osworld" }}
"##
        ),
    );
    let x = run(&s, &fixture("card-qwen-vl/2025-04-10.md"));
    let (_, som) = one(&x, "GPT-4o", "android-world");
    assert_eq!(
        (som.value, som.settings["annotation"].as_str()),
        (34.5, "SoM")
    );
    // `-/-` is a pair of missing values; `60/62.9` a pair with a whole number.
    assert!(of(&x, "Gemini-2 Flash", "video-mme").is_empty());
    let claude: Vec<f64> = of(&x, "Claude3.5 Sonnet", "video-mme")
        .into_iter()
        .map(|(_, s)| s.value)
        .collect();
    assert_eq!(claude, vec![60.0, 62.9]);
    // A pair where the row declares none is a warning, never two guesses.
    assert!(x.warnings.is_empty(), "{:?}", warnings(&x));
    let s = source(
        "model-card",
        &format!(
            r##"{LAB}
[[source.card.table]]
index = 1
label = "Dataset"
benchmarks = {{ VideoMME = "video-mme" }}
"##
        ),
    );
    let x = run(&s, &fixture("card-qwen-vl/2025-04-10.md"));
    assert!(x.claims.is_empty());
    assert!(
        warnings(&x)
            .iter()
            .any(|w| w
                .contains("two values \"61.5/67.6\" in one cell but the row declares no `pair`")),
        "{:?}",
        warnings(&x)
    );
}

#[test]
fn every_way_of_writing_missing_is_no_value_and_no_warning() {
    let card = "| Benchmark | A | B | C | D | E | F | G | H | I |\n\
                |---|---|---|---|---|---|---|---|---|---|\n\
                | MMLU | - | -- | — | – | − | / |  | xxxx | 70.1 |\n";
    let s = source(
        "model-card",
        &format!(
            r##"{LAB}
[[source.card.table]]
index = 1
label = "Benchmark"
benchmarks = {{ MMLU = "mmlu" }}
"##
        ),
    );
    let x = run(&s, card.as_bytes());
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
    assert_eq!(x.claims.len(), 1);
    assert_eq!(one(&x, "I", "mmlu").1.value, 70.1);
    // A card may add its own words for "no value".
    let card = "| Benchmark | A | B |\n|---|---|---|\n| MMLU | n.e. | 70.1 |\n";
    let x = run(&s, card.as_bytes());
    assert_eq!(x.warnings.len(), 1, "{:?}", x.warnings);
    let s2 = source(
        "model-card",
        &format!(
            r##"{LAB}
missing = ["n.e."]
[[source.card.table]]
index = 1
label = "Benchmark"
benchmarks = {{ MMLU = "mmlu" }}
"##
        ),
    );
    let x = run(&s2, card.as_bytes());
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
    assert_eq!(x.claims.len(), 1);
}

#[test]
fn marks_add_the_meaning_their_footnote_states() {
    let card = "\
| Tasks | GPT-4V† | Lab-1 | Rival^ |
|---|---|---|---|
| MMLU<sup>*</sup> | 85.7 | **88.5** | <ins>86.0</ins> |
| GSM8K | 95.6‡ | 94.8 | 93.1 |
";
    let s = source(
        "model-card",
        &format!(
            r##"{LAB}
[[source.card.marker]]
mark = "*"
on = "benchmark"
meaning = "evaluated following a 0-shot CoT setting"
settings = {{ prompting = "0-shot CoT" }}

[[source.card.marker]]
mark = "†"
on = "model"
meaning = "proprietary model"
access = "closed"

[[source.card.marker]]
mark = "^"
meaning = "a preview checkpoint"
settings = {{ checkpoint = "preview" }}

[[source.card.marker]]
mark = "bold"
meaning = "run with majority voting"
settings = {{ voting = "majority" }}

[[source.card.marker]]
mark = "underline"
meaning = "best open-weights result"

[[source.card.table]]
index = 1
label = "Tasks"
benchmarks = {{ MMLU = "mmlu", GSM8K = "gsm8k" }}
"##
        ),
    );
    let x = run(&s, card.as_bytes());
    let (_, gpt) = one(&x, "GPT-4V", "mmlu");
    assert_eq!(gpt.settings["prompting"], "0-shot CoT");
    let (_, lab) = one(&x, "Lab-1", "mmlu");
    assert_eq!(lab.settings["voting"], "majority");
    let (_, lab_gsm) = one(&x, "Lab-1", "gsm8k");
    assert!(lab_gsm.settings.is_empty());
    let (_, rival) = one(&x, "Rival", "mmlu");
    assert_eq!(rival.settings["checkpoint"], "preview");
    assert_eq!(rival.settings.len(), 2, "underline adds nothing");
    // The proprietary mark gives the card's access claim, once.
    let access: Vec<_> = x
        .claims
        .iter()
        .filter(|c| matches!(c.fact, Fact::Access { .. }))
        .collect();
    assert_eq!(access.len(), 1);
    assert_eq!(access[0].subject.name, "GPT-4V");
    assert!(matches!(
        access[0].fact,
        Fact::Access {
            access: Access::Closed,
            ..
        }
    ));
    // `‡` is explained by no marker: the value counts, and a person is told.
    let (_, gsm) = one(&x, "GPT-4V", "gsm8k");
    assert_eq!(gsm.value, 95.6);
    assert!(
        warnings(&x)
            .iter()
            .any(|w| w.contains("mark ‡ on a value has no [[source.card.marker]]")),
        "{:?}",
        warnings(&x)
    );
}

#[test]
fn proprietary_marks_on_model_rows_inside_details_and_list_items() {
    let sources = defaults();
    let x = run(
        sources.get("card-internvl").unwrap(),
        &fixture("card-internvl/2024-02-14.md"),
    );
    assert!(x.warnings.is_empty(), "{:?}", warnings(&x));
    // The indented table inside <details>; the blank spacer row is not a row.
    assert_eq!(x.rows.len(), 7);
    let closed: Vec<&str> = x
        .claims
        .iter()
        .filter(|c| {
            matches!(
                c.fact,
                Fact::Access {
                    access: Access::Closed,
                    ..
                }
            )
        })
        .map(|c| c.subject.name.as_str())
        .collect();
    assert_eq!(
        closed,
        vec![
            "GPT-4V",
            "Gemini Ultra",
            "Gemini Pro",
            "Qwen-VL-Plus",
            "Qwen-VL-Max"
        ]
    );
    let (claim, test) = of(&x, "GPT-4V", "mmmu")
        .into_iter()
        .find(|(_, s)| s.variant == "test")
        .unwrap();
    assert_eq!(test.value, 55.7);
    assert_eq!(claim.evaluator, Evaluator::Competitor);
    assert!(
        of(&x, "InternVL-Chat-V1.2", "mmmu")
            .iter()
            .all(|(c, _)| c.evaluator == Evaluator::SelfReported)
    );
    // `image size` is not a benchmark and `1409/517` (MME) is not read.
    assert!(scores(&x).iter().all(|(_, s)| s.benchmark == "mmmu"));
}

#[test]
fn models_as_rows_with_a_qualifier_nested_header_divs_and_section_rows() {
    let sources = defaults();
    let x = run(
        sources.get("card-qwen-coder").unwrap(),
        &fixture("card-qwen-coder/2024-04-16.md"),
    );
    assert!(x.warnings.is_empty(), "{:?}", warnings(&x));
    assert_eq!(x.rows.len(), 5);
    assert_eq!(x.rows[0].subject.as_deref(), Some("CodeLlama-Base 7B"));
    // `Size` is `-` for API models: nothing is appended.
    assert_eq!(x.rows[2].subject.as_deref(), Some("GPT-3.5-Turbo"));
    let mbpp: Vec<(f64, &str)> = of(&x, "GPT-4-Turbo (Nov 2023)", "mbpp")
        .into_iter()
        .map(|(_, s)| (s.value, s.settings["shots"].as_str()))
        .collect();
    assert_eq!(mbpp, vec![(83.5, "0"), (80.0, "3")]);
    let (own, _) = one(&x, "CodeQwen1.5-Chat 7B", "humaneval-plus");
    assert_eq!(own.evaluator, Evaluator::SelfReported);
    assert_eq!(own.subject.models, vec!["codeqwen1-5-7b-chat"]);
}

#[test]
fn group_rows_give_settings_and_short_rows_are_group_rows() {
    let card = "\
**LongBench v2**
| **Model** | **overall** | **easy** |
|---|---|---|
| Human | 53.7 | 100.0 |
| **w/ CoT** | | |
| GPT-4o (11-20) | 51.4 | 54.2 |
| Deepseek-V3 | - | - |
| **w/o CoT** ||
| GPT-4o (11-20) | 50.1 | 57.4 |
| Deepseek-V3 | 48.7 | - |
";
    let s = source(
        "model-card",
        &format!(
            r##"{LAB}
[[source.card.table]]
caption = "LongBench v2"
models = "rows"
label = "Model"
skip_rows = {{ Human = "human baseline" }}
groups = {{ "w/ CoT" = {{ cot = "yes" }}, "w/o CoT" = {{ cot = "no" }} }}
benchmarks = {{ overall = "longbench-v2" }}
"##
        ),
    );
    let x = run(&s, card.as_bytes());
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
    assert_eq!(x.rows.len(), 5);
    assert_eq!(x.rows[0].skipped.as_deref(), Some("human baseline"));
    let gpt: Vec<(f64, &str)> = of(&x, "GPT-4o (11-20)", "longbench-v2")
        .into_iter()
        .map(|(_, s)| (s.value, s.settings["cot"].as_str()))
        .collect();
    assert_eq!(gpt, vec![(51.4, "yes"), (50.1, "no")]);
    assert_eq!(
        one(&x, "Deepseek-V3", "longbench-v2").1.settings["cot"],
        "no"
    );
}

#[test]
fn multi_row_headers_combine_into_one_name_per_column() {
    let card = "\
<table>
<thead>
<tr><th rowspan=\"2\">Model</th><th colspan=\"2\">MMMU</th><th rowspan=\"2\">GPQA</th></tr>
<tr><th>val</th><th>test</th></tr>
</thead>
<tbody>
<tr><td>Lab-1</td><td>64.5</td><td>60.1</td><td>51.0</td></tr>
<tr><td>Rival-A</td><td>69.1</td><td>-</td><td>53.6</td></tr>
</tbody>
</table>
";
    let s = source(
        "model-card",
        &format!(
            r##"{LAB}
[[source.card.table]]
header_has = ["MMMU", "val"]
models = "rows"
benchmarks = {{ "MMMU / val" = {{ benchmark = "mmmu", variant = "val" }}, "MMMU / test" = {{ benchmark = "mmmu", variant = "test" }} }}
"##
        ),
    );
    let x = run(&s, card.as_bytes());
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
    let lab: Vec<(&str, f64)> = of(&x, "Lab-1", "mmmu")
        .into_iter()
        .map(|(_, s)| (s.variant.as_str(), s.value))
        .collect();
    assert_eq!(lab, vec![("val", 64.5), ("test", 60.1)]);
    assert_eq!(of(&x, "Rival-A", "mmmu").len(), 1);
    // A Markdown table whose second line continues the header.
    let card =
        "| | MMMU | MMMU |\n|---|---|---|\n| Model | val | test |\n| Lab-1 | 64.5 | 60.1 |\n";
    let s = source(
        "model-card",
        &format!(
            r##"{LAB}
[[source.card.table]]
index = 1
header_rows = 2
models = "rows"
benchmarks = {{ "MMMU / test" = {{ benchmark = "mmmu", variant = "test" }} }}
"##
        ),
    );
    let x = run(&s, card.as_bytes());
    assert_eq!(one(&x, "Lab-1", "mmmu").1.value, 60.1);
}

#[test]
fn less_is_better_rows_are_read_only_when_declared() {
    let card = "| Benchmark (Metric) | Lab-1 | Rival-A |\n|---|---|---|\n\
                | Pile-test (BPB) | 0.548 | 0.542 |\n| Librispeech (WER) | 1.6 | 2.1 |\n";
    let undeclared = source(
        "model-card",
        &format!(
            r##"{LAB}
[[source.card.table]]
index = 1
benchmarks = {{ Pile-test = {{ benchmark = "pile-test", unit = "score" }} }}
"##
        ),
    );
    let x = run(&undeclared, card.as_bytes());
    assert!(x.claims.is_empty());
    assert!(
        warnings(&x).iter().any(|w| w.contains(
            "BPB is less-is-better but the row's target does not declare `lower_is_better`"
        )),
        "{:?}",
        warnings(&x)
    );
    let declared = source(
        "model-card",
        &format!(
            r##"{LAB}
[[source.card.table]]
index = 1
benchmarks = {{ Pile-test = {{ benchmark = "pile-test", unit = "score", lower_is_better = true }}, Librispeech = {{ benchmark = "librispeech", unit = "score", lower_is_better = true }} }}
"##
        ),
    );
    let x = run(&declared, card.as_bytes());
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
    let (_, bpb) = one(&x, "Rival-A", "pile-test");
    assert_eq!(
        (bpb.value, bpb.unit, bpb.metric.as_str()),
        (0.542, Unit::Score, "BPB")
    );
    assert_eq!(one(&x, "Lab-1", "librispeech").1.value, 1.6);
}

#[test]
fn colspan_cells_without_a_value_unclosed_cells_and_benchmark_marks() {
    let sources = defaults();
    let x = run(
        sources.get("card-llama-4").unwrap(),
        &fixture("card-llama-4/2025-04-05.md"),
    );
    assert!(x.warnings.is_empty(), "{:?}", warnings(&x));
    // `No multimodal support` spans the two Llama 3 columns: no value for either.
    assert!(of(&x, "Llama 3.3 70B", "mmmu").is_empty());
    let (_, pro) = one(&x, "Llama 4 Maverick", "mmmu-pro");
    assert_eq!(pro.value, 59.6);
    assert_eq!(pro.settings["aggregate"], "average of standard and vision");
    // The same header names a base model in one table and an instruct model in the other.
    let mmlu_pro: Vec<&str> = of(&x, "Llama 4 Scout", "mmlu-pro")
        .into_iter()
        .map(|(c, _)| c.subject.models[0].as_str())
        .collect();
    assert_eq!(
        mmlu_pro,
        vec!["llama-4-scout-17b-16e", "llama-4-scout-17b-16e-instruct"]
    );
    // The rowspan category is no model, and the table after an unclosed <td> is found.
    assert!(
        x.claims
            .iter()
            .all(|c| !c.subject.name.contains("Reasoning"))
    );
    let sources = defaults();
    let x = run(
        sources.get("card-llama-3-1").unwrap(),
        &fixture("card-llama-3-1/2024-09-24.md"),
    );
    assert!(x.warnings.is_empty(), "{:?}", warnings(&x));
    // `GPQA` (subset unstated) and the multilingual MMLU table are not read.
    assert!(
        scores(&x)
            .iter()
            .all(|(_, s)| s.benchmark != "gpqa-diamond")
    );
    assert_eq!(
        of(&x, "Llama 3.1 8B", "mmlu").len(),
        1,
        "the base table only"
    );
    let cot = of(&x, "Llama 3.1 405B Instruct", "mmlu")
        .into_iter()
        .find(|(_, s)| s.settings.contains_key("cot"))
        .unwrap();
    assert_eq!(cot.1.value, 88.6);
}

#[test]
fn non_model_columns_access_columns_and_a_tab_in_a_cell() {
    let sources = defaults();
    let x = run(
        sources.get("card-deepseek-v2").unwrap(),
        &fixture("card-deepseek-v2/2024-05-17.md"),
    );
    assert!(x.warnings.is_empty(), "{:?}", warnings(&x));
    assert!(x.claims.iter().all(|c| c.subject.name != "Domain"));
    // The cell `48.2\t` reads as 48.2.
    assert_eq!(one(&x, "LLaMA3 70B", "humaneval").1.value, 48.2);
    // The same header is the base model in one table and the instruct model in another.
    let mixtral: Vec<&str> = scores(&x)
        .into_iter()
        .filter(|(c, _)| c.subject.name == "Mixtral 8x22B")
        .map(|(c, _)| c.subject.models[0].as_str())
        .collect();
    assert!(mixtral.contains(&"Mixtral-8x22B-v0.1"));
    assert!(mixtral.contains(&"Mixtral-8x22B-Instruct-v0.1"));
    // The explicit open/closed column: the card's access statements.
    let access: Vec<(&str, Access)> = x
        .claims
        .iter()
        .filter_map(|c| match c.fact {
            Fact::Access { access, .. } => Some((c.subject.name.as_str(), access)),
            Fact::Score(_) => None,
        })
        .collect();
    assert_eq!(
        access,
        vec![
            ("gpt-4-1106-preview", Access::Closed),
            ("DeepSeek-V2 Chat (RL)", Access::OpenWeights),
            ("erniebot-4.0-202404", Access::Closed),
            ("moonshot-v1-32k-202404", Access::Closed),
            ("Qwen1.5-72B-Chat", Access::OpenWeights),
            ("DeepSeek-V2-Lite 16B Chat", Access::OpenWeights),
        ]
    );
}

#[test]
fn setting_columns_drop_citations_and_one_model_on_three_rows_stays_three_results() {
    let sources = defaults();
    let x = run(
        sources.get("card-glm-4").unwrap(),
        &fixture("card-glm-4/2025-04-14.md"),
    );
    assert!(x.warnings.is_empty(), "{:?}", warnings(&x));
    let swe: Vec<(&str, f64)> = of(&x, "GLM-4-32B-0414", "swe-bench-verified")
        .into_iter()
        .map(|(_, s)| (s.settings["scaffold"].as_str(), s.value))
        .collect();
    assert_eq!(
        swe,
        vec![("Moatless", 33.8), ("Agentless", 30.7), ("OpenHands", 27.2)]
    );
    let (_, bfcl) = one(&x, "GPT-4o-1120", "bfcl");
    assert_eq!(
        (bfcl.variant.as_str(), bfcl.value),
        ("v3, as reported", 69.6)
    );
}

#[test]
fn tables_are_picked_by_heading_caption_header_cell_number_and_nth() {
    let card = "\
# Card
## Results
**First**
| Benchmark | Lab-1 |
|---|---|
| MMLU | 70.0 |

**Second**
| Benchmark | Lab-1 |
|---|---|
| MMLU | 71.0 |

## Other
| Task | Lab-1 |
|---|---|
| MMLU | 72.0 |
";
    let pick = |selector: &str| -> Vec<f64> {
        let s = source(
            "model-card",
            &format!(
                "{LAB}\n[[source.card.table]]\n{selector}\nbenchmarks = {{ MMLU = \"mmlu\" }}\n"
            ),
        );
        scores(&run(&s, card.as_bytes()))
            .into_iter()
            .map(|(_, s)| s.value)
            .collect()
    };
    assert_eq!(pick("heading = \"Results\""), vec![70.0, 71.0]);
    assert_eq!(pick("heading = \"Results\"\nnth = 2"), vec![71.0]);
    assert_eq!(pick("caption = \"first\""), vec![70.0]);
    assert_eq!(pick("header_has = [\"Task\"]"), vec![72.0]);
    assert_eq!(pick("index = 2"), vec![71.0]);
    assert_eq!(
        pick("heading = [\"Other\", \"Results\"]"),
        vec![70.0, 71.0, 72.0]
    );

    // No match: a warning that names the card table, and the reason as the structure.
    let s = source(
        "model-card",
        &format!(
            "{LAB}\n[[source.card.table]]\nheading = \"Missing\"\nbenchmarks = {{ MMLU = \"mmlu\" }}\n"
        ),
    );
    let x = run(&s, card.as_bytes());
    assert_eq!(
        x.structure,
        Structure::Empty {
            reason: "0 rows: no table of the card matches heading Missing".to_owned()
        }
    );
    assert!(warnings(&x)[0].contains("card table 1 (heading Missing) matched no table"));
    // Unless the table is optional: only the empty structure is reported.
    let s = source(
        "model-card",
        &format!(
            "{LAB}\n[[source.card.table]]\nheading = \"Missing\"\noptional = true\nbenchmarks = {{ MMLU = \"mmlu\" }}\n"
        ),
    );
    assert_eq!(run(&s, card.as_bytes()).warnings.len(), 1);
    let x = run(&s, b"# A card without tables\n");
    assert_eq!(
        x.structure,
        Structure::Empty {
            reason: "0 rows: the card has no table".to_owned()
        }
    );
}

#[test]
fn values_outside_their_unit_are_refused_and_fractions_scale() {
    let card = "| Benchmark | Lab-1 | Rival-A |\n|---|---|---|\n\
                | OCRBench | 855 | 736 |\n| Ruler 4k | 0.963 | 0.970 |\n| Codeforces (Rating) | 2029 | 2061 |\n";
    let s = source(
        "model-card",
        &format!(
            r##"{LAB}
[[source.card.table]]
index = 1
benchmarks = {{ OCRBench = "ocrbench", "Ruler 4k" = {{ benchmark = "ruler", fraction = true }}, "Codeforces (Rating)" = {{ benchmark = "codeforces", unit = "elo" }} }}
"##
        ),
    );
    let x = run(&s, card.as_bytes());
    assert!(of(&x, "Lab-1", "ocrbench").is_empty());
    assert!(
        warnings(&x)
            .iter()
            .any(|w| w.contains("855 is outside 0–100 for a percent")),
        "{:?}",
        warnings(&x)
    );
    assert_eq!(one(&x, "Rival-A", "ruler").1.value, 97.0);
    let (_, cf) = one(&x, "Lab-1", "codeforces");
    assert_eq!((cf.value, cf.unit), (2029.0, Unit::Elo));
}

#[test]
fn repeated_results_are_kept_and_noted() {
    let card = "### A\n| Benchmark | Lab-1 |\n|---|---|\n| MMLU | 70.0 |\n\n### B\n| Benchmark | Lab-1 |\n|---|---|\n| MMLU | 71.0 |\n";
    let s = source(
        "model-card",
        &format!(
            "{LAB}\n[[source.card.table]]\nheader_has = [\"Benchmark\"]\nbenchmarks = {{ MMLU = \"mmlu\" }}\n"
        ),
    );
    let x = run(&s, card.as_bytes());
    assert_eq!(x.claims.len(), 2);
    assert!(
        x.rows[1].warnings[0]
            .starts_with("same subject, settings and benchmark mmlu as table 1 row 1")
    );
    // A duplicate is a note on the row, not a run warning.
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
}

#[test]
fn card_configurations_that_cannot_work_are_refused_with_the_reason() {
    let refused = |body: &str| -> String {
        let text = format!(
            "[[source]]\nid = \"card\"\npublisher = \"Lab\"\ntitle = \"Card\"\n\
             url = \"https://example.org/README.md\"\nformat = \"model-card\"\n{body}"
        );
        match SourcesFile::from_toml_str(&text, "sources.toml") {
            Ok(_) => panic!("accepted: {body}"),
            Err(e) => e.to_string(),
        }
    };
    let table = "[[source.card.table]]\nindex = 1\nbenchmarks = { MMLU = \"mmlu\" }\n";
    assert!(refused("").contains("a model-card source needs [source.card]"));
    assert!(
        refused(&format!(
            "[source.card]\nlab = \"Lab\"\nown_models = []\n{table}"
        ))
        .contains("needs `own_models`")
    );
    assert!(
        refused(&format!(
            "[source.subject]\nname = \"Model\"\n[source.card]\nlab = \"Lab\"\nown_models = [\"L*\"]\n{table}"
        ))
        .contains("[source.subject] does not apply to a model-card source")
    );
    assert!(
        refused("[source.card]\nlab = \"Lab\"\nown_models = [\"L*\"]\n[[source.card.table]]\nbenchmarks = { MMLU = \"mmlu\" }\n")
            .contains("say which table")
    );
    assert!(
        refused(&format!(
            "[source.card]\nlab = \"Lab\"\nown_models = [\"L*\"]\n[[source.card.marker]]\nmark = \"*\"\nmeaning = \"\"\n{table}"
        ))
        .contains("needs `meaning`")
    );
    assert!(
        refused("[source.card]\nlab = \"Lab\"\nown_models = [\"L*\"]\n[[source.card.table]]\nindex = 1\nbenchmarks = { V = { benchmark = \"video-mme\", pair = [{ subtitles = \"no\" }] } }\n")
            .contains("exactly two values")
    );
    // And a card belongs to a model-card source only.
    let text = "[[source]]\nid = \"x\"\npublisher = \"P\"\ntitle = \"T\"\nurl = \"https://e.org\"\n\
                format = \"markdown\"\n[source.subject]\nname = \"Model\"\n[[source.score]]\n\
                field = \"S\"\nbenchmark = \"mmlu\"\nmetric = \"accuracy\"\n\
                [source.card]\nlab = \"Lab\"\nown_models = [\"L*\"]\n[[source.card.table]]\nindex = 1\nbenchmarks = { MMLU = \"mmlu\" }\n";
    let e = SourcesFile::from_toml_str(text, "sources.toml").unwrap_err();
    assert!(
        e.to_string()
            .contains("[source.card] applies to a model-card source"),
        "{e}"
    );
}

#[test]
fn card_claims_land_on_registry_models_and_benchmarks_for_a_parity_row() {
    // What a parity row stated on "labs' own figures" needs: the figure, the benchmark id,
    // the model the registry knows, who stated it, and the row it came from.
    let registry = Registry::builtin().unwrap();
    let sources = defaults();
    let x = run(
        sources.get("card-deepseek-v3").unwrap(),
        &fixture("card-deepseek-v3/2024-12-26.md"),
    );
    assert!(x.warnings.is_empty(), "{:?}", warnings(&x));
    let resolve = |c: &Claim| registry.resolve_model_name(&c.subject.models[0]).id();
    let (claude, swe) = one(&x, "Claude-3.5-Sonnet-1022", "swe-bench-verified");
    assert_eq!(resolve(claude), Some("claude-3-5-sonnet-20241022"));
    assert_eq!(swe.value, 50.8);
    assert!(registry.benchmark(&swe.benchmark).is_some());
    let (v3, own) = one(&x, "DeepSeek V3", "swe-bench-verified");
    assert_eq!(resolve(v3), Some("deepseek-v3"));
    assert_eq!((own.value, v3.evaluator), (42.0, Evaluator::SelfReported));
    // In the base table the same lab's "DeepSeek-V3" is the base model.
    let (base, _) = one(&x, "DeepSeek-V3", "mmlu");
    assert_eq!(resolve(base), Some("deepseek-v3-base"));
    assert!(
        base.locator
            .starts_with("table 2 row 6 (line 23) \"MMLU (Acc.)\"")
    );
    // Every claim of every card fixture names a benchmark the registry knows and, but for
    // a model the lab never released, a model it knows.
    for (id, file) in [
        ("card-deepseek-v2", "card-deepseek-v2/2024-05-17.md"),
        ("card-deepseek-v3", "card-deepseek-v3/2024-12-26.md"),
        ("card-glm-4", "card-glm-4/2025-04-14.md"),
        ("card-internvl", "card-internvl/2024-02-14.md"),
        ("card-kimi-k2", "card-kimi-k2/2025-07-11.md"),
        ("card-llama-3-1", "card-llama-3-1/2024-09-24.md"),
        ("card-llama-4", "card-llama-4/2025-04-05.md"),
        ("card-minimax-01", "card-minimax-01/2025-01-15.md"),
        ("card-minimax-m1", "card-minimax-m1/2025-06-16.md"),
        ("card-qwen-coder", "card-qwen-coder/2024-04-16.md"),
        ("card-qwen-vl", "card-qwen-vl/2025-04-10.md"),
    ] {
        let x = extract(sources.get(id).unwrap(), &fixture(file)).unwrap();
        for (c, s) in scores(&x) {
            assert!(
                registry.benchmark(&s.benchmark).is_some(),
                "{id}: {}",
                s.benchmark
            );
            let unreleased = c.subject.name == "DeepSeek-V2 Chat (SFT)"
                || c.subject.name == "Seed-Thinking-v1.5";
            assert!(
                unreleased || resolve(c).is_some(),
                "{id}: {} does not resolve",
                c.subject.models[0]
            );
        }
    }
}

#[test]
fn cells_closed_on_the_next_line_or_never_closed_read_like_any_other() {
    let card = "<table>\n  <tr>\n   <td><strong>Benchmark</strong>\n   </td>\n   <td><strong>Lab-1</strong>\n   </td>\n   <td><strong>Rival-A</strong>\n  </tr>\n  <tr>\n   <td>MMLU\n   </td>\n   <td>66.7\n   <td>79.5\n  </tr>\n</table>\n";
    let s = source(
        "model-card",
        &format!("{LAB}\n[[source.card.table]]\nindex = 1\nbenchmarks = {{ MMLU = \"mmlu\" }}\n"),
    );
    let x = run(&s, card.as_bytes());
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
    assert_eq!(one(&x, "Lab-1", "mmlu").1.value, 66.7);
    assert_eq!(one(&x, "Rival-A", "mmlu").1.value, 79.5);
}

#[test]
fn settings_at_the_end_of_a_model_name_come_off_by_the_source_s_setting_rules() {
    let card = "| Benchmark | Lab-1 | Qwen3-235B-A22B (non-thinking) | Qwen3-235B-A22B (thinking) |\n\
                |---|---|---|---|\n| GPQA Diamond | 70.0 | 62.9 | 71.1 |\n";
    let s = source(
        "model-card",
        &format!(
            r##"[[source.setting]]
key = "thinking"
name_suffix = "({{}})"
values = ["non-thinking"]
{LAB}
[[source.card.table]]
index = 1
benchmarks = {{ "GPQA Diamond" = "gpqa-diamond" }}
"##
        ),
    );
    let x = run(&s, card.as_bytes());
    let qwen = of(&x, "Qwen3-235B-A22B", "gpqa-diamond");
    assert_eq!(qwen.len(), 1);
    assert_eq!(qwen[0].1.settings["thinking"], "non-thinking");
    // A value the rule does not list stays part of the name.
    assert_eq!(
        one(&x, "Qwen3-235B-A22B (thinking)", "gpqa-diamond")
            .1
            .value,
        71.1
    );
}

/// The `model-card` section of `docs/sources.md`: its entry, and its worked examples as
/// (title, input, entry).
fn documented() -> (String, Vec<(String, String, String)>) {
    let text = std::fs::read_to_string(common::workspace().join("docs/sources.md")).unwrap();
    let cards = text.split("\n## Model cards\n").nth(1).unwrap();
    let blocks = |section: &str| -> Vec<(String, String)> {
        section
            .split("```")
            .skip(1)
            .step_by(2)
            .map(|b| {
                let (lang, body) = b.split_once('\n').unwrap();
                (lang.trim().to_owned(), body.to_owned())
            })
            .collect()
    };
    let entry = cards.split("\n### An entry\n").nth(1).unwrap();
    let entry = blocks(entry)[0].1.clone();
    let worked = cards.split("\n### Worked examples\n").nth(1).unwrap();
    let worked = worked.split("\n### Checking a card").next().unwrap();
    let examples = worked
        .split("\n#### ")
        .skip(1)
        .map(|section| {
            let title = section.lines().next().unwrap().to_owned();
            let b = blocks(section);
            let toml = b.iter().find(|(l, _)| l == "toml").unwrap().1.clone();
            (title, b[0].1.clone(), toml)
        })
        .collect();
    (entry, examples)
}

#[test]
fn the_documented_entry_reads_and_the_worked_examples_extract_what_the_text_says() {
    let (entry, examples) = documented();
    let file = SourcesFile::from_toml_str(&entry, "docs/sources.md").unwrap();
    let card = file.sources[0].card.as_ref().unwrap();
    assert_eq!(
        card.markers[0].settings["figure_source"],
        "competitor's report"
    );

    assert_eq!(examples.len(), 8, "one per table shape");
    for (title, input, toml) in examples {
        let file = SourcesFile::from_toml_str(&toml, &title).unwrap_or_else(|e| panic!("{e}"));
        let x = extract(&file.sources[0], input.as_bytes()).unwrap();
        assert_eq!(x.structure, Structure::Data, "{title}");
        assert!(x.warnings.is_empty(), "{title}: {:?}", x.warnings);
        let value = |name: &str, benchmark: &str| -> Vec<f64> {
            of(&x, name, benchmark)
                .iter()
                .map(|(_, s)| s.value)
                .collect()
        };
        let who = |name: &str| -> Evaluator {
            scores(&x)
                .into_iter()
                .find(|(c, _)| c.subject.name == name)
                .unwrap()
                .0
                .evaluator
        };
        match title.split(',').next().unwrap() {
            "Benchmarks as rows" => {
                assert_eq!(
                    value("Claude-3.5-Sonnet-1022", "swe-bench-verified"),
                    vec![50.8]
                );
                assert_eq!(one(&x, "GPT-4o 0513", "mmlu").1.metric, "EM");
                assert_eq!(who("DeepSeek V3"), Evaluator::SelfReported);
                assert_eq!(who("GPT-4o 0513"), Evaluator::Competitor);
                assert_eq!(x.rows.len(), 4);
            }
            "Models as rows" => {
                assert_eq!(value("GPT-4-Turbo (Nov 2023)", "humaneval"), vec![85.4]);
                assert_eq!(who("CodeQwen1.5-Chat 7B"), Evaluator::SelfReported);
                assert_eq!(x.rows.len(), 2);
            }
            "HTML with a rowspan" => {
                assert_eq!(
                    value("Kimi K2 Instruct", "swe-bench-verified"),
                    vec![65.8, 71.6]
                );
                let opus = of(
                    &x,
                    "Claude Opus 4 (w/o extended thinking)",
                    "swe-bench-verified",
                );
                assert_eq!(opus.len(), 2);
                assert!(
                    opus.iter()
                        .all(|(c, s)| c.evaluator == Evaluator::Competitor
                            && s.settings["figure_source"] == "competitor's report")
                );
                assert_eq!(opus[1].1.settings["attempts"], "2+");
            }
            "A settings row" => {
                let (_, o3) = one(&x, "OpenAI-o3", "gpqa-diamond");
                assert_eq!(
                    (o3.value, o3.settings["thinking_budget"].as_str()),
                    (83.3, "100k")
                );
                let (_, hle) = one(&x, "MiniMax-M1-80K", "hle");
                assert_eq!(
                    (hle.value, hle.settings["subset"].as_str()),
                    (8.4, "text-only")
                );
            }
            "Paired values and an annotation" => {
                assert_eq!(value("Qwen2.5-VL-72B", "video-mme"), vec![73.3, 79.1]);
                assert_eq!(
                    one(&x, "GPT-4o", "android-world").1.settings["annotation"],
                    "SoM"
                );
            }
            "Models as rows inside `<details>`" => {
                assert_eq!(value("GPT-4V", "mmmu"), vec![56.8, 55.7]);
                assert_eq!(x.rows.len(), 2);
                assert!(x.claims.iter().any(|c| c.subject.name == "GPT-4V"
                    && matches!(
                        c.fact,
                        Fact::Access {
                            access: Access::Closed,
                            ..
                        }
                    )));
            }
            "An open/closed column in a table of models" => {
                assert_eq!(value("erniebot-4.0-202404", "alignbench"), vec![7.89]);
                assert_eq!(who("DeepSeek-V2 Chat (RL)"), Evaluator::SelfReported);
                assert!(
                    x.claims
                        .iter()
                        .any(|c| c.subject.name == "gpt-4-1106-preview"
                            && matches!(
                                c.fact,
                                Fact::Access {
                                    access: Access::Closed,
                                    ..
                                }
                            ))
                );
            }
            "A multi-row HTML header" => {
                assert_eq!(value("InternVL-Chat-V1.2", "mmmu"), vec![51.6, 46.2]);
                assert_eq!(value("Gemini Ultra", "mmmu"), vec![59.4]);
            }
            other => panic!("no check for the example {other:?}"),
        }
    }
}
