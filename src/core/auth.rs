//! Client options, the OAuth client-credentials token request, and its answer.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

use super::error::{code, ErrorKind, SdkError};
use super::ops::HttpRequest;
use super::redact::Redactor;
use super::url::normalize_env_url;
use super::validate::{read, Validate};
use super::wire::js_uint;

/// Default time limit of a call, in milliseconds.
pub const DEFAULT_TIMEOUT_MS: f64 = 20_000.0;
/// Largest accepted `timeoutMs` (the validation message spells it out).
pub const MAX_TIMEOUT_MS: f64 = 600_000.0;
/// Default number of retries.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Largest accepted `maxRetries`.
pub const MAX_RETRIES: u32 = 10;
/// Longest client id or client secret accepted.
const MAX_CREDENTIAL_CHARS: usize = 4096;

/// Options of a client, checked and normalized.
#[derive(Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct ClientOptions {
    /// `https://host[:port]`, without a trailing slash.
    pub env_url: String,
    pub client_id: String,
    pub client_secret: String,
    #[serde(default)]
    pub timeout_ms: Option<f64>,
    #[serde(default, deserialize_with = "js_uint")]
    pub max_retries: Option<u32>,
    #[serde(default)]
    pub dangerously_allow_browser: Option<bool>,
}

/// Never shows the secret.
impl std::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientOptions")
            .field("env_url", &self.env_url)
            .field("client_id", &self.client_id)
            .field("client_secret", &"[redacted]")
            .field("timeout_ms", &self.timeout_ms)
            .field("max_retries", &self.max_retries)
            .field("dangerously_allow_browser", &self.dangerously_allow_browser)
            .finish()
    }
}

impl ClientOptions {
    /// The time limit of a call.
    pub fn timeout(&self) -> f64 {
        self.timeout_ms.unwrap_or(DEFAULT_TIMEOUT_MS)
    }

    /// How many retries a call may make.
    pub fn retries(&self) -> u32 {
        self.max_retries.unwrap_or(DEFAULT_MAX_RETRIES)
    }

    pub fn allow_browser(&self) -> bool {
        self.dangerously_allow_browser.unwrap_or(false)
    }

    /// The redactor for this client's secret and, when given, an access token.
    pub fn redactor(&self, access_token: Option<&str>) -> Redactor {
        Redactor::new(&[self.client_secret.as_str(), access_token.unwrap_or_default()])
    }
}

/// A client id or secret: not blank, no control characters, at most 4096 characters. The
/// message never contains the value.
fn credential(field: &str, v: &str) -> Result<(), SdkError> {
    if v.trim().is_empty() {
        return Err(SdkError::validation(field, format!("{field} must not be empty")));
    }
    if v.chars().any(char::is_control) {
        return Err(SdkError::validation(field, format!("{field} contains control characters (a line break, tab or NUL): check how it was copied")));
    }
    if v.chars().count() > MAX_CREDENTIAL_CHARS {
        return Err(SdkError::validation(field, format!("{field} must be at most {MAX_CREDENTIAL_CHARS} characters")));
    }
    Ok(())
}

impl Validate for ClientOptions {
    fn validate(&self) -> Result<(), SdkError> {
        credential("clientId", &self.client_id)?;
        credential("clientSecret", &self.client_secret)?;
        if let Some(t) = self.timeout_ms {
            if !(t.is_finite() && t > 0.0 && t <= MAX_TIMEOUT_MS) {
                return Err(SdkError::validation("timeoutMs", "timeoutMs must be a positive number of milliseconds, at most 600000"));
            }
        }
        if self.max_retries.is_some_and(|n| n > MAX_RETRIES) {
            return Err(SdkError::validation("maxRetries", format!("maxRetries must be from 0 to {MAX_RETRIES}")));
        }
        Ok(())
    }
}

/// Reads the options of `new ScalekitMcp(options)`:
/// `{envUrl, clientId, clientSecret, timeoutMs?, maxRetries?, dangerouslyAllowBrowser?}`.
/// No error message ever contains the secret.
pub fn parse_client_options(input: Value) -> Result<ClientOptions, SdkError> {
    let mut opts: ClientOptions = read(input)?;
    opts.env_url = normalize_env_url(&opts.env_url)?;
    Ok(opts)
}

