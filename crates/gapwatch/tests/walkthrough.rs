//! docs/sources.md, "Adding a leaderboard, start to finish", run step by step with the entries
//! the section prints: three leaderboards gapwatch does not ship (a video benchmark page at
//! four dates, a coding-agent leaderboard at three, a general benchmark's CSV releases with a
//! categories file and a model-links file) come out with their rows, access and headline
//! scores from a few hand-written registry lines plus `models unresolved --toml`, reviewed.
//!
//! The fixtures are in `tests/fixtures/<source>/<date>.<ext>` (see the README there).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test helpers outside #[test] fns

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

const TODAY: &str = "2025-12-01";

fn gapwatch(dir: &Path) -> Command {
    let mut cmd = Command::cargo_bin("gapwatch").unwrap();
    cmd.env_remove("GAPWATCH_WORKSPACE")
        .env_remove("GAPWATCH_DB")
        .env("GAPWATCH_TODAY", TODAY)
        .current_dir(dir);
    cmd
}

/// Runs a command; gives its exit code and stdout.
fn run(cmd: &mut Command) -> (i32, String) {
    let out = cmd.output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    assert!(
        code == 0 || code == 3,
        "{code}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (code, String::from_utf8(out.stdout).unwrap())
}

fn json(cmd: &mut Command) -> Value {
    let (_, out) = run(cmd);
    serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"))
}

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// The section of docs/sources.md this test follows.
fn section() -> String {
    let docs = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/sources.md"),
    )
    .unwrap();
    let start = docs
        .find("## Adding a leaderboard, start to finish")
        .unwrap();
    let rest = &docs[start..];
    rest[..rest.find("\n## An entry").unwrap()].to_owned()
}

/// The section's TOML blocks.
fn toml_blocks(section: &str) -> Vec<String> {
    section
        .split("```")
        .skip(1)
        .step_by(2)
        .filter_map(|b| b.strip_prefix("toml\n").map(str::to_owned))
        .collect()
}

/// Lines a person wrote: neither blank nor comments.
fn written_lines(toml: &str) -> usize {
    toml.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .count()
}

/// A workspace with the section's sources, the story tracking Video-MME too, and the
/// categories file beside sources.toml.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    run(gapwatch(dir.path()).args(["init"]));
    let blocks = toml_blocks(&section());
    let sources: Vec<&str> = blocks
        .iter()
        .filter(|b| b.starts_with("[[source]]"))
        .map(String::as_str)
        .collect();
    assert_eq!(sources.len(), 3, "three blocks of entries in the section");
    std::fs::write(dir.path().join("sources.toml"), sources.join("\n")).unwrap();
    let story = dir.path().join("stories/open-vs-closed.toml");
    let text = std::fs::read_to_string(&story).unwrap();
    assert!(text.contains("  \"terminal-bench\",\n") && text.contains("  \"livebench\",\n"));
    std::fs::write(
        &story,
        text.replace(
            "  \"terminal-bench\",\n",
            "  \"terminal-bench\",\n  \"video-mme\",\n",
        ),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("livebench")).unwrap();
    std::fs::copy(
        fixtures().join("livebench/categories_2024_11_25.json"),
        dir.path().join("livebench/categories_2024_11_25.json"),
    )
    .unwrap();
    dir
}

/// Every fixture, in date order, each under the name its publisher gives it: (source, date,
/// file to import).
fn downloads(dir: &Path) -> Vec<(String, String, PathBuf)> {
    let mut out = Vec::new();
    for source in [
        "videomme",
        "terminal-bench",
        "livebench",
        "livebench-models",
    ] {
        for entry in std::fs::read_dir(fixtures().join(source)).unwrap() {
            let path = entry.unwrap().path();
            let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
            if stem.len() != 10 {
                continue; // the categories file
            }
            // A LiveBench release is saved as the site names it; the date is when it was seen.
            let file = if source == "livebench" {
                let to = dir
                    .join("downloads")
                    .join(&stem)
                    .join("table_2024_11_25.csv");
                std::fs::create_dir_all(to.parent().unwrap()).unwrap();
                std::fs::copy(&path, &to).unwrap();
                to
            } else {
                path
            };
            out.push((source.to_owned(), stem, file));
        }
    }
    out.sort_by(|a, b| (&a.1, &a.0).cmp(&(&b.1, &b.0)));
    out
}

