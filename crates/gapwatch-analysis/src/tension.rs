//! Tensions: sources that disagree on the same result, labs' own figures against
//! independent ones, a source's access flag against the registry, and dates that cannot be
//! true.

use std::collections::{BTreeMap, HashMap, HashSet};

use gapwatch_model::{
    Access, ClaimRow, ClaimSet, Evaluator, FactRow, Margin, Settings, SettingsId, Unit,
};

use crate::context::Ctx;
use crate::prepare::{
    CHALLENGER, INCUMBENT, Resolver, SubjectClass, SubjectKey, basis_rank, combined_access,
    preference, snapshot_rank,
};
use crate::series::{better, gap, within};
use crate::text::{self, EPSILON};
use crate::{
    AnalysisOptions, DateBound, ParityRow, RowKey, Tension, TensionItem, TensionKind, VerdictIf,
};

pub(crate) fn find(ctx: &Ctx<'_>, claims: &ClaimSet, options: &AnalysisOptions) -> Vec<Tension> {
    let bests = Bests::of(ctx);
    let mut ranked = score_tensions(ctx, options, &bests);
    ranked.extend(
        access_tensions(ctx, claims, &bests)
            .into_iter()
            .map(|t| (None, t)),
    );
    ranked.extend(date_tensions(ctx, &bests));
    // Ordered by kind, row, subject and claim ids. Rows compare by rank, worked out once
    // per row, so the sort does not compare row keys' strings for every pair of tensions.
    let mut keys: HashMap<usize, &RowKey> = HashMap::new();
    for (r, t) in &ranked {
        if let (Some(r), Some(key)) = (r, &t.row) {
            keys.entry(*r).or_insert(key);
        }
    }
    let mut by_key: Vec<(&RowKey, usize)> = keys.into_iter().map(|(r, k)| (k, r)).collect();
    by_key.sort();
    let mut rank = HashMap::with_capacity(by_key.len());
    for (i, (_, r)) in by_key.into_iter().enumerate() {
        rank.insert(r, i);
    }
    let rank_of = |r: Option<usize>| r.map(|r| rank[&r]);
    fn ids(t: &Tension) -> impl Iterator<Item = i64> + '_ {
        t.items.iter().map(|i| i.claim_id)
    }
    ranked.sort_by(|(ra, a), (rb, b)| {
        (a.kind, rank_of(*ra))
            .cmp(&(b.kind, rank_of(*rb)))
            .then_with(|| a.subject.cmp(&b.subject))
            .then_with(|| ids(a).cmp(ids(b)))
    });
    ranked.into_iter().map(|(_, t)| t).collect()
}

/// A tension touches a row only where the row compares its sides: one that could move a
/// dormant, stale or mixed row's best changes no verdict. An access flag touches the rows its
/// subject is a side's best on. A disagreement about a side's best says whether another of
/// its values would change the row's verdict.
pub(crate) fn on_comparable_rows(
    mut tensions: Vec<Tension>,
    parity: &[ParityRow],
    margin: &Margin,
) -> Vec<Tension> {
    let comparable: HashMap<&RowKey, &ParityRow> = parity
        .iter()
        .filter(|r| r.comparable)
        .map(|r| (&r.key, r))
        .collect();
    let best_subjects: HashSet<&str> = comparable
        .values()
        .flat_map(|r| [&r.incumbent, &r.challenger])
        .flatten()
        .map(|s| s.best.subject.as_str())
        .collect();
    for t in tensions.iter_mut().filter(|t| t.touches_row) {
        let row = t.row.as_ref().and_then(|k| comparable.get(k).copied());
        t.touches_row = match &t.row {
            Some(_) => row.is_some(),
            None => best_subjects.contains(t.subject.as_str()),
        };
        if let Some(row) = row {
            t.would_change = verdict_if(t, row, margin);
        }
    }
    tensions
}

/// The row's verdict with another of the tension's values counted for the side whose best it
/// disputes, when that verdict differs from the row's.
fn verdict_if(t: &Tension, row: &ParityRow, margin: &Margin) -> Option<VerdictIf> {
    if !matches!(
        t.kind,
        TensionKind::SourcesDisagree | TensionKind::SelfReportedVsThirdParty
    ) {
        return None;
    }
    let (inc, chal) = (row.incumbent.as_ref()?, row.challenger.as_ref()?);
    let parity_now = row.parity?;
    for (side, best) in [(INCUMBENT, &inc.best), (CHALLENGER, &chal.best)] {
        if best.subject != t.subject || best.settings != t.settings {
            continue;
        }
        for item in t.items.iter().filter(|i| i.claim_id != best.claim_id) {
            let Some(v) = item.value else { continue };
            let (i, c) = if side == INCUMBENT {
                (v, chal.best.value)
            } else {
                (inc.best.value, v)
            };
            let g = gap(i, c, row.higher_is_better);
            let (parity, leads) = (within(&g, margin, i), g.points < 0.0);
            if parity != parity_now || leads != row.challenger_leads {
                return Some(VerdictIf {
                    claim_id: item.claim_id,
                    value: v,
                    gap: g,
                    parity,
                    challenger_leads: leads,
                });
            }
        }
    }
    None
}

