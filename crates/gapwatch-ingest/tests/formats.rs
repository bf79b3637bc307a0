//! Every format, read through a source configuration: where the rows are and how columns
//! and fields are found.

#![allow(clippy::unwrap_used)] // test code, inside #[test] functions or not

mod common;

use common::{access_of, run, score_of, scores, source};
use gapwatch_ingest::Structure;
use gapwatch_model::{Access, Date, Unit};

fn d(s: &str) -> Date {
    s.parse().unwrap()
}

#[test]
fn html_multi_row_header_with_rowspan_and_colspan() {
    // Two header rows: `Name` spans both; the groups span their columns.
    let page = r##"<html><body>
      <table id="board">
        <thead>
          <tr><th rowspan="2">Name</th><th rowspan="2">Date</th>
              <th colspan="2">MMMU-Pro</th><th colspan="2">MMMU(Val)</th></tr>
          <tr><th>Overall</th><th>Vision</th><th>Overall</th><th>Art</th></tr>
        </thead>
        <tbody>
          <tr><td>GPT-4o</td><td>2024-05-13</td><td>51.9</td><td>-</td><td>69.1</td><td>70</td></tr>
          <tr><td>Qwen2-VL-72B</td><td>2024-09-19</td><td>46.2</td><td>26.9</td><td>64.5</td><td>-</td></tr>
        </tbody>
      </table></body></html>"##;
    let src = source(
        "html",
        r##"
[[source.table]]
selector = "#board"

[source.subject]
name = "Name"

[[source.score]]
field = "MMMU-Pro / Overall"
benchmark = "mmmu-pro"
metric = "accuracy"

[[source.score]]
field = "MMMU(Val) / Overall"
benchmark = "mmmu"
variant = "val"
metric = "accuracy"

[source.date]
field = "date"
"##,
    );
    let x = run(&src, page.as_bytes());
    assert_eq!(x.structure, Structure::Data);
    assert_eq!(x.rows.len(), 2);
    assert_eq!(score_of(&x, "GPT-4o", "mmmu-pro")[0].value, 51.9);
    let val = score_of(&x, "Qwen2-VL-72B", "mmmu")[0];
    assert_eq!((val.value, val.variant.as_str()), (64.5, "val"));
    let (claim, _) = scores(&x)[0];
    assert_eq!(claim.reported_on, Some(d("2024-05-13")));
    assert_eq!(claim.locator, "table#board tr[3] \"MMMU-Pro / Overall\"");
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
}

#[test]
fn html_columns_by_position_and_header_made_of_td() {
    // No <thead>, no <th>: the first row is the header; columns 1 and 2 by position.
    let page = "<table id=t><tr><td><strong>Reset</strong></td><td><b>Overall</b></td></tr>\
                <tr><td>Model A</td><td>40.1</td></tr><tr><td>Model B</td><td>38</td></tr></table>";
    let src = source(
        "html",
        r##"
[[source.table]]
selector = "table#t"

[source.subject]
name = 1

[[source.score]]
field = 2
benchmark = "mmmu"
metric = "accuracy"
"##,
    );
    let x = run(&src, page.as_bytes());
    let got: Vec<(String, f64)> = scores(&x)
        .iter()
        .map(|(c, s)| (c.subject.name.clone(), s.value))
        .collect();
    assert_eq!(
        got,
        vec![("Model A".into(), 40.1), ("Model B".into(), 38.0)]
    );
}

#[test]
fn html_section_rows_and_comments_are_not_rows() {
    let page = r##"<table id="t">
      <tr><td>Model</td><td>Overall</td></tr>
      <tr><td>A</td><td>50</td></tr>
      <!-- <tr><td>Commented out</td><td>99</td></tr> -->
      <tr><td colspan="2">Large Language Models: only text as input</td></tr>
      <tr><td>B <!-- old name --></td><td>40</td></tr>
    </table>"##;
    let src = source(
        "html",
        r##"
[[source.table]]
selector = "#t"
[source.subject]
name = "Model"
[[source.score]]
field = "Overall"
benchmark = "mmmu"
metric = "accuracy"
"##,
    );
    let x = run(&src, page.as_bytes());
    let names: Vec<_> = x.rows.iter().map(|r| r.subject.clone().unwrap()).collect();
    assert_eq!(names, vec!["A", "B"]);
}

