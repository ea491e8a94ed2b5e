//! What the exports that send requests share (the full core only): the browser's network,
//! the clock, and the call that reads an export's input into its use case and gives back
//! the outcome.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::{fail, to_js};
use crate::failure::{ErrorCode, Failure};

/// The browser's network for the use cases: gloo-net's fetch.
pub(super) struct Fetch;

impl crate::use_cases::Network for Fetch {
    async fn send(&self, request: &crate::http::ApiRequest, timeout_ms: u32) -> crate::http::Exchange {
        crate::transport::send(request, timeout_ms).await
    }
}

/// Now, in milliseconds since the epoch.
pub(super) fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

/// Runs one use case (`crate::use_cases`) for an export: `input`, the plain object the page
/// passed, is read into the use case's input type (refused with `unreadable` when it cannot
/// be); the export resolves to the use case's result and rejects with its typed failure,
/// each as a plain object.
pub(super) async fn use_case<I, T, E>(
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
