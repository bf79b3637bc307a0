//! `gapwatch models unresolved`: what the analysis leaves out for a name the registry does not
//! know or a model of unknown access, counted by the analysis itself, with the access sources
//! state about each model and `--toml` entries ready to review and paste into registry.toml.
//!
//! Access is suggested only from statements about a model itself (a license column, an
//! open-weights flag in a model list), never from a system's flag: SWE-bench's `os_model` on
//! "OpenHands + GPT-5" speaks about a scaffold run, not GPT-5's weights. Nothing here changes
//! the registry; a person reviews every suggestion.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::process::ExitCode;

use anyhow::Result;
use gapwatch_analysis::{AnalysisOptions, analyze};
use gapwatch_model::{
    Access, ClaimRecord, Date, Fact, Registry, Resolution, Story, Subject, normalize_name,
};
use gapwatch_store::Store;
use serde::Serialize;

use crate::table::Table;
use crate::workspace::Workspace;

/// What one source said about a model's access, and where.
#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub source: String,
    /// The configured source's title, when the workspace still configures it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_title: Option<String>,
    pub snapshot: String,
    pub observed_on: Date,
    pub locator: String,
    /// The name the source wrote.
    pub name: String,
    pub access: Access,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
}

impl Evidence {
    /// `videomme, snapshot 1a2b3c4d5e6f (observed 2025-01-20), table#board tr[3]: open-weights (MIT)`.
    fn cite(&self) -> String {
        let license = self
            .license
            .as_deref()
            .map(|l| format!(" ({l})"))
            .unwrap_or_default();
        let source = match &self.source_title {
            Some(title) => format!("{title} (source {})", self.source),
            None => format!("source {}", self.source),
        };
        format!(
            "{source}, snapshot {} (observed {}), {}: {}{license}",
            &self.snapshot[..self.snapshot.len().min(12)],
            self.observed_on,
            self.locator,
            self.access.as_str()
        )
    }
}

/// A statement about access that is not adopted, and why.
#[derive(Debug, Clone, Serialize)]
pub struct NotAdopted {
    pub evidence: Evidence,
    pub reason: String,
}

/// The access to suggest from model-level evidence.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    pub access: Access,
    /// The statements it rests on (the latest snapshot of each source).
    pub evidence: Vec<Evidence>,
    /// A license a source gives, when one does.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub license: Option<String>,
}

/// A name the registry does not resolve.
#[derive(Debug, Serialize)]
pub struct UnresolvedName {
    pub name: String,
    /// The name is a system's that names no model (the analysis resolves such a system by
    /// its own name).
    pub system_without_models: bool,
    /// Other spellings with the same normalized key.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub spellings: Vec<String>,
    /// In-scope score claims the analysis leaves out for it (its coverage count).
    pub left_out: u64,
    /// Claims of any kind naming it, on any benchmark.
    pub claims: u64,
    pub sources: BTreeSet<String>,
    pub suggestions: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_access: Option<Suggestion>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_adopted: Vec<NotAdopted>,
}

/// A registry model of unknown access that claims name.
#[derive(Debug, Serialize)]
pub struct UnknownAccessModel {
    pub id: String,
    pub name: String,
    pub from: String,
    /// Claims naming it.
    pub claims: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggested_access: Option<Suggestion>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub not_adopted: Vec<NotAdopted>,
}

/// A statement about a model itself that contradicts its registry entry: never adopted, listed
/// for review (the analysis reports it among the tensions too).
#[derive(Debug, Serialize)]
pub struct Contradiction {
    pub id: String,
    pub registry_access: Access,
    pub evidence: Evidence,
}

#[derive(Debug, Serialize)]
pub struct Report {
    pub story: String,
    pub as_of: Date,
    /// In-scope score claims left out for unresolved names, as the digest counts them.
    pub unresolved_claims: usize,
    /// In-scope score claims left out for unknown access, as the digest counts them.
    pub unknown_access_claims: usize,
    pub unresolved: Vec<UnresolvedName>,
    /// Subjects of unknown access (registry display names) with the claims left out.
    pub unknown_access_subjects: BTreeMap<String, u64>,
    pub unknown_access_models: Vec<UnknownAccessModel>,
    /// Model-level statements that contradict the registry.
    pub contradictions: Vec<Contradiction>,
}