/// `POST /oauth/token` with the client credentials, form-encoded.
pub fn token_request(opts: &ClientOptions) -> HttpRequest {
    let body = form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "client_credentials")
        .append_pair("client_id", &opts.client_id)
        .append_pair("client_secret", &opts.client_secret)
        .finish();
    HttpRequest { method: "POST", path_and_query: "/oauth/token".to_owned(), body: Some(body), content_type: Some("application/x-www-form-urlencoded") }
}

/// An access token and its lifetime as the server stated it.
#[derive(Clone, PartialEq)]
pub struct TokenGrant {
    pub access_token: String,
    /// `expires_in` in seconds when it was a finite number (or a numeric string); it may be zero,
    /// negative or huge, which the token cache handles.
    pub expires_in_secs: Option<f64>,
}

/// Never shows the token.
impl std::fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenGrant")
            .field("access_token", &"[redacted]")
            .field("expires_in_secs", &self.expires_in_secs)
            .finish()
    }
}

#[derive(Deserialize)]
struct TokenAnswer<'a> {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default, borrow)]
    expires_in: Option<&'a RawValue>,
}

/// `expires_in` read leniently: a number or a numeric string; anything else (or a number out of
/// range) is unknown.
fn seconds(raw: &RawValue) -> Option<f64> {
    let text = raw.get();
    let number = if text.starts_with('"') { serde_json::from_str::<String>(text).ok()? } else { text.to_owned() };
    number.trim().parse::<f64>().ok().filter(|f| f.is_finite())
}

/// An access token the client can send: visible ASCII only, as a `Bearer` credential is.
fn sendable(token: &str) -> bool {
    token.bytes().all(|b| b.is_ascii_graphic())
}

