//! Wording and number formats: the one place that decides how a value, a gap, a date, a
//! subject, an evidence basis or a plural reads, for the digest and the command line alike.
//!
//! The analysis returns structured findings; every sentence a reader sees is written here or
//! from these pieces, so the same number has the same precision in a table, in prose and in a
//! terminal.

use gapwatch_analysis::{
    Cohort, DateBasis, Entry, Evolution, Gap, NotComparable, RowCheck, RowKey, RowRole,
    TensionKind, Verdict,
};
use gapwatch_model::{
    ActorKind, Date, Evaluator, Margin, Proposition, Story, TrendDirection, Unit,
};

/// A score in its unit: `78.8%`, `1,466 Elo`, `0.85`.
pub fn value(v: f64, unit: Unit) -> String {
    match unit {
        Unit::Percent => format!("{v:.1}%"),
        Unit::Elo => format!("{} Elo", thousands(v.round() as i64)),
        Unit::Score => trimmed(v, 2),
    }
}

/// A score precise enough to differ from `other` when the two differ: `86.24%` beside
/// `86.2%`.
pub fn value_apart_from(v: f64, other: f64, unit: Unit) -> String {
    let plain = value(v, unit);
    if plain != value(other, unit) || (v - other).abs() < 1e-9 {
        return plain;
    }
    match unit {
        Unit::Percent => format!("{v:.2}%"),
        Unit::Elo => format!("{v:.1} Elo"),
        Unit::Score => trimmed(v, 4),
    }
}

/// A difference between two scores: `4.1 points`, `1 point`, `0.04 points`, `37 Elo`.
pub fn amount(v: f64, unit: Unit) -> String {
    let a = v.abs();
    match unit {
        Unit::Elo => {
            let n = a.round() as i64;
            format!("{} Elo", thousands(n))
        }
        Unit::Percent | Unit::Score => {
            let s = if a > 0.0 && a < 0.095 {
                format!("{a:.2}")
            } else {
                format!("{a:.1}")
            };
            format!("{s} points")
        }
    }
}

/// A relative difference: `9.6%`, with the precision of [`gap`].
pub fn percent(v: f64) -> String {
    format!("{:.1}%", v.abs())
}

/// A gap in points and relative to the incumbent's best: `7.6 points (9.6%)`.
pub fn gap(g: &Gap, unit: Unit) -> String {
    match unit {
        // A rating's share of another rating means nothing.
        Unit::Elo => amount(g.points, unit),
        Unit::Percent | Unit::Score => format!(
            "{} ({:.1}%)",
            amount(g.points, unit),
            g.relative_percent.abs()
        ),
    }
}

/// Months with one decimal: `4.1 months`, `1 month`; under a month, days: `12 days`.
pub fn months(m: f64) -> String {
    let a = m.abs();
    if a < 0.95 {
        let days = (a * 30.436_875).round() as i64;
        return match days {
            0 => "under a day".to_owned(),
            1 => "1 day".to_owned(),
            n => format!("{n} days"),
        };
    }
    let s = format!("{a:.1}");
    match s.as_str() {
        "1.0" => "1 month".to_owned(),
        _ => format!("{s} months"),
    }
}

/// A month for ages and staleness: `Oct 2024`.
pub fn month(d: Date) -> String {
    const NAMES: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    format!(
        "{} {}",
        NAMES[(d.month() as usize).saturating_sub(1) % 12],
        d.year()
    )
}

/// `1,184` for 1184.
pub fn thousands(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn trimmed(v: f64, decimals: usize) -> String {
    let s = format!("{v:.decimals$}");
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_owned()
    } else {
        s
    }
}

/// `1 source`, `3 sources`: the count and the noun, singular or plural.
pub fn count(n: usize, singular: &str, plural: &str) -> String {
    format!(
        "{} {}",
        thousands(n as i64),
        if n == 1 { singular } else { plural }
    )
}

