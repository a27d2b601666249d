//! [`Timestamp`]: an instant read from RFC 3339 text, for the time bounds of list queries
//! (`olderthan`/`newerthan` on ethernet interfaces).
//!
//! The stores write `LastUpdate` as fixed-width UTC text with microseconds
//! (`2025-01-02T03:04:05.123456Z`), so a bound turned into that same form
//! ([`Timestamp::to_utc_micros`]) compares as text, in SQL as in memory.

use std::fmt;
use std::str::FromStr;

use crate::Error;

const NANOS_PER_SEC: i128 = 1_000_000_000;
const NANOS_PER_MICRO: i128 = 1_000;
/// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59.999999999Z in nanoseconds since the epoch.
const MIN_NANOS: i128 = -62_167_219_200 * NANOS_PER_SEC;
const MAX_NANOS: i128 = 253_402_300_800 * NANOS_PER_SEC - 1;

/// An instant, nanosecond precision, parsed from RFC 3339 (`T`, `t` or a space between date
/// and time; `Z`, `z` or a `±HH:MM` offset).
///
/// ```
/// use ochami_core::Timestamp;
/// let t: Timestamp = "2025-01-02T05:04:05.5+02:00".parse()?;
/// assert_eq!(t.to_utc_micros(false), "2025-01-02T03:04:05.500000Z");
/// assert!(t < "2025-01-02T03:04:06Z".parse()?);
/// assert!("yesterday".parse::<Timestamp>().is_err());
/// # Ok::<(), ochami_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp {
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    nanos: i128,
}

impl Timestamp {
    /// UTC text with exactly six fractional digits and `Z`, the form the stores write
    /// `LastUpdate` in. Sub-microsecond parts are cut (`round_up` false) or rounded up to the
    /// next microsecond (`round_up` true); years outside 0000..=9999 are clamped.
    pub fn to_utc_micros(&self, round_up: bool) -> String {
        let n = self.nanos.clamp(MIN_NANOS, MAX_NANOS);
        let mut micros = n.div_euclid(NANOS_PER_MICRO);
        if round_up && n.rem_euclid(NANOS_PER_MICRO) != 0 {
            micros += 1;
        }
        let micros = micros.min(MAX_NANOS / NANOS_PER_MICRO);
        let secs = micros.div_euclid(1_000_000);
        let frac = micros.rem_euclid(1_000_000);
        let days = secs.div_euclid(86_400) as i64;
        let sod = secs.rem_euclid(86_400) as i64;
        let (y, m, d) = civil_from_days(days);
        format!(
            "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{frac:06}Z",
            sod / 3600,
            sod % 3600 / 60,
            sod % 60
        )
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_utc_micros(false))
    }
}

impl FromStr for Timestamp {
    type Err = Error;

    fn from_str(s: &str) -> Result<Self, Error> {
        parse(s.trim().as_bytes())
            .map(|nanos| Timestamp { nanos })
            .ok_or_else(|| Error::invalid("time", s, "an RFC 3339 time"))
    }
}

fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
}

fn parse(b: &[u8]) -> Option<i128> {
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || b[13] != b':' || b[16] != b':' {
        return None;
    }
    if !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    let (y, mo, d) = (digits(&b[0..4])?, digits(&b[5..7])?, digits(&b[8..10])?);
    let (h, mi, s) = (
        digits(&b[11..13])?,
        digits(&b[14..16])?,
        digits(&b[17..19])?,
    );
    if !(1..=12).contains(&mo) || d < 1 || d > days_in_month(y, mo) || h > 23 || mi > 59 || s > 60 {
        return None;
    }
    let mut rest = &b[19..];
    let mut frac: i128 = 0;
    if let Some(after_dot) = rest.strip_prefix(b".") {
        let n = after_dot.iter().take_while(|c| c.is_ascii_digit()).count();
        if n == 0 {
            return None;
        }
        for (i, c) in after_dot[..n].iter().take(9).enumerate() {
            frac += i128::from(c - b'0') * 10i128.pow(8 - i as u32);
        }
        rest = &after_dot[n..];
    }
    let offset_secs: i64 = match rest {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), oh @ .., b':', m1, m2] if oh.len() == 2 => {
            let (oh, om) = (digits(oh)?, digits(&[*m1, *m2])?);
            if oh > 23 || om > 59 {
                return None;
            }
            let o = oh * 3600 + om * 60;
            if *sign == b'-' { -o } else { o }
        }
        _ => return None,
    };
    let secs = days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s - offset_secs;
    Some(i128::from(secs) * NANOS_PER_SEC + frac)
}

fn is_leap(y: i64) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if is_leap(y) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date `z` days after 1970-01-01.
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn offsets_and_separators_name_the_same_instant() {
        let utc = t("2024-02-29T23:30:00Z");
        assert_eq!(t("2024-03-01T01:30:00+02:00"), utc);
        assert_eq!(t("2024-02-29 18:30:00-05:00"), utc);
        assert_eq!(t("2024-02-29t23:30:00z"), utc);
        assert_eq!(utc.to_utc_micros(false), "2024-02-29T23:30:00.000000Z");
        assert_eq!(t("1970-01-01T00:00:00Z").nanos, 0);
        assert_eq!(t("1969-12-31T23:59:59.5Z").nanos, -500_000_000);
    }

    #[test]
    fn fractions_cut_or_round_up_to_microseconds() {
        let x = t("2025-06-01T12:00:00.1234567Z");
        assert_eq!(x.to_utc_micros(false), "2025-06-01T12:00:00.123456Z");
        assert_eq!(x.to_utc_micros(true), "2025-06-01T12:00:00.123457Z");
        let exact = t("2025-06-01T12:00:00.123456Z");
        assert_eq!(exact.to_utc_micros(true), "2025-06-01T12:00:00.123456Z");
        // Digits past nanoseconds are read and dropped.
        assert_eq!(
            t("2025-06-01T12:00:00.1234567891Z"),
            t("2025-06-01T12:00:00.123456789Z")
        );
    }

    #[test]
    fn text_order_of_the_store_form_is_time_order() {
        let a = t("2025-06-01T23:59:59.999999Z");
        let b = t("2025-06-02T00:00:00+00:00");
        assert!(a < b);
        assert!(a.to_utc_micros(false) < b.to_utc_micros(false));
        let far = t("9999-12-31T23:59:59-01:00");
        assert_eq!(far.to_utc_micros(false), "9999-12-31T23:59:59.999999Z");
        let early = t("0000-01-01T00:00:00+01:00");
        assert_eq!(early.to_utc_micros(false), "0000-01-01T00:00:00.000000Z");
    }

    #[test]
    fn malformed_times_are_refused_naming_the_value() {
        for bad in [
            "yesterday",
            "2025-06-01",
            "2025-06-01T12:00:00",
            "2025-02-29T00:00:00Z",
            "2025-13-01T00:00:00Z",
            "2025-06-01T24:00:00Z",
            "2025-06-01T12:00:00.Z",
            "2025-06-01T12:00:00+0200",
            "2025-06-01T12:00:00+24:00",
            "+025-06-01T12:00:00Z",
        ] {
            let e = bad.parse::<Timestamp>().unwrap_err();
            assert_eq!(
                e.to_string(),
                format!("invalid time {bad:?}: expected an RFC 3339 time")
            );
        }
    }
}
