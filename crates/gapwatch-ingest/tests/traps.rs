//! The traps real leaderboards set, read with the sources gapwatch ships.

#![allow(clippy::unwrap_used)] // test code, inside #[test] functions or not

mod common;

use common::{access_of, data, defaults, evaluator_of, run, score_of, scores, source};
use gapwatch_ingest::Structure;
use gapwatch_model::{Access, Evaluator, Fact};

#[test]
fn swebench_openhands_gpt5_keeps_the_wrong_flag_as_a_claim_and_the_real_model() {
    let sources = defaults();
    let x = run(
        sources.get("swebench").unwrap(),
        &data("swebench-2025-10-06.json"),
    );
    let (claim, score) = scores(&x)
        .into_iter()
        .find(|(c, _)| c.subject.name == "OpenHands + GPT-5")
        .unwrap();
    // The subject is the system with the real model, so the registry classifies it closed.
    assert_eq!(claim.subject.system.as_deref(), Some("OpenHands"));
    assert_eq!(claim.subject.models, vec!["gpt-5-2025-08-07"]);
    assert_eq!(score.benchmark, "swe-bench-verified");
    assert_eq!(score.value, 71.8);
    assert_eq!(score.settings["attempts"], "1");
    // The source's flag is recorded faithfully, as the source's claim, for the analysis to
    // compare with the registry.
    assert_eq!(
        access_of(&x, "OpenHands + GPT-5"),
        vec![(Access::OpenWeights, None)]
    );
    let access = x
        .claims
        .iter()
        .find(|c| matches!(c.fact, Fact::Access { .. }) && c.subject.name == "OpenHands + GPT-5")
        .unwrap();
    assert_eq!(access.subject, claim.subject);
}

#[test]
fn swebench_systems_split_into_agent_and_models() {
    let sources = defaults();
    let x = run(
        sources.get("swebench").unwrap(),
        &data("swebench-2025-10-06.json"),
    );
    let subject = |name: &str| {
        scores(&x)
            .into_iter()
            .find(|(c, _)| c.subject.name == name)
            .map(|(c, _)| c.subject.clone())
            .unwrap()
    };
    let trae = subject("TRAE + Doubao-Seed-Code");
    assert_eq!(trae.system.as_deref(), Some("TRAE"));
    assert_eq!(trae.models, vec!["Doubao-Seed-Code", "Doubao-Seed-1.6"]);
    // Provider and repository prefixes are not part of the model's name.
    assert_eq!(
        subject("OpenHands + Qwen3-Coder-480B-A35B-Instruct").models,
        vec!["Qwen3-Coder-480B-A35B-Instruct"]
    );
    let glm = subject("GLM-4.6");
    assert_eq!(
        (glm.system.as_deref(), glm.models),
        (Some("GLM-4.6"), vec!["GLM-4.6".to_owned()])
    );
    // "(medium reasoning)" is not a model; the tag is.
    let mini = subject("mini-SWE-agent + GPT-5 (2025-08-07) (medium reasoning)");
    assert_eq!(mini.system.as_deref(), Some("mini-SWE-agent"));
    assert_eq!(mini.models, vec!["gpt-5-2025-08-07"]);
    // No model tag: the model comes from the name, "Agent (model)".
    let codeact = subject("OpenHands + CodeAct v2.1 (claude-3-5-sonnet-20241022)");
    assert_eq!(codeact.system.as_deref(), Some("OpenHands + CodeAct v2.1"));
    assert_eq!(codeact.models, vec!["claude-3-5-sonnet-20241022"]);
    // Several boards, each its own benchmark.
    assert_eq!(
        score_of(&x, "Claude 4.5 Sonnet (20250929)", "swe-bench-bash-only")[0].value,
        70.6
    );
}

#[test]
fn swebench_old_oss_field_is_open_scaffold_code_not_open_weights() {
    let sources = defaults();
    let x = run(
        sources.get("swebench").unwrap(),
        &data("swebench-2025-05-07.json"),
    );
    assert_eq!(x.score_rows(), 6);
    // `oss: true` on a Claude-based system must not become an open-weights claim.
    assert!(
        x.claims.iter().all(|c| matches!(c.fact, Fact::Score(_))),
        "no access claims from the 2025-05 schema"
    );
    let (c, _) = scores(&x)
        .into_iter()
        .find(|(c, _)| c.subject.name.starts_with("Agentless-1.5"))
        .unwrap();
    assert_eq!(c.subject.system.as_deref(), Some("Agentless-1.5"));
    assert_eq!(c.subject.models, vec!["GPT 4o (2024-05-13)"]);
}