/// Names joined as in prose: `A`, `A and B`, `A, B and C`.
pub fn join(names: &[String]) -> String {
    match names {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// A cohort label inside a sentence: `Open weights` becomes `open weights`, while `GPT family`
/// keeps its capitals.
pub fn in_sentence(label: &str) -> String {
    let mut chars = label.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(label.chars().skip(1)).collect()
        }
        (Some(first), None) => first.to_lowercase().collect(),
        _ => label.to_owned(),
    }
}

/// The first letter in upper case, for a sentence that starts with a label.
pub fn capitalized(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// The labels of a story's cohorts, as they read inside sentences.
#[derive(Debug, Clone)]
pub struct Labels {
    /// The incumbent's label: `closed`.
    pub incumbent: String,
    /// The challenger's label: `open weights`.
    pub challenger: String,
}

impl Labels {
    /// The labels of a story.
    pub fn of(story: &Story) -> Self {
        Self {
            incumbent: in_sentence(&story.incumbent.label),
            challenger: in_sentence(&story.challenger.label),
        }
    }

    /// The label of a cohort.
    pub fn cohort(&self, c: Cohort) -> &str {
        match c {
            Cohort::Incumbent => &self.incumbent,
            Cohort::Challenger => &self.challenger,
        }
    }

    /// The other cohort's label.
    pub fn other(&self, c: Cohort) -> &str {
        match c {
            Cohort::Incumbent => &self.challenger,
            Cohort::Challenger => &self.incumbent,
        }
    }
}

/// A benchmark comparison for people: `SWE-bench Verified`, `MMMU (test)`,
/// `SWE-bench Verified, 2+ attempts`.
pub fn row(key: &RowKey) -> String {
    let mut s = key.benchmark_name.clone();
    if !key.variant.is_empty() {
        s.push_str(&format!(" ({})", key.variant));
    }
    if !key.class.is_empty() {
        let parts: Vec<String> = key.class.iter().map(|(k, v)| setting(k, v)).collect();
        s.push_str(", ");
        s.push_str(&parts.join(", "));
    }
    s
}

/// A setting for people: `2+ attempts`, `with subtitles`, `no style control`, `mode: FC`.
pub fn setting(key: &str, value: &str) -> String {
    match (key, value) {
        ("attempts", "1") => "one attempt".to_owned(),
        ("attempts", v) => format!("{v} attempts"),
        ("subtitles", "yes" | "true") => "with subtitles".to_owned(),
        ("subtitles", "no" | "false") => "without subtitles".to_owned(),
        ("style_control", "true" | "yes") => "style control".to_owned(),
        ("style_control", "false" | "no") => "no style control".to_owned(),
        (k, v) => format!("{}: {v}", k.replace('_', " ")),
    }
}

/// A setting key for people: `attempts`, `style control`.
pub fn setting_key(key: &str) -> String {
    key.replace('_', " ")
}

/// What a row role means, for a table's note column.
pub fn role(r: RowRole) -> &'static str {
    match r {
        RowRole::Headline => "headline",
        RowRole::Split => "other split",
        RowRole::Subscore => "sub-score",
        RowRole::OtherSettings => "other settings",
    }
}

/// A subject for people, each name once: `Kimi K2 (0905)`, `OpenHands with Claude Sonnet 4.5`,
/// and for a system whose name already names its model, `Lingxi v1.5 x Kimi K2 (0905
/// preview)`.
pub fn subject(e: &Entry) -> String {
    let Some(system) = &e.system else {
        return plain_name(&e.subject);
    };
    let key = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_lowercase)
            .collect()
    };
    let system_key = key(system);
    if let [model] = e.models.as_slice() {
        let (base, detail) = match model.split_once(" (") {
            Some((b, d)) => (b, Some(d.trim_end_matches(')'))),
            None => (model.as_str(), None),
        };
        if system_key == key(model) {
            return system.clone();
        }
        if !key(base).is_empty() && system_key.contains(&key(base)) {
            return match detail {
                Some(d) => format!("{system} ({d})"),
                None => system.clone(),
            };
        }
    }
    if e.models.is_empty() {
        return system.clone();
    }
    let models: Vec<String> = e.models.iter().map(|m| plain_name(m)).collect();
    format!("{system} with {}", models.join(" + "))
}

