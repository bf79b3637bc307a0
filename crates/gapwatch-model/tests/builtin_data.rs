//! Checks on the data of the builtin registry: every curated model says what its access rests
//! on, release and introduction dates are plausible, and the headline comparisons and the facts
//! the default story relies on are the ones the sources support.
#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] functions are test code too

use std::collections::BTreeSet;

use gapwatch_model::{Access, Date, ModelEntry, Registry, Story};

/// No release or introduction date may be later than this. The newest file in the real sources
/// the registry was checked against is from 2026-07-03; move this when curating later models.
const NEWEST_PLAUSIBLE: &str = "2026-12-01";
/// Nothing the registry tracks was released or introduced before this.
const OLDEST_PLAUSIBLE: &str = "2015-01-01";

const HUB: &str = include_str!("../data/models/hub.tsv");
const DEFAULT_STORY: &str = include_str!("../../gapwatch/defaults/story.toml");

fn date(text: &str) -> Date {
    text.parse().unwrap()
}

fn builtin() -> Registry {
    Registry::builtin().unwrap()
}

/// The entries that come from hub.tsv lines, whose evidence is the repository itself.
fn hub_entry(hub: &Registry, m: &ModelEntry) -> bool {
    hub.model(&m.id)
        .is_some_and(|h| h.name == m.name && h.organization == m.organization)
}

fn curated(reg: &Registry) -> Vec<&ModelEntry> {
    let hub = Registry::default()
        .with_hub_repositories(HUB, "hub.tsv")
        .unwrap();
    reg.models()
        .iter()
        .filter(|m| !hub_entry(&hub, m))
        .collect()
}

fn model<'r>(reg: &'r Registry, name: &str) -> &'r ModelEntry {
    let id = reg
        .resolve_model_name(name)
        .id()
        .unwrap_or_else(|| panic!("{name:?} does not resolve"));
    reg.model(id).unwrap()
}

#[test]
fn every_curated_model_states_what_its_access_rests_on() {
    let reg = builtin();
    let curated = curated(&reg);
    // The curated files hold well over a thousand entries; an empty filter would pass vacuously.
    assert!(curated.len() > 1_200, "{} curated entries", curated.len());
    let mut missing = Vec::new();
    let mut vague = Vec::new();
    for m in &curated {
        match m.access_evidence.as_deref() {
            None => missing.push(m.id.as_str()),
            Some(e) => {
                let reason = e.strip_prefix("curator: ");
                let cited = e.contains("https://");
                // A keeper's judgment gives its reason; anything else cites a file or page.
                if reason.is_none_or(|r| r.len() < 20) && !cited {
                    vague.push(m.id.as_str());
                }
            }
        }
    }
    assert!(missing.is_empty(), "no access_evidence: {missing:?}");
    assert!(
        vague.is_empty(),
        "evidence neither cited nor reasoned: {vague:?}"
    );
}

#[test]
fn unknown_access_is_the_keepers_judgment_with_a_reason() {
    let reg = builtin();
    let unknown: Vec<_> = curated(&reg)
        .into_iter()
        .filter(|m| m.access == Access::Unknown)
        .collect();
    assert!(!unknown.is_empty());
    for m in unknown {
        let e = m.access_evidence.as_deref().unwrap_or_default();
        assert!(e.starts_with("curator: "), "{}: {e:?}", m.id);
    }
}

#[test]
fn open_weights_evidence_names_the_weights_or_a_source_statement() {
    let reg = builtin();
    for m in curated(&reg) {
        if m.access != Access::OpenWeights {
            continue;
        }
        let e = m.access_evidence.as_deref().unwrap_or_default();
        // A model with open weights is backed by its repository, a source's license statement,
        // or a keeper's note that names where the weights are.
        assert!(
            e.contains("huggingface.co") || e.contains("github.com/") || e.starts_with("curator: "),
            "{}: {e:?}",
            m.id
        );
    }
}

#[test]
fn release_dates_are_neither_in_the_future_nor_before_2015() {
    let (oldest, newest) = (date(OLDEST_PLAUSIBLE), date(NEWEST_PLAUSIBLE));
    let reg = builtin();
    let dated: Vec<_> = reg
        .models()
        .iter()
        .filter_map(|m| m.released.map(|d| (m.id.as_str(), d)))
        .collect();
    assert!(dated.len() > 600, "{} dated models", dated.len());
    for (id, released) in dated {
        assert!(
            oldest <= released && released <= newest,
            "{id} released {released}"
        );
    }
}

