//! The public API of the core that the wasm shell is written against: the signatures are pinned
//! here, so a change that would break the shell fails `cargo test` natively, and one end-to-end
//! walk through a call shows how the pieces fit.
#![allow(clippy::result_large_err)]

use scalekit_mcp::core::auth::{parse_client_options, parse_token_response, token_request, ClientOptions, TokenGrant};
use scalekit_mcp::core::error::{ErrorDetail, ErrorKind, SdkError};
use scalekit_mcp::core::ops::{
    all_active, build_request, parse_poll_response, parse_response, parse_wait_target, HttpRequest, Operation, WaitTarget,
};
use scalekit_mcp::core::policy::{
    auth_poll_delay_ms, backoff_ms, parse_retry_after, redact, retry_delay_ms, should_retry, Outcome, TokenCache,
    AUTH_POLL_CAP_MS, AUTH_POLL_DEFAULT_MS, AUTH_POLL_MIN_MS, BACKOFF_BASE_MS, BACKOFF_CAP_MS, RETRY_AFTER_CAP_MS,
};

#[test]
fn signatures() {
    let _: fn(ErrorKind) -> &'static str = ErrorKind::name;
    let _ = |k: ErrorKind, c: &str, m: String| -> SdkError { SdkError::new(k, c, m) };
    let _ = |k: ErrorKind, c: &str, m: &str| -> SdkError { SdkError::new(k, c, m) };
    let _ = |f: &str, m: String| -> SdkError { SdkError::validation(f, m) };
    let _: fn(u16, Option<&str>, Option<u64>, &str) -> SdkError = SdkError::from_http;
    let _: fn(&SdkError) -> String = SdkError::to_json;
    let _: fn(&str) -> Option<Operation> = Operation::from_name;
    let _: fn(Operation) -> &'static str = Operation::name;
    let _: fn(Operation) -> bool = Operation::retry_safe_after_send;
    let _: fn(Operation, &str) -> Result<HttpRequest, SdkError> = build_request;
    let _: fn(Operation, u16, &str) -> Result<String, SdkError> = parse_response;
    let _: fn(&str) -> Result<WaitTarget, SdkError> = parse_wait_target;
    let _: fn(&WaitTarget, bool) -> HttpRequest = WaitTarget::poll_request;
    let _: fn(&WaitTarget, u16, &str) -> Result<String, SdkError> = parse_poll_response;
    let _: fn(&str) -> bool = all_active;
    let _: fn(&str) -> Result<ClientOptions, SdkError> = parse_client_options;
    let _: fn(&ClientOptions) -> HttpRequest = token_request;
    let _: fn(u16, &str) -> Result<TokenGrant, SdkError> = parse_token_response;
    let _: fn() -> TokenCache = TokenCache::new;
    let _: fn(&TokenCache, f64) -> Option<String> = TokenCache::get;
    let _: fn(&mut TokenCache, &TokenGrant, f64) = TokenCache::store;
    let _: fn(&mut TokenCache) = TokenCache::clear;
    let _: fn(&mut TokenCache, &str) = TokenCache::clear_if;
    let _: fn(Operation, &Outcome, u32, u32) -> bool = should_retry;
    let _: fn(u32, f64) -> f64 = backoff_ms;
    let _: fn(&str, f64) -> Option<u64> = parse_retry_after;
    let _: fn(u32, f64, Option<u64>) -> Option<f64> = retry_delay_ms;
    let _: fn(Option<f64>, u32) -> f64 = auth_poll_delay_ms;
    let _: fn(&str, &[&str]) -> String = redact;
    let _: (f64, f64, u64, f64, f64, f64) =
        (BACKOFF_BASE_MS, BACKOFF_CAP_MS, RETRY_AFTER_CAP_MS, AUTH_POLL_MIN_MS, AUTH_POLL_DEFAULT_MS, AUTH_POLL_CAP_MS);

    // Public fields the shell reads or sets.
    let e = SdkError::new(ErrorKind::Timeout, "TIMEOUT", "timed out");
    let SdkError { kind, message, status, code, error_code, trace_id, field, retry_after_ms, details } = e;
    let _: (ErrorKind, String, Option<u16>, String) = (kind, message, status, code);
    let _: (Option<String>, Option<String>, Option<String>) = (error_code, trace_id, field);
    let _: (Option<u64>, Vec<ErrorDetail>) = (retry_after_ms, details);
    let HttpRequest { method, path_and_query, body, content_type } =
        HttpRequest { method: "GET", path_and_query: String::new(), body: None, content_type: None };
    let _: (&'static str, String, Option<String>, Option<&'static str>) = (method, path_and_query, body, content_type);
    let TokenGrant { access_token, expires_in_secs } = TokenGrant { access_token: String::new(), expires_in_secs: None };
    let _: (String, Option<f64>) = (access_token, expires_in_secs);
}

/// One call as the shell performs it: options, token, request, a retried 503, the answer.
#[test]
fn a_call_end_to_end() {
    let opts = parse_client_options(
        r#"{"envUrl":"https://acme.scalekit.com/","clientId":"skc_1","clientSecret":"sek","maxRetries":2}"#,
    )
    .unwrap();
    let token_req = token_request(&opts);
    assert_eq!(token_req.url(&opts.env_url), "https://acme.scalekit.com/oauth/token");

    let mut cache = TokenCache::new();
    let now = 1_000_000.0;
    let grant = parse_token_response(200, r#"{"access_token":"tok","expires_in":18446744064486179580}"#).unwrap();
    cache.store(&grant, now);
    assert_eq!(cache.get(now + 1000.0).as_deref(), Some("tok"));

    let op = Operation::from_name("getConfig").unwrap();
    let req = build_request(op, r#"{"configId":"cfg_1"}"#).unwrap();
    assert_eq!(req.url(&opts.env_url), "https://acme.scalekit.com/api/v1/mcp/configs/cfg_1");

    // A 503 is retried after a jittered backoff; a 429 with a long Retry-After is not.
    assert!(should_retry(op, &Outcome::Status(503), 0, opts.max_retries));
    let delay = retry_delay_ms(0, 0.5, None).unwrap();
    assert!((0.0..=BACKOFF_BASE_MS).contains(&delay));
    let retry_after = parse_retry_after("120", now);
    assert_eq!(retry_delay_ms(0, 0.5, retry_after), None);
    let e = SdkError::from_http(429, Some("trace-1"), retry_after, "");
    assert_eq!((e.kind, e.retry_after_ms), (ErrorKind::RateLimit, Some(120_000)));

    let out = parse_response(op, 200, r#"{"config":{"id":"cfg_1","name":"agent"}}"#).unwrap();
    assert_eq!(
        out,
        r#"{"id":"cfg_1","name":"agent","description":"","connectionToolMappings":[],"mcpServerUrl":""}"#
    );

    // After a 401 the shell drops exactly the token it used.
    cache.clear_if("tok");
    assert_eq!(cache.get(now), None);

    // waitForAuth.
    let target = parse_wait_target(r#"{"configId":"cfg_1","identifier":"u"}"#).unwrap();
    let poll = target.poll_request(true);
    assert_eq!(poll.path_and_query, "/api/v1/mcp/configs/cfg_1/connected_accounts");
    let state = parse_poll_response(&target, 200, r#"{"connected_accounts":[{"connected_account_status":"ACTIVE"}]}"#).unwrap();
    assert!(all_active(&state));
    assert_eq!(auth_poll_delay_ms(None, 0), AUTH_POLL_DEFAULT_MS);

    assert_eq!(redact("bad secret sek", &["sek"]), "bad secret [redacted]");
}
