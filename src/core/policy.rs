//! Client policy: when the access token is fresh, whether and when an attempt is repeated
//! (backoff with full jitter, `Retry-After`), how a failed `fetch` is classified, and the
//! `waitForAuth` poll intervals. Time is always passed in (`now_ms`, milliseconds since the
//! epoch) and randomness too (`random01`), so all of it is testable without JavaScript.

use std::rc::Rc;
use std::time::UNIX_EPOCH;

use serde::Serialize;

use super::auth::TokenGrant;

/// Lifetime assumed when the token endpoint gives none (or zero, negative, not a number): the
/// token is fetched again after at most this long, and a 401 refreshes it sooner.
pub const DEFAULT_TOKEN_LIFETIME_SECS: f64 = 300.0;
/// Longest lifetime believed. Scalekit has sent `expires_in: 18446744064486179580`.
pub const MAX_TOKEN_LIFETIME_SECS: f64 = 86_400.0;
/// Largest margin kept before a token's expiry.
pub const MAX_TOKEN_SKEW_SECS: f64 = 60.0;

/// An access token as a call sends it: its `Authorization` value, and its number, which tells
/// it from a newer one (after a 401 with it, only this one is forgotten).
#[derive(Clone, PartialEq)]
pub struct Bearer {
    pub authorization: Rc<str>,
    pub generation: u64,
}

/// Never shows the token.
impl std::fmt::Debug for Bearer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Bearer").field("generation", &self.generation).finish_non_exhaustive()
    }
}

impl Bearer {
    /// The token itself.
    pub fn token(&self) -> &str {
        self.authorization.strip_prefix(BEARER).unwrap_or_default()
    }
}

const BEARER: &str = "Bearer ";

/// The cached access token and when to fetch a new one.
///
/// A token is used until `refresh_at = stored_at + lifetime - skew`, where `lifetime` is
/// `expires_in` clamped to at most 24 h (5 minutes when missing or not positive), and `skew` is
/// a tenth of the lifetime but at most 60 s. So a one-hour token is refreshed after 59 minutes,
/// a 5-minute token after 4.5 minutes. Each stored token gets the next number.
#[derive(Clone, Default)]
pub struct TokenCache {
    entry: Option<(Bearer, f64)>,
    generation: u64,
}

/// Never shows the token.
impl std::fmt::Debug for TokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenCache").field("refresh_at_ms", &self.entry.as_ref().map(|(_, at)| *at)).finish()
    }
}

impl TokenCache {
    pub fn new() -> Self {
        TokenCache::default()
    }

    /// The token to send, if there is one and `now_ms` is before its refresh time.
    pub fn bearer(&self, now_ms: f64) -> Option<&Bearer> {
        match &self.entry {
            Some((bearer, refresh_at)) if now_ms < *refresh_at => Some(bearer),
            _ => None,
        }
    }

    /// The token, if there is one and `now_ms` is before its refresh time.
    pub fn get(&self, now_ms: f64) -> Option<&str> {
        self.bearer(now_ms).map(Bearer::token)
    }

    /// The token held, fresh or not (to keep it out of error messages).
    pub fn token(&self) -> Option<&str> {
        self.entry.as_ref().map(|(b, _)| b.token())
    }

    /// Keeps the token of `grant`, obtained at `now_ms`, under the next number.
    pub fn store(&mut self, grant: &TokenGrant, now_ms: f64) -> Bearer {
        let lifetime = token_lifetime_secs(grant.expires_in_secs);
        let skew = (lifetime / 10.0).min(MAX_TOKEN_SKEW_SECS);
        let refresh_at = now_ms + (lifetime - skew) * 1000.0;
        self.generation += 1;
        let bearer = Bearer { authorization: Rc::from(format!("{BEARER}{}", grant.access_token)), generation: self.generation };
        self.entry = Some((bearer.clone(), refresh_at));
        bearer
    }

    /// Forgets the token numbered `generation` (after a 401 with it, or when it could not be
    /// sent), without dropping a newer one that a concurrent call fetched meanwhile.
    pub fn forget(&mut self, generation: u64) {
        if self.entry.as_ref().is_some_and(|(b, _)| b.generation == generation) {
            self.entry = None;
        }
    }
}