#[test]
fn a_snapshot_is_not_released_before_the_date_in_its_id() {
    let reg = builtin();
    let mut checked = 0;
    for m in reg.models() {
        let Some(released) = m.released else { continue };
        let Some(snapshot) = date_in_id(&m.id) else {
            continue;
        };
        checked += 1;
        assert!(released >= snapshot, "{} released {released}", m.id);
    }
    assert!(checked > 50, "{checked} dated ids checked");
}

/// The `YYYY-MM-DD` or `YYYYMMDD` date in an id such as `gpt-4o-2024-05-13` or
/// `claude-opus-4-5-20251101`.
fn date_in_id(id: &str) -> Option<Date> {
    let digits: Vec<&str> = id.split('-').collect();
    for (i, part) in digits.iter().enumerate() {
        if part.len() == 8 && part.starts_with("20") && part.bytes().all(|b| b.is_ascii_digit()) {
            let text = format!("{}-{}-{}", &part[..4], &part[4..6], &part[6..]);
            if let Ok(d) = text.parse() {
                return Some(d);
            }
        }
        if part.len() == 4 && part.starts_with("20") && i + 2 < digits.len() {
            let text = format!("{part}-{}-{}", digits[i + 1], digits[i + 2]);
            if digits[i + 1].len() == 2
                && digits[i + 2].len() == 2
                && let Ok(d) = text.parse()
            {
                return Some(d);
            }
        }
    }
    None
}

#[test]
fn every_benchmark_of_the_default_story_has_an_introduction_date() {
    let story = Story::from_toml_str(DEFAULT_STORY, "defaults/story.toml").unwrap();
    let reg = builtin();
    let (oldest, newest) = (date(OLDEST_PLAUSIBLE), date(NEWEST_PLAUSIBLE));
    assert!(story.benchmarks.len() > 10);
    for id in &story.benchmarks {
        let b = reg
            .benchmark(id)
            .unwrap_or_else(|| panic!("{id} is not in the registry"));
        let introduced = b
            .introduced
            .unwrap_or_else(|| panic!("{id} has no introduction date"));
        assert!(
            oldest <= introduced && introduced <= newest,
            "{id}: {introduced}"
        );
    }
}

#[test]
fn headline_variants_and_subscores_are_variants_of_their_benchmark() {
    for b in builtin().benchmarks() {
        let variants: BTreeSet<&str> = b.variants.iter().map(String::as_str).collect();
        for s in &b.subscores {
            assert!(variants.contains(s.as_str()), "{}: sub-score {s}", b.id);
        }
        if !b.headline.variant.is_empty() {
            assert!(
                variants.contains(b.headline.variant.as_str()),
                "{}: headline {}",
                b.id,
                b.headline.variant
            );
            assert!(!b.subscores.contains(&b.headline.variant), "{}", b.id);
        }
    }
}

#[test]
fn headline_comparisons_use_the_settings_the_sources_emit() {
    let reg = builtin();
    let setting = |id: &str, key: &str| {
        reg.benchmark(id)
            .and_then(|b| b.headline.settings.get(key).cloned())
    };
    for board in [
        "swe-bench-verified",
        "swe-bench-lite",
        "swe-bench-full",
        "swe-bench-multimodal",
        "swe-bench-bash-only",
        "swe-bench-multilingual",
    ] {
        // SWE-bench tags runs "System: Attempts - 1", "2" or "2+".
        assert_eq!(setting(board, "attempts").as_deref(), Some("1"), "{board}");
    }
    assert_eq!(setting("video-mme", "subtitles").as_deref(), Some("no"));
    assert_eq!(
        setting("lmarena-text", "style_control").as_deref(),
        Some("true")
    );
    let mmmu = reg.benchmark("mmmu").unwrap();
    assert_eq!(mmmu.headline.variant, "val");
    assert!(
        mmmu.subscores.is_empty(),
        "the test split is not a part of val"
    );
    let bfcl = reg.benchmark("bfcl").unwrap();
    for part in ["live", "non-live", "multi-turn", "agentic"] {
        assert!(bfcl.subscores.iter().any(|s| s == part), "bfcl {part}");
    }
    // Labs' own overall figures are a comparison of their own, not a part of the benchmark.
    assert!(!bfcl.subscores.iter().any(|s| s.contains("as reported")));
}

