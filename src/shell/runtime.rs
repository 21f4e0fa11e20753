//! Runtime detection for the browser guard.
//!
//! "Browser" means a page with a real DOM (`window.document`) that is not jsdom/happy-dom running
//! inside Node, or a browser web worker. Server-side runtimes that expose browser-like globals
//! (Deno, Bun, Cloudflare Workers, Vercel Edge) are not browsers: a secret is safe there.

use super::js::{get, present};
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// The real global object. `js_sys::global()` looks at `self` first, which Node DOM test
    /// setups (global-jsdom, happy-dom's GlobalRegistrator) point at their window object.
    #[wasm_bindgen(thread_local_v2, js_name = globalThis)]
    static GLOBAL_THIS: JsValue;
}

pub(crate) fn is_browser() -> bool {
    let g: JsValue = GLOBAL_THIS.with(JsValue::clone);
    // Node (also Bun and Deno 2, which emulate `process`): jsdom/happy-dom set `window` there.
    if present(&get(&get(&get(&g, "process"), "versions"), "node")) {
        return false;
    }
    if present(&get(&g, "Deno")) || present(&get(&g, "Bun")) || present(&get(&g, "EdgeRuntime")) {
        return false;
    }
    if get(&get(&g, "navigator"), "userAgent").as_string().as_deref() == Some("Cloudflare-Workers") {
        return false;
    }
    if present(&get(&get(&g, "window"), "document")) {
        return true;
    }
    // Dedicated and shared workers in a browser have `importScripts`; workerd defines
    // `WorkerGlobalScope` but not `importScripts`, and may have no `navigator` to recognise it by.
    get(&g, "importScripts").is_function()
}
