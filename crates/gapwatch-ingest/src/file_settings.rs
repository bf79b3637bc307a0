//! Settings that are constant over a file: the source's own (`settings = { release = "v4" }`)
//! and those a file's name or header decides (`[[source.file_setting]]`), so that releases of
//! one leaderboard are distinct variants rather than replacing each other.

use serde::{Deserialize, Serialize};

use crate::config::SourceConfig;
use crate::extract::Warning;
use crate::record::{Header, fold};
use gapwatch_model::Settings;

/// A setting decided by the file (`[[source.file_setting]]`): by its name, or by a column its
/// header has.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSettingRule {
    /// The setting's name: `release`.
    pub key: String,
    /// A pattern of the file's name, `{}` standing for the value: `table_{}.csv` gives
    /// `release = 2024_11_25` for `table_2024_11_25.csv`. The name is the imported file's,
    /// or the last segment of the URL fetched. A pattern without `{}` sets `value`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// Tables: sets `value` when the header has this column (compared without case).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub when_column: Option<String>,
    /// The value set by `when_column`, or by a `file_name` pattern without `{}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
}

impl FileSettingRule {
    pub(crate) fn check(&self) -> Result<(), String> {
        if self.key.trim().is_empty() {
            return Err("needs a `key`".to_owned());
        }
        match (&self.file_name, &self.when_column) {
            (Some(p), None) => {
                let holes = p.matches("{}").count();
                if holes > 1 || (holes == 0 && self.value.is_none()) {
                    return Err(format!(
                        "`file_name` {p:?} needs one `{{}}` for the value, or a `value`"
                    ));
                }
                Ok(())
            }
            (None, Some(_)) if self.value.is_some() => Ok(()),
            (None, Some(_)) => Err("`when_column` needs a `value`".to_owned()),
            _ => Err("needs exactly one of `file_name` and `when_column`".to_owned()),
        }
    }
}

/// Matches a file name against a pattern with at most one `{}`; gives the captured text (or
/// an empty string for a pattern without a hole).
fn match_file_name(name: &str, pattern: &str) -> Option<String> {
    match pattern.split_once("{}") {
        None => (name == pattern).then(String::new),
        Some((before, after)) => {
            let rest = name.strip_prefix(before)?.strip_suffix(after)?;
            (!rest.is_empty()).then(|| rest.to_owned())
        }
    }
}

/// The settings constant over one file: the source's, then those its name and header decide
/// (a file's own win over the source's). Problems (no file name to read, a name that does not
/// match) are warnings.
pub(crate) fn file_constants(
    source: &SourceConfig,
    file_name: Option<&str>,
    header: Option<&Header>,
    warnings: &mut Vec<Warning>,
) -> Settings {
    let mut out: Settings = source.constant_settings.clone();
    for rule in &source.file_settings {
        if let Some(pattern) = &rule.file_name {
            let Some(name) = file_name else {
                warnings.push(Warning {
                    locator: None,
                    message: format!(
                        "setting {:?} is read from the file's name ({pattern:?}), and no file name was given",
                        rule.key
                    ),
                });
                continue;
            };
            match match_file_name(name, pattern) {
                Some(captured) if !captured.is_empty() => {
                    out.insert(rule.key.clone(), captured);
                }
                Some(_) => {
                    if let Some(v) = &rule.value {
                        out.insert(rule.key.clone(), v.clone());
                    }
                }
                // Several rules may target one key, one per naming scheme: only warn when
                // none of them set it.
                None => {}
            }
        } else if let (Some(column), Some(value)) = (&rule.when_column, &rule.value)
            && header.is_some_and(|h| h.names().iter().any(|n| *n == fold(column)))
        {
            out.insert(rule.key.clone(), value.clone());
        }
    }
    for rule in &source.file_settings {
        if let (Some(pattern), Some(name)) = (&rule.file_name, file_name)
            && !out.contains_key(&rule.key)
        {
            warnings.push(Warning {
                locator: None,
                message: format!(
                    "file name {name:?} does not match {pattern:?}: setting {:?} is not set",
                    rule.key
                ),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_name_patterns() {
        assert_eq!(
            match_file_name("table_2024_11_25.csv", "table_{}.csv").as_deref(),
            Some("2024_11_25")
        );
        assert_eq!(match_file_name("table_.csv", "table_{}.csv"), None);
        assert_eq!(match_file_name("other.csv", "table_{}.csv"), None);
        assert_eq!(
            match_file_name("2025-04-25.csv", "{}.csv").as_deref(),
            Some("2025-04-25")
        );
        assert_eq!(match_file_name("v4.csv", "v4.csv").as_deref(), Some(""));
    }
}
