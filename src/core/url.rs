//! Percent-encoding of path segments, query strings and form bodies, and the check of the
//! environment URL.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

use super::error::SdkError;

/// Every byte but the unreserved characters (`A-Z a-z 0-9 - . _ ~`) is escaped in a path
/// segment, so that a value is always exactly one segment.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// `s` as one percent-encoded path segment.
pub(crate) fn segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// `path`, then `?` and the form-encoded pairs when there are any; pairs with an empty value are
/// left out.
pub(crate) fn with_query<'a>(path: String, pairs: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut query = form_urlencoded::Serializer::new(String::new());
    let mut any = false;
    for (key, value) in pairs.into_iter().filter(|(_, v)| !v.is_empty()) {
        query.append_pair(key, value);
        any = true;
    }
    if any {
        format!("{path}?{}", query.finish())
    } else {
        path
    }
}

/// Longest environment URL accepted.
const MAX_ENV_URL: usize = 2048;

/// Checks and normalizes the environment URL: `https://host[:port]` with an optional trailing
/// slash, or `http://` for a loopback host (`localhost`, `127.x.y.z`, `[::1]`). No path, query,
/// fragment or user info. Returns it lower-cased and without the trailing slash.
pub(crate) fn normalize_env_url(raw: &str) -> Result<String, SdkError> {
    let fail = |why: &str| SdkError::validation("envUrl", format!("envUrl {why}; expected https://<your-env>.scalekit.com (http:// only for localhost)"));
    if raw.is_empty() {
        return Err(fail("is empty"));
    }
    if raw.len() > MAX_ENV_URL {
        return Err(fail("is too long"));
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(fail("contains spaces or control characters"));
    }
    let Some((scheme, rest)) = raw.split_once("://") else {
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
        (format!("[{addr}]"), port)
    } else {
        let (host, port) = match authority.split_once(':') {
            Some((h, p)) => (h, Some(p)),
            None => (authority.as_str(), None),
        };
        let valid = !host.is_empty()
            && host.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
            && !host.starts_with(['.', '-'])
            && !host.contains("..");
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
                Some(n) => format!(":{n}"),
                None => return Err(fail("has an invalid port")),
            }
        }
    };

    if scheme == "http" && !is_loopback(&host) {
        return Err(fail("must use https (http is allowed only for localhost)"));
    }
    Ok(format!("{scheme}://{host}{port_suffix}"))
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
    fn segments_escape_everything_but_unreserved() {
        assert_eq!(segment("aZ09-._~"), "aZ09-._~");
        assert_eq!(segment("../configs"), "..%2Fconfigs");
        assert_eq!(segment("a/b?c"), "a%2Fb%3Fc");
        assert_eq!(segment("a b+c&d=e#f%"), "a%20b%2Bc%26d%3De%23f%25");
        assert_eq!(segment("é☃"), "%C3%A9%E2%98%83");
        assert_eq!(segment(""), "");
    }

    #[test]
    fn queries_leave_out_empty_values() {
        let q = with_query("/x".into(), [("filter.name", "a b&c"), ("search", ""), ("page_size", "10")]);
        assert_eq!(q, "/x?filter.name=a+b%26c&page_size=10");
        assert_eq!(with_query("/x".into(), [("search", "")]), "/x");
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
