//! scalekit-mcp: drive Scalekit's per-user MCP servers from Node and edge runtimes.
//!
//! `core` holds everything that needs no JavaScript: the contract's models, validation, request
//! builders, response parsers and the client policy (token cache, retries). `shell` is the
//! wasm-bindgen layer that calls the global `fetch`.

pub mod core;

#[cfg(target_arch = "wasm32")]
pub mod shell;
