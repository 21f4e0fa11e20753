//! A small executor for the shell's futures: [`spawn`] runs a future to its end and settles a JS
//! promise with its output; [`Wait`] (`wait(promise).await`) is the only leaf future, resolved
//! by the promise's reactions. The parts of `wasm-bindgen-futures` the shell would use, in far
//! less code: tasks live in a slab by id, and the promise reactions are the module's long-lived
//! callbacks bound to that id.
//!
//! A task awaits one promise at a time. Its reactions store the outcome in the task's inbox and
//! poll the task at once (they run as promise jobs, never inside another poll of the same task).

use super::js::{callback, resolved, then, Callback, Global, Slab};
use alloc::boxed::Box;
use ::core::cell::{Cell, OnceCell};
use ::core::future::Future;
use ::core::pin::Pin;
use ::core::task::{Context, Poll, RawWaker, RawWakerVTable, Waker};
use js_sys::{Function, Promise};
use wasm_bindgen::JsValue;

type Output = Result<JsValue, JsValue>;

struct Task {
    /// `None` while it is being polled.
    future: Option<Pin<Box<dyn Future<Output = Output>>>>,
    /// How the awaited promise settled, until the future takes it.
    inbox: Option<Output>,
    resolve: Function,
    reject: Function,
}

static TASKS: Global<Slab<Task>> = Global(Slab::new());
/// The task being polled (its id), for [`Wait`] to register with.
static CURRENT: Global<Cell<Option<u32>>> = Global(Cell::new(None));
static ON_START: Global<OnceCell<Callback>> = Global(OnceCell::new());
static ON_RESOLVED: Global<OnceCell<Callback>> = Global(OnceCell::new());
static ON_REJECTED: Global<OnceCell<Callback>> = Global(OnceCell::new());

/// Runs `future` in a task of its own, first polled in a later microtask (never inside the
/// caller); the promise settles with its output.
pub(crate) fn spawn(future: impl Future<Output = Output> + 'static) -> Promise {
    let mut settle = None;
    let promise = Promise::new(&mut |resolve, reject| settle = Some((resolve, reject)));
    // The executor runs synchronously, so `settle` is set.
    let Some((resolve, reject)) = settle else { return promise };
    let task = Task { future: Some(Box::pin(future)), inbox: None, resolve, reject };
    match TASKS.0.insert(task) {
        Ok(id) => {
            let start = callback(&ON_START, on_start).bind(id);
            let _ = then(&resolved(), &start, &start);
        }
        Err(task) => {
            let _ = task.reject.call1(&JsValue::NULL, &JsValue::from_str("too many tasks"));
        }
    }
    promise
}

fn on_start(id: u32, _: JsValue) -> Result<JsValue, JsValue> {
    poll(id);
    Ok(JsValue::UNDEFINED)
}

fn on_resolved(id: u32, value: JsValue) -> Result<JsValue, JsValue> {
    TASKS.0.with(id, |t| t.inbox = Some(Ok(value)));
    poll(id);
    Ok(JsValue::UNDEFINED)
}

fn on_rejected(id: u32, err: JsValue) -> Result<JsValue, JsValue> {
    TASKS.0.with(id, |t| t.inbox = Some(Err(err)));
    poll(id);
    Ok(JsValue::UNDEFINED)
}

/// A waker that does nothing: tasks are polled by their promise reactions, not by wakers.
fn noop_waker() -> Waker {
    fn clone(_: *const ()) -> RawWaker {
        RawWaker::new(::core::ptr::null(), &VTABLE)
    }
    fn noop(_: *const ()) {}
    static VTABLE: RawWakerVTable = RawWakerVTable::new(clone, noop, noop, noop);
    // SAFETY: the vtable's functions ignore the data pointer and uphold the RawWaker contract.
    unsafe { Waker::from_raw(RawWaker::new(::core::ptr::null(), &VTABLE)) }
}

/// Polls task `id` once; settles its promise and frees it when it is done.
fn poll(id: u32) {
    let Some(mut future) = TASKS.0.with(id, |t| t.future.take()).flatten() else { return };
    let outer = CURRENT.0.replace(Some(id));
    let waker = noop_waker();
    let result = future.as_mut().poll(&mut Context::from_waker(&waker));
    CURRENT.0.set(outer);
    match result {
        Poll::Pending => {
            TASKS.0.with(id, |t| t.future = Some(future));
        }
        Poll::Ready(out) => {
            drop(future);
            if let Some(task) = TASKS.0.take(id) {
                let _ = match out {
                    Ok(v) => task.resolve.call1(&JsValue::NULL, &v),
                    Err(e) => task.reject.call1(&JsValue::NULL, &e),
                };
            }
        }
    }
}

/// Waits for a JS promise: `Ok` with its value, `Err` with its reason.
pub(crate) struct Wait {
    /// Until the first poll registers the reactions.
    promise: Option<Promise>,
}

pub(crate) fn wait(promise: Promise) -> Wait {
    Wait { promise: Some(promise) }
}

impl Future for Wait {
    type Output = Output;

    fn poll(mut self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Output> {
        let Some(id) = CURRENT.0.get() else { return Poll::Ready(Err(JsValue::UNDEFINED)) };
        if let Some(promise) = self.promise.take() {
            // A stale outcome must not be taken for this promise's.
            TASKS.0.with(id, |t| t.inbox = None);
            let _ = then(&promise, &callback(&ON_RESOLVED, on_resolved).bind(id), &callback(&ON_REJECTED, on_rejected).bind(id));
            return Poll::Pending;
        }
        match TASKS.0.with(id, |t| t.inbox.take()).flatten() {
            Some(out) => Poll::Ready(out),
            None => Poll::Pending,
        }
    }
}