/// The lifetime believed for an `expires_in`, in seconds.
pub fn token_lifetime_secs(expires_in: Option<f64>) -> f64 {
    match expires_in {
        Some(s) if s.is_finite() && s > 0.0 => s.min(MAX_TOKEN_LIFETIME_SECS),
        _ => DEFAULT_TOKEN_LIFETIME_SECS,
    }
}

/// How an attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Nothing reached the server (connection refused, DNS failure).
    NotSent,
    /// The request may have reached the server (connection reset mid-request, no answer).
    MaybeSent,
    /// The server answered with this status.
    Status(u16),
}

/// Whether a `fetch` that rejected with the system error `code` (`err.cause.code` in Node,
/// `err.code` in Bun) surely sent nothing. Anything unknown may have gone out.
pub fn classify_failure(code: Option<&str>) -> Outcome {
    match code {
        Some("ECONNREFUSED" | "ENOTFOUND" | "EAI_AGAIN" | "ConnectionRefused") => Outcome::NotSent,
        _ => Outcome::MaybeSent,
    }
}

/// Whether `outcome` is a failure worth trying again (while retries are left).
///
/// `NotSent` and 429 (the server did not act) always are; 408, 500, 502, 503, 504 and
/// `MaybeSent` only for requests that are safe to repeat once sent (`retry_safe`). A 401 is not
/// a retry: the call refreshes the token once on its own.
pub fn retryable(retry_safe: bool, outcome: &Outcome) -> bool {
    match outcome {
        Outcome::NotSent | Outcome::Status(429) => true,
        Outcome::MaybeSent | Outcome::Status(408 | 500 | 502 | 503 | 504) => retry_safe,
        Outcome::Status(_) => false,
    }
}

pub const BACKOFF_BASE_MS: f64 = 500.0;
pub const BACKOFF_CAP_MS: f64 = 8000.0;
/// Longest `Retry-After` waited for; a longer one surfaces as a `RateLimit` error.
pub const RETRY_AFTER_CAP_MS: u64 = 60_000;

/// Full-jitter backoff: `random01 * min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2^retries_done)`.
/// `random01` is clamped into `[0, 1)`; NaN counts as 0.
pub fn backoff_ms(retries_done: u32, random01: f64) -> f64 {
    let r = if random01.is_nan() { 0.0 } else { random01.clamp(0.0, 1.0 - f64::EPSILON) };
    let ceiling = (BACKOFF_BASE_MS * f64::from(1u32 << retries_done.min(30))).min(BACKOFF_CAP_MS);
    r * ceiling
}

/// A `Retry-After` value in milliseconds from `now_ms`: delta-seconds (`"120"`, also `"1.5"`)
/// or an HTTP date (`"Wed, 21 Oct 2015 07:28:00 GMT"`; a past date gives 0). Anything else,
/// including negative numbers, gives `None`.
pub fn parse_retry_after(value: &str, now_ms: f64) -> Option<u64> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    if v.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return delta_seconds_ms(v);
    }
    let at = httpdate::parse_http_date(v).ok()?;
    let at_ms = at.duration_since(UNIX_EPOCH).ok()?.as_millis() as f64;
    now_ms.is_finite().then(|| to_ms(at_ms - now_ms))
}

/// `"120"` or `"1.5"` seconds in whole milliseconds (saturating, fraction beyond 1 ms dropped).
fn delta_seconds_ms(v: &str) -> Option<u64> {
    let (whole, frac) = v.split_once('.').unwrap_or((v, ""));
    if whole.is_empty() || frac.contains('.') || (v.contains('.') && frac.is_empty()) {
        return None;
    }
    let secs = whole.bytes().fold(0u64, |n, b| n.saturating_mul(10).saturating_add(u64::from(b - b'0')));
    let millis = format!("{frac:0<3}");
    let ms: u64 = millis.get(..3).and_then(|m| m.parse().ok()).unwrap_or(0);
    Some(secs.saturating_mul(1000).saturating_add(ms).min(MAX_WAIT_MS))
}

