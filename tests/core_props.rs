//! Property tests of the pure core: random bytes, random JSON and mutations of valid inputs fed
//! to every parser and builder. Nothing may panic, every error must be a well-formed typed
//! error, and what is built must keep its invariants (one path segment per id, JSON bodies).
#![allow(clippy::result_large_err)]

use std::panic::{catch_unwind, AssertUnwindSafe};

use scalekit_mcp::core::auth::{token_request, TokenGrant};
use scalekit_mcp::core::error::{ErrorKind, SdkError};
use scalekit_mcp::core::ops::{operation, Answer, HttpRequest, Operation, WaitTarget, OPERATIONS};
use scalekit_mcp::core::ops::{
    CreateConfig, CreateConnectionSessionToken, CreateSessionToken, DeleteConfig, DeleteInstance, EnsureInstance, GetConfig, GetInstance, GetInstanceAuthState,
    ListConfigs, ListConnectedAccounts, ListInstances, ListTools, UpdateConfig, UpdateInstance,
};
use scalekit_mcp::core::policy::{auth_poll_delay_ms, backoff_ms, parse_retry_after, retry_delay_ms, TokenCache};
use scalekit_mcp::core::redact::{Redactor, MIN_SECRET_CHARS};
use serde_json::{json, Map, Value};

/// The request for a JavaScript input given as JSON text; `None` when the text is not JSON (a
/// JavaScript caller cannot pass that: its input is copied into plain data first).
fn build_request(op: &str, input: &str) -> Option<Result<HttpRequest, SdkError>> {
    let value: Value = serde_json::from_str(input).ok()?;
    Some((operation(op).unwrap().build)(value).map(|b| b.request))
}

/// What the shell makes of an answer: the output of a 2xx, else the error of the status.
fn parse_response(op: &str, status: u16, body: &[u8]) -> Result<Answer, SdkError> {
    if (200..300).contains(&status) {
        (operation(op).unwrap().answer)(body).map_err(|e| e.with_status(status))
    } else {
        Err(SdkError::from_http(&Redactor::default(), status, None, None, &String::from_utf8_lossy(body)))
    }
}

fn all_active(out: &Answer) -> bool {
    out.connections().is_some_and(|c| c.iter().all(|c| c.is_active()))
}

