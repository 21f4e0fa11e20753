//! The wasm shell against the emulator, in Node: `wasm-pack test --node -- --test node`.
//!
//! Every test starts its own emulator (js/emulator, a real HTTP server on 127.0.0.1, in this same
//! Node process) and drives the exported `Core` exactly as the JavaScript wrapper does: plain
//! objects in, plain objects out, errors as plain objects describing the SdkError.
#![cfg(target_arch = "wasm32")]

use scalekit_mcp::shell::Core;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;
use web_sys::AbortController;

/// The emulator's entry module, as a `file://` URL for a dynamic `import()`.
const EMULATOR: &str = concat!("file://", env!("CARGO_MANIFEST_DIR"), "/js/emulator/index.mjs");

#[wasm_bindgen(inline_js = r#"
export async function startEmu(url) {
  const mod = await import(url);
  return mod.startEmulator({ unref: true });
}
export async function emuCall(handle, method, argJson) {
  const arg = argJson === undefined || argJson === null ? undefined : JSON.parse(argJson);
  const out = await handle[method](arg);
  return JSON.stringify(out === undefined ? null : out);
}
export function jwtPayload(token) {
  const part = String(token).split('.')[1] ?? '';
  return Buffer.from(part, 'base64url').toString('utf8');
}
export function jwtParts(token) {
  return String(token).split('.').length;
}
export function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
export function abortLater(controller, ms) {
  setTimeout(() => controller.abort(), ms);
}
export function all(promises) {
  return Promise.allSettled(promises).then((results) =>
    results.map((r) => (r.status === 'fulfilled'
      ? { ok: r.value === undefined ? null : r.value }
      : { err: r.reason !== null && typeof r.reason === 'object' && !(r.reason instanceof Error) ? r.reason : String(r.reason) })));
}
// onPending that records each state and authorizes its links after `after` pending states.
export function authorizingCallback(handle, after) {
  const seen = [];
  const fn = (state) => {
    seen.push(state);
    if (seen.length >= after) {
      const list = state.connections ?? state.connectedAccounts ?? [];
      for (const c of list) {
        if (c.authenticationLink && c.connectedAccountStatus !== 'ACTIVE') handle.authorize(c.authenticationLink);
      }
    }
  };
  return { fn, count: () => seen.length };
}
export function callbackFn(cb) { return cb.fn; }
export function callbackCount(cb) { return cb.count(); }
export function throwingCallback() {
  return () => { throw new Error('callback failed'); };
}
export function errorMessage(e) {
  return e instanceof Error ? e.message : String(e);
}
// Pretends to be a browser page (or worker, or an edge runtime) until restoreEnv().
let saved = null;
export function fakeEnv(kind) {
  const g = globalThis;
  const names = ['process', 'window', 'importScripts', 'WorkerGlobalScope', 'navigator', 'Deno', 'EdgeRuntime'];
  saved = names.map((n) => [n, Object.getOwnPropertyDescriptor(g, n)]);
  const set = (n, v) => Object.defineProperty(g, n, { value: v, configurable: true, writable: true });
  set('process', undefined);
  if (kind === 'page' || kind === 'deno-page') set('window', { document: {} });
  if (kind === 'worker' || kind === 'cloudflare') {
    set('importScripts', function importScripts() {});
    set('WorkerGlobalScope', function WorkerGlobalScope() {});
  }
  if (kind === 'cloudflare') set('navigator', { userAgent: 'Cloudflare-Workers' });
  if (kind === 'deno-page') set('Deno', {});
  if (kind === 'vercel') { set('window', { document: {} }); set('EdgeRuntime', 'edge-runtime'); }
}
export function restoreEnv() {
  const g = globalThis;
  for (const [n, d] of saved ?? []) {
    if (d) Object.defineProperty(g, n, d);
    else delete g[n];
  }
  saved = null;
}
export async function abortListeners(signal) {
  const { getEventListeners } = await import('node:events');
  return getEventListeners(signal, 'abort').length;
}
export function activeTimers() {
  return process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = startEmu)]
    fn start_emu(url: &str) -> js_sys::Promise;
    #[wasm_bindgen(js_name = emuCall)]
    fn emu_call(handle: &JsValue, method: &str, arg_json: Option<String>) -> js_sys::Promise;
    #[wasm_bindgen(js_name = jwtPayload)]
    fn jwt_payload(token: &str) -> String;
    #[wasm_bindgen(js_name = jwtParts)]
    fn jwt_parts(token: &str) -> u32;
    fn sleep(ms: f64) -> js_sys::Promise;
    #[wasm_bindgen(js_name = abortLater)]
    fn abort_later(controller: &AbortController, ms: f64);
    fn all(promises: &js_sys::Array) -> js_sys::Promise;
    #[wasm_bindgen(js_name = authorizingCallback)]
    fn authorizing_callback(handle: &JsValue, after: u32) -> JsValue;
    #[wasm_bindgen(js_name = callbackFn)]
    fn callback_fn(cb: &JsValue) -> js_sys::Function;
    #[wasm_bindgen(js_name = callbackCount)]
    fn callback_count(cb: &JsValue) -> u32;
    #[wasm_bindgen(js_name = throwingCallback)]
    fn throwing_callback() -> js_sys::Function;
    #[wasm_bindgen(js_name = errorMessage)]
    fn error_message(e: &JsValue) -> String;
    #[wasm_bindgen(js_name = fakeEnv)]
    fn fake_env(kind: &str);
    #[wasm_bindgen(js_name = restoreEnv)]
    fn restore_env();
    #[wasm_bindgen(js_name = abortListeners)]
    fn abort_listeners(signal: &web_sys::AbortSignal) -> js_sys::Promise;
    #[wasm_bindgen(js_name = activeTimers)]
    fn active_timers() -> u32;
}