/// The names a claim's subject is resolved by: its models, or its own name when it has none
/// (a system that names no model), as the analysis does.
fn model_names(subject: &Subject) -> Vec<&str> {
    if subject.models.is_empty() {
        vec![subject.name.as_str()]
    } else {
        subject.models.iter().map(String::as_str).collect()
    }
}

/// Where evidence about a name is filed: the registry id it resolves to, or its normalized key.
fn evidence_key(registry: &Registry, name: &str) -> String {
    match registry.resolve_model_name(name).id() {
        Some(id) => format!("id:{id}"),
        None => format!("key:{}", normalize_name(name)),
    }
}

/// Runs the analysis for its coverage and gathers, from the stored claims, every name the
/// registry does not resolve and every model of unknown access, with what sources state about
/// each.
pub fn build(ws: &Workspace, store: &Store, story: &Story, as_of: Date) -> Result<Report> {
    let registry = &ws.registry;
    let set = store.claim_set(Some(as_of))?;
    let coverage = analyze(&set, registry, story, as_of, &AnalysisOptions::default()).coverage;
    drop(set);
    let records = store.claims(Some(as_of))?;

    // Statements about access, filed by the model they are about.
    let mut model_level: HashMap<String, Vec<Evidence>> = HashMap::new();
    let mut system_level: HashMap<String, Vec<(Evidence, String)>> = HashMap::new();
    // Names met: (claims, sources, spellings by count) per unresolved key; claims per
    // unknown-access id.
    let mut names: BTreeMap<String, NameUse> = BTreeMap::new();
    let mut unknown: BTreeMap<String, u64> = BTreeMap::new();
    let title = |id: &str| ws.sources.get(id).map(|s| s.title.clone());
    for r in &records {
        if let Fact::Access { access, license } = &r.claim.fact {
            let filing = Filing {
                registry,
                title: title(&r.source_id),
            };
            filing.file(r, *access, license, &mut model_level, &mut system_level);
        }
        let subject = &r.claim.subject;
        for name in model_names(subject) {
            match registry.resolve_model_name(name) {
                Resolution::Unresolved { .. } => {
                    let e = names.entry(normalize_name(name)).or_default();
                    e.claims += 1;
                    e.sources.insert(r.source_id.clone());
                    *e.spellings.entry(name.to_owned()).or_default() += 1;
                    e.system_without_models |=
                        subject.system.is_some() && subject.models.is_empty();
                }
                resolved => {
                    if let Some(m) = resolved.id().and_then(|id| registry.model(id))
                        && m.access == Access::Unknown
                    {
                        *unknown.entry(m.id.clone()).or_default() += 1;
                    }
                }
            }
        }
    }
    // Names the coverage counts that no stored claim shows (cannot happen with one store,
    // but the analysis is the authority on what it left out).
    for name in coverage.unresolved.keys() {
        let e = names.entry(normalize_name(name)).or_default();
        e.spellings.entry(name.clone()).or_default();
    }
    let mut unresolved: Vec<UnresolvedName> = names
        .into_iter()
        .map(|(key, used)| {
            let NameUse {
                claims,
                sources,
                spellings,
                system_without_models,
            } = used;
            let mut by_use: Vec<(String, u64)> = spellings.into_iter().collect();
            by_use.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let name = by_use[0].0.clone();
            let left_out = by_use
                .iter()
                .map(|(n, _)| coverage.unresolved.get(n).copied().unwrap_or(0))
                .sum();
            // Ranked only here, where they are printed.
            let suggestions = match registry.resolve_model_name(&name) {
                Resolution::Unresolved => registry
                    .suggest_models(&name)
                    .into_iter()
                    .map(str::to_owned)
                    .collect(),
                _ => Vec::new(),
            };
            let file = format!("key:{key}");
            let (suggested_access, not_adopted) = decide(
                model_level
                    .get(&file)
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
                system_level
                    .get(&file)
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
            );
            UnresolvedName {
                name,
                system_without_models,
                spellings: by_use.into_iter().skip(1).map(|(n, _)| n).collect(),
                left_out,
                claims,
                sources,
                suggestions,
                suggested_access,
                not_adopted,
            }
        })
        .collect();
    unresolved.sort_by(|a, b| {
        b.left_out
            .cmp(&a.left_out)
            .then(b.claims.cmp(&a.claims))
            .then(a.name.cmp(&b.name))
    });
    let unknown_access_models = unknown
        .into_iter()
        .filter_map(|(id, claims)| {
            let m = registry.model(&id)?;
            let from = registry
                .model_provenance(&id)
                .map(ToString::to_string)
                .unwrap_or_default();
            let file = format!("id:{id}");
            let (suggested_access, not_adopted) = decide(
                model_level
                    .get(&file)
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
                system_level
                    .get(&file)
                    .map(Vec::as_slice)
                    .unwrap_or_default(),
            );
            Some(UnknownAccessModel {
                name: m.name.clone(),
                id,
                from,
                claims,
                suggested_access,
                not_adopted,
            })
        })
        .collect();
    let mut contradictions: Vec<Contradiction> = Vec::new();
    for (key, statements) in &model_level {
        let Some(m) = key.strip_prefix("id:").and_then(|id| registry.model(id)) else {
            continue;
        };
        if m.access == Access::Unknown {
            continue;
        }
        for (e, _) in latest(statements.iter().map(|e| (e, None))) {
            if e.access != m.access {
                contradictions.push(Contradiction {
                    id: m.id.clone(),
                    registry_access: m.access,
                    evidence: e.clone(),
                });
            }
        }
    }
    contradictions.sort_by(|a, b| {
        a.id.cmp(&b.id)
            .then(a.evidence.source.cmp(&b.evidence.source))
    });
    let report = Report {
        story: story.id.clone(),
        as_of,
        unresolved_claims: coverage.unresolved_claims,
        unknown_access_claims: coverage.unknown_access,
        unresolved,
        unknown_access_subjects: coverage.unknown_access_subjects.clone(),
        unknown_access_models,
        contradictions,
    };
    Ok(report)
}

