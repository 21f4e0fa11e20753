//! What `std`'s prelude would provide, for the build without `std`.

pub(crate) use alloc::borrow::ToOwned;
#[cfg(target_arch = "wasm32")]
pub(crate) use alloc::boxed::Box;
pub(crate) use alloc::string::String;
pub(crate) use alloc::vec::Vec;