// ---------------------------------------------------------------------------------------------
// helpers
// ---------------------------------------------------------------------------------------------

struct Emu {
    handle: JsValue,
    url: String,
    secret: String,
}

async fn emu() -> Emu {
    let handle = JsFuture::from(start_emu(EMULATOR)).await.expect("emulator starts");
    let get = |k: &str| js_sys::Reflect::get(&handle, &JsValue::from_str(k)).unwrap().as_string().unwrap();
    let url = get("url");
    let secret = get("clientSecret");
    Emu { handle, url, secret }
}

impl Emu {
    async fn ctl(&self, method: &str, arg: Option<Value>) -> Value {
        let out = JsFuture::from(emu_call(&self.handle, method, arg.map(|a| a.to_string())))
            .await
            .unwrap_or_else(|e| panic!("emulator.{method} failed: {}", error_message(&e)));
        serde_json::from_str(&out.as_string().unwrap()).unwrap()
    }

    fn options(&self, extra: Value) -> String {
        let mut o = json!({"envUrl": self.url, "clientId": "skc_emulator", "clientSecret": self.secret});
        if let (Some(o), Some(extra)) = (o.as_object_mut(), extra.as_object()) {
            for (k, v) in extra {
                o.insert(k.clone(), v.clone());
            }
        }
        o.to_string()
    }

    fn core(&self) -> Core {
        self.core_with(json!({}))
    }

    fn core_with(&self, extra: Value) -> Core {
        Core::new(js(&self.options(extra)), None).unwrap_or_else(|e| panic!("Core::new: {}", value(&e)))
    }

    async fn fault(&self, fault: Value) {
        self.ctl("injectFault", Some(fault)).await;
    }

    async fn requests(&self) -> Vec<Value> {
        match self.ctl("requests", None).await {
            Value::Array(a) => a,
            other => panic!("requests: {other}"),
        }
    }

    /// Requests to the MCP API (not the token endpoint).
    async fn api_requests(&self) -> Vec<Value> {
        self.requests()
            .await
            .into_iter()
            .filter(|r| r["path"].as_str().is_some_and(|p| p.starts_with("/api/")))
            .collect()
    }

    async fn counters(&self) -> (u64, u64) {
        let c = self.ctl("counters", None).await;
        (c["tokenRequests"].as_u64().unwrap(), c["apiRequests"].as_u64().unwrap())
    }

    async fn close(self) {
        self.ctl("close", None).await;
    }
}

/// Settles a `call`: `Ok(output)` or `Err(error JSON)`.
async fn settle(p: js_sys::Promise) -> Result<Value, Value> {
    match JsFuture::from(p).await {
        Ok(v) => Ok(value(&v)),
        Err(e) => {
            assert!(e.is_object() && !e.is_instance_of::<js_sys::Error>(), "rejects with a plain object, got {}", error_message(&e));
            Err(value(&e))
        }
    }
}

async fn call(core: &Core, op: &str, input: Value) -> Result<Value, Value> {
    settle(core.call(op, js(&input.to_string()), None, None, JsValue::UNDEFINED)).await
}

async fn ok(core: &Core, op: &str, input: Value) -> Value {
    call(core, op, input.clone()).await.unwrap_or_else(|e| panic!("{op} {input}: {e}"))
}

async fn fail(core: &Core, op: &str, input: Value) -> Value {
    match call(core, op, input.clone()).await {
        Ok(v) => panic!("{op} {input} succeeded: {v}"),
        Err(e) => e,
    }
}

fn now() -> f64 {
    js_sys::Date::now()
}

/// A JavaScript value from JSON text, as the wrapper would pass it.
fn js(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap_or_else(|_| panic!("{text} is JSON"))
}

