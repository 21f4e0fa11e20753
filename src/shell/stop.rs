//! Cancellation: a deadline timer and the caller's `AbortSignal`, raced against any promise.
//!
//! A [`Stop`] owns one timer and (optionally) one `abort` listener. Both resolve one JS promise
//! with a marker; [`Stop::race`] polls the awaited promise and that promise together and returns
//! whichever settles first. Dropping the `Stop` clears the timer and removes the listener, so a
//! finished call leaves nothing behind that keeps Node's event loop alive or calls a dropped
//! closure.

use super::js::{clear_timeout, now_ms, set_timeout};
use js_sys::{Function, Promise};
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::AbortSignal;

const TIMED_OUT: f64 = 1.0;
const ABORTED: f64 = 2.0;
const DROPPED: f64 = 0.0;

/// Larger delays overflow `setTimeout` (a 32-bit signed int) and fire at once.
const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// Why a race was lost.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stopped {
    TimedOut,
    Aborted,
}

pub(crate) enum Raced {
    /// The awaited promise settled first: fulfilled (`Ok`) or rejected (`Err`).
    Done(Result<JsValue, JsValue>),
    Stopped(Stopped),
}

pub(crate) struct Stop {
    promise: Promise,
    /// Settles `promise`; called on drop too, so that the `then` callbacks of every race on this
    /// stop run and free themselves instead of waiting forever on a promise that never settles.
    resolve: Option<Function>,
    /// Absolute time (`Date.now()` clock) at which the timer fires; `f64::INFINITY` for none.
    pub(crate) deadline: f64,
    timer: Option<(JsValue, Closure<dyn FnMut()>)>,
    listener: Option<(AbortSignal, Closure<dyn FnMut()>)>,
}

impl Stop {
    /// A stop that fires after `ms` milliseconds (never when `None`) or when `signal` aborts.
    /// The caller checks `signal.aborted` first: an already-aborted signal fires no event.
    pub(crate) fn new(ms: Option<f64>, signal: Option<&AbortSignal>) -> Stop {
        let mut resolve: Option<Function> = None;
        let promise = Promise::new(&mut |res, _rej| resolve = Some(res));
        let deadline = ms.map_or(f64::INFINITY, |ms| now_ms() + ms.max(0.0));
        let mut stop = Stop { promise, resolve: None, deadline, timer: None, listener: None };
        // The executor runs synchronously; `None` cannot happen, and would only mean "never fires".
        let Some(resolve) = resolve else { return stop };
        if let Some(ms) = ms {
            let r = resolve.clone();
            let cb = Closure::<dyn FnMut()>::new(move || {
                let _ = r.call1(&JsValue::NULL, &JsValue::from_f64(TIMED_OUT));
            });
            if let Ok(id) = set_timeout(cb.as_ref().unchecked_ref(), ms.clamp(0.0, MAX_TIMER_MS)) {
                stop.timer = Some((id, cb));
            }
        }
        if let Some(signal) = signal {
            let r = resolve.clone();
            let cb = Closure::<dyn FnMut()>::new(move || {
                let _ = r.call1(&JsValue::NULL, &JsValue::from_f64(ABORTED));
            });
            if signal.add_event_listener_with_callback("abort", cb.as_ref().unchecked_ref()).is_ok() {
                stop.listener = Some((signal.clone(), cb));
            }
        }
        stop.resolve = Some(resolve);
        stop
    }

    /// Milliseconds left before the deadline (may be negative; infinite without one).
    pub(crate) fn remaining(&self) -> f64 {
        self.deadline - now_ms()
    }

    /// Await `promise` unless this stop fires first. On a tie the promise wins.
    pub(crate) fn race(&self, promise: Promise) -> Race {
        Race { main: JsFuture::from(promise), stop: JsFuture::from(self.promise.clone()) }
    }

    /// Sleep `ms` milliseconds unless this stop fires first (`Err` says why).
    pub(crate) async fn sleep(&self, ms: f64) -> Result<(), Stopped> {
        let timer = Stop::new(Some(ms), None);
        match self.race(timer.promise.clone()).await {
            Raced::Done(_) => Ok(()),
            Raced::Stopped(why) => Err(why),
        }
    }
}

impl Drop for Stop {
    fn drop(&mut self) {
        if let Some((id, _cb)) = self.timer.take() {
            let _ = clear_timeout(&id);
        }
        if let Some((signal, cb)) = self.listener.take() {
            let _ = signal.remove_event_listener_with_callback("abort", cb.as_ref().unchecked_ref());
        }
        if let Some(resolve) = self.resolve.take() {
            let _ = resolve.call1(&JsValue::NULL, &JsValue::from_f64(DROPPED));
        }
    }
}

pub(crate) struct Race {
    main: JsFuture,
    stop: JsFuture,
}

impl Future for Race {
    type Output = Raced;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Raced> {
        if let Poll::Ready(r) = Pin::new(&mut self.main).poll(cx) {
            return Poll::Ready(Raced::Done(r));
        }
        if let Poll::Ready(r) = Pin::new(&mut self.stop).poll(cx) {
            let why = match r.ok().and_then(|v| v.as_f64()) {
                Some(v) if v == ABORTED => Stopped::Aborted,
                _ => Stopped::TimedOut,
            };
            return Poll::Ready(Raced::Stopped(why));
        }
        Poll::Pending
    }
}
