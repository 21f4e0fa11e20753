//! `waitForAuth`: poll the auth state until every connection is ACTIVE.
//!
//! Each poll is a full call (token, retries, 401 refresh) with the client's request timeout
//! capped by the time left, whose result comes back to [`polled`]; between polls the wait is
//! parked for `auth_poll_delay_ms`, so the caller's signal ends it at once and its deadline on
//! time.

use super::client::{aborted, drive, ms_text, Call, Settle, Shared, Then};
use super::js::now_ms;
use super::timer::{park, Parked, Woke};
use crate::core::error::{ErrorKind, SdkError};
use crate::core::json::{self, Value};
use crate::core::ops::{all_active, parse_wait_target, HttpRequest, Operation};
use crate::core::policy::auth_poll_delay_ms;
use crate::prelude::*;
use alloc::rc::Rc;
use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

/// Default bound of a whole `waitForAuth`, in milliseconds (5 minutes).
pub(crate) const DEFAULT_WAIT_TIMEOUT_MS: f64 = 300_000.0;

/// The request each poll makes.
pub(crate) struct Target {
    op: Operation,
    req: HttpRequest,
}

impl Target {
    pub(crate) fn parse(input_json: &str, include_links: bool) -> Result<Target, SdkError> {
        let target = parse_wait_target(input_json)?;
        Ok(Target { op: target.operation(), req: target.poll_request(include_links) })
    }
}

/// A `waitForAuth` in progress.
pub(crate) struct AuthWait {
    shared: Rc<Shared>,
    target: Target,
    on_pending: Option<Function>,
    signal: Option<AbortSignal>,
    /// `Date.now()` time at which the wait times out.
    deadline: f64,
    timeout_ms: f64,
    poll_interval_ms: Option<f64>,
    polls: u32,
    /// Whether the poll in flight has the wait's deadline as its own.
    capped: bool,
    /// The last state received, for the timeout message.
    last: Option<String>,
    settle: Settle,
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
            for (n, name) in names.iter().enumerate() {
                msg.push_str(if n == 0 { "; still pending: " } else { ", " });
                msg.push_str(name);
            }
        }
    }
    SdkError::new(ErrorKind::AuthTimeout, "AUTH_TIMEOUT", msg)
}

/// Starts a wait whose deadline is `timeout_ms` from now. Resolves with the first all-ACTIVE
/// state's JSON; rejects with an SdkError JSON string, or with whatever `on_pending` threw.
pub(crate) fn start(
    shared: Rc<Shared>,
    target: Target,
    on_pending: Option<Function>,
    signal: Option<AbortSignal>,
    timeout_ms: f64,
    poll_interval_ms: Option<f64>,
) -> Promise {
    let deadline = now_ms() + timeout_ms;
    let (promise, settle) = Settle::new();
    if let Some(settle) = settle {
        let w = AuthWait { shared, target, on_pending, signal, deadline, timeout_ms, poll_interval_ms, polls: 0, capped: false, last: None, settle };
        poll(Box::new(w));
    }
    promise
}

impl AuthWait {
    fn fail(&self, e: &SdkError) {
        self.settle.settle(Err(self.shared.reject_value(e)));
    }

    fn time_out(&self) {
        self.fail(&auth_timeout(self.timeout_ms, self.last.as_deref()));
    }
}

fn poll(mut w: Box<AuthWait>) {
    let now = now_ms();
    let left = w.deadline - now;
    if left <= 0.0 {
        return w.time_out();
    }
    w.capped = left < w.shared.opts.timeout_ms;
    let poll_timeout = if w.capped { left } else { w.shared.opts.timeout_ms };
    let mut call = Call::new(w.shared.clone(), w.target.op, w.target.req.clone(), w.signal.clone(), poll_timeout, now);
    call.then = Then::Poll(w);
    drive(call);
}

/// The result of a poll.
pub(crate) fn polled(mut w: Box<AuthWait>, result: Result<String, SdkError>) {
    let out = match result {
        Ok(out) => out,
        // The poll ran into the wait's own deadline: that is the wait timing out.
        Err(e) if w.capped && e.kind == ErrorKind::Timeout => return w.time_out(),
        Err(e) => return w.fail(&e),
    };
    if all_active(&out) {
        return w.settle.settle(Ok(JsValue::from_str(&out)));
    }
    if let Some(f) = &w.on_pending {
        // A throwing callback ends the wait with what it threw.
        if let Err(thrown) = f.call1(&JsValue::NULL, &JsValue::from_str(&out)) {
            return w.settle.settle(Err(thrown));
        }
    }
    w.last = Some(out);
    let delay = auth_poll_delay_ms(w.poll_interval_ms, w.polls);
    w.polls = w.polls.saturating_add(1);
    let (left, signal) = (w.deadline - now_ms(), w.signal.clone());
    park(Parked::Auth(w), delay, left, signal.as_ref());
}

/// The pause between polls ended.
pub(crate) fn woke(w: Box<AuthWait>, why: Woke) {
    match why {
        Woke::Done => poll(w),
        Woke::TimedOut => w.time_out(),
        Woke::Aborted => w.fail(&aborted()),
    }
}
