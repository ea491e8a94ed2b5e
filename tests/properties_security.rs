//! Property tests of the security rules (issue 19): the URL reader against the WHATWG URL
//! standard as browsers read it (the `url` crate), the CSV writer against an RFC 4180 reader
//! (the `csv` crate), and the cap on every server text, which also removes the key sent.
//!
//! Each generates accepted inputs on purpose beside hostile ones, and counts the cases that
//! reach the assertion about an accepted input: a strategy that drifted into producing only
//! refusals would otherwise pass while checking nothing. Fewer than a third fails the test.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used, clippy::expect_used)] // a test crate: a panic is a failed test

mod reaching;

use keyturn::databrain::ApiOrigin;
use keyturn::http::ApiResponse;
use keyturn::input::display_snippet;
use keyturn::treasure::listing::interpret_list_answer;
use keyturn::treasure::{interpret_replace_answer, parse_console_url, Region, TreasureKey};
use keyturn::url::parse_https_url;
use keyturn::ErrorCode;
use proptest::prelude::*;
use proptest::test_runner::{Config, TestCaseError};

const CASES: u32 = 600;
const OID: &str = "93d34997-1b2c-4d5e-8f90-123456789abc";
const KEY: &str = "4242/0123456789abcdef0123456789abcdef01234567";
const SECRET: &str = "0123456789abcdef0123456789abcdef01234567";

/// Runs `check` on `CASES` values of `strategy` (see [`reaching`]).
fn run_counting<S: Strategy>(name: &str, strategy: S, check: impl Fn(S::Value) -> Result<bool, TestCaseError>)
where
    S::Value: std::fmt::Debug,
{
    reaching::property_reaching(
        name,
        Config { cases: CASES, failure_persistence: None, ..Config::default() },
        strategy,
        check,
    );
}

// ---- the URL reader --------------------------------------------------------------------

/// Port texts: plain ports, the ones most often accepted, and what browsers read otherwise.
fn port_text() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => (1u32..=65535).prop_map(|port| port.to_string()),
        2 => Just("443".to_string()),
        1 => (0u32..=70000).prop_map(|port| format!("+{port}")),
        1 => (0u32..=65535).prop_map(|port| format!("0{port}")),
        1 => (65536u32..=999_999).prop_map(|port| port.to_string()),
        1 => Just(String::new()),
        1 => "[0-9]{1,4}[a-fx+ -][0-9]{0,2}",
        1 => Just("\u{ff14}\u{ff14}\u{ff13}".to_string()), // full-width digits
        1 => Just("0".to_string()),
    ]
}

#[test]
fn a_port_is_accepted_exactly_when_written_as_plain_digits_from_1_to_65535() {
    run_counting("ports", port_text(), |port| {
        let raw = format!("https://db.example.com:{port}/");
        let plain = !port.is_empty()
            && !port.starts_with('0')
            && port.bytes().all(|b| b.is_ascii_digit())
            && port.parse::<u32>().is_ok_and(|n| (1..=65535).contains(&n));
        match parse_https_url(&raw) {
            Ok(url) => {
                prop_assert!(plain, "{raw} accepted");
                // Browsers read the same port (443 is the default, left out of the origin).
                let browser = url::Url::parse(&raw).unwrap();
                prop_assert_eq!(url.port, browser.port());
                prop_assert_eq!(url.origin(), browser.origin().ascii_serialization());
                Ok(true)
            }
            Err(failure) => {
                prop_assert!(!plain, "{raw} refused: {}", failure.message);
                prop_assert_eq!(failure.code, ErrorCode::InvalidUrl);
                Ok(false)
            }
        }
    });
}

/// A host label: mostly names, also numbers in decimal and hex, and malformed labels.
fn label() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => "[a-z][a-z0-9]{0,6}(-[a-z0-9]{1,4})?",
        2 => "[0-9]{1,10}",
        2 => "0[xX][0-9a-fA-F]{0,8}",
        1 => "[a-z0-9]{0,3}[_%~!-][a-z0-9]{0,3}",
        1 => "[A-Z][a-zA-Z]{0,5}",
    ]
}

fn host() -> impl Strategy<Value = String> {
    // The last label is a name more often than not, so that many hosts are accepted.
    (prop::collection::vec(label(), 0..4), prop_oneof![3 => "[a-z]{2,6}", 1 => label()]).prop_map(
        |(mut labels, last)| {
            labels.push(last);
            labels.join(".")
        },
    )
}

