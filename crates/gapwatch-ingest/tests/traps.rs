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
    // Several boards, each its own benchmark; the bash-only board is a variant of Verified.
    let bash = score_of(&x, "Claude 4.5 Sonnet (20250929)", "swe-bench-verified");
    assert_eq!(
        (bash[0].variant.as_str(), bash[0].value),
        ("bash-only", 70.6)
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

#[test]
fn llmstats_link_to_an_independent_leaderboard_is_an_independent_run() {
    let sources = defaults();
    // Claude 3.5 Sonnet's LLM Stats file (2025-10): every figure flagged `is_self_reported`,
    // MMLU-Pro linked to TIGER-Lab's leaderboard, MMLU to Anthropic's post.
    let json = r#"[
      {"benchmark_id": "mmlu", "model_id": "claude-3-5-sonnet-20240620", "score": 0.904, "is_self_reported": true,
       "self_reported_source_link": "https://www.anthropic.com/news/claude-3-5-sonnet", "analysis_method": "5-shot CoT"},
      {"benchmark_id": "mmlu-pro", "model_id": "claude-3-5-sonnet-20240620", "score": 0.761, "is_self_reported": true,
       "self_reported_source_link": "https://huggingface.co/spaces/TIGER-Lab/MMLU-Pro", "analysis_method": "5-shot"},
      {"benchmark_id": "humaneval", "model_id": "claude-3-5-sonnet-20240620", "score": 0.92, "is_self_reported": true,
       "self_reported_source_link": "https://www.anthropic.com/news/claude-3-5-sonnet", "analysis_method": "0-shot"}]"#;
    let x = run(sources.get("llmstats-scores").unwrap(), json.as_bytes());
    let got: Vec<(&str, f64, Evaluator, String)> = scores(&x)
        .into_iter()
        .map(|(c, s)| {
            let settings: Vec<String> =
                s.settings.iter().map(|(k, v)| format!("{k}={v}")).collect();
            (
                s.benchmark.as_str(),
                s.value,
                c.evaluator,
                settings.join(" "),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "mmlu",
                90.4,
                Evaluator::SelfReported,
                "cot=yes shots=5".into()
            ),
            ("mmlu-pro", 76.1, Evaluator::ThirdParty, "shots=5".into()),
            ("humaneval", 92.0, Evaluator::SelfReported, "shots=0".into()),
        ]
    );

    // The early-2025 schema: the link is `source_link`; a figure copied from Artificial
    // Analysis is theirs, flagged or not.
    let json = r#"{"name": "Qwen3 235B A22B", "license": "Apache 2.0", "qualitative_metrics": [
      {"dataset_name": "GPQA", "score": 0.7, "is_self_reported": false, "analysis_method": "Accuracy",
       "date_recorded": "2025-04-29", "source_link": "https://artificialanalysis.ai/models/qwen3-235b-a22b-instruct-reasoning"},
      {"dataset_name": "MMLU-Pro", "score": 0.761, "is_self_reported": true, "analysis_method": "5-shot",
       "date_recorded": "2024-06-21", "source_link": "https://huggingface.co/spaces/TIGER-Lab/MMLU-Pro"},
      {"dataset_name": "MMLU-Pro", "score": 0.685, "is_self_reported": true, "analysis_method": "0-shot CoT",
       "date_recorded": "2024-03-04", "source_link": "https://arxiv.org/pdf/2406.01574"},
      {"dataset_name": "MMLU", "score": 0.904, "is_self_reported": true, "analysis_method": "5-shot CoT",
       "date_recorded": "2024-06-21", "source_link": "https://www.anthropic.com/news/claude-3-5-sonnet"}]}"#;
    let x = run(sources.get("llmstats-legacy").unwrap(), json.as_bytes());
    let evaluators: Vec<Evaluator> = scores(&x).iter().map(|(c, _)| c.evaluator).collect();
    assert_eq!(
        evaluators,
        vec![
            Evaluator::ThirdParty,
            Evaluator::ThirdParty,
            Evaluator::ThirdParty,
            Evaluator::SelfReported
        ]
    );
    assert_eq!(scores(&x)[2].1.settings["cot"], "yes");
    assert!(x.warnings.is_empty());
}