/// xorshift64*: small, fast, deterministic.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }
    fn f64(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Names that the parsers look for, so that random objects reach deep paths.
const KEYS: &[&str] = &[
    "config",
    "instance",
    "configs",
    "instances",
    "id",
    "name",
    "description",
    "connection_tool_mappings",
    "connectionToolMappings",
    "connection_id",
    "connection_name",
    "connectionName",
    "provider",
    "tools",
    "connected_account_id",
    "connected_account_status",
    "connectedAccountStatus",
    "mcp_server_url",
    "user_identifier",
    "last_used_at",
    "updated_at",
    "updatedAt",
    "url",
    "seconds",
    "nanos",
    "next_page_token",
    "prev_page_token",
    "total_size",
    "totalSize",
    "connections",
    "connected_accounts",
    "authentication_link",
    "token",
    "expires_at",
    "expiresAt",
    "code",
    "message",
    "details",
    "@type",
    "error_code",
    "errorCode",
    "validation_error_info",
    "field_violations",
    "fieldViolations",
    "field",
    "constraint",
    "help_info",
    "links",
    "resource_info",
    "request_info",
    "reason",
    "error",
    "error_description",
    "access_token",
    "expires_in",
    "envUrl",
    "clientId",
    "clientSecret",
    "timeoutMs",
    "maxRetries",
    "dangerouslyAllowBrowser",
    "configId",
    "instanceId",
    "identifier",
    "expirySeconds",
    "accessLevel",
    "includeAuthLink",
    "includeAuthLinks",
    "configName",
    "userIdentifier",
    "filter",
    "search",
    "pageSize",
    "pageToken",
    "mcpServerUrl",
    "",
    "x",
];

const STRINGS: &[&str] = &[
    "",
    " ",
    ".",
    "..",
    "../configs",
    "a/b?c",
    "ACTIVE",
    "active",
    "PENDING_AUTH",
    "FULL",
    "READ_ONLY",
    "read_only",
    "0001-01-01T00:00:00Z",
    "2025-10-07T12:21:00Z",
    "https://acme.scalekit.com",
    "http://localhost:8080",
    "http://evil.com",
    "https://a.com/x?y#z",
    "é☃𝄞",
    "\u{0}\u{7}\n\t",
    "<html>",
    "cfg_1",
    "inst_1",
    "gmail",
    "email-calendar-agent",
    "Upper",
    "3600",
    "-5",
    "1e400",
    "NaN",
    "type.googleapis.com/google.rpc.ErrorInfo",
    "type.googleapis.com/google.rpc.Help",
    "type.googleapis.com/google.rpc.ResourceInfo",
    "type.googleapis.com/google.rpc.RequestInfo",
    "validation error:\n - config.name: bad [x]",
    "a_b_c[0].d_e",
];

fn random_string(rng: &mut Rng) -> String {
    match rng.below(4) {
        0 => (*rng.pick(STRINGS)).to_owned(),
        1 => (*rng.pick(KEYS)).to_owned(),
        2 => {
            let n = rng.below(40);
            (0..n).map(|_| char::from_u32(rng.below(0x3000) as u32).unwrap_or('?')).collect()
        }
        _ => "x".repeat(rng.below(400)),
    }
}

fn random_number(rng: &mut Rng) -> Value {
    match rng.below(8) {
        0 => json!(rng.below(100)),
        1 => json!(-(rng.below(100) as i64)),
        2 => json!(rng.next()),
        3 => json!(rng.next() as i64),
        4 => json!(rng.f64() * 1e6 - 5e5),
        5 => json!(*rng.pick(&[0.5, 1.5, -0.0, 1e300, -1e300, 3600.0, 86400.0, 59.0, 60.0, 86401.0, 30.0, 31.0])),
        6 => json!(*rng.pick(&[u64::MAX, u32::MAX as u64, u32::MAX as u64 + 1, 18_446_744_064_486_179_580])),
        _ => json!(*rng.pick(&[i64::MIN, -62_135_596_800, 253_402_300_799, 253_402_300_800, 999_999_999, 1_000_000_000])),
    }
}

fn random_value(rng: &mut Rng, depth: usize) -> Value {
    let leaf = depth == 0 || rng.chance(35);
    if leaf {
        return match rng.below(5) {
            0 => Value::Null,
            1 => Value::Bool(rng.chance(50)),
            2 => random_number(rng),
            _ => Value::String(random_string(rng)),
        };
    }
    if rng.chance(40) {
        let n = rng.below(5);
        Value::Array((0..n).map(|_| random_value(rng, depth - 1)).collect())
    } else {
        let n = rng.below(7);
        let mut m = Map::new();
        for _ in 0..n {
            m.insert((*rng.pick(KEYS)).to_owned(), random_value(rng, depth - 1));
        }
        Value::Object(m)
    }
}

fn random_bytes(rng: &mut Rng) -> String {
    let n = rng.below(200);
    let bytes: Vec<u8> = (0..n)
        .map(|_| if rng.chance(50) { *rng.pick(b"{}[]\":,0123456789.eE-+ntrufalsx\\") } else { rng.next() as u8 })
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// Cuts `text` at a random character boundary.
fn truncate(rng: &mut Rng, text: &str) -> String {
    let cut = rng.below(text.len() + 1);
    let mut i = cut;
    while !text.is_char_boundary(i) {
        i -= 1;
    }
    text[..i].to_owned()
}

/// A random text for a parser: random JSON, a mutation or truncation of it, or random bytes.
fn random_text(rng: &mut Rng, seeds: &[Value]) -> String {
    match rng.below(7) {
        5 | 6 => {
            let mut v = rng.pick(seeds).clone();
            same_shape(rng, &mut v);
            v.to_string()
        }
        0 => random_bytes(rng),
        1 => random_value(rng, 4).to_string(),
        2 => {
            let seed = rng.pick(seeds).clone();
            mutate(rng, seed).to_string()
        }
        3 => {
            let seed = rng.pick(seeds).to_string();
            truncate(rng, &seed)
        }
        _ => {
            let mut v = rng.pick(seeds).clone();
            for _ in 0..rng.below(4) + 1 {
                v = mutate(rng, v);
            }
            v.to_string()
        }
    }
}

/// Replaces some leaves of `v` by random values of the same JSON type.
fn same_shape(rng: &mut Rng, v: &mut Value) {
    match v {
        Value::Object(m) => m.values_mut().for_each(|x| same_shape(rng, x)),
        Value::Array(a) => a.iter_mut().for_each(|x| same_shape(rng, x)),
        Value::String(s) if rng.chance(30) => *s = random_string(rng),
        Value::Number(n) if rng.chance(30) => *n = random_number(rng).as_number().unwrap().clone(),
        Value::Bool(b) if rng.chance(30) => *b = rng.chance(50),
        _ => {}
    }
}

/// Replaces, removes or adds one member somewhere in `v`.
fn mutate(rng: &mut Rng, mut v: Value) -> Value {
    fn walk(rng: &mut Rng, v: &mut Value) {
        match v {
            Value::Object(m) if !m.is_empty() && rng.chance(70) => {
                let keys: Vec<String> = m.keys().cloned().collect();
                let k = rng.pick(&keys).clone();
                match rng.below(4) {
                    0 => {
                        m.remove(&k);
                    }
                    1 => {
                        let replacement = random_value(rng, 3);
                        m.insert(k, replacement);
                    }
                    _ => walk(rng, m.get_mut(&k).unwrap()),
                }
            }
            Value::Array(a) if !a.is_empty() && rng.chance(70) => {
                let i = rng.below(a.len());
                if rng.chance(50) {
                    walk(rng, &mut a[i]);
                } else {
                    a[i] = random_value(rng, 3);
                }
            }
            Value::Object(m) => {
                let value = random_value(rng, 2);
                m.insert((*rng.pick(KEYS)).to_owned(), value);
            }
            other => *other = random_value(rng, 2),
        }
    }
    walk(rng, &mut v);
    v
}

fn valid_inputs(op: &str) -> Value {
    match op {
        CreateConfig::NAME => json!({"name":"agent","description":"d",
            "connectionToolMappings":[{"connectionName":"gmail","tools":["a","b"]},{"connectionName":"cal"}]}),
        ListConfigs::NAME => json!({"filter":{"id":"cfg_1","name":"Agent_1","provider":"GMAIL","mcpServerUrl":"https://x/y"},
            "search":"a","pageSize":10,"pageToken":"2"}),
        GetConfig::NAME | DeleteConfig::NAME => json!({"configId":"cfg_1"}),
        UpdateConfig::NAME => json!({"configId":"cfg_1","description":"d","connectionToolMappings":[{"connectionName":"gmail"}]}),
        ListConnectedAccounts::NAME => json!({"configId":"cfg_1","identifier":"user_1","includeAuthLink":true}),
        CreateSessionToken::NAME => json!({"configId":"cfg_1","identifier":"u","expirySeconds":3600,"accessLevel":"READ_ONLY"}),
        CreateConnectionSessionToken::NAME => json!({"connectionName":"gh","identifier":"u","expirySeconds":60,"accessLevel":"FULL"}),
        EnsureInstance::NAME => json!({"configName":"agent","userIdentifier":"u","name":"n"}),
        ListInstances::NAME => json!({"filter":{"id":"i","name":"n","configName":"c","userIdentifier":"u"},"search":"s","pageSize":30,"pageToken":"t"}),
        GetInstance::NAME | DeleteInstance::NAME => json!({"instanceId":"inst_1"}),
        UpdateInstance::NAME => json!({"instanceId":"inst_1","name":"n","configName":"agent"}),
        GetInstanceAuthState::NAME => json!({"instanceId":"inst_1","includeAuthLinks":true}),
        ListTools::NAME => json!({"filter":{"provider":"GMAIL","connector":"MY_GMAIL","identifier":"u","toolName":["a","b"],
            "query":"gmail get","summary":false},"pageSize":100,"pageToken":"t"}),
        _ => unreachable!("{op}"),
    }
}

fn valid_response(op: &str) -> Value {
    let config = json!({"id":"cfg_1","name":"agent","description":"d","mcp_server_url":"https://x",
        "connection_tool_mappings":[{"connection_id":"conn_1","connection_name":"gmail","provider":"GMAIL","tools":["a"],
            "connected_account_id":"ca_1","connected_account_status":"ACTIVE"}]});
    let instance = json!({"id":"inst_1","name":"n","user_identifier":"u","config":config,"url":"https://x/mcp",
        "last_used_at":"0001-01-01T00:00:00Z","updated_at":{"seconds":"1718795518","nanos":5}});
    let states = json!([{"connection_id":"c","connection_name":"g","provider":"P","connected_account_id":"ca",
        "connected_account_status":"ACTIVE","authentication_link":"https://l"}]);
    match op {
        CreateConfig::NAME | GetConfig::NAME | UpdateConfig::NAME => json!({ "config": config }),
        EnsureInstance::NAME | GetInstance::NAME | UpdateInstance::NAME => json!({ "instance": instance }),
        ListConfigs::NAME => json!({"configs":[config],"next_page_token":"2","prev_page_token":"","total_size":1}),
        ListInstances::NAME => json!({"instances":[instance],"nextPageToken":"","prevPageToken":"","totalSize":"1"}),
        ListConnectedAccounts::NAME => json!({ "connected_accounts": states }),
        GetInstanceAuthState::NAME => json!({ "connections": states }),
        CreateSessionToken::NAME | CreateConnectionSessionToken::NAME => {
            json!({"token":"eyJ.x.y","expires_at":"2026-08-21T11:00:00Z"})
        }
        DeleteConfig::NAME | DeleteInstance::NAME => json!({}),
        ListTools::NAME => json!({"tools":[{"id":"tol_1","provider":"GMAIL","definition":{"name":"gmail_search","description":"d",
            "input_schema":{"type":"object"},"annotations":{"read_only_hint":true,"title":"Search"}},"metadata":{},"tags":["email"],
            "is_default":true,"updated_at":"2026-01-01T00:00:00Z"}],"tool_names":["gmail_search"],"next_page_token":"","total_size":"1"}),
        _ => unreachable!("{op}"),
    }
}

const ERROR_BODIES: &[&str] = &[
    r#"{"code":3,"message":"Validation error","details":[{"@type":"type.googleapis.com/scalekit.v1.errdetails.ErrorInfo","error_code":"X","validation_error_info":{"field_violations":[{"field":"connection_tool_mappings[0].connection_name","description":"d","constraint":"required"}]}}]}"#,
    r#"{"code":16,"message":"Token empty","details":[{"@type":"type.googleapis.com/scalekit.v1.errdetails.ErrorInfo","error_code":"UNAUTHENTICATED"}]}"#,
    r#"{"error":"invalid_client","error_description":"bad"}"#,
    r#"{"code":"NOT_FOUND","message":"nope","details":[{"@type":"type.googleapis.com/google.rpc.Help","links":[{"url":"u"}]}]}"#,
];

/// Runs `f`, reporting `what` and the input if it panics.
fn no_panic<T>(what: &str, input: &str, f: impl FnOnce() -> T) -> T {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(_) => panic!("{what} panicked on input {input:?}"),
    }
}

/// A typed error serializes to the JSON JavaScript expects.
fn check_error(e: &SdkError) {
    let v = serde_json::to_value(e).expect("an error serializes");
    for key in ["kind", "message", "status", "code", "errorCode", "traceId", "field", "retryAfterMs", "details"] {
        assert!(v.get(key).is_some(), "{key} missing in {v}");
    }
    assert_eq!(v["kind"], json!(e.kind.name()));
    assert!(!e.message.is_empty());
    assert!(!e.code.is_empty());
    assert!(e.message.chars().count() <= 400, "{}", e.message);
    assert!(!e.message.chars().any(|c| c.is_control()), "{:?}", e.message);
}

fn is_encoded_segment(s: &str) -> bool {
    is_encoded(s) && s != "." && s != ".."
}

/// Only unreserved characters and `%XX` escapes.
fn is_encoded(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if !(b.get(i + 1).is_some_and(u8::is_ascii_hexdigit) && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit)) {
                return false;
            }
            i += 3;
        } else if b[i].is_ascii_alphanumeric() || b"-._~".contains(&b[i]) {
            i += 1;
        } else {
            return false;
        }
    }
    true
}

