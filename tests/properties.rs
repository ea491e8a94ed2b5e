//! Property tests for the core's invariants: nothing parsed from user input can alter a
//! request's host, path or headers; every answer maps to exactly one typed outcome; success
//! is reported only when the documented success shape is present, and nothing else in an
//! answer (unknown members, numbers beyond a double's range) hides a valid one.
//!
//! Each property draws accepted inputs on purpose (UUIDs, the table's console hosts, real
//! key shapes, success-shaped answers) beside hostile ones, and counts the cases that reach
//! its main assertion (an accepted input, a success): it fails when fewer than a third do,
//! so a generator that stops producing accepted inputs cannot leave a property that passes
//! without checking anything.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test crate: a panic is a failed test

mod reaching;

use std::fmt::Debug;

use keyturn::databrain::{interpret_rotate_answer, rotate_request, ApiOrigin, DataAppKey, GracePeriod};
use keyturn::http::ApiResponse;
use keyturn::input::{display_snippet, is_uuid};
use keyturn::treasure::builds::{interpret_builds_answer, BuildVerdict};
use keyturn::treasure::listing::interpret_list_answer;
use keyturn::treasure::region::REGIONS;
use keyturn::treasure::{
    interpret_replace_answer, parse_console_url, replace_key_request, DataModelTarget, Oid, Region, TreasureKey,
};
use keyturn::ErrorCode;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};
use serde_json::{json, Value};

const OID: &str = "93d34997-1b2c-4d5e-8f90-123456789abc";
const KEY: &str = "4242/0123456789abcdef0123456789abcdef01234567";

/// Runs `test` over the cases of `strategy` (see [`reaching`]); failures are kept in
/// tests/properties.proptest-regressions and replayed.
fn property<S>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<bool, TestCaseError>)
where
    S: Strategy,
    S::Value: Debug,
{
    reaching::property_reaching(name, Config { source_file: Some(file!()), ..Config::default() }, strategy, test);
}

fn key() -> TreasureKey {
    TreasureKey::parse(KEY).unwrap()
}

fn a_data_app_key() -> DataAppKey {
    DataAppKey::parse("550e8400-e29b-41d4-a716-446655440000").unwrap()
}

fn target() -> DataModelTarget {
    parse_console_url(&format!("https://console.treasuredata.com/app/admin/datamodels/{OID}")).unwrap()
}

/// A UUID in either case (and mixed), the shape of OIDs and data app keys.
fn uuid() -> impl Strategy<Value = String> {
    "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
}

/// Every console host of the region table, as written or in capitals, with or without the default port.
fn console_host() -> impl Strategy<Value = String> {
    let hosts: Vec<&'static str> = REGIONS.iter().flat_map(|info| info.console_hosts.iter().copied()).collect();
    (prop::sample::select(hosts), any::<bool>(), any::<bool>()).prop_map(|(host, upper, port)| {
        let host = if upper { host.to_ascii_uppercase() } else { host.to_string() };
        if port {
            format!("{host}:443")
        } else {
            host
        }
    })
}

/// What users paste for a Treasure key: `<id>/<hex secret>`, maybe with `TD1 ` and white space around.
fn treasure_key() -> impl Strategy<Value = String> {
    "[ \t\n]{0,2}((TD1|td1) )?[0-9]{1,20}/[0-9a-fA-F]{16,128}[ \t\r\n]{0,2}"
}

/// What users paste for a data app key: a UUID, maybe with `Bearer ` and white space around.
fn data_app_key() -> impl Strategy<Value = String> {
    (prop_oneof![Just(""), Just("Bearer "), Just("bearer "), Just(" ")], uuid(), "[ \t\n]{0,2}")
        .prop_map(|(prefix, uuid, after)| format!("{prefix}{uuid}{after}"))
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

/// Members no answer type reads, to put beside the ones that decide.
fn extra_members(reserved: &'static [&'static str]) -> impl Strategy<Value = Vec<(String, Value)>> {
    prop::collection::vec(("[a-z_]{1,8}", any_json()), 0..4)
        .prop_map(move |members| members.into_iter().filter(|(name, _)| !reserved.contains(&name.as_str())).collect())
}

