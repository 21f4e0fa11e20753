//! The wasm shell in a real browser page (headless Chromium):
//! `wasm-pack test --headless --chrome -- --test web`.
//!
//! The browser guard: a client holding the client secret is refused in a page, its credentialed
//! methods too, before any request; `dangerouslyAllowBrowser: true` opts out and the page then
//! talks to the emulator cross-origin (the emulator sends CORS headers).
//!
//! A browser test cannot start a server, so the emulator runs before the tests and its URL is
//! compiled in: `SCALEKIT_MCP_WEB_EMULATOR=http://127.0.0.1:PORT` (and, when not the emulator's
//! defaults, `SCALEKIT_MCP_WEB_CLIENT_ID` / `SCALEKIT_MCP_WEB_CLIENT_SECRET`).
//! `node tests/browser/run-web-rs.mjs` starts one and runs this suite.
#![cfg(target_arch = "wasm32")]

use scalekit_mcp::shell::Core;
use serde_json::{json, Value};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const EMULATOR: &str = match option_env!("SCALEKIT_MCP_WEB_EMULATOR") {
    Some(url) => url,
    None => "http://127.0.0.1:4010",
};
const CLIENT_ID: &str = match option_env!("SCALEKIT_MCP_WEB_CLIENT_ID") {
    Some(id) => id,
    None => "skc_emulator",
};
const CLIENT_SECRET: &str = match option_env!("SCALEKIT_MCP_WEB_CLIENT_SECRET") {
    Some(secret) => secret,
    None => "sks_emulator_secret",
};

#[wasm_bindgen(inline_js = r#"
export async function getJson(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return JSON.stringify(await res.json());
}
export function pageFacts() {
  return JSON.stringify({
    document: typeof document !== 'undefined',
    window: typeof window !== 'undefined' && window === globalThis,
    process: typeof process !== 'undefined',
    origin: location.origin,
  });
}
// Makes the page look like Node (a `process.versions.node`, as some polyfills add) until undone.
let saved;
export function pretendNode() {
  saved = Object.getOwnPropertyDescriptor(globalThis, 'process');
  Object.defineProperty(globalThis, 'process', { value: { versions: { node: '20.0.0' }, env: {} }, configurable: true, writable: true });
}
export function stopPretending() {
  if (saved) Object.defineProperty(globalThis, 'process', saved);
  else delete globalThis.process;
}
"#)]
extern "C" {
    #[wasm_bindgen(js_name = getJson, catch)]
    fn get_json(url: &str) -> Result<js_sys::Promise, JsValue>;
    #[wasm_bindgen(js_name = pageFacts)]
    fn page_facts() -> String;
    #[wasm_bindgen(js_name = pretendNode)]
    fn pretend_node();
    #[wasm_bindgen(js_name = stopPretending)]
    fn stop_pretending();
}

/// A JavaScript value of `v`, as the wrapper would pass it.
fn js(v: &Value) -> JsValue {
    js_sys::JSON::parse(&v.to_string()).unwrap_or_else(|_| panic!("{v} is JSON"))
}

fn options(client_id: &str, extra: Value) -> JsValue {
    let mut o = json!({"envUrl": EMULATOR, "clientId": client_id, "clientSecret": CLIENT_SECRET});
    if let (Some(o), Some(extra)) = (o.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            o.insert(k.clone(), v.clone());
        }
    }
    js(&o)
}

fn error_json(e: &JsValue) -> Value {
    serde_wasm_bindgen::from_value(e.clone()).unwrap_or_else(|err| panic!("a rejection is a plain object ({err}): {e:?}"))
}

/// The refusal: its class, code, and a message that says why and what to do, without the secret.
fn assert_browser_refusal(e: &JsValue, what: &str) {
    let v = error_json(e);
    assert_eq!(v["kind"], "BrowserEnvironment", "{what}: {v}");
    assert_eq!(v["code"], "BROWSER_ENVIRONMENT", "{what}");
    assert_eq!(v["status"], Value::Null, "{what}");
    let message = v["message"].as_str().unwrap_or_default();
    assert!(message.contains("browser"), "{what}: {message}");
    assert!(message.contains("client secret"), "{what}: says why: {message}");
    assert!(message.contains("server"), "{what}: says what to do: {message}");
    assert!(message.contains("dangerouslyAllowBrowser: true"), "{what}: names the opt-out: {message}");
    assert!(!v.to_string().contains(CLIENT_SECRET), "{what}: the secret does not appear");
}

/// The emulator's request log.
async fn request_log() -> Vec<Value> {
    let promise = get_json(&format!("{EMULATOR}/_emulator/requests")).expect("fetch starts");
    let text = JsFuture::from(promise).await.expect("the emulator's request log").as_string().unwrap();
    match serde_json::from_str(&text).unwrap() {
        Value::Array(entries) => entries,
        other => panic!("request log: {other}"),
    }
}

