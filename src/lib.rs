//! Keyturn's core: everything that decides something about a key, a URL or an answer.
//!
//! The browser glue (`extension/*.js`) only wires the DOM and the `chrome.*` APIs to the
//! functions exported from [`wasm_api`]. Everything else here is plain Rust and is
//! unit-tested natively with `cargo test`.
//!
//! Layout:
//! - [`failure`]: the one typed error every operation returns (a code and a message).
//! - [`input`]: normalisation shared by every secret and identifier the user pastes.
//! - [`url`]: the strict https URL syntax accepted from users.
//! - [`csv`]: the CSV exports' rows (quoting, formula defusing).
//! - [`policy`]: settings an administrator sets by policy (managed storage).
//! - [`http`]: a transport-free description of requests and answers; answers are read with
//!   serde_json into derived types, one per answer.
//! - [`treasure`]: regions, console URLs, API keys and the data model key replacement.
//! - [`use_cases`]: one function per user action (parse, policy, send, answer, record),
//!   with the network behind a seam so whole actions are tested natively.
//! - `transport` and `wasm_api` (wasm32 only): gloo-net and the JS-facing functions.

pub mod csv;
pub mod databrain;
pub mod failure;
pub mod history;
pub mod http;
pub mod input;
pub mod policy;
pub mod reminders;
pub mod timestamps;
pub mod treasure;
pub mod url;
pub mod use_cases;

#[cfg(target_arch = "wasm32")]
pub mod transport;
#[cfg(target_arch = "wasm32")]
pub mod wasm_api;

pub use failure::{ErrorCode, Failure};

/// How long any request may take, answer body included, before it is aborted.
pub const REQUEST_TIMEOUT_MS: u32 = 15_000;

pub(crate) fn transport_timeout_secs() -> u32 {
    REQUEST_TIMEOUT_MS / 1000
}
