//! Bad input gives a warning for the row or an error for the file, never a panic, and a
//! page without rows is never a silent nothing.

#![allow(clippy::unwrap_used)] // test code, inside #[test] functions or not

mod common;

use std::time::Instant;

use common::{defaults, run, scores, source};
use gapwatch_ingest::{IngestError, Structure, compare_row_counts, extract};

fn table_source(max_bytes: Option<u64>) -> gapwatch_ingest::SourceConfig {
    let limit = max_bytes
        .map(|m| format!("max_bytes = {m}\n"))
        .unwrap_or_default();
    source(
        "html",
        &format!(
            r#"{limit}
[[source.table]]
selector = "table#t"
[source.subject]
name = "Model"
[[source.score]]
field = "Score"
benchmark = "mmlu"
metric = "accuracy"
"#
        ),
    )
}

const PAGE: &str = "<html><head><title>Board</title></head><body><table id=\"t\">\
    <thead><tr><th>Model</th><th>Score</th><th>Date</th></tr></thead><tbody>\
    <tr><td>GPT-4o</td><td>88.7</td><td>2024-05-13</td></tr>\
    <tr><td>Llama 3.1 405B</td><td>88.6</td><td>2024-07-23</td></tr>\
    <tr><td>Qwen2-72B</td><td>84.2</td><td>2024-06-06</td></tr>\
    </tbody></table></body></html>";

#[test]
fn truncated_html_keeps_the_rows_before_the_cut() {
    let src = table_source(None);
    let cut = PAGE.find("<td>84.2").unwrap();
    let x = run(&src, &PAGE.as_bytes()[..cut]);
    assert_eq!(x.structure, Structure::Data);
    assert_eq!(scores(&x).len(), 2);
    // The last, cut row is reported, skipped with what is missing, and gives no score.
    let last = x.rows.last().unwrap();
    assert_eq!(
        last.skipped.as_deref(),
        Some("1 cells where the header has 3 (cells not matched to columns)")
    );
    assert!(
        last.warnings[0].starts_with("1 cells where the header has 3: skipped"),
        "{:?}",
        last.warnings
    );
}

#[test]
fn html_cut_at_every_byte_never_panics() {
    let src = table_source(None);
    for cut in 0..=PAGE.len() {
        let x =
            extract(&src, &PAGE.as_bytes()[..cut]).unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
        if x.rows.is_empty() {
            assert!(
                matches!(x.structure, Structure::Empty { .. }),
                "cut at {cut}"
            );
            assert!(
                !x.warnings.is_empty(),
                "cut at {cut}: an empty result says why"
            );
        }
    }
}

#[test]
fn invalid_utf8_is_a_warning_for_html_and_csv_rows_and_an_error_for_json() {
    let mut page = PAGE.as_bytes().to_vec();
    let at = PAGE.find("Llama").unwrap();
    page[at] = 0xFF;
    let x = run(&table_source(None), &page);
    assert_eq!(scores(&x).len(), 3);
    assert!(
        x.warnings[0].message.starts_with("not valid UTF-8"),
        "{:?}",
        x.warnings
    );

    let csv_src = source(
        "csv",
        r#"
[source.subject]
name = "Model"
[[source.score]]
field = "Score"
benchmark = "mmlu"
metric = "accuracy"
"#,
    );
    let mut csv = b"Model,Score\nGPT-4o,88.7\nLlama,88.6\n".to_vec();
    let at = csv.iter().position(|&b| b == b'L').unwrap();
    csv[at + 1] = 0xC3; // a lone lead byte
    let x = run(&csv_src, &csv);
    assert_eq!(scores(&x).len(), 2);
    assert_eq!(x.warnings.len(), 1);
    assert_eq!(x.warnings[0].locator.as_deref(), Some("row 2"));
    assert!(x.warnings[0].message.contains("UTF-8"));

    let json_src = source(
        "json",
        r#"
[source.subject]
name = "m"
[[source.score]]
field = "s"
benchmark = "mmlu"
metric = "accuracy"
"#,
    );
    let err = extract(&json_src, b"[{\"m\": \"a\xFF\", \"s\": 1}]").unwrap_err();
    assert!(matches!(err, IngestError::Unreadable { .. }));
    assert!(err.to_string().contains("not valid UTF-8"), "{err}");
}

#[test]
fn a_100_mb_page_is_refused_by_default_and_read_in_seconds_when_allowed() {
    // A real-looking page: a table and a huge inline data script, as leaderboards that
    // embed their data have.
    let mut page = String::with_capacity(101_000_000);
    page.push_str("<html><body><table id=\"t\"><tr><th>Model</th><th>Score</th></tr>");
    for i in 0..2000 {
        page.push_str(&format!(
            "<tr><td>model-{i}</td><td>{}.5</td></tr>",
            i % 100
        ));
    }
    page.push_str("</table><script>var data = [");
    while page.len() < 100_000_000 {
        page.push_str("{\"name\": \"model\", \"resolved\": 12.5, \"tags\": [\"Org: X\"]},\n");
    }
    page.push_str("];</script></body></html>");

    let start = Instant::now();
    let err = extract(&table_source(None), page.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("over the limit"), "{err}");
    assert!(start.elapsed().as_secs() < 2);

    let start = Instant::now();
    let x = run(&table_source(Some(200_000_000)), page.as_bytes());
    let took = start.elapsed();
    assert_eq!(x.rows.len(), 2000);
    assert_eq!(scores(&x).len(), 2000);
    assert!(took.as_secs() < 20, "took {took:?}");
}