/// A registry display name without the registry's own remark that a source left the exact
/// snapshot, version or size unsaid (`Claude 3.5 Sonnet (unspecified snapshot)`): the reader
/// needs the model's name; the evidence keeps the remark.
pub fn plain_name(name: &str) -> String {
    let mut out = name.to_owned();
    for remark in [
        " (unspecified snapshot)",
        " (unspecified version)",
        " (unspecified size)",
    ] {
        out = out.replace(remark, "");
    }
    out
}

/// `GLM-4.5 at 70.8%`.
pub fn entry(e: &Entry) -> String {
    format!("{} at {}", subject(e), value(e.value, e.unit))
}

/// An evidence basis in a few words: `independent run`, `lab's own figure`.
/// A basis with its article: `an independent run`, `a lab's own figure`.
pub fn a_basis(e: Evaluator) -> &'static str {
    match e {
        Evaluator::ThirdParty => "an independent run",
        Evaluator::SelfReported => "a lab's own figure",
        Evaluator::Competitor => "a rival lab's figure",
        Evaluator::Unknown => "a figure whose runner is not stated",
    }
}

pub fn basis(e: Evaluator) -> &'static str {
    match e {
        Evaluator::ThirdParty => "independent run",
        Evaluator::SelfReported => "lab's own figure",
        Evaluator::Competitor => "rival lab's figure",
        Evaluator::Unknown => "runner not stated",
    }
}

/// An evidence basis as a plural group: `independent runs`, `labs' own figures`.
pub fn basis_plural(e: Evaluator) -> &'static str {
    match e {
        Evaluator::ThirdParty => "independent runs",
        Evaluator::SelfReported => "labs' own figures",
        Evaluator::Competitor => "labs' figures for rivals",
        Evaluator::Unknown => "figures whose runner is not stated",
    }
}

/// How a result's date should be read: empty when the source gives it.
pub fn date_basis(b: DateBasis) -> &'static str {
    match b {
        DateBasis::Reported => "",
        DateBasis::Released => "model's release date; the source gives none",
        DateBasis::Observed => "first seen",
        DateBasis::Corrected => "first seen; the source's date cannot be true",
    }
}

/// A verdict for people: `open`, `resolved yes on 2025-06-01`, `resolved no`.
pub fn verdict(v: &Verdict) -> String {
    match v {
        Verdict::Yes { on } => format!("resolved yes on {on}"),
        Verdict::No => "resolved no".to_owned(),
        Verdict::Open => "open".to_owned(),
    }
}

/// A margin reading: `2 points`, `2% relative`.
pub fn margin(m: &Margin) -> String {
    m.describe()
}

/// Why a row cannot be compared, as a clause: `closed side not measured since Oct 2024`.
pub fn not_comparable(n: &NotComparable, labels: &Labels) -> String {
    match n {
        NotComparable::NoResults => "no results yet".to_owned(),
        NotComparable::MissingCohort { cohort } => {
            format!("no {} result yet", labels.cohort(*cohort))
        }
        NotComparable::BasesDiffer {
            incumbent,
            challenger,
        } => format!(
            "{} side is {}, {} side {}",
            labels.incumbent,
            a_basis(*incumbent),
            labels.challenger,
            a_basis(*challenger)
        ),
        NotComparable::BoardsDiffer { .. } => {
            "the two sides are ratings from different leaderboards, which do not compare".to_owned()
        }
        NotComparable::Stale { cohort, since } => format!(
            "no newer {} result since {}",
            labels.cohort(*cohort),
            month(*since)
        ),
        NotComparable::Dormant { since } => {
            format!("neither side measured since {}", month(*since))
        }
    }
}