/// How often an unresolved name is used, and where.
#[derive(Debug, Default)]
struct NameUse {
    claims: u64,
    sources: BTreeSet<String>,
    /// Each spelling with the same normalized key, with its claims.
    spellings: BTreeMap<String, u64>,
    system_without_models: bool,
}

/// Files access claims by the model they are about.
struct Filing<'r> {
    registry: &'r Registry,
    title: Option<String>,
}

impl Filing<'_> {
    /// A model's own statement goes under its model; a system's under each of its models,
    /// never to be adopted.
    fn file(
        &self,
        r: &ClaimRecord,
        access: Access,
        license: &Option<String>,
        model_level: &mut HashMap<String, Vec<Evidence>>,
        system_level: &mut HashMap<String, Vec<(Evidence, String)>>,
    ) {
        if access == Access::Unknown {
            return;
        }
        let subject = &r.claim.subject;
        let evidence = |name: &str| Evidence {
            source: r.source_id.clone(),
            source_title: self.title.clone(),
            snapshot: r.snapshot_sha256.clone(),
            observed_on: r.observed_on,
            locator: r.claim.locator.clone(),
            name: name.to_owned(),
            access,
            license: license.clone(),
        };
        match (&subject.system, subject.models.as_slice()) {
            (None, [model]) => model_level
                .entry(evidence_key(self.registry, model))
                .or_default()
                .push(evidence(model)),
            (system, models) => {
                let system = system.clone().unwrap_or_else(|| subject.name.clone());
                for model in models {
                    system_level
                        .entry(evidence_key(self.registry, model))
                        .or_default()
                        .push((evidence(model), system.clone()));
                }
            }
        }
    }
}