/// A plain JavaScript value as JSON, to assert on.
fn value(v: &JsValue) -> Value {
    serde_wasm_bindgen::from_value(v.clone()).unwrap_or_else(|_| panic!("{} is plain data", error_message(v)))
}

fn config_input(name: &str) -> Value {
    json!({
        "name": name,
        "description": "mail and calendar",
        "connectionToolMappings": [
            {"connectionName": "gmail", "tools": ["gmail_fetch_mails"]},
            {"connectionName": "googlecalendar", "tools": ["googlecalendar_create_event"]}
        ]
    })
}

async fn create_config(core: &Core, name: &str) -> Value {
    ok(core, "createConfig", config_input(name)).await
}

// ---------------------------------------------------------------------------------------------
// the happy path
// ---------------------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn full_flow_config_instance_auth_session_token() {
    let e = emu().await;
    let core = e.core();
    let config = create_config(&core, "mail-agent").await;
    let config_id = config["id"].as_str().unwrap().to_string();
    assert_eq!(config["name"], "mail-agent");
    assert_eq!(config["connectionToolMappings"].as_array().unwrap().len(), 2);
    let server_url = config["mcpServerUrl"].as_str().unwrap().to_string();

    let input = json!({"configName": "mail-agent", "userIdentifier": "user_1"});
    let a = ok(&core, "ensureInstance", input.clone()).await;
    let b = ok(&core, "ensureInstance", input).await;
    assert!(a["id"].as_str().is_some_and(|s| !s.is_empty()));
    assert_eq!(a["id"], b["id"], "ensureInstance is idempotent");
    let instance_id = a["id"].as_str().unwrap().to_string();

    let state = ok(&core, "getInstanceAuthState", json!({"instanceId": instance_id, "includeAuthLinks": true})).await;
    assert_eq!(state["allActive"], false);
    let conns = state["connections"].as_array().unwrap().clone();
    assert_eq!(conns.len(), 2);
    for c in &conns {
        let link = c["authenticationLink"].as_str().unwrap();
        assert!(!link.is_empty(), "a link for {c}");
        e.ctl("authorize", Some(json!(link))).await;
    }
    let state = ok(&core, "getInstanceAuthState", json!({"instanceId": instance_id})).await;
    assert_eq!(state["allActive"], true, "{state}");
    for c in state["connections"].as_array().unwrap() {
        assert_eq!(c["connectedAccountStatus"], "ACTIVE");
    }

    let token = ok(&core, "createSessionToken", json!({"configId": config_id, "identifier": "user_1"})).await;
    let jwt = token["token"].as_str().unwrap();
    assert_eq!(jwt_parts(jwt), 3);
    let payload: Value = serde_json::from_str(&jwt_payload(jwt)).unwrap();
    assert_eq!(payload["sub"], "user_1");
    let aud_ok = match &payload["aud"] {
        Value::String(s) => *s == server_url,
        Value::Array(a) => a.iter().any(|v| *v == server_url),
        _ => false,
    };
    assert!(aud_ok, "aud {} is the config's MCP server URL {server_url}", payload["aud"]);
    assert!(!token["expiresAt"].as_str().unwrap().is_empty());

    // Every API request carried the bearer token and asked for JSON.
    for r in e.api_requests().await {
        assert_eq!(r["headers"]["authorization"], "<redacted>", "{r}");
        assert_eq!(r["headers"]["accept"], "application/json");
    }
    assert_eq!(e.counters().await.0, 1, "one token for the whole flow");
    e.close().await;
}

#[wasm_bindgen_test]
async fn describe_shows_no_secret() {
    let e = emu().await;
    let core = e.core();
    let d = value(&core.describe());
    assert_eq!(d, json!({"envUrl": e.url, "clientId": "skc_emulator"}));
    assert!(!d.to_string().contains(&e.secret));
    e.close().await;
}

