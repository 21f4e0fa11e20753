//! Percent-encoding of path segments, query strings and form bodies, and the check of the
//! environment URL.

use crate::prelude::*;

use super::error::SdkError;
use super::text::{self, cat, push_u64};

fn is_unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

fn hex_digit(n: u8) -> char {
    char::from_digit(u32::from(n & 0x0f), 16).unwrap_or('0').to_ascii_uppercase()
}

/// Appends `s` with every byte but the unreserved characters (`A-Z a-z 0-9 - . _ ~`) written
/// as `%XX`, so that a value is always one path segment or one query value.
pub(crate) fn push_encoded(out: &mut String, s: &str) {
    let bytes = s.as_bytes();
    let (mut run, mut i) = (0, 0);
    while let Some(&b) = bytes.get(i) {
        i += 1;
        if is_unreserved(b) {
            continue;
        }
        // Runs of unreserved characters are copied at once.
        out.push_str(s.get(run..i - 1).unwrap_or_default());
        out.push('%');
        out.push(hex_digit(b >> 4));
        out.push(hex_digit(b));
        run = i;
    }
    out.push_str(s.get(run..).unwrap_or_default());
}

#[cfg(test)]
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    push_encoded(&mut out, s);
    out
}

/// A query string (or form body) being built: `key=value` pairs joined by `&`.
#[derive(Default)]
pub(crate) struct Query {
    text: String,
}

impl Query {
    pub(crate) fn push(&mut self, key: &str, value: &str) {
        if !self.text.is_empty() {
            self.text.push('&');
        }
        push_encoded(&mut self.text, key);
        self.text.push('=');
        push_encoded(&mut self.text, value);
    }

    /// Adds the pair when `value` is present and not empty.
    pub(crate) fn push_opt(&mut self, key: &str, value: Option<&str>) {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            self.push(key, v);
        }
    }

    /// The pairs, for a form body.
    pub(crate) fn into_string(self) -> String {
        self.text
    }

    /// `path`, followed by `?` and the pairs when there are any.
    pub(crate) fn append_to(self, mut path: String) -> String {
        if !self.text.is_empty() {
            path.push('?');
            path.push_str(&self.text);
        }
        path
    }
}

/// Longest environment URL accepted.
const MAX_ENV_URL: usize = 2048;

/// Checks and normalizes the environment URL: `https://host[:port]` with an optional trailing
/// slash, or `http://` for a loopback host (`localhost`, `127.x.y.z`, `[::1]`). No path, query,
/// fragment or user info. Returns it lower-cased and without the trailing slash.
pub(crate) fn normalize_env_url(raw: &str) -> Result<String, SdkError> {
    let fail = |why: &str| {
        SdkError::validation(
            "envUrl",
            cat(&["envUrl ", why, "; expected https://<your-env>.scalekit.com (http:// only for localhost)"]),
        )
    };
    if raw.is_empty() {
        return Err(fail("is empty"));
    }
    if raw.len() > MAX_ENV_URL {
        return Err(fail("is too long"));
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(fail("contains spaces or control characters"));
    }
    let Some((scheme, rest)) = text::split_once(raw, "://") else {
        return Err(fail("has no scheme"));
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(fail("must use https"));
    }
    let authority = rest.strip_suffix('/').unwrap_or(rest);
    if authority.contains(['/', '?', '#', '@', '\\']) {
        return Err(fail("must not have a path, query, fragment or user info"));
    }
    let authority = authority.to_ascii_lowercase();

    let (host, port) = if let Some(inner) = authority.strip_prefix('[') {
        let Some((addr, after)) = inner.split_once(']') else {
            return Err(fail("has an unclosed IPv6 address"));
        };
        if addr.is_empty() || !addr.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') {
            return Err(fail("has an invalid IPv6 address"));
        }
        let port = match after {
            "" => None,
            p => Some(p.strip_prefix(':').ok_or_else(|| fail("has text after the IPv6 address"))?),
        };
        (cat(&["[", addr, "]"]), port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority.as_str(), None),
        };
        let valid = !host.is_empty()
            && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            && !host.starts_with(['.', '-'])
            && !text::contains(host, "..");
        if !valid {
            return Err(fail("has an invalid host"));
        }
        (host.to_owned(), port)
    };

    let port_suffix = match port {
        None => String::new(),
        Some(p) => {
            let n = if !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse::<u32>().ok().filter(|n| (1..=65_535).contains(n))
            } else {
                None
            };
            match n {
                Some(n) => {
                    let mut s = String::from(":");
                    push_u64(&mut s, u64::from(n));
                    s
                }
                None => return Err(fail("has an invalid port")),
            }
        }
    };

    if scheme == "http" && !is_loopback(&host) {
        return Err(fail("must use https (http is allowed only for localhost)"));
    }
    Ok(cat(&[&scheme, "://", &host, &port_suffix]))
}

