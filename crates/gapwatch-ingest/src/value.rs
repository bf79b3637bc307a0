//! Reading scores as leaderboards write them: `77.47%`, `"69.1"`, `0.85`, `-`, `N/A`,
//! `choice:0.85±0.02`, `+4/-3`, `$0.13`, `176,000,000,000`.

use crate::IngestError;

/// A number read from a cell, with what the text said about it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParsedScore {
    /// The value as written (not scaled).
    pub value: f64,
    /// A `±` half-width written with the value, in the same scale.
    pub uncertainty: Option<f64>,
    /// The text ended with `%`.
    pub percent_sign: bool,
}

/// Texts that mean "no value here".
const MISSING: &[&str] = &[
    "", "-", "--", "---", "–", "—", "n/a", "na", "n.a.", "null", "none", "nan", "?", "tbd",
    "unknown",
];

/// Whether a cell's text means "no value".
pub fn is_missing(text: &str) -> bool {
    let t = text.trim().trim_matches('"').trim();
    MISSING.iter().any(|m| t.eq_ignore_ascii_case(m))
}

/// Reads a score. `Ok(None)` for a missing marker (`-`, `N/A`, empty); an error for text
/// that is not a number in any form seen on leaderboards.
///
/// ```
/// use gapwatch_ingest::parse_score;
///
/// let s = parse_score("77.47%")?.unwrap();
/// assert_eq!((s.value, s.percent_sign), (77.47, true));
/// let s = parse_score("choice:0.85±0.02")?.unwrap();
/// assert_eq!((s.value, s.uncertainty), (0.85, Some(0.02)));
/// assert_eq!(parse_score("N/A")?, None);
/// assert!(parse_score("very good").is_err());
/// # Ok::<(), gapwatch_ingest::IngestError>(())
/// ```
pub fn parse_score(text: &str) -> Result<Option<ParsedScore>, IngestError> {
    let invalid = || IngestError::InvalidValue {
        text: shorten(text),
    };
    if is_missing(text) {
        return Ok(None);
    }
    let mut t = text.trim().trim_matches('"').trim();
    // `choice:0.85±0.02` or several scorers `a:0.2±0.01,b:0.23±0.01`: the first one.
    if let Some((label, rest)) = t.split_once(':')
        && !label.is_empty()
        && label
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == ' ')
        && label.chars().any(|c| c.is_ascii_alphabetic())
    {
        t = rest.split(',').next().unwrap_or(rest).trim();
    }
    let (main, unc) = split_uncertainty(t);
    let mut main = main.trim();
    // Footnote marks after a number.
    main = main.trim_end_matches(['*', '†', '‡']).trim_end();
    let percent_sign = main.ends_with('%');
    main = main.trim_end_matches('%').trim_end();
    main = main
        .strip_prefix(['$', '€', '£'])
        .map(str::trim_start)
        .unwrap_or(main);
    let value = parse_number(main).ok_or_else(invalid)?;
    let uncertainty = match unc {
        Some(u) => Some(parse_uncertainty(u).ok_or_else(invalid)?),
        None => None,
    };
    Ok(Some(ParsedScore {
        value,
        uncertainty,
        percent_sign,
    }))
}

/// Reads an uncertainty on its own: `±0.6`, `0.6%`, `+4/-3` (the mean of both sides),
/// `choice:0.85±0.02` (the part after `±`). `Ok(None)` when missing.
pub(crate) fn parse_uncertainty_text(text: &str) -> Result<Option<f64>, IngestError> {
    if is_missing(text) {
        return Ok(None);
    }
    let t = text.trim().trim_matches('"').trim();
    if let Some(u) = parse_uncertainty(t) {
        return Ok(Some(u));
    }
    match parse_score(t)? {
        Some(ParsedScore {
            uncertainty: Some(u),
            ..
        }) => Ok(Some(u)),
        _ => Err(IngestError::InvalidValue {
            text: shorten(text),
        }),
    }
}

fn split_uncertainty(t: &str) -> (&str, Option<&str>) {
    if let Some((a, b)) = t.split_once('±') {
        return (a, Some(b));
    }
    if let Some((a, b)) = t.split_once("+/-") {
        return (a, Some(b));
    }
    (t, None)
}

fn parse_uncertainty(u: &str) -> Option<f64> {
    let u = u.trim().trim_start_matches('±').trim();
    // `+4/-3`: asymmetric; keep the mean half-width.
    if let Some(rest) = u.strip_prefix('+')
        && let Some((up, down)) = rest.split_once('/')
    {
        let up = parse_number(up.trim().trim_end_matches('%'))?;
        let down = parse_number(down.trim().trim_start_matches('-').trim_end_matches('%'))?;
        return Some((up.abs() + down.abs()) / 2.0);
    }
    let n = parse_number(u.trim_end_matches('%').trim())?;
    (n >= 0.0).then_some(n)
}

/// A plain decimal number, allowing thousands separators (`176,000,000,000`) and
/// exponents (`4.12E+23`). Never NaN or infinite.
pub(crate) fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() || s.len() > 64 {
        return None;
    }
    let ok_chars = s
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E' | b','));
    if !ok_chars || !s.bytes().any(|b| b.is_ascii_digit()) {
        return None;
    }
    let cleaned;
    let s = if s.contains(',') {
        if !thousands_grouped(s) {
            return None;
        }
        cleaned = s.replace(',', "");
        cleaned.as_str()
    } else {
        s
    };
    let v: f64 = s.parse().ok()?;
    v.is_finite().then_some(v)
}

