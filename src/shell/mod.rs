//! The wasm-bindgen shell.
