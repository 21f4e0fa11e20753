//! Waiting where no fetch is in flight: a call sleeping before a retry or waiting for the token
//! request, the token request sleeping before a retry, `waitForAuth` between polls. What waits is
//! parked here under an id, with one timer (the sleep, or the deadline if that comes first) and
//! one `abort` listener on the caller's signal; whichever fires first unparks it and hands it back
//! to [`super::client::woke`]. The module's long-lived callbacks are bound to the id, and nothing
//! is left behind once it is unparked.

use super::client::{self, Call, Shared};
use super::js::{callback, clear_timeout, set_timeout, Callback, Global, Listener, Slab};
use super::wait::AuthWait;
use crate::prelude::*;
use ::core::cell::OnceCell;
use alloc::rc::Rc;
use wasm_bindgen::JsValue;
use web_sys::AbortSignal;

/// Why something parked woke up.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Woke {
    /// Its sleep is over, or (waiting for the token) the token request ended.
    Done,
    /// Its deadline passed.
    TimedOut,
    /// The caller's signal aborted.
    Aborted,
}

/// What can wait.
pub(crate) enum Parked {
    /// A call sleeping before its next attempt.
    Retry(Call),
    /// A call waiting for the token request in flight.
    Token(Call),
    /// The token request sleeping before its next attempt.
    TokenRetry(Rc<Shared>),
    /// A `waitForAuth` between two polls.
    Auth(Box<AuthWait>),
}

/// Larger delays overflow `setTimeout` (a 32-bit signed int) and fire at once.
const MAX_TIMER_MS: f64 = 2_147_483_647.0;

struct Waiter {
    parked: Parked,
    timer: JsValue,
    listener: Option<Listener>,
}

static WAITERS: Global<Slab<Waiter>> = Global(Slab::new());
static ON_SLEPT: Global<OnceCell<Callback>> = Global(OnceCell::new());
static ON_DEADLINE: Global<OnceCell<Callback>> = Global(OnceCell::new());
static ON_ABORT: Global<OnceCell<Callback>> = Global(OnceCell::new());

/// Parks `parked` for `sleep_ms` (infinite: until [`unpark`]), unless `deadline_ms` pass or
/// `signal` aborts first. Returns its id; `None` when it was handed back at once (the signal had
/// already aborted).
pub(crate) fn park(parked: Parked, sleep_ms: f64, deadline_ms: f64, signal: Option<&AbortSignal>) -> Option<u32> {
    if signal.is_some_and(AbortSignal::aborted) {
        client::woke(parked, Woke::Aborted);
        return None;
    }
    let id = match WAITERS.0.insert(Waiter { parked, timer: JsValue::UNDEFINED, listener: None }) {
        Ok(id) => id,
        Err(w) => {
            client::woke(w.parked, Woke::TimedOut);
            return None;
        }
    };
    let timer = if sleep_ms < deadline_ms {
        set_timeout(callback(&ON_SLEPT, on_slept).function(), sleep_ms.clamp(0.0, MAX_TIMER_MS), id)
    } else {
        set_timeout(callback(&ON_DEADLINE, on_deadline).function(), deadline_ms.clamp(0.0, MAX_TIMER_MS), id)
    };
    let listener = signal.map(|s| callback(&ON_ABORT, on_abort).on_abort_of(s, id));
    WAITERS.0.with(id, |w| {
        w.timer = timer;
        w.listener = listener;
    });
    Some(id)
}

/// Takes back what `id` parked (if it is still there), with its timer and listener gone.
pub(crate) fn unpark(id: u32) -> Option<Parked> {
    let Waiter { parked, timer, listener } = WAITERS.0.take(id)?;
    clear_timeout(&timer);
    drop(listener);
    Some(parked)
}

fn wake(id: u32, why: Woke) -> Result<JsValue, JsValue> {
    if let Some(parked) = unpark(id) {
        client::woke(parked, why);
    }
    Ok(JsValue::UNDEFINED)
}

fn on_slept(id: u32, _: JsValue, _: JsValue) -> Result<JsValue, JsValue> {
    wake(id, Woke::Done)
}

fn on_deadline(id: u32, _: JsValue, _: JsValue) -> Result<JsValue, JsValue> {
    wake(id, Woke::TimedOut)
}

fn on_abort(id: u32, _: JsValue, _: JsValue) -> Result<JsValue, JsValue> {
    wake(id, Woke::Aborted)
}
