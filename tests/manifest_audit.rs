//! The manifest source asks for exactly what the README justifies, and every host it may
//! reach is in the core's allowlist.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test crate: a panic is a failed test

use keyturn::databrain::CLOUD_API_ORIGIN;
use keyturn::treasure::region::REGIONS;
use serde_json::Value;

fn manifest() -> Value {
    serde_json::from_str(include_str!("../extension/manifest.json")).unwrap()
}

fn strings(value: &Value) -> Vec<String> {
    value.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect()
}

#[test]
fn host_permissions_are_exactly_the_core_allowlist() {
    let mut expected: Vec<String> = REGIONS
        .iter()
        .flat_map(|region| {
            [region.api_host, region.workflow_host].into_iter().chain(region.console_hosts.iter().copied())
        })
        .map(|host| format!("https://{host}/*"))
        .chain(std::iter::once(format!("{CLOUD_API_ORIGIN}/*")))
        .collect();
    let mut granted = strings(&manifest()["host_permissions"]);
    expected.sort();
    granted.sort();
    assert_eq!(granted, expected);
    // Exactly the four workflow hosts, one per region.
    let workflow: Vec<&str> = granted.iter().filter(|host| host.contains("api-workflow")).map(String::as_str).collect();
    assert_eq!(workflow.len(), 4, "{workflow:?}");
}

#[test]
fn permissions_are_the_minimal_set() {
    // storage: session memory for new keys and opted-in secrets, local for non-secret settings;
    // activeTab: the active tab's URL when the popup opens (Databrain dashboard detection);
    // alarms + notifications: expiry reminders; clipboardWrite + offscreen (Chrome; dropped
    // from Firefox's manifest): emptying the clipboard a chosen time after Copy put a key there.
    assert_eq!(
        strings(&manifest()["permissions"]),
        ["storage", "activeTab", "alarms", "notifications", "clipboardWrite", "offscreen"]
    );
    // Self-hosted Databrain origins are requested one by one at run time, never granted up front.
    assert_eq!(strings(&manifest()["optional_host_permissions"]), ["https://*/*"]);
}

#[test]
fn content_security_policy_is_strict() {
    let csp = manifest()["content_security_policy"]["extension_pages"].as_str().unwrap().to_string();
    assert_eq!(csp, "script-src 'self' 'wasm-unsafe-eval'; object-src 'self'");
    assert!(!csp.contains("'unsafe-eval'") && !csp.contains("http"));
}
