//! Raw bindings to the JavaScript globals the shell needs. Every binding is on the global object
//! (`globalThis`), never on `window`: Node, Deno, Bun and workerd have no `window`.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The global `fetch`. `catch`: a runtime without `fetch` throws a TypeError, which must
    /// become a typed error instead of unwinding through wasm frames.
    #[wasm_bindgen(catch, js_name = fetch)]
    pub(crate) fn global_fetch(req: &web_sys::Request) -> Result<Promise, JsValue>;

    /// The global `setTimeout`; returns a number (browsers, workerd) or a `Timeout` (Node).
    #[wasm_bindgen(catch, js_name = setTimeout)]
    pub(crate) fn set_timeout(cb: &Function, ms: f64) -> Result<JsValue, JsValue>;

    /// The global `clearTimeout`.
    #[wasm_bindgen(catch, js_name = clearTimeout)]
    pub(crate) fn clear_timeout(id: &JsValue) -> Result<(), JsValue>;
}

/// `obj[key]`, or `undefined` when `obj` is not an object or the lookup throws.
pub(crate) fn get(obj: &JsValue, key: &str) -> JsValue {
    if !obj.is_object() && !obj.is_function() {
        return JsValue::UNDEFINED;
    }
    Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// Neither `undefined` nor `null`.
pub(crate) fn present(v: &JsValue) -> bool {
    !v.is_undefined() && !v.is_null()
}

/// Milliseconds since the epoch (`Date.now()`).
pub(crate) fn now_ms() -> f64 {
    js_sys::Date::now()
}
