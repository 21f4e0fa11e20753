//! The wasm-bindgen shell: the exported `Core` class behind the JavaScript `ScalekitMcp`.
//!
//! Inputs arrive as the caller's plain objects (`js/client.js` has already copied them into plain
//! data) and are read with serde-wasm-bindgen; results leave as plain JSON-compatible objects;
//! failures reject with a plain object describing the [`SdkError`], which `js/errors.js` turns
//! into its error class. Every decision that needs no JavaScript is made by `crate::core`.
//!
//! Methods that return a promise take `&self`, clone the client's `Rc` into the call's future and
//! return at once: the wasm-bindgen object is never borrowed while a call runs, so any number of
//! concurrent calls, and `free()` during a call, are safe.

#![deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing)]

mod abort;
mod call;
mod configs;
mod fetch;
mod js;
mod runtime;
mod stop;
mod wait;

use std::rc::Rc;

use js_sys::{Function, Promise};
use serde::Serialize;
use serde_wasm_bindgen::Serializer;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::future_to_promise;
use web_sys::AbortSignal;

use crate::core::auth::parse_client_options;
use crate::core::error::{code, ErrorKind, SdkError};
use crate::core::ops::{operation, Spec, WaitTarget};
use crate::core::policy::DEFAULT_WAIT_TIMEOUT_MS;
use call::{aborted, run, Budget, Client, Work};
use configs::{check_mappings, ensure_config, Ensure};
use runtime::is_browser;
use wait::{wait_for_auth, Wait, WaitError};

/// What a browser page or browser worker is told when it holds a client secret.
const BROWSER_MESSAGE: &str = "Refusing to run in a browser: the client secret would be exposed to every visitor. \
Mint access tokens, session tokens and MCP URLs on a server and pass only those to the browser, \
or set dangerouslyAllowBrowser: true if you understand the risk.";

fn browser_error() -> SdkError {
    SdkError::new(ErrorKind::BrowserEnvironment, code::BROWSER_ENVIRONMENT, BROWSER_MESSAGE)
}

/// Results and errors as plain objects: maps as objects, `None` as `null`.
const PLAIN: Serializer = Serializer::json_compatible();

/// `value` as a plain JavaScript value.
pub(crate) fn to_js<T: Serialize + ?Sized>(value: &T) -> JsValue {
    value
        .serialize(&PLAIN)
        .unwrap_or_else(|e| error_value(&SdkError::new(ErrorKind::InvalidResponse, code::INTERNAL, e.to_string())))
}

/// The plain object a promise rejects with for `e`.
fn error_value(e: &SdkError) -> JsValue {
    e.serialize(&PLAIN).unwrap_or_else(|_| JsValue::from_str(&e.message))
}

/// A JavaScript input as JSON, for the core to read. `js/client.js` passes plain data only; what
/// serde-wasm-bindgen still cannot read is refused as a `Validation` error.
fn input(value: JsValue) -> Result<serde_json::Value, SdkError> {
    if value.is_undefined() {
        return Ok(serde_json::Value::Null);
    }
    serde_wasm_bindgen::from_value(value).map_err(|_| SdkError::validation("", "input must be plain data: objects, arrays, strings, numbers and booleans"))
}

/// The switches some calls take beside their input: `{ checkTools?, dryRun? }`.
#[derive(Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
struct Flags {
    #[serde(default)]
    check_tools: Option<bool>,
    #[serde(default)]
    dry_run: Option<bool>,
}

fn flags(value: JsValue) -> Result<Flags, SdkError> {
    if value.is_undefined() || value.is_null() {
        return Ok(Flags::default());
    }
    serde_wasm_bindgen::from_value(value).map_err(|_| SdkError::validation("options", "options.checkTools and options.dryRun must be booleans"))
}

/// The operation a method names.
fn spec_of(op: &str) -> Result<&'static Spec, SdkError> {
    operation(op).ok_or_else(|| SdkError::validation("", format!("unknown operation {op}")))
}

