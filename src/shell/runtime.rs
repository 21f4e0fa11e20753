//! Runtime detection for the browser guard.
//!
//! "Browser" means a page with a real DOM (`window.document`) that is not jsdom or happy-dom
//! running inside Node, or a browser web worker. Server-side runtimes that expose browser-like
//! globals (Deno, Bun, Cloudflare Workers, Vercel Edge) are not browsers: a secret is safe there.

use super::js::{get, global, present};

pub(crate) fn is_browser() -> bool {
    // Node (also Bun and Deno 2, which emulate `process`): jsdom/happy-dom set `window` there.
    if present(&get(&get(&global("process"), "versions"), "node")) {
        return false;
    }
    if present(&global("Deno")) || present(&global("Bun")) || present(&global("EdgeRuntime")) {
        return false;
    }
    if get(&global("navigator"), "userAgent").as_string().as_deref() == Some("Cloudflare-Workers") {
        return false;
    }
    if present(&get(&global("window"), "document")) {
        return true;
    }
    // Dedicated and shared workers in a browser have `importScripts`; workerd defines
    // `WorkerGlobalScope` but not `importScripts`, and may have no `navigator` to recognise it by.
    global("importScripts").is_function()
}