/// What every built request must satisfy.
fn check_request(op: &str, r: &HttpRequest) {
    assert!(r.path_and_query.starts_with("/api/v1/mcp/") || r.path_and_query.starts_with("/api/v1/tools"), "{op:?} {}", r.path_and_query);
    let (path, query) = r.path_and_query.split_once('?').unwrap_or((&r.path_and_query, ""));
    for seg in path.trim_start_matches('/').split('/') {
        let seg = seg.strip_suffix(":get_auth_state").unwrap_or(seg);
        assert!(is_encoded_segment(seg), "{op:?}: segment {seg:?} of {}", r.path_and_query);
    }
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').expect("key=value");
        // Form encoding: a space is `+`.
        assert!(is_encoded(k) && !k.is_empty() && is_encoded(&v.replace('+', "%20")), "{op:?}: {pair}");
    }
    match r.body.as_deref() {
        Some(body) => {
            assert_eq!(r.content_type, Some("application/json"));
            let v: Value = serde_json::from_str(body).expect("body is JSON");
            assert!(v.is_object());
            // The wire uses proto names only.
            for k in v.as_object().unwrap().keys() {
                assert!(!k.chars().any(|c| c.is_ascii_uppercase()), "{op:?}: body key {k}");
            }
        }
        None => assert_eq!(r.content_type, None),
    }
    let method = match op {
        ListConfigs::NAME | GetConfig::NAME | ListInstances::NAME | GetInstance::NAME | ListTools::NAME => "GET",
        DeleteConfig::NAME | DeleteInstance::NAME => "DELETE",
        UpdateConfig::NAME => "PUT",
        UpdateInstance::NAME => "PATCH",
        _ => "POST",
    };
    assert_eq!(r.method, method);
}

