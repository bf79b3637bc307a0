//! Registry files as written: `[[model]]` and `[[benchmark]]` tables, each either a whole
//! entry (`id = …`) or an extension of an entry defined earlier (`extends = …`), with the line
//! each was written on, so that every entry can say where it comes from.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::registry::{BenchmarkEntry, Headline, ModelEntry};
use crate::{Access, Date, ModelError, Unit};

/// Where a registry entry, or a change to one, was written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryOrigin {
    /// True for the registry that ships with gapwatch.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub builtin: bool,
    /// The file: a path under the builtin registry's `data/` (`models/openai.toml`), or the
    /// name the file was read under (a workspace's `registry.toml` path).
    pub file: String,
    /// The line of the entry's `[[model]]` or `[[benchmark]]` header, or its line of a TSV
    /// file, counting from 1; absent for entries built in code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl EntryOrigin {
    /// A file that is not part of the builtin registry, without a line.
    pub fn file(file: impl Into<String>) -> Self {
        EntryOrigin {
            builtin: false,
            file: file.into(),
            line: None,
        }
    }
}

impl fmt::Display for EntryOrigin {
    /// `builtin models/openai.toml:12`, `my/registry.toml:3`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.builtin {
            f.write_str("builtin ")?;
        }
        f.write_str(&self.file)?;
        if let Some(line) = self.line {
            write!(f, ":{line}")?;
        }
        Ok(())
    }
}

/// Where a registry entry comes from, and what changed it since.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// Where the entry as it stands was written.
    pub origin: EntryOrigin,
    /// An entry with the same id that this one replaced whole (a workspace entry written
    /// with the id of a builtin one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<EntryOrigin>,
    /// Extensions applied to it, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extensions: Vec<Extension>,
}

impl Provenance {
    pub(crate) fn at(origin: EntryOrigin) -> Self {
        Provenance {
            origin,
            replaces: None,
            extensions: Vec::new(),
        }
    }
}

impl fmt::Display for Provenance {
    /// `builtin models/openai.toml:12, extended by registry.toml:3 (aliases, access)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.origin)?;
        if let Some(r) = &self.replaces {
            write!(f, ", replacing {r}")?;
        }
        for e in &self.extensions {
            write!(f, ", extended by {} ({})", e.origin, e.fields.join(", "))?;
        }
        Ok(())
    }
}

/// An `extends = …` table applied to an entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Extension {
    /// Where the extension was written.
    pub origin: EntryOrigin,
    /// The fields it set or added to, in the entry's field order.
    pub fields: Vec<String>,
}

/// A `[[model]]` table: a whole entry, or an extension when `extends` is set.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawModel {
    id: Option<String>,
    extends: Option<String>,
    name: Option<String>,
    organization: Option<String>,
    access: Option<Access>,
    access_evidence: Option<String>,
    license: Option<String>,
    parameters_b: Option<f64>,
    released: Option<Date>,
    aliases: Option<Vec<String>>,
}

/// A `[[benchmark]]` table: a whole entry, or an extension when `extends` is set.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawBenchmark {
    id: Option<String>,
    extends: Option<String>,
    name: Option<String>,
    metric: Option<String>,
    unit: Option<Unit>,
    higher_is_better: Option<bool>,
    saturated: Option<bool>,
    variants: Option<Vec<String>>,
    subscores: Option<Vec<String>>,
    headline: Option<Headline>,
    introduced: Option<Date>,
    aliases: Option<Vec<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    model: Vec<toml::Spanned<RawModel>>,
    #[serde(default)]
    benchmark: Vec<toml::Spanned<RawBenchmark>>,
}

/// The changes an extension makes to a model: each field that is set replaces the entry's,
/// `aliases` are added.
#[derive(Debug, Clone)]
pub(crate) struct ModelPatch {
    pub(crate) target: String,
    pub(crate) origin: EntryOrigin,
    name: Option<String>,
    organization: Option<String>,
    access: Option<Access>,
    access_evidence: Option<String>,
    license: Option<String>,
    parameters_b: Option<f64>,
    released: Option<Date>,
    aliases: Vec<String>,
}

/// The changes an extension makes to a benchmark: each field that is set replaces the
/// entry's; `variants`, `subscores` and `aliases` are added.
#[derive(Debug, Clone)]
pub(crate) struct BenchmarkPatch {
    pub(crate) target: String,
    pub(crate) origin: EntryOrigin,
    name: Option<String>,
    metric: Option<String>,
    unit: Option<Unit>,
    higher_is_better: Option<bool>,
    saturated: Option<bool>,
    variants: Vec<String>,
    subscores: Vec<String>,
    headline: Option<Headline>,
    introduced: Option<Date>,
    aliases: Vec<String>,
}

