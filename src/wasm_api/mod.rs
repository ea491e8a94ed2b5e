//! The functions the extension's JavaScript calls. Each returns plain objects (through
//! serde-wasm-bindgen) and fails with a `{code, message, status?}` object, never a bare
//! string. Keys cross this boundary only inwards: nothing returned here contains one.
//!
//! They come in two sets, so the popup, which a user waits for, gets a module of half the
//! size: [`popup`] holds what the popup calls, and [`background_and_pages`] what only the
//! background and the bulk, options and history pages call. build.sh compiles the core
//! twice: with the default features for those (every export), and with
//! `--no-default-features` for the popup.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::failure::{ErrorCode, Failure};

mod popup;
pub use popup::*;

#[cfg(feature = "background-and-pages")]
mod background_and_pages;
#[cfg(feature = "background-and-pages")]
pub use background_and_pages::*;

// The shapes of the plain objects the exports return are declared to TypeScript by the
// types themselves: each derives `tsify::Tsify` (for wasm32), which writes its interface
// into the glue's keyturn.d.ts, where `tsc --checkJs` checks every extension script
// against it. The `unchecked_return_type` of each export names one of them.

/// The browser's network for the use cases: gloo-net's fetch.
struct Fetch;

impl crate::use_cases::Network for Fetch {
    async fn send(&self, request: &crate::http::ApiRequest, timeout_ms: u32) -> crate::http::Exchange {
        crate::transport::send(request, timeout_ms).await
    }
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    // Plain objects, also for maps (a `#[serde(flatten)]` struct serializes as one).
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    value.serialize(&serializer).unwrap_or(JsValue::NULL)
}

/// Now, in milliseconds since the epoch.
fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

fn fail(failure: Failure) -> JsValue {
    to_js(&failure)
}

/// Runs one use case (`crate::use_cases`) for an export: `input`, the plain object the page
/// passed, is read into the use case's input type (refused with `unreadable` when it cannot
/// be); the export resolves to the use case's result and rejects with its typed failure,
/// each as a plain object.
async fn use_case<I, T, E>(
    input: JsValue,
    unreadable: ErrorCode,
    case: impl AsyncFnOnce(I) -> Result<T, E>,
) -> Result<JsValue, JsValue>
where
    I: DeserializeOwned,
    T: Serialize,
    E: Serialize,
{
    let input: I = serde_wasm_bindgen::from_value(input).map_err(|_| {
        fail(Failure::new(unreadable, "Keyturn could not read that form. Reopen the page and try again."))
    })?;
    case(input).await.map(|done| to_js(&done)).map_err(|failed| to_js(&failed))
}