const CASES: usize = 1000;

#[test]
fn build_request_never_panics_and_keeps_invariants() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for op in OPERATIONS.iter().map(|s| s.name) {
        let seeds = [valid_inputs(op), json!({}), json!(null)];
        let r = build_request(op, &seeds[0].to_string()).unwrap().unwrap_or_else(|e| panic!("{op:?}: {e:?}"));
        check_request(op, &r);
        let mut built = 0;
        for _ in 0..CASES {
            let input = random_text(&mut rng, &seeds);
            let Some(result) = no_panic(op, &input, || build_request(op, &input)) else { continue };
            match result {
                Ok(r) => {
                    check_request(op, &r);
                    built += 1;
                }
                Err(e) => {
                    assert_eq!(e.kind, ErrorKind::Validation, "{op:?} {input}");
                    assert_eq!(e.code, "INVALID_ARGUMENT");
                    assert!(e.field.is_some());
                    check_error(&e);
                }
            }
        }
        // The mutations keep a fair share of inputs valid, so the builders are exercised too.
        assert!(built >= CASES / 20, "{op:?}: only {built} of {CASES} inputs were valid");
    }
}

#[test]
fn any_string_id_is_one_path_segment() {
    let mut rng = Rng(7);
    for _ in 0..CASES {
        let id = random_string(&mut rng);
        for (op, key) in [(GetConfig::NAME, "configId"), (GetInstance::NAME, "instanceId"), (GetInstanceAuthState::NAME, "instanceId")] {
            let input = json!({ key: id }).to_string();
            match build_request(op, &input).unwrap() {
                Ok(r) => {
                    check_request(op, &r);
                    let segments = r.path_and_query.split('?').next().unwrap().matches('/').count();
                    assert_eq!(segments, 5, "{op:?} {id:?} -> {}", r.path_and_query);
                }
                Err(e) => {
                    let n = id.chars().count();
                    assert!(n == 0 || n > 255 || id == "." || id == "..", "{id:?} rejected: {e:?}");
                }
            }
        }
    }
}

