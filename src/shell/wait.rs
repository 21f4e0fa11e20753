//! `waitForAuth`: poll the auth state until every connection is ACTIVE.
//!
//! Each poll is a full call (token, retries, 401 refresh) with the client's request timeout,
//! capped by the time left; between polls the wait sleeps for `auth_poll_delay_ms`, so the
//! caller's signal ends it at once and its deadline on time.

use std::rc::Rc;

use js_sys::Function;
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

use super::call::{run, Budget, Client, Work};
use super::stop::{Stop, Stopped};
use super::to_js;
use crate::core::error::{code, ErrorKind, SdkError};
use crate::core::events::Event;
use crate::core::ops::{Answer, WaitTarget};
use crate::core::policy::auth_poll_delay_ms;

/// What a wait was told.
pub(crate) struct Wait {
    pub(crate) target: WaitTarget,
    pub(crate) include_links: bool,
    pub(crate) on_pending: Option<Function>,
    pub(crate) signal: Option<AbortSignal>,
    pub(crate) timeout_ms: f64,
    pub(crate) poll_interval_ms: Option<f64>,
}

/// How a wait failed: with an error of the package, or with what `onPending` threw.
pub(crate) enum WaitError {
    Sdk(SdkError),
    Thrown(JsValue),
}

fn auth_timeout(timeout_ms: f64, last: Option<&Answer>) -> SdkError {
    let pending: Vec<&str> = last
        .into_iter()
        .flat_map(Answer::pending)
        .map(|c| if c.connection_name.is_empty() { "?" } else { c.connection_name.as_str() })
        .collect();
    let detail = match (last, pending.is_empty()) {
        (None, _) => "; no auth state was received".to_owned(),
        (Some(_), true) => String::new(),
        (Some(_), false) => format!("; still pending: {}", pending.join(", ")),
    };
    SdkError::new(
        ErrorKind::AuthTimeout,
        code::AUTH_TIMEOUT,
        format!("Timed out after {} ms waiting for authorization{detail}", timeout_ms.max(0.0).round() as u64),
    )
}

/// Resolves with the first state in which every connection is ACTIVE.
pub(crate) async fn wait_for_auth(client: Rc<Client>, wait: Wait) -> Result<Answer, WaitError> {
    let mut stop = Stop::new(wait.timeout_ms, wait.signal.as_ref());
    let (spec, request) = wait.target.poll(wait.include_links);
    let work = Work::new(&spec, request);
    let mut last: Option<Answer> = None;
    let mut polls = 0u32;
    loop {
        let left = stop.remaining();
        if left <= 0.0 {
            return Err(WaitError::Sdk(auth_timeout(wait.timeout_ms, last.as_ref())));
        }
        let capped = left < client.opts.timeout();
        let poll = Budget::new(wait.signal.as_ref(), left.min(client.opts.timeout()));
        let state = match run(client.clone(), &work, &poll).await {
            Ok(state) => state,
            // The poll ran into the wait's own deadline: that is the wait timing out.
            Err(e) if capped && e.kind == ErrorKind::Timeout => return Err(WaitError::Sdk(auth_timeout(wait.timeout_ms, last.as_ref()))),
            Err(e) => return Err(WaitError::Sdk(e)),
        };
        if state.pending().next().is_none() {
            return Ok(state);
        }
        if let Some(f) = &wait.on_pending {
            // A throwing callback ends the wait with what it threw.
            f.call1(&JsValue::NULL, &to_js(&state)).map_err(WaitError::Thrown)?;
        }
        let delay = auth_poll_delay_ms(wait.poll_interval_ms, polls);
        polls = polls.saturating_add(1);
        client.emit(|| Event::Poll { polls, pending: state.pending().map(|c| c.connection_name.clone()).collect(), next_poll_ms: delay });
        last = Some(state);
        match stop.sleep(delay).await {
            Ok(()) => {}
            Err(Stopped::TimedOut) => return Err(WaitError::Sdk(auth_timeout(wait.timeout_ms, last.as_ref()))),
            Err(Stopped::Aborted) => return Err(WaitError::Sdk(Stopped::Aborted.error(0.0))),
        }
    }
}
