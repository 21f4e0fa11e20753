//! What `std`'s prelude would provide, for the build without `std`.

pub(crate) use alloc::borrow::ToOwned;
pub(crate) use alloc::string::String;
pub(crate) use alloc::vec::Vec;