/// `1,234` or `-12,345,678.5`: groups of three after the first.
fn thousands_grouped(s: &str) -> bool {
    let int = s.split(['.', 'e', 'E']).next().unwrap_or(s);
    let int = int.trim_start_matches(['-', '+']);
    let mut groups = int.split(',');
    let first = groups.next().unwrap_or("");
    (1..=3).contains(&first.len()) && groups.all(|g| g.len() == 3)
}

fn shorten(text: &str) -> String {
    let t = text.trim();
    if t.chars().count() <= 60 {
        t.to_owned()
    } else {
        let mut s: String = t.chars().take(57).collect();
        s.push('…');
        s
    }
}

/// Reads a date as leaderboards write it ([`gapwatch_model::Date::parse_lenient`]), also
/// accepting ISO dates without zero padding (`2025-4-30`).
pub(crate) fn parse_date(
    text: &str,
    order: gapwatch_model::DateOrder,
) -> Option<gapwatch_model::Date> {
    if let Ok(d) = gapwatch_model::Date::parse_lenient(text, order) {
        return Some(d);
    }
    let head = text.trim().split(['T', ' ']).next()?;
    let parts: Vec<&str> = head.split('-').collect();
    let digits = |p: &&str| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit());
    if parts.len() != 3 || parts[0].len() != 4 || !parts.iter().all(digits) {
        return None;
    }
    let n = |i: usize| parts[i].parse::<u32>().ok();
    gapwatch_model::Date::from_ymd(n(0)? as i32, n(1)?, n(2)?).ok()
}

/// Whether text in parentheses is a date or a version rather than a name:
/// `2024-05-13`, `20241022`, `Nov 2023`, `v20241202-dev`, `0806`.
pub(crate) fn is_date_or_version(text: &str) -> bool {
    let t = text.trim();
    if t.is_empty() {
        return true;
    }
    if t.bytes()
        .all(|b| b.is_ascii_digit() || b == b'-' || b == b'/' || b == b'.')
    {
        return true;
    }
    let b = t.as_bytes();
    if (b[0] == b'v' || b[0] == b'V') && b.len() > 1 && b[1].is_ascii_digit() {
        return true;
    }
    gapwatch_model::Date::parse_lenient(t, gapwatch_model::DateOrder::DayMonthYear).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(t: &str) -> Option<(f64, Option<f64>, bool)> {
        parse_score(t)
            .unwrap()
            .map(|s| (s.value, s.uncertainty, s.percent_sign))
    }

    #[test]
    fn forms_seen_on_leaderboards() {
        assert_eq!(v("77.47%"), Some((77.47, None, true)));
        assert_eq!(v("\"69.1\""), Some((69.1, None, false)));
        assert_eq!(v("0.85"), Some((0.85, None, false)));
        assert_eq!(v("-"), None);
        assert_eq!(v("N/A"), None);
        assert_eq!(v(" — "), None);
        assert_eq!(v("choice:0.85±0.02"), Some((0.85, Some(0.02), false)));
        assert_eq!(
            v("normalized_string_match:0.2±0.01,sympy_equiv:0.2±0.01"),
            Some((0.2, Some(0.01), false))
        );
        assert_eq!(v("$0.13"), Some((0.13, None, false)));
        assert_eq!(v("$0.1300"), Some((0.13, None, false)));
        assert_eq!(v("176,000,000,000"), Some((176e9, None, false)));
        assert_eq!(v("4.12E+23"), Some((4.12e23, None, false)));
        assert_eq!(v("62.2*"), Some((62.2, None, false)));
        assert_eq!(v("75.0 ± 1.5 %"), Some((75.0, Some(1.5), false)));
    }

    #[test]
    fn garbage_and_overflow_are_errors_not_numbers() {
        for bad in ["abc", "1e309", "12,34", "1.2.3%", "inf", "NaN%", "0x10"] {
            assert!(parse_score(bad).is_err(), "{bad}");
        }
        // "nan" alone is a missing marker, never a NaN value.
        assert_eq!(v("NaN"), None);
    }

    #[test]
    fn uncertainties_alone() {
        assert_eq!(parse_uncertainty_text("+4/-3").unwrap(), Some(3.5));
        assert_eq!(parse_uncertainty_text("0.6%").unwrap(), Some(0.6));
        assert_eq!(
            parse_uncertainty_text("choice:0.85±0.02").unwrap(),
            Some(0.02)
        );
        assert_eq!(parse_uncertainty_text("").unwrap(), None);
        assert!(parse_uncertainty_text("wide").is_err());
    }

    #[test]
    fn unpadded_iso_dates() {
        let dmy = gapwatch_model::DateOrder::DayMonthYear;
        assert_eq!(
            parse_date("2025-4-30", dmy)
                .map(|d| d.to_string())
                .as_deref(),
            Some("2025-04-30")
        );
        assert_eq!(
            parse_date("24/1/2025", dmy)
                .map(|d| d.to_string())
                .as_deref(),
            Some("2025-01-24")
        );
        assert_eq!(parse_date("2025-2-30", dmy), None);
        assert_eq!(parse_date("soon", dmy), None);
    }

    #[test]
    fn dates_and_versions_in_parentheses() {
        for t in [
            "2024-05-13",
            "20241022",
            "Nov 2023",
            "v20241202-dev",
            "0806",
        ] {
            assert!(is_date_or_version(t), "{t}");
        }
        for t in [
            "claude-3-5-sonnet-20241022",
            "Claude 3.7 Sonnet",
            "medium reasoning",
        ] {
            assert!(!is_date_or_version(t), "{t}");
        }
    }
}
