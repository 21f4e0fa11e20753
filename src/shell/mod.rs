//! The wasm-bindgen shell: the exported `Core` class.
//!
//! Everything that needs JavaScript lives here: the global `fetch` with a plain init object,
//! `AbortController` timeouts and the caller's `AbortSignal`, the single-flight access token,
//! retries, the browser guard. Every decision that needs no JavaScript is made by `crate::core`.
//!
//! Exported methods that return a promise take `&self` and hand an `Rc` of the client state to
//! the call, so the wasm-bindgen object is never borrowed while a promise is pending: any number
//! of concurrent calls, and `free()` during a call, are safe.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod client;
mod http;
mod js;
mod runtime;
mod timer;
mod wait;

use crate::core::auth::parse_client_options;
use crate::core::error::{ErrorKind, SdkError};
use crate::core::json::quote;
use crate::prelude::*;
use alloc::rc::Rc;
use client::{aborted, prepare, Call, Shared};
use js::now_ms;
use runtime::is_browser;
use js_sys::{Function, Promise};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

/// What a browser page or browser worker is told when it holds a client secret.
const BROWSER_MESSAGE: &str = "Refusing to run in a browser: the client secret would be exposed to every visitor. \
Mint access tokens, session tokens and MCP URLs on a server and pass only those to the browser, \
or set dangerouslyAllowBrowser: true if you understand the risk.";

fn browser_error() -> SdkError {
    SdkError::new(ErrorKind::BrowserEnvironment, "BROWSER_ENVIRONMENT", BROWSER_MESSAGE)
}

fn invalid(field: &str, msg: &str) -> SdkError {
    let mut e = SdkError::new(ErrorKind::Validation, "INVALID_ARGUMENT", msg);
    e.field = Some(field.to_owned());
    e
}

/// `Some(ms)` for a positive finite number, `None` when absent, an error otherwise.
fn positive_ms(field: &str, v: Option<f64>) -> Result<Option<f64>, SdkError> {
    match v {
        None => Ok(None),
        Some(ms) if ms.is_finite() && ms > 0.0 => Ok(Some(ms)),
        Some(_) => {
            let mut msg = String::from(field);
            msg.push_str(" must be a positive, finite number of milliseconds");
            Err(invalid(field, &msg))
        }
    }
}

/// The low-level client behind the JavaScript `ScalekitMcp` class: JSON strings in and out.
#[wasm_bindgen]
pub struct Core {
    shared: Rc<Shared>,
}

#[wasm_bindgen]
impl Core {
    /// `optionsJson`: `{envUrl, clientId, clientSecret, timeoutMs?, maxRetries?,
    /// dangerouslyAllowBrowser?}`. Throws an SdkError JSON string on invalid options, or in a
    /// browser without `dangerouslyAllowBrowser` (the secret would be exposed).
    #[wasm_bindgen(constructor)]
    pub fn new(#[wasm_bindgen(js_name = optionsJson)] options_json: &str) -> Result<Core, JsValue> {
        let opts = parse_client_options(options_json).map_err(|e| JsValue::from_str(&e.to_json()))?;
        let shared = Rc::new(Shared::new(opts));
        if !shared.opts.dangerously_allow_browser && is_browser() {
            return Err(shared.reject_value(&browser_error()));
        }
        Ok(Core { shared })
    }

    /// Runs operation `op` (`createConfig`, `ensureInstance`, ...) with its camelCase JSON input.
    /// Resolves with the camelCase JSON output; rejects with an SdkError JSON string.
    /// `timeoutMs` (default: the client's) covers the whole call, retries included.
    #[wasm_bindgen(unchecked_return_type = "Promise<string>")]
    pub fn call(
        &self,
        op: &str,
        #[wasm_bindgen(js_name = inputJson)] input_json: &str,
        signal: Option<AbortSignal>,
        #[wasm_bindgen(js_name = timeoutMs)] timeout_ms: Option<f64>,
    ) -> Promise {
        let shared = self.shared.clone();
        let checked = self.precheck(signal.as_ref()).and_then(|()| {
            let timeout = positive_ms("timeoutMs", timeout_ms)?.unwrap_or(shared.opts.timeout_ms);
            let (op, req) = prepare(op, input_json)?;
            Ok((op, req, timeout))
        });
        let (op, req, timeout) = match checked {
            Ok(v) => v,
            Err(e) => return Promise::reject(&shared.reject_value(&e)),
        };
        let now = now_ms();
        client::start(Call::new(shared, op, req, signal, timeout, now), now)
    }

    /// Polls the auth state of `{instanceId}` or `{configId, identifier}` until every connection
    /// is ACTIVE, and resolves with that state's JSON. `onPending(stateJson)` sees every state
    /// that is not yet complete; if it throws, the promise rejects with what it threw.
    /// `timeoutMs` (default 300000) bounds the whole wait (then AuthTimeout); each poll uses the
    /// client's request timeout, capped by the time left.
    #[wasm_bindgen(js_name = waitForAuth, unchecked_return_type = "Promise<string>")]
    pub fn wait_for_auth(
        &self,
        #[wasm_bindgen(js_name = inputJson)] input_json: &str,
        #[wasm_bindgen(js_name = onPending, unchecked_param_type = "((stateJson: string) => void) | null | undefined")]
        on_pending: Option<Function>,
        signal: Option<AbortSignal>,
        #[wasm_bindgen(js_name = timeoutMs)] timeout_ms: Option<f64>,
        #[wasm_bindgen(js_name = pollIntervalMs)] poll_interval_ms: Option<f64>,
        #[wasm_bindgen(js_name = includeAuthLinks)] include_auth_links: Option<bool>,
    ) -> Promise {
        let shared = self.shared.clone();
        let checked = self.precheck(signal.as_ref()).and_then(|()| {
            let timeout = positive_ms("timeoutMs", timeout_ms)?.unwrap_or(wait::DEFAULT_WAIT_TIMEOUT_MS);
            let interval = positive_ms("pollIntervalMs", poll_interval_ms)?;
            let target = wait::Target::parse(input_json, include_auth_links.unwrap_or(false))?;
            Ok((timeout, interval, target))
        });
        let (timeout, interval, target) = match checked {
            Ok(v) => v,
            Err(e) => return Promise::reject(&shared.reject_value(&e)),
        };
        wait::start(shared, target, on_pending, signal, timeout, interval)
    }

    /// `{"envUrl": ..., "clientId": ...}`: safe to show, never the secret.
    pub fn describe(&self) -> String {
        let mut out = String::from("{\"envUrl\":");
        out.push_str(&quote(&self.shared.opts.env_url));
        out.push_str(",\"clientId\":");
        out.push_str(&quote(&self.shared.opts.client_id));
        out.push('}');
        out
    }
}

impl Core {
    /// Refusals that need no input: an already aborted signal, a browser without opt-in.
    fn precheck(&self, signal: Option<&AbortSignal>) -> Result<(), SdkError> {
        if signal.is_some_and(|s| s.aborted()) {
            return Err(aborted());
        }
        if !self.shared.opts.dangerously_allow_browser && is_browser() {
            return Err(browser_error());
        }
        Ok(())
    }
}
