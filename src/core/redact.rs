//! Keeping credentials out of what the client says.
//!
//! The client's own messages never contain a secret: none is ever formatted into one. Text that
//! comes from elsewhere (an error body, a `fetch` rejection's message) may echo one back, so it
//! passes through a [`Redactor`] before it is kept, and before it is cut to length, so that no
//! prefix of a secret survives. It hides:
//!
//! * the secrets it was given (the client secret, the access token), as sent and in every
//!   encoding the client itself sends them: raw, JSON-escaped and form/percent-encoded, in any
//!   letter case. Secrets shorter than [`MIN_SECRET_CHARS`] are not searched for: replacing every
//!   `a` of a message would mangle it, and such a secret is refused at construction anyway;
//! * anything shaped like a JWT (session tokens, access tokens of other clients) and the token of
//!   a `Bearer ...` credential;
//! * the path and query of URLs that point at an MCP endpoint (`/mcp` in the path: instance URLs
//!   are pre-authenticated) or carry a query string; the origin stays, so a reader still sees
//!   which server was meant.

/// Shortest secret searched for in free text.
pub const MIN_SECRET_CHARS: usize = 8;

/// What a hidden part of a text is replaced with.
pub const REDACTED: &str = "[redacted]";

/// The secrets of one client, in the forms they may come back in.
#[derive(Clone, Default)]
pub struct Redactor {
    /// Lower-cased needles, longest first.
    needles: Vec<String>,
}

/// Never shows a secret.
impl std::fmt::Debug for Redactor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Redactor").field("needles", &self.needles.len()).finish()
    }
}

impl Redactor {
    /// A redactor for `secrets`; empty and short ones are skipped.
    pub fn new(secrets: &[&str]) -> Redactor {
        let mut needles = Vec::new();
        for secret in secrets.iter().filter(|s| s.chars().count() >= MIN_SECRET_CHARS) {
            let json = serde_json::to_string(secret).unwrap_or_default();
            let json = json.get(1..json.len().saturating_sub(1)).unwrap_or_default().to_owned();
            let form: String = form_urlencoded::byte_serialize(secret.as_bytes()).collect();
            let path = percent_encoding::utf8_percent_encode(secret, percent_encoding::NON_ALPHANUMERIC).to_string();
            for needle in [secret.to_string(), json, form, path] {
                let needle = needle.to_ascii_lowercase();
                if !needle.is_empty() && !needles.contains(&needle) {
                    needles.push(needle);
                }
            }
        }
        needles.sort_by_key(|n| std::cmp::Reverse(n.len()));
        Redactor { needles }
    }

    /// `text` with every secret, JWT, bearer token and MCP URL path replaced by `[redacted]`.
    pub fn clean(&self, text: &str) -> String {
        let text = self.hide_secrets(text);
        let text = hide_tokens(&text);
        hide_urls(&text)
    }

    fn hide_secrets(&self, text: &str) -> String {
        if self.needles.is_empty() {
            return text.to_owned();
        }
        // ASCII lower-casing keeps every byte where it is, so ranges found in `lower` are
        // ranges of `text`.
        let lower = text.to_ascii_lowercase();
        let hidden = self
            .needles
            .iter()
            .flat_map(|needle| lower.match_indices(needle.as_str()).map(|(at, n)| (at, at + n.len())))
            .collect();
        replace_ranges(text, hidden, |_| REDACTED.to_owned())
    }
}

/// `text` with the ranges (byte offsets on char boundaries, possibly overlapping) replaced by
/// what `with` gives for each merged range.
fn replace_ranges(text: &str, mut ranges: Vec<(usize, usize)>, with: impl Fn(&str) -> String) -> String {
    if ranges.is_empty() {
        return text.to_owned();
    }
    ranges.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut iter = ranges.into_iter().peekable();
    while let Some((start, mut end)) = iter.next() {
        while let Some(&(s, e)) = iter.peek() {
            if s >= end {
                break;
            }
            end = end.max(e);
            iter.next();
        }
        let start = start.max(at);
        out.push_str(text.get(at..start).unwrap_or_default());
        out.push_str(&with(text.get(start..end).unwrap_or_default()));
        at = end;
    }
    out.push_str(text.get(at..).unwrap_or_default());
    out
}

fn is_token_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_')
}

/// The end of the run of token characters that starts at `from`.
fn token_run(bytes: &[u8], from: usize) -> usize {
    let mut end = from;
    while bytes.get(end).copied().is_some_and(is_token_char) {
        end += 1;
    }
    end
}