#[test]
fn a_host_is_accepted_only_as_a_domain_name_that_browsers_read_the_same() {
    run_counting("hosts", host(), |host| {
        let raw = format!("https://{host}/path");
        let browser = url::Url::parse(&raw);
        let browser_reads_ip = browser.as_ref().is_ok_and(|url| !matches!(url.host(), Some(url::Host::Domain(_))));
        match parse_https_url(&raw) {
            Ok(ours) => {
                prop_assert!(!browser_reads_ip, "{raw}: a browser reads an IP address");
                let browser = browser.unwrap();
                prop_assert_eq!(Some(ours.host.as_str()), browser.host_str(), "{}", raw);
                prop_assert_eq!(ours.path, browser.path());
                Ok(true)
            }
            Err(failure) => {
                prop_assert_eq!(failure.code, ErrorCode::InvalidUrl);
                // A well-formed host whose last label is a number, decimal or hex, is refused
                // as the IPv4 address browsers read it as.
                let last = host.rsplit('.').next().unwrap();
                let numeric = last.bytes().all(|b| b.is_ascii_digit())
                    || last
                        .to_ascii_lowercase()
                        .strip_prefix("0x")
                        .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()));
                let well_formed = host.split('.').all(|label| {
                    !label.is_empty()
                        && !label.starts_with('-')
                        && !label.ends_with('-')
                        && label.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                });
                if numeric && well_formed {
                    prop_assert!(failure.message.contains("IP address"), "{}: {}", raw, failure.message);
                }
                Ok(false)
            }
        }
    });
}

#[test]
fn no_accepted_self_hosted_origin_is_a_host_held_for_another_service() {
    let held = keyturn::treasure::region::REGIONS
        .iter()
        .flat_map(|info| [info.api_host, info.workflow_host].into_iter().chain(info.console_hosts.iter().copied()))
        .chain(["api.usedatabrain.com", "app.usedatabrain.com"])
        .collect::<Vec<_>>();
    let origin = prop_oneof![
        2 => (prop::sample::select(held.clone()), any::<bool>(), port_text()).prop_map(|(host, upper, port)| {
            let host = if upper { host.to_uppercase() } else { host.to_string() };
            if port.is_empty() { format!("https://{host}") } else { format!("https://{host}:{port}/") }
        }),
        1 => ("[a-z]{1,8}", prop::sample::select(vec!["treasuredata.com", "treasuredata.co.jp"]))
            .prop_map(|(sub, domain)| format!("https://{sub}.{domain}")),
        4 => (host(), prop::option::of(1u16..=65535)).prop_map(|(host, port)| match port {
            Some(port) => format!("https://{host}:{port}"),
            None => format!("https://{host}/"),
        }),
    ];
    run_counting("origins", origin, |raw| {
        let host = raw.trim_start_matches("https://").split(['/', ':']).next().unwrap().to_ascii_lowercase();
        let is_held = held.contains(&host.as_str())
            || host.ends_with(".treasuredata.com")
            || host.ends_with(".treasuredata.co.jp");
        match ApiOrigin::normalise(&raw) {
            Ok(origin) => {
                prop_assert!(!is_held, "{raw} accepted as {origin}");
                // And it is exactly the origin a browser grants and sends to.
                prop_assert_eq!(origin, url::Url::parse(&raw).unwrap().origin().ascii_serialization());
                Ok(true)
            }
            Err(failure) => {
                if is_held && parse_https_url(&raw).is_ok() {
                    prop_assert_eq!(failure.code, ErrorCode::OriginOfAnotherService, "{}", raw);
                }
                Ok(false)
            }
        }
    });
}

// ---- the CSV writer --------------------------------------------------------------------

/// Field text: plain words, and the ways a formula hides (blanks, separators, full-width
/// signs), quotes and line breaks.
fn field() -> impl Strategy<Value = String> {
    let blank = prop::sample::select(vec!["", " ", "\t", "\u{a0}", "\u{3000}", "\u{200b}", "\r\n", "\u{feff}"]);
    let sign = prop::sample::select(vec!["=", "+", "-", "@", "＝", "＋", "－", "＠", "﹦"]);
    let separator = prop::sample::select(vec![",", ";", "\t"]);
    prop_oneof![
        3 => "[a-zA-Z0-9 _.()]{0,12}",
        2 => (blank.clone(), sign.clone(), "[A-Z0-9(),+]{0,8}").prop_map(|(b, s, rest)| format!("{b}{s}{rest}")),
        2 => ("[a-z]{0,5}", separator, blank, sign, "[0-9+]{0,4}").prop_map(|(a, sep, b, s, rest)| format!("{a}{sep}{b}{s}{rest}")),
        1 => "[a-z\"\n,;]{0,10}",
    ]
}

/// Whether a spreadsheet could read a formula in `text`: at its start, or after a `,`, `;` or
/// tab, blanks skipped (what csv.rs defends against, written independently of it).
fn could_start_a_formula(text: &str) -> bool {
    let blank = |c: char| c.is_whitespace() || matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}');
    let sign = |c: char| "=+-@＝＋－＠﹦﹢﹣﹫".contains(c);
    text.split([',', ';', '\t']).any(|cell| cell.trim_start_matches(blank).starts_with(sign))
}

