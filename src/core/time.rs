//! The little calendar arithmetic the answers need: RFC 3339 rendering of protobuf timestamps
//! (`{seconds, nanos}`, as protobuf's JSON mapping writes them) and recognising the zero time.

/// Seconds of `0001-01-01T00:00:00Z` since the Unix epoch (Go's zero `time.Time`).
pub(crate) const ZERO_TIME_SECS: i64 = -62_135_596_800;
/// Seconds of `9999-12-31T23:59:59Z`, the last instant RFC 3339 can write.
const MAX_SECS: i64 = 253_402_300_799;

/// Days since 1970-01-01 of a proleptic Gregorian date (the inverse of [`civil_from_days`]).
#[cfg(test)]
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
    let fraction = match nanos {
        0 => String::new(),
        n if n % 1_000_000 == 0 => format!(".{:03}", n / 1_000_000),
        n if n % 1_000 == 0 => format!(".{:06}", n / 1_000),
        n => format!(".{n:09}"),
    };
    Some(format!("{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{fraction}Z"))
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
}