/// Why a row cannot be compared, in a few words for a table cell: `dormant since Sep 2025`.
pub fn not_comparable_short(n: &NotComparable, labels: &Labels) -> String {
    match n {
        NotComparable::NoResults => "no results".to_owned(),
        NotComparable::MissingCohort { cohort } => format!("no {} result", labels.cohort(*cohort)),
        NotComparable::BasesDiffer { .. } => "mixed evidence".to_owned(),
        NotComparable::BoardsDiffer { .. } => "ratings from two leaderboards".to_owned(),
        NotComparable::Stale { cohort, since } => {
            format!(
                "{} side stale since {}",
                labels.cohort(*cohort),
                month(*since)
            )
        }
        NotComparable::Dormant { since } => format!("dormant since {}", month(*since)),
    }
}

/// The kind of a tension, for a table column: `sources disagree`.
pub fn tension_kind(k: TensionKind) -> &'static str {
    match k {
        TensionKind::SourcesDisagree => "sources disagree",
        TensionKind::SelfReportedVsThirdParty => "lab's figure vs independent run",
        TensionKind::AccessFlagVsRegistry => "access flag vs registry",
        TensionKind::ImpossibleDate => "impossible date",
    }
}

/// A perspective's Evolution: `supported`, `weakened`, `contradicted`, `untestable`.
pub fn evolution(e: Evolution) -> &'static str {
    e.as_str()
}

/// Who holds a position: `Epoch AI (evaluator)`, or the name alone.
pub fn actor(name: &str, kind: Option<ActorKind>) -> String {
    match kind {
        Some(k) => format!("{name} ({})", k.as_str()),
        None => name.to_owned(),
    }
}

/// Words quoted in a sentence: `“about three months”`.
pub fn quoted(words: &str) -> String {
    format!("\u{201c}{}\u{201d}", words.trim())
}

/// A proposition in words. `names` are the display names of the benchmarks it names, in its
/// order: `the median lag is 1.1 to 5.3 months`; `the SWE-bench Verified gap narrows after
/// 2025-10-30`; `open weights models lead on MMLU and HumanEval`; `open weights models are
/// within 2 points or ahead on at least 2 of MMLU, HumanEval and GPQA Diamond`.
pub fn proposition(
    p: &Proposition,
    names: &[String],
    stated_on: Date,
    labels: &Labels,
    parity: &Margin,
) -> String {
    match p {
        Proposition::MedianLagWithin {
            min_months,
            max_months,
        } => format!("the median lag is {min_months:.1} to {max_months:.1} months"),
        Proposition::GapTrend {
            direction, since, ..
        } => format!(
            "the {} gap {} after {}",
            join(names),
            match direction {
                TrendDirection::Narrows => "narrows",
                TrendDirection::Widens => "widens",
            },
            since.unwrap_or(stated_on)
        ),
        Proposition::ChallengerLeads { .. } => {
            let all = if names.len() > 1 { "all of " } else { "" };
            format!("{} models lead on {all}{}", labels.challenger, join(names))
        }
        Proposition::ParityAtLeast { k, .. } => format!(
            "{} models are within {} or ahead on at least {k} of {}",
            labels.challenger,
            margin(parity),
            join(names)
        ),
    }
}

/// Where a gap stands, as a clause: `5.2 points behind`, `open weights ahead by 1.0 points`,
/// `level`.
pub fn standing(points: f64, unit: Unit, labels: &Labels) -> String {
    if points.abs() < 1e-9 {
        "level".to_owned()
    } else if points < 0.0 {
        format!("{} ahead by {}", labels.challenger, amount(points, unit))
    } else {
        format!("{} behind", amount(points, unit))
    }
}