/// The access model-level statements support, if they agree; and the statements not adopted.
fn decide(
    model_level: &[Evidence],
    system_level: &[(Evidence, String)],
) -> (Option<Suggestion>, Vec<NotAdopted>) {
    let mut not_adopted: Vec<NotAdopted> = Vec::new();
    for (e, system) in latest(system_level.iter().map(|(e, s)| (e, Some(s.as_str())))) {
        not_adopted.push(NotAdopted {
            reason: format!(
                "a statement about the system {:?}, which says nothing about this model's weights",
                system.unwrap_or_default()
            ),
            evidence: e.clone(),
        });
    }
    let statements: Vec<&Evidence> = latest(model_level.iter().map(|e| (e, None)))
        .into_iter()
        .map(|(e, _)| e)
        .collect();
    let accesses: BTreeSet<Access> = statements.iter().map(|e| e.access).collect();
    if accesses.len() > 1 {
        for e in &statements {
            not_adopted.push(NotAdopted {
                reason: "sources disagree about this model's access".to_owned(),
                evidence: (*e).clone(),
            });
        }
        return (None, not_adopted);
    }
    let Some(access) = accesses.into_iter().next() else {
        return (None, not_adopted);
    };
    let license = statements.iter().find_map(|e| e.license.clone());
    let suggestion = Suggestion {
        access,
        evidence: statements.into_iter().cloned().collect(),
        license,
    };
    (Some(suggestion), not_adopted)
}

/// The latest statement of each (source, access, license, system): one citation per source,
/// not one per snapshot.
fn latest<'e>(
    all: impl Iterator<Item = (&'e Evidence, Option<&'e str>)>,
) -> Vec<(&'e Evidence, Option<&'e str>)> {
    type Key<'k> = (String, Access, Option<String>, Option<&'k str>);
    let mut best: BTreeMap<Key<'e>, (&'e Evidence, Option<&'e str>)> = BTreeMap::new();
    for (e, system) in all {
        let key = (e.source.clone(), e.access, e.license.clone(), system);
        match best.get(&key) {
            Some((b, _)) if (b.observed_on, &b.snapshot) >= (e.observed_on, &e.snapshot) => {}
            _ => {
                best.insert(key, (e, system));
            }
        }
    }
    best.into_values().collect()
}