/// `members` as one object, in their order.
fn object(members: impl IntoIterator<Item = (String, Value)>) -> Value {
    let mut object = serde_json::Map::new();
    for (name, value) in members {
        object.entry(name).or_insert(value);
    }
    Value::Object(object)
}

/// Mostly 200, the status of success; sometimes any other.
fn status() -> impl Strategy<Value = u16> {
    prop_oneof![4 => Just(200u16), 1 => 100u16..600]
}

fn ok_response(status: u16, body: String) -> keyturn::http::Exchange {
    Ok(ApiResponse { status, content_type: None, body })
}

#[test]
fn anything_after_the_data_model_prefix_yields_the_documented_path_or_an_error() {
    let suffix =
        prop_oneof![Just(""), Just("/"), Just("/edit"), Just("?tab=settings"), Just("#top"), Just("/builds/1")];
    let tail = prop_oneof![
        2 => (uuid(), suffix).prop_map(|(oid, suffix)| format!("{oid}{suffix}")),
        1 => ".{0,60}",
    ];
    property("console URL tails", tail, |tail| {
        match parse_console_url(&format!("https://console.treasuredata.com/app/admin/datamodels/{tail}")) {
            Ok(target) => {
                let request = replace_key_request(&target, &TreasureKey::parse(KEY).unwrap());
                prop_assert_eq!(
                    request.url.as_str(),
                    format!("https://api.treasuredata.com/reporting/datamodels/{}", target.oid.as_str())
                );
                prop_assert!(is_uuid(target.oid.as_str()));
                // The OID is the tail's first segment, lower-cased; nothing after it reaches the request.
                let first = tail.split(['/', '?', '#']).next().unwrap();
                prop_assert_eq!(target.oid.as_str(), first.to_ascii_lowercase());
                Ok(true)
            }
            Err(failure) => {
                prop_assert!(
                    [ErrorCode::InvalidOid, ErrorCode::InvalidUrl].contains(&failure.code),
                    "{:?}",
                    failure.code
                );
                prop_assert!(!failure.request_sent);
                Ok(false)
            }
        }
    });
}

#[test]
fn any_host_is_either_a_console_of_the_table_or_refused() {
    let host = prop_oneof![
        4 => console_host(),
        1 => "[a-z0-9.@:-]{1,40}",
        // Look-alikes: a table host with something before or after it.
        1 => (console_host(), prop_oneof![Just(".evil.example"), Just("."), Just(":8443"), Just("@evil.example")])
            .prop_map(|(host, tail)| format!("{host}{tail}")),
        1 => (prop_oneof![Just("evil."), Just("x"), Just("evil.example@")], console_host())
            .prop_map(|(head, host)| format!("{head}{host}")),
    ];
    property("console hosts", host, |host| {
        let expected = table_host(&host);
        match parse_console_url(&format!("https://{host}/app/admin/datamodels/{OID}")) {
            Ok(target) => {
                let expected = expected.as_deref().and_then(Region::of_console_host);
                prop_assert_eq!(Some(target.region), expected);
                Ok(true)
            }
            Err(failure) => {
                prop_assert_eq!(
                    expected.as_deref().and_then(Region::of_console_host),
                    None,
                    "a table host was refused: {}",
                    failure.message
                );
                prop_assert!([ErrorCode::UnknownConsoleHost, ErrorCode::InvalidUrl, ErrorCode::NotADataModelPage]
                    .contains(&failure.code));
                Ok(false)
            }
        }
    });
}

