//! Property tests of the Treasure Workflow core (`treasure::workflow`): no element of any
//! answer can alter a later request's host or path, the key goes only into the
//! Authorization header (and the PUT's body) to the region's workflow host, and success is
//! claimed only from the documented shapes.
//!
//! As in tests/properties.rs, each property counts the cases that reach its main assertion
//! (an accepted input, a success) and fails when fewer than a third do.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test crate: a panic is a failed test

mod reaching;

use std::fmt::Debug;

use keyturn::http::{ApiRequest, ApiResponse, Exchange, Method};
use keyturn::treasure::region::REGIONS;
use keyturn::treasure::workflow::{
    projects_page_request, read_projects_page, read_runs_since, read_secret_names, read_set_api_key_answer,
    secrets_request, sessions_request, set_api_key_request, ProjectId, ProjectsLoad, RunsVerdict,
};
use keyturn::treasure::{Region, TreasureKey};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};
use serde_json::{json, Value};

const KEY: &str = "4242/0123456789abcdef0123456789abcdef01234567";
const SET_AT: u64 = 1_795_600_000_000; // 2026-11-25T09:46:40Z

/// Runs `test` over 300 cases of `strategy` (see [`reaching`]).
fn property<S>(name: &str, strategy: S, test: impl Fn(S::Value) -> Result<bool, TestCaseError>)
where
    S: Strategy,
    S::Value: Debug,
{
    reaching::property_reaching(
        name,
        Config { cases: 300, failure_persistence: None, ..Config::default() },
        strategy,
        test,
    );
}

fn key() -> TreasureKey {
    TreasureKey::parse(KEY).unwrap()
}

fn region() -> impl Strategy<Value = Region> {
    prop::sample::select(REGIONS.iter().map(|info| info.region).collect::<Vec<_>>())
}

fn ok(status: u16, body: String) -> Exchange {
    Ok(ApiResponse { status, content_type: None, body })
}

/// Text that tries to reach a path or another host.
fn hostile_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9a-z/.%?#@:\\\\ -]{0,16}",
        Just("../../api/users".to_string()),
        Just("1/../../2".to_string()),
        Just("7?last_id=1#".to_string()),
        Just("%2F..%2F".to_string()),
        Just("evil.example/steal".to_string()),
        Just("１２３".to_string()),
        ".{0,20}",
    ]
}

/// A JSON value of any shape, small.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>().prop_filter("JSON has no NaN or infinity", |n| n.is_finite()).prop_map(Value::from),
        hostile_text().prop_map(Value::String),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![Just("id".to_string()), Just("name".to_string()), Just("key".to_string()), "[a-z]{1,5}"],
                inner,
                0..4
            )
            .prop_map(|map| Value::Object(map.into_iter().collect())),
        ]
    })
}

/// A project element: a real one (numeric or string id), a hostile id, a hostile name, or anything.
fn project_element() -> impl Strategy<Value = Value> {
    prop_oneof![
        3 => (0u64..1_000_000, any::<bool>(), hostile_text())
            .prop_map(|(id, as_text, name)| {
                let id = if as_text { json!(id.to_string()) } else { json!(id) };
                json!({"id": id, "name": format!("p{name}")})
            }),
        1 => (hostile_text(), hostile_text()).prop_map(|(id, name)| json!({"id": id, "name": name})),
        1 => any_json(),
    ]
}

/// The path of `request` on its host, after asserting the host is `region`'s workflow host.
fn path_on_workflow_host(request: &ApiRequest, region: Region) -> Result<String, TestCaseError> {
    let prefix = format!("https://{}/", region.workflow_host());
    prop_assert!(request.url.starts_with(&prefix), "{}", request.url);
    let parsed = url::Url::parse(&request.url).unwrap();
    prop_assert_eq!(parsed.host_str(), Some(region.workflow_host()));
    prop_assert_eq!(parsed.port(), None);
    prop_assert!(parsed.fragment().is_none());
    Ok(request.url[prefix.len() - 1..].to_string())
}

fn digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

