//! The pure core: no I/O, no JavaScript.
//!
//! Everything here is a function of its inputs: the shell hands in JavaScript inputs (as JSON
//! values), HTTP statuses, bodies and the current time, and gets back requests to send, typed
//! outputs, decisions, or an [`error::SdkError`]. Inputs from JavaScript and bodies from the
//! server are untrusted, so no path through this module panics.
//!
//! The modules form a line, each using only those before it: `redact`, `time`, `wire`,
//! `error`, `url`, `model`, `validate`, `ops`, `auth`, `policy`, `configs`, `events`.
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic, clippy::indexing_slicing, clippy::unreachable, clippy::todo, clippy::unimplemented)
)]
// `SdkError` is returned by value across the whole core and handed to the shell as is; errors are
// the rare path, so its size costs a copy, not a box and an indirection everywhere.
#![allow(clippy::result_large_err)]

pub mod auth;
pub mod configs;
pub mod error;
pub mod events;
pub mod model;
pub mod ops;
pub mod policy;
pub mod redact;
pub(crate) mod time;
pub(crate) mod url;
pub mod validate;
pub mod wire;