/// Milliseconds as `u64`: rounded, negative to 0, saturating at [`MAX_WAIT_MS`].
fn to_ms(ms: f64) -> u64 {
    if ms.is_nan() || ms <= 0.0 {
        0
    } else {
        (ms.round() as u64).min(MAX_WAIT_MS)
    }
}

/// The largest wait kept: 2^53 - 1 ms, the largest integer a JavaScript number holds exactly.
pub const MAX_WAIT_MS: u64 = (1 << 53) - 1;

/// The wait before the next retry: `Retry-After` when the server sent one (`None` when it asks
/// for more than [`RETRY_AFTER_CAP_MS`]: do not retry, surface the `RateLimit` error with
/// `retryAfterMs`), else [`backoff_ms`].
pub fn retry_delay_ms(retries_done: u32, random01: f64, retry_after_ms: Option<u64>) -> Option<f64> {
    match retry_after_ms {
        Some(ms) if ms > RETRY_AFTER_CAP_MS => None,
        Some(ms) => Some(ms as f64),
        None => Some(backoff_ms(retries_done, random01)),
    }
}

/// Why a call ends with the error of an attempt that could have been retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum GiveUp {
    /// Never retried: a status such as 400 or 404.
    NotRetryable,
    /// Retried for reads, not for this request: it may have reached the server, and repeating
    /// it could act twice (a create, a delete).
    NotSafeToRepeat,
    /// `maxRetries` retries were made.
    RetriesSpent,
    /// The server's `Retry-After` asks for more than [`RETRY_AFTER_CAP_MS`].
    RetryAfterTooLong,
    /// The wait before a retry would not end before the call's deadline.
    NoTimeLeft,
}

/// What a call does after an attempt that did not succeed.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Decision {
    /// Fail with the attempt's error, for this reason.
    Fail(GiveUp),
    /// Fetch a new access token and try once more at once (after a first 401).
    Reauthenticate,
    /// Try again after this many milliseconds.
    Retry(f64),
}

/// The retry state of one call (or of one token request).
#[derive(Clone, Debug)]
pub struct Retries {
    /// Whether the request is safe to repeat once it may have reached the server.
    pub retry_safe: bool,
    pub max_retries: u32,
    /// Whether a 401 may be answered with a new token (not for the token request itself).
    pub can_reauthenticate: bool,
    pub done: u32,
    pub reauthenticated: bool,
}

impl Retries {
    pub fn new(retry_safe: bool, max_retries: u32, can_reauthenticate: bool) -> Retries {
        Retries { retry_safe, max_retries, can_reauthenticate, done: 0, reauthenticated: false }
    }

    /// The decision after `outcome`, with the server's `Retry-After` (if any), a random number
    /// in `[0, 1)` for the jitter, and `remaining_ms` left before the call's deadline: a retry
    /// whose wait would not end before the deadline is not made.
    pub fn after(&mut self, outcome: Outcome, retry_after_ms: Option<u64>, random01: f64, remaining_ms: f64) -> Decision {
        if outcome == Outcome::Status(401) && self.can_reauthenticate && !self.reauthenticated {
            self.reauthenticated = true;
            return Decision::Reauthenticate;
        }
        if !retryable(self.retry_safe, &outcome) {
            let why = if retryable(true, &outcome) { GiveUp::NotSafeToRepeat } else { GiveUp::NotRetryable };
            return Decision::Fail(why);
        }
        if self.done >= self.max_retries {
            return Decision::Fail(GiveUp::RetriesSpent);
        }
        match retry_delay_ms(self.done, random01, retry_after_ms) {
            None => Decision::Fail(GiveUp::RetryAfterTooLong),
            Some(delay) if delay >= remaining_ms => Decision::Fail(GiveUp::NoTimeLeft),
            Some(delay) => {
                self.done += 1;
                Decision::Retry(delay)
            }
        }
    }
}

pub const AUTH_POLL_MIN_MS: f64 = 500.0;
pub const AUTH_POLL_DEFAULT_MS: f64 = 2000.0;
pub const AUTH_POLL_CAP_MS: f64 = 15_000.0;
/// Default bound of a whole `waitForAuth`, in milliseconds (5 minutes).
pub const DEFAULT_WAIT_TIMEOUT_MS: f64 = 300_000.0;