#[test]
fn parse_response_never_panics() {
    let mut rng = Rng(0xDEAD_BEEF);
    for op in OPERATIONS.iter().map(|s| s.name) {
        let seeds = [valid_response(op), json!({}), json!({"config":{},"instance":{}})];
        let out = parse_response(op, 200, seeds[0].to_string().as_bytes()).unwrap_or_else(|e| panic!("{op:?}: {e:?}"));
        serde_json::to_value(&out).unwrap();
        let mut parsed = 0;
        for _ in 0..CASES {
            let body = random_text(&mut rng, &seeds);
            let status = if rng.chance(70) { *rng.pick(&[200, 201, 204, 299]) } else { *rng.pick(&[400, 404, 429, 500, 302, 0, 999]) };
            match no_panic(op, &body, || parse_response(op, status, body.as_bytes())) {
                Ok(out) => {
                    parsed += 1;
                    assert!((200..300).contains(&status));
                    let v = serde_json::to_value(&out).expect("an output serializes");
                    assert!(v.is_object() || v.is_null(), "{op:?} {v}");
                    if matches!(op, GetInstanceAuthState::NAME | ListConnectedAccounts::NAME) {
                        assert_eq!(all_active(&out), v["allActive"].as_bool().unwrap());
                    }
                }
                Err(e) => {
                    assert_eq!(e.status, Some(status));
                    if (200..300).contains(&status) {
                        assert_eq!(e.kind, ErrorKind::InvalidResponse, "{op:?} {body}");
                    }
                    check_error(&e);
                }
            }
        }
        assert!(parsed >= CASES / 20, "{op:?}: only {parsed} of {CASES} bodies parsed");
        // Bytes that are not UTF-8 at all.
        for _ in 0..CASES / 4 {
            let bytes: Vec<u8> = (0..rng.below(64)).map(|_| rng.next() as u8).collect();
            if let Err(e) = no_panic(op, &format!("{bytes:?}"), || parse_response(op, 200, &bytes)) {
                assert_eq!(e.kind, ErrorKind::InvalidResponse);
                check_error(&e);
            }
        }
    }
}

