//! The public API of the core that the wasm shell is written against: the signatures are pinned
//! here, so a change that would break the shell fails `cargo test` natively, and one walk through
//! a call shows how the pieces fit, step by step as `src/shell/call.rs` takes them.
#![allow(clippy::result_large_err, clippy::type_complexity)] // the signatures are written out on purpose

use scalekit_mcp::core::auth::{parse_client_options, parse_token_response, token_request, ClientOptions, TokenGrant};
use scalekit_mcp::core::error::{ErrorDetail, ErrorKind, SdkError};
use scalekit_mcp::core::ops::{operation, Answer, Built, HttpRequest, Spec, WaitTarget};
use scalekit_mcp::core::policy::{
    auth_poll_delay_ms, backoff_ms, classify_failure, parse_retry_after, retry_delay_ms, retryable, Bearer, Decision, GiveUp, Outcome, Retries, TokenCache,
    AUTH_POLL_CAP_MS, AUTH_POLL_DEFAULT_MS, AUTH_POLL_MIN_MS, BACKOFF_BASE_MS, BACKOFF_CAP_MS, RETRY_AFTER_CAP_MS,
};
use scalekit_mcp::core::redact::Redactor;
use serde_json::{json, Value};

#[test]
fn signatures() {
    let _: fn(ErrorKind) -> &'static str = ErrorKind::name;
    let _ = |k: ErrorKind, c: &str, m: String| -> SdkError { SdkError::new(k, c, m) };
    let _ = |f: &str, m: String| -> SdkError { SdkError::validation(f, m) };
    let _: fn(&Redactor, u16, Option<&str>, Option<u64>, &str) -> SdkError = SdkError::from_http;
    let _: fn(SdkError, u16) -> SdkError = SdkError::with_status;
    let _: fn(&str) -> Option<&'static Spec> = operation;
    let _: fn(Value) -> Result<WaitTarget, SdkError> = WaitTarget::read;
    let _: fn(&WaitTarget, bool) -> (Spec, HttpRequest) = WaitTarget::poll;
    let _: fn(Value) -> Result<ClientOptions, SdkError> = parse_client_options;
    let _: fn(&ClientOptions) -> HttpRequest = token_request;
    let _: fn(&Redactor, u16, &[u8]) -> Result<TokenGrant, SdkError> = parse_token_response;
    let _: fn(&[&str]) -> Redactor = Redactor::new;
    let _: fn(&Redactor, &str) -> String = Redactor::clean;
    let _: fn() -> TokenCache = TokenCache::new;
    let _: fn(&mut TokenCache, &TokenGrant, f64) -> Bearer = TokenCache::store;
    let _: fn(&TokenCache, f64) -> Option<&Bearer> = TokenCache::bearer;
    let _: fn(&mut TokenCache, u64) = TokenCache::forget;
    let _: fn(Option<&str>) -> Outcome = classify_failure;
    let _: fn(bool, &Outcome) -> bool = retryable;
    let _: fn(bool, u32, bool) -> Retries = Retries::new;
    let _: fn(&mut Retries, Outcome, Option<u64>, f64, f64) -> Decision = Retries::after;
    let _: fn(u32, f64) -> f64 = backoff_ms;
    let _: fn(&str, f64) -> Option<u64> = parse_retry_after;
    let _: fn(u32, f64, Option<u64>) -> Option<f64> = retry_delay_ms;
    let _: fn(Option<f64>, u32) -> f64 = auth_poll_delay_ms;
    let _: (f64, f64, u64, f64, f64, f64) = (BACKOFF_BASE_MS, BACKOFF_CAP_MS, RETRY_AFTER_CAP_MS, AUTH_POLL_MIN_MS, AUTH_POLL_DEFAULT_MS, AUTH_POLL_CAP_MS);

    // Public fields the shell reads or sets.
    let e = SdkError::new(ErrorKind::Timeout, "TIMEOUT", "timed out");
    let SdkError { kind, message, status, code, error_code, trace_id, field, retry_after_ms, details } = e;
    let _: (ErrorKind, String, Option<u16>, String) = (kind, message, status, code);
    let _: (Option<String>, Option<String>, Option<String>) = (error_code, trace_id, field);
    let _: (Option<u64>, Vec<ErrorDetail>) = (retry_after_ms, details);
    let HttpRequest { method, path_and_query, body, content_type } =
        HttpRequest { method: "GET", path_and_query: String::new(), body: None, content_type: None };
    let _: (&'static str, String, Option<String>, Option<&'static str>) = (method, path_and_query, body, content_type);
    let Spec { name, retry_safe, build, answer } = operation("getConfig").unwrap();
    let _: (&'static str, &bool, &fn(Value) -> Result<Built, SdkError>, &fn(&[u8]) -> Result<Answer, SdkError>) = (name, retry_safe, build, answer);
}

/// One call as the shell performs it: options, token, request, a retried 503, the answer.
#[test]
fn a_call_step_by_step() {
    let opts = parse_client_options(json!({"envUrl":"https://acme.scalekit.com/","clientId":"skc_1","clientSecret":"sek-0123456789","maxRetries":2})).unwrap();
    let token_req = token_request(&opts);
    assert_eq!(token_req.url(&opts.env_url), "https://acme.scalekit.com/oauth/token");

    let mut cache = TokenCache::new();
    let now = 1_000_000.0;
    let grant = parse_token_response(&opts.redactor(None), 200, br#"{"access_token":"tok","expires_in":18446744064486179580}"#).unwrap();
    let bearer = cache.store(&grant, now);
    assert_eq!(cache.get(now + 1000.0), Some("tok"));
    assert_eq!(&*bearer.authorization, "Bearer tok");

    let spec = operation("getConfig").unwrap();
    let req = (spec.build)(json!({"configId":"cfg_1"})).unwrap().request;
    assert_eq!(req.url(&opts.env_url), "https://acme.scalekit.com/api/v1/mcp/configs/cfg_1");

    // A 503 is retried after a jittered backoff; a 429 with a long Retry-After is not.
    let mut retries = Retries::new(spec.retry_safe, opts.retries(), true);
    let Decision::Retry(delay) = retries.after(Outcome::Status(503), None, 0.5, 20_000.0) else { panic!("retried") };
    assert!((0.0..=BACKOFF_BASE_MS).contains(&delay));
    let retry_after = parse_retry_after("120", now);
    assert_eq!(retries.after(Outcome::Status(429), retry_after, 0.5, 20_000.0), Decision::Fail(GiveUp::RetryAfterTooLong));
    let e = SdkError::from_http(&opts.redactor(Some("tok")), 429, Some("trace-1"), retry_after, "");
    assert_eq!((e.kind, e.retry_after_ms), (ErrorKind::RateLimit, Some(120_000)));

    let out = (spec.answer)(br#"{"config":{"id":"cfg_1","name":"agent"}}"#).unwrap();
    assert_eq!(serde_json::to_value(out).unwrap(), json!({"id":"cfg_1","name":"agent","description":"","connectionToolMappings":[],"mcpServerUrl":""}));

    // waitForAuth.
    let target = WaitTarget::read(json!({"configId":"cfg_1","identifier":"u"})).unwrap();
    let (spec, poll) = target.poll(true);
    assert_eq!(poll.path_and_query, "/api/v1/mcp/configs/cfg_1/connected_accounts");
    let state = (spec.answer)(br#"{"connected_accounts":[{"connected_account_status":"ACTIVE"}]}"#).unwrap();
    assert!(state.connections().unwrap().iter().all(|c| c.is_active()));
    assert_eq!(auth_poll_delay_ms(None, 0), AUTH_POLL_DEFAULT_MS);

    // Text from the server never carries the client's secrets.
    let e = SdkError::from_http(&opts.redactor(Some("tok")), 500, None, None, r#"{"message":"bad secret sek-0123456789"}"#);
    assert_eq!(e.message, "bad secret [redacted] (HTTP 500)");
    assert_eq!(classify_failure(Some("ECONNREFUSED")), Outcome::NotSent);
}