/// `gap`'s closing line: (claims about unresolved names, claims of unknown access).
fn gap_counts(dir: &Path) -> (u64, u64) {
    let (_, out) = run(gapwatch(dir).args(["gap"]));
    let line = out.lines().find(|l| l.contains("not counted")).unwrap();
    let number_before = |marker: &str| -> u64 {
        let head = &line[..line.find(marker).unwrap()];
        head.split_whitespace().last().unwrap().parse().unwrap()
    };
    (
        number_before(" about unresolved model names"),
        number_before(" of unknown access"),
    )
}

/// The review: for each listed name, the alias alternative the file offers (uncommented)
/// instead of the new entry; everything else kept as written.
fn review(generated: &str, alias: &[(&str, &str)]) -> String {
    let mut out = String::new();
    for block in generated.split("\n\n") {
        let chosen = alias
            .iter()
            .find(|(name, _)| block.starts_with(&format!("# \"{name}\":")));
        match chosen {
            None => out.push_str(block),
            Some((name, id)) => {
                let alternative: Vec<&str> = block
                    .lines()
                    .skip_while(|l| !l.starts_with("# Or, if it is the same model as"))
                    .skip(1)
                    .map(|l| l.strip_prefix("# ").unwrap())
                    .collect();
                assert_eq!(
                    alternative[..3],
                    [
                        "[[model]]".to_owned(),
                        format!("extends = \"{id}\""),
                        format!("aliases = [\"{name}\"]")
                    ],
                    "{block}"
                );
                out.push_str(&alternative.join("\n"));
            }
        }
        out.push_str("\n\n");
    }
    out
}

/// The parity rows of a benchmark's main variant (the headline comparison and any other
/// settings).
fn row<'v>(gap: &'v Value, benchmark: &str) -> Vec<&'v Value> {
    gap["parity"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["key"]["benchmark"] == benchmark && r["key"]["variant"] == "")
        .collect()
}