#[test]
fn from_http_never_panics() {
    let mut rng = Rng(42);
    let seeds: Vec<Value> = ERROR_BODIES.iter().map(|b| serde_json::from_str(b).unwrap()).collect();
    for _ in 0..CASES * 4 {
        let body = random_text(&mut rng, &seeds);
        let status = rng.below(1000) as u16;
        let trace = random_string(&mut rng);
        let retry = if rng.chance(50) { Some(rng.next()) } else { None };
        let e = no_panic("from_http", &body, || SdkError::from_http(&Redactor::default(), status, Some(&trace), retry, &body));
        assert_eq!(e.status, Some(status));
        assert_eq!(e.retry_after_ms, retry);
        check_error(&e);
    }
}

#[test]
fn token_response_never_panics() {
    let mut rng = Rng(3);
    let seeds = [
        json!({"access_token":"eyJ","token_type":"Bearer","expires_in":86399,"scope":"openid"}),
        json!({"access_token":"eyJ","expires_in":"3600"}),
        json!({"error":"invalid_client","error_description":"bad"}),
    ];
    for _ in 0..CASES * 2 {
        let body = random_text(&mut rng, &seeds);
        let status = *rng.pick(&[200, 201, 400, 401, 403, 500, 503]);
        let parse = || scalekit_mcp::core::auth::parse_token_response(&Redactor::default(), status, body.as_bytes());
        match no_panic("parse_token_response", &body, parse) {
            Ok(g) => {
                assert!(!g.access_token.is_empty());
                assert!(g.access_token.bytes().all(|b| b.is_ascii_graphic()), "a token that can be sent");
                assert!(g.expires_in_secs.is_none_or(f64::is_finite));
                let mut cache = TokenCache::new();
                cache.store(&g, 1000.0);
                assert_eq!(cache.get(1000.0), Some(g.access_token.as_str()));
            }
            Err(e) => check_error(&e),
        }
    }
}