/// The subjects standing as a side's best on the story's rows, by subject index, overall
/// and per row.
struct Bests {
    subjects: HashSet<usize>,
    by_row: HashSet<(usize, usize)>,
}

impl Bests {
    fn of(ctx: &Ctx<'_>) -> Self {
        let mut subjects = HashSet::new();
        let mut by_row = HashSet::new();
        for row in ctx.story_rows() {
            for c in ctx.pairs[row].last().into_iter().flatten() {
                let subject = ctx.prepared.claims[c].subject;
                subjects.insert(subject);
                by_row.insert((row, subject));
            }
        }
        Self { subjects, by_row }
    }
}

/// Ratings drift as votes come in: two ratings this many days apart are not a disagreement.
const RATING_DRIFT_DAYS: i64 = 45;

fn tolerance(unit: Unit, options: &AnalysisOptions) -> f64 {
    match unit {
        Unit::Elo => options.tolerance_elo,
        Unit::Percent | Unit::Score => options.tolerance_percent_points,
    }
}

fn item(ctx: &Ctx<'_>, c: usize) -> TensionItem {
    let claim = &ctx.prepared.claims[c];
    TensionItem {
        claim_id: claim.id,
        source_id: ctx.prepared.set.str(claim.rec.source).to_owned(),
        value: Some(claim.value),
        access: None,
        evaluator: claim.evaluator,
        date: claim.effective,
    }
}

/// Per result (subject and settings on one row, across evidence bases), the latest claim of
/// each source as of the analysis date; a spread beyond the tolerance is a tension.
fn score_tensions(
    ctx: &Ctx<'_>,
    options: &AnalysisOptions,
    bests: &Bests,
) -> Vec<(Option<usize>, Tension)> {
    let claims = &ctx.prepared.claims;
    let table = &ctx.prepared.keys;
    let mut out = Vec::new();
    // Display names, worked out once per subject.
    let mut names: HashMap<usize, String> = HashMap::new();
    // Keys are sorted by lane, and a row's lanes are contiguous: one run of keys per row.
    let mut k = 0;
    while k < table.keys.len() {
        let row = ctx.prepared.lanes[table.keys[k].lane].row;
        let mut end = k;
        let mut groups: BTreeMap<(usize, SettingsId), Vec<usize>> = BTreeMap::new();
        while end < table.keys.len() && ctx.prepared.lanes[table.keys[end].lane].row == row {
            let key = &table.keys[end];
            groups
                .entry((key.subject, key.settings))
                .or_default()
                .extend(&table.sources[key.per_source.clone()]);
            end += 1;
        }
        if ctx.prepared.scope[ctx.prepared.rows[row].bench].in_story {
            let info = ctx.row_info(row);
            let tol = tolerance(info.unit, options);
            let last = ctx.pairs[row].last();
            for ((subject, settings), mut per_source) in groups {
                if info.unit == Unit::Elo {
                    // Only ratings from about the same time can disagree: keep those within
                    // the drift window of the latest.
                    let latest = per_source
                        .iter()
                        .map(|&c| claims[c].effective)
                        .max()
                        .map_or(0, |d| d.days_since_epoch());
                    per_source.retain(|&c| {
                        latest - claims[c].effective.days_since_epoch() <= RATING_DRIFT_DAYS
                    });
                }
                if per_source.len() < 2 {
                    continue;
                }
                let (low, high) = per_source
                    .iter()
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &c| {
                        (lo.min(claims[c].value), hi.max(claims[c].value))
                    });
                if high - low <= tol + EPSILON {
                    continue;
                }
                per_source.sort_by(|&a, &b| {
                    basis_rank(claims[a].evaluator)
                        .cmp(&basis_rank(claims[b].evaluator))
                        .then_with(|| preference(&claims[a], &claims[b]))
                });
                let by = |e: Evaluator| {
                    per_source
                        .iter()
                        .filter(move |&&c| claims[c].evaluator == e)
                        .map(|&c| claims[c].value)
                };
                let self_vs_third = by(Evaluator::SelfReported)
                    .any(|s| by(Evaluator::ThirdParty).any(|t| (s - t).abs() > tol + EPSILON));
                let side = claims[per_source[0]].side;
                // A value beats a side's best only on the side's own basis.
                let lanes = ctx.pairs[row].lanes;
                let touches_row = bests.by_row.contains(&(row, subject))
                    || [INCUMBENT, CHALLENGER].into_iter().any(|s| {
                        side == s
                            && per_source.iter().any(|&c| {
                                Some(claims[c].lane) == lanes[s]
                                    && last[s].is_none_or(|b| {
                                        better(info.higher_is_better, claims[c].value, ctx.value(b))
                                    })
                            })
                    });
                let first = per_source[0];
                out.push((
                    Some(row),
                    Tension {
                        kind: if self_vs_third {
                            TensionKind::SelfReportedVsThirdParty
                        } else {
                            TensionKind::SourcesDisagree
                        },
                        subject: names
                            .entry(claims[first].subject)
                            .or_insert_with(|| ctx.subject(first))
                            .clone(),
                        settings: ctx.prepared.set.settings(settings).clone(),
                        row: Some(info.key.clone()),
                        unit: info.unit,
                        items: per_source.iter().map(|&c| item(ctx, c)).collect(),
                        tolerance: Some(tol),
                        registry_access: None,
                        bound: None,
                        touches_row,
                        would_change: None,
                    },
                ));
            }
        }
        k = end;
    }
    out
}

