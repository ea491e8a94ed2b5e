//! Grace periods, as typed and as numbers: never a panic; what is accepted is a whole number
//! of seconds that a JSON number carries exactly.
#![no_main]
use keyturn::databrain::GracePeriod;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    if let Ok(grace) = GracePeriod::parse(&text) {
        assert!(grace.seconds() < 1 << 53);
        assert_eq!(text.trim().trim_start_matches('0').parse::<u64>().unwrap_or(0), grace.seconds());
    }
    if let Ok(number) = text.trim().parse::<f64>() {
        if let Ok(grace) = GracePeriod::from_number(number) {
            assert!(grace.seconds() < 1 << 53);
            assert_eq!(grace.seconds() as f64, number);
        }
    }
});
