//! Number formatting shared by every renderer: units, separators, signs.

use gapwatch_analysis::Gap;
use gapwatch_model::Unit;

/// A value in its unit: `72.8%`, `1,402 Elo`, `0.73`.
pub fn format_value(value: f64, unit: Unit) -> String {
    match unit {
        Unit::Percent => format!("{value:.1}%"),
        Unit::Elo => format!("{} Elo", group_thousands(value.round() as i64)),
        Unit::Score => {
            let s = format!("{value:.2}");
            s.trim_end_matches('0').trim_end_matches('.').to_owned()
        }
    }
}

/// A gap in points and relative percent: `4.1 points (5.6%)`; a lead reads `open leads by …`
/// at the call site, so the magnitude is printed here.
pub fn format_gap(gap: &Gap, unit: Unit) -> String {
    let points = gap.points.abs();
    let noun = match unit {
        Unit::Percent => {
            if (points - 1.0).abs() < 0.05 {
                "point"
            } else {
                "points"
            }
        }
        Unit::Elo => "Elo",
        Unit::Score => "",
    };
    let magnitude = match unit {
        Unit::Elo => format!("{}", points.round() as i64),
        _ => format!("{points:.1}"),
    };
    let head = if noun.is_empty() {
        magnitude
    } else {
        format!("{magnitude} {noun}")
    };
    format!("{head} ({:.1}%)", gap.relative_percent.abs())
}

/// Months with one decimal: `7.2 months`, `1.0 month`.
pub(crate) fn format_months(months: f64) -> String {
    let m = months.max(0.0);
    if (m - 1.0).abs() < 0.05 {
        "1.0 month".to_owned()
    } else {
        format!("{m:.1} months")
    }
}

/// `1,184` for 1184.
pub(crate) fn group_thousands(n: i64) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_carry_their_units() {
        assert_eq!(format_value(72.849, Unit::Percent), "72.8%");
        assert_eq!(format_value(1402.4, Unit::Elo), "1,402 Elo");
        assert_eq!(format_value(0.5, Unit::Score), "0.5");
        assert_eq!(group_thousands(1_234_567), "1,234,567");
        assert_eq!(group_thousands(-1000), "-1,000");
        assert_eq!(group_thousands(999), "999");
    }

    #[test]
    fn gaps_read_as_points_and_percent() {
        let g = Gap {
            points: -4.06,
            relative_percent: -5.55,
        };
        assert_eq!(format_gap(&g, Unit::Percent), "4.1 points (5.5%)");
        let one = Gap {
            points: 1.0,
            relative_percent: 1.2,
        };
        assert_eq!(format_gap(&one, Unit::Percent), "1.0 point (1.2%)");
        assert_eq!(format_months(7.25), "7.2 months");
    }
}
