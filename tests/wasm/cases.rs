//! The wasm boundary and the real gloo-net transport. Included by `wasm_page.rs` (a
//! window) and `wasm_service_worker.rs` (no window, as in Chrome's MV3 background);
//! run by tests/run-browser-tests.mjs, which starts the plain-HTTP probe on port 8471.

use keyturn::http::{ApiRequest, Method, TransportFailure, MAX_ANSWER_BYTES};
use keyturn::treasure::{interpret_replace_answer, parse_console_url, TreasureKey};
use keyturn::{transport, wasm_api, ErrorCode};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

const PROBE: &str = "http://127.0.0.1:8471";
const OID: &str = "93d34997-1b2c-4d5e-8f90-123456789abc";

fn get(value: &JsValue, field: &str) -> JsValue {
    js_sys::Reflect::get(value, &field.into()).unwrap()
}

fn request(path: &str) -> ApiRequest {
    ApiRequest {
        method: Method::Put,
        url: format!("{PROBE}{path}"),
        headers: vec![
            ("Authorization", "TD1 1/0123456789abcdef0123".into()),
            ("Content-Type", "application/json".into()),
        ],
        body: Some(r#"{"datamodel":{"apikey":"1/0123456789abcdef0123"}}"#.into()),
    }
}

#[wasm_bindgen_test]
fn detection_returns_a_plain_object_or_null() {
    let found =
        wasm_api::detect_data_model_page(&format!("https://console.eu01.treasuredata.com/app/admin/datamodels/{OID}/"));
    assert_eq!(get(&found, "region").as_string().as_deref(), Some("eu01"));
    assert_eq!(get(&found, "regionLabel").as_string().as_deref(), Some("EU01"));
    assert_eq!(get(&found, "apiHost").as_string().as_deref(), Some("api.eu01.treasuredata.com"));
    assert_eq!(get(&found, "oid").as_string().as_deref(), Some(OID));
    assert!(wasm_api::detect_data_model_page("https://evil.example/app/admin/datamodels/x").is_null());
}

#[wasm_bindgen_test]
fn failures_cross_the_boundary_as_code_and_message() {
    let error = wasm_api::parse_data_model_url("http://console.treasuredata.com/").unwrap_err();
    assert_eq!(get(&error, "code").as_string().as_deref(), Some("NOT_HTTPS"));
    assert!(get(&error, "message").as_string().unwrap().contains("https://"));
}

#[wasm_bindgen_test]
async fn bad_keys_are_refused_before_any_request() {
    // The use case's input crosses as a plain object (serde-wasm-bindgen), as popup.js sends it.
    let input = |region: &str, key: &str| {
        let object = js_sys::Object::new();
        for (name, value) in [("region", region), ("oid", OID), ("key", key), ("managedJson", "{}")] {
            js_sys::Reflect::set(&object, &name.into(), &value.into()).unwrap();
        }
        JsValue::from(object)
    };
    let error = wasm_api::replace_key(input("us", "TD1 not a key")).await.unwrap_err();
    assert_eq!(get(&error, "code").as_string().as_deref(), Some("KEY_HAS_WHITESPACE"));
    assert!(get(&error, "record").is_undefined(), "refused input is not an attempt");
    let error = wasm_api::replace_key(input("ap03", "1/0123456789abcdef0123")).await.unwrap_err();
    assert_eq!(get(&error, "code").as_string().as_deref(), Some("UNKNOWN_REGION"));
}

#[wasm_bindgen_test]
async fn gloo_net_sends_method_headers_and_body_and_reads_the_answer() {
    let response = transport::send(&request("/echo"), 5_000).await.unwrap();
    assert_eq!(response.status, 200);
    let echo: serde_json::Value = serde_json::from_str(&response.body).unwrap();
    assert_eq!(echo["method"], "PUT");
    assert_eq!(echo["authorization"], "TD1 1/0123456789abcdef0123");
    assert_eq!(echo["contentType"], "application/json");
    assert_eq!(echo["cookie"], serde_json::Value::Null);
    assert_eq!(echo["body"], r#"{"datamodel":{"apikey":"1/0123456789abcdef0123"}}"#);
}

#[wasm_bindgen_test]
async fn statuses_and_html_pages_arrive_as_answers() {
    let missing = transport::send(&request("/nothing"), 5_000).await.unwrap();
    assert_eq!(missing.status, 404);
    let html = transport::send(&request("/html502"), 5_000).await.unwrap();
    assert_eq!(html.status, 502);
    assert!(html.content_type.unwrap().starts_with("text/html"));
    let target = parse_console_url(&format!("https://console.treasuredata.com/app/admin/datamodels/{OID}")).unwrap();
    let key = TreasureKey::parse("1/0123456789abcdef0123").unwrap();
    let failure =
        interpret_replace_answer(&target, &key, transport::send(&request("/html502"), 5_000).await).unwrap_err();
    assert_eq!(failure.code, ErrorCode::ServerError);
}

#[wasm_bindgen_test]
async fn a_slow_answer_times_out() {
    assert_eq!(transport::send(&request("/slow"), 500).await, Err(TransportFailure::Timeout));
}

#[wasm_bindgen_test]
async fn redirects_are_reported_not_followed() {
    assert_eq!(transport::send(&request("/redirect"), 5_000).await, Err(TransportFailure::Redirected));
}

#[wasm_bindgen_test]
async fn dropped_connections_and_refused_ports_are_network_failures() {
    assert_eq!(transport::send(&request("/reset"), 5_000).await, Err(TransportFailure::Network));
    let mut refused = request("/echo");
    refused.url = "http://127.0.0.1:9/echo".into();
    assert_eq!(transport::send(&refused, 5_000).await, Err(TransportFailure::Network));
}

#[wasm_bindgen_test]
async fn a_chunked_answer_is_read_up_to_the_cap_and_abandoned_past_it() {
    let at_cap = transport::send(&request(&format!("/chunked?bytes={MAX_ANSWER_BYTES}")), 10_000).await.unwrap();
    assert_eq!(at_cap.body.len(), MAX_ANSWER_BYTES);
    let over = transport::send(&request(&format!("/chunked?bytes={}", MAX_ANSWER_BYTES + 1)), 10_000).await;
    assert_eq!(over, Err(TransportFailure::TooLarge));
    // Without end: abandoned at the cap, long before the time limit.
    let started = js_sys::Date::now();
    assert_eq!(transport::send(&request("/endless"), 10_000).await, Err(TransportFailure::TooLarge));
    assert!(js_sys::Date::now() - started < 5_000.0, "{} ms", js_sys::Date::now() - started);
}

#[wasm_bindgen_test]
async fn a_streamed_body_decodes_as_response_text_does() {
    let answer = transport::send(&request("/bom-and-invalid-utf8"), 5_000).await.unwrap();
    assert_eq!(answer.body, "{\"a\":\"\u{fffd}\"}");
    let empty = transport::send(&request("/chunked?bytes=0"), 5_000).await.unwrap();
    assert_eq!(empty.body, "");
}

#[wasm_bindgen_test]
fn the_bulk_table_crosses_as_counts_and_the_rows_on_screen() {
    let second = OID.replace("abc", "abd");
    let counts = wasm_api::refresh_table(&format!("{OID}\n{second}\nnot an oid"), "us", "{}", "", "");
    assert_eq!((get(&counts, "total").as_f64(), get(&counts, "sendable").as_f64()), (Some(3.0), Some(2.0)));
    let window = js_sys::Array::from(&wasm_api::table_window(0, 10));
    assert_eq!(window.length(), 3);
    let first = window.get(0);
    // A plain object (the row flattened beside its tick), not a Map.
    assert!(!first.is_instance_of::<js_sys::Map>());
    assert_eq!(get(&first, "key").as_string(), Some(format!("us:{OID}")));
    assert_eq!(get(&first, "verdict").as_string().as_deref(), Some("ready"));
    assert_eq!(get(&first, "ticked").as_bool(), Some(true));
    assert_eq!(get(&window.get(2), "ticked").as_bool(), Some(false), "an invalid line is not ticked");
    assert_eq!(get(&wasm_api::tick_row(&format!("us:{OID}"), false), "sendable").as_f64(), Some(1.0));
    let targets = js_sys::Array::from(&wasm_api::ticked_targets());
    assert_eq!(targets.length(), 1);
    assert_eq!(get(&targets.get(0), "oid").as_string(), Some(second.clone()));
    assert_eq!(get(&targets.get(0), "region").as_string().as_deref(), Some("us"));
    assert_eq!(get(&wasm_api::filter_table(" ABD ", ""), "shown").as_f64(), Some(1.0));
    assert!(wasm_api::table_has_row(&format!("us:{second}")) && !wasm_api::table_has_row("us:nothing"));
    wasm_api::filter_table("", "");
}
