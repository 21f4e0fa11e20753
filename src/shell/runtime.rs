//! Runtime detection for the browser guard.
//!
//! "Browser" means a page with a real DOM (`window.document`) that is not jsdom/happy-dom running
//! inside Node, or a browser web worker. Server-side runtimes that expose browser-like globals
//! (Deno, Bun, Cloudflare Workers, Vercel Edge) are not browsers: a secret is safe there.

use super::js::{get, present};
use wasm_bindgen::JsValue;

pub(crate) fn is_browser() -> bool {
    let g: JsValue = js_sys::global().into();
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
    // Dedicated/shared/service workers in a browser.
    present(&get(&g, "WorkerGlobalScope")) || get(&g, "importScripts").is_function()
}