#[test]
fn llmstats_analysis_method_states_shots_cot_and_tools() {
    let sources = defaults();
    let rows = [
        ("mmlu", "5-shot CoT", Some("5"), Some("yes"), None),
        ("mmlu", "5 shot COT", Some("5"), Some("yes"), None),
        ("mmlu", "Accuracy. 0-shot.", Some("0"), None, None),
        (
            "mmlu-pro",
            "0-shot chain-of-thought",
            Some("0"),
            Some("yes"),
            None,
        ),
        ("gsm8k", "Accuracy (11-shot)", Some("11"), None, None),
        ("gpqa", "Diamond, 5-shot CoT", Some("5"), Some("yes"), None),
        (
            "gpqa",
            "GPT-5 - Diamond thinking no tools",
            None,
            None,
            Some("none"),
        ),
        (
            "humanity's-last-exam",
            "Accuracy (with tools)",
            None,
            None,
            Some("yes"),
        ),
        (
            "humanity's-last-exam",
            "OpenAI o3 with thinking mode enabled (Python + browser tools) - Full set of expert-level questions across subjects.",
            None,
            None,
            Some("yes"),
        ),
        (
            "frontiermath",
            "GPT-5 standard with thinking mode enabled (with python tool only) - FrontierMath Tier 1-3 expert-level mathematics.",
            None,
            None,
            Some("python"),
        ),
        ("mmlu", "Accuracy", None, None, None),
        ("mmlu", "3-5-shot evaluation", None, None, None),
        // Tools only where answering without them is the default.
        ("swe-bench-verified", "Agentic Tool Use", None, None, None),
    ];
    let json = format!(
        "[{}]",
        rows.iter()
            .map(|(b, m, ..)| format!(
                r#"{{"benchmark_id": "{b}", "model_id": "m", "score": 0.5, "is_self_reported": true, "analysis_method": "{m}"}}"#
            ))
            .collect::<Vec<_>>()
            .join(",")
    );
    let x = run(sources.get("llmstats-scores").unwrap(), json.as_bytes());
    let got = scores(&x);
    assert_eq!(got.len(), rows.len());
    for ((_, s), (b, m, shots, cot, tools)) in got.iter().zip(rows) {
        let of = |k: &str| s.settings.get(k).map(String::as_str);
        assert_eq!(
            (of("shots"), of("cot"), of("tools")),
            (shots, cot, tools),
            "{b}: {m}"
        );
    }
}

