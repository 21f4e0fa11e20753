//! scalekit-mcp: drive Scalekit's per-user MCP servers from Node and edge runtimes.
//!
//! `core` holds everything that needs no JavaScript: the contract's models, validation, request
//! builders, answer decoding, redaction and the client policy (token freshness, retries). `shell`
//! is the wasm-bindgen layer: it performs what the core decides, with the global `fetch`.

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod shell;