/// `Some(ms)` for a positive finite number, `None` when absent, an error otherwise.
fn positive_ms(field: &str, v: Option<f64>) -> Result<Option<f64>, SdkError> {
    match v {
        None => Ok(None),
        Some(ms) if ms.is_finite() && ms > 0.0 => Ok(Some(ms)),
        Some(_) => Err(SdkError::validation(field, format!("{field} must be a positive, finite number of milliseconds"))),
    }
}

/// The low-level client behind the JavaScript `ScalekitMcp` class.
#[wasm_bindgen]
pub struct Core {
    client: Rc<Client>,
}

#[wasm_bindgen]
impl Core {
    /// `options`: `{envUrl, clientId, clientSecret, timeoutMs?, maxRetries?,
    /// dangerouslyAllowBrowser?}`. `observer`, when given, hears of every event (attempts,
    /// retries, polls; see `core::events`); without one, no event is made. Throws a plain error
    /// object on invalid options, or in a browser without `dangerouslyAllowBrowser` (the secret
    /// would be exposed).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "object")] options: JsValue,
        #[wasm_bindgen(unchecked_param_type = "((event: unknown) => void) | null | undefined")] observer: Option<Function>,
    ) -> Result<Core, JsValue> {
        let opts = input(options).and_then(parse_client_options).map_err(|e| error_value(&e))?;
        if !opts.allow_browser() && is_browser() {
            return Err(error_value(&browser_error()));
        }
        Ok(Core { client: Rc::new(Client::new(opts, observer)) })
    }

    /// Runs operation `op` (`createConfig`, `ensureInstance`, ...) with its input. Resolves with
    /// its result; rejects with a plain error object. `timeoutMs` (default: the client's) covers
    /// the whole call, retries included.
    #[wasm_bindgen(unchecked_return_type = "Promise<unknown>")]
    pub fn call(
        &self,
        op: &str,
        #[wasm_bindgen(unchecked_param_type = "unknown")] input: JsValue,
        signal: Option<AbortSignal>,
        #[wasm_bindgen(js_name = timeoutMs)] timeout_ms: Option<f64>,
        #[wasm_bindgen(unchecked_param_type = "{ checkTools?: boolean } | undefined")] options: JsValue,
    ) -> Promise {
        let prepared = self.precheck(signal.as_ref()).and_then(|()| {
            let spec = spec_of(op)?;
            let timeout = positive_ms("timeoutMs", timeout_ms)?.unwrap_or(self.client.opts.timeout());
            let value = self::input(input)?;
            let check_tools = flags(options)?.check_tools.unwrap_or(false);
            let built = (spec.build)(value)?;
            Ok((Work::new(spec, built.request), timeout, check_tools.then_some(built.mappings)))
        });
        let (work, timeout, check) = match prepared {
            Ok(p) => p,
            Err(e) => return Promise::reject(&error_value(&e)),
        };
        let client = self.client.clone();
        future_to_promise(async move {
            let budget = Budget::new(signal.as_ref(), timeout);
            if let Some(mappings) = check {
                check_mappings(&client, &mappings, &budget).await.map_err(|e| error_value(&e))?;
            }
            run(client, &work, &budget).await.map(|answer| to_js(&answer)).map_err(|e| error_value(&e))
        })
    }

    /// Checks `input` for operation `op` as `call` would, sending nothing; throws the plain error
    /// object of the first thing refused.
    pub fn check(&self, op: &str, #[wasm_bindgen(unchecked_param_type = "unknown")] input: JsValue) -> Result<(), JsValue> {
        spec_of(op).and_then(|spec| (spec.build)(self::input(input)?)).map(drop).map_err(|e| error_value(&e))
    }

    /// Makes the config named `input.name` what `input` says (`{name, description?,
    /// connectionToolMappings?}`): creates it, updates what differs, or leaves it; resolves with
    /// `{config, action, changes, dryRun}`. `options`: `{ checkTools?, dryRun? }`.
    #[wasm_bindgen(js_name = ensureConfig, unchecked_return_type = "Promise<unknown>")]
    pub fn ensure_config(
        &self,
        #[wasm_bindgen(unchecked_param_type = "unknown")] input: JsValue,
        signal: Option<AbortSignal>,
        #[wasm_bindgen(js_name = timeoutMs)] timeout_ms: Option<f64>,
        #[wasm_bindgen(unchecked_param_type = "{ checkTools?: boolean, dryRun?: boolean } | undefined")] options: JsValue,
    ) -> Promise {
        let prepared = self.precheck(signal.as_ref()).and_then(|()| {
            let timeout = positive_ms("timeoutMs", timeout_ms)?.unwrap_or(self.client.opts.timeout());
            let flags = flags(options)?;
            let input = crate::core::validate::read(self::input(input)?)?;
            Ok((Ensure { input, dry_run: flags.dry_run.unwrap_or(false), check_tools: flags.check_tools.unwrap_or(false) }, timeout))
        });
        let (ensure, timeout) = match prepared {
            Ok(p) => p,
            Err(e) => return Promise::reject(&error_value(&e)),
        };
        let client = self.client.clone();
        future_to_promise(async move { ensure_config(client, ensure, signal.as_ref(), timeout).await.map(|r| to_js(&r)).map_err(|e| error_value(&e)) })
    }

    /// Polls the auth state of `{instanceId}` or `{configId, identifier}` until every connection
    /// is ACTIVE, and resolves with that state. `onPending(state)` sees every state that is not
    /// yet complete; if it throws, the promise rejects with what it threw. `timeoutMs` (default
    /// 300000) bounds the whole wait (then AuthTimeout); each poll uses the client's request
    /// timeout, capped by the time left.
    #[wasm_bindgen(js_name = waitForAuth, unchecked_return_type = "Promise<unknown>")]
    pub fn wait_for_auth(
        &self,
        #[wasm_bindgen(unchecked_param_type = "unknown")] target: JsValue,
        #[wasm_bindgen(js_name = onPending, unchecked_param_type = "((state: unknown) => void) | null | undefined")] on_pending: Option<Function>,
        signal: Option<AbortSignal>,
        #[wasm_bindgen(js_name = timeoutMs)] timeout_ms: Option<f64>,
        #[wasm_bindgen(js_name = pollIntervalMs)] poll_interval_ms: Option<f64>,
        #[wasm_bindgen(js_name = includeAuthLinks)] include_auth_links: Option<bool>,
    ) -> Promise {
        let prepared = self.precheck(signal.as_ref()).and_then(|()| {
            Ok(Wait {
                timeout_ms: positive_ms("timeoutMs", timeout_ms)?.unwrap_or(DEFAULT_WAIT_TIMEOUT_MS),
                poll_interval_ms: positive_ms("pollIntervalMs", poll_interval_ms)?,
                target: WaitTarget::read(input(target)?)?,
                include_links: include_auth_links.unwrap_or(false),
                on_pending,
                signal,
            })
        });
        let wait = match prepared {
            Ok(w) => w,
            Err(e) => return Promise::reject(&error_value(&e)),
        };
        let client = self.client.clone();
        future_to_promise(async move {
            match wait_for_auth(client, wait).await {
                Ok(state) => Ok(to_js(&state)),
                Err(WaitError::Sdk(e)) => Err(error_value(&e)),
                Err(WaitError::Thrown(thrown)) => Err(thrown),
            }
        })
    }

    /// `{envUrl, clientId}`: safe to show, never the secret.
    #[wasm_bindgen(unchecked_return_type = "{ envUrl: string, clientId: string }")]
    pub fn describe(&self) -> JsValue {
        #[derive(Serialize)]
        #[serde(rename_all = "camelCase")]
        struct Described<'a> {
            env_url: &'a str,
            client_id: &'a str,
        }
        to_js(&Described { env_url: &self.client.opts.env_url, client_id: &self.client.opts.client_id })
    }
}

impl Core {
    /// Refusals that need no input: an already aborted signal, a browser without opt-in.
    fn precheck(&self, signal: Option<&AbortSignal>) -> Result<(), SdkError> {
        if signal.is_some_and(js::is_aborted) {
            return Err(aborted());
        }
        if !self.client.opts.allow_browser() && is_browser() {
            return Err(browser_error());
        }
        Ok(())
    }
}
