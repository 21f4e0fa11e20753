//! What ends a call early: its deadline and its caller's signal, raced against whatever the call
//! awaits (the token, an attempt, a sleep).
//!
//! Each call has one [`Stop`]: one timer for its deadline (a `setTimeout`, cleared when the call
//! ends) and one watch of its signal, shared by everything the call awaits, so that a timeout
//! fires when it is due, however far the call got.

use std::future::Future;
use std::pin::pin;

use futures_util::future::{select, Either};
use gloo_timers::future::TimeoutFuture;
use web_sys::AbortSignal;

use super::abort::Aborted;
use super::js::{is_aborted, now_ms};

/// Longest delay `setTimeout` takes (a 32-bit signed integer of milliseconds).
const MAX_TIMER_MS: f64 = 2_147_483_647.0;

/// Why a call stopped before it was done.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stopped {
    TimedOut,
    Aborted,
}

/// A timer for `ms` from now, cleared when dropped.
pub(crate) fn timer(ms: f64) -> TimeoutFuture {
    let ms = if ms.is_nan() { 0.0 } else { ms.clamp(0.0, MAX_TIMER_MS).ceil() };
    TimeoutFuture::new(ms as u32)
}

pub(crate) struct Stop {
    /// `Date.now()` time of the deadline.
    deadline: f64,
    /// The deadline's timer, until it fires (a fired timer is not polled again).
    timer: Option<TimeoutFuture>,
    expired: bool,
    aborted: Aborted,
    signal: Option<AbortSignal>,
}

impl Stop {
    /// A stop at `timeout_ms` from now (none when infinite), or when `signal` aborts.
    pub(crate) fn new(timeout_ms: f64, signal: Option<&AbortSignal>) -> Stop {
        Stop::until(now_ms() + timeout_ms, signal)
    }

    /// A stop at the `Date.now()` time `deadline` (none when infinite), or when `signal` aborts.
    pub(crate) fn until(deadline: f64, signal: Option<&AbortSignal>) -> Stop {
        let timer = deadline.is_finite().then(|| timer(deadline - now_ms()));
        Stop { deadline, timer, expired: false, aborted: Aborted::new(signal), signal: signal.cloned() }
    }

    /// The `Date.now()` time of the deadline.
    pub(crate) fn deadline(&self) -> f64 {
        self.deadline
    }

    /// Milliseconds left before the deadline.
    pub(crate) fn remaining(&self) -> f64 {
        self.deadline - now_ms()
    }

    /// Whether the deadline passed or the signal aborted, checked without waiting.
    pub(crate) fn check(&self) -> Result<(), Stopped> {
        if self.signal.as_ref().is_some_and(is_aborted) {
            Err(Stopped::Aborted)
        } else if self.expired || self.remaining() <= 0.0 {
            Err(Stopped::TimedOut)
        } else {
            Ok(())
        }
    }

    /// `work`'s output, unless the deadline passes or the signal aborts first; `work` is then
    /// dropped (an attempt aborts its `fetch` when dropped).
    pub(crate) async fn run<F: Future>(&mut self, work: F) -> Result<F::Output, Stopped> {
        self.check()?;
        let work = pin!(work);
        let aborted = &mut self.aborted;
        match &mut self.timer {
            Some(timer) => match select(work, select(timer, aborted)).await {
                Either::Left((out, _)) => Ok(out),
                Either::Right((Either::Left(_), _)) => {
                    self.timer = None;
                    self.expired = true;
                    Err(Stopped::TimedOut)
                }
                Either::Right((Either::Right(_), _)) => Err(Stopped::Aborted),
            },
            None => match select(work, aborted).await {
                Either::Left((out, _)) => Ok(out),
                Either::Right(_) => Err(Stopped::Aborted),
            },
        }
    }

    /// Sleeps `ms`, unless the call stops first.
    pub(crate) async fn sleep(&mut self, ms: f64) -> Result<(), Stopped> {
        self.run(timer(ms)).await
    }
}