pub fn print(report: &Report, json: bool) -> Result<ExitCode> {
    if json {
        outln!("{}", serde_json::to_string_pretty(report)?);
        return Ok(ExitCode::SUCCESS);
    }
    let counted: Vec<&UnresolvedName> = report.unresolved.iter().collect();
    if counted.is_empty() {
        outln!(
            "every model name in the claims as of {} resolves to a registry model",
            report.as_of
        );
    } else {
        let mut t = Table::new([
            "name",
            "left out",
            "claims",
            "sources",
            "suggested access",
            "similar ids",
        ]);
        for r in &counted {
            t.row([
                r.name.clone(),
                r.left_out.to_string(),
                r.claims.to_string(),
                r.sources.iter().cloned().collect::<Vec<_>>().join(", "),
                suggestion_text(r.suggested_access.as_ref(), &r.not_adopted),
                r.suggestions.join(", "),
            ]);
        }
        out!("{}", t.render());
        let in_scope = counted.iter().filter(|r| r.left_out > 0).count();
        outln!(
            "{} name{} the registry does not know: {in_scope} keep {} score claim{} out of {} as of {} (as its digest counts them), {} appear only outside it",
            counted.len(),
            plural(counted.len()),
            report.unresolved_claims,
            plural(report.unresolved_claims),
            report.story,
            report.as_of,
            counted.len() - in_scope
        );
    }
    if !report.unknown_access_subjects.is_empty() {
        outln!();
        let mut t = Table::new(["known, but of unknown access", "left out"]);
        for (subject, n) in &report.unknown_access_subjects {
            t.row([subject.clone(), n.to_string()]);
        }
        out!("{}", t.render());
        outln!(
            "{} score claim{} of unknown access left out of both cohorts",
            report.unknown_access_claims,
            plural(report.unknown_access_claims)
        );
    }
    if !report.contradictions.is_empty() {
        outln!();
        let mut t = Table::new(["model", "registry says", "a source says", "where"]);
        for c in &report.contradictions {
            t.row([
                c.id.clone(),
                c.registry_access.as_str().to_owned(),
                c.evidence.access.as_str().to_owned(),
                c.evidence.cite(),
            ]);
        }
        out!("{}", t.render());
        outln!(
            "{} statement{} about models contradict the registry: not adopted (see `gapwatch tensions`)",
            report.contradictions.len(),
            plural(report.contradictions.len())
        );
    }
    if !report.unresolved.is_empty() || !report.unknown_access_models.is_empty() {
        outln!(
            "`gapwatch models unresolved --toml` writes registry entries for them, with the access sources state, to review and add to registry.toml"
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn suggestion_text(s: Option<&Suggestion>, not_adopted: &[NotAdopted]) -> String {
    match s {
        Some(s) => {
            let sources: BTreeSet<&str> = s.evidence.iter().map(|e| e.source.as_str()).collect();
            format!(
                "{} ({})",
                s.access.as_str(),
                sources.into_iter().collect::<Vec<_>>().join(", ")
            )
        }
        None if not_adopted
            .iter()
            .any(|n| n.reason.starts_with("sources disagree")) =>
        {
            "— (sources disagree)".to_owned()
        }
        None if !not_adopted.is_empty() => "— (only a system's flag)".to_owned(),
        None => "—".to_owned(),
    }
}

/// TOML-quoted text.
fn q(text: &str) -> String {
    toml_string(text)
}

fn toml_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The organization to write for a new entry: a repository owner (`Qwen/Qwen2.5-72B`), or
/// the organization every similar registry entry shares, with where it was taken from.
fn organization_for(registry: &Registry, r: &UnresolvedName) -> (String, Option<String>) {
    if let Some((owner, rest)) = r.name.split_once('/')
        && !owner.is_empty()
        && !rest.is_empty()
        && !owner.contains(' ')
    {
        return (owner.to_owned(), Some("the repository's owner".to_owned()));
    }
    let orgs: BTreeSet<&str> = r
        .suggestions
        .iter()
        .filter_map(|id| registry.model(id))
        .map(|m| m.organization.as_str())
        .filter(|o| !o.is_empty() && !o.eq_ignore_ascii_case("unknown"))
        .collect();
    match (orgs.len(), orgs.into_iter().next()) {
        (1, Some(org)) => (
            org.to_owned(),
            Some(format!("as for {}: check", r.suggestions.join(", "))),
        ),
        _ => (String::new(), Some("fill in".to_owned())),
    }
}

fn evidence_text(s: &Suggestion) -> String {
    s.evidence
        .iter()
        .map(Evidence::cite)
        .collect::<Vec<_>>()
        .join("; ")
}

fn not_adopted_lines(out: &mut String, not_adopted: &[NotAdopted]) {
    for n in not_adopted {
        let _ = writeln!(out, "# not adopted: {} ({})", n.evidence.cite(), n.reason);
    }
}

/// `[[model]]` entries for registry.toml, each with the evidence it rests on, to review.
pub fn to_toml(report: &Report, registry: &Registry) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Written by `gapwatch models unresolved --toml` for story {} as of {}.",
        report.story, report.as_of
    );
    let _ = writeln!(
        out,
        "# {} new entr{} and {} model{} of unknown access. Review each entry, then add it to",
        report.unresolved.len(),
        if report.unresolved.len() == 1 {
            "y"
        } else {
            "ies"
        },
        report.unknown_access_models.len(),
        plural(report.unknown_access_models.len())
    );
    out.push_str(
        "# registry.toml. Access is suggested only from what a source states about the model\n\
         # itself (a license, an open-weights flag), each statement cited; never from a system's\n\
         # flag, and never where sources disagree. `unknown` is kept where nobody has said.\n",
    );
    for r in &report.unresolved {
        out.push('\n');
        let sources: Vec<&str> = r.sources.iter().map(String::as_str).collect();
        let _ = writeln!(
            out,
            "# {}: {} score claim{} left out, {} claim{} in all ({})",
            q(&r.name),
            r.left_out,
            plural(r.left_out as usize),
            r.claims,
            plural(r.claims as usize),
            sources.join(", ")
        );
        if !r.suggestions.is_empty() {
            let _ = writeln!(out, "# similar ids: {}", r.suggestions.join(", "));
        }
        if r.system_without_models {
            out.push_str(
                "# A system that names no model: this entry stands for the system itself, as the\n\
                 # builtin systems.toml does for systems that do not disclose their models.\n",
            );
        }
        not_adopted_lines(&mut out, &r.not_adopted);
        out.push_str("[[model]]\n");
        let _ = writeln!(out, "id = {}", q(&normalize_name(&r.name)));
        let _ = writeln!(out, "name = {}", q(&r.name));
        let (org, why) = organization_for(registry, r);
        match why {
            Some(why) => {
                let _ = writeln!(out, "organization = {}   # {why}", q(&org));
            }
            None => {
                let _ = writeln!(out, "organization = {}", q(&org));
            }
        }
        match &r.suggested_access {
            Some(s) => {
                let _ = writeln!(out, "access = {}", q(s.access.as_str()));
                let _ = writeln!(out, "access_evidence = {}", q(&evidence_text(s)));
                if let Some(l) = &s.license {
                    let _ = writeln!(out, "license = {}", q(l));
                }
            }
            None => {
                let _ = writeln!(
                    out,
                    "access = \"unknown\"   # no source states it about this model: set it and cite the evidence"
                );
            }
        }
        if !r.spellings.is_empty() {
            let list: Vec<String> = r.spellings.iter().map(|s| q(s)).collect();
            let _ = writeln!(out, "aliases = [{}]", list.join(", "));
        }
        // The closest similar id, as the other way to take the name in.
        for id in r.suggestions.iter().take(1) {
            let Some(m) = registry.model(id) else {
                continue;
            };
            let conflict = match &r.suggested_access {
                Some(s) if m.access != Access::Unknown && m.access != s.access => format!(
                    " (the registry says {}; the evidence above says {})",
                    m.access.as_str(),
                    s.access.as_str()
                ),
                _ => String::new(),
            };
            let _ = writeln!(
                out,
                "# Or, if it is the same model as {id} ({}){conflict}, instead:\n# [[model]]\n# extends = {}\n# aliases = [{}]",
                m.name,
                q(id),
                q(&r.name)
            );
            // The evidence serves the existing entry too when its access is unknown.
            if m.access == Access::Unknown
                && let Some(s) = &r.suggested_access
            {
                let _ = writeln!(out, "# access = {}", q(s.access.as_str()));
                let _ = writeln!(out, "# access_evidence = {}", q(&evidence_text(s)));
            }
        }
    }
    for m in &report.unknown_access_models {
        out.push('\n');
        let _ = writeln!(
            out,
            "# {} ({}): access unknown in the registry ({}); {} claim{} name it",
            m.id,
            m.name,
            m.from,
            m.claims,
            plural(m.claims as usize)
        );
        not_adopted_lines(&mut out, &m.not_adopted);
        match &m.suggested_access {
            Some(s) => {
                out.push_str("[[model]]\n");
                let _ = writeln!(out, "extends = {}", q(&m.id));
                let _ = writeln!(out, "access = {}", q(s.access.as_str()));
                let _ = writeln!(out, "access_evidence = {}", q(&evidence_text(s)));
                if let Some(l) = &s.license {
                    let _ = writeln!(out, "license = {}", q(l));
                }
            }
            None => {
                let _ = writeln!(
                    out,
                    "# No source states its access. Once known:\n# [[model]]\n# extends = {}\n# access = \"open-weights\"   # or closed, limited\n# access_evidence = \"…\"",
                    q(&m.id)
                );
            }
        }
    }
    if !report.contradictions.is_empty() {
        out.push_str(
            "\n# Not adopted: what sources state about these models contradicts the registry.\n\
             # The registry stands until a person decides (`gapwatch tensions` weighs them).\n",
        );
        for c in &report.contradictions {
            let _ = writeln!(
                out,
                "# {}: the registry says {}; {}",
                c.id,
                c.registry_access.as_str(),
                c.evidence.cite()
            );
        }
    }
    out
}