/// `localhost`, `127.x.y.z` or `[::1]`.
fn is_loopback(host: &str) -> bool {
    if host == "localhost" || host == "[::1]" {
        return true;
    }
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets.first() == Some(&"127")
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.len() <= 3 && o.bytes().all(|b| b.is_ascii_digit()) && o.parse::<u16>().is_ok_and(|n| n <= 255))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_everything_but_unreserved() {
        assert_eq!(encode("aZ09-._~"), "aZ09-._~");
        assert_eq!(encode("../configs"), "..%2Fconfigs");
        assert_eq!(encode("a/b?c"), "a%2Fb%3Fc");
        assert_eq!(encode("a b+c&d=e#f%"), "a%20b%2Bc%26d%3De%23f%25");
        assert_eq!(encode("é☃"), "%C3%A9%E2%98%83");
        assert_eq!(encode(""), "");
    }

    #[test]
    fn query_builder() {
        let mut q = Query::default();
        q.push_opt("filter.name", Some("a b"));
        q.push_opt("search", Some(""));
        q.push_opt("page_token", None);
        q.push("page_size", "10");
        assert_eq!(q.append_to("/x".into()), "/x?filter.name=a%20b&page_size=10");
        assert_eq!(Query::default().append_to("/x".into()), "/x");
    }

    #[test]
    fn env_urls_accepted() {
        for (raw, want) in [
            ("https://acme.scalekit.com", "https://acme.scalekit.com"),
            ("https://acme.scalekit.com/", "https://acme.scalekit.com"),
            ("HTTPS://Acme.Scalekit.Dev:8443/", "https://acme.scalekit.dev:8443"),
            ("http://localhost:8080", "http://localhost:8080"),
            ("http://LOCALHOST", "http://localhost"),
            ("http://127.0.0.1:3000/", "http://127.0.0.1:3000"),
            ("http://127.1.2.3", "http://127.1.2.3"),
            ("http://[::1]:9000", "http://[::1]:9000"),
            ("https://[2001:db8::1]", "https://[2001:db8::1]"),
            ("https://10.0.0.1:443", "https://10.0.0.1:443"),
        ] {
            assert_eq!(normalize_env_url(raw).unwrap(), want, "{raw}");
        }
    }

    #[test]
    fn env_urls_rejected() {
        for raw in [
            "",
            "acme.scalekit.com",
            "ftp://acme.scalekit.com",
            "http://acme.scalekit.com",
            "http://127.0.0.1.evil.com",
            "http://128.0.0.1",
            "http://127.0.0.256",
            "http://localhost.evil.com",
            "http://[::2]",
            "https://acme.scalekit.com/api",
            "https://acme.scalekit.com//",
            "https://acme.scalekit.com?x=1",
            "https://acme.scalekit.com#f",
            "https://user:pw@acme.scalekit.com",
            "https://",
            "https://:443",
            "https://acme.scalekit.com:0",
            "https://acme.scalekit.com:65536",
            "https://acme.scalekit.com:",
            "https://acme.scalekit.com:abc",
            "https://acme .scalekit.com",
            "https://acme.scalekit.com\n",
            "https://-acme.com",
            "https://a..b",
            "https://[::1",
            "https://[zz]",
            "https://[::1]x",
            "https://ac_me.com",
        ] {
            let e = normalize_env_url(raw).unwrap_err();
            assert_eq!(e.field.as_deref(), Some("envUrl"), "{raw}");
        }
    }
}