#[test]
fn html_embedded_json_in_a_script() {
    let page = r##"<html><head><script src="x.js"></script>
      <script type="application/json" id="leaderboard-data">
        [{"name": "Verified", "results": [
          {"name": "Agent + gpt-5", "resolved": 71.8, "date": "2025-08-07", "tags": ["Model: gpt-5"]}]},
         {"name": "Lite", "results": [{"name": "Other", "resolved": 40.0, "date": "2025-01-01"}]}]
      </script></head><body><div id="app"></div></body></html>"##;
    let src = source(
        "html-embedded-json",
        r##"
script = "script#leaderboard-data"
groups = "$[*]"
group_name = "name"
rows = "$.results[*]"

[source.subject]
name = "name"
kind = "system"
model_tags = { field = "tags", prefix = "Model: " }
system_separator = " + "

[[source.score]]
field = "resolved"
benchmark_from = "@group"
benchmarks = { Verified = "swe-bench-verified", Lite = "swe-bench-lite" }
metric = "resolved"
"##,
    );
    let x = run(&src, page.as_bytes());
    let (claim, score) = scores(&x)[0];
    assert_eq!(score.benchmark, "swe-bench-verified");
    assert_eq!(claim.subject.system.as_deref(), Some("Agent"));
    assert_eq!(claim.subject.models, vec!["gpt-5"]);
    assert_eq!(claim.locator, "$[name=Verified].results[0] \"resolved\"");
    assert_eq!(score_of(&x, "Other", "swe-bench-lite")[0].value, 40.0);
}

#[test]
fn html_embedded_json_as_a_script_assignment() {
    let page = "<script>window.BOARD = [{\"m\": \"A\", \"s\": \"12.5%\"}];</script>";
    let src = source(
        "html-embedded-json",
        r##"
script = "script"
[source.subject]
name = "m"
[[source.score]]
field = "s"
benchmark = "hle"
metric = "accuracy"
"##,
    );
    let x = run(&src, page.as_bytes());
    assert_eq!(score_of(&x, "A", "hle")[0].value, 12.5);
}

#[test]
fn json_with_jsonpath_groups_and_dotted_fields() {
    let doc = r##"{"leaderboardData": [
        {"info": {"name": "GPT-4o", "date": "2024-05-13", "type": "proprietary"},
         "validation": {"overall": "69.1", "source": "author"}, "test": {"overall": "-"}},
        {"info": {"name": "Qwen2-VL-72B", "date": "2024-09-19", "type": "open_source"},
         "validation": {"overall": "64.5"}}]}"##;
    let src = source(
        "json",
        r##"
rows = "$.leaderboardData[*]"
[source.subject]
name = "info.name"
[[source.score]]
field = "validation.overall"
benchmark = "mmmu"
variant = "val"
metric = "accuracy"
[[source.score]]
field = "test.overall"
benchmark = "mmmu"
variant = "test"
metric = "accuracy"
[source.access]
field = "info.type"
values = { open_source = "open-weights", proprietary = "closed" }
"##,
    );
    let x = run(&src, doc.as_bytes());
    // "-" is missing: one score per row.
    assert_eq!(x.score_rows(), 2);
    assert_eq!(scores(&x).len(), 2);
    assert_eq!(
        scores(&x)[0].0.locator,
        "leaderboardData[0] \"validation.overall\""
    );
    assert_eq!(
        access_of(&x, "Qwen2-VL-72B"),
        vec![(Access::OpenWeights, None)]
    );
    assert_eq!(access_of(&x, "GPT-4o"), vec![(Access::Closed, None)]);
}

#[test]
fn json_keyed_rows_take_their_name_from_the_key() {
    let doc = r##"{"full": {"gpt-4o-2024-05-13": {"rating": 1287.4, "rating_q025": 1284.0, "rating_q975": 1291.0},
                           "llama-3.1-405b": {"rating": 1251.2, "rating_q025": 1248.0, "rating_q975": 1254.0}},
                  "coding": {"gpt-4o-2024-05-13": {"rating": 1300.0}}}"##;
    let src = source(
        "json",
        r##"
rows = "$.full"
keyed = true
[source.subject]
name = "@key"
[[source.score]]
field = "rating"
benchmark = "lmarena-text"
metric = "rating"
unit = "elo"
interval = ["rating_q025", "rating_q975"]
"##,
    );
    let x = run(&src, doc.as_bytes());
    assert_eq!(x.rows.len(), 2);
    let s = score_of(&x, "gpt-4o-2024-05-13", "lmarena-text")[0];
    assert_eq!(
        (s.value, s.unit, s.uncertainty),
        (1287.4, Unit::Elo, Some(3.5))
    );
    assert_eq!(x.rows[0].locator, "full.gpt-4o-2024-05-13");
}