/// The host name an authority names, lower-cased, when it has no port but the default one.
fn table_host(authority: &str) -> Option<String> {
    let authority = authority.to_ascii_lowercase();
    match authority.rsplit_once(':') {
        Some((host, port)) => (port.parse::<u16>() == Ok(443)).then(|| host.to_string()),
        None => Some(authority),
    }
}

#[test]
fn an_accepted_key_goes_into_the_header_and_body_verbatim_and_alone() {
    let raw = prop_oneof![3 => treasure_key(), 1 => "(TD1 )?[0-9]{1,6}/[0-9a-fA-F \\t\\r\\n]{0,50}"];
    property("Treasure keys", raw, |raw| {
        let Ok(key) = TreasureKey::parse(&raw) else { return Ok(false) };
        let request = replace_key_request(&target(), &key);
        let header = request.header("Authorization").unwrap();
        let credential = header.strip_prefix("TD1 ").unwrap();
        prop_assert!(credential.bytes().all(|b| b.is_ascii_graphic()));
        // Exactly what was pasted, less white space around and the scheme.
        let pasted = raw.trim();
        let pasted = pasted.strip_prefix("TD1 ").or_else(|| pasted.strip_prefix("td1 ")).unwrap_or(pasted);
        prop_assert_eq!(credential, pasted);
        let body: Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
        prop_assert_eq!(body, json!({"datamodel": {"apikey": credential}}));
        prop_assert_eq!(request.headers.len(), 2);
        prop_assert_eq!(key.fingerprint(), format!("…{}", &credential[credential.len() - 4..]));
        Ok(true)
    });
}

