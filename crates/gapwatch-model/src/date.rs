//! A civil calendar date, with the lenient parsing real leaderboards need.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::ModelError;

/// A proleptic Gregorian calendar date with no time zone.
///
/// Leaderboards attach dates to results, not instants, so a date is all gapwatch keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    year: i32,
    month: u8,
    day: u8,
}

/// How an ambiguous numeric date such as `3/4/2025` is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DateOrder {
    /// `24/1/2025`: day first, as Epoch's exports write it.
    #[default]
    DayMonthYear,
    /// `1/24/2025`: month first.
    MonthDayYear,
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

impl Date {
    /// Builds a date, checking that the day exists.
    pub fn from_ymd(year: i32, month: u32, day: u32) -> Result<Self, ModelError> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month as u8) as u32 {
            return Err(ModelError::InvalidDate {
                text: format!("{year:04}-{month:02}-{day:02}"),
            });
        }
        Ok(Self {
            year,
            month: month as u8,
            day: day as u8,
        })
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u32 {
        u32::from(self.month)
    }

    /// The day of the month, 1 to 31.
    pub fn day(self) -> u32 {
        u32::from(self.day)
    }

    /// Days since 1970-01-01 (negative before).
    pub fn days_since_epoch(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let mp = (m + 9) % 12;
        let doy = (153 * mp + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// The date a number of days after 1970-01-01.
    pub fn from_days_since_epoch(days: i64) -> Self {
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        let year = (yoe + era * 400 + i64::from(month <= 2)) as i32;
        Self { year, month, day }
    }

    /// The date `days` later (or earlier when negative).
    pub fn add_days(self, days: i64) -> Self {
        Self::from_days_since_epoch(self.days_since_epoch() + days)
    }

    /// Months from `self` to `later`, as a decimal: whole days divided by the mean month
    /// length (30.436875 days), so that lags compare across month boundaries.
    pub fn months_until(self, later: Date) -> f64 {
        (later.days_since_epoch() - self.days_since_epoch()) as f64 / 30.436_875
    }

    /// Reads the date forms found on leaderboards: `2025-06-05`, `2025-06-05T10:00:00Z`,
    /// `20250605`, `24/1/2025` (order given by `order`), `17 November 2025 4:28pm`,
    /// `Nov 2023`, `2024-06` (first of the month).
    pub fn parse_lenient(text: &str, order: DateOrder) -> Result<Self, ModelError> {
        let invalid = || ModelError::InvalidDate {
            text: text.to_owned(),
        };
        let t = text.trim();
        if t.is_empty() {
            return Err(invalid());
        }
        // ISO forms, possibly followed by a time.
        let head: String = t.chars().take(10).collect();
        if let Some(d) = parse_iso(&head) {
            return Ok(d);
        }
        if t.len() == 8 && t.bytes().all(|b| b.is_ascii_digit()) {
            let n = |r: std::ops::Range<usize>| t[r].parse::<u32>().map_err(|_| invalid());
            return Self::from_ymd(n(0..4)? as i32, n(4..6)?, n(6..8)?).map_err(|_| invalid());
        }
        if t.len() == 7 && t.as_bytes()[4] == b'-' {
            let y: i32 = t[..4].parse().map_err(|_| invalid())?;
            let m: u32 = t[5..].parse().map_err(|_| invalid())?;
            return Self::from_ymd(y, m, 1).map_err(|_| invalid());
        }
        // Slashed numeric forms.
        let first = t.split_whitespace().next().unwrap_or(t);
        let parts: Vec<&str> = first.split(['/', '.']).collect();
        if parts.len() == 3 && parts.iter().all(|p| p.bytes().all(|b| b.is_ascii_digit())) {
            let nums: Vec<u32> = parts
                .iter()
                .map(|p| p.parse::<u32>())
                .collect::<Result<_, _>>()
                .map_err(|_| invalid())?;
            if parts[0].len() == 4 {
                return Self::from_ymd(nums[0] as i32, nums[1], nums[2]).map_err(|_| invalid());
            }
            let (d, m) = match order {
                DateOrder::DayMonthYear => (nums[0], nums[1]),
                DateOrder::MonthDayYear => (nums[1], nums[0]),
            };
            let y = if nums[2] < 100 {
                2000 + nums[2]
            } else {
                nums[2]
            };
            return Self::from_ymd(y as i32, m, d).map_err(|_| invalid());
        }
        // Worded forms: "17 November 2025 4:28pm", "November 17, 2025", "Nov 2023", "Sept 2024".
        let words: Vec<String> = t
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        let month = words.iter().find_map(|w| month_from_word(w));
        let year = words
            .iter()
            .find_map(|w| (w.len() == 4).then(|| w.parse::<i32>().ok()).flatten());
        let day = words.iter().find_map(|w| {
            let digits = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            (!digits.is_empty() && digits.len() <= 2 && !w.contains(':'))
                .then(|| digits.parse::<u32>().ok())
                .flatten()
        });
        match (year, month) {
            (Some(y), Some(m)) => Self::from_ymd(y, m, day.unwrap_or(1)).map_err(|_| invalid()),
            _ => Err(invalid()),
        }
    }
}

fn month_from_word(word: &str) -> Option<u32> {
    let w = word.trim_end_matches('.');
    if w.len() < 3 || !w.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    MONTHS
        .iter()
        .position(|m| m.starts_with(w))
        .map(|i| i as u32 + 1)
}

fn parse_iso(s: &str) -> Option<Date> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let y = s[..4].parse().ok()?;
    let m = s[5..7].parse().ok()?;
    let d = s[8..10].parse().ok()?;
    Date::from_ymd(y, m, d).ok()
}

