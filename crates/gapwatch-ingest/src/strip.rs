//! Organization names and other texts of any length removed from a subject's name: a list
//! (`InternVL2.5 Shanghai AI Lab` → `InternVL2.5`), or the row's own organization field.

use serde::{Deserialize, Serialize};

use crate::config::FieldSpec;
use crate::record::fold;

/// Texts removed from the start or end of a name (`[source.subject.strip]`), compared
/// without case, as whole words. The longest that applies goes first, and stripping repeats
/// until none applies, so `GPT-4o (OpenAI)` and `OpenAI GPT-4o` both give `GPT-4o`.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NameStrip {
    /// Removed from the end of the name, with the separator before them (` `, ` - `, `, `,
    /// or parentheses or brackets around them): `["Shanghai AI Lab", "Google DeepMind"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub suffixes: Vec<String>,
    /// Removed from the start of the name, with the separator after them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub prefixes: Vec<String>,
    /// A field whose text (the row's organization column) is removed from either end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<FieldSpec>,
}

/// Characters that separate a name from an organization written beside it.
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '–' | '—' | ',' | ':' | '|' | '/' | '·' | '@')
}

/// `name` without `suffix` at its end (as a whole word, or in parentheses or brackets), and
/// the separators before it. `None` when it does not end so or nothing would remain.
pub(crate) fn strip_suffix(name: &str, suffix: &str) -> Option<String> {
    let suffix = suffix.trim();
    if suffix.is_empty() {
        return None;
    }
    let trimmed = name.trim_end();
    for (open, close) in [("(", ")"), ("[", "]"), ("", "")] {
        let Some(body) = trimmed.strip_suffix(close) else {
            continue;
        };
        let Some(at) = body.len().checked_sub(suffix.len()) else {
            continue;
        };
        if !body.is_char_boundary(at) || fold(&body[at..]) != fold(suffix) {
            continue;
        }
        let before = &body[..at];
        let Some(before) = before.strip_suffix(open) else {
            continue;
        };
        // A whole word: `Lab` does not strip `MyLab`.
        if !open.is_empty() || before.ends_with(is_separator) {
            let rest = before.trim_end_matches(is_separator);
            if !rest.is_empty() {
                return Some(rest.to_owned());
            }
        }
    }
    None
}

/// `name` without `prefix` at its start, as a whole word, and the separators after it.
pub(crate) fn strip_prefix(name: &str, prefix: &str) -> Option<String> {
    let prefix = prefix.trim();
    let trimmed = name.trim_start();
    if prefix.is_empty() {
        return None;
    }
    let head = trimmed.get(..prefix.len())?;
    if fold(head) != fold(prefix) {
        return None;
    }
    let after = &trimmed[prefix.len()..];
    if !after.starts_with(is_separator) {
        return None;
    }
    let rest = after.trim_start_matches(is_separator);
    (!rest.is_empty()).then(|| rest.to_owned())
}

impl NameStrip {
    /// Applies the lists and the row's own text (`own`, from `field`) once; true when the
    /// name changed.
    pub(crate) fn apply_once(&self, name: &mut String, own: Option<&str>) -> bool {
        let mut suffixes: Vec<&str> = self.suffixes.iter().map(String::as_str).collect();
        let mut prefixes: Vec<&str> = self.prefixes.iter().map(String::as_str).collect();
        if let Some(own) = own {
            suffixes.push(own);
            prefixes.push(own);
        }
        // The longest first: `Google DeepMind` before `Google`.
        suffixes.sort_by_key(|s| std::cmp::Reverse(s.len()));
        prefixes.sort_by_key(|s| std::cmp::Reverse(s.len()));
        for s in suffixes {
            if let Some(rest) = strip_suffix(name, s) {
                *name = rest;
                return true;
            }
        }
        for p in prefixes {
            if let Some(rest) = strip_prefix(name, p) {
                *name = rest;
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organizations_of_any_length_come_off_as_whole_words() {
        assert_eq!(
            strip_suffix("InternVL2.5 Shanghai AI Lab", "Shanghai AI Lab").as_deref(),
            Some("InternVL2.5")
        );
        assert_eq!(
            strip_suffix("Gemini 1.5 Pro (google deepmind)", "Google DeepMind").as_deref(),
            Some("Gemini 1.5 Pro")
        );
        assert_eq!(
            strip_suffix("LLaVA-Video - ByteDance", "ByteDance").as_deref(),
            Some("LLaVA-Video")
        );
        assert_eq!(strip_suffix("MyLab", "Lab"), None);
        assert_eq!(
            strip_suffix("OpenAI", "OpenAI"),
            None,
            "nothing would remain"
        );
        assert_eq!(
            strip_prefix("OpenAI GPT-4o", "openai").as_deref(),
            Some("GPT-4o")
        );
        assert_eq!(strip_prefix("OpenAIX", "OpenAI"), None);
        let rule = NameStrip {
            suffixes: vec!["Google".into(), "Google DeepMind".into()],
            ..NameStrip::default()
        };
        let mut name = "Gemini Ultra Google DeepMind".to_owned();
        assert!(rule.apply_once(&mut name, None));
        assert_eq!(name, "Gemini Ultra");
        let mut name = "Qwen2-VL-72B Alibaba Group".to_owned();
        assert!(rule.apply_once(&mut name, Some("Alibaba Group")));
        assert_eq!(name, "Qwen2-VL-72B");
        assert!(!rule.apply_once(&mut name, Some("Alibaba Group")));
    }
}
