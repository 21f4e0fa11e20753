//! Client options, the OAuth client-credentials token request, and its answer.

use crate::prelude::*;

use super::error::{ErrorKind, SdkError};
use super::json::{self, parse_input, Input, Value};
use super::text::cat;
use super::ops::HttpRequest;
use super::url::{normalize_env_url, Query};

/// Default time limit of a call, in milliseconds.
pub const DEFAULT_TIMEOUT_MS: f64 = 20_000.0;
/// Largest accepted `timeoutMs` (the validation message spells it out).
pub const MAX_TIMEOUT_MS: f64 = 600_000.0;
/// Default number of retries.
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Largest accepted `maxRetries`.
pub const MAX_RETRIES: u32 = 10;

/// Options of a client, checked and normalized.
#[derive(Clone, PartialEq)]
pub struct ClientOptions {
    /// `https://host[:port]`, without a trailing slash.
    pub env_url: String,
    pub client_id: String,
    pub client_secret: String,
    pub timeout_ms: f64,
    pub max_retries: u32,
    pub dangerously_allow_browser: bool,
}

/// Never shows the secret.
impl ::core::fmt::Debug for ClientOptions {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
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

const OPTION_KEYS: &[&str] = &["envUrl", "clientId", "clientSecret", "timeoutMs", "maxRetries", "dangerouslyAllowBrowser"];

/// Reads the options JSON of `new ScalekitMcp(options)`:
/// `{envUrl, clientId, clientSecret, timeoutMs?, maxRetries?, dangerouslyAllowBrowser?}`.
/// No error message ever contains the secret.
pub fn parse_client_options(json: &str) -> Result<ClientOptions, SdkError> {
    let v = parse_input(json, false)?;
    let i = Input::new(&v, "", OPTION_KEYS)?;
    let env_url = normalize_env_url(&i.req_str("envUrl")?)?;
    let client_id = i.req_str("clientId")?;
    if client_id.trim().is_empty() {
        return Err(SdkError::validation("clientId", "clientId must not be empty"));
    }
    let client_secret = match i.get("clientSecret") {
        None => return Err(SdkError::validation("clientSecret", "clientSecret is required")),
        Some(Value::String(s)) if !s.trim().is_empty() => String::from(s.as_ref()),
        Some(Value::String(_)) => return Err(SdkError::validation("clientSecret", "clientSecret must not be empty")),
        Some(_) => return Err(SdkError::validation("clientSecret", "clientSecret must be a string")),
    };
    let timeout_ms = match i.get("timeoutMs") {
        None => DEFAULT_TIMEOUT_MS,
        Some(Value::Number(n)) => match Some(*n) {
            Some(t) if t.is_finite() && t > 0.0 && t <= MAX_TIMEOUT_MS => t,
            _ => {
                return Err(SdkError::validation(
                    "timeoutMs",
                    "timeoutMs must be a positive number of milliseconds, at most 600000",
                ))
            }
        },
        Some(_) => return Err(SdkError::validation("timeoutMs", "timeoutMs must be a number")),
    };
    let max_retries = i.opt_int("maxRetries", 0, MAX_RETRIES)?.unwrap_or(DEFAULT_MAX_RETRIES);
    let dangerously_allow_browser = i.opt_bool("dangerouslyAllowBrowser")?.unwrap_or(false);
    Ok(ClientOptions { env_url, client_id, client_secret, timeout_ms, max_retries, dangerously_allow_browser })
}

/// `POST /oauth/token` with the client credentials, form-encoded.
pub fn token_request(opts: &ClientOptions) -> HttpRequest {
    let mut form = Query::default();
    form.push("grant_type", "client_credentials");
    form.push("client_id", &opts.client_id);
    form.push("client_secret", &opts.client_secret);
    HttpRequest {
        method: "POST",
        path_and_query: "/oauth/token".to_owned(),
        body: Some(form.into_string()),
        content_type: Some("application/x-www-form-urlencoded"),
    }
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
impl ::core::fmt::Debug for TokenGrant {
    fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
        f.debug_struct("TokenGrant")
            .field("access_token", &"[redacted]")
            .field("expires_in_secs", &self.expires_in_secs)
            .finish()
    }
}

/// Reads the answer of the token endpoint.
///
/// A 2xx needs a non-empty `access_token` (else `InvalidResponse`); `expires_in` is read
/// leniently. A non-2xx is an error of the status's kind, except that 400 and 401 (a rejected
/// client credential: `invalid_client`, `invalid_grant`, ...) are `Authentication`.
pub fn parse_token_response(status: u16, body: &str) -> Result<TokenGrant, SdkError> {
    if !(200..300).contains(&status) {
        let mut e = SdkError::from_http(status, None, None, body);
        if status == 400 || status == 401 {
            e.kind = ErrorKind::Authentication;
            e.code = "UNAUTHENTICATED".to_owned();
        }
        e.message = cat(&["authentication with the client credentials failed: ", &e.message]);
        return Err(e);
    }
    let obj = match json::parse(body.trim()) {
        Some(Value::Object(obj)) => obj,
        _ => return Err(SdkError::invalid_response(Some(status), "the token response is not a JSON object")),
    };
    let access_token = match obj.get("access_token") {
        Some(Value::String(s)) if !s.is_empty() => String::from(s.as_ref()),
        _ => return Err(SdkError::invalid_response(Some(status), "the token response has no access_token")),
    };
    let expires_in_secs = match obj.get("expires_in") {
        Some(Value::Number(n)) => Some(*n),
        // A numeric string, read with the JSON number grammar.
        Some(Value::String(s)) => json::parse_number(s.trim()),
        _ => None,
    }
    .filter(|f| f.is_finite());
    Ok(TokenGrant { access_token, expires_in_secs })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "sk_live_Zx9-very-secret";

    fn opts(extra: &str) -> String {
        format!(r#"{{"envUrl":"https://acme.scalekit.com/","clientId":"skc_1","clientSecret":"{SECRET}"{extra}}}"#)
    }

    #[test]
    fn options_with_defaults() {
        let o = parse_client_options(&opts("")).unwrap();
        assert_eq!(o.env_url, "https://acme.scalekit.com");
        assert_eq!(o.client_id, "skc_1");
        assert_eq!(o.client_secret, SECRET);
        assert_eq!(o.timeout_ms, 20_000.0);
        assert_eq!(o.max_retries, 2);
        assert!(!o.dangerously_allow_browser);
        let o = parse_client_options(&opts(r#","timeoutMs":1500.5,"maxRetries":0,"dangerouslyAllowBrowser":true"#)).unwrap();
        assert_eq!((o.timeout_ms, o.max_retries, o.dangerously_allow_browser), (1500.5, 0, true));
        let o = parse_client_options(&opts(r#","timeoutMs":null,"maxRetries":null,"dangerouslyAllowBrowser":null"#)).unwrap();
        assert_eq!((o.timeout_ms, o.max_retries), (20_000.0, 2));
        let o = parse_client_options(&opts(r#","timeoutMs":600000,"maxRetries":10"#)).unwrap();
        assert_eq!((o.timeout_ms, o.max_retries), (600_000.0, 10));
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
            ("".into(), ""),
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
        ];
        for (json, field) in cases {
            let e = parse_client_options(&json).unwrap_err();
            assert_eq!(e.kind, ErrorKind::Validation, "{json}");
            assert_eq!(e.field.as_deref(), Some(field), "{json}: {}", e.message);
            assert!(!e.to_json().contains(SECRET), "{json}: {}", e.to_json());
        }
    }

    #[test]
    fn token_request_is_form_encoded() {
        let mut o = parse_client_options(&opts("")).unwrap();
        o.client_secret = "a+b&c=d e/é".into();
        let r = token_request(&o);
        assert_eq!((r.method, r.path_and_query.as_str()), ("POST", "/oauth/token"));
        assert_eq!(r.content_type, Some("application/x-www-form-urlencoded"));
        assert_eq!(
            r.body.as_deref(),
            Some("grant_type=client_credentials&client_id=skc_1&client_secret=a%2Bb%26c%3Dd%20e%2F%C3%A9")
        );
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
        for body in ["", "{", "[]", "<html></html>", "{}", r#"{"access_token":""}"#, r#"{"access_token":5}"#, r#"{"access_token":null}"#] {
            let e = parse_token_response(200, body).unwrap_err();
            assert_eq!((e.kind, e.status), (ErrorKind::InvalidResponse, Some(200)), "{body}");
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