#[test]
fn epoch_open_vs_closed_notes_say_who_ran_a_figure_and_its_shots() {
    let sources = defaults();
    // Rows of benchmarks_with_model_accessibility.csv (2024-10-22), their notes as written.
    let csv = "System,Date,Open/Closed,BBH,GPQA,MMLU,HELM MMLU,LMSys Elo,LMSys Elo 95% CI,BBH Notes,GPQA Notes,MMLU Notes\n\
               Claude 3.5 Sonnet,2024-06-20,Closed,0.931,0.562,0.887,0.865,1271,\"+3/-4\",3-shot,Epoch evaluation,5-shot\n\
               Llama 3.1 405B,2024-07-23,Open,,0.509,0.873,0.845,,,,Epoch evaluation,0-shot\n\
               GPT-4o,2024-05-13,Closed,,0.490,0.872,0.842,,,,Epoch evaluation,MMLU Pro paper\n\
               GPT-4o mini,2024-07-18,Closed,,0.403,0.82,,,,,Epoch evaluation,Suspect this is actually 0-shot CoT.\n\
               Claude 2,2023-07-11,Closed,,0.353,0.785,,,,,Epoch evaluation,\"Actually CoT, so probably an overestimate. HELM gives 73.5%.\"\n\
               Yi-Large,2024-05-13,Closed,,,0.838,,,,,,https://x.com/01AI_Yi/status/1789929378467426794\n\
               Falcon 180B,2023-09-06,Open,0.54,,0.705,,,,,,\n";
    let x = run(sources.get("epoch-open-closed").unwrap(), csv.as_bytes());
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
    let of = |name: &str, benchmark: &str, harness: Option<&str>| {
        scores(&x)
            .into_iter()
            .find(|(c, s)| {
                c.subject.name == name
                    && s.benchmark == benchmark
                    && s.settings.get("harness").map(String::as_str) == harness
            })
            .map(|(c, s)| {
                let setting = |k: &str| s.settings.get(k).cloned().unwrap_or_default();
                (s.value, c.evaluator, setting("shots"), setting("cot"))
            })
            .unwrap()
    };
    let e = |s: &str| s.to_owned();
    // MMLU: labs' figures compiled, the runner unstated unless a note names it.
    assert_eq!(
        of("Claude 3.5 Sonnet", "mmlu", None),
        (88.7, Evaluator::Unknown, e("5"), e(""))
    );
    assert_eq!(
        of("Llama 3.1 405B", "mmlu", None),
        (87.3, Evaluator::Unknown, e("0"), e(""))
    );
    assert_eq!(
        of("GPT-4o", "mmlu", None),
        (87.2, Evaluator::ThirdParty, e(""), e(""))
    );
    assert_eq!(
        of("GPT-4o mini", "mmlu", None),
        (82.0, Evaluator::Unknown, e(""), e(""))
    );
    assert_eq!(
        of("Claude 2", "mmlu", None),
        (78.5, Evaluator::Unknown, e(""), e("yes"))
    );
    assert_eq!(
        of("Yi-Large", "mmlu", None),
        (83.8, Evaluator::SelfReported, e(""), e(""))
    );
    // HELM's runs are HELM's, 5-shot, whatever the MMLU column's note says.
    assert_eq!(
        of("Llama 3.1 405B", "mmlu", Some("HELM")),
        (84.5, Evaluator::ThirdParty, e("5"), e(""))
    );
    // GPQA: Epoch's own runs.
    assert_eq!(
        of("Claude 3.5 Sonnet", "gpqa-diamond", None),
        (56.2, Evaluator::ThirdParty, e(""), e(""))
    );
    assert_eq!(
        of("Claude 3.5 Sonnet", "bbh", None),
        (93.1, Evaluator::Unknown, e("3"), e(""))
    );
    assert_eq!(
        of("Falcon 180B", "bbh", None),
        (54.0, Evaluator::Unknown, e(""), e(""))
    );
    assert_eq!(
        evaluator_of(&x, "Claude 3.5 Sonnet"),
        Evaluator::Unknown,
        "the first score is BBH"
    );
    let elo = scores(&x)
        .into_iter()
        .find(|(_, s)| s.benchmark == "lmarena-text")
        .unwrap();
    assert_eq!(
        (elo.1.value, elo.0.evaluator),
        (1271.0, Evaluator::ThirdParty)
    );

    // The 2024-10-10 version's GPQA notes name other runners, or the lab.
    let csv = "System,Date,Open/Closed,GPQA,Diamond subset?,GPQA Notes\n\
               Claude 3.5 Sonnet,2024-06-20,Closed,0.594,y,\n\
               gpt-4-0613,2023-06-13,Closed,0.357,y: https://x.com/idavidrein/status/1773518764249661634/photo/1,https://x.com/idavidrein/status/1773518764249661634\n\
               gpt-4-0125-preview,2024-01-25,Closed,0.414,y: https://x.com/idavidrein/status/1773518764249661634/photo/1,gpt-4-0125-preview https://github.com/openai/simple-evals\n\
               Qwen2-72B,2024-06-06,Open,0.39,y (presume we used diamond),Epoch evaluation. Instruct version.\n";
    let x = run(sources.get("epoch-open-closed").unwrap(), csv.as_bytes());
    let evaluators: Vec<(&str, Evaluator)> = scores(&x)
        .iter()
        .map(|(c, _)| (c.subject.name.as_str(), c.evaluator))
        .collect();
    assert_eq!(
        evaluators,
        vec![
            ("Claude 3.5 Sonnet", Evaluator::Unknown),
            ("gpt-4-0613", Evaluator::ThirdParty),
            ("gpt-4-0125-preview", Evaluator::SelfReported),
            ("Qwen2-72B", Evaluator::ThirdParty),
        ]
    );
}

#[test]
fn epoch_mmlu_copy_tells_helm_runs_from_labs_reports() {
    let sources = defaults();
    // Rows of external_benchmark_mmlu.csv, as Epoch AI wrote them.
    let csv = "id,Name,EM,Model version,Shots,Source,Source link,Notes\n\
               rectxjtMFzEfdNd3Q,Claude 3.5 Sonnet (20240620),86.5%,claude-3-5-sonnet-20240620,5,Stanford CRFM Leaderboard,https://crfm.stanford.edu/helm/lite/latest/#/leaderboard/mmlu,\n\
               rec1,,84.4%,Llama-3.1-405B,5,DeepSeek-V3 Technical Report,,\n\
               rec2,,78.5%,claude-2.0,5,Model Card and Evaluations for Claude Models,,5-shot CoT\n";
    let x = run(sources.get("epoch-mmlu").unwrap(), csv.as_bytes());
    assert!(x.warnings.is_empty(), "{:?}", x.warnings);
    let got: Vec<(&str, Evaluator, Option<&str>, Option<&str>)> = scores(&x)
        .into_iter()
        .map(|(c, s)| {
            (
                c.subject.name.as_str(),
                c.evaluator,
                s.settings.get("harness").map(String::as_str),
                s.settings.get("cot").map(String::as_str),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "claude-3-5-sonnet-20240620",
                Evaluator::ThirdParty,
                Some("HELM"),
                None
            ),
            ("Llama-3.1-405B", Evaluator::Unknown, None, None),
            ("claude-2.0", Evaluator::Unknown, None, Some("yes")),
        ]
    );
}