fn is_leap(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl FromStr for Date {
    type Err = ModelError;

    /// Strict ISO `YYYY-MM-DD`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse_iso(s.trim()).ok_or_else(|| ModelError::InvalidDate { text: s.to_owned() })
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn epoch_round_trip_over_four_centuries() {
        let start = d("1900-01-01").days_since_epoch();
        for n in (start..start + 146_097).step_by(17) {
            assert_eq!(Date::from_days_since_epoch(n).days_since_epoch(), n);
        }
        assert_eq!(d("1970-01-01").days_since_epoch(), 0);
        assert_eq!(d("2000-03-01").days_since_epoch(), 11_017);
    }

    #[test]
    fn rejects_impossible_days() {
        assert!("2025-02-29".parse::<Date>().is_err());
        assert!("2024-02-29".parse::<Date>().is_ok());
        assert!("2025-13-01".parse::<Date>().is_err());
    }

    #[test]
    fn lenient_forms_seen_on_leaderboards() {
        let dmy = DateOrder::DayMonthYear;
        assert_eq!(
            Date::parse_lenient("24/1/2025", dmy).unwrap(),
            d("2025-01-24")
        );
        assert_eq!(
            Date::parse_lenient("1/24/2025", DateOrder::MonthDayYear).unwrap(),
            d("2025-01-24")
        );
        assert_eq!(
            Date::parse_lenient("17 November 2025 4:28pm", dmy).unwrap(),
            d("2025-11-17")
        );
        assert_eq!(
            Date::parse_lenient("Nov 2023", dmy).unwrap(),
            d("2023-11-01")
        );
        assert_eq!(
            Date::parse_lenient("Sept 2024", dmy).unwrap(),
            d("2024-09-01")
        );
        assert_eq!(
            Date::parse_lenient("2025-06-05T10:00:00Z", dmy).unwrap(),
            d("2025-06-05")
        );
        assert_eq!(
            Date::parse_lenient("20250929", dmy).unwrap(),
            d("2025-09-29")
        );
        assert_eq!(
            Date::parse_lenient("2024-06", dmy).unwrap(),
            d("2024-06-01")
        );
        assert!(Date::parse_lenient("-", dmy).is_err());
        assert!(Date::parse_lenient("31/2/2025", dmy).is_err());
    }

    #[test]
    fn months_between_dates() {
        let m = d("2025-01-01").months_until(d("2026-01-01"));
        assert!((m - 11.99).abs() < 0.02, "{m}");
        assert!(d("2025-03-01").months_until(d("2025-02-01")) < 0.0);
    }
}
