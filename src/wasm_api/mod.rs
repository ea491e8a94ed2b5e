//! The functions the extension's JavaScript calls. Each returns plain objects (through
//! serde-wasm-bindgen) and fails with a `{code, message, status?}` object, never a bare
//! string. Keys cross this boundary only inwards: nothing returned here contains one.
//!
//! They come in three sets, so the popup, which a user waits for, starts a module of half
//! the size: [`popup`] holds what the popup is drawn with, [`popup_actions`] the requests it
//! sends, and [`background_and_pages`] what only the background and the bulk, options and
//! history pages call. build.sh compiles the core twice: with the default feature `full`
//! (every export), for the background, the pages and the popup's actions, which the popup
//! loads once it is drawn; and with `--no-default-features` (`popup` alone), which the
//! popup carries and compiles as it opens.

use serde::Serialize;
use wasm_bindgen::prelude::*;

use crate::failure::Failure;

mod popup;
pub use popup::*;

#[cfg(feature = "full")]
mod use_case_calls;
#[cfg(feature = "full")]
use use_case_calls::{now_ms, use_case, Fetch};

#[cfg(feature = "full")]
mod popup_actions;
#[cfg(feature = "full")]
pub use popup_actions::*;

#[cfg(feature = "full")]
mod background_and_pages;
#[cfg(feature = "full")]
pub use background_and_pages::*;

// The shapes of the plain objects the exports return are declared to TypeScript by the
// types themselves: each derives `tsify::Tsify` (for wasm32), which writes its interface
// into the glue's keyturn.d.ts, where `tsc --checkJs` checks every extension script
// against it. The `unchecked_return_type` of each export names one of them.

fn to_js<T: Serialize>(value: &T) -> JsValue {
    // Plain objects, also for maps (a `#[serde(flatten)]` struct serializes as one).
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    value.serialize(&serializer).unwrap_or(JsValue::NULL)
}

fn fail(failure: Failure) -> JsValue {
    to_js(&failure)
}
