//! Property tests for the core's invariants: nothing parsed from user input can alter a
//! request's host, path or headers; every answer maps to exactly one typed outcome; success
//! is reported only when the documented success shape is present, and nothing else in an
//! answer (unknown members, numbers beyond a double's range) hides a valid one.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test crate: a panic is a failed test

use keyturn::databrain::{interpret_rotate_answer, rotate_request, ApiOrigin, DataAppKey, GracePeriod};
use keyturn::http::ApiResponse;
use keyturn::input::{display_snippet, is_uuid};
use keyturn::treasure::listing::interpret_list_answer;
use keyturn::treasure::{
    interpret_replace_answer, parse_console_url, replace_key_request, DataModelTarget, Oid, Region, TreasureKey,
};
use proptest::prelude::*;
use serde_json::{json, Value};

const OID: &str = "93d34997-1b2c-4d5e-8f90-123456789abc";
const KEY: &str = "4242/0123456789abcdef0123456789abcdef01234567";

fn key() -> TreasureKey {
    TreasureKey::parse(KEY).unwrap()
}

fn data_app_key() -> DataAppKey {
    DataAppKey::parse("550e8400-e29b-41d4-a716-446655440000").unwrap()
}

fn target() -> keyturn::treasure::DataModelTarget {
    parse_console_url(&format!("https://console.treasuredata.com/app/admin/datamodels/{OID}")).unwrap()
}