/// A named benchmark's headline row on one date, as a clause: `MMLU: open weights ahead by
/// 1 point`, `HumanEval: 5.0 points behind`, `GPQA Diamond: not comparable (neither side
/// measured since Sep 2024)`, `OSWorld: not tracked by this story`.
pub fn row_check(r: &RowCheck, labels: &Labels) -> String {
    let Some(key) = &r.row else {
        return format!("{}: not tracked by this story", r.benchmark);
    };
    let name = row(key);
    match (&r.not_comparable, r.gap) {
        (None, Some(g)) => format!("{name}: {}", standing(g.points, r.unit, labels)),
        (Some(reason), _) => format!(
            "{name}: not comparable ({})",
            not_comparable(reason, labels)
        ),
        (None, None) => format!("{name}: no results yet"),
    }
}

/// How a gap moved between two dates: `the SWE-bench Verified gap widened from 5.2 points
/// behind to 6.2 points behind`.
pub fn gap_move(name: &str, before: f64, after: f64, unit: Unit, labels: &Labels) -> String {
    let verb = if (after - before).abs() < 0.05 {
        "held"
    } else if after < before {
        "narrowed"
    } else {
        "widened"
    };
    format!(
        "the {name} gap {verb} from {} to {}",
        standing(before, unit, labels),
        standing(after, unit, labels)
    )
}

/// How a median lag moved since an earlier date, as the end of a clause: `, up from 2.0
/// months on 2025-10-30`, `, as on 2025-10-30`, `; none could be measured on 2025-10-30`.
pub fn lag_change(now: f64, then: Option<f64>, since: Date) -> String {
    match then {
        Some(t) if months(t) == months(now) => format!(", as on {since}"),
        Some(t) => format!(
            ", {} from {} on {since}",
            if now > t { "up" } else { "down" },
            months(t)
        ),
        None => format!("; none could be measured on {since}"),
    }
}

/// A short sha256 for people: the first 12 hex digits.
pub fn short_sha(sha: &str) -> &str {
    &sha[..sha.len().min(12)]
}

