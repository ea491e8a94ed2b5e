//! Pasted keys and tokens: never a panic; whatever is accepted makes a single-line header
//! with no white space or control character inside the credential.
#![no_main]
use keyturn::databrain::{rotate_request, ApiOrigin, DataAppKey, GracePeriod, ServiceToken};
use keyturn::treasure::{parse_console_url, replace_key_request, TreasureKey};
use libfuzzer_sys::fuzz_target;

fn clean(credential: &str) -> bool {
    !credential.is_empty() && credential.bytes().all(|b| b.is_ascii_graphic())
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(key) = TreasureKey::parse(&text) {
        let target = parse_console_url("https://console.treasuredata.com/app/admin/datamodels/93d34997-1b2c-4d5e-8f90-123456789abc").unwrap();
        let request = replace_key_request(&target, &key);
        assert!(clean(request.header("Authorization").unwrap().strip_prefix("TD1 ").unwrap()));
        assert_eq!(request.url, "https://api.treasuredata.com/reporting/datamodels/93d34997-1b2c-4d5e-8f90-123456789abc");
    }
    if let Ok(key) = DataAppKey::parse(&text) {
        let request = rotate_request(&ApiOrigin::cloud(), &key, GracePeriod::RECOMMENDED);
        assert!(clean(request.header("Authorization").unwrap().strip_prefix("Bearer ").unwrap()));
    }
    let _ = ServiceToken::parse(&text);
});