#[test]
fn glm_5_minimax_m2_5_and_kimi_k2_5_have_open_weights() {
    let reg = builtin();
    // The names the SWE-bench site data uses for them.
    for name in ["GLM-5", "MiniMax M2.5", "Minimax 2.5", "Kimi K2.5"] {
        let m = model(&reg, name);
        assert_eq!(m.access, Access::OpenWeights, "{name}");
        let e = m.access_evidence.as_deref().unwrap_or_default();
        assert!(e.starts_with("https://huggingface.co/"), "{name}: {e}");
    }
}

#[test]
fn undisclosed_systems_stay_unknown_and_tagged_systems_are_closed() {
    let reg = builtin();
    // Named by SWE-bench without a model, and without "Model:" tags.
    for name in ["Blackbox AI Agent", "TRAE", "Mixed Models", "devlo"] {
        assert_eq!(model(&reg, name).access, Access::Unknown, "{name}");
    }
    // Tagged by SWE-bench with API-only models only.
    for name in [
        "AppMap Navie v2",
        "Composio SWE-Kit (2024-10-25)",
        "HyperAgent",
    ] {
        let m = model(&reg, name);
        assert_eq!(m.access, Access::Closed, "{name}");
        assert!(
            m.access_evidence
                .as_deref()
                .unwrap_or_default()
                .contains("Model: ")
        );
    }
    // Only the 7B UI-TARS-1.5 has public weights; the full model that Epoch AI lists is not open.
    assert_eq!(model(&reg, "UI-TARS-1.5").access, Access::Closed);
    assert_eq!(model(&reg, "UI-TARS-1.5-7B").access, Access::OpenWeights);
}

#[test]
fn sources_that_contradict_an_entry_are_named_in_its_evidence() {
    let reg = builtin();
    // LLM Stats calls Gemma 3n proprietary and Kimi K2 0905 proprietary; both have open weights.
    for name in ["gemma-3n-e4b-it", "kimi-k2-0905"] {
        let m = model(&reg, name);
        assert_eq!(m.access, Access::OpenWeights, "{name}");
        assert!(
            m.access_evidence
                .as_deref()
                .unwrap_or_default()
                .contains("LLM Stats"),
            "{name}"
        );
    }
    // BFCL's License column says "Proprietary" for Mistral models it ran through Mistral's API.
    let nemo = model(&reg, "Mistral-Nemo-Instruct-2407");
    assert_eq!(nemo.access, Access::OpenWeights);
    assert!(
        nemo.access_evidence
            .as_deref()
            .unwrap_or_default()
            .contains("BFCL")
    );
}

#[test]
fn spot_checks_of_release_dates() {
    let reg = builtin();
    for (name, released) in [
        // The id carries the snapshot date; the model came out three weeks later.
        ("claude-opus-4-5-20251101", "2025-11-24"),
        // LLM Stats says 2025-01-30.
        ("o3-mini-2025-01-31", "2025-01-31"),
        // Issue 11: o1 results dated 2024-03-13 cannot be true.
        ("o1-2024-12-17", "2024-12-17"),
        ("gpt-4o-2024-05-13", "2024-05-13"),
        ("Gemini 3 Pro Preview", "2025-11-18"),
        ("deepseek-v3-2-thinking", "2025-12-01"),
        ("Qwen3-Coder-480B-A35B-Instruct", "2025-07-22"),
        // Epoch AI dates Flan-T5 with T5's 2019 paper, before MMLU existed.
        ("Flan-T5-XXL", "2022-10-20"),
        ("Kimi K2 (0905 preview)", "2025-09-05"),
    ] {
        assert_eq!(model(&reg, name).released, Some(date(released)), "{name}");
    }
    // Never released: no date to check results against.
    assert_eq!(model(&reg, "llama-2-34b").released, None);
}

#[test]
fn spot_checks_of_introduction_dates() {
    let reg = builtin();
    for (id, introduced) in [
        ("swe-bench-verified", "2024-08-13"),
        ("swe-bench-lite", "2024-03-19"),
        ("aider-polyglot", "2024-12-21"),
        ("mmlu", "2020-09-07"),
        ("gpqa-diamond", "2023-11-20"),
        ("lmarena-text", "2023-05-03"),
    ] {
        assert_eq!(
            reg.benchmark(id).unwrap().introduced,
            Some(date(introduced)),
            "{id}"
        );
    }
    // The first MMLU result Epoch AI dates 2019-10-23 predates the benchmark.
    assert!(date("2019-10-23") < reg.benchmark("mmlu").unwrap().introduced.unwrap());
}