#[test]
fn swebench_page_cowboy_mark_is_not_an_access_claim() {
    let sources = defaults();
    let x = run(
        sources.get("swebench-html").unwrap(),
        &data("swebench-static.html"),
    );
    let names: Vec<_> = x.rows.iter().map(|r| r.subject.clone().unwrap()).collect();
    assert_eq!(
        names,
        vec![
            "Augment Agent v0",
            "OpenHands + CodeAct v2.1 (claude-3-5-sonnet-20241022)",
            "Agentless-1.5 + GPT 4o (2024-05-13)"
        ]
    );
    assert_eq!(x.claims.len(), 3);
    assert!(x.claims.iter().all(|c| c.score().is_some()));
    assert_eq!(
        score_of(&x, "Augment Agent v0", "swe-bench-verified")[0].value,
        65.4
    );
    // Older pages lack the Multimodal board: an optional table, no warning. This page also
    // lacks the Lite and Test boards, which every real version has: those are warned about.
    // Augment Agent v0 names no model: it counts only if the registry knows the system.
    let warned: Vec<String> = x.warnings.iter().map(|w| w.to_string()).collect();
    assert_eq!(warned.len(), 3, "{warned:?}");
    assert!(
        warned[..2]
            .iter()
            .all(|w| w.contains("matched nothing") && !w.contains("Multimodal"))
    );
    assert!(
        warned[2].starts_with("1 of 3 rows are systems that name no model"),
        "{}",
        warned[2]
    );
}

#[test]
fn mmmu_old_page_says_open_or_closed_only_by_row_colour() {
    let sources = defaults();
    let x = run(sources.get("mmmu-html").unwrap(), &data("mmmu-static.html"));
    assert_eq!(
        access_of(&x, "GPT-4V(ision) (Playground)")[0].0,
        Access::Closed
    );
    // `rgba(249,242,248, 1)`, `#f9f2f8` and `rgba(249, 242, 248, 1)` are one colour.
    assert_eq!(access_of(&x, "Emu2-Chat")[0].0, Access::OpenWeights);
    assert_eq!(access_of(&x, "LLaVA-1.5-13B")[0].0, Access::OpenWeights);
    assert_eq!(access_of(&x, "LLaVA-1.6-34B")[0].0, Access::OpenWeights);
    // `*` means results provided by the authors, and is not part of the name.
    assert_eq!(evaluator_of(&x, "Emu2-Chat"), Evaluator::SelfReported);
    assert_eq!(evaluator_of(&x, "LLaVA-1.6-34B"), Evaluator::SelfReported);
    assert_eq!(evaluator_of(&x, "LLaVA-1.5-13B"), Evaluator::ThirdParty);
}

#[test]
fn mmmu_old_page_table_order_follows_the_toggle_label() {
    // On this page the first table is the test set, as its toggle button says.
    let sources = defaults();
    let x = run(sources.get("mmmu-html").unwrap(), &data("mmmu-static.html"));
    let gpt4v: Vec<(String, f64)> = score_of(&x, "GPT-4V(ision) (Playground)", "mmmu")
        .into_iter()
        .map(|s| (s.variant.clone(), s.value))
        .collect();
    assert_eq!(gpt4v, vec![("test".into(), 55.7), ("val".into(), 56.8)]);
}

#[test]
fn baseline_rows_are_skipped_with_a_reason() {
    let sources = defaults();
    let x = run(sources.get("mmmu-html").unwrap(), &data("mmmu-static.html"));
    let skipped: Vec<(String, String)> = x
        .rows
        .iter()
        .filter_map(|r| Some((r.subject.clone()?, r.skipped.clone()?)))
        .collect();
    assert_eq!(
        skipped,
        vec![
            ("Human Expert (Best)".into(), "human baseline".into()),
            (
                "Random Choice".into(),
                "random or frequent-choice baseline".into()
            )
        ]
    );
    assert!(x.claims.iter().all(|c| !c.subject.name.contains("Human")));

    let json = r#"{"leaderboardData": [
      {"info": {"name": "Human Expert (High)", "size": "-", "date": "2024-01-31", "type": "human_expert"},
       "validation": {"overall": "88.6"}},
      {"info": {"name": "Random Choice", "size": "-", "date": "2023-11-27", "type": "random_frequent"},
       "validation": {"overall": "22.1"}},
      {"info": {"name": "GPT-4o (0513)", "size": "-", "date": "2024-05-13", "type": "proprietary"},
       "validation": {"overall": "69.1", "source": "author"}, "pro": {"overall": "51.9"}}]}"#;
    let x = run(sources.get("mmmu").unwrap(), json.as_bytes());
    assert_eq!(x.rows.len(), 3);
    assert_eq!(x.score_rows(), 1);
    assert_eq!(x.rows[0].skipped.as_deref(), Some("human baseline"));
    // Self-reported is per section: the validation score is the authors', MMMU-Pro is not.
    let per: Vec<(String, Evaluator)> = scores(&x)
        .iter()
        .map(|(c, s)| (s.benchmark.clone(), c.evaluator))
        .collect();
    assert_eq!(
        per,
        vec![
            ("mmmu".into(), Evaluator::SelfReported),
            ("mmmu-pro".into(), Evaluator::ThirdParty)
        ]
    );

    let csv = "System,Date,Open/Closed,GPQA,MMLU\nRandom chance,,,0.25,0.25\nGPT-4o,2024-05-13,Closed,0.536,0.872\n";
    let x = run(sources.get("epoch-open-closed").unwrap(), csv.as_bytes());
    assert_eq!(x.rows[0].skipped.as_deref(), Some("random baseline"));
    assert_eq!(score_of(&x, "GPT-4o", "mmlu")[0].value, 87.2);
    assert_eq!(score_of(&x, "GPT-4o", "gpqa-diamond")[0].value, 53.6);
}