#[test]
fn csv_with_bom_quoted_multiline_cells_and_dmy_dates() {
    let csv = "\u{feff}Agent,Model version,Score,Notes (details),Date added\n\
               OpenAI CUA (200 steps),CUA,38.100,\"first line\nsecond line, with a comma\",24/1/2025\n\
               \"Claude 3.7 Sonnet (100 steps)\",claude-3-7-sonnet-20250219,28.000,,24/2/2025\n";
    let src = source(
        "csv",
        r##"
[source.subject]
name = "Agent"
kind = "system"
models = "Model version"
[[source.score]]
field = "Score"
benchmark = "osworld"
metric = "success rate"
[[source.setting]]
key = "steps"
name_suffix = "({} steps)"
[source.date]
field = "Date added"
order = "day-month-year"
"##,
    );
    let x = run(&src, csv.as_bytes());
    assert_eq!(x.rows.len(), 2, "a quoted line break is not a new row");
    let (claim, score) = scores(&x)[0];
    assert_eq!(claim.subject.name, "OpenAI CUA");
    assert_eq!(claim.subject.models, vec!["CUA"]);
    assert_eq!(score.settings["steps"], "200");
    assert_eq!(score.value, 38.1);
    assert_eq!(claim.reported_on, Some(d("2025-01-24")));
    assert_eq!(scores(&x)[1].0.reported_on, Some(d("2025-02-24")));
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
}

#[test]
fn csv_columns_are_found_by_name_when_they_move() {
    let src = source(
        "csv",
        r##"
[source.subject]
name = "Model"
[[source.score]]
field = "Overall Acc"
benchmark = "bfcl"
metric = "overall accuracy"
[source.access]
license = "License"
closed_licenses = ["Proprietary"]
"##,
    );
    let v3 = "Rank,Overall Acc,Model,Cost ($ Per 1k Function Calls),Organization,License\n\
              1,62.19%,GPT-4o-2024-08-06,4.75,OpenAI,Proprietary\n";
    let v4 = "Rank,Overall Acc,Model,Total Cost ($),Web Search Acc,Memory Acc,Organization,License\n\
              1,70.85%,GLM-4.5,2.9,79.00%,50.75%,Zhipu AI,MIT\n";
    let a = run(&src, v3.as_bytes());
    let b = run(&src, v4.as_bytes());
    assert_eq!(score_of(&a, "GPT-4o-2024-08-06", "bfcl")[0].value, 62.19);
    assert_eq!(access_of(&a, "GPT-4o-2024-08-06")[0].0, Access::Closed);
    assert_eq!(score_of(&b, "GLM-4.5", "bfcl")[0].value, 70.85);
    assert_eq!(
        access_of(&b, "GLM-4.5"),
        vec![(Access::OpenWeights, Some("MIT".to_owned()))]
    );
}

#[test]
fn yaml_list_of_mappings() {
    let yml = "- dirname: 2025-01-17--sonnet\n  model: claude-3-5-sonnet-20241022\n  edit_format: diff\n  pass_rate_2: 51.6\n  date: 2025-01-17\n\
               - dirname: 2025-01-24--r1\n  model: DeepSeek R1 + claude-3-5-sonnet-20241022\n  edit_format: architect\n  pass_rate_2: 64.0\n  date: 2025-01-23\n";
    let src = source(
        "yaml",
        r##"
[source.subject]
name = "model"
models_separator = " + "
several_models_system = "aider architect mode"
[[source.score]]
field = "pass_rate_2"
benchmark = "aider-polyglot"
metric = "percent correct, two tries"
[[source.setting]]
key = "edit_format"
field = "edit_format"
[source.date]
field = "date"
"##,
    );
    let x = run(&src, yml.as_bytes());
    let (plain, s) = scores(&x)[0];
    assert_eq!(plain.subject.models, vec!["claude-3-5-sonnet-20241022"]);
    assert_eq!(plain.subject.system, None);
    assert_eq!(s.settings["edit_format"], "diff");
    assert_eq!(plain.reported_on, Some(d("2025-01-17")));
    let (pair, _) = scores(&x)[1];
    assert_eq!(pair.subject.system.as_deref(), Some("aider architect mode"));
    assert_eq!(
        pair.subject.models,
        vec!["DeepSeek R1", "claude-3-5-sonnet-20241022"]
    );
    assert_eq!(x.rows[1].locator, "$[1]");
}

