//! Adapter features for new leaderboards: a sub-element of a cell, organization names of any
//! length, derived scores with their inputs cited, settings constant over a source or a file,
//! and JavaScript object literals as data.

#![allow(clippy::unwrap_used)] // test code

mod common;

use common::{access_of, run, scores, source};
use gapwatch_ingest::{ExtractOptions, Structure, extract, extract_with};
use gapwatch_model::Access;

#[test]
fn a_cell_selector_reads_one_element_of_a_cell() {
    let src = source(
        "html",
        r#"
[[source.table]]
selector = "table#board"
cells = { Model = "a.name" }

[source.subject]
name = "Model"

[[source.score]]
field = "Overall"
benchmark = "video-mme"
metric = "accuracy"
"#,
    );
    let page = r#"<table id="board">
      <tr><th>Model</th><th>Overall</th></tr>
      <tr><td><a class="name" href="https://openai.com">GPT-4o</a> <span class="org">OpenAI</span><sup>new</sup></td><td>71.9</td></tr>
      <tr><td>LLaVA-Video</td><td>63.3</td></tr>
    </table>"#;
    let x = run(&src, page.as_bytes());
    let names: Vec<&str> = scores(&x)
        .iter()
        .map(|(c, _)| c.subject.name.as_str())
        .collect();
    // Without a link, the whole cell is the name.
    assert_eq!(names, ["GPT-4o", "LLaVA-Video"]);
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);

    // A selector keyed by a column the table lacks is a warning, not a silent nothing.
    let typo = source(
        "html",
        r#"
[[source.table]]
selector = "table#board"
cells = { Modle = "a.name" }
[source.subject]
name = "Model"
[[source.score]]
field = "Overall"
benchmark = "video-mme"
metric = "accuracy"
"#,
    );
    let x = run(&typo, page.as_bytes());
    assert!(
        x.warnings[0]
            .message
            .contains("the cell selector for \"Modle\" names no column"),
        "{:?}",
        x.warnings
    );
}

#[test]
fn organization_names_of_any_length_come_off_the_name() {
    let src = source(
        "csv",
        r#"
[source.subject]
name = "Model"
strip = { suffixes = ["Shanghai AI Lab", "Google DeepMind", "OpenAI"], field = "Org" }

[[source.score]]
field = "Overall"
benchmark = "video-mme"
metric = "accuracy"
"#,
    );
    let csv = "Model,Org,Overall\n\
               InternVL2.5-78B Shanghai AI Lab,Shanghai AI Lab,72.1\n\
               Gemini 1.5 Pro (Google DeepMind),Google,75.0\n\
               LLaVA-Video-72B ByteDance & NTU S-Lab,ByteDance & NTU S-Lab,70.5\n\
               GPT-4o,OpenAI,71.9\n";
    let x = run(&src, csv.as_bytes());
    let names: Vec<&str> = scores(&x)
        .iter()
        .map(|(c, _)| c.subject.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "InternVL2.5-78B",
            "Gemini 1.5 Pro",
            "LLaVA-Video-72B",
            "GPT-4o"
        ]
    );
}

const LIVEBENCH_CSV: &str = "model,web_of_lies_v2,zebra_puzzle,LCB_generation,coding_completion,connections\n\
    gpt-4o-2024-08-06,60.0,40.0,50.0,48.0,45.0\n\
    qwen2.5-72b-instruct,50.0,30.0,56.0,-,38.0\n";

#[test]
fn a_derived_score_is_the_mean_of_groups_means_and_cites_its_inputs() {
    let src = source(
        "csv",
        r#"
[source.subject]
name = "model"

[[source.derived]]
benchmark = "livebench"
metric = "global average"
groups = { Reasoning = ["web_of_lies_v2", "zebra_puzzle"], Coding = ["LCB_generation", "coding_completion"], Language = ["connections"] }
group_scores = true
"#,
    );
    let x = run(&src, LIVEBENCH_CSV.as_bytes());
    let got: Vec<(String, String, f64)> = scores(&x)
        .iter()
        .map(|(c, s)| (c.subject.name.clone(), s.variant.clone(), s.value))
        .collect();
    // (50 + 49 + 45) / 3 = 48; the groups' means as their own variants.
    assert_eq!(
        got,
        [
            ("gpt-4o-2024-08-06".to_owned(), String::new(), 48.0),
            ("gpt-4o-2024-08-06".to_owned(), "coding".to_owned(), 49.0),
            ("gpt-4o-2024-08-06".to_owned(), "language".to_owned(), 45.0),
            ("gpt-4o-2024-08-06".to_owned(), "reasoning".to_owned(), 50.0),
        ]
    );
    assert_eq!(
        x.claims[0].locator,
        "row 1 mean of 3 group means: Coding = mean of \"LCB_generation\", \"coding_completion\"; \
         Language = mean of \"connections\"; Reasoning = mean of \"web_of_lies_v2\", \"zebra_puzzle\""
    );
    // A row missing an input gets no derived score, never a mean of fewer inputs.
    let qwen = &x.rows[1];
    assert_eq!(qwen.scores, 0);
    assert_eq!(
        qwen.warnings,
        ["derived livebench score not computed: no value in \"coding_completion\""]
    );
}

