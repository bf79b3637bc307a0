//! Functions shared by the integration tests: sources written inline, and the defaults.

#![allow(dead_code, clippy::unwrap_used)]

use std::path::PathBuf;

use gapwatch_ingest::{Extraction, SourceConfig, SourcesFile, extract};
use gapwatch_model::{Access, Claim, Evaluator, Fact, Score};

/// One source from the body of a `[[source]]` entry; id, publisher, title and url are
/// filled in.
pub fn source(format: &str, body: &str) -> SourceConfig {
    let text = format!(
        "[[source]]\nid = \"test\"\npublisher = \"Test\"\ntitle = \"Test board\"\n\
         url = \"https://example.org/board\"\nformat = \"{format}\"\n{body}"
    );
    match SourcesFile::from_toml_str(&text, "test.toml") {
        Ok(mut f) => f.sources.remove(0),
        Err(e) => panic!("{e}\n{text}"),
    }
}

/// The sources gapwatch ships, with the articles of its evidence files, as the binary's
/// built-in workspace reads them.
pub fn defaults() -> SourcesFile {
    let path = workspace().join("crates/gapwatch/defaults/sources.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut file = SourcesFile::from_toml_str(&text, &path.display().to_string()).unwrap();
    let evidence = workspace().join("crates/gapwatch/defaults/evidence");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&evidence)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    for p in paths {
        let text = std::fs::read_to_string(&p).unwrap();
        let article = gapwatch_ingest::read_evidence_file(&text, &p.display().to_string()).unwrap();
        file.sources.push(article);
    }
    file
}

/// The workspace root.
pub fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A file written for the tests, in `tests/data`.
pub fn data(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Extracts, failing the test on an error.
pub fn run(source: &SourceConfig, bytes: &[u8]) -> Extraction {
    extract(source, bytes).unwrap_or_else(|e| panic!("{e}"))
}

/// The score claims, in order.
pub fn scores(x: &Extraction) -> Vec<(&Claim, &Score)> {
    x.claims
        .iter()
        .filter_map(|c| c.score().map(|s| (c, s)))
        .collect()
}

/// The score of the subject named `name` on `benchmark`, with `variant`.
pub fn score_of<'x>(x: &'x Extraction, name: &str, benchmark: &str) -> Vec<&'x Score> {
    scores(x)
        .into_iter()
        .filter(|(c, s)| c.subject.name == name && s.benchmark == benchmark)
        .map(|(_, s)| s)
        .collect()
}

/// The access claims of the subject named `name`.
pub fn access_of(x: &Extraction, name: &str) -> Vec<(Access, Option<String>)> {
    x.claims
        .iter()
        .filter(|c| c.subject.name == name)
        .filter_map(|c| match &c.fact {
            Fact::Access { access, license } => Some((*access, license.clone())),
            Fact::Score(_) => None,
        })
        .collect()
}

/// The evaluator of the first score claim of `name`.
pub fn evaluator_of(x: &Extraction, name: &str) -> Evaluator {
    scores(x)
        .into_iter()
        .find(|(c, _)| c.subject.name == name)
        .map(|(c, _)| c.evaluator)
        .unwrap_or_else(|| panic!("no score for {name}"))
}