/// A source's latest access flag for a subject against the registry's access for its models.
/// Flags and registry entries that say "unknown" are not disagreements.
fn access_tensions(ctx: &Ctx<'_>, claims: &ClaimSet, bests: &Bests) -> Vec<Tension> {
    let mut resolver = Resolver::new(ctx.registry);
    let best_keys: HashSet<&SubjectKey<'_>> = bests
        .subjects
        .iter()
        .map(|&s| &ctx.prepared.subjects[s])
        .collect();
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
    for ((ids, system), recs) in grouped {
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
        let key = SubjectKey {
            ids: ids.clone(),
            system,
        };
        out.push(Tension {
            kind: TensionKind::AccessFlagVsRegistry,
            subject: text::subject(ctx.registry, claims.subject(flagged[0].0.subject)),
            settings: Settings::new(),
            row: None,
            unit: Unit::Score,
            items: flagged
                .iter()
                .map(|(r, a)| TensionItem {
                    claim_id: r.id,
                    source_id: claims.str(r.source).to_owned(),
                    value: None,
                    access: Some(*a),
                    evaluator: r.evaluator,
                    date: r.observed_on,
                })
                .collect(),
            tolerance: None,
            registry_access: Some(registry_access),
            bound: None,
            touches_row: best_keys.contains(&key),
            would_change: None,
        });
    }
    out
}

/// Results whose source dates them before their model's release or their benchmark's
/// introduction: they count from their first observation instead.
fn date_tensions(ctx: &Ctx<'_>, bests: &Bests) -> Vec<(Option<usize>, Tension)> {
    let mut infos = HashMap::new();
    // One tension per result and date: a source repeating a bad date in every snapshot, or
    // under two metrics of one row, says it once, with its lowest claim id.
    // Keys worked out once: (lane, subject, reported date, source), then the claim id.
    let mut sorted: Vec<_> = ctx
        .prepared
        .impossible
        .iter()
        .map(|d| {
            let c = &ctx.prepared.claims[d.claim];
            ((c.lane, c.subject, d.reported, c.rec.source), c.id, d)
        })
        .collect();
    sorted.sort_unstable_by_key(|&(key, id, _)| (key, id));
    sorted.dedup_by_key(|&mut (key, _, _)| key);
    sorted
        .into_iter()
        .filter_map(|(_, _, d)| {
            let c = &ctx.prepared.claims[d.claim];
            let row = ctx.prepared.lanes[c.lane].row;
            if !ctx.prepared.scope[ctx.prepared.rows[row].bench].in_story {
                return None;
            }
            let info = infos.entry(row).or_insert_with(|| ctx.row_info(row));
            Some((
                Some(row),
                Tension {
                    kind: TensionKind::ImpossibleDate,
                    subject: ctx.subject(d.claim),
                    settings: ctx.prepared.settings_of(d.claim).clone(),
                    row: Some(info.key.clone()),
                    unit: info.unit,
                    items: vec![item(ctx, d.claim)],
                    tolerance: None,
                    registry_access: None,
                    bound: Some(DateBound {
                        reported: d.reported,
                        earliest: d.earliest,
                        reason: d.reason,
                    }),
                    touches_row: bests.by_row.contains(&(row, c.subject)),
                    would_change: None,
                },
            ))
        })
        .collect()
}
