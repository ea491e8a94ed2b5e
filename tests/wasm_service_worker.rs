//! The shared wasm cases inside a service worker, where there is no `window`: gloo-net must
//! use the global `fetch`, as Chrome's MV3 background requires.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test crate: a panic is a failed test

wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_service_worker);

#[path = "wasm/cases.rs"]
mod cases;
