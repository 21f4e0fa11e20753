//! Runtime detection for the browser guard.
//!
//! "Browser" means a page with a real DOM (`window.document`) that is not jsdom/happy-dom running
//! inside Node, or a browser web worker. Server-side runtimes that expose browser-like globals
//! (Deno, Bun, Cloudflare Workers, Vercel Edge) are not browsers: a secret is safe there.

use super::js::{present, Global, Props, GLOBAL_THIS};
use ::core::cell::RefCell;
use wasm_bindgen::JsValue;

/// A property read that may throw or meet `undefined`: `undefined` then.
fn read<T: From<JsValue>>(r: Result<T, JsValue>) -> T {
    r.unwrap_or_else(|_| T::from(JsValue::UNDEFINED))
}

/// The `process` object last seen with `versions.node`: while `globalThis.process` is still that
/// object, this is Node and the rest need not be read again.
static NODE_PROCESS: Global<RefCell<Option<JsValue>>> = Global(RefCell::new(None));

pub(crate) fn is_browser() -> bool {
    GLOBAL_THIS.with(|g: &Props| {
        // Node (also Bun and Deno 2, which emulate `process`): jsdom/happy-dom set `window` there.
        let process = read(g.process());
        if let Ok(seen) = NODE_PROCESS.0.try_borrow() {
            if seen.as_ref().is_some_and(|p| *p == *process) {
                return false;
            }
        }
        let node = present(&read(read(process.versions()).node()));
        if let Ok(mut seen) = NODE_PROCESS.0.try_borrow_mut() {
            *seen = node.then(|| JsValue::clone(&process));
        }
        if node {
            return false;
        }
        if present(&read(g.deno())) || present(&read(g.bun())) || present(&read(g.edge_runtime())) {
            return false;
        }
        if read(read(g.navigator()).user_agent()).as_string().as_deref() == Some("Cloudflare-Workers") {
            return false;
        }
        if present(&read(read(g.window()).document())) {
            return true;
        }
        // Dedicated and shared workers in a browser have `importScripts`; workerd defines
        // `WorkerGlobalScope` but not `importScripts`, and may have no `navigator` to recognise it by.
        read(g.import_scripts()).is_function()
    })
}