#[test]
fn every_field_reads_back_whole_and_any_that_could_be_a_formula_is_text() {
    run_counting("csv", prop::collection::vec(prop::collection::vec(field(), 1..5), 1..4), |rows| {
        let mut out = String::new();
        for row in &rows {
            keyturn::csv::push_row(&mut out, &row.iter().map(String::as_str).collect::<Vec<_>>());
        }
        let read: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(out.as_bytes())
            .records()
            .map(|record| record.unwrap().iter().map(String::from).collect())
            .collect();
        prop_assert_eq!(read.len(), rows.len(), "{:?}", out);
        let mut defused_any = false;
        for (written, read) in rows.iter().zip(&read) {
            prop_assert_eq!(written.len(), read.len());
            for (value, cell) in written.iter().zip(read) {
                // Every field is quoted, so no separator or line break inside one splits it.
                if could_start_a_formula(value) {
                    prop_assert_eq!(cell, &format!("'{value}"));
                    defused_any = true;
                } else {
                    prop_assert_eq!(cell, value);
                }
            }
        }
        // Every field quoted: its two quotes, its quotes doubled, a comma between, CRLF after each row.
        let quoted: usize = read.iter().flatten().map(|cell| cell.len() + 2 + cell.matches('"').count()).sum();
        let separators: usize = read.iter().map(|row| row.len() - 1 + 2).sum();
        prop_assert_eq!(out.len(), quoted + separators, "{:?}", out);
        // Reached: a case that defused a field and read the rest back unchanged.
        Ok(defused_any)
    });
}

// ---- the cap on server texts -----------------------------------------------------------

/// A name a hostile server might send: text, the key somewhere in it (as it is, in capitals,
/// JSON-escaped, or only its secret half), or nothing of the key at all; short or very long.
fn name_json() -> impl Strategy<Value = (String, bool)> {
    let echo = prop::sample::select(vec![
        KEY.to_string(),
        KEY.to_uppercase(),
        KEY.replace('/', "\\/"),
        SECRET.to_string(),
        SECRET.to_uppercase(),
    ]);
    prop_oneof![
        3 => "[a-zA-Z0-9_.-][a-zA-Z0-9 _.-]{0,39}".prop_map(|text| (text, false)),
        2 => ("[a-z][a-z ]{0,250}", echo, "[a-z ]{0,30}").prop_map(|(before, key, after)| (format!("{before}{key}{after}"), true)),
        1 => ("[a-z]{1,3}", 150usize..5_000).prop_map(|(text, times)| (text.repeat(times), false)),
    ]
}

#[test]
fn every_name_from_an_answer_is_capped_and_never_holds_the_key() {
    let key = TreasureKey::parse(KEY).unwrap();
    let target = parse_console_url(&format!("https://console.treasuredata.com/app/admin/datamodels/{OID}")).unwrap();
    run_counting("names", name_json(), |(name, has_key)| {
        let body = format!(r#"{{"oid":"{OID}","name":"{name}","type":"elasticube"}}"#);
        let answer = || Ok(ApiResponse { status: 200, content_type: None, body: body.clone() });
        let shown = interpret_replace_answer(&target, &key, answer()).unwrap().name;
        prop_assert!(!shown.to_ascii_lowercase().contains(SECRET), "{shown}");
        prop_assert!(shown.chars().count() <= 201);
        prop_assert!(!shown.chars().any(char::is_control));
        if !has_key {
            prop_assert!(!shown.contains("[key removed]"));
        }
        // The account's list reads its names through the same helper.
        let list = format!("[{{\"oid\":\"{OID}\",\"name\":\"{name}\",\"created_by\":\"{name}\"}}]");
        let listed =
            interpret_list_answer(Region::Us, &key, Ok(ApiResponse { status: 200, content_type: None, body: list }))
                .unwrap()
                .models
                .remove(0);
        prop_assert_eq!(&listed.name, &shown);
        prop_assert!(listed.created_by.unwrap().chars().count() <= 121);
        let refused = interpret_replace_answer(
            &target,
            &key,
            Ok(ApiResponse { status: 400, content_type: None, body: format!(r#"{{"message":"{name}"}}"#) }),
        )
        .unwrap_err();
        prop_assert!(!refused.message.to_ascii_lowercase().contains(SECRET));
        if has_key {
            return Ok(false);
        }
        // Reached: an honest name, kept as the server wrote it but for the cap.
        prop_assert_eq!(shown, display_snippet(&name.replace("\\/", "/"), 200));
        Ok(true)
    });
}
