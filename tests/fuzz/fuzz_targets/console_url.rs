//! Console URLs (and the bulk run's lines): never a panic; whatever parses yields a
//! request to a table host on the one documented path.
#![no_main]
use keyturn::treasure::bulk::BulkRun;
use keyturn::treasure::{parse_console_url, replace_key_request, Region, TreasureKey};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(target) = parse_console_url(&text) {
        let key = TreasureKey::parse("1/0123456789abcdef0123").unwrap();
        let request = replace_key_request(&target, &key);
        let path = request.url.strip_prefix(&format!("https://{}", target.region.api_host())).unwrap();
        assert_eq!(path.len(), "/reporting/datamodels/".len() + 36);
        assert!(path.starts_with("/reporting/datamodels/"));
        assert!(path[22..].bytes().all(|b| b.is_ascii_hexdigit() || b == b'-'));
    }
    let run = BulkRun::plan(&text, Some(Region::Us), &keyturn::policy::Policy::default());
    assert!(run.rows.iter().all(|row| row.oid.len() == 36));
});
