//! `waitForAuth`: poll the auth state until every connection is ACTIVE.
//!
//! Each poll is a full call (token, retries, 401 refresh) with the client's request timeout
//! capped by the time left; between polls the shell sleeps `auth_poll_delay_ms`, so the caller's
//! signal ends the wait at once and the wait's deadline ends it on time.

use super::client::{aborted, ms_text, Shared};
use super::js::now_ms;
use super::timer::{wait, Woke};
use crate::core::error::{ErrorKind, SdkError};
use crate::core::json::{self, Value};
use crate::core::ops::{all_active, parse_wait_target, WaitTarget};
use crate::core::policy::auth_poll_delay_ms;
use crate::prelude::*;
use alloc::rc::Rc;
use js_sys::Function;
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

/// Default bound of a whole `waitForAuth`, in milliseconds (5 minutes).
pub(crate) const DEFAULT_WAIT_TIMEOUT_MS: f64 = 300_000.0;

pub(crate) struct Target {
    target: WaitTarget,
    include_links: bool,
}

impl Target {
    pub(crate) fn parse(input_json: &str, include_links: bool) -> Result<Target, SdkError> {
        Ok(Target { target: parse_wait_target(input_json)?, include_links })
    }
}

/// Names of the connections of a poll's output that are not ACTIVE.
fn pending_names(output_json: &str) -> Vec<String> {
    let Some(v) = json::parse(output_json) else { return Vec::new() };
    let list = v.get("connections").or_else(|| v.get("connectedAccounts"));
    let Some(Value::Array(items)) = list else { return Vec::new() };
    items
        .iter()
        .filter(|c| {
            !c.get("connectedAccountStatus").and_then(Value::as_str).is_some_and(|s| s.eq_ignore_ascii_case("ACTIVE"))
        })
        .map(|c| c.get("connectionName").and_then(Value::as_str).unwrap_or("?").to_owned())
        .collect()
}

fn auth_timeout(timeout_ms: f64, last: Option<&str>) -> SdkError {
    let mut msg = String::from("Timed out after ");
    msg.push_str(&ms_text(timeout_ms));
    msg.push_str(" ms waiting for authorization");
    match last {
        None => msg.push_str("; no auth state was received"),
        Some(out) => {
            let names = pending_names(out);
            if !names.is_empty() {
                msg.push_str("; still pending: ");
                msg.push_str(&names.join(", "));
            }
        }
    }
    SdkError::new(ErrorKind::AuthTimeout, "AUTH_TIMEOUT", msg)
}

/// The wait itself, whose deadline is `deadline` (`Date.now()` clock). Resolves with the first
/// all-ACTIVE state's JSON; rejects with an SdkError JSON string, or with whatever `on_pending`
/// threw.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn run(
    shared: &Rc<Shared>,
    target: Target,
    on_pending: Option<Function>,
    signal: Option<AbortSignal>,
    deadline: f64,
    timeout_ms: f64,
    poll_interval_ms: Option<f64>,
) -> Result<JsValue, JsValue> {
    let op = target.target.operation();
    let req = target.target.poll_request(target.include_links);
    let mut last: Option<String> = None;
    let mut polls: u32 = 0;
    loop {
        let left = deadline - now_ms();
        if left <= 0.0 {
            return Err(shared.reject_value(&auth_timeout(timeout_ms, last.as_deref())));
        }
        let capped = left < shared.opts.timeout_ms;
        let poll_timeout = if capped { left } else { shared.opts.timeout_ms };
        let out = match shared.run(op, req.clone(), signal.clone(), poll_timeout).await {
            Ok(out) => out,
            // The poll ran into the wait's own deadline: that is the wait timing out.
            Err(e) if capped && e.kind == ErrorKind::Timeout => {
                return Err(shared.reject_value(&auth_timeout(timeout_ms, last.as_deref())))
            }
            Err(e) => return Err(shared.reject_value(&e)),
        };
        if all_active(&out) {
            return Ok(JsValue::from_str(&out));
        }
        if let Some(f) = &on_pending {
            // A throwing callback ends the wait with what it threw.
            f.call1(&JsValue::NULL, &JsValue::from_str(&out))?;
        }
        last = Some(out);
        let delay = auth_poll_delay_ms(poll_interval_ms, polls);
        polls = polls.saturating_add(1);
        match wait(None, delay, deadline - now_ms(), signal.as_ref()).await {
            Woke::Done => {}
            Woke::TimedOut => return Err(shared.reject_value(&auth_timeout(timeout_ms, last.as_deref()))),
            Woke::Aborted => return Err(shared.reject_value(&aborted())),
        }
    }
}
