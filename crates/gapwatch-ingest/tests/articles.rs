//! Articles: claims recorded with the sentence that makes each, emitted only when the page
//! holds the sentence.

#![allow(clippy::unwrap_used)] // test code

mod common;

use gapwatch_ingest::{
    Format, IngestError, SourcesFile, Structure, contains_quote, extract, page_text,
    read_evidence_file,
};
use gapwatch_model::{Access, Evaluator, Fact};

const EVIDENCE: &str = r#"
[article]
id = "article-lag"
publisher = "Example News"
title = "Open models catch up"
url = "https://example.org/lag.html"
published = "2025-10-30"
author = "A. Writer"

[[claim]]
id = "r1-gpqa"
quote = "DeepSeek reports 71.5% on GPQA Diamond for DeepSeek-R1"
model = "DeepSeek-R1"
benchmark = "gpqa-diamond"
value = 71.5
stated_by = "self-reported"
date = "2025-01-20"
settings = { attempts = "1" }

[[claim]]
id = "o1-gpqa"
quote = "OpenAI's o1-preview scored 73.3%"
model = "o1-preview"
benchmark = "gpqa-diamond"
metric = "accuracy"
value = 73.3
stated_by = "self-reported"

[[claim]]
id = "weights"
quote = "its weights are published under the MIT license"
model = "DeepSeek-R1"
access = "open-weights"
license = "MIT"
stated_by = "self-reported"

[[claim]]
id = "lag"
quote = "open-weight models trail the closed frontier by about three months"
"#;

const PAGE: &str = r#"<!doctype html>
<html><head><title>Open models catch up</title>
<script>var note = "DeepSeek reports 99% on everything";</script></head>
<body><article>
<h1>Open models catch up</h1>
<p>By the evaluators&rsquo; count, open-weight models trail the closed frontier by
   about <em>three</em> months.</p>
<p>DeepSeek reports 71.5% on GPQA&nbsp;Diamond for DeepSeek-R1; OpenAI&#8217;s o1-preview
scored 73.3%. DeepSeek says its weights are published under the MIT license.</p>
</article></body></html>
"#;

fn article() -> gapwatch_ingest::SourceConfig {
    read_evidence_file(EVIDENCE, "evidence/lag.toml").unwrap()
}

#[test]
fn each_quoted_claim_becomes_a_claim_of_the_snapshot_cited_to_its_quote() {
    let source = article();
    assert_eq!(source.format, Format::Article);
    let x = extract(&source, PAGE.as_bytes()).unwrap();
    assert_eq!(x.structure, Structure::Data);
    assert_eq!(x.rows.len(), 4);
    assert_eq!(x.claims.len(), 3);
    assert_eq!(x.score_rows(), 2);

    let r1 = &x.claims[0];
    let score = r1.score().unwrap();
    assert_eq!(r1.subject.name, "DeepSeek-R1");
    assert_eq!(
        (score.benchmark.as_str(), score.value),
        ("gpqa-diamond", 71.5)
    );
    assert_eq!(score.metric, "as quoted");
    assert_eq!(score.settings["attempts"], "1");
    assert_eq!(r1.evaluator, Evaluator::SelfReported);
    // The claim's own date, else the article's.
    assert_eq!(r1.reported_on, Some("2025-01-20".parse().unwrap()));
    assert_eq!(x.claims[1].reported_on, Some("2025-10-30".parse().unwrap()));
    assert_eq!(x.claims[1].score().unwrap().metric, "accuracy");
    // The locator names the claim and its words, so a citation leads to the quote.
    assert_eq!(
        r1.locator,
        "claim \"r1-gpqa\": \u{201c}DeepSeek reports 71.5% on GPQA Diamond for DeepSeek-R1\u{201d}"
    );
    assert!(matches!(
        &x.claims[2].fact,
        Fact::Access { access: Access::OpenWeights, license: Some(l) } if l == "MIT"
    ));
    // Words without a figure are checked, and give no claim.
    let lag = &x.rows[3];
    assert_eq!(lag.claims, 0);
    assert_eq!(lag.skipped.as_deref(), Some("a quote without a figure"));
}

#[test]
fn a_quote_the_page_does_not_hold_is_refused_naming_the_evidence_file_the_claim_and_the_quote() {
    let source = article();
    let edited = PAGE.replace("73.3%", "73.8%");
    let err = extract(&source, edited.as_bytes()).unwrap_err();
    match &err {
        IngestError::QuoteNotFound {
            source_id,
            evidence_file,
            claim,
            quote,
        } => {
            assert_eq!(source_id, "article-lag");
            assert_eq!(evidence_file, "evidence/lag.toml");
            assert_eq!(claim, "o1-gpqa");
            assert_eq!(quote, "OpenAI's o1-preview scored 73.3%");
        }
        other => panic!("{other:?}"),
    }
    let message = err.to_string();
    assert!(
        message.starts_with("evidence/lag.toml: claim \"o1-gpqa\": the quote \u{201c}OpenAI's o1-preview scored 73.3%\u{201d} is not in the text of the page"),
        "{message}"
    );
    // Text in a script is not the page's text.
    let hidden = PAGE.replace("DeepSeek reports 71.5%", "DeepSeek said 71.5%");
    assert!(matches!(
        extract(&source, hidden.as_bytes()),
        Err(IngestError::QuoteNotFound { claim, .. }) if claim == "r1-gpqa"
    ));
}

