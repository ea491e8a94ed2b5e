//! Use cases: one function per user action, doing the whole sequence — read the input,
//! check the administrator's policy, send, read the answer, make the history record — and
//! returning one typed result or one typed failure. The network is a seam ([`Network`]), so
//! a whole use case runs natively in tests against a fake, and in the browser through
//! gloo-net (`transport`). Storing the record is the caller's (the background owns the
//! history), which is why it comes back with the result.

use std::future::Future;

use serde::{Deserialize, Serialize};

use crate::failure::{ErrorCode, Failure};
use crate::history::HistoryEntry;
use crate::http::{ApiRequest, Exchange};
use crate::policy::Policy;
use crate::treasure::datamodel::{interpret_replace_answer, replace_key_request, DataModelSummary};
use crate::treasure::{parse_console_url, DataModelTarget, Oid, Region, TreasureKey};
use crate::REQUEST_TIMEOUT_MS;

/// Where requests go out: the browser's fetch, or a test's fake.
pub trait Network {
    /// Sends `request`; the answer, or why none came, within `timeout_ms`.
    fn send(&self, request: &ApiRequest, timeout_ms: u32) -> impl Future<Output = Exchange>;
}

/// What the popup's "Replace key" hands the core: the data model (a pasted console address,
/// or a region and OID), the key, and the managed policy as JSON.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ReplaceKeyInput {
    /// A console data model address; when empty, `region` and `oid` are used.
    pub url: String,
    /// The region's id.
    pub region: String,
    /// The OID.
    pub oid: String,
    /// The Master key, as pasted.
    pub key: String,
    /// The managed storage area as JSON (`{}`: no policy).
    pub managed_json: String,
}

/// A replaced key: the data model as Treasure confirmed it, when, where its console page
/// is, and the history record to keep.
#[derive(Debug, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
#[serde(rename_all = "camelCase")]
pub struct KeyReplaced {
    /// The data model Treasure answered with (the same OID).
    pub model: DataModelSummary,
    /// The region's id.
    pub region: &'static str,
    /// When the answer arrived (milliseconds): a build counts only if it started after.
    pub replaced_at: u64,
    /// The data model's page in its region's console, where the user builds it.
    pub console_url: String,
    /// The attempt's history record (no key: a fingerprint).
    pub record: HistoryEntry,
}

/// A replacement that failed: the failure, and the history record when a request went out.
#[derive(Debug, Serialize)]
#[cfg_attr(target_arch = "wasm32", derive(tsify::Tsify))]
pub struct ReplaceKeyFailed {
    /// What went wrong and what to do.
    #[serde(flatten)]
    pub failure: Failure,
    /// The attempt's record, when a request went out (refused input has none).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[cfg_attr(target_arch = "wasm32", tsify(optional))]
    pub record: Option<HistoryEntry>,
}

impl From<Failure> for ReplaceKeyFailed {
    fn from(failure: Failure) -> Self {
        ReplaceKeyFailed { failure, record: None }
    }
}

/// The data model the input names: the pasted address when there is one.
fn target_of(input: &ReplaceKeyInput) -> Result<DataModelTarget, Failure> {
    let url = input.url.trim();
    if !url.is_empty() {
        return parse_console_url(url);
    }
    let region = Region::from_id(&input.region).ok_or_else(|| {
        Failure::new(ErrorCode::UnknownRegion, "Choose the data model's region: US, EU01, Korea (AP02) or Tokyo.")
    })?;
    Ok(DataModelTarget { region, oid: Oid::parse(&input.oid)? })
}