#[test]
fn markdown_table_under_a_heading() {
    let md = "# MMLU-Pro\n\n\
              |[**Dataset**](https://x) | [**Leaderboard**](https://y) |\n\n\
              ## Other\n\n| Setting | Value |\n|---|---|\n| shots | 5 |\n\n\
              ## 🏆 Mini-Leaderboard\n\n\
              | Model                          | Overall Accuracy | \n\
              |--------------------------------|:----------------:|\n\
              | Claude-3.5-Sonnet              | 76.12            |\n\
              | GPT-4o                         | 72.55            | \n\
              \nText after.\n";
    let src = source(
        "markdown",
        r##"
heading = "Mini-Leaderboard"
[source.subject]
name = "Model"
[[source.score]]
field = "Overall Accuracy"
benchmark = "mmlu-pro"
metric = "accuracy"
"##,
    );
    let x = run(&src, md.as_bytes());
    let got: Vec<(String, f64)> = scores(&x)
        .iter()
        .map(|(c, s)| (c.subject.name.clone(), s.value))
        .collect();
    assert_eq!(
        got,
        vec![
            ("Claude-3.5-Sonnet".into(), 76.12),
            ("GPT-4o".into(), 72.55)
        ]
    );
    assert_eq!(x.rows[0].locator, "table 2 row 1 (line 15)");
}

#[test]
fn values_in_every_form_through_a_source() {
    let csv = "Model,Score,Cost,Scores\n\
               a,77.47%,$0.13,\n\
               b,\"69.1\",,\n\
               c,0.85,,choice:0.85±0.02\n\
               d,-,,\n\
               e,N/A,,\n";
    let frac = source(
        "csv",
        r##"
[source.subject]
name = "Model"
[[source.score]]
field = "Score"
benchmark = "gpqa-diamond"
metric = "accuracy"
fraction = true
uncertainty = "Scores"
"##,
    );
    let x = run(&frac, csv.as_bytes());
    // Rows a and b are over 1 as fractions: a warning each, never a 7747% claim.
    assert_eq!(x.score_rows(), 1);
    let c = score_of(&x, "c", "gpqa-diamond")[0];
    assert_eq!((c.value, c.uncertainty), (85.0, Some(2.0)));
    assert_eq!(x.warnings.len(), 2, "{:?}", x.warnings);
    assert!(
        x.warnings[0]
            .to_string()
            .starts_with("row 1: \"Score\": 7747")
    );
    let plain = source(
        "csv",
        r##"
[source.subject]
name = "Model"
[[source.score]]
field = "Score"
benchmark = "gpqa-diamond"
metric = "accuracy"
"##,
    );
    let x = run(&plain, csv.as_bytes());
    let got: Vec<f64> = scores(&x).iter().map(|(_, s)| s.value).collect();
    assert_eq!(got, vec![77.47, 69.1, 0.85]);
    assert!(x.warnings.is_empty());
}

#[test]
fn a_board_whose_rows_all_run_one_agent_names_that_agent_as_the_system() {
    // The main board's rows are "agent + model" systems; the bash-only board runs every model
    // with mini-SWE-agent, its names only labels of the model.
    let doc = r##"{"leaderboards": [
        {"name": "Verified", "results": [
            {"name": "OpenHands + GPT-5", "resolved": 71.8, "tags": ["Model: gpt-5"]}]},
        {"name": "bash-only", "results": [
            {"name": "Claude 4.5 Opus (high reasoning)", "resolved": 76.8,
             "tags": ["Model: claude-opus-4-5-20251101"]},
            {"name": "MiniMax M2.5 (high reasoning)", "resolved": 75.8, "tags": []}]}]}"##;
    let src = source(
        "json",
        r##"
groups = "$.leaderboards[*]"
group_name = "name"
rows = "$.results[*]"
[source.subject]
name = "name"
kind = "system"
model_tags = { field = "tags", prefix = "Model: " }
system_separator = " + "
group_system = { bash-only = "mini-SWE-agent" }
[[source.score]]
field = "resolved"
benchmark_from = "@group"
benchmarks = { Verified = "swe-bench-verified", bash-only = { benchmark = "swe-bench-verified", variant = "bash-only" } }
metric = "resolved"
"##,
    );
    let x = run(&src, doc.as_bytes());
    let subjects: Vec<(Option<String>, Vec<String>)> = scores(&x)
        .iter()
        .map(|(c, _)| (c.subject.system.clone(), c.subject.models.clone()))
        .collect();
    assert_eq!(
        subjects,
        [
            (Some("OpenHands".to_owned()), vec!["gpt-5".to_owned()]),
            (
                Some("mini-SWE-agent".to_owned()),
                vec!["claude-opus-4-5-20251101".to_owned()]
            ),
            // No model tag: the label names the model.
            (
                Some("mini-SWE-agent".to_owned()),
                vec!["MiniMax M2.5 (high reasoning)".to_owned()]
            ),
        ]
    );
}