#[test]
fn an_accepted_data_app_key_changes_only_the_bearer() {
    let raw = prop_oneof![3 => data_app_key(), 1 => "(Bearer )?[0-9a-fA-F-]{30,40}\\s?"];
    property("data app keys", raw, |raw| {
        let Ok(key) = DataAppKey::parse(&raw) else { return Ok(false) };
        let request = rotate_request(&ApiOrigin::cloud(), &key, GracePeriod::RECOMMENDED);
        prop_assert_eq!(request.url.as_str(), "https://api.usedatabrain.com/api/v2/data-app/rotate-api");
        let bearer = request.header("Authorization").unwrap().strip_prefix("Bearer ").unwrap();
        prop_assert!(is_uuid(bearer));
        let pasted = raw.trim();
        let pasted = pasted.get(pasted.len() - 36..).unwrap();
        prop_assert_eq!(bearer, pasted.to_ascii_lowercase());
        prop_assert_eq!(request.body.as_deref(), Some(r#"{"expireAt":3600}"#));
        prop_assert_eq!(key.fingerprint(), format!("…{}", &bearer[32..]));
        Ok(true)
    });
}

#[test]
fn oids_are_uuids_or_refused() {
    let raw = prop_oneof![2 => (" ?", uuid(), "\\s?").prop_map(|(a, uuid, b)| format!("{a}{uuid}{b}")), 1 => ".{0,40}"];
    property("OIDs", raw, |raw| match Oid::parse(&raw) {
        Ok(oid) => {
            prop_assert!(is_uuid(oid.as_str()));
            prop_assert_eq!(oid.as_str(), raw.trim().to_ascii_lowercase());
            Ok(true)
        }
        Err(failure) => {
            prop_assert_eq!(failure.code, ErrorCode::InvalidOid);
            prop_assert!(!is_uuid(raw.trim()));
            Ok(false)
        }
    });
}

/// A body of the documented success shape: the OID (any case), a name and a type, among other members.
fn replaced_model() -> impl Strategy<Value = Value> {
    (any::<bool>(), ".{0,12}", "[a-z]{1,10}", extra_members(&["oid", "name", "type"])).prop_map(
        |(upper, name, kind, extra)| {
            let oid = if upper { OID.to_uppercase() } else { OID.to_string() };
            let members =
                [("oid".to_string(), json!(oid)), ("name".to_string(), json!(name)), ("type".to_string(), json!(kind))];
            object(members.into_iter().chain(extra))
        },
    )
}

#[test]
fn treasure_success_only_with_the_documented_shape() {
    let cases = (status(), prop_oneof![3 => replaced_model(), 1 => any_json()]);
    property("Treasure answers", cases, |(status, body)| {
        let success_shape = status == 200
            && body["oid"].as_str().is_some_and(|oid| oid.eq_ignore_ascii_case(OID))
            && body["name"].is_string()
            && body["type"].is_string();
        match interpret_replace_answer(&target(), &key(), ok_response(status, body.to_string())) {
            Ok(model) => {
                prop_assert!(success_shape);
                prop_assert_eq!(model.oid, OID);
                // As shown and stored: capped, single line (input::server_text).
                prop_assert_eq!(body["name"].as_str().map(|name| display_snippet(name, 200)), Some(model.name));
                prop_assert_eq!(body["type"].as_str().map(|kind| display_snippet(kind, 60)), Some(model.kind));
                Ok(true)
            }
            Err(failure) => {
                prop_assert!(!success_shape, "a success was refused: {}", failure.message);
                prop_assert!(!failure.message.is_empty());
                prop_assert_eq!(failure.status, Some(status));
                prop_assert!(failure.request_sent);
                Ok(false)
            }
        }
    });
}

#[test]
fn rotation_success_only_with_a_uuid_key() {
    let issued = (uuid(), extra_members(&["key", "error"]))
        .prop_map(|(key, extra)| object(std::iter::once(("key".to_string(), json!(key))).chain(extra)));
    let cases = (status(), prop_oneof![3 => issued, 1 => any_json()]);
    property("rotation answers", cases, |(status, body)| {
        let success_shape = status == 200 && body["key"].as_str().is_some_and(is_uuid);
        match interpret_rotate_answer(&ApiOrigin::cloud(), &a_data_app_key(), ok_response(status, body.to_string())) {
            Ok(new_key) => {
                prop_assert!(success_shape);
                prop_assert_eq!(new_key.key, body["key"].as_str().unwrap().to_ascii_lowercase());
                Ok(true)
            }
            Err(failure) => {
                prop_assert!(!success_shape, "a success was refused: {}", failure.message);
                prop_assert!(!failure.message.is_empty());
                prop_assert_eq!(failure.status, Some(status));
                Ok(false)
            }
        }
    });
}

#[test]
fn no_failure_message_repeats_a_key_the_server_echoed() {
    property("echoed keys", 400u16..600, |status| {
        let body = json!({"error": {"code": "X", "message": "m"}, "apikey": KEY}).to_string();
        let failure = interpret_replace_answer(&target(), &key(), ok_response(status, body)).unwrap_err();
        prop_assert!(!failure.message.contains(KEY.split('/').nth(1).unwrap()), "{}", failure.message);
        Ok(true)
    });
}

#[test]
fn no_element_of_a_list_answer_can_alter_a_later_requests_host_or_path() {
    // Data models, any elements, and elements whose oid is text of OID-like characters (path tricks included).
    let element = prop_oneof![
        2 => (uuid(), "[a-z_]{1,8}").prop_map(|(oid, name)| json!({"oid": oid, "name": name})),
        1 => any_json(),
        1 => "[0-9a-fA-F/.%?#-]{30,40}".prop_map(|oid| json!({"oid": oid, "name": "n"})),
    ];
    property("list answers", prop::collection::vec(element, 0..8), |elements| {
        let body = Value::Array(elements.clone()).to_string();
        let list = interpret_list_answer(Region::Ap02, &key(), ok_response(200, body)).unwrap();
        prop_assert_eq!(list.models.len() + list.skipped.len(), elements.len(), "every element is a model or skipped");
        for model in &list.models {
            prop_assert!(is_uuid(&model.oid));
            let target = DataModelTarget { region: Region::Ap02, oid: Oid::parse(&model.oid).unwrap() };
            let request = replace_key_request(&target, &TreasureKey::parse(KEY).unwrap());
            prop_assert_eq!(
                request.url,
                format!("https://api.ap02.treasuredata.com/reporting/datamodels/{}", model.oid)
            );
        }
        // Every element that is a data model is listed, once.
        for element in &elements {
            if let (Some(oid), Some(name)) = (element["oid"].as_str(), element["name"].as_str()) {
                if is_uuid(oid) && !name.trim().is_empty() {
                    let listed = list.models.iter().filter(|model| model.oid == oid.to_ascii_lowercase()).count();
                    prop_assert_eq!(listed, 1, "{}", oid);
                }
            }
        }
        Ok(!list.models.is_empty())
    });
}

#[test]
fn unknown_members_never_hide_a_valid_answer() {
    let cases = ("[a-z]{1,8}", 309u32..100_000, any_json());
    property("unknown members", cases, |(name, exponent, value)| {
        if ["oid", "name", "type", "key", "error"].contains(&name.as_str()) {
            return Ok(false);
        }
        // Written by hand: no JSON library writes a number beyond a double's range.
        let extra = format!(r#""{name}":[{value},1e{exponent},-9e{exponent}]"#);
        let model = format!(r#"{{"oid":"{OID}","name":"sales","type":"elasticube",{extra}}}"#);
        prop_assert_eq!(interpret_replace_answer(&target(), &key(), ok_response(200, model)).unwrap().name, "sales");
        let rotated = format!(r#"{{{extra},"key":"7c9e6679-7425-40de-944b-e07fc1f90ae7"}}"#);
        prop_assert!(interpret_rotate_answer(&ApiOrigin::cloud(), &a_data_app_key(), ok_response(200, rotated)).is_ok());
        Ok(true)
    });
}

/// 2026-11-25T09:46:40Z, when the key was replaced in the build properties.
const REPLACED_MS: u64 = 1_795_600_000_000;

/// An RFC 3339 time within a day either side of the replacement (whole seconds).
fn build_time(offset_seconds: i64) -> String {
    let at = time::OffsetDateTime::from_unix_timestamp(REPLACED_MS as i64 / 1000 + offset_seconds).unwrap();
    at.format(&time::format_description::well_known::Rfc3339).unwrap()
}

#[test]
fn built_with_the_new_key_only_after_a_done_build_since_the_replacement() {
    let status = prop_oneof![
        Just("done"),
        Just("DONE"),
        Just("failed"),
        Just("building"),
        Just("pending"),
        Just("canceled"),
        Just("succeeded")
    ];
    let field =
        prop_oneof![Just("started_at"), Just("startedAt"), Just("created_at"), Just("updated_at"), Just("finished")];
    let build = (status, field, -86_400i64..86_400);
    property("builds", prop::collection::vec(build, 1..5), |builds| {
        let body = Value::Array(
            builds
                .iter()
                .map(|(status, field, offset)| {
                    object([("status".to_string(), json!(status)), (field.to_string(), json!(build_time(*offset)))])
                })
                .collect(),
        );
        let check =
            interpret_builds_answer(&target(), &key(), REPLACED_MS, ok_response(200, body.to_string())).unwrap();
        // The newest build with a documented status and a recognised start time decides.
        let latest = builds
            .iter()
            .filter(|(status, field, _)| *status != "succeeded" && *field != "finished")
            .max_by_key(|(_, _, offset)| *offset);
        let Some((status, _, offset)) = latest else {
            prop_assert_eq!(check.verdict, BuildVerdict::Unreadable);
            return Ok(false);
        };
        let since = *offset >= 0;
        let built = since && status.eq_ignore_ascii_case("done");
        prop_assert_eq!(check.verdict == BuildVerdict::BuiltWithNewKey, built, "{:?} -> {:?}", builds, check.verdict);
        if !since {
            prop_assert_eq!(check.verdict, BuildVerdict::NotBuiltSince);
        }
        Ok(true)
    });
}