#[test]
fn a_weighted_mean_of_columns_and_a_missing_column_warned_once() {
    let src = source(
        "csv",
        r#"
[source.subject]
name = "model"

[[source.derived]]
benchmark = "livebench"
variant = "reasoning"
metric = "reasoning average"
columns = ["web_of_lies_v2", "zebra_puzzle"]
weights = { web_of_lies_v2 = 3 }
"#,
    );
    let x = run(&src, LIVEBENCH_CSV.as_bytes());
    let s = scores(&x);
    // (3 × 60 + 40) / 4 = 55
    assert_eq!(s[0].1.value, 55.0);
    assert_eq!(
        s[0].0.locator,
        "row 1 weighted mean of \"web_of_lies_v2\" × 3, \"zebra_puzzle\" × 1"
    );
    // A release without one of the columns: one warning for the file, not one per row.
    let older = "model,web_of_lies_v2\ngpt-4o-2024-08-06,60.0\nqwen2.5-72b-instruct,50.0\n";
    let x = run(&src, older.as_bytes());
    assert_eq!(scores(&x).len(), 0);
    assert_eq!(x.warnings.len(), 2, "{:?}", x.warnings);
    assert!(
        x.warnings[0].message.starts_with(
            "derived livebench score not computed: no column matches \"zebra_puzzle\""
        ),
        "{:?}",
        x.warnings
    );
    assert!(x.warnings[1].message.contains("rows and no claims"));
}

