//! Raw bindings to the JavaScript the shell needs. Every binding is on the global object
//! (`globalThis`), never on `window`: Node, Deno, Bun and workerd have no `window`; the one
//! exception is js/exchange.js, the package's own `fetch` step.
//!
//! Callbacks that JavaScript calls (the end of an exchange, timers, `abort` listeners) are a few
//! long-lived functions made once ([`callback`]) that take a `u32` id first: js/exchange.js and
//! `setTimeout` pass it, listeners get it bound ([`Callback::bind`]). No call allocates a
//! wasm-bindgen closure.

use crate::prelude::*;
use ::core::cell::{OnceCell, RefCell};
use js_sys::{Function, Object, Promise};
use wasm_bindgen::prelude::*;
use web_sys::AbortSignal;

#[wasm_bindgen(module = "/js/exchange.js")]
extern "C" {
    /// One exchange (js/exchange.js): the global `fetch`, then the body as text unless the
    /// response declares more than `limit` bytes; `settled(id, response, text)` or
    /// `failed(id, error, midway)` gets the outcome. `catch`: a runtime without `fetch` throws,
    /// which must become a typed error instead of unwinding through wasm frames.
    #[wasm_bindgen(catch)]
    pub(crate) fn exchange(url: &JsValue, init: &Object, limit: f64, id: u32, settled: &Function, failed: &Function) -> Result<Promise, JsValue>;
}

#[wasm_bindgen]
extern "C" {

    /// The global `setTimeout`, passing `id` to `f`; returns a number (browsers, workerd) or a
    /// `Timeout` (Node).
    #[wasm_bindgen(js_name = setTimeout)]
    pub(crate) fn set_timeout(f: &Function, ms: f64, id: u32) -> JsValue;

    /// What `setTimeout` returned: a `Timeout` object (Node, Bun) or a number.
    pub(crate) type Timer;
    /// `timer.unref()`; throws for a number.
    #[wasm_bindgen(method, catch, structural)]
    pub(crate) fn unref(this: &Timer) -> Result<JsValue, JsValue>;

    /// The global `clearTimeout`.
    #[wasm_bindgen(js_name = clearTimeout)]
    pub(crate) fn clear_timeout(timer: &JsValue);

    /// `Function.prototype.call.bind(f, null, id)`: `f` with `id` bound as its first argument.
    /// Binding the built-in `call` rather than `f` keeps `bind` on V8's fast path, which a
    /// function whose `name` was redefined (as bundlers keeping names do) leaves.
    #[wasm_bindgen(js_namespace = ["Function", "prototype", "call"], js_name = bind)]
    fn bind_id(f: &Function, this_arg: &JsValue, id: u32) -> Function;

    /// A plain object being filled as a `fetch` init or a headers record.
    #[wasm_bindgen(extends = Object)]
    pub(crate) type Fields;
    #[wasm_bindgen(method, setter)]
    pub(crate) fn set_method(this: &Fields, v: &str);
    #[wasm_bindgen(method, setter)]
    pub(crate) fn set_headers(this: &Fields, v: &Fields);
    #[wasm_bindgen(method, setter)]
    pub(crate) fn set_body(this: &Fields, v: &str);
    #[wasm_bindgen(method, setter)]
    pub(crate) fn set_signal(this: &Fields, v: &AbortSignal);
    #[wasm_bindgen(method, setter)]
    pub(crate) fn set_accept(this: &Fields, v: &str);
    #[wasm_bindgen(method, setter)]
    pub(crate) fn set_authorization(this: &Fields, v: &JsValue);

    /// A `Response` (js/exchange.js checks that it is one): its status and headers.
    #[wasm_bindgen(js_name = Response)]
    pub(crate) type Response;
    #[wasm_bindgen(method, getter)]
    pub(crate) fn status(this: &Response) -> u16;
    #[wasm_bindgen(method, getter)]
    fn headers(this: &Response) -> Headers;

    #[wasm_bindgen(js_name = Headers)]
    type Headers;
    /// Throws only for an invalid header name.
    #[wasm_bindgen(method, catch)]
    fn get(this: &Headers, name: &str) -> Result<Option<String>, JsValue>;

    /// Property reads that may throw (or meet `undefined`), for error causes and runtime checks.
    pub(crate) type Props;
    #[wasm_bindgen(method, catch, getter, structural)]
    pub(crate) fn cause(this: &Props) -> Result<Props, JsValue>;
    #[wasm_bindgen(method, catch, getter, structural)]
    pub(crate) fn code(this: &Props) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, getter, structural)]
    pub(crate) fn message(this: &Props) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, getter, structural)]
    pub(crate) fn process(this: &Props) -> Result<Props, JsValue>;
    #[wasm_bindgen(method, catch, getter, structural)]
    pub(crate) fn versions(this: &Props) -> Result<Props, JsValue>;
    #[wasm_bindgen(method, catch, getter, structural)]
    pub(crate) fn node(this: &Props) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, getter, structural, js_name = Deno)]
    pub(crate) fn deno(this: &Props) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, getter, structural, js_name = Bun)]
    pub(crate) fn bun(this: &Props) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, getter, structural, js_name = EdgeRuntime)]
    pub(crate) fn edge_runtime(this: &Props) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, getter, structural)]
    pub(crate) fn navigator(this: &Props) -> Result<Props, JsValue>;
    #[wasm_bindgen(method, catch, getter, structural, js_name = userAgent)]
    pub(crate) fn user_agent(this: &Props) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, getter, structural)]
    pub(crate) fn window(this: &Props) -> Result<Props, JsValue>;
    #[wasm_bindgen(method, catch, getter, structural)]
    pub(crate) fn document(this: &Props) -> Result<JsValue, JsValue>;
    #[wasm_bindgen(method, catch, getter, structural, js_name = importScripts)]
    pub(crate) fn import_scripts(this: &Props) -> Result<JsValue, JsValue>;

    /// The real global object. `js_sys::global()` looks at `self` first, which Node DOM test
    /// setups (global-jsdom, happy-dom's GlobalRegistrator) point at their window object.
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    pub(crate) static GLOBAL_THIS: Props;
}

