//! Warnings that matter: a benchmark id the registry lacks, systems that name no model,
//! and optional columns that stay silent. (Rows of another width than the header are in
//! `bad_input.rs`.)

#![allow(clippy::unwrap_used)] // test code

mod common;

use common::{run, scores, source};
use gapwatch_ingest::check_benchmarks;
use gapwatch_model::Registry;

#[test]
fn a_benchmark_id_the_registry_lacks_is_reported_with_what_it_may_mean() {
    let src = source(
        "csv",
        r#"
subject = { name = "Model" }

[[source.score]]
field = "Overall"
benchmark = "vidoe-mme"
metric = "accuracy"

[[source.score]]
field = "Val"
benchmark_from = "@group"
benchmarks = { a = { benchmark = "mmmu", variant = "vla" }, b = "totally-new-bench" }
metric = "accuracy"

[[source.score]]
field = "Reasoning"
benchmark = "Video-MME"
metric = "accuracy"
"#,
    );
    let registry = Registry::builtin().unwrap();
    let warnings: Vec<String> = check_benchmarks(&src, &registry)
        .into_iter()
        .map(|w| w.message)
        .collect();
    assert_eq!(warnings.len(), 3, "{warnings:#?}");
    assert!(
        warnings[0].starts_with(
            "benchmark \"vidoe-mme\" (score field \"Overall\") is not in the registry"
        ) && warnings[0].ends_with("did you mean video-mme?"),
        "{}",
        warnings[0]
    );
    assert!(
        warnings[1].starts_with("variant \"vla\" of mmmu") && warnings[1].ends_with("val, test"),
        "{}",
        warnings[1]
    );
    assert!(
        warnings[2].contains("\"totally-new-bench\"")
            && warnings[2].ends_with("add a [[benchmark]] to the registry"),
        "{}",
        warnings[2]
    );
    // A name the registry resolves (an alias, another spelling) is fine.
    assert!(!warnings.iter().any(|w| w.contains("\"Video-MME\"")));

    // The same source with the ids corrected has nothing to say.
    let fixed = source(
        "csv",
        r#"
subject = { name = "Model" }
[[source.score]]
field = "Overall"
benchmark = "video-mme"
metric = "accuracy"
"#,
    );
    assert!(check_benchmarks(&fixed, &registry).is_empty());
}

#[test]
fn systems_that_name_no_model_are_one_warning_and_a_note_on_each_row() {
    // A coding-agent board whose rows are `Agent (model)`, configured with a separator
    // that its names do not use.
    let src = source(
        "csv",
        r#"
[source.subject]
name = "Agent"
kind = "system"
system_separator = " + "

[[source.score]]
field = "Accuracy"
benchmark = "terminal-bench"
metric = "accuracy"
"#,
    );
    let csv = "Agent,Accuracy\n\
               Warp (claude-opus-4),52.0\n\
               Goose + gpt-5,44.1\n\
               Terminus (gpt-4.1),30.3\n";
    let x = run(&src, csv.as_bytes());
    assert_eq!(scores(&x).len(), 3, "the results are kept");
    let run_warnings: Vec<String> = x.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(run_warnings.len(), 1, "{run_warnings:#?}");
    assert!(
        run_warnings[0].starts_with(
            "2 of 3 rows are systems that name no model (the first: row 1 \"Warp (claude-opus-4)\")"
        ),
        "{}",
        run_warnings[0]
    );
    assert!(x.rows[0].warnings[0].starts_with("a system that names no model"));
    assert!(x.rows[1].warnings.is_empty(), "{:?}", x.rows[1]);

    // Configured to find the models, the warning goes.
    let src = source(
        "csv",
        r#"
[source.subject]
name = "Agent"
kind = "system"
system_separator = " + "
parenthesized_model = true

[[source.score]]
field = "Accuracy"
benchmark = "terminal-bench"
metric = "accuracy"
"#,
    );
    let x = run(&src, csv.as_bytes());
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
    assert_eq!(x.claims[0].subject.models, ["claude-opus-4"]);
}

#[test]
fn an_optional_score_column_stays_silent_when_a_file_lacks_it() {
    let mapping = |optional: &str| {
        source(
            "csv",
            &format!(
                r#"
subject = {{ name = "model" }}

[[source.score]]
field = "zebra_puzzle"
benchmark = "livebench"
variant = "zebra_puzzle"
metric = "accuracy"
{optional}

[[source.score]]
field = "spatial"
benchmark = "livebench"
variant = "spatial"
metric = "accuracy"
"#
            ),
        )
    };
    // An older release without the `zebra_puzzle` task.
    let csv = "model,spatial\nqwen2.5-72b-instruct,41.0\n";
    let x = run(&mapping(""), csv.as_bytes());
    assert_eq!(x.warnings.len(), 1);
    assert!(
        x.warnings[0]
            .message
            .starts_with("no column matches the score field \"zebra_puzzle\""),
        "{:?}",
        x.warnings
    );
    let x = run(&mapping("optional = true"), csv.as_bytes());
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
    assert_eq!(scores(&x).len(), 1);
}
