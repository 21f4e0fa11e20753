//! The little calendar arithmetic the core needs: RFC 3339 rendering of protobuf timestamps,
//! recognising the zero time, and IMF-fixdate (`Retry-After`) parsing.

use crate::prelude::*;

use super::text::push_padded;

/// Seconds of `0001-01-01T00:00:00Z` since the Unix epoch (Go's zero `time.Time`).
pub(crate) const ZERO_TIME_SECS: i64 = -62_135_596_800;
/// Seconds of `9999-12-31T23:59:59Z`, the last instant RFC 3339 can write.
const MAX_SECS: i64 = 253_402_300_799;

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let m = i64::from(month);
    let mp = if m > 2 { m - 3 } else { m + 9 };
    let doy = (153 * mp + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01: (year, month 1-12, day 1-31).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// RFC 3339 in UTC with 0, 3, 6 or 9 fractional digits, as protobuf's JSON mapping writes it.
/// `None` outside years 1 to 9999 or for `nanos` of a second or more.
pub(crate) fn rfc3339(secs: i64, nanos: u32) -> Option<String> {
    if !(ZERO_TIME_SECS..=MAX_SECS).contains(&secs) || nanos >= 1_000_000_000 {
        return None;
    }
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    let (y, mo, d) = civil_from_days(days);
    let (h, mi, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    let mut out = String::with_capacity(30);
    // Years 1 to 9999: every part is a small non-negative number.
    for (n, width, sep) in [(y, 4, "-"), (mo, 2, "-"), (d, 2, "T"), (h, 2, ":"), (mi, 2, ":"), (s, 2, "")] {
        push_padded(&mut out, n.unsigned_abs(), width);
        out.push_str(sep);
    }
    if nanos != 0 {
        out.push('.');
        if nanos % 1_000_000 == 0 {
            push_padded(&mut out, u64::from(nanos / 1_000_000), 3);
        } else if nanos % 1_000 == 0 {
            push_padded(&mut out, u64::from(nanos / 1_000), 6);
        } else {
            push_padded(&mut out, u64::from(nanos), 9);
        }
    }
    out.push('Z');
    Some(out)
}

/// Whether an RFC 3339 string is the zero time `0001-01-01T00:00:00Z` (any zero fraction, `Z` or
/// a zero offset) or empty.
pub(crate) fn is_zero_rfc3339(s: &str) -> bool {
    let s = s.trim();
    if s.is_empty() {
        return true;
    }
    let Some(rest) = s.strip_prefix("0001-01-01T00:00:00").or_else(|| s.strip_prefix("0001-01-01t00:00:00")) else {
        return false;
    };
    let rest = match rest.strip_prefix('.') {
        Some(frac) => frac.trim_start_matches('0'),
        None => rest,
    };
    matches!(rest, "Z" | "z" | "+00:00" | "-00:00")
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn two_digits(s: &str, max: u32) -> Option<u32> {
    if s.len() != 2 || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<u32>().ok().filter(|n| *n <= max)
}

/// Seconds since the epoch of an IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT` (RFC 9110). The
/// weekday is checked for form only; the obsolete RFC 850 and asctime forms are not accepted.
pub(crate) fn parse_imf_fixdate(s: &str) -> Option<i64> {
    let mut parts = s.split_ascii_whitespace();
    let weekday = parts.next()?.strip_suffix(',')?;
    if !WEEKDAYS.iter().any(|w| w.eq_ignore_ascii_case(weekday)) {
        return None;
    }
    let day = two_digits(parts.next()?, 31)?;
    let month_name = parts.next()?;
    let month = MONTHS.iter().position(|m| m.eq_ignore_ascii_case(month_name))?;
    let year_text = parts.next()?;
    if year_text.len() != 4 || !year_text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let year: i64 = year_text.parse().ok()?;
    let mut clock = parts.next()?.split(':');
    let h = two_digits(clock.next()?, 23)?;
    let mi = two_digits(clock.next()?, 59)?;
    let sec = two_digits(clock.next()?, 60)?;
    if clock.next().is_some() || !parts.next()?.eq_ignore_ascii_case("GMT") || parts.next().is_some() {
        return None;
    }
    if day == 0 {
        return None;
    }
    let month = u32::try_from(month).ok()? + 1;
    let days = days_from_civil(year, month, day);
    Some(days * 86_400 + i64::from(h) * 3600 + i64::from(mi) * 60 + i64::from(sec))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_rfc3339() {
        assert_eq!(rfc3339(0, 0).unwrap(), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_718_795_518, 823_707_848).unwrap(), "2024-06-19T11:11:58.823707848Z");
        assert_eq!(rfc3339(1_718_795_518, 823_000_000).unwrap(), "2024-06-19T11:11:58.823Z");
        assert_eq!(rfc3339(1_718_795_518, 823_707_000).unwrap(), "2024-06-19T11:11:58.823707Z");
        assert_eq!(rfc3339(951_782_400, 0).unwrap(), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(-1, 0).unwrap(), "1969-12-31T23:59:59Z");
        assert_eq!(rfc3339(ZERO_TIME_SECS, 0).unwrap(), "0001-01-01T00:00:00Z");
        assert_eq!(rfc3339(MAX_SECS, 999_999_999).unwrap(), "9999-12-31T23:59:59.999999999Z");
        assert_eq!(rfc3339(MAX_SECS + 1, 0), None);
        assert_eq!(rfc3339(ZERO_TIME_SECS - 1, 0), None);
        assert_eq!(rfc3339(0, 1_000_000_000), None);
        assert_eq!(rfc3339(i64::MIN, 0), None);
    }

    #[test]
    fn days_round_trip() {
        for days in (-800_000..3_000_000).step_by(997) {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m as u32, d as u32), days);
        }
    }

    #[test]
    fn zero_time() {
        for z in ["", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000Z", "0001-01-01T00:00:00+00:00", " 0001-01-01T00:00:00z "] {
            assert!(is_zero_rfc3339(z), "{z}");
        }
        for nz in ["0001-01-01T00:00:01Z", "2025-10-07T12:21:00Z", "0001-01-01T00:00:00.5Z", "0001-01-01T00:00:00+01:00"] {
            assert!(!is_zero_rfc3339(nz), "{nz}");
        }
    }

    #[test]
    fn imf_fixdate() {
        assert_eq!(parse_imf_fixdate("Wed, 21 Oct 2015 07:28:00 GMT"), Some(1_445_412_480));
        assert_eq!(parse_imf_fixdate("Sun, 06 Nov 1994 08:49:37 GMT"), Some(784_111_777));
        assert_eq!(parse_imf_fixdate("thu, 01 jan 1970 00:00:00 gmt"), Some(0));
        for bad in [
            "",
            "Wed, 21 Oct 2015 07:28:00",
            "Wed 21 Oct 2015 07:28:00 GMT",
            "Wed, 21 Foo 2015 07:28:00 GMT",
            "Wed, 32 Oct 2015 07:28:00 GMT",
            "Wed, 00 Oct 2015 07:28:00 GMT",
            "Wed, 21 Oct 15 07:28:00 GMT",
            "Wed, 21 Oct 2015 24:00:00 GMT",
            "Wed, 21 Oct 2015 07:28 GMT",
            "Wed, 21 Oct 2015 07:28:00 UTC",
            "Wed, 21 Oct 2015 07:28:00 GMT extra",
            "Wednesday, 21-Oct-15 07:28:00 GMT",
            "Wed Oct 21 07:28:00 2015",
            "Wed, +1 Oct 2015 07:28:00 GMT",
        ] {
            assert_eq!(parse_imf_fixdate(bad), None, "{bad}");
        }
    }
}