/// The wait before the next `waitForAuth` poll after `polls_done` polls: starts at
/// `max(AUTH_POLL_MIN_MS, poll_interval_ms or AUTH_POLL_DEFAULT_MS)` and grows 1.5 times per
/// poll up to `AUTH_POLL_CAP_MS`. A first interval above the cap is kept as it is.
pub fn auth_poll_delay_ms(poll_interval_ms: Option<f64>, polls_done: u32) -> f64 {
    let first = match poll_interval_ms {
        Some(ms) if ms.is_finite() && ms > 0.0 => ms.max(AUTH_POLL_MIN_MS),
        _ => AUTH_POLL_DEFAULT_MS,
    };
    let cap = AUTH_POLL_CAP_MS.max(first);
    let mut delay = first;
    for _ in 0..polls_done {
        if delay >= cap {
            break;
        }
        delay *= 1.5;
    }
    delay.min(cap)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(token: &str, expires_in: Option<f64>) -> TokenGrant {
        TokenGrant { access_token: token.into(), expires_in_secs: expires_in }
    }

    #[test]
    fn token_cache_timing() {
        let mut c = TokenCache::new();
        assert_eq!(c.get(0.0), None);
        let t0 = 1_700_000_000_000.0;
        // One hour: refreshed 60 s early.
        c.store(&grant("a", Some(3600.0)), t0);
        assert_eq!(c.get(t0), Some("a"));
        assert_eq!(c.get(t0 + 3_539_999.0).map(str::to_owned).as_deref(), Some("a"));
        assert_eq!(c.get(t0 + 3_540_000.0), None);
        // 100 s: a tenth as margin.
        c.store(&grant("b", Some(100.0)), t0);
        assert_eq!(c.get(t0 + 89_999.0).map(str::to_owned).as_deref(), Some("b"));
        assert_eq!(c.get(t0 + 90_000.0), None);
        // Missing, zero, negative, NaN: 5 minutes less 30 s.
        for e in [None, Some(0.0), Some(-5.0), Some(f64::NAN), Some(f64::INFINITY)] {
            c.store(&grant("c", e), t0);
            assert_eq!(c.get(t0 + 269_999.0).map(str::to_owned).as_deref(), Some("c"), "{e:?}");
            assert_eq!(c.get(t0 + 270_000.0), None, "{e:?}");
        }
        // Huge: 24 h less 60 s.
        c.store(&grant("d", Some(18_446_744_064_486_179_580.0)), t0);
        assert_eq!(c.get(t0 + 86_339_999.0).map(str::to_owned).as_deref(), Some("d"));
        assert_eq!(c.get(t0 + 86_340_000.0), None);
        // Fractional lifetimes work too.
        c.store(&grant("e", Some(1.5)), t0);
        assert_eq!(c.get(t0 + 1349.0).map(str::to_owned).as_deref(), Some("e"));
        assert_eq!(c.get(t0 + 1350.0), None);
        assert_eq!(c.get(f64::NAN), None);
    }

    #[test]
    fn token_cache_forget() {
        let mut c = TokenCache::new();
        let first = c.store(&grant("a", Some(3600.0)), 0.0);
        let second = c.store(&grant("a", Some(3600.0)), 0.0);
        c.forget(first.generation);
        assert_eq!(c.get(1.0).map(str::to_owned).as_deref(), Some("a"));
        c.forget(second.generation);
        assert_eq!(c.get(1.0), None);
        let bearer = c.store(&grant("secret-token", Some(3600.0)), 0.0);
        assert!(!format!("{c:?}").contains("secret-token"));
        assert!(!format!("{bearer:?}").contains("secret-token"));
    }

    #[test]
    fn retry_table() {
        use Outcome::*;
        let (safe, unsafe_op) = (true, false);
        for (op, outcome, want) in [
            (safe, NotSent, true),
            (safe, MaybeSent, true),
            (safe, Status(408), true),
            (safe, Status(429), true),
            (safe, Status(500), true),
            (safe, Status(502), true),
            (safe, Status(503), true),
            (safe, Status(504), true),
            (safe, Status(400), false),
            (safe, Status(401), false),
            (safe, Status(403), false),
            (safe, Status(404), false),
            (safe, Status(409), false),
            (safe, Status(501), false),
            (safe, Status(200), false),
            (unsafe_op, NotSent, true),
            (unsafe_op, Status(429), true),
            (unsafe_op, MaybeSent, false),
            (unsafe_op, Status(500), false),
            (unsafe_op, Status(503), false),
            (unsafe_op, Status(408), false),
            (unsafe_op, MaybeSent, false),
            (unsafe_op, Status(502), false),
            (unsafe_op, NotSent, true),
            (safe, MaybeSent, true),
            (safe, Status(503), true),
        ] {
            assert_eq!(retryable(op, &outcome), want, "{op:?} {outcome:?}");
            // However retryable, a failure with no retry left ends the call.
            let mut spent = Retries::new(op, 0, false);
            let why = match (want, retryable(true, &outcome)) {
                (true, _) => GiveUp::RetriesSpent,
                (false, true) => GiveUp::NotSafeToRepeat,
                (false, false) => GiveUp::NotRetryable,
            };
            let expected = Decision::Fail(why);
            assert_eq!(spent.after(outcome, None, 0.5, 10_000.0), expected, "{op:?} {outcome:?}");
        }
    }

    #[test]
    fn backoff_bounds() {
        assert_eq!(backoff_ms(0, 0.0), 0.0);
        assert!((backoff_ms(0, 0.5) - 250.0).abs() < 1e-9);
        assert!((backoff_ms(1, 0.5) - 500.0).abs() < 1e-9);
        assert!((backoff_ms(3, 0.5) - 2000.0).abs() < 1e-9);
        assert!((backoff_ms(4, 0.5) - 4000.0).abs() < 1e-9);
        assert!((backoff_ms(5, 0.5) - 4000.0).abs() < 1e-9);
        assert!((backoff_ms(u32::MAX, 0.5) - 4000.0).abs() < 1e-9);
        for n in 0..40 {
            for r in [-1.0, 0.0, 0.3, 0.999, 1.0, 7.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
                let d = backoff_ms(n, r);
                let ceiling = (BACKOFF_BASE_MS * 2f64.powi(n.min(30) as i32)).min(BACKOFF_CAP_MS);
                assert!(d >= 0.0 && d < ceiling && d < BACKOFF_CAP_MS, "{n} {r} {d}");
            }
        }
        assert_eq!(backoff_ms(2, -3.0), 0.0);
        assert_eq!(backoff_ms(2, f64::NAN), 0.0);
    }

    #[test]
    fn retry_after_values() {
        let now = 1_445_412_480_000.0; // Wed, 21 Oct 2015 07:28:00 GMT
        assert_eq!(parse_retry_after("120", now), Some(120_000));
        assert_eq!(parse_retry_after(" 0 ", now), Some(0));
        assert_eq!(parse_retry_after("1.5", now), Some(1500));
        assert_eq!(parse_retry_after("0.0004", now), Some(0));
        assert_eq!(parse_retry_after("2.25", now), Some(2250));
        assert_eq!(parse_retry_after("007", now), Some(7000));
        assert_eq!(parse_retry_after("99999999999999999999999", now), Some(MAX_WAIT_MS));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now), Some(30_000));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now), Some(0));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:27:00 GMT", now), Some(0));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now + 500.0), Some(29_500));
        assert_eq!(parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", f64::NAN), None);
        for bad in ["", " ", "-1", "1.2.3", ".", "1.", ".5", "soon", "1e3", "+5", "Wed, 21 Oct 2015", "NaN", "inf"] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad}");
        }
    }

    #[test]
    fn retry_delays() {
        assert_eq!(retry_delay_ms(0, 0.5, Some(3000)), Some(3000.0));
        assert_eq!(retry_delay_ms(0, 0.5, Some(0)), Some(0.0));
        assert_eq!(retry_delay_ms(0, 0.5, Some(RETRY_AFTER_CAP_MS)), Some(60_000.0));
        assert_eq!(retry_delay_ms(0, 0.5, Some(RETRY_AFTER_CAP_MS + 1)), None);
        assert_eq!(retry_delay_ms(1, 0.5, None), Some(500.0));
    }

    #[test]
    fn auth_poll_delays() {
        assert_eq!(auth_poll_delay_ms(None, 0), 2000.0);
        assert_eq!(auth_poll_delay_ms(None, 1), 3000.0);
        assert_eq!(auth_poll_delay_ms(None, 2), 4500.0);
        assert_eq!(auth_poll_delay_ms(None, 5), 15_000.0);
        assert_eq!(auth_poll_delay_ms(None, u32::MAX), 15_000.0);
        assert_eq!(auth_poll_delay_ms(Some(100.0), 0), 500.0);
        assert_eq!(auth_poll_delay_ms(Some(100.0), 1), 750.0);
        assert_eq!(auth_poll_delay_ms(Some(1000.0), 0), 1000.0);
        for bad in [0.0, -5.0, f64::NAN, f64::INFINITY] {
            assert_eq!(auth_poll_delay_ms(Some(bad), 0), 2000.0, "{bad}");
        }
        assert_eq!(auth_poll_delay_ms(Some(20_000.0), 0), 20_000.0);
        assert_eq!(auth_poll_delay_ms(Some(20_000.0), 3), 20_000.0);
        let mut last = 0.0;
        for n in 0..100 {
            let d = auth_poll_delay_ms(None, n);
            assert!(d >= last && d <= AUTH_POLL_CAP_MS);
            last = d;
        }
    }

    #[test]
    fn failures_that_surely_sent_nothing() {
        for code in ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "ConnectionRefused"] {
            assert_eq!(classify_failure(Some(code)), Outcome::NotSent);
        }
        for code in [None, Some("ECONNRESET"), Some("UND_ERR_SOCKET"), Some("ETIMEDOUT"), Some("")] {
            assert_eq!(classify_failure(code), Outcome::MaybeSent);
        }
    }

    #[test]
    fn decisions_of_a_call() {
        // A 401 renews the token once; the second is a failure.
        let mut r = Retries::new(true, 2, true);
        assert_eq!(r.after(Outcome::Status(401), None, 0.5, 10_000.0), Decision::Reauthenticate);
        assert_eq!(r.after(Outcome::Status(401), None, 0.5, 10_000.0), Decision::Fail(GiveUp::NotRetryable));
        // The token request itself is never re-authenticated.
        let mut r = Retries::new(true, 2, false);
        assert_eq!(r.after(Outcome::Status(401), None, 0.5, 10_000.0), Decision::Fail(GiveUp::NotRetryable));
        // Retries count down, with backoff, and stop at the limit.
        let mut r = Retries::new(true, 2, true);
        assert_eq!(r.after(Outcome::Status(503), None, 0.5, 10_000.0), Decision::Retry(250.0));
        assert_eq!(r.after(Outcome::MaybeSent, None, 0.5, 10_000.0), Decision::Retry(500.0));
        assert_eq!(r.after(Outcome::NotSent, None, 0.5, 10_000.0), Decision::Fail(GiveUp::RetriesSpent));
        // Retry-After replaces the backoff, unless it is over the cap or past the deadline.
        let mut r = Retries::new(false, 5, true);
        assert_eq!(r.after(Outcome::Status(429), Some(1500), 0.5, 10_000.0), Decision::Retry(1500.0));
        assert_eq!(r.after(Outcome::Status(429), Some(61_000), 0.5, 100_000.0), Decision::Fail(GiveUp::RetryAfterTooLong));
        assert_eq!(r.after(Outcome::Status(429), Some(2000), 0.5, 1999.0), Decision::Fail(GiveUp::NoTimeLeft));
        assert_eq!(r.after(Outcome::Status(500), None, 0.5, 10_000.0), Decision::Fail(GiveUp::NotSafeToRepeat));
        assert_eq!(r.after(Outcome::MaybeSent, None, 0.5, 10_000.0), Decision::Fail(GiveUp::NotSafeToRepeat));
        assert_eq!(r.after(Outcome::Status(404), None, 0.5, 10_000.0), Decision::Fail(GiveUp::NotRetryable));
        assert_eq!(r.done, 1);
    }
}