#[test]
fn groups_come_from_a_categories_file_loaded_by_the_program() {
    let mut src = source(
        "csv",
        r#"
[source.subject]
name = "model"

[[source.derived]]
benchmark = "livebench"
metric = "global average"
groups_file = "categories.json"
"#,
    );
    // Not loaded: said, and nothing computed.
    let x = extract(&src, LIVEBENCH_CSV.as_bytes()).unwrap();
    assert!(
        x.warnings[0]
            .message
            .contains("groups_file \"categories.json\" was not loaded"),
        "{:?}",
        x.warnings
    );
    src.derived[0]
        .load_groups(
            r#"{"Reasoning": ["web_of_lies_v2", "zebra_puzzle"], "Language": ["connections"]}"#,
        )
        .unwrap();
    let x = run(&src, LIVEBENCH_CSV.as_bytes());
    let s = scores(&x);
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].1.value, 47.5, "(45 + 50) / 2");
    assert_eq!(s[1].1.value, 39.0, "(38 + 40) / 2");
    assert!(src.derived[0].load_groups("{}").is_err());
    let mut fresh = source(
        "csv",
        "subject = { name = \"model\" }\n[[source.derived]]\nbenchmark = \"livebench\"\nmetric = \"m\"\ngroups_file = \"c.json\"\n",
    );
    assert!(fresh.derived[0].load_groups(r#"{"A": []}"#).is_err());
    assert!(fresh.derived[0].load_groups("[1]").is_err());
}

#[test]
fn settings_constant_over_a_source_or_a_file() {
    let src = source(
        "csv",
        r#"
settings = { harness = "livebench-v2" }

[[source.file_setting]]
key = "release"
file_name = "table_{}.csv"

[[source.file_setting]]
key = "style"
when_column = "IF_style"
value = "with-style-tasks"

[source.subject]
name = "model"

[[source.score]]
field = "connections"
benchmark = "livebench"
variant = "connections"
metric = "accuracy"
"#,
    );
    let named = |name| ExtractOptions {
        file_name: Some(name),
    };
    let x = extract_with(
        &src,
        LIVEBENCH_CSV.as_bytes(),
        &named("table_2024_11_25.csv"),
    )
    .unwrap();
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
    let s = &scores(&x)[0].1.settings;
    assert_eq!(s["release"], "2024_11_25");
    assert_eq!(s["harness"], "livebench-v2");
    assert!(!s.contains_key("style"));

    // Two releases of one model are two results, not one replacing the other.
    let other = extract_with(
        &src,
        LIVEBENCH_CSV.as_bytes(),
        &named("table_2025_04_25.csv"),
    )
    .unwrap();
    assert_ne!(scores(&x)[0].1.settings, scores(&other)[0].1.settings);

    // The header decides a setting.
    let with_column = "model,connections,IF_style\ngpt-4o-2024-08-06,45.0,70\n";
    let x = extract_with(&src, with_column.as_bytes(), &named("table_2025_04_25.csv")).unwrap();
    assert_eq!(scores(&x)[0].1.settings["style"], "with-style-tasks");

    // A name that does not match, or no name at all, is said.
    let x = extract_with(&src, LIVEBENCH_CSV.as_bytes(), &named("latest.csv")).unwrap();
    assert!(
        x.warnings[0]
            .message
            .contains("file name \"latest.csv\" does not match \"table_{}.csv\""),
        "{:?}",
        x.warnings
    );
    assert!(!scores(&x)[0].1.settings.contains_key("release"));
    let x = extract(&src, LIVEBENCH_CSV.as_bytes()).unwrap();
    assert!(
        x.warnings[0].message.contains("no file name was given"),
        "{:?}",
        x.warnings
    );
}

#[test]
fn a_javascript_model_list_states_access_about_models() {
    let src = source(
        "json",
        r#"
javascript = true
rows = "$"
keyed = true

[source.subject]
name = "@key"

[source.access]
flag = "openweight"
"#,
    );
    let js = r#"// model links, as the leaderboard's front end imports them
export const modelLinks = {
  'gpt-4o-2024-08-06': { url: 'https://openai.com/index/hello-gpt-4o/', openweight: false },
  'qwen2.5-72b-instruct': {
    url: 'https://huggingface.co/Qwen/Qwen2.5-72B-Instruct',
    openweight: true, // weights on the Hub
  },
  'mystery-model': { url: 'https://example.org' },
};
"#;
    let x = run(&src, js.as_bytes());
    assert_eq!(x.structure, Structure::Data);
    assert_eq!(x.rows.len(), 3);
    assert_eq!(
        access_of(&x, "qwen2.5-72b-instruct"),
        [(Access::OpenWeights, None)]
    );
    assert_eq!(access_of(&x, "gpt-4o-2024-08-06"), [(Access::Closed, None)]);
    assert!(
        access_of(&x, "mystery-model").is_empty(),
        "no flag, no claim"
    );
    // As strict JSON the same text is unreadable, naming the source.
    let strict = source(
        "json",
        "rows = \"$\"\nkeyed = true\n[source.subject]\nname = \"@key\"\n[source.access]\nflag = \"openweight\"\n",
    );
    let err = extract(&strict, js.as_bytes()).unwrap_err().to_string();
    assert!(err.contains("invalid JSON"), "{err}");
    // In a page's script too.
    let page = format!("<html><script id=\"links\">{js}</script></html>");
    let embedded = source(
        "html-embedded-json",
        "script = \"script#links\"\njavascript = true\nrows = \"$\"\nkeyed = true\n[source.subject]\nname = \"@key\"\n[source.access]\nflag = \"openweight\"\n",
    );
    let x = run(&embedded, page.as_bytes());
    assert_eq!(x.rows.len(), 3);
    // And refused where it cannot apply.
    let err = gapwatch_ingest::SourcesFile::from_toml_str(
        "[[source]]\nid = \"x\"\npublisher = \"p\"\ntitle = \"t\"\nurl = \"u\"\nformat = \"csv\"\njavascript = true\nsubject = { name = \"m\" }\naccess = { flag = \"f\" }\n",
        "s.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("`javascript` does not apply to a csv source"),
        "{err}"
    );
}

#[test]
fn a_derived_score_may_apply_to_one_release_only() {
    let src = source(
        "csv",
        r#"
[[source.file_setting]]
key = "release"
file_name = "table_{}.csv"

[source.subject]
name = "model"

[[source.derived]]
benchmark = "livebench"
metric = "global average"
when = { release = "2024_11_25" }
groups = { Reasoning = ["web_of_lies_v2", "zebra_puzzle"], Language = ["connections"] }

[[source.derived]]
benchmark = "livebench"
metric = "global average"
when = { release = "2025_04_25" }
groups = { Reasoning = ["web_of_lies_v2", "zebra_puzzle", "spatial"], Language = ["connections"] }
"#,
    );
    let named = |name| ExtractOptions {
        file_name: Some(name),
    };
    // The older release has no `spatial` column: only its own rule runs, without a warning.
    let x = extract_with(
        &src,
        LIVEBENCH_CSV.as_bytes(),
        &named("table_2024_11_25.csv"),
    )
    .unwrap();
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
    let s = scores(&x);
    assert_eq!(s.len(), 2);
    assert_eq!(s[0].1.value, 47.5);
    assert_eq!(s[0].1.settings["release"], "2024_11_25");
    let newer = "model,web_of_lies_v2,zebra_puzzle,spatial,connections\ngpt-4o-2024-08-06,60.0,40.0,50.0,45.0\n";
    let x = extract_with(&src, newer.as_bytes(), &named("table_2025_04_25.csv")).unwrap();
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
    assert_eq!(scores(&x)[0].1.value, 47.5, "(50 + 45) / 2");
    assert!(scores(&x)[0].0.locator.contains("\"spatial\""));
}