fn side(side: &Value) -> (Vec<String>, f64, Option<String>) {
    let entry = &side["best"];
    let ids = entry["model_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let subtitles = entry["settings"]["subtitles"].as_str().map(str::to_owned);
    (ids, entry["value"].as_f64().unwrap(), subtitles)
}

#[test]
fn three_new_leaderboards_with_a_few_registry_lines_and_reviewed_suggestions() {
    let ws = workspace();
    let dir = ws.path();

    // Step 2 to 4: `sources test` says what each entry reads, and only what matters.
    let f = fixtures();
    let (code, out) = run(gapwatch(dir)
        .args(["sources", "test", "videomme", "--file"])
        .arg(f.join("videomme/2025-04-30.html")));
    assert_eq!(code, 0, "no warning: {out}");
    for name in [
        "Qwen2-VL 72B",
        "InternVL2.5 78B",
        "Gemini 1.5 Pro",
        "GPT-4o",
    ] {
        assert!(
            out.lines()
                .any(|l| l.split("  ").nth(1).map(str::trim) == Some(name)),
            "{name}: {out}"
        );
    }
    let (_, out) = run(gapwatch(dir)
        .args(["sources", "test", "videomme", "--file"])
        .arg(f.join("videomme/2024-06-30.html")));
    assert!(
        out.contains("VideoLLaMA 2 7B") && !out.contains("Alibaba Group"),
        "the organization comes off before the size is appended: {out}"
    );
    let (code, out) = run(gapwatch(dir)
        .args(["sources", "test", "terminal-bench", "--file"])
        .arg(f.join("terminal-bench/2025-11-20.json")));
    assert_eq!(code, 3);
    let warnings: Vec<&str> = out.lines().filter(|l| l.starts_with("warning:")).collect();
    assert_eq!(warnings.len(), 1, "{out}");
    assert!(warnings[0].contains("2 of 30 rows are systems that name no model"));

    // Step 5: import everything, in date order.
    let files = downloads(dir);
    assert_eq!(files.len(), 4 + 3 + 2 + 1);
    for (source, date, file) in &files {
        let (_, out) = run(gapwatch(dir)
            .args(["import", "--source", source, "--file"])
            .arg(file)
            .args(["--observed-at", date]));
        assert!(out.contains("stored"), "{source} {date}: {out}");
        assert!(!out.contains("not in the registry"), "{out}");
    }

    // Step 6: what the registry lacks, counted as the analysis counts it.
    let report = json(gapwatch(dir).args(["models", "unresolved", "--json"]));
    let names: Vec<&str> = report["unresolved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["name"].as_str().unwrap())
        .collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "InternVL-Chat-V1.5 20B",
            "Kangaroo 8B",
            "LLaVA-Video 72B",
            "LinVT 7B",
            "OB-1",
            "ST-LLM 7B",
            "VideoLLaMA 2 7B",
            "VideoLLaMA 3 7B",
            "Warp",
        ]
    );
    let left_out: u64 = report["unresolved"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["left_out"].as_u64().unwrap())
        .sum();
    let unknown: u64 = report["unknown_access_subjects"]
        .as_object()
        .unwrap()
        .values()
        .map(|v| v.as_u64().unwrap())
        .sum();
    assert_eq!(report["unresolved_claims"].as_u64(), Some(left_out));
    assert_eq!(report["unknown_access_claims"].as_u64(), Some(unknown));
    assert_eq!(gap_counts(dir), (left_out, unknown), "the digest's counts");
    assert!(left_out > 0 && unknown > 0);
    // Model-level evidence: Video-MME's parameters column, for each of its names.
    for r in report["unresolved"].as_array().unwrap() {
        let suggested = &r["suggested_access"];
        if r["sources"] == serde_json::json!(["videomme"]) {
            assert_eq!(suggested["access"], "open-weights", "{r}");
            assert_eq!(suggested["evidence"][0]["source"], "videomme");
            assert_eq!(suggested["evidence"][0]["observed_on"], "2025-04-30");
        } else {
            // Warp and OB-1: systems that name no model, about which nobody said anything.
            assert_eq!(r["system_without_models"], true, "{r}");
            assert!(suggested.is_null(), "{r}");
        }
    }
    let unknown_subjects: Vec<&String> = report["unknown_access_subjects"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        unknown_subjects,
        ["ByteVideoLLM-14B", "Terminus (Glaive SWE v1)"]
    );

    // Step 7: the lines written by hand.
    let blocks = toml_blocks(&section());
    let by_hand = blocks
        .iter()
        .find(|b| b.starts_with("# registry.toml"))
        .unwrap();
    let hand_lines = written_lines(by_hand);
    assert!(hand_lines <= 30, "{hand_lines} lines by hand");
    let registry = dir.join("registry.toml");
    let mut text = std::fs::read_to_string(&registry).unwrap();
    text.push_str(by_hand);

    // Step 8: the rest, generated and reviewed.
    let (_, generated) = run(gapwatch(dir).args(["models", "unresolved", "--toml"]));
    assert!(generated.contains("# 9 new entries and 2 models of unknown access."));
    // ByteVideoLLM-14B: of unknown access, and the page states it (14B of parameters).
    let byte = generated
        .split("\n\n")
        .find(|b| b.starts_with("# bytevideollm-14b"))
        .unwrap();
    assert!(
        byte.contains("[[model]]\nextends = \"bytevideollm-14b\"\naccess = \"open-weights\"\naccess_evidence = \"Video-MME leaderboard (source videomme), snapshot "),
        "{byte}"
    );
    // Glaive SWE v1: only a system's flag speaks of it, which is not adopted.
    let glaive = generated
        .split("\n\n")
        .find(|b| b.starts_with("# glaive-swe-v1"))
        .unwrap();
    assert!(
        glaive.contains("# not adopted: Terminal-Bench leaderboard (source terminal-bench)")
            && glaive.contains("a statement about the system \"Terminus\"")
            && !glaive.lines().any(|l| l == "[[model]]"),
        "{glaive}"
    );
    let same_models = [
        ("InternVL-Chat-V1.5 20B", "internvl-chat-v1-5"),
        ("Kangaroo 8B", "kangaroo"),
        ("LLaVA-Video 72B", "llava-video-72b-qwen2"),
        ("LinVT 7B", "linvt"),
        ("ST-LLM 7B", "st-llm"),
        ("VideoLLaMA 2 7B", "videollama2-7b"),
        ("VideoLLaMA 3 7B", "videollama3-7b"),
    ];
    let reviewed = review(&generated, &same_models);
    let generated_entries = reviewed.lines().filter(|l| *l == "[[model]]").count();
    assert_eq!(
        generated_entries,
        7 + 2 + 1,
        "aliases, two systems, one access"
    );
    text.push('\n');
    text.push_str(&reviewed);
    std::fs::write(&registry, text).unwrap();

    // Nothing is left out but what nobody has said.
    let report = json(gapwatch(dir).args(["models", "unresolved", "--json"]));
    assert_eq!(report["unresolved"], serde_json::json!([]), "{report}");
    let unknown_subjects: Vec<&String> = report["unknown_access_subjects"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(
        unknown_subjects,
        ["OB-1 (OB-1)", "Terminus (Glaive SWE v1)", "Warp (Warp)"],
        "systems that name no model, and Glaive, of which only a system's flag speaks"
    );
    assert_eq!(gap_counts(dir).0, 0);
    let shown = json(gapwatch(dir).args(["registry", "show", "LLaVA-Video 72B", "--json"]));
    assert_eq!(shown["entry"]["id"], "llava-video-72b-qwen2");
    assert_eq!(shown["entry"]["access"], "open-weights");
    let shown = json(gapwatch(dir).args(["registry", "show", "bytevideollm-14b", "--json"]));
    assert_eq!(shown["entry"]["access"], "open-weights");
    assert!(
        shown["entry"]["access_evidence"]
            .as_str()
            .unwrap()
            .contains("table#leaderboard-table tr[14]")
    );

    // Rows, access and headline scores.
    let gap = json(gapwatch(dir).args(["gap", "--json"]));
    let tb = row(&gap, "terminal-bench");
    assert_eq!(tb.len(), 1);
    assert_eq!(
        side(&tb[0]["incumbent"]),
        (vec!["claude-sonnet-4-5-20250929".to_owned()], 64.5, None)
    );
    assert_eq!(
        side(&tb[0]["challenger"]),
        (vec!["glm-4-5".to_owned()], 39.9, None)
    );
    // LiveBench's global average, computed from the task columns and the categories file,
    // is the one the leaderboard publishes (82.35 and 71.96).
    let lb = row(&gap, "livebench");
    assert_eq!(lb.len(), 1);
    let (closed, closed_value, _) = side(&lb[0]["incumbent"]);
    let (open, open_value, _) = side(&lb[0]["challenger"]);
    assert_eq!(closed, ["gemini-2-5-pro-exp-03-25"]);
    assert_eq!(open, ["qwq-32b"]);
    assert!((closed_value - 82.35).abs() < 0.006, "{closed_value}");
    assert!((open_value - 71.96).abs() < 0.006, "{open_value}");
    assert_eq!(
        lb[0]["incumbent"]["best"]["settings"]["release"],
        "2024_11_25"
    );
    // Video-MME: each side's best, in the comparison its settings say.
    let vm = row(&gap, "video-mme");
    assert!(!vm.is_empty());
    for r in vm {
        let expected_closed = |subs: Option<&str>| match subs {
            Some("without") => 75.0,
            Some("with") => 81.3,
            other => panic!("{other:?}"),
        };
        let (ids, value, subs) = side(&r["incumbent"]);
        assert_eq!(ids, ["gemini-1-5-pro"]);
        assert_eq!(value, expected_closed(subs.as_deref()));
        let (ids, value, subs) = side(&r["challenger"]);
        match subs.as_deref() {
            Some("without") => assert_eq!((ids, value), (vec!["internvl2-5-78b".to_owned()], 72.1)),
            Some("with") => assert_eq!(
                (ids, value),
                (vec!["qwen2-vl-72b-instruct".to_owned()], 77.8)
            ),
            other => panic!("{other:?}"),
        }
    }

    // The system flag that is wrong stays a tension, never the registry's answer.
    let tensions = json(gapwatch(dir).args(["tensions", "--json"]));
    assert!(
        tensions.as_array().unwrap().iter().any(|t| t["subject"]
            .as_str()
            .unwrap()
            .starts_with("OpenHands (Claude Sonnet 4")
            && t["items"]
                .as_array()
                .unwrap()
                .iter()
                .all(|i| i["source_id"] == "terminal-bench")),
        "{tensions}"
    );

    // What the section says of its own numbers.
    let text = section();
    assert!(
        text.contains(&format!(
            "{hand_lines} lines written by hand, {generated_entries} entries generated and reviewed"
        )),
        "docs/sources.md should say {hand_lines} and {generated_entries}"
    );
}