// ---------------------------------------------------------------------------------------------
// refusals before any request
// ---------------------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn invalid_options_throw() {
    let err = Core::new(js(r#"{"envUrl":"not a url","clientId":"a","clientSecret":"b"}"#), None).err().unwrap();
    let err = value(&err);
    assert_eq!(err["kind"], "Validation");
    let err = Core::new(JsValue::from_str("{"), None).err().unwrap();
    let err = value(&err);
    assert_eq!(err["kind"], "Validation");
}

#[wasm_bindgen_test]
async fn validation_errors_send_nothing() {
    let e = emu().await;
    let core = e.core();
    let err = fail(&core, "createConfig", json!({"name": "Bad Name!"})).await;
    assert_eq!(err["kind"], "Validation");
    assert_eq!(err["code"], "INVALID_ARGUMENT");
    assert_eq!(err["field"], "name");
    let err = fail(&core, "noSuchOp", json!({})).await;
    assert_eq!(err["kind"], "Validation");
    assert!(err["message"].as_str().unwrap().contains("noSuchOp"));
    let err = fail(&core, "listConfigs", json!({"pageSize": 31})).await;
    assert_eq!(err["kind"], "Validation");
    let err = settle(core.call("getConfig", JsValue::from_str("{not json"), None, None, JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert_eq!(err["kind"], "Validation");
    let err = settle(core.call("listConfigs", js("{}"), None, Some(-5.0), JsValue::UNDEFINED)).await.unwrap_err();
    assert_eq!((err["kind"].as_str(), err["field"].as_str()), (Some("Validation"), Some("timeoutMs")));
    assert!(e.requests().await.is_empty(), "no request at all, not even for a token");
    e.close().await;
}

#[wasm_bindgen_test]
async fn already_aborted_signal_rejects_without_request() {
    let e = emu().await;
    let core = e.core();
    let ctl = AbortController::new().unwrap();
    ctl.abort();
    let err = settle(core.call("listConfigs", js("{}"), Some(ctl.signal()), None, JsValue::UNDEFINED)).await.unwrap_err();
    assert_eq!((err["kind"].as_str(), err["code"].as_str()), (Some("Abort"), Some("ABORTED")));
    let err = settle(core.wait_for_auth(js(r#"{"instanceId":"inst_1"}"#), None, Some(ctl.signal()), None, None, None))
        .await
        .unwrap_err();
    assert_eq!(err["kind"], "Abort");
    assert!(e.requests().await.is_empty());
    e.close().await;
}

// ---------------------------------------------------------------------------------------------
// HTTP errors
// ---------------------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn not_found_and_conflict_are_typed() {
    let e = emu().await;
    let core = e.core();
    let err = fail(&core, "getConfig", json!({"configId": "cfg_404"})).await;
    assert_eq!(err["kind"], "NotFound");
    assert_eq!(err["status"], 404);
    assert_eq!(err["code"], "NOT_FOUND");
    assert!(err["traceId"].as_str().is_some_and(|t| !t.is_empty()), "trace id from x-trace-id: {err}");

    create_config(&core, "dup").await;
    let err = fail(&core, "createConfig", config_input("dup")).await;
    assert_eq!(err["kind"], "Conflict");
    assert_eq!(err["status"], 409);
    e.close().await;
}

#[wasm_bindgen_test]
async fn error_messages_never_hold_the_secret() {
    let e = emu().await;
    let core = e.core();
    let body = json!({"code": 13, "message": format!("leaked {} here", e.secret)}).to_string();
    e.fault(json!({"pathPrefix": "/api/v1/mcp/configs", "status": 400, "body": body, "contentType": "application/json"}))
        .await;
    let err = fail(&core, "listConfigs", json!({})).await;
    assert_eq!(err["status"], 400);
    assert!(!err.to_string().contains(&e.secret), "{err}");
    e.close().await;
}

#[wasm_bindgen_test]
async fn oversized_body_is_invalid_response() {
    let e = emu().await;
    let core = e.core();
    e.fault(json!({"pathPrefix": "/api/v1/mcp/configs", "status": 200, "bodyBytes": 11 * 1024 * 1024})).await;
    let err = fail(&core, "listConfigs", json!({})).await;
    assert_eq!(err["kind"], "InvalidResponse", "{err}");
    e.close().await;
}

// ---------------------------------------------------------------------------------------------
// the access token
// ---------------------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn token_is_single_flight() {
    let e = emu().await;
    let core = e.core();
    let calls = js_sys::Array::new();
    for _ in 0..20 {
        calls.push(&core.call("listConfigs", js("{}"), None, None, JsValue::UNDEFINED));
    }
    let results = value(&JsFuture::from(all(&calls)).await.unwrap());
    for r in results.as_array().unwrap() {
        assert!(r.get("ok").is_some(), "{r}");
    }
    assert_eq!(e.counters().await, (1, 20));
    e.close().await;
}

#[wasm_bindgen_test]
async fn failed_token_rejects_every_waiter_and_is_tried_again_later() {
    let e = emu().await;
    let core = e.core_with(json!({"clientSecret": "wrong-secret-value"}));
    let calls = js_sys::Array::new();
    for _ in 0..5 {
        calls.push(&core.call("listConfigs", js("{}"), None, None, JsValue::UNDEFINED));
    }
    let results = value(&JsFuture::from(all(&calls)).await.unwrap());
    for r in results.as_array().unwrap() {
        assert_eq!(r["err"]["kind"], "Authentication", "{r}");
        assert!(!r.to_string().contains("wrong-secret-value"), "{r}");
    }
    assert_eq!(e.counters().await, (1, 0), "one token request for five callers, no API request");
    fail(&core, "listConfigs", json!({})).await;
    assert_eq!(e.counters().await.0, 2, "a later call tries again");
    e.close().await;
}

#[wasm_bindgen_test]
async fn token_request_is_retried_on_503() {
    let e = emu().await;
    let core = e.core();
    e.fault(json!({"pathPrefix": "/oauth/token", "status": 503, "count": 1})).await;
    ok(&core, "listConfigs", json!({})).await;
    assert_eq!(e.counters().await, (2, 1));
    e.close().await;
}

#[wasm_bindgen_test]
async fn expired_token_is_refreshed_once() {
    let e = emu().await;
    let core = e.core();
    ok(&core, "listConfigs", json!({})).await;
    e.ctl("expireTokens", None).await;
    ok(&core, "listConfigs", json!({})).await;
    assert_eq!(e.counters().await, (2, 3), "401, new token, retry");
    e.close().await;
}

#[wasm_bindgen_test]
async fn second_401_is_authentication_error() {
    let e = emu().await;
    let core = e.core();
    e.fault(json!({"pathPrefix": "/api/v1/mcp/configs", "status": 401, "count": 5})).await;
    let err = fail(&core, "listConfigs", json!({})).await;
    assert_eq!(err["kind"], "Authentication");
    assert_eq!(e.counters().await, (2, 2), "one refresh, one retry, then give up");
    e.close().await;
}

// ---------------------------------------------------------------------------------------------
// retries
// ---------------------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn retries_503_then_succeeds() {
    let e = emu().await;
    let core = e.core();
    e.fault(json!({"pathPrefix": "/api/v1/mcp/configs", "status": 503, "count": 2})).await;
    let out = ok(&core, "listConfigs", json!({})).await;
    assert!(out["configs"].is_array());
    assert_eq!(e.counters().await.1, 3);
    e.close().await;
}

#[wasm_bindgen_test]
async fn retries_give_up_after_max_retries() {
    let e = emu().await;
    let core = e.core_with(json!({"maxRetries": 1}));
    e.fault(json!({"pathPrefix": "/api/v1/mcp/configs", "status": 503, "count": 5})).await;
    let err = fail(&core, "listConfigs", json!({})).await;
    assert_eq!((err["kind"].as_str(), err["status"].as_u64()), (Some("InternalServer"), Some(503)));
    assert_eq!(e.counters().await.1, 2);
    e.close().await;
}

#[wasm_bindgen_test]
async fn create_config_is_not_retried_on_500() {
    let e = emu().await;
    let core = e.core();
    e.fault(json!({"pathPrefix": "/api/v1/mcp/configs", "method": "POST", "status": 500, "count": 3})).await;
    let err = fail(&core, "createConfig", config_input("once")).await;
    assert_eq!(err["kind"], "InternalServer");
    assert_eq!(e.api_requests().await.len(), 1, "a create that may have happened is not repeated");
    e.close().await;
}

#[wasm_bindgen_test]
async fn retry_after_is_honoured() {
    let e = emu().await;
    let core = e.core();
    ok(&core, "listConfigs", json!({})).await; // token first, out of the timing
    e.fault(json!({"pathPrefix": "/api/v1/mcp/configs", "status": 429, "retryAfter": 1, "count": 1})).await;
    let t0 = now();
    ok(&core, "listConfigs", json!({})).await;
    let took = now() - t0;
    assert!(took >= 950.0, "waited {took} ms for Retry-After: 1");
    assert!(took < 5000.0, "took {took} ms");
    e.close().await;
}

#[wasm_bindgen_test]
async fn connection_refused_is_connection_error() {
    let e = emu().await;
    let core = e.core_with(json!({"maxRetries": 1}));
    let url = e.url.clone();
    e.close().await;
    let err = fail(&core, "listConfigs", json!({})).await;
    assert_eq!(err["kind"], "Connection", "{err}");
    assert_eq!(err["code"], "CONNECTION_ERROR");
    assert!(err["message"].as_str().unwrap().contains(&url), "{err}");
}

#[wasm_bindgen_test]
async fn dropped_connection_is_retried_for_safe_reads() {
    let e = emu().await;
    let core = e.core();
    ok(&core, "listConfigs", json!({})).await;
    e.fault(json!({"pathPrefix": "/api/v1/mcp/configs", "destroy": true, "count": 1})).await;
    ok(&core, "listConfigs", json!({})).await;
    assert_eq!(e.counters().await.1, 3);
    e.close().await;
}

// ---------------------------------------------------------------------------------------------
// timeouts and aborts
// ---------------------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn slow_response_times_out() {
    let e = emu().await;
    let core = e.core_with(json!({"maxRetries": 0}));
    ok(&core, "listConfigs", json!({})).await;
    e.fault(json!({"pathPrefix": "/api/v1/mcp/configs", "delayMs": 3000, "count": 1})).await;
    let t0 = now();
    let err = settle(core.call("listConfigs", js("{}"), None, Some(300.0), JsValue::UNDEFINED)).await.unwrap_err();
    let took = now() - t0;
    assert_eq!((err["kind"].as_str(), err["code"].as_str()), (Some("Timeout"), Some("TIMEOUT")));
    assert!((280.0..1500.0).contains(&took), "timed out after {took} ms");
    e.close().await;
}

#[wasm_bindgen_test]
async fn timeout_covers_retries() {
    let e = emu().await;
    let core = e.core();
    ok(&core, "listConfigs", json!({})).await;
    e.fault(json!({"pathPrefix": "/api/v1/mcp/configs", "status": 503, "delayMs": 200, "count": 50})).await;
    let t0 = now();
    let err = settle(core.call("listConfigs", js("{}"), None, Some(700.0), JsValue::UNDEFINED)).await.unwrap_err();
    let took = now() - t0;
    assert!(matches!(err["kind"].as_str(), Some("Timeout" | "InternalServer")), "{err}");
    assert!(took < 1500.0, "the whole call stays within its timeout: {took} ms");
    e.close().await;
}

#[wasm_bindgen_test]
async fn abort_rejects_at_once() {
    let e = emu().await;
    let core = e.core();
    ok(&core, "listConfigs", json!({})).await;
    e.fault(json!({"pathPrefix": "/api/v1/mcp/configs", "delayMs": 5000, "count": 1})).await;
    let ctl = AbortController::new().unwrap();
    abort_later(&ctl, 100.0);
    let t0 = now();
    let err = settle(core.call("listConfigs", js("{}"), Some(ctl.signal()), None, JsValue::UNDEFINED)).await.unwrap_err();
    let took = now() - t0;
    assert_eq!((err["kind"].as_str(), err["code"].as_str()), (Some("Abort"), Some("ABORTED")));
    assert!(took < 1000.0, "aborted after {took} ms");
    e.close().await;
}

#[wasm_bindgen_test]
async fn abort_during_backoff_rejects_at_once() {
    let e = emu().await;
    let core = e.core();
    ok(&core, "listConfigs", json!({})).await;
    e.fault(json!({"pathPrefix": "/api/v1/mcp/configs", "status": 503, "retryAfter": 10, "count": 1})).await;
    let ctl = AbortController::new().unwrap();
    abort_later(&ctl, 200.0);
    let t0 = now();
    let err = settle(core.call("listConfigs", js("{}"), Some(ctl.signal()), Some(30_000.0), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    let took = now() - t0;
    assert_eq!(err["kind"], "Abort", "{err}");
    assert!(took < 1500.0, "aborted after {took} ms");
    e.close().await;
}

#[wasm_bindgen_test]
async fn one_caller_aborting_does_not_cancel_the_token_for_others() {
    let e = emu().await;
    let core = e.core();
    e.fault(json!({"pathPrefix": "/oauth/token", "delayMs": 300, "count": 1})).await;
    let ctl = AbortController::new().unwrap();
    let a = core.call("listConfigs", js("{}"), Some(ctl.signal()), None, JsValue::UNDEFINED);
    let b = core.call("listConfigs", js("{}"), None, None, JsValue::UNDEFINED);
    abort_later(&ctl, 50.0);
    let a = settle(a).await.unwrap_err();
    assert_eq!(a["kind"], "Abort");
    settle(b).await.expect("the other call gets the token");
    assert_eq!(e.counters().await, (1, 1));
    e.close().await;
}

// ---------------------------------------------------------------------------------------------
// waitForAuth
// ---------------------------------------------------------------------------------------------

async fn instance(core: &Core, config: &str, user: &str) -> String {
    create_config(core, config).await;
    let inst = ok(core, "ensureInstance", json!({"configName": config, "userIdentifier": user})).await;
    inst["id"].as_str().unwrap().to_string()
}

#[wasm_bindgen_test]
async fn wait_for_auth_resolves_when_all_active() {
    let e = emu().await;
    let core = e.core();
    let id = instance(&core, "waiter", "u1").await;
    let cb = authorizing_callback(&e.handle, 2);
    let input = json!({"instanceId": id}).to_string();
    let out = settle(core.wait_for_auth(js(&input), Some(callback_fn(&cb)), None, Some(10_000.0), Some(50.0), Some(true)))
        .await
        .expect("all active");
    assert_eq!(out["allActive"], true);
    assert_eq!(callback_count(&cb), 2, "onPending saw each pending state");
    e.close().await;
}

#[wasm_bindgen_test]
async fn wait_for_auth_by_config_and_identifier() {
    let e = emu().await;
    let core = e.core();
    let config = create_config(&core, "by-config").await;
    let cb = authorizing_callback(&e.handle, 1);
    let input = json!({"configId": config["id"], "identifier": "u2"}).to_string();
    let out = settle(core.wait_for_auth(js(&input), Some(callback_fn(&cb)), None, Some(10_000.0), Some(50.0), Some(true)))
        .await
        .expect("all active");
    assert_eq!(out["allActive"], true);
    assert!(out["connectedAccounts"].is_array());
    e.close().await;
}

#[wasm_bindgen_test]
async fn wait_for_auth_times_out_naming_pending_connections() {
    let e = emu().await;
    let core = e.core();
    let id = instance(&core, "never", "u3").await;
    let input = json!({"instanceId": id}).to_string();
    let t0 = now();
    let err = settle(core.wait_for_auth(js(&input), None, None, Some(400.0), Some(50.0), None)).await.unwrap_err();
    let took = now() - t0;
    assert_eq!((err["kind"].as_str(), err["code"].as_str()), (Some("AuthTimeout"), Some("AUTH_TIMEOUT")));
    let msg = err["message"].as_str().unwrap();
    assert!(msg.contains("gmail") && msg.contains("googlecalendar"), "{msg}");
    assert!((380.0..2000.0).contains(&took), "gave up after {took} ms");
    e.close().await;
}

#[wasm_bindgen_test]
async fn wait_for_auth_abort_rejects_at_once() {
    let e = emu().await;
    let core = e.core();
    let id = instance(&core, "aborted", "u4").await;
    let input = json!({"instanceId": id}).to_string();
    let ctl = AbortController::new().unwrap();
    abort_later(&ctl, 150.0);
    let t0 = now();
    let err = settle(core.wait_for_auth(js(&input), None, Some(ctl.signal()), Some(60_000.0), Some(5_000.0), None))
        .await
        .unwrap_err();
    let took = now() - t0;
    assert_eq!(err["kind"], "Abort");
    assert!(took < 1000.0, "aborted after {took} ms");
    let polls = e.api_requests().await.iter().filter(|r| r["path"].as_str().unwrap().ends_with(":get_auth_state")).count();
    assert_eq!(polls, 1, "no request after the abort");
    e.close().await;
}

#[wasm_bindgen_test]
async fn wait_for_auth_surfaces_what_on_pending_threw() {
    let e = emu().await;
    let core = e.core();
    let id = instance(&core, "throws", "u5").await;
    let input = json!({"instanceId": id}).to_string();
    let err = JsFuture::from(core.wait_for_auth(js(&input), Some(throwing_callback()), None, Some(5_000.0), None, None))
        .await
        .unwrap_err();
    assert_eq!(error_message(&err), "callback failed");
    e.close().await;
}

#[wasm_bindgen_test]
async fn wait_for_auth_validates_its_target() {
    let e = emu().await;
    let core = e.core();
    let err = settle(core.wait_for_auth(js("{}"), None, None, None, None, None)).await.unwrap_err();
    assert_eq!(err["kind"], "Validation");
    let err = settle(core.wait_for_auth(js(r#"{"instanceId":"i"}"#), None, None, None, Some(0.0), None)).await.unwrap_err();
    assert_eq!(err["field"], "pollIntervalMs");
    assert!(e.requests().await.is_empty());
    e.close().await;
}

// ---------------------------------------------------------------------------------------------
// browser guard
// ---------------------------------------------------------------------------------------------

/// `Core::new` under faked globals; the globals are restored before anything can panic.
fn construct_as(kind: &str, options: &str) -> Result<Core, Value> {
    fake_env(kind);
    let r = Core::new(js(options), None);
    restore_env();
    r.map_err(|e| value(&e))
}

#[wasm_bindgen_test]
async fn browser_without_opt_in_is_refused() {
    let e = emu().await;
    for kind in ["page", "worker"] {
        let err = construct_as(kind, &e.options(json!({}))).err().unwrap_or_else(|| panic!("{kind}: constructed"));
        assert_eq!(err["kind"], "BrowserEnvironment", "{kind}");
        assert_eq!(err["code"], "BROWSER_ENVIRONMENT");
        let msg = err["message"].as_str().unwrap();
        assert!(msg.contains("client secret") && msg.contains("dangerouslyAllowBrowser"), "{msg}");
        assert!(!msg.contains(&e.secret));
    }
    assert!(construct_as("page", &e.options(json!({"dangerouslyAllowBrowser": true}))).is_ok());
    // Server runtimes with browser-like globals are not browsers.
    for kind in ["cloudflare", "deno-page", "vercel"] {
        assert!(construct_as(kind, &e.options(json!({}))).is_ok(), "{kind} is not a browser");
    }
    e.close().await;
}

#[wasm_bindgen_test]
async fn calls_in_a_browser_are_refused_without_request() {
    let e = emu().await;
    let core = e.core();
    fake_env("page");
    let p = core.call("listConfigs", js("{}"), None, None, JsValue::UNDEFINED);
    let w = core.wait_for_auth(js(r#"{"instanceId":"inst_1"}"#), None, None, None, None, None);
    restore_env();
    assert_eq!(settle(p).await.unwrap_err()["kind"], "BrowserEnvironment");
    assert_eq!(settle(w).await.unwrap_err()["kind"], "BrowserEnvironment");
    assert!(e.requests().await.is_empty());
    e.close().await;
}

// ---------------------------------------------------------------------------------------------
// resources and lifetimes
// ---------------------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn calls_leave_no_listener_and_no_timer_behind() {
    let e = emu().await;
    let core = e.core();
    ok(&core, "listConfigs", json!({})).await;
    let timers = active_timers();
    let ctl = AbortController::new().unwrap();
    for _ in 0..3 {
        settle(core.call("listConfigs", js("{}"), Some(ctl.signal()), None, JsValue::UNDEFINED)).await.unwrap();
    }
    let _ = settle(core.call("getConfig", js(r#"{"configId":"cfg_none"}"#), Some(ctl.signal()), None, JsValue::UNDEFINED)).await;
    let n = JsFuture::from(abort_listeners(&ctl.signal())).await.unwrap().as_f64().unwrap();
    assert_eq!(n, 0.0, "abort listeners removed");
    assert_eq!(active_timers(), timers, "deadline timers cleared");
    e.close().await;
}

#[wasm_bindgen_test]
async fn freeing_the_core_does_not_break_pending_calls() {
    let e = emu().await;
    let core = e.core();
    let p = core.call("listConfigs", js("{}"), None, None, JsValue::UNDEFINED);
    drop(core); // what `core.free()` does from JavaScript
    settle(p).await.expect("the pending call completes");
    e.close().await;
}

#[wasm_bindgen_test]
async fn caller_timeout_while_waiting_for_the_token() {
    let e = emu().await;
    let core = e.core();
    e.fault(json!({"pathPrefix": "/oauth/token", "delayMs": 600, "count": 1})).await;
    let t0 = now();
    let err = settle(core.call("listConfigs", js("{}"), None, Some(150.0), JsValue::UNDEFINED)).await.unwrap_err();
    assert_eq!(err["kind"], "Timeout");
    assert!(now() - t0 < 500.0);
    // The token request went on for later calls.
    ok(&core, "listConfigs", json!({})).await;
    assert_eq!(e.counters().await.0, 1);
    e.close().await;
}

#[wasm_bindgen_test]
async fn retry_after_beyond_the_deadline_surfaces_the_rate_limit() {
    let e = emu().await;
    let core = e.core();
    ok(&core, "listConfigs", json!({})).await;
    e.fault(json!({"pathPrefix": "/api/v1/mcp/configs", "status": 429, "retryAfter": 5, "count": 1})).await;
    let t0 = now();
    let err = settle(core.call("listConfigs", js("{}"), None, Some(1000.0), JsValue::UNDEFINED)).await.unwrap_err();
    assert_eq!(err["kind"], "RateLimit", "{err}");
    assert_eq!(err["retryAfterMs"], 5000);
    assert!(now() - t0 < 500.0, "no pointless wait");
    e.close().await;
}

#[wasm_bindgen_test]
async fn malformed_success_body_is_invalid_response() {
    let e = emu().await;
    let core = e.core();
    e.fault(json!({"pathPrefix": "/api/v1/mcp/configs", "status": 200, "body": "<html>oops</html>", "contentType": "text/html"}))
        .await;
    let err = fail(&core, "listConfigs", json!({})).await;
    assert_eq!((err["kind"].as_str(), err["status"].as_u64()), (Some("InvalidResponse"), Some(200)));
    assert!(err["traceId"].as_str().is_some(), "{err}");
    e.fault(json!({"pathPrefix": "/oauth/token", "status": 200, "body": "{}", "count": 1})).await;
    let core = e.core();
    let err = fail(&core, "listConfigs", json!({})).await;
    assert_eq!(err["kind"], "InvalidResponse");
    assert_eq!(e.counters().await.0, 2, "a 2xx that is not a token is not retried");
    e.close().await;
}

// Keeps `sleep` in use for ad-hoc debugging without a warning.
#[allow(dead_code)]
async fn pause(ms: f64) {
    let _ = JsFuture::from(sleep(ms)).await;
}
