//! When to try again and how long to wait: retryable statuses, backoff with jitter, `Retry-After`.

use std::time::{Duration, SystemTime};

/// Statuses worth another attempt: the server may answer differently later.
pub(crate) fn is_retryable_status(status: u16) -> bool {
    status == 408 || status == 429 || (500..600).contains(&status)
}

/// Exponential backoff before attempt `attempt + 1`, after `attempt` (1-based) failed attempts.
///
/// `base * 2^(attempt-1)`, capped at `max`, then scaled by a jitter factor in [0.8, 1.2]. The
/// jitter is derived from the URL and the attempt number, not from a random source, so that
/// many URLs failing together spread out, while a given run stays reproducible.
pub(crate) fn backoff(base: Duration, max: Duration, attempt: u32, url: &str) -> Duration {
    let doublings = attempt.saturating_sub(1).min(31);
    let raw = base.saturating_mul(1u32 << doublings).min(max);
    // `mul_f64` panics on overflow; a policy with an enormous max keeps its unjittered value.
    Duration::try_from_secs_f64(raw.as_secs_f64() * jitter_factor(url, attempt)).unwrap_or(raw)
}

/// A factor in [0.8, 1.2] from an FNV-1a hash of the URL and attempt, mixed by xorshift.
fn jitter_factor(url: &str, attempt: u32) -> f64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in url.bytes().chain(attempt.to_le_bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash ^= hash << 13;
    hash ^= hash >> 7;
    hash ^= hash << 17;
    // The top 53 bits give a uniform float in [0, 1).
    let unit = (hash >> 11) as f64 / (1u64 << 53) as f64;
    0.8 + 0.4 * unit
}

/// The wait a `Retry-After` value asks for: delay-seconds or an HTTP-date, relative to `now`.
///
/// A date in the past asks for no wait. An unparsable value is ignored (`None`), so the usual
/// backoff applies.
pub(crate) fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Absurdly long digit strings saturate rather than fail: the cap applies anyway.
        let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// A duration as a person reads it in a message: `2s`, `1.5s`, `250ms`.
pub(crate) fn human(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis < 1000 {
        format!("{millis}ms")
    } else if millis.is_multiple_of(1000) {
        format!("{}s", millis / 1000)
    } else {
        format!("{:.1}s", duration.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retryable_statuses_are_5xx_408_and_429_only() {
        for status in [408, 429, 500, 502, 503, 504, 599] {
            assert!(is_retryable_status(status), "{status}");
        }
        for status in [200, 304, 400, 401, 403, 404, 410, 451, 600] {
            assert!(!is_retryable_status(status), "{status}");
        }
    }

    #[test]
    fn backoff_doubles_within_jitter_and_respects_the_max() {
        let base = Duration::from_secs(1);
        let max = Duration::from_secs(10);
        for (attempt, nominal) in [
            (1, 1.0),
            (2, 2.0),
            (3, 4.0),
            (4, 8.0),
            (5, 10.0),
            (40, 10.0),
        ] {
            let wait = backoff(base, max, attempt, "https://example.org/a").as_secs_f64();
            assert!(
                wait >= nominal * 0.8 - 1e-9 && wait <= nominal * 1.2 + 1e-9,
                "attempt {attempt}: {wait}s, nominal {nominal}s"
            );
        }
    }

    #[test]
    fn jitter_differs_between_urls_and_is_reproducible() {
        let base = Duration::from_secs(1);
        let max = Duration::from_secs(60);
        let a = backoff(base, max, 1, "https://example.org/a");
        assert_eq!(a, backoff(base, max, 1, "https://example.org/a"));
        let distinct: std::collections::BTreeSet<Duration> = (0..20)
            .map(|i| backoff(base, max, 1, &format!("https://example.org/{i}")))
            .collect();
        assert!(distinct.len() > 10, "jitter barely varies: {distinct:?}");
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(parse_retry_after("2", now), Some(Duration::from_secs(2)));
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        let later = httpdate::fmt_http_date(now + Duration::from_secs(30));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(30))
        );
        let earlier = httpdate::fmt_http_date(now - Duration::from_secs(30));
        assert_eq!(parse_retry_after(&earlier, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(
            parse_retry_after("99999999999999999999999", now),
            Some(Duration::from_secs(u64::MAX))
        );
    }

    #[test]
    fn human_durations_read_naturally() {
        assert_eq!(human(Duration::from_millis(250)), "250ms");
        assert_eq!(human(Duration::from_secs(2)), "2s");
        assert_eq!(human(Duration::from_millis(1500)), "1.5s");
    }
}
