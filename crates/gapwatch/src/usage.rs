//! Bad usage: errors the person at the keyboard can correct (an unknown source, story or
//! version, a refused import), which exit 2 and suggest the close ids when there are some.

use std::fmt;

/// Exit status for bad usage, as clap uses for a bad option.
pub const EXIT_USAGE: u8 = 2;

/// An error of usage: the command line asked for something that is not there or not allowed.
/// `main` exits 2 for it, wherever it sits in the error's chain.
#[derive(Debug)]
pub struct UsageError(pub String);

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UsageError {}

/// Whether an error, or any error it wraps, is bad usage.
pub fn is_usage(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| cause.is::<UsageError>())
}

/// `no configured source "swebnch"; did you mean "swebench"? (configured: a, b, c)`: `what`
/// names the kind of id, `known` lists them all.
pub fn unknown_id(what: &str, given: &str, known: &[&str]) -> UsageError {
    let close = closest(given, known);
    let suggestion = match close.as_slice() {
        [] => String::new(),
        [one] => format!("; did you mean {one:?}?"),
        several => format!(
            "; did you mean {}?",
            several
                .iter()
                .map(|id| format!("{id:?}"))
                .collect::<Vec<_>>()
                .join(" or ")
        ),
    };
    let list = if known.is_empty() {
        "none".to_owned()
    } else {
        known.join(", ")
    };
    UsageError(format!("no {what} {given:?}{suggestion} (known: {list})"))
}

/// The known ids close to `given`, closest first, at most three: those within a few edits
/// (about a third of the length), and those that contain it or that it contains.
pub fn closest<'a>(given: &str, known: &[&'a str]) -> Vec<&'a str> {
    let wanted = given.to_lowercase();
    if wanted.is_empty() {
        return Vec::new();
    }
    let limit = (wanted.chars().count() / 3).max(2);
    let mut scored: Vec<(usize, &'a str)> = known
        .iter()
        .filter_map(|&id| {
            let candidate = id.to_lowercase();
            let edits = distance(&wanted, &candidate);
            let contains =
                wanted.len() >= 3 && (candidate.contains(&wanted) || wanted.contains(&candidate));
            (edits <= limit || contains).then_some((edits, id))
        })
        .collect();
    scored.sort();
    scored.dedup_by(|a, b| a.1 == b.1);
    scored.into_iter().take(3).map(|(_, id)| id).collect()
}

/// Levenshtein distance, in characters.
fn distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCES: [&str; 6] = [
        "swebench",
        "swebench-pro",
        "mmmu",
        "bfcl",
        "aider-polyglot",
        "evalplus",
    ];

    #[test]
    fn typos_and_fragments_find_their_ids() {
        assert_eq!(closest("swebnch", &SOURCES), ["swebench"]);
        assert_eq!(closest("SWEBENCH", &SOURCES)[0], "swebench");
        assert_eq!(closest("aider", &SOURCES), ["aider-polyglot"]);
        assert_eq!(closest("mmu", &SOURCES), ["mmmu"]);
        assert_eq!(closest("swe", &SOURCES), ["swebench", "swebench-pro"]);
        assert!(closest("lmarena", &SOURCES).is_empty());
        assert!(closest("", &SOURCES).is_empty());
    }

    #[test]
    fn the_message_suggests_and_lists() {
        let e = unknown_id("configured source", "bfcll", &SOURCES).to_string();
        assert!(
            e.starts_with("no configured source \"bfcll\"; did you mean \"bfcl\"?"),
            "{e}"
        );
        assert!(
            e.ends_with("(known: swebench, swebench-pro, mmmu, bfcl, aider-polyglot, evalplus)"),
            "{e}"
        );
        let e = unknown_id("story", "nope", &["open-vs-closed"]).to_string();
        assert_eq!(e, "no story \"nope\" (known: open-vs-closed)");
    }

    #[test]
    fn usage_is_found_under_context() {
        let error = anyhow::Error::new(UsageError("bad".into())).context("while importing");
        assert!(is_usage(&error));
        assert!(!is_usage(&anyhow::anyhow!("disk full")));
    }

    #[test]
    fn distances_count_edits() {
        assert_eq!(distance("kitten", "sitting"), 3);
        assert_eq!(distance("", "abc"), 3);
        assert_eq!(distance("same", "same"), 0);
    }
}