/// Whether any logged request carries `needle` in its body (form fields or JSON).
fn mentions(log: &[Value], needle: &str) -> bool {
    log.iter().any(|e| e["body"].to_string().contains(needle))
}

#[wasm_bindgen_test]
fn this_is_a_browser_page() {
    let facts: Value = serde_json::from_str(&page_facts()).unwrap();
    assert_eq!(facts["document"], true);
    assert_eq!(facts["window"], true);
    assert_eq!(facts["process"], false);
    assert!(!EMULATOR.starts_with(facts["origin"].as_str().unwrap()), "the emulator is another origin");
}

#[wasm_bindgen_test]
async fn a_client_with_a_secret_is_refused_in_a_page_before_any_request() {
    let id = "skc_web_refused_constructor";
    for extra in [json!({}), json!({"dangerouslyAllowBrowser": false})] {
        let err = Core::new(options(id, extra.clone()), None).err().unwrap_or_else(|| panic!("constructed with {extra}"));
        assert_browser_refusal(&err, &format!("Core::new with {extra}"));
    }
    let log = request_log().await;
    assert!(!mentions(&log, id), "nothing was sent for the refused client");
}

#[wasm_bindgen_test]
async fn every_credentialed_method_refuses_in_a_page_before_any_request() {
    let id = "skc_web_refused_calls";
    // A client built while the page looked like Node, then used in the page.
    pretend_node();
    let core = Core::new(options(id, json!({})), None);
    stop_pretending();
    let core = core.unwrap_or_else(|e| panic!("outside a browser the client is built: {}", error_json(&e)));

    let calls = [
        ("createConfig", json!({"name": "web-refused-config", "connectionToolMappings": [{"connectionName": "MY_GMAIL"}]})),
        ("ensureInstance", json!({"configName": "web-refused-config", "userIdentifier": "web-refused-user"})),
        ("getInstanceAuthState", json!({"instanceId": "inst_1", "includeAuthLinks": true})),
        ("createSessionToken", json!({"configId": "cfg_1", "identifier": "web-refused-user", "expirySeconds": 600})),
        ("listConfigs", json!({})),
        ("deleteConfig", json!({"configId": "cfg_1"})),
    ];
    for (op, input) in calls {
        let err = JsFuture::from(core.call(op, js(&input), None, None, JsValue::UNDEFINED))
            .await
            .err()
            .unwrap_or_else(|| panic!("{op} resolved in a browser"));
        assert_browser_refusal(&err, op);
    }
    let err = JsFuture::from(core.wait_for_auth(js(&json!({"instanceId": "inst_1"})), None, None, Some(2000.0), None, None))
        .await
        .expect_err("waitForAuth resolved in a browser");
    assert_browser_refusal(&err, "waitForAuth");

    let log = request_log().await;
    assert!(!mentions(&log, id), "no token request for the refused client");
    assert!(!mentions(&log, "web-refused"), "no API request for the refused calls");
}

#[wasm_bindgen_test]
async fn dangerously_allow_browser_lets_the_page_call_the_emulator() {
    let name = format!("web-allowed-{}", js_sys::Date::now() as u64);
    let core =
        Core::new(options(CLIENT_ID, json!({"dangerouslyAllowBrowser": true})), None).unwrap_or_else(|e| panic!("opted in, yet refused: {}", error_json(&e)));
    let input = json!({"name": name, "connectionToolMappings": [{"connectionName": "MY_GMAIL", "tools": ["gmail_fetch_mails"]}]});
    let out = JsFuture::from(core.call("createConfig", js(&input), None, None, JsValue::UNDEFINED))
        .await
        .unwrap_or_else(|e| panic!("createConfig: {}", error_json(&e)));
    let config: Value = serde_wasm_bindgen::from_value(out).unwrap();
    assert!(config["id"].as_str().unwrap().starts_with("cfg_"), "{config}");
    assert_eq!(config["name"], name.as_str());
    assert!(config["mcpServerUrl"].as_str().unwrap().starts_with(EMULATOR));

    let log = request_log().await;
    let sent: Vec<&Value> = log.iter().filter(|e| e["body"]["name"] == name.as_str()).collect();
    assert_eq!(sent.len(), 1, "one createConfig request");
    assert_eq!(sent[0]["method"], "POST");
    assert_eq!(sent[0]["path"], "/api/v1/mcp/configs");
    assert_eq!(sent[0]["status"], 200);
    let facts: Value = serde_json::from_str(&page_facts()).unwrap();
    assert_eq!(sent[0]["headers"]["origin"], facts["origin"], "sent cross-origin by the page");
}
