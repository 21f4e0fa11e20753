//! The caller's `AbortSignal` as a future.
//!
//! Many calls may share one signal (an app-wide shutdown signal, a request's signal passed to
//! every call it makes). Each signal gets one `abort` listener, however many calls watch it: a
//! [`Hub`] per signal holds the wakers of the calls waiting on it, and removes its listener when
//! the last one is dropped. (A listener per call would trip Node's `MaxListenersExceededWarning`
//! past ten calls, and keep every call's state alive as long as the signal lives.)

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::AbortSignal;

use super::js::is_aborted;

/// The calls watching one signal.
struct Hub {
    signal: AbortSignal,
    listener: Closure<dyn FnMut()>,
    /// Each watcher's key and the waker of its last poll.
    watchers: RefCell<Vec<(u64, Option<Waker>)>>,
    next_key: Cell<u64>,
}

thread_local! {
    /// The hubs of the signals being watched (a handful at a time: a linear search is enough).
    static HUBS: RefCell<Vec<Rc<Hub>>> = const { RefCell::new(Vec::new()) };
}

impl Hub {
    fn for_signal(signal: &AbortSignal) -> Option<Rc<Hub>> {
        if let Some(hub) = HUBS.with(|h| h.borrow().iter().find(|hub| hub.signal == *signal).cloned()) {
            return Some(hub);
        }
        let hub = Rc::new_cyclic(|weak: &Weak<Hub>| {
            let weak = weak.clone();
            Hub {
                signal: signal.clone(),
                listener: Closure::new(move || {
                    if let Some(hub) = weak.upgrade() {
                        hub.wake_all();
                    }
                }),
                watchers: RefCell::new(Vec::new()),
                next_key: Cell::new(0),
            }
        });
        signal.add_event_listener_with_callback("abort", hub.listener.as_ref().unchecked_ref()).ok()?;
        HUBS.with(|h| h.borrow_mut().push(hub.clone()));
        Some(hub)
    }

    fn wake_all(&self) {
        // Taken out first: a woken task may poll (and so borrow) again before this returns.
        let wakers: Vec<Waker> = self.watchers.borrow_mut().iter_mut().filter_map(|(_, w)| w.take()).collect();
        for w in wakers {
            w.wake();
        }
    }
}

/// Resolves when the signal aborts; never, without a signal.
pub(crate) struct Aborted {
    watch: Option<(Rc<Hub>, u64)>,
}

impl Aborted {
    pub(crate) fn new(signal: Option<&AbortSignal>) -> Aborted {
        let watch = signal.and_then(Hub::for_signal).map(|hub| {
            let key = hub.next_key.get();
            hub.next_key.set(key.wrapping_add(1));
            hub.watchers.borrow_mut().push((key, None));
            (hub, key)
        });
        Aborted { watch }
    }
}

impl Future for Aborted {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let Some((hub, key)) = &self.watch else { return Poll::Pending };
        if is_aborted(&hub.signal) {
            return Poll::Ready(());
        }
        if let Some(slot) = hub.watchers.borrow_mut().iter_mut().find(|(k, _)| k == key) {
            slot.1 = Some(cx.waker().clone());
        }
        Poll::Pending
    }
}

impl Drop for Aborted {
    fn drop(&mut self) {
        let Some((hub, key)) = self.watch.take() else { return };
        let empty = {
            let mut watchers = hub.watchers.borrow_mut();
            watchers.retain(|(k, _)| *k != key);
            watchers.is_empty()
        };
        if empty {
            let _ = hub.signal.remove_event_listener_with_callback("abort", hub.listener.as_ref().unchecked_ref());
            HUBS.with(|h| h.borrow_mut().retain(|other| !Rc::ptr_eq(other, &hub)));
        }
    }
}