#[test]
fn duplicate_settings_rows_stay_distinct() {
    let sources = defaults();
    // BFCL: the same model in function-calling and prompt mode, and with a provider.
    let csv = "Rank,Overall Acc,Model,Organization,License\n\
               1,77.47%,Claude-Opus-4-5-20251101 (FC),Anthropic,Proprietary\n\
               57,33.47%,Claude-Opus-4-5-20251101 (Prompt),Anthropic,Proprietary\n\
               62,53.93%,Qwen/QwQ-32B (FC) (Novita),Qwen,apache-2.0\n\
               25,50.81%,Command-R-Plus (Prompt) (Original),Cohere,cc-by-nc-4.0\n";
    let x = run(sources.get("bfcl").unwrap(), csv.as_bytes());
    let opus = score_of(&x, "Claude-Opus-4-5-20251101", "bfcl");
    let modes: Vec<(&str, f64)> = opus
        .iter()
        .map(|s| (s.settings["mode"].as_str(), s.value))
        .collect();
    assert_eq!(modes, vec![("FC", 77.47), ("Prompt", 33.47)]);
    let qwq = score_of(&x, "Qwen/QwQ-32B", "bfcl")[0];
    assert_eq!(
        (
            qwq.settings["mode"].as_str(),
            qwq.settings["provider"].as_str()
        ),
        ("FC", "Novita")
    );
    assert_eq!(
        score_of(&x, "Command-R-Plus", "bfcl")[0].settings["provider"],
        "Original"
    );
    assert!(x.rows.iter().all(|r| r.warnings.is_empty()));

    // Aider: one model under two edit formats.
    let yml = "- model: Qwen2.5-Coder-32B-Instruct\n  edit_format: diff\n  pass_rate_2: 8.0\n  date: 2024-12-22\n\
               - model: Qwen2.5-Coder-32B-Instruct\n  edit_format: whole\n  pass_rate_2: 16.4\n  date: 2024-12-26\n\
               - model: gpt-5 (high)\n  edit_format: diff\n  pass_rate_2: 88.0\n  reasoning_effort: high\n  date: 2025-08-23\n";
    let x = run(sources.get("aider-polyglot").unwrap(), yml.as_bytes());
    let formats: Vec<&str> = score_of(&x, "Qwen2.5-Coder-32B-Instruct", "aider-polyglot")
        .iter()
        .map(|s| s.settings["edit_format"].as_str())
        .collect();
    assert_eq!(formats, vec!["diff", "whole"]);
    assert_eq!(
        score_of(&x, "gpt-5", "aider-polyglot")[0].settings["reasoning_effort"],
        "high"
    );

    // Starred capped runs (as on SWE-Bench Pro) are a setting, not another model.
    let json = r#"{"leaderboards": [{"name": "Verified", "results": [
        {"name": "claude-opus-4-5", "resolved": 45.9, "date": "2025-11-24", "tags": ["Model: claude-opus-4-5"]},
        {"name": "claude-opus-4-5*", "resolved": 43.6, "date": "2025-11-24", "tags": ["Model: claude-opus-4-5"]}]}]}"#;
    let x = run(sources.get("swebench").unwrap(), json.as_bytes());
    let runs: Vec<(Option<&str>, f64)> = score_of(&x, "claude-opus-4-5", "swe-bench-verified")
        .iter()
        .map(|s| (s.settings.get("capped").map(String::as_str), s.value))
        .collect();
    assert_eq!(runs, vec![(None, 45.9), (Some("true"), 43.6)]);
}