/// A cohort's label with its indefinite article: `an open weights`, `a closed`.
pub fn a_cohort(label: &str) -> String {
    let vowel = label
        .chars()
        .next()
        .is_some_and(|c| "aeiouAEIOU".contains(c));
    format!("{} {label}", if vowel { "an" } else { "a" })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(subject: &str, system: Option<&str>, models: &[&str]) -> Entry {
        Entry {
            subject: subject.into(),
            system: system.map(Into::into),
            models: models.iter().map(|m| (*m).to_owned()).collect(),
            model_ids: Vec::new(),
            value: 71.2,
            unit: Unit::Percent,
            date: "2025-01-01".parse().unwrap_or_else(|_| unreachable!()),
            date_basis: DateBasis::Reported,
            claim_id: 1,
            source_id: "s".into(),
            snapshot_sha256: "ab".repeat(32),
            observed_on: "2025-01-01".parse().unwrap_or_else(|_| unreachable!()),
            locator: String::new(),
            settings: Default::default(),
            evaluator: Evaluator::ThirdParty,
        }
    }

    #[test]
    fn numbers_have_one_precision() {
        assert_eq!(value(78.849, Unit::Percent), "78.8%");
        assert_eq!(value(1466.4, Unit::Elo), "1,466 Elo");
        assert_eq!(value(0.850, Unit::Score), "0.85");
        assert_eq!(amount(-4.06, Unit::Percent), "4.1 points");
        assert_eq!(amount(1.0, Unit::Percent), "1.0 points");
        assert_eq!(amount(0.04, Unit::Percent), "0.04 points");
        assert_eq!(amount(37.2, Unit::Elo), "37 Elo");
        let g = Gap {
            points: 10.66,
            relative_percent: 17.68,
        };
        assert_eq!(gap(&g, Unit::Percent), "10.7 points (17.7%)");
        assert_eq!(months(4.14), "4.1 months");
        assert_eq!(months(1.02), "1 month");
        assert_eq!(months(0.03), "1 day");
        assert_eq!(months(0.5), "15 days");
        assert_eq!(value_apart_from(86.24, 86.2, Unit::Percent), "86.24%");
        assert_eq!(count(1, "source", "sources"), "1 source");
        assert_eq!(count(1200, "claim", "claims"), "1,200 claims");
    }

    #[test]
    fn subjects_name_each_thing_once() {
        let e = entry(
            "Lingxi v1.5 x Kimi K2 (Kimi K2 (0905 preview))",
            Some("Lingxi v1.5 x Kimi K2"),
            &["Kimi K2 (0905 preview)"],
        );
        assert_eq!(subject(&e), "Lingxi v1.5 x Kimi K2 (0905 preview)");
        let e = entry(
            "OpenHands (Claude Sonnet 4.5 (2025-09-29))",
            Some("OpenHands"),
            &["Claude Sonnet 4.5 (2025-09-29)"],
        );
        assert_eq!(subject(&e), "OpenHands with Claude Sonnet 4.5 (2025-09-29)");
        let e = entry("GLM-4.5", None, &["GLM-4.5"]);
        assert_eq!(subject(&e), "GLM-4.5");
        let e = entry("UI-TARS (UI-TARS)", Some("UI-TARS"), &["UI-TARS"]);
        assert_eq!(subject(&e), "UI-TARS");
        let e = entry("Claude 3.5 Sonnet (unspecified snapshot)", None, &[]);
        assert_eq!(subject(&e), "Claude 3.5 Sonnet");
    }

    #[test]
    fn settings_and_rows_read_as_words() {
        assert_eq!(setting("attempts", "2+"), "2+ attempts");
        assert_eq!(setting("subtitles", "yes"), "with subtitles");
        assert_eq!(
            setting("reasoning_effort", "high"),
            "reasoning effort: high"
        );
        assert_eq!(in_sentence("Open weights"), "open weights");
        assert_eq!(in_sentence("GPT family"), "GPT family");
        assert_eq!(capitalized("open weights"), "Open weights");
        let names = ["A".to_owned(), "B".to_owned(), "C".to_owned()];
        assert_eq!(join(&names), "A, B and C");
    }

    #[test]
    fn propositions_and_their_evidence_read_as_words() {
        let labels = Labels {
            incumbent: "closed".into(),
            challenger: "open weights".into(),
        };
        let on: Date = "2025-10-30".parse().unwrap_or_else(|_| unreachable!());
        let parity = Margin {
            value: 2.0,
            unit: gapwatch_model::MarginUnit::Points,
        };
        let names = ["MMLU".to_owned(), "HumanEval".to_owned()];
        let lag = Proposition::MedianLagWithin {
            min_months: 1.1,
            max_months: 5.3,
        };
        assert_eq!(
            proposition(&lag, &[], on, &labels, &parity),
            "the median lag is 1.1 to 5.3 months"
        );
        let leads = Proposition::ChallengerLeads {
            benchmarks: vec!["mmlu".into(), "humaneval".into()],
        };
        assert_eq!(
            proposition(&leads, &names, on, &labels, &parity),
            "open weights models lead on all of MMLU and HumanEval"
        );
        let trend = Proposition::GapTrend {
            benchmarks: vec!["mmlu".into()],
            direction: TrendDirection::Widens,
            since: None,
        };
        assert_eq!(
            proposition(&trend, &names[..1], on, &labels, &parity),
            "the MMLU gap widens after 2025-10-30"
        );
        assert_eq!(
            gap_move("MMLU", 5.2, -1.0, Unit::Percent, &labels),
            "the MMLU gap narrowed from 5.2 points behind to open weights ahead by 1.0 points"
        );
        assert_eq!(
            lag_change(4.21, Some(1.96), on),
            ", up from 2.0 months on 2025-10-30"
        );
        assert_eq!(lag_change(4.21, Some(4.24), on), ", as on 2025-10-30");
        assert_eq!(
            lag_change(4.21, None, on),
            "; none could be measured on 2025-10-30"
        );
        assert_eq!(
            actor("Epoch AI", Some(ActorKind::Evaluator)),
            "Epoch AI (evaluator)"
        );
        assert_eq!(quoted(" three months "), "\u{201c}three months\u{201d}");
    }
}