/// Reads the answer of the token endpoint.
///
/// A 2xx needs a non-empty `access_token` that is a valid header value (else `InvalidResponse`,
/// which never quotes it); `expires_in` is read leniently. A non-2xx is an error of the status's
/// kind, except that 400 and 401 (a rejected client credential: `invalid_client`,
/// `invalid_grant`, ...) are `Authentication`.
pub fn parse_token_response(redactor: &Redactor, status: u16, body: &[u8]) -> Result<TokenGrant, SdkError> {
    if !(200..300).contains(&status) {
        let mut e = SdkError::from_http(redactor, status, None, None, &String::from_utf8_lossy(body));
        if status == 400 || status == 401 {
            e.kind = ErrorKind::Authentication;
            e.code = code::UNAUTHENTICATED.to_owned();
        }
        e.message = format!("authentication with the client credentials failed: {}", e.message);
        return Err(e);
    }
    let answer: TokenAnswer<'_> =
        serde_json::from_slice(body).map_err(|_| SdkError::invalid_response(Some(status), "the token response is not a JSON object with an access_token"))?;
    let access_token = answer.access_token.filter(|t| !t.is_empty());
    let Some(access_token) = access_token else {
        return Err(SdkError::invalid_response(Some(status), "the token response has no access_token"));
    };
    if !sendable(&access_token) {
        return Err(SdkError::invalid_response(
            Some(status),
            "the token response's access_token holds characters that cannot be sent in a header (spaces, line breaks or non-ASCII)",
        ));
    }
    Ok(TokenGrant { access_token, expires_in_secs: answer.expires_in.and_then(seconds) })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "sk_live_Zx9-very-secret";

    fn opts(extra: &str) -> String {
        format!(r#"{{"envUrl":"https://acme.scalekit.com/","clientId":"skc_1","clientSecret":"{SECRET}"{extra}}}"#)
    }

    fn parse_client_options(json: &str) -> Result<ClientOptions, SdkError> {
        super::parse_client_options(serde_json::from_str(json).unwrap())
    }

    fn parse_token_response(status: u16, body: &str) -> Result<TokenGrant, SdkError> {
        super::parse_token_response(&Redactor::default(), status, body.as_bytes())
    }

    #[test]
    fn options_with_defaults() {
        let o = parse_client_options(&opts("")).unwrap();
        assert_eq!(o.env_url, "https://acme.scalekit.com");
        assert_eq!(o.client_id, "skc_1");
        assert_eq!(o.client_secret, SECRET);
        assert_eq!(o.timeout(), 20_000.0);
        assert_eq!(o.retries(), 2);
        assert!(!o.allow_browser());
        let o = parse_client_options(&opts(r#","timeoutMs":1500.5,"maxRetries":0,"dangerouslyAllowBrowser":true"#)).unwrap();
        assert_eq!((o.timeout(), o.retries(), o.allow_browser()), (1500.5, 0, true));
        let o = parse_client_options(&opts(r#","timeoutMs":null,"maxRetries":null,"dangerouslyAllowBrowser":null"#)).unwrap();
        assert_eq!((o.timeout(), o.retries()), (20_000.0, 2));
        let o = parse_client_options(&opts(r#","timeoutMs":600000,"maxRetries":10"#)).unwrap();
        assert_eq!((o.timeout(), o.retries()), (600_000.0, 10));
    }

    #[test]
    fn debug_redacts_the_secret() {
        let o = parse_client_options(&opts("")).unwrap();
        let d = format!("{o:?}");
        assert!(!d.contains(SECRET), "{d}");
        assert!(d.contains("[redacted]"));
        let g = TokenGrant { access_token: "tok_secret".into(), expires_in_secs: Some(1.0) };
        assert!(!format!("{g:?}").contains("tok_secret"));
        assert!(!format!("{:?}", token_request(&o)).contains(SECRET));
    }

    #[test]
    fn option_errors_name_the_field_and_never_the_secret() {
        let cases: Vec<(String, &str)> = vec![
            ("null".into(), ""),
            ("[]".into(), ""),
            (format!(r#"{{"clientId":"a","clientSecret":"{SECRET}"}}"#), "envUrl"),
            (format!(r#"{{"envUrl":"http://acme.com","clientId":"a","clientSecret":"{SECRET}"}}"#), "envUrl"),
            (format!(r#"{{"envUrl":"https://a.com/path","clientId":"a","clientSecret":"{SECRET}"}}"#), "envUrl"),
            (format!(r#"{{"envUrl":5,"clientId":"a","clientSecret":"{SECRET}"}}"#), "envUrl"),
            (format!(r#"{{"envUrl":"https://a.com","clientSecret":"{SECRET}"}}"#), "clientId"),
            (format!(r#"{{"envUrl":"https://a.com","clientId":"","clientSecret":"{SECRET}"}}"#), "clientId"),
            (format!(r#"{{"envUrl":"https://a.com","clientId":" ","clientSecret":"{SECRET}"}}"#), "clientId"),
            (format!(r#"{{"envUrl":"https://a.com","clientId":1,"clientSecret":"{SECRET}"}}"#), "clientId"),
            (r#"{"envUrl":"https://a.com","clientId":"a"}"#.into(), "clientSecret"),
            (r#"{"envUrl":"https://a.com","clientId":"a","clientSecret":""}"#.into(), "clientSecret"),
            (r#"{"envUrl":"https://a.com","clientId":"a","clientSecret":123456}"#.into(), "clientSecret"),
            (opts(r#","timeoutMs":0"#), "timeoutMs"),
            (opts(r#","timeoutMs":-1"#), "timeoutMs"),
            (opts(r#","timeoutMs":600001"#), "timeoutMs"),
            (opts(r#","timeoutMs":"1000""#), "timeoutMs"),
            (opts(r#","maxRetries":11"#), "maxRetries"),
            (opts(r#","maxRetries":-1"#), "maxRetries"),
            (opts(r#","maxRetries":1.5"#), "maxRetries"),
            (opts(r#","dangerouslyAllowBrowser":"yes""#), "dangerouslyAllowBrowser"),
            (opts(r#","client_secret":"x""#), "client_secret"),
            (opts(r#","baseUrl":"x""#), "baseUrl"),
            (format!(r#"{{"envUrl":"https://a.com","clientId":"a","clientSecret":"{SECRET}\n"}}"#), "clientSecret"),
            (format!(r#"{{"envUrl":"https://a.com","clientId":"a","clientSecret":"{SECRET}\u0000"}}"#), "clientSecret"),
            (format!(r#"{{"envUrl":"https://a.com","clientId":"a\tb","clientSecret":"{SECRET}"}}"#), "clientId"),
        ];
        for (json, field) in cases {
            let e = parse_client_options(&json).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Validation, "{json}");
            assert_eq!(e.field.as_deref(), Some(field), "{json}: {}", e.message);
            let shown = serde_json::to_string(&e).unwrap();
            assert!(!shown.contains(SECRET), "{json}: {shown}");
        }
    }

    #[test]
    fn token_request_is_form_encoded() {
        let mut o = parse_client_options(&opts("")).unwrap();
        o.client_secret = "a+b&c=d e/é".into();
        let r = token_request(&o);
        assert_eq!((r.method, r.path_and_query.as_str()), ("POST", "/oauth/token"));
        assert_eq!(r.content_type, Some("application/x-www-form-urlencoded"));
        assert_eq!(r.body.as_deref(), Some("grant_type=client_credentials&client_id=skc_1&client_secret=a%2Bb%26c%3Dd+e%2F%C3%A9"));
    }

    #[test]
    fn token_response_expires_in_variants() {
        for (expires, want) in [
            ("18446744064486179580", Some(18_446_744_064_486_179_580.0)),
            ("86399", Some(86_399.0)),
            ("\"3600\"", Some(3600.0)),
            ("\" 3600 \"", Some(3600.0)),
            ("0", Some(0.0)),
            ("-5", Some(-5.0)),
            ("1.5", Some(1.5)),
            ("1e400", None),
            ("-1e400", None),
            ("\"soon\"", None),
            ("\"NaN\"", None),
            ("\"inf\"", None),
            ("\"1e400\"", None),
            ("\"2.5e3\"", Some(2500.0)),
            ("null", None),
            ("true", None),
            ("{}", None),
        ] {
            let body = format!(r#"{{"access_token":"eyJ.x.y","token_type":"Bearer","expires_in":{expires},"scope":"openid"}}"#);
            let g = parse_token_response(200, &body).unwrap_or_else(|e| panic!("{expires}: {e:?}"));
            assert_eq!(g.access_token, "eyJ.x.y");
            assert_eq!(g.expires_in_secs, want, "{expires}");
        }
        let g = parse_token_response(200, r#"{"access_token":"t"}"#).unwrap();
        assert_eq!(g.expires_in_secs, None);
    }

    #[test]
    fn token_response_errors() {
        for body in [
            "",
            "{",
            "[]",
            "<html></html>",
            "{}",
            r#"{"access_token":""}"#,
            r#"{"access_token":5}"#,
            r#"{"access_token":null}"#,
            r#"{"access_token":"zz-secret\nzz"}"#,
            r#"{"access_token":"zz-secret\u0000zz"}"#,
            r#"{"access_token":"zz-secret zz"}"#,
        ] {
            let e = parse_token_response(200, body).unwrap_err();
            assert_eq!((e.kind, e.status), (ErrorKind::InvalidResponse, Some(200)), "{body}");
            assert!(!e.message.contains("zz-secret"), "{}", e.message);
        }
        let e = parse_token_response(401, r#"{"error":"invalid_client","error_description":"bad client credentials"}"#).unwrap_err();
        assert_eq!((e.kind, e.code.as_str(), e.status), (ErrorKind::Authentication, "UNAUTHENTICATED", Some(401)));
        assert_eq!(e.error_code.as_deref(), Some("invalid_client"));
        assert!(e.message.contains("bad client credentials (HTTP 401)"), "{}", e.message);
        let e = parse_token_response(400, r#"{"error":"invalid_client"}"#).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Authentication);
        let e = parse_token_response(500, "<html><body>Internal error: client_secret=abc</body></html>").unwrap_err();
        assert_eq!(e.kind, ErrorKind::InternalServer);
        assert!(!e.message.contains("client_secret"), "{}", e.message);
        assert!(e.message.ends_with("HTTP 500 Internal Server Error"), "{}", e.message);
        let e = parse_token_response(429, "").unwrap_err();
        assert_eq!(e.kind, ErrorKind::RateLimit);
        let e = parse_token_response(403, "{}").unwrap_err();
        assert_eq!(e.kind, ErrorKind::PermissionDenied);
    }
}