/// A registry file read: whole entries with their origins, then extensions, in file order.
#[derive(Debug, Default)]
pub(crate) struct ParsedFile {
    pub(crate) models: Vec<(ModelEntry, EntryOrigin)>,
    pub(crate) benchmarks: Vec<(BenchmarkEntry, EntryOrigin)>,
    pub(crate) model_patches: Vec<ModelPatch>,
    pub(crate) benchmark_patches: Vec<BenchmarkPatch>,
}

/// Line numbers of byte offsets, for offsets given in increasing order.
struct Lines<'t> {
    text: &'t str,
    offset: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset < self.offset {
            self.offset = 0;
            self.line = 1;
        }
        let skipped = self.text.as_bytes()[self.offset..offset]
            .iter()
            .filter(|&&b| b == b'\n')
            .count();
        self.line += skipped;
        self.offset = offset;
        self.line
    }
}

/// Reads a registry file. `file` names it in origins; `error_origin` in errors.
pub(crate) fn parse(
    text: &str,
    file: &str,
    builtin: bool,
    error_origin: &str,
) -> Result<ParsedFile, ModelError> {
    let raw: RawFile = toml::from_str(text).map_err(|e| ModelError::Registry {
        origin: error_origin.to_owned(),
        message: e.to_string().trim_end().to_owned(),
    })?;
    let mut lines = Lines {
        text,
        offset: 0,
        line: 1,
    };
    let mut out = ParsedFile::default();
    for spanned in raw.model {
        let line = lines.at(spanned.span().start);
        let origin = EntryOrigin {
            builtin,
            file: file.to_owned(),
            line: Some(line),
        };
        let fail = |message: String| ModelError::Registry {
            origin: error_origin.to_owned(),
            message: format!("line {line}: {message}"),
        };
        let m = spanned.into_inner();
        match (m.id, m.extends) {
            (Some(id), Some(target)) => {
                return Err(fail(format!(
                    "a [[model]] has either `id` (a new entry) or `extends` (changes to an existing one), not both: id {id:?}, extends {target:?}"
                )));
            }
            (None, None) => {
                return Err(fail(
                    "a [[model]] needs `id` (a new entry) or `extends` (the id of an entry to change)"
                        .to_owned(),
                ));
            }
            (Some(id), None) => {
                let missing: Vec<&str> = [
                    ("name", m.name.is_none()),
                    ("organization", m.organization.is_none()),
                    ("access", m.access.is_none()),
                ]
                .into_iter()
                .filter_map(|(k, absent)| absent.then_some(k))
                .collect();
                let (Some(name), Some(organization), Some(access)) =
                    (m.name, m.organization, m.access)
                else {
                    return Err(fail(format!(
                        "model {id:?}: missing {} (use `extends = {id:?}` to change an existing entry)",
                        missing
                            .iter()
                            .map(|k| format!("`{k}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    )));
                };
                out.models.push((
                    ModelEntry {
                        id,
                        name,
                        organization,
                        access,
                        access_evidence: m.access_evidence,
                        license: m.license,
                        parameters_b: m.parameters_b,
                        released: m.released,
                        aliases: m.aliases.unwrap_or_default(),
                    },
                    origin,
                ));
            }
            (None, Some(target)) => out.model_patches.push(ModelPatch {
                target,
                origin,
                name: m.name,
                organization: m.organization,
                access: m.access,
                access_evidence: m.access_evidence,
                license: m.license,
                parameters_b: m.parameters_b,
                released: m.released,
                aliases: m.aliases.unwrap_or_default(),
            }),
        }
    }
    for spanned in raw.benchmark {
        let line = lines.at(spanned.span().start);
        let origin = EntryOrigin {
            builtin,
            file: file.to_owned(),
            line: Some(line),
        };
        let fail = |message: String| ModelError::Registry {
            origin: error_origin.to_owned(),
            message: format!("line {line}: {message}"),
        };
        let b = spanned.into_inner();
        match (b.id, b.extends) {
            (Some(id), Some(target)) => {
                return Err(fail(format!(
                    "a [[benchmark]] has either `id` (a new entry) or `extends` (changes to an existing one), not both: id {id:?}, extends {target:?}"
                )));
            }
            (None, None) => {
                return Err(fail(
                    "a [[benchmark]] needs `id` (a new entry) or `extends` (the id of an entry to change)"
                        .to_owned(),
                ));
            }
            (Some(id), None) => {
                let (Some(name), Some(unit)) = (b.name.clone(), b.unit) else {
                    let missing: Vec<&str> =
                        [("`name`", b.name.is_none()), ("`unit`", b.unit.is_none())]
                            .into_iter()
                            .filter_map(|(k, absent)| absent.then_some(k))
                            .collect();
                    return Err(fail(format!(
                        "benchmark {id:?}: missing {} (use `extends = {id:?}` to change an existing entry)",
                        missing.join(", ")
                    )));
                };
                out.benchmarks.push((
                    BenchmarkEntry {
                        id,
                        name,
                        metric: b.metric.unwrap_or_default(),
                        unit,
                        higher_is_better: b.higher_is_better.unwrap_or(true),
                        saturated: b.saturated.unwrap_or(false),
                        variants: b.variants.unwrap_or_default(),
                        subscores: b.subscores.unwrap_or_default(),
                        headline: b.headline.unwrap_or_default(),
                        introduced: b.introduced,
                        aliases: b.aliases.unwrap_or_default(),
                    },
                    origin,
                ));
            }
            (None, Some(target)) => out.benchmark_patches.push(BenchmarkPatch {
                target,
                origin,
                name: b.name,
                metric: b.metric,
                unit: b.unit,
                higher_is_better: b.higher_is_better,
                saturated: b.saturated,
                variants: b.variants.unwrap_or_default(),
                subscores: b.subscores.unwrap_or_default(),
                headline: b.headline,
                introduced: b.introduced,
                aliases: b.aliases.unwrap_or_default(),
            }),
        }
    }
    Ok(out)
}

/// Adds the items of `extra` that `list` lacks; true when one was added.
fn add_all(list: &mut Vec<String>, extra: &[String]) -> bool {
    let mut added = false;
    for item in extra {
        if !list.contains(item) {
            list.push(item.clone());
            added = true;
        }
    }
    added
}

impl ModelPatch {
    /// Applies the patch; gives the names of the fields it set. A changed name stays an
    /// alias, so sources that wrote it still resolve. A changed access without new evidence
    /// drops the old evidence, which spoke for the old access.
    pub(crate) fn apply(&self, m: &mut ModelEntry) -> Vec<String> {
        let mut fields = Vec::new();
        let mut set = |name: &str| fields.push(name.to_owned());
        if let Some(name) = &self.name
            && *name != m.name
        {
            let old = std::mem::replace(&mut m.name, name.clone());
            if !m.aliases.contains(&old) && old != m.id {
                m.aliases.push(old);
            }
            set("name");
        }
        if let Some(o) = &self.organization {
            m.organization.clone_from(o);
            set("organization");
        }
        if let Some(a) = self.access {
            if a != m.access && self.access_evidence.is_none() {
                m.access_evidence = None;
            }
            m.access = a;
            set("access");
        }
        if let Some(e) = &self.access_evidence {
            m.access_evidence = Some(e.clone());
            set("access_evidence");
        }
        if let Some(l) = &self.license {
            m.license = Some(l.clone());
            set("license");
        }
        if let Some(p) = self.parameters_b {
            m.parameters_b = Some(p);
            set("parameters_b");
        }
        if let Some(d) = self.released {
            m.released = Some(d);
            set("released");
        }
        if add_all(&mut m.aliases, &self.aliases) {
            set("aliases");
        }
        fields
    }
}

impl BenchmarkPatch {
    /// Applies the patch; gives the names of the fields it set. A changed name stays an
    /// alias.
    pub(crate) fn apply(&self, b: &mut BenchmarkEntry) -> Vec<String> {
        let mut fields = Vec::new();
        let mut set = |name: &str| fields.push(name.to_owned());
        if let Some(name) = &self.name
            && *name != b.name
        {
            let old = std::mem::replace(&mut b.name, name.clone());
            if !b.aliases.contains(&old) && old != b.id {
                b.aliases.push(old);
            }
            set("name");
        }
        if let Some(m) = &self.metric {
            b.metric.clone_from(m);
            set("metric");
        }
        if let Some(u) = self.unit {
            b.unit = u;
            set("unit");
        }
        if let Some(h) = self.higher_is_better {
            b.higher_is_better = h;
            set("higher_is_better");
        }
        if let Some(s) = self.saturated {
            b.saturated = s;
            set("saturated");
        }
        if add_all(&mut b.variants, &self.variants) {
            set("variants");
        }
        if add_all(&mut b.subscores, &self.subscores) {
            set("subscores");
        }
        if let Some(h) = &self.headline {
            b.headline = h.clone();
            set("headline");
        }
        if let Some(d) = self.introduced {
            b.introduced = Some(d);
            set("introduced");
        }
        if add_all(&mut b.aliases, &self.aliases) {
            set("aliases");
        }
        fields
    }
}
