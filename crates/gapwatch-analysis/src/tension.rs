//! Tensions: sources that disagree on the same result, self-reported against third-party
//! figures, and a source's access flag against the registry.

use std::collections::BTreeMap;

use gapwatch_model::{Access, ClaimRow, ClaimSet, Evaluator, FactRow, Unit};

use crate::context::{Ctx, RowInfo};
use crate::prepare::{Resolver, SubjectClass, combined_access, preference, snapshot_rank};
use crate::text::{self, EPSILON};
use crate::{AnalysisOptions, Tension, TensionKind};

pub(crate) fn find(ctx: &Ctx<'_>, claims: &ClaimSet, options: &AnalysisOptions) -> Vec<Tension> {
    let mut out = score_tensions(ctx, options);
    out.extend(access_tensions(ctx, claims));
    out.sort_by(|a, b| {
        (a.kind, &a.benchmark, &a.subject, &a.claim_ids).cmp(&(
            b.kind,
            &b.benchmark,
            &b.subject,
            &b.claim_ids,
        ))
    });
    out
}

fn tolerance(unit: Unit, options: &AnalysisOptions) -> f64 {
    match unit {
        Unit::Elo => options.tolerance_elo,
        Unit::Percent | Unit::Score => options.tolerance_percent_points,
    }
}

fn evaluator(e: Evaluator) -> &'static str {
    match e {
        Evaluator::ThirdParty => "third-party",
        Evaluator::SelfReported => "self-reported",
        Evaluator::Unknown => "evaluator not stated",
        Evaluator::Competitor => "reported by a competitor",
    }
}

/// Per result, the latest claim of each source as of the analysis date; a spread beyond the
/// tolerance is a tension.
fn score_tensions(ctx: &Ctx<'_>, options: &AnalysisOptions) -> Vec<Tension> {
    let claims = &ctx.prepared.claims;
    let mut out = Vec::new();
    let table = &ctx.prepared.keys;
    // Worked out once per row, when a row first has a result from two sources.
    let mut infos: Vec<Option<RowInfo>> = vec![None; ctx.prepared.rows.len()];
    for key in &table.keys {
        if key.per_source.len() < 2
            || !ctx.prepared.scope[ctx.prepared.rows[key.row].bench].in_story
        {
            continue;
        }
        let info = infos[key.row].get_or_insert_with(|| ctx.row_info(key.row));
        let tol = tolerance(info.unit, options);
        let per_source = &table.sources[key.per_source.clone()];
        let (low, high) = per_source
            .iter()
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), &c| {
                (low.min(claims[c].value), high.max(claims[c].value))
            });
        let spread = high - low;
        if spread <= tol + EPSILON {
            continue;
        }
        let mut ranked = per_source.to_vec();
        ranked.sort_by(|&a, &b| preference(&claims[a], &claims[b]));
        let by = |e: Evaluator| {
            ranked
                .iter()
                .filter(move |&&c| claims[c].evaluator == e)
                .map(|&c| claims[c].value)
        };
        let self_vs_third = by(Evaluator::SelfReported)
            .any(|s| by(Evaluator::ThirdParty).any(|t| (s - t).abs() > tol + EPSILON));
        let chosen = ranked[0];
        let first = &claims[chosen];
        let subject =
            text::subject_with_settings(ctx.subject(chosen), ctx.prepared.settings_of(chosen));
        let listed: Vec<String> = ranked
            .iter()
            .map(|&c| {
                format!(
                    "{} ({}, {})",
                    text::value(info.unit, claims[c].value),
                    evaluator(claims[c].evaluator),
                    claims[c].effective
                )
            })
            .collect();
        let (kind, opening) = if self_vs_third {
            (
                TensionKind::SelfReportedVsThirdParty,
                format!(
                    "Self-reported and third-party results for {subject} on {} differ",
                    info.display
                ),
            )
        } else {
            (
                TensionKind::SourcesDisagree,
                format!("Sources disagree on {subject} on {}", info.display),
            )
        };
        out.push(Tension {
            kind,
            subject,
            benchmark: Some(info.id.clone()),
            description: format!(
                "{opening}: {}; they are {} apart, beyond the tolerance of {}. The {} {} counts.",
                text::join(&listed),
                text::amount(info.unit, spread),
                text::amount(info.unit, tol),
                evaluator(first.evaluator),
                text::value(info.unit, first.value),
            ),
            claim_ids: ranked.iter().map(|&c| claims[c].id).collect(),
            sources: ranked
                .iter()
                .map(|&c| ctx.prepared.set.str(claims[c].rec.source).to_owned())
                .collect(),
        });
    }
    out
}