/// Replaces a data model's Treasure API key (seed-000): everything is checked before
/// anything is sent; one PUT, to the region's API host only, never retried by Keyturn.
/// `now()` gives the time in milliseconds.
pub async fn replace_data_model_key(
    network: &impl Network,
    input: &ReplaceKeyInput,
    now: impl Fn() -> u64,
) -> Result<KeyReplaced, ReplaceKeyFailed> {
    let policy = Policy::read(&input.managed_json);
    policy.check_service("treasure")?;
    let target = target_of(input)?;
    policy.check_region(target.region)?;
    let key = TreasureKey::parse(&input.key)?;
    let exchange = network.send(&replace_key_request(&target, &key), REQUEST_TIMEOUT_MS).await;
    let at = now();
    let record = |name: Option<&str>, outcome: &str| {
        HistoryEntry::data_model(at, target.region, &target.oid, name, outcome, &input.key)
    };
    match interpret_replace_answer(&target, exchange) {
        Ok(model) => Ok(KeyReplaced {
            record: record(Some(&model.name), "success"),
            region: target.region.info().id,
            replaced_at: at,
            console_url: target.console_url(),
            model,
        }),
        Err(failure) => {
            let record = failure.request_sent.then(|| record(None, failure.code.as_str()));
            Err(ReplaceKeyFailed { failure, record })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::{ApiResponse, Method, TransportFailure};
    use std::cell::RefCell;

    const OID: &str = "93d34997-1b2c-4d5e-8f90-000000000001";
    const KEY: &str = "1234/0123456789abcdef0123456789abcdef01234567";

    /// Answers every request with `answer` and keeps what was sent.
    struct FakeNetwork {
        answer: Exchange,
        sent: RefCell<Vec<ApiRequest>>,
    }

    impl FakeNetwork {
        fn answering(status: u16, body: &str) -> FakeNetwork {
            let response = ApiResponse { status, content_type: Some("application/json".into()), body: body.into() };
            FakeNetwork { answer: Ok(response), sent: RefCell::new(Vec::new()) }
        }
    }

    impl Network for FakeNetwork {
        async fn send(&self, request: &ApiRequest, _timeout_ms: u32) -> Exchange {
            self.sent.borrow_mut().push(request.clone());
            self.answer.clone()
        }
    }

    /// Runs a future that never waits (the fake answers at once).
    fn run<F: Future>(future: F) -> F::Output {
        let waker = std::task::Waker::noop();
        let mut context = std::task::Context::from_waker(waker);
        let mut future = std::pin::pin!(future);
        match future.as_mut().poll(&mut context) {
            std::task::Poll::Ready(output) => output,
            std::task::Poll::Pending => panic!("the fake network never waits"),
        }
    }

    fn input(url: &str) -> ReplaceKeyInput {
        ReplaceKeyInput { url: url.into(), key: KEY.into(), managed_json: "{}".into(), ..ReplaceKeyInput::default() }
    }

    fn console(host: &str) -> String {
        format!("https://{host}/app/admin/datamodels/{OID}")
    }

    #[test]
    fn replaces_with_one_put_to_the_regions_host_and_returns_the_record() {
        let network = FakeNetwork::answering(200, &format!(r#"{{"oid":"{OID}","name":"sales","type":"elasticube"}}"#));
        let done =
            run(replace_data_model_key(&network, &input(&console("console.eu01.treasuredata.com")), || 7)).unwrap();
        let sent = network.sent.borrow();
        assert_eq!(sent.len(), 1);
        assert_eq!(
            (sent[0].method, sent[0].url.as_str()),
            (Method::Put, format!("https://api.eu01.treasuredata.com/reporting/datamodels/{OID}").as_str())
        );
        assert_eq!(sent[0].header("authorization"), Some(format!("TD1 {KEY}").as_str()));
        assert_eq!((done.model.name.as_str(), done.region, done.replaced_at), ("sales", "eu01", 7));
        assert_eq!(done.console_url, console("console.eu01.treasuredata.com"));
        let model = done.record.data_model.as_ref().unwrap();
        assert_eq!((model.region.as_str(), model.oid.as_str(), model.name.as_deref()), ("eu01", OID, Some("sales")));
        assert_eq!(
            (done.record.outcome.as_str(), done.record.fingerprint.as_str(), done.record.at),
            ("success", "…4567", 7)
        );
        assert!(!serde_json::to_string(&done).unwrap().contains(&KEY[5..]), "no key in what crosses to the page");
    }

    #[test]
    fn a_region_or_oid_chosen_by_hand_is_used_when_nothing_is_pasted() {
        let network = FakeNetwork::answering(200, &format!(r#"{{"oid":"{OID}","name":"jp","type":"t"}}"#));
        let by_hand = ReplaceKeyInput { region: "tokyo".into(), oid: OID.into(), ..input("  ") };
        run(replace_data_model_key(&network, &by_hand, || 1)).unwrap();
        assert!(network.sent.borrow()[0].url.starts_with("https://api.treasuredata.co.jp/"));
    }

    #[test]
    fn refused_input_and_policy_send_nothing_and_record_nothing() {
        let cases = [
            (
                input("https://console.treasuredata.com.evil.example/app/admin/datamodels/x"),
                ErrorCode::UnknownConsoleHost,
            ),
            (
                ReplaceKeyInput { key: "TD1 ".into(), ..input(&console("console.treasuredata.com")) },
                ErrorCode::EmptyKey,
            ),
            (ReplaceKeyInput { region: "mars".into(), ..input("") }, ErrorCode::UnknownRegion),
            (
                ReplaceKeyInput {
                    managed_json: r#"{"treasureRegions":["us"]}"#.into(),
                    ..input(&console("console.eu01.treasuredata.com"))
                },
                ErrorCode::RegionNotEnabled,
            ),
            (
                ReplaceKeyInput {
                    managed_json: r#"{"services":["databrain"]}"#.into(),
                    ..input(&console("console.treasuredata.com"))
                },
                ErrorCode::ServiceNotEnabled,
            ),
        ];
        for (given, code) in cases {
            let network = FakeNetwork::answering(200, "{}");
            let failed = run(replace_data_model_key(&network, &given, || 1)).unwrap_err();
            assert_eq!(failed.failure.code, code, "{given:?}");
            assert!(failed.record.is_none() && !failed.failure.request_sent);
            assert!(network.sent.borrow().is_empty(), "nothing is sent for {code:?}");
        }
    }

    #[test]
    fn a_failed_answer_is_recorded_with_its_code_and_no_name() {
        let network = FakeNetwork::answering(401, r#"{"error":"Unauthorized"}"#);
        let failed =
            run(replace_data_model_key(&network, &input(&console("console.treasuredata.com")), || 3)).unwrap_err();
        assert_eq!(failed.failure.code, ErrorCode::Unauthorized);
        let record = failed.record.unwrap();
        assert_eq!((record.outcome.as_str(), record.data_model.unwrap().name), ("UNAUTHORIZED", None));
        let timeout = FakeNetwork { answer: Err(TransportFailure::Timeout), sent: RefCell::new(Vec::new()) };
        let failed =
            run(replace_data_model_key(&timeout, &input(&console("console.treasuredata.com")), || 3)).unwrap_err();
        assert_eq!(
            (failed.failure.code, failed.record.map(|record| record.outcome)),
            (ErrorCode::Timeout, Some("TIMEOUT".into()))
        );
    }
}