/// JWTs (`eyJ....`) and the token after `Bearer `.
fn hide_tokens(text: &str) -> String {
    let bytes = text.as_bytes();
    let lower = text.to_ascii_lowercase();
    let mut hidden = Vec::new();
    let mut from = 0;
    while let Some(at) = text.get(from..).and_then(|rest| rest.find("eyJ")) {
        let start = from + at;
        let first = token_run(bytes, start);
        let mut end = first;
        // header.payload[.signature]
        if first - start >= 6 && bytes.get(first) == Some(&b'.') {
            let second = token_run(bytes, first + 1);
            if second > first + 1 {
                end = second;
                if bytes.get(second) == Some(&b'.') {
                    end = token_run(bytes, second + 1);
                }
                hidden.push((start, end));
            }
        }
        from = end.max(start + 3);
    }
    let mut from = 0;
    while let Some(at) = lower.get(from..).and_then(|rest| rest.find("bearer ")) {
        let start = from + at + "bearer ".len();
        let mut end = start;
        while bytes.get(end).is_some_and(|b| b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b',')) {
            end += 1;
        }
        if end > start {
            hidden.push((start, end));
        }
        from = end.max(start);
    }
    replace_ranges(text, hidden, |_| REDACTED.to_owned())
}

/// The path and query of URLs that name an MCP endpoint or carry a query.
fn hide_urls(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    let bytes = text.as_bytes();
    let mut hidden = Vec::new();
    let mut from = 0;
    while let Some(at) = lower.get(from..).and_then(|rest| rest.find("http")) {
        let start = from + at;
        from = start + 4;
        let Some(after_scheme) = ["https://", "http://"]
            .iter()
            .find(|s| lower.get(start..).is_some_and(|rest| rest.starts_with(**s)))
            .map(|s| start + s.len())
        else {
            continue;
        };
        let mut end = after_scheme;
        while bytes
            .get(end)
            .is_some_and(|b| *b >= 0x80 || (b.is_ascii_graphic() && !matches!(b, b'"' | b'\'' | b'<' | b'>' | b'`')))
        {
            end += 1;
        }
        // The origin ends at the first `/`, `?` or `#` after the scheme.
        let origin_end = lower.get(after_scheme..end).and_then(|rest| rest.find(['/', '?', '#'])).map_or(end, |i| after_scheme + i);
        let rest = lower.get(origin_end..end).unwrap_or_default();
        if rest.contains("/mcp") || rest.contains('?') {
            hidden.push((origin_end, end));
        }
        from = end;
    }
    replace_ranges(text, hidden, |_| format!("/{REDACTED}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_in_every_encoding_and_case() {
        let r = Redactor::new(&["s3cr3t+/=\"\\x", "tok_ABCDEFGH12"]);
        for text in [
            "bad s3cr3t+/=\"\\x here",
            "bad s3cr3t+/=\\\"\\\\x here",
            "bad s3cr3t%2B%2F%3D%22%5Cx here",
            "bad s3cr3t%2b%2f%3d%22%5cx here",
            "bad S3CR3T+/=\"\\X here",
            "bad TOK_abcdefgh12 here",
        ] {
            assert_eq!(r.clean(text), "bad [redacted] here", "{text}");
        }
        assert_eq!(r.clean("s3cr3t+/=\"\\xtok_ABCDEFGH12"), "[redacted][redacted]");
    }

    #[test]
    fn short_secrets_are_not_searched() {
        let r = Redactor::new(&["b", "abc", ""]);
        assert_eq!(r.clean("The operation was aborted"), "The operation was aborted");
    }

    #[test]
    fn overlapping_secrets_are_hidden_whole() {
        let r = Redactor::new(&["abcdefghij", "efghijklmn"]);
        assert_eq!(r.clean("x abcdefghijklmn y"), "x [redacted] y");
    }

    #[test]
    fn jwts_and_bearer_tokens() {
        let r = Redactor::default();
        let jwt = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl";
        assert_eq!(r.clean(&format!("token {jwt} expired")), "token [redacted] expired");
        assert_eq!(r.clean("Authorization: Bearer abc.def/ghi= next"), "Authorization: Bearer [redacted] next");
        assert_eq!(r.clean("eyJ alone, eyJabc"), "eyJ alone, eyJabc");
    }

    #[test]
    fn mcp_urls_keep_only_their_origin() {
        let r = Redactor::default();
        assert_eq!(r.clean("instance https://acme.scalekit.com/mcp/v2/abcdef is gone"), "instance https://acme.scalekit.com/[redacted] is gone");
        assert_eq!(r.clean("see HTTP://x.io/a?code=1"), "see HTTP://x.io/[redacted]");
        assert_eq!(r.clean("docs at https://docs.scalekit.com/errors#x"), "docs at https://docs.scalekit.com/errors#x");
        assert_eq!(r.clean("\"https://e.x/mcp/v3/servers/u\""), "\"https://e.x/[redacted]\"");
        assert_eq!(r.clean("http https:// httpx"), "http https:// httpx");
    }

    #[test]
    fn text_that_is_not_ascii_is_kept_intact() {
        let r = Redactor::new(&["ünïcödé-secret"]);
        assert_eq!(r.clean("é ünïcödé-secret 🙂 https://é.x/mcp/é"), "é [redacted] 🙂 https://é.x/[redacted]");
    }
}
