//! Both services' answers: never a panic, exactly one typed outcome, and success only with
//! the documented success shape. The first byte picks a status, the rest is the body.
#![no_main]
use keyturn::databrain::{interpret_create_answer, interpret_list_page, interpret_rotate_answer, ApiOrigin, DataAppKey, ServiceToken};
use keyturn::http::ApiResponse;
use keyturn::treasure::builds::{interpret_builds_answer, BuildVerdict};
use keyturn::treasure::bulk::BulkRun;
use keyturn::treasure::listing::interpret_list_answer;
use keyturn::treasure::{interpret_replace_answer, parse_console_url, TreasureKey};
use libfuzzer_sys::fuzz_target;

const STATUSES: [u16; 12] = [200, 200, 200, 201, 204, 301, 400, 401, 403, 404, 500, 502];
const OID: &str = "93d34997-1b2c-4d5e-8f90-123456789abc";

fuzz_target!(|data: &[u8]| {
    let Some((&first, rest)) = data.split_first() else { return };
    let status = STATUSES[first as usize % STATUSES.len()];
    let body = String::from_utf8_lossy(rest).into_owned();
    let response = || Ok(ApiResponse { status, content_type: None, body: body.clone() });

    let key = TreasureKey::parse("4242/0123456789abcdef0123456789abcdef01234567").unwrap();
    let data_app_key = DataAppKey::parse("550e8400-e29b-41d4-a716-446655440000").unwrap();
    let token = ServiceToken::parse("st_0123456789abcdef").unwrap();
    let target = parse_console_url(&format!("https://console.treasuredata.com/app/admin/datamodels/{OID}")).unwrap();
    if let Ok(model) = interpret_replace_answer(&target, &key, response()) {
        let json: serde_json::Value = serde_json::from_str(body.trim().trim_start_matches('\u{feff}')).unwrap();
        assert_eq!(status, 200);
        assert!(json["oid"].as_str().unwrap().eq_ignore_ascii_case(OID));
        assert_eq!(json["name"].as_str().map(|name| keyturn::input::display_snippet(name, 200)), Some(model.name));
    }
    for new_key in [interpret_rotate_answer(&ApiOrigin::cloud(), &data_app_key, response()), interpret_create_answer(&ApiOrigin::cloud(), &token, response())] {
        if let Ok(new_key) = new_key {
            assert_eq!(status, 200);
            assert!(keyturn::input::is_uuid(&new_key.key));
        }
    }
    if let Ok(keys) = interpret_list_page(&ApiOrigin::cloud(), &token, response()) {
        assert_eq!(status, 200);
        assert!(keys.iter().all(|listed| listed.view().masked_key.starts_with("••••")));
    }
    if let Ok(list) = interpret_list_answer(target.region, &key, response()) {
        assert_eq!(status, 200);
        assert!(list.models.iter().all(|model| keyturn::input::is_uuid(&model.oid)));
    }
    if let Ok(check) = interpret_builds_answer(&target, &key, 1_795_600_000_000, response()) {
        assert_eq!(status, 200);
        // Success needs a done build whose start is at or after the replacement.
        if check.verdict == BuildVerdict::BuiltWithNewKey {
            assert!(check.status.as_deref() == Some("done") && check.started_at >= Some(1_795_600_000_000));
        }
    }
    if let Some(run) = BulkRun::from_json(&body) {
        let _ = run.csv(&Default::default());
        let _ = run.counts();
    }
});
