//! Waiting where no fetch is in flight (the sleep between retries, waiting for a token request
//! started by another call, the pause between `waitForAuth` polls), unless the deadline passes or
//! the caller's signal aborts first. Like attempts, waits live in a slab under an id that the
//! module's long-lived callbacks are bound to; a settled wait leaves no timer or listener behind.

use super::js::{callback, clear_timeout, set_timeout, then, Callback, Global, Slab};
use ::core::cell::OnceCell;
use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;
use super::task;
use web_sys::AbortSignal;

/// How a wait ended.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Woke {
    /// The awaited promise settled, or the sleep is over.
    Done,
    TimedOut,
    Aborted,
}

/// Larger delays overflow `setTimeout` (a 32-bit signed int) and fire at once.
const MAX_TIMER_MS: f64 = 2_147_483_647.0;

struct Waiter {
    resolve: Function,
    timer: JsValue,
    listener: Option<(AbortSignal, Function)>,
}

static WAITERS: Global<Slab<Waiter>> = Global(Slab::new());
static ON_DONE: Global<OnceCell<Callback>> = Global(OnceCell::new());
static ON_DEADLINE: Global<OnceCell<Callback>> = Global(OnceCell::new());
static ON_ABORT: Global<OnceCell<Callback>> = Global(OnceCell::new());

/// Waits for `promise` (if any) or `sleep_ms`, whichever comes first, unless `deadline_ms` pass
/// or `signal` aborts first. On a tie the promise wins.
pub(crate) async fn wait(promise: Option<&Promise>, sleep_ms: f64, deadline_ms: f64, signal: Option<&AbortSignal>) -> Woke {
    if signal.is_some_and(AbortSignal::aborted) {
        return Woke::Aborted;
    }
    let mut resolve = None;
    let woken = Promise::new(&mut |res, _| resolve = Some(res));
    // The executor runs synchronously, so `resolve` is set.
    let Some(resolve) = resolve else { return Woke::Done };
    let Ok(id) = WAITERS.0.insert(Waiter { resolve, timer: JsValue::UNDEFINED, listener: None }) else { return Woke::Done };
    let timer = if sleep_ms < deadline_ms {
        set_timeout(callback(&ON_DONE, on_done).function(), sleep_ms.clamp(0.0, MAX_TIMER_MS), id)
    } else {
        set_timeout(callback(&ON_DEADLINE, on_deadline).function(), deadline_ms.clamp(0.0, MAX_TIMER_MS), id)
    };
    let listener = signal.map(|s| {
        let f = callback(&ON_ABORT, on_abort).bind(id);
        let _ = s.add_event_listener_with_callback("abort", &f);
        (s.clone(), f)
    });
    WAITERS.0.with(id, |w| {
        w.timer = timer;
        w.listener = listener;
    });
    if let Some(p) = promise {
        let done = callback(&ON_DONE, on_done).bind(id);
        let _ = then(p, &done, &done);
    }
    match task::wait(woken).await.ok().and_then(|v| v.as_f64()).map(|n| n as u32) {
        Some(1) => Woke::TimedOut,
        Some(2) => Woke::Aborted,
        _ => Woke::Done,
    }
}

/// Ends wait `id` (if it has not ended) with `code`: 0 done, 1 timed out, 2 aborted.
fn wake(id: u32, code: f64) -> Result<JsValue, JsValue> {
    if let Some(w) = WAITERS.0.take(id) {
        clear_timeout(&w.timer);
        if let Some((signal, f)) = w.listener {
            let _ = signal.remove_event_listener_with_callback("abort", &f);
        }
        let _ = w.resolve.call1(&JsValue::NULL, &JsValue::from_f64(code));
    }
    Ok(JsValue::UNDEFINED)
}

fn on_done(id: u32, _: JsValue) -> Result<JsValue, JsValue> {
    wake(id, 0.0)
}

fn on_deadline(id: u32, _: JsValue) -> Result<JsValue, JsValue> {
    wake(id, 1.0)
}

fn on_abort(id: u32, _: JsValue) -> Result<JsValue, JsValue> {
    wake(id, 2.0)
}
