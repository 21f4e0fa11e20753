//! The pure core: no I/O, no JavaScript.
//!
//! Everything here is a function of its inputs: the shell hands in JSON strings, HTTP statuses,
//! bodies and the current time, and gets back requests to send, JSON strings for JavaScript, or
//! an [`error::SdkError`]. Inputs from JavaScript and bodies from the server are untrusted, so no
//! path through this module panics.
#![cfg_attr(
    not(test),
    deny(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing,
        clippy::unreachable,
        clippy::todo,
        clippy::unimplemented
    )
)]
// `SdkError` is returned by value across the whole core and handed to the shell as is; errors are
// the rare path, so its size (about 170 bytes) costs a copy, not a box and an indirection everywhere.
#![allow(clippy::result_large_err)]

pub mod auth;
pub mod error;
pub(crate) mod json;
pub mod model;
pub mod ops;
pub mod policy;
pub(crate) mod text;
pub(crate) mod time;
pub(crate) mod url;
pub(crate) mod validate;