#[test]
fn no_element_of_any_answer_can_alter_a_later_requests_host_or_path() {
    let pages = prop::collection::vec(prop::collection::vec(project_element(), 0..6), 1..4);
    property("project pages", (region(), pages), |(region, pages)| {
        let mut load = ProjectsLoad::new(region);
        for elements in &pages {
            let Some(request) = load.next_request(&key()) else { break };
            let path = path_on_workflow_host(&request, region)?;
            match path.strip_prefix("/api/projects?last_id=") {
                Some(id) => prop_assert!(digits(id), "{}", path),
                None => prop_assert_eq!(path.as_str(), "/api/projects"),
            }
            let _ = load.take(&key(), ok(200, json!({ "projects": elements }).to_string()));
        }
        for project in &load.projects {
            let id = project.id.to_string();
            prop_assert!(digits(&id));
            prop_assert_eq!(
                &project.console_url,
                &format!("https://{}/app/workflows/projects/{id}", region.info().console_hosts[0])
            );
            for (request, suffix) in [
                (secrets_request(region, &key(), project.id), "/secrets"),
                (set_api_key_request(region, project.id, &key()), "/secrets/td.apikey"),
                (sessions_request(region, &key(), project.id), "/sessions"),
            ] {
                prop_assert_eq!(path_on_workflow_host(&request, region)?, format!("/api/projects/{id}{suffix}"));
            }
        }
        Ok(!load.projects.is_empty())
    });
}

#[test]
fn any_answer_to_a_page_lists_each_element_once_as_a_project_a_skip_or_a_duplicate() {
    property("one page", prop::collection::vec(project_element(), 0..10), |elements| {
        let body = json!({ "projects": elements }).to_string();
        let page = read_projects_page(Region::Us, &key(), ok(200, body)).unwrap();
        prop_assert_eq!(page.projects.len() + page.skipped.len() + page.duplicates, elements.len());
        prop_assert_eq!(page.last_id, page.projects.iter().map(|p| p.id).max().max(page.last_id));
        Ok(!page.projects.is_empty())
    });
}

#[test]
fn the_key_goes_only_into_the_authorization_header_and_the_put_body_to_the_workflow_host() {
    let secret = "[0-9a-f]{16,64}";
    property(
        "keys and requests",
        (region(), 1u32..999_999, secret, 0u64..u64::MAX / 2),
        |(region, key_id, secret, id)| {
            let raw = format!("{key_id}/{secret}");
            let key = TreasureKey::parse(&raw).unwrap();
            let id = ProjectId::parse(&id.to_string()).unwrap();
            let requests = [
                projects_page_request(region, &key, None),
                projects_page_request(region, &key, Some(id)),
                secrets_request(region, &key, id),
                set_api_key_request(region, id, &key),
                sessions_request(region, &key, id),
            ];
            for request in &requests {
                path_on_workflow_host(request, region)?;
                prop_assert!(!request.url.contains(&secret), "{}", request.url);
                for (name, value) in &request.headers {
                    if name.eq_ignore_ascii_case("authorization") {
                        prop_assert_eq!(value, &format!("TD1 {raw}"));
                    } else {
                        prop_assert!(!value.contains(&secret), "{}", name);
                    }
                }
                match request.method {
                    Method::Put => {
                        let body: Value = serde_json::from_str(request.body.as_deref().unwrap()).unwrap();
                        prop_assert_eq!(body, json!({"value": raw}));
                    }
                    _ => prop_assert_eq!(request.body.as_deref(), None),
                }
            }
            Ok(true)
        },
    );
}

fn put_answer() -> impl Strategy<Value = (u16, String)> {
    let project = prop_oneof![
        Just(json!({"id": 7, "name": "etl"})),
        Just(json!({"id": "7"})),
        Just(json!({"id": 8})),
        any_json(),
    ];
    let key = prop_oneof![3 => Just(json!("td.apikey")), 1 => any_json()];
    prop_oneof![
        4 => (key, prop::option::of(project)).prop_map(|(key, project)| {
            let mut answer = json!({ "key": key });
            if let Some(project) = project { answer["project"] = project; }
            (200, answer.to_string())
        }),
        1 => (100u16..600, any_json()).prop_map(|(status, body)| (status, body.to_string())),
        1 => Just((204, String::new())),
    ]
}