#[test]
fn client_options_never_panic_or_leak_the_secret() {
    let mut rng = Rng(11);
    let secret = "sk_test_7HqLmN0pQrStUvWx";
    let seeds = [json!({"envUrl":"https://acme.scalekit.com","clientId":"skc_1","clientSecret":secret,
        "timeoutMs":1000,"maxRetries":3,"dangerouslyAllowBrowser":false})];
    for _ in 0..CASES * 2 {
        let input = random_text(&mut rng, &seeds);
        let Ok(value) = serde_json::from_str::<Value>(&input) else { continue };
        match no_panic("parse_client_options", &input, || scalekit_mcp::core::auth::parse_client_options(value)) {
            Ok(o) => {
                assert!(o.env_url.starts_with("https://") || o.env_url.starts_with("http://"));
                assert!(!o.env_url.ends_with('/'));
                assert!(o.timeout() > 0.0 && o.timeout().is_finite());
                assert!(o.retries() <= 10);
                let r = token_request(&o);
                assert_eq!(r.path_and_query, "/oauth/token");
                // Debug output does not depend on the secret at all.
                let other = scalekit_mcp::core::auth::ClientOptions { client_secret: "other".into(), ..o.clone() };
                assert_eq!(format!("{o:?}"), format!("{other:?}"));
            }
            Err(e) => {
                assert_eq!(e.kind, ErrorKind::Validation);
                check_error(&e);
                let shown = serde_json::to_string(&e).unwrap();
                assert!(!shown.contains(secret), "{input}: {shown}");
            }
        }
    }
}

#[test]
fn wait_target_and_polls_never_panic() {
    let mut rng = Rng(5);
    let seeds = [json!({"instanceId":"inst_1"}), json!({"configId":"cfg_1","identifier":"u"})];
    let bodies = [valid_response(GetInstanceAuthState::NAME), valid_response(ListConnectedAccounts::NAME)];
    for _ in 0..CASES {
        let input = random_text(&mut rng, &seeds);
        let Ok(value) = serde_json::from_str::<Value>(&input) else { continue };
        match no_panic("WaitTarget::read", &input, || WaitTarget::read(value)) {
            Ok(t) => {
                let (spec, r) = t.poll(rng.chance(50));
                let op = match t {
                    WaitTarget::Instance { .. } => GetInstanceAuthState::NAME,
                    WaitTarget::Config { .. } => ListConnectedAccounts::NAME,
                };
                assert_eq!(spec.name, op);
                check_request(op, &r);
                let body = random_text(&mut rng, &bodies);
                match no_panic("a poll's answer", &body, || (spec.answer)(body.as_bytes())) {
                    Ok(out) => {
                        let _ = all_active(&out);
                    }
                    Err(e) => check_error(&e),
                }
            }
            Err(e) => assert_eq!(e.kind, ErrorKind::Validation),
        }
    }
}

#[test]
fn policy_functions_never_panic() {
    let mut rng = Rng(99);
    let specials = [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -1.0, 0.0, 1e308, -1e308, 0.5];
    for _ in 0..CASES * 3 {
        let text = if rng.chance(50) { random_string(&mut rng) } else { random_bytes(&mut rng) };
        let now = if rng.chance(20) { *rng.pick(&specials) } else { rng.f64() * 4e12 };
        let _ = no_panic("parse_retry_after", &text, || parse_retry_after(&text, now));
        let n = rng.next() as u32;
        let r = if rng.chance(20) { *rng.pick(&specials) } else { rng.f64() };
        let b = backoff_ms(n, r);
        assert!((0.0..8000.0).contains(&b), "{n} {r} {b}");
        let d = retry_delay_ms(n, r, if rng.chance(50) { Some(rng.next() % 120_000) } else { None });
        assert!(d.is_none_or(|d| (0.0..=60_000.0).contains(&d)));
        let p = auth_poll_delay_ms(if rng.chance(50) { Some(*rng.pick(&specials)) } else { None }, n);
        assert!(p.is_finite() && p >= 500.0, "{p}");
        let secret = random_string(&mut rng);
        let red = no_panic("Redactor::clean", &text, || Redactor::new(&[&secret]).clean(&text));
        let plain = !secret.chars().any(|c| "[]/redactREDACT".contains(c));
        if secret.chars().count() >= MIN_SECRET_CHARS && plain {
            assert!(!red.to_ascii_lowercase().contains(&secret.to_ascii_lowercase()), "{text:?} {secret:?}");
        }
        let mut cache = TokenCache::new();
        let grant = TokenGrant { access_token: "t".into(), expires_in_secs: Some(*rng.pick(&specials)) };
        cache.store(&grant, now);
        let _ = cache.get(now);
    }
}