#[test]
fn many_rows_scale_linearly() {
    // 40,000 rows (about 1.5 MB): the row path must not be quadratic.
    let mut page = String::from("<table id=\"t\"><tr><th>Model</th><th>Score</th></tr>");
    for i in 0..40_000 {
        page.push_str(&format!("<tr><td>model-{i}</td><td>{}</td></tr>", i % 100));
    }
    page.push_str("</table>");
    let start = Instant::now();
    let x = run(&table_source(None), page.as_bytes());
    assert_eq!(x.rows.len(), 40_000);
    assert!(start.elapsed().as_secs() < 20);
}

#[test]
fn json_with_nan_overflow_or_duplicate_keys_is_an_error_for_the_file() {
    let src = source(
        "json",
        r#"
[source.subject]
name = "m"
[[source.score]]
field = "s"
benchmark = "mmlu"
metric = "accuracy"
"#,
    );
    for (doc, says) in [
        (r#"[{"m": "a", "s": NaN}]"#, "invalid JSON"),
        (r#"[{"m": "a", "s": 1e309}]"#, "number out of range"),
        (r#"[{"m": "a", "s": 1, "s": 2}]"#, "duplicate key \"s\""),
        (r#"[{"m": "a", "s": 1}"#, "EOF"),
        ("", "EOF"),
    ] {
        let err = extract(&src, doc.as_bytes()).unwrap_err();
        let msg = err.to_string();
        assert!(msg.contains("source \"test\""), "{msg}");
        assert!(msg.contains(says), "{doc}: {msg}");
    }
    // Strings that look like those values are row warnings, not claims.
    let x = run(
        &src,
        br#"[{"m": "a", "s": "NaN%"}, {"m": "b", "s": "1e309"}, {"m": "c", "s": 50}]"#,
    );
    assert_eq!(scores(&x).len(), 1);
    assert_eq!(x.warnings.len(), 2, "{:?}", x.warnings);
    assert_eq!(
        x.warnings[1].to_string(),
        "$[1]: \"s\": unreadable value \"1e309\""
    );
}

#[test]
fn yaml_with_nan_or_duplicate_keys_is_an_error_for_the_file() {
    let src = source(
        "yaml",
        r#"
[source.subject]
name = "model"
[[source.score]]
field = "pass_rate_2"
benchmark = "aider-polyglot"
metric = "percent correct"
"#,
    );
    for doc in [
        "- model: a\n  pass_rate_2: .nan\n",
        "- model: a\n  pass_rate_2: 1\n  pass_rate_2: 2\n",
        "- model: [unclosed\n",
    ] {
        let err = extract(&src, doc.as_bytes()).unwrap_err();
        assert!(err.to_string().contains("invalid YAML"), "{err}");
    }
}

#[test]
fn csv_rows_with_too_few_or_too_many_fields_are_skipped_or_kept_as_configured() {
    let mapping = r#"
[source.subject]
name = "Model"
[[source.score]]
field = "pass@1_plus"
benchmark = "humaneval-plus"
metric = "pass@1"
"#;
    // As in EvalPlus's real mbpp.csv of 2023-12-05, a missing comma merges two fields.
    let csv = "Model,pass@1_base,pass@1_plus,prompted,link\n\
               CodeT5+-6B,51.9,40.9,FALSE,https://blog.salesforceairesearch.com/codet5/\n\
               CodeT5+-16B,54.6,44.4,FALSEhttps://blog.salesforceairesearch.com/codet5/\n\
               CodeGen-2B,44.9\n\
               CodeGen-6B,49.9,42.1,FALSE,https://arxiv.org/abs/2203.13474,extra\n";
    // By default such rows are not read by position: skipped, each with a warning.
    let x = run(&source("csv", mapping), csv.as_bytes());
    assert_eq!(x.rows.len(), 4);
    assert_eq!(scores(&x).len(), 1);
    assert_eq!(
        x.rows.iter().filter(|r| r.skipped.is_some()).count(),
        3,
        "{:?}",
        x.rows
    );
    let warned: Vec<String> = x.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warned.len(), 3, "{warned:?}");
    for (w, n) in warned.iter().zip(["row 2: 4", "row 3: 2", "row 4: 6"]) {
        assert!(
            w.starts_with(&format!("{n} fields where the header has 5: skipped")),
            "{w}"
        );
    }

    // Kept as configured: read by position, still each with a warning.
    let kept = source("csv", &format!("ragged_rows = \"keep\"\n{mapping}"));
    let x = run(&kept, csv.as_bytes());
    assert_eq!(scores(&x).len(), 3, "rows with the field count");
    let warned: Vec<String> = x.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warned.len(), 3, "{warned:?}");
    assert!(
        warned[0].starts_with("row 2: 4 fields where the header has 5: read by position"),
        "{warned:?}"
    );
}

#[test]
fn empty_and_unmatched_tables_say_why() {
    let src = table_source(None);
    let x = run(&src, b"<html><body><p>Nothing here</p></body></html>");
    assert_eq!(
        x.structure,
        Structure::Empty {
            reason: "0 rows: no element matches \"table#t\"".to_owned()
        }
    );
    let said: Vec<String> = x.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(
        said,
        vec![
            "selector \"table#t\" matched nothing",
            "0 rows: no element matches \"table#t\""
        ]
    );
    let x = run(
        &src,
        b"<table id=t><tr><th>Model</th><th>Score</th></tr></table>",
    );
    assert_eq!(
        x.structure,
        Structure::Empty {
            reason: "0 rows: empty table table#t".to_owned()
        }
    );
    // The real evalplus page: empty tables filled by a script.
    let evalplus = defaults();
    let page = "<html><head><script src=\"main.js\"></script></head><body>\
                <table id=\"plused\" class=\"table\"></table><table id=\"origin\"></table></body></html>";
    let x = run(evalplus.get("evalplus-html").unwrap(), page.as_bytes());
    assert!(
        matches!(&x.structure, Structure::Empty { reason } if reason.contains("client-rendered table table#plused"))
    );
    // An empty CSV, and a JSON path that finds nothing.
    let csv = source(
        "csv",
        r#"
[source.subject]
name = "Model"
[[source.score]]
field = "Score"
benchmark = "mmlu"
metric = "accuracy"
"#,
    );
    assert!(matches!(run(&csv, b"").structure, Structure::Empty { .. }));
    assert!(matches!(
        run(&csv, b"Model,Score\n").structure,
        Structure::Empty { .. }
    ));
    let json = defaults();
    let x = run(json.get("swebench").unwrap(), br#"{"boards": []}"#);
    assert!(matches!(&x.structure, Structure::Empty { reason } if reason.contains("groups")));
}

#[test]
fn rows_that_all_map_to_nothing_are_a_warning() {
    let src = source(
        "csv",
        r#"
[source.subject]
name = "Model"
[[source.score]]
field = "Overall Acc"
benchmark = "bfcl"
metric = "overall accuracy"
"#,
    );
    // The score column was renamed: rows are found, nothing maps.
    let x = run(&src, b"Model,Overall Accuracy\nGPT-4o,62.19%\n");
    assert!(x.claims.is_empty());
    let said: Vec<String> = x.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(said.len(), 2, "{said:?}");
    assert!(said[0].starts_with("no column matches the score field \"Overall Acc\""));
    assert!(said[1].starts_with("1 rows and no claims"));
}

#[test]
fn a_row_count_that_falls_by_more_than_half_is_a_warning() {
    assert_eq!(compare_row_counts(None, 0), None);
    assert_eq!(compare_row_counts(Some(0), 0), None);
    assert_eq!(compare_row_counts(Some(162), 145), None);
    assert_eq!(compare_row_counts(Some(162), 81), None);
    let w = compare_row_counts(Some(211), 0).unwrap();
    assert_eq!(w.locator, None);
    assert!(
        w.to_string()
            .starts_with("0 rows where the last good snapshot had 211")
    );
    assert!(w.to_string().contains("more than half"));
    assert!(compare_row_counts(Some(162), 80).is_some());
}

#[test]
fn hostile_spans_and_deep_nesting_do_not_blow_up() {
    let src = table_source(None);
    let mut page = String::from("<table id=t><tr><th>Model</th><th>Score</th></tr>");
    for _ in 0..200 {
        page.push_str("<tr><td colspan=\"999999999\">x</td><td rowspan=\"999999\">1</td></tr>");
    }
    page.push_str("</table>");
    let x = run(&src, page.as_bytes());
    assert_eq!(x.rows.len(), 200);
    let deep = format!("{}1{}", "[".repeat(100_000), "]".repeat(100_000));
    let json = source(
        "json",
        r#"
[source.subject]
name = "m"
[[source.score]]
field = "s"
benchmark = "mmlu"
metric = "accuracy"
"#,
    );
    let err = extract(&json, deep.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("recursion limit"), "{err}");
}

#[test]
fn a_yaml_alias_bomb_is_refused_not_expanded() {
    let src = source(
        "yaml",
        r#"
[source.subject]
name = "model"
[[source.score]]
field = "pass_rate_2"
benchmark = "aider-polyglot"
metric = "percent correct"
"#,
    );
    let mut doc = String::from(
        "a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
    );
    for i in 1..10 {
        let p = i - 1;
        doc.push_str(&format!(
            "a{i}: &a{i} [*a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}, *a{p}]\n"
        ));
    }
    let start = Instant::now();
    let err = extract(&src, doc.as_bytes()).unwrap_err();
    assert!(err.to_string().contains("invalid YAML"), "{err}");
    assert!(start.elapsed().as_secs() < 5);
}