impl Response {
    /// A response header; `None` when absent or unreadable.
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        self.headers().get(name).ok().flatten()
    }
}

/// Neither `undefined` nor `null`.
pub(crate) fn present(v: &JsValue) -> bool {
    !v.is_undefined() && !v.is_null()
}

/// Milliseconds since the epoch (`Date.now()`).
pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// A value shared by the whole module. wasm32-unknown-unknown without atomics has one thread,
/// and the values are only touched through short `RefCell` borrows or once-initialized cells.
pub(crate) struct Global<T>(pub(crate) T);

unsafe impl<T> Sync for Global<T> {}

/// A long-lived JavaScript function that takes an id first: `f(id, value, more)`.
pub(crate) struct Callback(Closure<dyn Fn(u32, JsValue, JsValue) -> Result<JsValue, JsValue>>);

impl Callback {
    /// The function with `id` bound as its first argument.
    pub(crate) fn bind(&self, id: u32) -> Function {
        bind_id(self.function(), &JsValue::NULL, id)
    }

    /// The function itself (for `setTimeout(f, ms, id)` and js/exchange.js).
    pub(crate) fn function(&self) -> &Function {
        self.0.as_ref().unchecked_ref()
    }

    /// The function bound to `id`, listening for the `abort` of `signal` until the [`Listener`]
    /// is dropped.
    pub(crate) fn on_abort_of(&self, signal: &AbortSignal, id: u32) -> Listener {
        let f = self.bind(id);
        let _ = signal.add_event_listener_with_callback("abort", &f);
        Listener(signal.clone(), f)
    }
}

/// An `abort` listener on a caller's signal ([`Callback::on_abort_of`]); removed when dropped.
pub(crate) struct Listener(AbortSignal, Function);

impl Drop for Listener {
    fn drop(&mut self) {
        let _ = self.0.remove_event_listener_with_callback("abort", &self.1);
    }
}

/// The callback calling `f`, made on first use and kept for the life of the module.
pub(crate) fn callback(cell: &'static Global<OnceCell<Callback>>, f: fn(u32, JsValue, JsValue) -> Result<JsValue, JsValue>) -> &'static Callback {
    cell.0.get_or_init(|| Callback(Closure::new(f)))
}

/// Values by `u32` id while they are in use: the slot index in the low 20 bits, a use count
/// above, so that a stale id (a late timer, say) never finds a newer value.
pub(crate) struct Slab<T>(RefCell<Slots<T>>);

pub(crate) struct Slots<T> {
    slots: Vec<(u32, Option<T>)>,
    /// Indexes of the free slots.
    free: Vec<usize>,
    used: usize,
}

const INDEX_BITS: u32 = 20;

fn index_of(id: u32) -> usize {
    (id & ((1 << INDEX_BITS) - 1)) as usize
}

impl<T> Slab<T> {
    pub(crate) const fn new() -> Slab<T> {
        Slab(RefCell::new(Slots { slots: Vec::new(), free: Vec::new(), used: 0 }))
    }

    /// Stores `value` and returns its id; gives it back with a million values in use.
    pub(crate) fn insert(&self, value: T) -> Result<u32, T> {
        let Ok(mut s) = self.0.try_borrow_mut() else { return Err(value) };
        let index = match s.free.pop() {
            Some(i) => i,
            None if s.slots.len() < (1 << INDEX_BITS) => {
                s.slots.push((0, None));
                s.slots.len() - 1
            }
            None => return Err(value),
        };
        let Some((id, slot)) = s.slots.get_mut(index) else { return Err(value) };
        let uses = (*id >> INDEX_BITS).wrapping_add(1) & ((1 << (32 - INDEX_BITS)) - 1);
        *id = (uses << INDEX_BITS) | index as u32;
        *slot = Some(value);
        let id = *id;
        s.used += 1;
        Ok(id)
    }

    /// Runs `f` on the value of `id`, if it is still there.
    pub(crate) fn with<R>(&self, id: u32, f: impl FnOnce(&mut T) -> R) -> Option<R> {
        let mut s = self.0.try_borrow_mut().ok()?;
        match s.slots.get_mut(index_of(id))? {
            (i, Some(v)) if *i == id => Some(f(v)),
            _ => None,
        }
    }

    /// Whether no value is in use.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.try_borrow().is_ok_and(|s| s.used == 0)
    }

    /// Calls `f` with each value in use and its id.
    pub(crate) fn each(&self, mut f: impl FnMut(u32, &T)) {
        if let Ok(s) = self.0.try_borrow() {
            for (id, v) in s.slots.iter() {
                if let Some(v) = v {
                    f(*id, v);
                }
            }
        }
    }

    /// Removes and returns the value of `id`.
    pub(crate) fn take(&self, id: u32) -> Option<T> {
        let mut s = self.0.try_borrow_mut().ok()?;
        let index = index_of(id);
        let value = match s.slots.get_mut(index)? {
            (i, v) if *i == id => v.take()?,
            _ => return None,
        };
        s.free.push(index);
        s.used -= 1;
        Some(value)
    }
}