/// A JSON value of any shape, small.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("JSON has no NaN or infinity", |n| n.is_finite()).prop_map(Value::from),
        ".{0,12}".prop_map(Value::String),
        Just(Value::String(OID.to_string())),
        Just(Value::String("7c9e6679-7425-40de-944b-e07fc1f90ae7".to_string())),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("oid".to_string()),
                    Just("name".to_string()),
                    Just("type".to_string()),
                    Just("key".to_string()),
                    Just("error".to_string()),
                    "[a-z]{1,5}"
                ],
                inner,
                0..5
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn anything_after_the_data_model_prefix_yields_the_documented_path_or_an_error(tail in ".{0,60}") {
        if let Ok(target) = parse_console_url(&format!("https://console.treasuredata.com/app/admin/datamodels/{tail}")) {
            let request = replace_key_request(&target, &TreasureKey::parse(KEY).unwrap());
            prop_assert_eq!(request.url.as_str(), format!("https://api.treasuredata.com/reporting/datamodels/{}", target.oid.as_str()));
            prop_assert!(is_uuid(target.oid.as_str()));
        }
    }

    #[test]
    fn any_host_is_either_a_console_of_the_table_or_refused(host in "[a-z0-9.@:-]{1,40}") {
        if let Ok(target) = parse_console_url(&format!("https://{host}/app/admin/datamodels/{OID}")) {
            prop_assert!(target.region.info().console_hosts.contains(&host.trim_end_matches(":443")));
        }
    }

    #[test]
    fn an_accepted_key_goes_into_the_header_and_body_verbatim_and_alone(raw in "(TD1 )?[0-9]{1,6}/[0-9a-fA-F \\t\\r\\n]{0,50}") {
        if let Ok(key) = TreasureKey::parse(&raw) {
            let request = replace_key_request(&target(), &key);
            let header = request.header("Authorization").unwrap();
            let credential = header.strip_prefix("TD1 ").unwrap();
            prop_assert!(credential.bytes().all(|b| b.is_ascii_graphic()));
            let body: Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
            prop_assert_eq!(body, json!({"datamodel": {"apikey": credential}}));
            prop_assert_eq!(request.headers.len(), 2);
        }
    }

    #[test]
    fn an_accepted_data_app_key_changes_only_the_bearer(raw in "(Bearer )?[0-9a-fA-F-]{30,40}\\s?") {
        if let Ok(key) = DataAppKey::parse(&raw) {
            let request = rotate_request(&ApiOrigin::cloud(), &key, GracePeriod::RECOMMENDED);
            prop_assert_eq!(request.url.as_str(), "https://api.usedatabrain.com/api/v2/data-app/rotate-api");
            prop_assert!(is_uuid(request.header("Authorization").unwrap().strip_prefix("Bearer ").unwrap()));
            prop_assert_eq!(request.body.as_deref(), Some(r#"{"expireAt":3600}"#));
        }
    }

    #[test]
    fn oids_are_uuids_or_refused(raw in ".{0,40}") {
        if let Ok(oid) = Oid::parse(&raw) {
            prop_assert!(is_uuid(oid.as_str()));
        }
    }

    #[test]
    fn treasure_success_only_with_the_documented_shape(status in 100u16..600, body in any_json()) {
        let response = ApiResponse { status, content_type: None, body: body.to_string() };
        match interpret_replace_answer(&target(), &key(), Ok(response)) {
            Ok(model) => {
                prop_assert_eq!(status, 200);
                prop_assert_eq!(body["oid"].as_str(), Some(OID));
                // As shown and stored: capped, single line (input::server_text).
                prop_assert_eq!(body["name"].as_str().map(|name| display_snippet(name, 200)), Some(model.name));
                prop_assert_eq!(body["type"].as_str().map(|kind| display_snippet(kind, 60)), Some(model.kind));
            }
            Err(failure) => {
                prop_assert!(!failure.message.is_empty());
                prop_assert!(!(status == 200 && body["oid"].as_str() == Some(OID) && body["name"].is_string() && body["type"].is_string()));
            }
        }
    }

    #[test]
    fn rotation_success_only_with_a_uuid_key(status in 100u16..600, body in any_json()) {
        let response = ApiResponse { status, content_type: None, body: body.to_string() };
        match interpret_rotate_answer(&ApiOrigin::cloud(), &data_app_key(), Ok(response)) {
            Ok(new_key) => {
                prop_assert_eq!(status, 200);
                prop_assert!(is_uuid(&new_key.key));
                prop_assert!(body["key"].as_str().is_some_and(|key| key.eq_ignore_ascii_case(&new_key.key)));
            }
            Err(failure) => prop_assert!(!failure.message.is_empty()),
        }
    }

    #[test]
    fn no_failure_message_repeats_a_key_the_server_echoed(status in 400u16..600) {
        let body = json!({"error": {"code": "X", "message": "m"}, "apikey": KEY}).to_string();
        let failure = interpret_replace_answer(&target(), &key(), Ok(ApiResponse { status, content_type: None, body })).unwrap_err();
        prop_assert!(!failure.message.contains(KEY));
    }

    #[test]
    fn no_element_of_a_list_answer_can_alter_a_later_requests_host_or_path(
        elements in prop::collection::vec(any_json(), 0..8),
        oids in prop::collection::vec("[0-9a-fA-F/.%?#-]{30,40}", 0..4),
    ) {
        // Any elements, and elements whose oid is text of OID-like characters (path tricks included).
        let mut items: Vec<Value> = elements;
        items.extend(oids.into_iter().map(|oid| json!({"oid": oid, "name": "n"})));
        let body = Value::Array(items).to_string();
        let list = interpret_list_answer(Region::Ap02, &key(), Ok(ApiResponse { status: 200, content_type: None, body })).unwrap();
        for model in list.models {
            prop_assert!(is_uuid(&model.oid));
            let target = DataModelTarget { region: Region::Ap02, oid: Oid::parse(&model.oid).unwrap() };
            let request = replace_key_request(&target, &TreasureKey::parse(KEY).unwrap());
            prop_assert_eq!(request.url, format!("https://api.ap02.treasuredata.com/reporting/datamodels/{}", model.oid));
        }
    }

    #[test]
    fn unknown_members_never_hide_a_valid_answer(name in "[a-z]{1,8}", exponent in 309u32..100_000, value in any_json()) {
        prop_assume!(!["oid", "name", "type", "key", "error"].contains(&name.as_str()));
        // Written by hand: no JSON library writes a number beyond a double's range.
        let extra = format!(r#""{name}":[{value},1e{exponent},-9e{exponent}]"#);
        let model = format!(r#"{{"oid":"{OID}","name":"sales","type":"elasticube",{extra}}}"#);
        let response = ApiResponse { status: 200, content_type: None, body: model };
        prop_assert_eq!(interpret_replace_answer(&target(), &key(), Ok(response)).unwrap().name, "sales");
        let rotated = format!(r#"{{{extra},"key":"7c9e6679-7425-40de-944b-e07fc1f90ae7"}}"#);
        let response = ApiResponse { status: 200, content_type: None, body: rotated };
        prop_assert!(interpret_rotate_answer(&ApiOrigin::cloud(), &data_app_key(), Ok(response)).is_ok());
    }
}