#[test]
fn identical_rows_are_kept_and_noted() {
    let sources = defaults();
    let x = run(
        sources.get("swebench").unwrap(),
        &data("swebench-2025-05-07.json"),
    );
    let solver = score_of(&x, "Solver (2024-09-12)", "swe-bench-verified");
    assert_eq!(solver.len(), 2, "both results are claims");
    let second = x
        .rows
        .iter()
        .filter(|r| r.subject.as_deref() == Some("Solver (2024-09-12)"))
        .nth(1)
        .unwrap();
    assert!(
        second
            .warnings
            .iter()
            .any(|w| w.starts_with("same subject")),
        "{:?}",
        second.warnings
    );
    // A note on the row, not a problem for the run (whose one warning is about the systems
    // of this older file that name no model).
    assert!(
        x.warnings
            .iter()
            .all(|w| !w.message.starts_with("same subject")),
        "{:?}",
        x.warnings
    );
}

#[test]
fn schema_drift_between_dates_still_maps() {
    let sources = defaults();
    // EvalPlus: `pass@1_base` / `pass@1_plus` until March 2024, `pass@1` after.
    let old = r#"{"GPT-4-Turbo (Nov 2023)": {"link": "https://openai.com", "open-data": "NONE",
                  "pass@1_base": {"humaneval": 85.4, "mbpp": 83.5}, "pass@1_plus": {"humaneval": 81.7, "mbpp": 70.7},
                  "prompted": true, "size": null}}"#;
    let new = r#"{"GPT-4-Turbo (Nov 2023)": {"link": "https://openai.com", "open-data": "NONE",
                  "pass@1": {"humaneval": 85.4, "humaneval+": 81.7, "mbpp": 83.5, "mbpp+": 70.7},
                  "prompted": true, "size": null},
                  "DeepSeek-Coder-33B-instruct": {"link": "https://huggingface.co/deepseek-ai", "open-data": "NONE",
                  "pass@1": {"humaneval": 81.1, "humaneval+": 75.0, "mbpp": 80.4, "mbpp+": 70.1},
                  "prompted": true, "size": 33.0}}"#;
    let evalplus = sources.get("evalplus").unwrap();
    let a = run(evalplus, old.as_bytes());
    let b = run(evalplus, new.as_bytes());
    for x in [&a, &b] {
        let plus = score_of(x, "GPT-4-Turbo (Nov 2023)", "humaneval-plus")[0];
        assert_eq!(plus.value, 81.7);
        assert_eq!(
            score_of(x, "GPT-4-Turbo (Nov 2023)", "mbpp-plus")[0].value,
            70.7
        );
        // The date is in the name; a null size means an API model.
        let (turbo, _) = scores(x)
            .into_iter()
            .find(|(c, _)| c.subject.name == "GPT-4-Turbo (Nov 2023)")
            .unwrap();
        assert_eq!(
            turbo.reported_on.map(|d| d.to_string()).as_deref(),
            Some("2023-11-01")
        );
        assert_eq!(access_of(x, "GPT-4-Turbo (Nov 2023)")[0].0, Access::Closed);
    }
    assert_eq!(
        access_of(&b, "DeepSeek-Coder-33B-instruct")[0].0,
        Access::OpenWeights
    );

    // LMArena's CSV mirror: `arena_elo` in 2024-06, `arena_score` later.
    let arena = sources.get("arena-csv").unwrap();
    let old = "rank,model,arena_elo,95_pct_ci,votes,organization,license,knowledge_cutoff,url\n\
               1,GPT-4o-2024-05-13,1287,+3/-3,42046,OpenAI,Proprietary,2023/10,https://openai.com\n";
    let new = "rank,rank_stylectrl,model,arena_score,95_pct_ci,votes,organization,license,knowledge_cutoff,url\n\
               1,1,Gemini-2.5-Pro,1474,+5/-4,19209,Google,Proprietary,Unknown,http://aistudio.google.com\n";
    let x = run(arena, old.as_bytes());
    let s = score_of(&x, "GPT-4o-2024-05-13", "lmarena-text")[0];
    assert_eq!((s.value, s.uncertainty), (1287.0, Some(3.0)));
    let x = run(arena, new.as_bytes());
    let s = score_of(&x, "Gemini-2.5-Pro", "lmarena-text")[0];
    assert_eq!((s.value, s.uncertainty), (1474.0, Some(4.5)));

    // EvalPlus CSV, 2023-10: the size sits in its own column.
    let csv = "Model,Size,pass@1*,pass@1,pass@10,pass@100,prompted\n\
               GPT-4 (May 2023),N/A,88.4,,,,TRUE\nCodeLlama,7B,37.8,,,,FALSE\n\
               Phind-CodeLlama-34B-v2,34B,71.3,,,,FALSE\n";
    let x = run(
        sources.get("evalplus-humaneval-csv").unwrap(),
        csv.as_bytes(),
    );
    let names: Vec<_> = scores(&x)
        .iter()
        .map(|(c, _)| c.subject.name.clone())
        .collect();
    assert_eq!(
        names,
        vec!["GPT-4 (May 2023)", "CodeLlama 7B", "Phind-CodeLlama-34B-v2"]
    );
    // HumanEval+ is not in that version: said once, not per row.
    assert_eq!(x.warnings.len(), 1);
    assert!(x.warnings[0].message.contains("pass@1_plus"));
}