#[test]
fn quotes_compare_after_tags_entities_quotes_and_whitespace_are_normalized() {
    let text = page_text(PAGE);
    // Across an inline element, a line break, an entity and a typographic apostrophe.
    assert!(contains_quote(
        &text,
        "the evaluators' count, open-weight models trail the closed frontier by about three months"
    ));
    assert!(contains_quote(&text, "OpenAI\u{2019}s o1-preview"));
    assert!(contains_quote(&text, "GPQA&nbsp;Diamond"));
    // Paragraphs never run together into one word.
    assert!(text.contains("three months. DeepSeek reports"), "{text}");
    assert!(!contains_quote(&text, "three months.DeepSeek"));
    assert!(!contains_quote(&text, "  "));
    assert!(!contains_quote(
        &text,
        "Open models catch up Open models catch up"
    ));
}

#[test]
fn an_article_in_a_sources_file_reads_the_same_and_names_that_file() {
    let text = r#"
[[source]]
id = "article-lag"
publisher = "Example News"
title = "Open models catch up"
url = "https://example.org/lag.html"
format = "article"

[source.article]
published = "2025-10-30"

[[source.article.claim]]
id = "r1-gpqa"
quote = "DeepSeek reports 72.0% on GPQA Diamond"
model = "DeepSeek-R1"
benchmark = "gpqa-diamond"
value = 72.0
stated_by = "self-reported"
"#;
    let file = SourcesFile::from_toml_str(text, "my-sources.toml").unwrap();
    let err = extract(file.get("article-lag").unwrap(), PAGE.as_bytes()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("my-sources.toml: claim \"r1-gpqa\""),
        "{err}"
    );
}

#[test]
fn inconsistent_entries_are_refused_when_the_file_is_read() {
    let refused = |edit: &dyn Fn(&str) -> String| {
        read_evidence_file(&edit(EVIDENCE), "evidence/lag.toml")
            .unwrap_err()
            .to_string()
    };
    let msg = refused(&|t| t.replace("stated_by = \"self-reported\"\ndate", "date"));
    assert!(
        msg.contains("claim \"r1-gpqa\": say who stated the figure"),
        "{msg}"
    );
    let msg = refused(&|t| t.replace("id = \"o1-gpqa\"", "id = \"r1-gpqa\""));
    assert!(
        msg.contains("the id is used by an earlier claim too"),
        "{msg}"
    );
    let msg = refused(&|t| t.replace("value = 73.3\n", ""));
    assert!(
        msg.contains("claim \"o1-gpqa\": a score needs both"),
        "{msg}"
    );
    let msg = refused(&|t| t.replace("model = \"o1-preview\"\n", ""));
    assert!(
        msg.contains("claim \"o1-gpqa\": a claim needs a `model`"),
        "{msg}"
    );
    let msg = refused(&|t| t.replace("author =", "writer ="));
    assert!(
        msg.starts_with("evidence/lag.toml:") && msg.contains("writer"),
        "{msg}"
    );
    let msg = refused(&|t| format!("{t}\n[[claim]]\nid = \"x\"\nquote = \" \"\n"));
    assert!(msg.contains("claim \"x\": the quote is empty"), "{msg}");

    let head =
        "[[source]]\nid = \"a\"\npublisher = \"P\"\ntitle = \"T\"\nurl = \"https://example.org\"\n";
    let err = SourcesFile::from_toml_str(&format!("{head}format = \"article\"\n"), "s.toml")
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("an article source needs [source.article]"),
        "{err}"
    );
    let err = SourcesFile::from_toml_str(
        &format!(
            "{head}format = \"article\"\nsubject = {{ name = \"Model\" }}\n[source.article]\npublished = \"2025-01-01\"\n"
        ),
        "s.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("[source.subject] does not apply to an article source"),
        "{err}"
    );
    let err = SourcesFile::from_toml_str(
        &format!(
            "{head}format = \"csv\"\nsubject = {{ name = \"Model\" }}\n[[source.score]]\nfield = \"s\"\nbenchmark = \"mmlu\"\nmetric = \"accuracy\"\n[source.article]\npublished = \"2025-01-01\"\n"
        ),
        "s.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("[source.article] applies to an article source"),
        "{err}"
    );
}

#[test]
fn an_article_without_claims_is_an_empty_snapshot_that_says_why() {
    let text = "[article]\nid = \"a\"\npublisher = \"P\"\ntitle = \"T\"\nurl = \"https://example.org\"\npublished = \"2025-01-01\"\n";
    let source = read_evidence_file(text, "evidence/a.toml").unwrap();
    let x = extract(&source, PAGE.as_bytes()).unwrap();
    assert!(matches!(x.structure, Structure::Empty { reason } if reason.contains("no [[claim]]")));
}

#[test]
fn the_documented_evidence_file_reads_the_demo_article_as_the_shipped_one_does() {
    let docs = std::fs::read_to_string(common::workspace().join("docs/sources.md")).unwrap();
    let section = docs.split("### An evidence file").nth(1).unwrap();
    let entry = section
        .split("```toml\n")
        .nth(1)
        .unwrap()
        .split("```")
        .next()
        .unwrap();
    let documented = read_evidence_file(entry, "docs/sources.md").unwrap();
    let shipped = common::defaults();
    let shipped = shipped.get("article-open-lag").unwrap();
    let page = std::fs::read(common::workspace().join("fixtures/article-open-lag/2025-10-30.html"))
        .unwrap();
    let x = extract(&documented, &page).unwrap();
    let y = extract(shipped, &page).unwrap();
    assert_eq!(x.rows.len(), 4);
    assert_eq!(x.claims.len(), 3);
    for claim in &x.claims {
        assert!(y.claims.contains(claim), "{claim:?}");
    }
    assert_eq!(documented.url, shipped.url);
}