#[test]
fn the_key_is_said_to_be_set_only_by_an_empty_204_or_a_200_naming_td_apikey_and_the_project() {
    property("PUT answers", put_answer(), |(status, body)| {
        let outcome =
            read_set_api_key_answer(Region::Us, &key(), ProjectId::parse("7").unwrap(), ok(status, body.clone()));
        let Ok(_) = outcome else { return Ok(false) };
        if status == 204 {
            return Ok(true);
        }
        prop_assert_eq!(status, 200);
        let answer: Value = serde_json::from_str(&body).unwrap();
        prop_assert_eq!(&answer["key"], &json!("td.apikey"));
        match &answer["project"] {
            Value::Null => {}
            Value::Object(project) => match project.get("id") {
                None | Some(Value::Null) => {}
                Some(id) => prop_assert!(id == &json!(7) || id == &json!("7"), "{}", body),
            },
            other => prop_assert!(false, "a project that is not an object: {}", other),
        }
        Ok(true)
    });
}

fn session() -> impl Strategy<Value = Value> {
    let time = prop_oneof![
        4 => (-600i64..600).prop_map(|offset| {
            let at = time::OffsetDateTime::from_unix_timestamp((SET_AT / 1000) as i64 + offset).unwrap();
            json!(at.format(&time::format_description::well_known::Rfc3339).unwrap())
        }),
        1 => any_json(),
    ];
    let flag = prop_oneof![4 => any::<bool>().prop_map(Value::Bool), 1 => any_json()];
    let status = prop_oneof![Just(json!("success")), Just(json!("error")), Just(json!("running")), any_json()];
    let succeeded_since = (0i64..600).prop_map(|offset| {
        let at = time::OffsetDateTime::from_unix_timestamp((SET_AT / 1000) as i64 + offset).unwrap();
        json!({"lastAttempt": {"createdAt": at.format(&time::format_description::well_known::Rfc3339).unwrap(),
            "done": true, "success": true, "status": "success"}})
    });
    prop_oneof![
        6 => succeeded_since,
        3 => (time, flag.clone(), flag.clone(), flag, status).prop_map(|(created, done, success, cancel, status)| {
            json!({"workflow": {"name": "w"}, "lastAttempt": {"createdAt": created, "done": done, "success": success,
                "cancelRequested": cancel, "status": status}})
        }),
        1 => any_json(),
    ]
}

#[test]
fn a_success_since_is_claimed_only_when_every_session_reads_and_one_since_succeeded() {
    let answer = (prop::collection::vec(session(), 1..4), any::<bool>());
    property("sessions answers", answer, |(sessions, bare)| {
        let body = if bare { json!(sessions) } else { json!({ "sessions": sessions }) }.to_string();
        let check = read_runs_since(Region::Us, &key(), ProjectId::parse("7").unwrap(), SET_AT, ok(200, body)).unwrap();
        if check.verdict != RunsVerdict::SucceededSince {
            return Ok(false);
        }
        let since_ms =
            |session: &Value| session["lastAttempt"]["createdAt"].as_str().and_then(keyturn::timestamps::timestamp_ms);
        prop_assert!(sessions.iter().all(|s| since_ms(s).is_some() && s["lastAttempt"]["done"].is_boolean()));
        prop_assert!(sessions.iter().any(|s| since_ms(s).unwrap() >= SET_AT
            && s["lastAttempt"]["done"] == json!(true)
            && s["lastAttempt"]["success"] == json!(true)));
        // And no run since failed.
        prop_assert!(!sessions.iter().any(|s| since_ms(s).unwrap() >= SET_AT
            && s["lastAttempt"]["done"] == json!(true)
            && s["lastAttempt"]["success"] == json!(false)
            && s["lastAttempt"]["cancelRequested"] != json!(true)));
        prop_assert!(check.message.contains("not that every one of its tasks used td.apikey"));
        Ok(true)
    });
}

#[test]
fn secret_names_hold_td_apikey_only_when_an_element_names_it_exactly() {
    let element = prop_oneof![2 => Just(json!({"key": "td.apikey"})), 1 => any_json(), 1 => hostile_text().prop_map(|k| json!({"key": k}))];
    property("secrets answers", prop::collection::vec(element, 0..5), |secrets| {
        let body = json!({ "secrets": secrets }).to_string();
        let holds = read_secret_names(Region::Us, &key(), ProjectId::parse("7").unwrap(), ok(200, body)).unwrap();
        prop_assert_eq!(holds, secrets.iter().any(|s| s.get("key") == Some(&json!("td.apikey"))));
        Ok(holds)
    });
}