#[test]
fn client_rendered_page_is_reported_empty_with_its_reason() {
    let sources = defaults();
    let x = run(
        sources.get("mmmu-html").unwrap(),
        &data("mmmu-js-shell.html"),
    );
    assert_eq!(
        x.structure,
        Structure::Empty {
            reason:
                "0 rows: client-rendered table table#mmmu-table (the page fills it with a script)"
                    .to_owned()
        }
    );
    assert!(x.claims.is_empty());
    assert_eq!(x.warnings.len(), 1);
}

#[test]
fn epoch_effort_suffix_and_scorer_uncertainty() {
    let sources = defaults();
    let csv = "\u{feff}id,task,model,Best score (across scorers),Scores,started_at,Status\n\
               V3YQ,GPQA diamond,gpt-5.1_medium,0.850,choice:0.85±0.02,17 November 2025 4:28pm,Success\n\
               DKLr,FrontierMath-2025-02-28-Private,o3-2025-04-16_low,0.097,verification_code:0.1±0.02,16 November 2025 8:17pm,Success\n";
    let x = run(sources.get("epoch-runs").unwrap(), csv.as_bytes());
    let (c, s) = scores(&x)[0];
    assert_eq!(c.subject.name, "gpt-5.1");
    assert_eq!(s.settings["reasoning"], "medium");
    assert_eq!((s.value, s.uncertainty), (85.0, Some(2.0)));
    assert_eq!(
        c.reported_on.map(|d| d.to_string()).as_deref(),
        Some("2025-11-17")
    );
    let (c, s) = scores(&x)[1];
    assert_eq!(
        (
            c.subject.name.as_str(),
            s.benchmark.as_str(),
            s.variant.as_str()
        ),
        ("o3-2025-04-16", "frontiermath", "private")
    );
}

#[test]
fn llmstats_self_reported_flag_and_untracked_benchmarks() {
    let sources = defaults();
    let json = r#"[
      {"benchmark_id": "gpqa", "model_id": "qwen2.5-vl-7b", "score": 0.819, "is_self_reported": true},
      {"benchmark_id": "aitz-em", "model_id": "qwen2.5-vl-7b", "score": 0.601, "is_self_reported": true},
      {"benchmark_id": "mmlu", "model_id": "qwen2.5-vl-7b", "score": 0.7, "is_self_reported": false}]"#;
    let x = run(sources.get("llmstats-scores").unwrap(), json.as_bytes());
    assert_eq!(evaluator_of(&x, "qwen2.5-vl-7b"), Evaluator::SelfReported);
    assert_eq!(scores(&x)[1].0.evaluator, Evaluator::Unknown);
    assert_eq!(
        x.rows[1].skipped.as_deref(),
        Some("benchmark \"aitz-em\" is not tracked")
    );
    assert!(x.warnings.is_empty());
}

#[test]
fn license_column_gives_access_claims_with_the_license_text() {
    let src = source(
        "json",
        r#"
rows = "$[*]"
[source.subject]
name = "model_api_name"
[source.access]
license = "license"
closed_licenses = ["Proprietary", "Propretary"]
"#,
    );
    let json = r#"[{"name": "GPT-4o", "model_api_name": "chatgpt-4o-latest-20241120", "license": "Proprietary"},
                   {"name": "X", "model_api_name": "x-1", "license": "Propretary"},
                   {"name": "DeepSeek-R1", "model_api_name": "deepseek-r1", "license": "MIT"}]"#;
    let x = run(&src, json.as_bytes());
    assert_eq!(access_of(&x, "x-1")[0].0, Access::Closed);
    assert_eq!(
        access_of(&x, "deepseek-r1"),
        vec![(Access::OpenWeights, Some("MIT".to_owned()))]
    );
    assert_eq!(x.score_rows(), 0);
    assert_eq!(x.structure, Structure::Data);
}
