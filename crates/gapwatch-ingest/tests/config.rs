//! The sources file: what it accepts, what it refuses and how errors read.

#![allow(clippy::unwrap_used)] // test code, inside #[test] functions or not

mod common;

use gapwatch_ingest::{Format, IngestError, SourcesFile};

const HEAD: &str =
    "[[source]]\nid = \"board\"\npublisher = \"P\"\ntitle = \"T\"\nurl = \"https://example.org\"\n";

fn err(body: &str) -> String {
    match SourcesFile::from_toml_str(&format!("{HEAD}{body}"), "my-sources.toml") {
        Ok(_) => panic!("accepted:\n{body}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn default_sources_load_and_cover_every_format() {
    let sources = common::defaults();
    assert!(sources.sources.len() >= 30);
    for format in [
        Format::Html,
        Format::HtmlEmbeddedJson,
        Format::Json,
        Format::Csv,
        Format::Yaml,
        Format::Markdown,
    ] {
        assert!(
            sources.sources.iter().any(|s| s.format == format),
            "no default source in {format}"
        );
    }
    for id in [
        "swebench",
        "mmmu",
        "aider-polyglot",
        "bfcl",
        "evalplus",
        "mmlu-pro",
        "lmarena-text",
        "epoch-open-closed",
    ] {
        let s = sources.get(id).unwrap_or_else(|| panic!("no source {id}"));
        assert!(s.url.starts_with("https://"), "{id}: {}", s.url);
    }
    // Round trip: what the binary prints as JSON or TOML reads back the same.
    let again: SourcesFile = toml::from_str(&toml::to_string(&sources).unwrap()).unwrap();
    assert_eq!(again, sources);
}

#[test]
fn format_names() {
    assert_eq!(Format::HtmlEmbeddedJson.as_str(), "html-embedded-json");
    assert_eq!(Format::Markdown.to_string(), "markdown");
    let f: Format = serde_json::from_str("\"yaml\"").unwrap();
    assert_eq!(f, Format::Yaml);
}

#[test]
fn errors_name_the_file_and_the_source() {
    let msg = err(
        "format = \"json\"\nrows = \"$.results[\"\nsubject = { name = \"n\" }\n[[source.score]]\nfield = \"s\"\nbenchmark = \"mmlu\"\nmetric = \"accuracy\"\n",
    );
    assert!(
        msg.starts_with("my-sources.toml: source \"board\": rows \"$.results[\" is not a JSONPath"),
        "{msg}"
    );

    let msg = err(
        "format = \"html\"\n[[source.table]]\nselector = \"table[[\"\n[source.subject]\nname = \"n\"\n[[source.score]]\nfield = \"s\"\nbenchmark = \"mmlu\"\nmetric = \"accuracy\"\n",
    );
    assert!(
        msg.contains("source \"board\": table selector \"table[[\" is not a CSS selector"),
        "{msg}"
    );

    let msg = err("format = \"csv\"\nsubject = { name = \"n\" }\n");
    assert!(msg.contains("maps no score and no access"), "{msg}");

    let msg = err(
        "format = \"csv\"\nheading = \"Leaderboard\"\nsubject = { name = \"n\" }\n[[source.score]]\nfield = \"s\"\nbenchmark = \"mmlu\"\nmetric = \"accuracy\"\n",
    );
    assert!(
        msg.contains("`heading` does not apply to a csv source"),
        "{msg}"
    );

    let msg = err(
        "format = \"csv\"\nsubject = { name = \"n\" }\n[[source.score]]\nfield = \"s\"\nmetric = \"accuracy\"\n",
    );
    assert!(
        msg.contains("score 1 needs either `benchmark` or `benchmark_from`"),
        "{msg}"
    );

    let msg = err(
        "format = \"csv\"\nsubject = { name = \"n\" }\n[[source.score]]\nfield = \"s\"\nbenchmark = \"mmlu\"\nmetric = \"accuracy\"\n[[source.setting]]\nkey = \"mode\"\n",
    );
    assert!(
        msg.contains("setting 1 needs a `key` and exactly one of"),
        "{msg}"
    );
    let msg = err(
        "format = \"csv\"\nsubject = { name = \"n\" }\n[[source.score]]\nfield = \"s\"\nbenchmark = \"mmlu\"\nmetric = \"accuracy\"\nevaluator_from = { field = \"Notes\", contains = [] }\n",
    );
    assert!(
        msg.contains("score 1: `evaluator_from` needs a `field` and `contains` pairs"),
        "{msg}"
    );
    // An evaluator that is not one of the four is refused by the parser.
    let msg = err(
        "format = \"csv\"\nsubject = { name = \"n\" }\n[[source.score]]\nfield = \"s\"\nbenchmark = \"mmlu\"\nmetric = \"accuracy\"\nevaluator_from = { field = \"Notes\", contains = [[\"Epoch\", \"independent\"]] }\n",
    );
    assert!(msg.contains("independent"), "{msg}");
}

#[test]
fn unknown_keys_and_bad_values_are_refused_by_the_parser() {
    // A typo must not be silently ignored.
    let msg = err("format = \"csv\"\nsubjet = { name = \"n\" }\n");
    assert!(msg.starts_with("my-sources.toml: "), "{msg}");
    assert!(msg.contains("subjet"), "{msg}");
    let msg = err("format = \"xml\"\nsubject = { name = \"n\" }\n");
    assert!(msg.contains("xml"), "{msg}");
    let msg = err("format = \"csv\"\nsubject = { name = 0 }\n");
    assert!(msg.contains("count from 1"), "{msg}");
}

#[test]
fn duplicate_and_malformed_ids_are_refused() {
    let one = "format = \"csv\"\nsubject = { name = \"n\" }\n[[source.score]]\nfield = \"s\"\nbenchmark = \"mmlu\"\nmetric = \"accuracy\"\n";
    let twice = format!("{HEAD}{one}{HEAD}{one}");
    let e = SourcesFile::from_toml_str(&twice, "s.toml").unwrap_err();
    assert!(matches!(&e, IngestError::InvalidSource { source_id, .. } if source_id == "board"));
    assert!(e.to_string().contains("used by an earlier source"));
    let bad = format!("{}{one}", HEAD.replace("\"board\"", "\"Board One\""));
    let e = SourcesFile::from_toml_str(&bad, "s.toml").unwrap_err();
    assert!(
        e.to_string().contains("lowercase letters, digits and `-`"),
        "{e}"
    );
}

#[test]
fn a_configuration_built_in_code_is_checked_on_extract() {
    let mut src = common::source(
        "json",
        "[source.subject]\nname = \"n\"\n[[source.score]]\nfield = \"s\"\nbenchmark = \"mmlu\"\nmetric = \"accuracy\"\n",
    );
    src.rows = Some("$[".to_owned());
    let e = gapwatch_ingest::extract(&src, b"[]").unwrap_err();
    assert!(
        e.to_string().starts_with("configuration: source \"test\""),
        "{e}"
    );
}

#[test]
fn default_sources_name_benchmarks_the_registry_knows() {
    use gapwatch_ingest::BenchmarkTarget;
    let registry = gapwatch_model::Registry::builtin().unwrap();
    // Tracked only once a registry adds it (see the entry's notes).
    let may_be_missing = ["lmarena-image"];
    for source in &common::defaults().sources {
        for score in &source.scores {
            let mut ids: Vec<&str> = score.benchmark.iter().map(String::as_str).collect();
            ids.extend(score.benchmarks.values().map(|t| match t {
                BenchmarkTarget::Id(id) => id.as_str(),
                BenchmarkTarget::WithVariant { benchmark, .. } => benchmark.as_str(),
            }));
            for id in ids {
                assert!(
                    registry.benchmark(id).is_some() || may_be_missing.contains(&id),
                    "{}: benchmark {id:?} is not in the registry",
                    source.id
                );
            }
        }
    }
}
