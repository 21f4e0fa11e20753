//! scalekit-mcp: drive Scalekit's per-user MCP servers from Node and edge runtimes.
//!
//! `core` holds everything that needs no JavaScript: the contract's models, validation, request
//! builders, response parsers and the client policy (token cache, retries). `shell` is the
//! wasm-bindgen layer that calls the global `fetch`.
//!
//! The optimized wasm build links no `std`: its own allocator ([`heap`]) and a panic handler
//! that traps keep the formatting and unwinding machinery of `std` out of the binary. Every other
//! build (native, and the debug wasm build of the tests) uses `std` as usual.
#![cfg_attr(all(target_arch = "wasm32", not(debug_assertions)), no_std)]

extern crate alloc;

pub mod core;
mod prelude;

#[cfg(target_arch = "wasm32")]
mod heap;
#[cfg(target_arch = "wasm32")]
pub mod shell;

#[cfg(target_arch = "wasm32")]
#[global_allocator]
static HEAP: heap::Heap = heap::Heap::new();

/// No code path panics on purpose (see the lints in `core` and `shell`); should one be reached
/// anyway, the instance traps like `panic = "abort"` would.
#[cfg(all(target_arch = "wasm32", not(debug_assertions)))]
#[panic_handler]
fn panic(_: &::core::panic::PanicInfo<'_>) -> ! {
    ::core::arch::wasm32::unreachable()
}