#[test]
fn mmmu_tools_suffix_is_a_setting_not_a_model() {
    let sources = defaults();
    // Entries of leaderboard_data.json (2026-07-03).
    let json = r#"{"leaderboardData": [
      {"info": {"name": "GPT-5.4 Thinking w/o tools", "size": "-", "date": "2026-03-05", "type": "proprietary"}, "pro": {"overall": "81.2", "source": "author"}},
      {"info": {"name": "GPT-5.4 Thinking w/ tools", "size": "-", "date": "2026-03-05", "type": "proprietary"}, "pro": {"overall": "82.1", "source": "author"}},
      {"info": {"name": "GPT-5.2 Thinking w/o Python", "size": "-", "date": "2025-12-11", "type": "proprietary"}, "pro": {"overall": "80.4", "source": "author"}},
      {"info": {"name": "GPT-5 w/ thinking", "size": "-", "date": "2025-08-07", "type": "proprietary"}, "validation": {"overall": "84.2", "source": "author"}, "pro": {"overall": "78.4", "source": "author"}},
      {"info": {"name": "DreamPRM-1.5 (GPT-5-mini w/ thinking)", "size": "-", "date": "2025-09-05", "type": "proprietary"}, "validation": {"overall": "84.6", "source": "author"}}]}"#;
    let x = run(sources.get("mmmu").unwrap(), json.as_bytes());
    let got: Vec<(&str, &str, f64, Option<&str>)> = scores(&x)
        .into_iter()
        .map(|(c, s)| {
            (
                c.subject.name.as_str(),
                s.benchmark.as_str(),
                s.value,
                s.settings.get("tools").map(String::as_str),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            ("GPT-5.4 Thinking", "mmmu-pro", 81.2, Some("none")),
            ("GPT-5.4 Thinking", "mmmu-pro", 82.1, Some("yes")),
            ("GPT-5.2 Thinking", "mmmu-pro", 80.4, Some("no python")),
            // Thinking is part of the model's name, not a tools setting.
            ("GPT-5 w/ thinking", "mmmu", 84.2, None),
            ("GPT-5 w/ thinking", "mmmu-pro", 78.4, None),
            // The file does not say how many answers DreamPRM draws: nothing is read.
            ("DreamPRM-1.5 (GPT-5-mini w/ thinking)", "mmmu", 84.6, None),
        ]
    );
    assert!(
        scores(&x)
            .iter()
            .all(|(_, s)| !s.settings.contains_key("attempts"))
    );
}

#[test]
fn swebench_bash_only_board_is_a_variant_of_verified() {
    let sources = defaults();
    // The 2026 page: the same run on the bash-only board and, as a system, on Verified.
    let html = r#"<html><body><script type="application/json" id="leaderboard-data">[
      {"name": "bash-only", "results": [
        {"name": "Claude 4.5 Opus (high reasoning)", "resolved": 76.8, "date": "2026-02-17", "os_model": false,
         "tags": ["Model: claude-4-5-opus", "Org: Anthropic", "System: Attempts - 1", "Mini: 2.0.0"]},
        {"name": "MiniMax M2.5 (high reasoning)", "resolved": 75.8, "date": "2026-02-17", "os_model": false,
         "tags": ["Model: minimax-m2.5", "Org: Minimax", "System: Attempts - 1", "Mini: 2.0.0"]}]},
      {"name": "Verified", "results": [
        {"name": "mini-SWE-agent + MiniMax M2.5 (high reasoning)", "resolved": 75.8, "date": "2026-02-17", "os_model": false,
         "tags": ["Model: minimax-m2.5", "Org: Minimax", "System: Attempts - 1", "Mini: 2.0.0", "Org: SWE-agent"]}]}]
    </script></body></html>"#;
    let x = run(sources.get("swebench-embedded").unwrap(), html.as_bytes());
    let got: Vec<(&str, &str, &str, f64, &str)> = scores(&x)
        .into_iter()
        .map(|(c, s)| {
            (
                c.subject.models[0].as_str(),
                s.benchmark.as_str(),
                s.variant.as_str(),
                s.value,
                s.settings["attempts"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        vec![
            (
                "claude-4-5-opus",
                "swe-bench-verified",
                "bash-only",
                76.8,
                "1"
            ),
            ("minimax-m2.5", "swe-bench-verified", "bash-only", 75.8, "1"),
            ("minimax-m2.5", "swe-bench-verified", "", 75.8, "1"),
        ]
    );
}
