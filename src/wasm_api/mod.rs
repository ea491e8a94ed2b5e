//! The functions the extension's JavaScript calls. Each returns plain objects (through
//! serde-wasm-bindgen) and fails with a `{code, message, status?}` object, never a bare
//! string. Keys cross this boundary only inwards: nothing returned here contains one.
//!
//! They come in two sets, so the popup, which a user waits for, gets a module of half the
//! size: [`popup`] holds what the popup calls, and [`background_and_pages`] what only the
//! background and the bulk, options and history pages call. build.sh compiles the core
//! twice: with the default features for those (every export), and with
//! `--no-default-features` for the popup.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::failure::Failure;

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

fn fail(failure: Failure) -> JsValue {
    to_js(&failure)
}