/// A source's latest access flag for a subject against the registry's access for its models.
/// Flags and registry entries that say "unknown" are not disagreements.
fn access_tensions(ctx: &Ctx<'_>, claims: &ClaimSet) -> Vec<Tension> {
    let mut resolver = Resolver::new(ctx.registry);
    // Per subject id, its resolved models when all its names resolve; worked out once.
    let mut resolved: Vec<Option<Option<Vec<&str>>>> = vec![None; claims.subjects().len()];
    // (models, system, source) -> the latest flag
    let mut latest: BTreeMap<(Vec<&str>, Option<&str>, &str), &ClaimRow> = BTreeMap::new();
    for rec in claims.rows().iter().filter(|r| r.observed_on <= ctx.as_of) {
        let FactRow::Access { access, .. } = rec.fact else {
            continue;
        };
        if access == Access::Unknown {
            continue;
        }
        let subject = claims.subject(rec.subject);
        let ids =
            resolved[rec.subject.index()].get_or_insert_with(|| match resolver.classify(subject) {
                SubjectClass::Resolved { ids, .. } => Some(ids),
                SubjectClass::Unresolved(_) => None,
            });
        let Some(ids) = ids.clone() else {
            continue;
        };
        let key = (ids, subject.system.as_deref(), claims.str(rec.source));
        latest
            .entry(key)
            .and_modify(|r| {
                if snapshot_rank(rec) > snapshot_rank(r) {
                    *r = rec;
                }
            })
            .or_insert(rec);
    }
    // (models, system) -> the flags that contradict the registry
    let mut grouped: BTreeMap<(Vec<&str>, Option<&str>), Vec<&ClaimRow>> = BTreeMap::new();
    for ((ids, system, _), rec) in latest {
        grouped.entry((ids, system)).or_default().push(rec);
    }
    let mut out = Vec::new();
    for recs in grouped.into_values() {
        let SubjectClass::Resolved { models, .. } =
            resolver.classify(claims.subject(recs[0].subject))
        else {
            continue;
        };
        let registry_access = combined_access(models.iter().map(|m| m.access));
        if registry_access == Access::Unknown {
            continue;
        }
        let flagged: Vec<(&ClaimRow, Access)> = recs
            .iter()
            .filter_map(|r| match r.fact {
                FactRow::Access { access, .. } if access != registry_access => Some((*r, access)),
                _ => None,
            })
            .collect();
        if flagged.is_empty() {
            continue;
        }
        let subject = text::subject(ctx.registry, claims.subject(flagged[0].0.subject));
        let mut by_flag: BTreeMap<Access, usize> = BTreeMap::new();
        for (_, a) in &flagged {
            *by_flag.entry(*a).or_default() += 1;
        }
        let flags: Vec<String> = by_flag
            .iter()
            .enumerate()
            .map(|(i, (a, n))| {
                let who = if i == 0 { subject.as_str() } else { "it" };
                match n {
                    1 if i == 0 => format!("One source flags {who} as {a}"),
                    1 => format!("one source flags {who} as {a}"),
                    n => format!("{n} sources flag {who} as {a}"),
                }
            })
            .collect();
        let registry_says = match models.as_slice() {
            [one] => format!("the registry lists {} as {}", one.name, one.access),
            many => {
                let parts: Vec<String> = many
                    .iter()
                    .map(|m| format!("{} as {}", m.name, m.access))
                    .collect();
                format!(
                    "the registry lists {}, which makes it {registry_access}",
                    text::join(&parts)
                )
            }
        };
        out.push(Tension {
            kind: TensionKind::AccessFlagVsRegistry,
            description: format!(
                "{}, but {registry_says}; the registry's classification counts.",
                text::join(&flags)
            ),
            subject,
            benchmark: None,
            claim_ids: flagged.iter().map(|(r, _)| r.id).collect(),
            sources: flagged
                .iter()
                .map(|(r, _)| claims.str(r.source).to_owned())
                .collect(),
        });
    }
    out
}
