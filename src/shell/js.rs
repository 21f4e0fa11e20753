//! The JavaScript the shell calls that js-sys and web-sys do not bind as it needs: the global
//! `fetch` and `globalThis`, both on the global object (never `window`, which Node, Deno, Bun and
//! workerd do not have), and property reads that may throw. Every import that can throw is
//! `catch`: an exception must never unwind through a wasm frame.

use js_sys::{Promise, Reflect};
use wasm_bindgen::prelude::*;
use web_sys::RequestInit;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch`. It may have been replaced (instrumentation, interceptors) by one that
    /// throws instead of rejecting: `catch` turns that into an `Err`.
    #[wasm_bindgen(catch, js_name = fetch)]
    pub(crate) fn fetch(url: &str, init: &RequestInit) -> Result<Promise, JsValue>;

    /// A response body (`ReadableStream`), as far as the shell reads it.
    pub(crate) type BodyStream;
    /// Throws when the stream is locked (a wrapped `fetch` may hand back a body already read).
    #[wasm_bindgen(method, catch, js_name = getReader)]
    pub(crate) fn get_reader(this: &BodyStream) -> Result<BodyReader, JsValue>;

    pub(crate) type BodyReader;
    #[wasm_bindgen(method, catch)]
    pub(crate) fn read(this: &BodyReader) -> Result<Promise, JsValue>;

    /// The real global object. `js_sys::global()` looks at `self` first, which Node DOM test
    /// setups (global-jsdom, happy-dom's GlobalRegistrator) point at their window object.
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    pub(crate) static GLOBAL_THIS: JsValue;
}

/// `target[key]`, or `undefined` when `target` is not an object or the read throws.
pub(crate) fn get(target: &JsValue, key: &str) -> JsValue {
    if !target.is_object() && !target.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(target, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `globalThis[key]`.
pub(crate) fn global(key: &str) -> JsValue {
    GLOBAL_THIS.with(|g| get(g, key))
}

/// Whether the caller's `signal` has aborted. Read through `Reflect.get`, which cannot unwind
/// through wasm: a signal that throws when read (a Proxy, say) counts as aborted.
pub(crate) fn is_aborted(signal: &web_sys::AbortSignal) -> bool {
    Reflect::get(signal, &JsValue::from_str("aborted")).map_or(true, |v| v.as_bool().unwrap_or(true))
}

/// Neither `undefined` nor `null`.
pub(crate) fn present(v: &JsValue) -> bool {
    !v.is_undefined() && !v.is_null()
}

/// Milliseconds since the epoch (`Date.now()`).
pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}
